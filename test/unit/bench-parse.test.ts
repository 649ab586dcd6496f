// The benchmark output parser against real `go test -bench` output from the
// bundled sample module (and a scratch module for failures), plus a few
// synthetic lines for cases the sample cannot produce.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseBenchOutput, splitProcs, type BenchOutput } from '../../src/core/bench/parse';
import { formatBenchValue, formatSummary, summarizeResults } from '../../src/core/bench/summary';

const workloadDir = join(__dirname, '..', '..', 'sample', 'workload');

function goTest(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { stdout: string; status: number } {
  const run = spawnSync('go', ['test', ...args], { cwd, encoding: 'utf8', env });
  return { stdout: run.stdout, status: run.status ?? -1 };
}

/** A throwaway module with one test file. */
function scratchModule(module: string, fileName: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'goperf-parse-'));
  writeFileSync(join(dir, 'go.mod'), `module ${module}\n\ngo 1.22\n`);
  writeFileSync(join(dir, fileName), source);
  return dir;
}

function goEnv(name: string): string {
  return execFileSync('go', ['env', name], { encoding: 'utf8' }).trim();
}

function unitValue(output: BenchOutput, name: string, unit: string): number[] {
  return output.results
    .filter((r) => r.name === name)
    .map((r) => r.measurements.find((m) => m.unit === unit)?.value)
    .filter((v): v is number => v !== undefined);
}

describe('parseBenchOutput on real go test output (sample/workload)', () => {
  let listed: string[];
  let plain: BenchOutput;
  let verbose: BenchOutput;
  let verboseText: string;

  before(() => {
    const list = goTest(workloadDir, ['-list', 'Benchmark.*', '.']);
    assert.equal(list.status, 0);
    listed = list.stdout.split('\n').filter((line) => line.startsWith('Benchmark'));
    assert.ok(listed.length >= 6, `go test -list found ${listed.join(', ')}`);

    // -cpu 1,2 makes both name forms appear on any machine: no suffix at GOMAXPROCS 1, `-2` at 2.
    const run = goTest(workloadDir, ['-run', '^$', '-bench', '.', '-benchmem', '-benchtime', '50x', '-count', '2', '-cpu', '1,2', '.']);
    assert.equal(run.status, 0, run.stdout);
    plain = parseBenchOutput(run.stdout);

    const runVerbose = goTest(workloadDir, ['-run', '^$', '-bench', 'Pipeline|Fib', '-benchmem', '-benchtime', '20x', '-v', '.']);
    assert.equal(runVerbose.status, 0, runVerbose.stdout);
    verboseText = runVerbose.stdout;
    verbose = parseBenchOutput(verboseText);
  });

  test('reads the configuration header', () => {
    assert.equal(plain.config.goos, goEnv('GOOS'));
    assert.equal(plain.config.goarch, goEnv('GOARCH'));
    assert.equal(plain.config.pkg, 'example.com/goperf-sample/workload');
    assert.ok(plain.config.cpu && plain.config.cpu.length > 0);
  });

  test('every benchmark go test -list names has results (sub-benchmarks under their parent)', () => {
    for (const name of listed) {
      const found = plain.results.filter((r) => r.name === name || r.name.startsWith(`${name}/`));
      assert.ok(found.length > 0, `no result for ${name}`);
    }
    const names = new Set(plain.results.map((r) => r.name));
    assert.ok(names.has('BenchmarkPipeline/lines=100'));
    assert.ok(names.has('BenchmarkPipeline/lines=1000'));
    assert.ok(!names.has('BenchmarkPipeline'), 'a parent with sub-benchmarks prints no result line itself');
  });

  test('splits the GOMAXPROCS suffix and keeps -count repetitions', () => {
    for (const name of new Set(plain.results.map((r) => r.name))) {
      for (const procs of [1, 2]) {
        const runs = plain.results.filter((r) => r.name === name && r.procs === procs);
        assert.equal(runs.length, 2, `${name} at GOMAXPROCS ${procs}: -count 2 gives two results`);
      }
    }
  });

  test('iterations, standard units and values', () => {
    for (const result of plain.results) {
      assert.equal(result.iterations, 50, `${result.name}: -benchtime 50x`);
      assert.equal(result.pkg, 'example.com/goperf-sample/workload');
      const units = result.measurements.map((m) => m.unit);
      for (const unit of ['ns/op', 'B/op', 'allocs/op']) assert.ok(units.includes(unit), `${result.name} lacks ${unit}`);
      assert.ok(result.measurements.find((m) => m.unit === 'ns/op')!.value > 0);
    }
    // BenchmarkParse calls b.SetBytes, so go test reports throughput.
    assert.ok(unitValue(plain, 'BenchmarkParse', 'MB/s').every((v) => v > 0));
    assert.equal(unitValue(plain, 'BenchmarkParse', 'MB/s').length, 4);
    // BuildTree allocates 2^12-1 nodes per iteration.
    assert.ok(unitValue(plain, 'BenchmarkBuildTree', 'allocs/op').every((v) => v >= 4095));
  });

  test('custom b.ReportMetric units: fib/op is Fib(22) = 17711', () => {
    const values = unitValue(plain, 'BenchmarkFib', 'fib/op');
    assert.equal(values.length, 4);
    assert.ok(values.every((v) => v === 17711));
  });

  test('package status and verdict', () => {
    assert.equal(plain.verdict, 'PASS');
    assert.equal(plain.packages.length, 1);
    assert.equal(plain.packages[0].pkg, 'example.com/goperf-sample/workload');
    assert.ok(plain.packages[0].ok);
    assert.match(plain.packages[0].detail, /^\d+(\.\d+)?s$/);
    assert.deepEqual(plain.reports, []);
    assert.equal(plain.panic, undefined);
  });

  test('-v output: bare name lines do not become results', () => {
    assert.match(verboseText, /^BenchmarkPipeline$/m, 'go test -v prints bare names');
    const names = verbose.results.map((r) => r.name).sort();
    assert.deepEqual(names, ['BenchmarkFib', 'BenchmarkPipeline/lines=100', 'BenchmarkPipeline/lines=1000']);
    assert.ok(verbose.results.every((r) => r.iterations === 20));
  });

  test('summaries: one per name and GOMAXPROCS, median of the runs, preferred unit order', () => {
    const summaries = summarizeResults(plain.results);
    assert.equal(summaries.length, new Set(plain.results.map((r) => `${r.name}-${r.procs}`)).size);
    const parse = summaries.find((s) => s.name === 'BenchmarkParse' && s.procs === 1)!;
    assert.equal(parse.runs, 2);
    assert.deepEqual(
      parse.measurements.map((m) => m.unit),
      ['ns/op', 'B/op', 'allocs/op', 'MB/s'],
    );
    const both = plain.results.filter((r) => r.name === 'BenchmarkParse' && r.procs === 1).map((r) => r.measurements.find((m) => m.unit === 'ns/op')!.value);
    assert.equal(both.length, 2);
    assert.equal(parse.measurements[0].value, (both[0] + both[1]) / 2);
    const fib = summaries.find((s) => s.name === 'BenchmarkFib' && s.procs === 2)!;
    assert.equal(fib.label, 'BenchmarkFib-2');
    assert.match(formatSummary(fib), /^BenchmarkFib-2: [\d,.]+ ns\/op · 0 B\/op · 0 allocs\/op · 17,711 fib\/op \(median of 2\)$/);
    // With one GOMAXPROCS per name the suffix says nothing and is left out.
    assert.deepEqual(
      summarizeResults(verbose.results).map((s) => s.label),
      verbose.results.map((r) => r.name),
    );
  });
});

describe('parseBenchOutput on real failing, skipping and panicking benchmarks', () => {
  let dir: string;
  before(() => {
    dir = scratchModule('example.com/failing', 'f_test.go',
      [
        'package failing',
        'import (',
        '\t"fmt"',
        '\t"os"',
        '\t"testing"',
        ')',
        'func BenchmarkPrints(b *testing.B) {',
        '\tfmt.Println("printed by the benchmark")',
        '\tfor i := 0; i < b.N; i++ {',
        '\t}',
        '}',
        'func BenchmarkFails(b *testing.B) { b.Fatal("deliberate failure") }',
        'func BenchmarkSkips(b *testing.B) { b.Skip("deliberately skipped") }',
        'func BenchmarkLogs(b *testing.B) {',
        '\tb.Log("a log line")',
        '\tfor i := 0; i < b.N; i++ {',
        '\t}',
        '}',
        'func BenchmarkPanics(b *testing.B) {',
        '\tif os.Getenv("GOPERF_PANIC") == "1" {',
        '\t\tpanic("deliberate panic")',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('non-verbose: --- FAIL with its message, logs of passing benchmarks are not reports', () => {
    const run = goTest(dir, ['-run', '^$', '-bench', 'Fails|Logs|Skips', '-benchtime', '5x', '.']);
    assert.notEqual(run.status, 0);
    const output = parseBenchOutput(run.stdout);
    assert.deepEqual(output.reports.map((r) => [r.name, r.kind]), [['BenchmarkFails', 'fail']]);
    assert.match(output.reports[0].messages[0], /f_test\.go:\d+: deliberate failure/);
    assert.deepEqual(output.results.map((r) => r.name), ['BenchmarkLogs']);
    assert.equal(output.verdict, 'FAIL');
    assert.equal(output.packages[0].ok, false);
  });

  test('verbose: --- SKIP and --- FAIL take the log lines printed before them', () => {
    const run = goTest(dir, ['-run', '^$', '-bench', 'Fails|Skips', '-benchtime', '5x', '-v', '.']);
    const output = parseBenchOutput(run.stdout);
    const byName = new Map(output.reports.map((r) => [r.name, r]));
    assert.equal(byName.get('BenchmarkFails')?.kind, 'fail');
    assert.match(byName.get('BenchmarkFails')!.messages.join('\n'), /deliberate failure/);
    assert.equal(byName.get('BenchmarkSkips')?.kind, 'skip');
    assert.match(byName.get('BenchmarkSkips')!.messages.join('\n'), /deliberately skipped/);
  });

  test('a benchmark printing to stdout splits its result line; the numbers are still found', () => {
    for (const verbose of [false, true]) {
      const run = goTest(dir, ['-run', '^$', '-bench', 'Prints', '-benchtime', '7x', ...(verbose ? ['-v'] : []), '.']);
      assert.equal(run.status, 0);
      assert.match(run.stdout, /printed by the benchmark/);
      const output = parseBenchOutput(run.stdout);
      assert.deepEqual(output.results.map((r) => [r.name, r.iterations]), [['BenchmarkPrints', 7]], run.stdout);
    }
  });

  test('panic: the first line is kept, stack frames are not configuration', () => {
    const run = goTest(dir, ['-run', '^$', '-bench', 'Panics', '-benchtime', '5x', '.'], { ...process.env, GOPERF_PANIC: '1' });
    assert.notEqual(run.status, 0);
    const output = parseBenchOutput(run.stdout);
    assert.equal(output.panic, 'deliberate panic');
    // Depending on timing, part of the header is printed before the panic; nothing else is configuration.
    for (const key of Object.keys(output.config)) assert.ok(['goos', 'goarch', 'pkg', 'cpu'].includes(key), key);
    assert.equal(output.packages[0]?.ok, false);
  });
});

describe('names that end in -N themselves (real go test output)', () => {
  let dir: string;
  before(() => {
    dir = scratchModule('example.com/names', 'n_test.go',
      [
        'package names',
        'import "testing"',
        'func BenchmarkSizes(b *testing.B) {',
        '\tfor _, name := range []string{"size-1", "n-4", "plain"} {',
        '\t\tb.Run(name, func(b *testing.B) {',
        '\t\t\tfor i := 0; i < b.N; i++ {',
        '\t\t\t}',
        '\t\t})',
        '\t}',
        '}',
        'func TestPasses(t *testing.T) { t.Log("note from a passing test") }',
        'func TestFails(t *testing.T) { t.Error("deliberate test failure") }',
        '',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('-1 is never a GOMAXPROCS suffix: go test leaves GOMAXPROCS 1 unmarked', () => {
    const run = goTest(dir, ['-run', '^$', '-bench', '.', '-benchtime', '3x', '-cpu', '1,3', '.']);
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /^BenchmarkSizes\/size-1\s/m, 'GOMAXPROCS 1 result printed without a suffix');
    const output = parseBenchOutput(run.stdout);
    const seen = output.results.map((r) => `${r.name}@${r.procs}`);
    assert.ok(seen.includes('BenchmarkSizes/size-1@1'), seen.join(' '));
    assert.ok(seen.includes('BenchmarkSizes/size-1@3'), seen.join(' '));
    assert.ok(seen.includes('BenchmarkSizes/plain@1'), seen.join(' '));
  });

  test('with -v the bare name settles names ending in -N at GOMAXPROCS 1', () => {
    const run = goTest(dir, ['-run', '^$', '-bench', '.', '-benchtime', '3x', '-count', '2', '-cpu', '1,4', '-v', '.']);
    assert.equal(run.status, 0, run.stdout);
    const output = parseBenchOutput(run.stdout);
    const seen = output.results.map((r) => `${r.name}@${r.procs}`).sort();
    assert.deepEqual(seen, [
      'BenchmarkSizes/n-4@1', 'BenchmarkSizes/n-4@1', 'BenchmarkSizes/n-4@4', 'BenchmarkSizes/n-4@4',
      'BenchmarkSizes/plain@1', 'BenchmarkSizes/plain@1', 'BenchmarkSizes/plain@4', 'BenchmarkSizes/plain@4',
      'BenchmarkSizes/size-1@1', 'BenchmarkSizes/size-1@1', 'BenchmarkSizes/size-1@4', 'BenchmarkSizes/size-1@4',
    ]);
  });

  test('tests under -v: --- PASS and --- FAIL with the log lines printed before them', () => {
    const run = goTest(dir, ['-run', '^Test', '-bench', '^$', '-v', '.']);
    assert.notEqual(run.status, 0);
    const output = parseBenchOutput(run.stdout);
    const byName = new Map(output.reports.map((r) => [r.name, r]));
    assert.equal(byName.get('TestPasses')?.kind, 'pass');
    assert.match(byName.get('TestPasses')!.messages.join('\n'), /note from a passing test/);
    assert.equal(byName.get('TestFails')?.kind, 'fail');
    assert.match(byName.get('TestFails')!.messages.join('\n'), /n_test\.go:\d+: deliberate test failure/);
  });
});

describe('parseBenchOutput on synthetic lines', () => {
  test('names with /, = and - keep everything before the last -N', () => {
    assert.deepEqual(splitProcs('BenchmarkX/size=1-K-16'), { name: 'BenchmarkX/size=1-K', procs: 16 });
    assert.deepEqual(splitProcs('BenchmarkX/size-1'), { name: 'BenchmarkX/size-1', procs: 1 });
    assert.deepEqual(splitProcs('BenchmarkX/size-1-2'), { name: 'BenchmarkX/size-1', procs: 2 });
    assert.deepEqual(splitProcs('BenchmarkX/n-4', 'BenchmarkX/n-4'), { name: 'BenchmarkX/n-4', procs: 1 });
    assert.deepEqual(splitProcs('BenchmarkX/n-4-8', 'BenchmarkX/n-4'), { name: 'BenchmarkX/n-4', procs: 8 });
    assert.deepEqual(splitProcs('BenchmarkX/a-b'), { name: 'BenchmarkX/a-b', procs: 1 });
    assert.deepEqual(splitProcs('BenchmarkY'), { name: 'BenchmarkY', procs: 1 });
  });

  test('general value/unit pairs, exponents, CRLF, and lines that only look like results', () => {
    const text = [
      'goos: plan9',
      'note: synthetic input',
      'BenchmarkSynthetic/case=a-4 \t 1000 \t 1.5e+06 ns/op \t 12 widgets/s \t -3 delta/op\r',
      'BenchmarkOdd-4 10 5 ns/op trailing',
      'BenchmarkWords-4 many 5 ns/op',
      'sample_test.go:12: looks like configuration but is a message',
      'testing: warning: no tests to run',
      'BenchmarkSynthetic/case=b',
      '',
    ].join('\n');
    const output = parseBenchOutput(text);
    assert.deepEqual(output.config, { goos: 'plan9', note: 'synthetic input' });
    assert.equal(output.results.length, 1);
    const [result] = output.results;
    assert.equal(result.name, 'BenchmarkSynthetic/case=a');
    assert.equal(result.procs, 4);
    assert.equal(result.iterations, 1000);
    assert.equal(result.line, 3);
    assert.deepEqual(result.measurements, [
      { value: 1.5e6, unit: 'ns/op' },
      { value: 12, unit: 'widgets/s' },
      { value: -3, unit: 'delta/op' },
    ]);
  });

  test('build failure line and no-test-files line', () => {
    const output = parseBenchOutput('FAIL\texample.com/x [build failed]\n?   \texample.com/y\t[no test files]\nFAIL\n');
    assert.deepEqual(output.packages, [
      { pkg: 'example.com/x', ok: false, detail: '[build failed]' },
      { pkg: 'example.com/y', ok: false, detail: '[no test files]' },
    ]);
    assert.equal(output.verdict, 'FAIL');
  });

  test('value formatting', () => {
    assert.equal(formatBenchValue(581929), '581,929');
    assert.equal(formatBenchValue(144.93), '144.9');
    assert.equal(formatBenchValue(3.5), '3.5');
    assert.equal(formatBenchValue(0), '0');
  });
});
