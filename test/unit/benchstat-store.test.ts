// The results store on real `go test -bench` output: records survive a
// reopen, damaged files lose no readable record and are copied aside,
// statuses come from real failing runs, and the benchfmt export reads back
// in benchstat exactly like the output it came from.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { promises as fsPromises } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readBenchfmt, writeBenchfmt } from '../../src/core/bench/benchfmt';
import { parseBenchOutput, type BenchOutput } from '../../src/core/bench/parse';
import { renderCsv } from '../../src/cli/benchstat';
import {
  compareRuns,
  exportBenchfmt,
  nodeFileBackend,
  ResultsStore,
  resultsFromOutput,
  STORE_SCHEMA_VERSION,
  closeInterrupted,
  importBenchfmt,
  interruptedRuns,
  runStatus,
  StoreError,
  type RunRecord,
} from '../../src/core/bench/store';
import { runGoTest } from '../../src/core/go/bench';
import { goBench, runBenchstat } from '../fixtures/benchstat/oracle';

const dir = mkdtempSync(join(tmpdir(), 'goperf-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function recordOf(id: string, output: BenchOutput, startedAt: string): RunRecord {
  return {
    id,
    startedAt,
    finishedAt: startedAt,
    status: 'ok',
    pkg: output.config.pkg ?? '',
    benchmarks: ['.'],
    flags: ['-bench', '.', '-count', '3'],
    count: 3,
    git: { commit: '0123456789abcdef0123456789abcdef01234567', dirty: id === 'b' },
    goVersion: 'go1.26',
    goos: output.config.goos,
    goarch: output.config.goarch,
    cpu: output.config.cpu,
    profiles: [{ kind: 'cpu', path: join(dir, `${id}.pprof`) }],
    results: resultsFromOutput(output),
  };
}

describe('results store', () => {
  let textA: string;
  let textB: string;
  let outputA: BenchOutput;
  let outputB: BenchOutput;

  before(() => {
    textA = goBench({ scale: 1, count: 3 });
    textB = goBench({ scale: 2, count: 3 });
    outputA = parseBenchOutput(textA);
    outputB = parseBenchOutput(textB);
  });

  test('records survive a reopen, with every result line and its values', async () => {
    const path = join(dir, 'store1', 'results.jsonl');
    const store = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    assert.deepEqual(store.runs(), []);
    await store.put({ ...recordOf('a', outputA, '2026-01-01T00:00:00.000Z'), status: 'running', finishedAt: undefined });
    await store.update('a', { status: 'ok', finishedAt: '2026-01-01T00:01:00.000Z' });
    await store.put(recordOf('b', outputB, '2026-01-02T00:00:00.000Z'));

    const reopened = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    assert.deepEqual(reopened.problems, []);
    assert.deepEqual(reopened.runs().map((r) => [r.id, r.status]), [
      ['a', 'ok'],
      ['b', 'ok'],
    ]);
    const a = reopened.get('a')!;
    assert.equal(a.results.length, outputA.results.length);
    // -count 3 of each benchmark, values as go test printed them.
    const scaled = a.results.filter((r) => r.name === 'BenchmarkScaled');
    assert.equal(scaled.length, 3);
    assert.deepEqual(scaled[0].measurements, outputA.results.find((r) => r.name === 'BenchmarkScaled')!.measurements);
    assert.equal(a.git?.dirty, false);
    assert.equal(reopened.get('b')!.git?.dirty, true);
    const header = JSON.parse(readFileSync(path, 'utf8').split('\n')[0]);
    assert.equal(header.version, STORE_SCHEMA_VERSION);
  });

  test('export as benchfmt: benchstat prints the same comparison as for the original go test output', () => {
    const runsDir = join(dir, 'export');
    mkdirSync(join(runsDir, 'orig'), { recursive: true });
    mkdirSync(join(runsDir, 'exported'), { recursive: true });
    writeFileSync(join(runsDir, 'orig', 'a.txt'), textA);
    writeFileSync(join(runsDir, 'orig', 'b.txt'), textB);
    const runs = [recordOf('a', outputA, '2026-01-01T00:00:00Z'), recordOf('b', outputB, '2026-01-02T00:00:00Z')];
    writeFileSync(join(runsDir, 'exported', 'a.txt'), exportBenchfmt([runs[0]]));
    writeFileSync(join(runsDir, 'exported', 'b.txt'), exportBenchfmt([runs[1]]));
    const original = runBenchstat(join(runsDir, 'orig'), ['a.txt', 'b.txt']);
    const exported = runBenchstat(join(runsDir, 'exported'), ['a.txt', 'b.txt']);
    assert.equal(exported.stderr, '');
    assert.ok(original.stdout.includes('vs base'));
    assert.equal(exported.stdout, original.stdout);

    // Comparing the recorded runs directly gives benchstat's table for the exported files.
    const csvOfRuns = renderCsv(compareRuns(runs)).csv.replaceAll(',a,', ',a.txt,').replaceAll(',b,', ',b.txt,');
    const csvOfFiles = runBenchstat(join(runsDir, 'exported'), ['-format', 'csv', 'a.txt', 'b.txt']).stdout;
    const withoutGeomeans = (csv: string) => csv.split('\n').filter((line) => !line.startsWith('geomean,'));
    assert.deepEqual(withoutGeomeans(csvOfRuns), withoutGeomeans(csvOfFiles));

    // With run information every run is its own table: the commit and dirty flag are configuration.
    const withInfo = exportBenchfmt(runs, { withRunInfo: true });
    const read = readBenchfmt(withInfo, 'history.txt');
    assert.deepEqual(read.errors, []);
    assert.equal(read.results.length, outputA.results.length + outputB.results.length);
    assert.ok(read.results[read.results.length - 1].config.some(([k, v]) => k === 'dirty' && v === 'true'));
  });

  test('benchfmt writer round trip: benchstat reads the rewritten text like the original', () => {
    const roundDir = join(dir, 'roundtrip');
    mkdirSync(join(roundDir, 'orig'), { recursive: true });
    mkdirSync(join(roundDir, 'rewritten'), { recursive: true });
    const input = ['Unit items/op assume=exact', textA, 'pkg: example.com/other', 'BenchmarkOther/x=1-2 10 5 ns/op 3 MB/s', 'pkg:', 'BenchmarkLoose 10 7 ns/op'].join('\n');
    writeFileSync(join(roundDir, 'orig', 'in.txt'), input);
    const file = readBenchfmt(input, 'in.txt');
    writeFileSync(join(roundDir, 'rewritten', 'in.txt'), writeBenchfmt(file.results, file.units));
    const original = runBenchstat(join(roundDir, 'orig'), ['-format', 'csv', 'in.txt']);
    const rewritten = runBenchstat(join(roundDir, 'rewritten'), ['-format', 'csv', 'in.txt']);
    assert.equal(rewritten.stdout, original.stdout);
    assert.equal(rewritten.stderr, original.stderr);
  });

  test('a cut-off last line and a garbage line: readable records kept, the file copied aside and repaired', async () => {
    const storeDir = join(dir, 'store2');
    const path = join(storeDir, 'results.jsonl');
    const store = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    await store.put(recordOf('a', outputA, '2026-01-01T00:00:00Z'));
    appendFileSync(path, 'this is not json\n');
    await store.put(recordOf('b', outputB, '2026-01-02T00:00:00Z'));
    const damaged = readFileSync(path, 'utf8') + JSON.stringify(recordOf('c', outputA, '2026-01-03T00:00:00Z')).slice(0, 100);
    writeFileSync(path, damaged);

    const reopened = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    assert.deepEqual(reopened.runs().map((r) => r.id), ['a', 'b']);
    assert.match(reopened.problems.join('\n'), /results\.jsonl:3: not valid JSON/);
    assert.match(reopened.problems.join('\n'), /results\.jsonl:5: the last record was cut off/);
    const copies = readdirSync(storeDir).filter((f) => f.includes('.damaged-'));
    assert.equal(copies.length, 1);
    assert.equal(readFileSync(join(storeDir, copies[0]), 'utf8'), damaged);

    // The repaired file reads cleanly and takes new records.
    await reopened.put(recordOf('d', outputB, '2026-01-04T00:00:00Z'));
    const again = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.runs().map((r) => r.id), ['a', 'b', 'd']);
  });

  test('a file from a newer schema is read but never changed', async () => {
    const path = join(dir, 'newer.jsonl');
    const text = JSON.stringify({ format: 'goperf-bench-results', version: STORE_SCHEMA_VERSION + 1 }) + '\n' + JSON.stringify(recordOf('a', outputA, '2026-01-01T00:00:00Z')) + '\n{"future":true}\n';
    writeFileSync(path, text);
    const store = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    assert.deepEqual(store.runs().map((r) => r.id), ['a']);
    assert.match(store.readOnlyReason ?? '', /schema version 2/);
    await assert.rejects(store.put(recordOf('b', outputB, '2026-01-02T00:00:00Z')), StoreError);
    assert.equal(readFileSync(path, 'utf8'), text);
  });

  test('statuses of real failing runs: build error, failing and panicking benchmarks, zero iterations, cancelled', async () => {
    const module = join(dir, 'failing');
    mkdirSync(join(module, 'broken'), { recursive: true });
    mkdirSync(join(module, 'fails'), { recursive: true });
    writeFileSync(join(module, 'go.mod'), 'module example.com/failing\n\ngo 1.22\n');
    writeFileSync(join(module, 'broken', 'b_test.go'), 'package broken\n\nimport "testing"\n\nfunc BenchmarkX(b *testing.B) { undefinedThing() }\n');
    writeFileSync(
      join(module, 'fails', 'f_test.go'),
      [
        'package fails',
        'import (',
        '\t"testing"',
        '\t"time"',
        ')',
        'func BenchmarkOk(b *testing.B) { for i := 0; i < b.N; i++ {} }',
        'func BenchmarkBad(b *testing.B) { b.Fatal("input file is missing") }',
        'func BenchmarkPanics(b *testing.B) { panic("index out of range on purpose") }',
        'func BenchmarkSlow(b *testing.B) { for i := 0; i < b.N; i++ { time.Sleep(time.Millisecond) } }',
        '',
      ].join('\n'),
    );
    const storage = join(dir, 'failing-storage');
    const path = join(dir, 'failing-history.jsonl');
    const store = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    const recordRun = async (id: string, pkgDir: string, benchmarks: string[], options: { benchtime?: string; signal?: AbortSignal; onLine?: (line: string) => void } = {}) => {
      await store.put({ id, startedAt: new Date().toISOString(), status: 'running', pkg: pkgDir, packageDir: pkgDir, benchmarks, flags: [], profiles: [], results: [] });
      const result = await runGoTest({
        goPath: 'go',
        packageDir: pkgDir,
        storageDir: storage,
        benchmarks,
        label: benchmarks.join('+'),
        profiles: ['cpu'],
        benchtime: options.benchtime ?? '10x',
        count: 2,
        extraArgs: [],
        signal: options.signal,
        onLine: options.onLine,
      });
      return store.update(id, {
        status: runStatus(result.outcome),
        message: result.message || undefined,
        flags: result.args,
        results: resultsFromOutput(result.output),
        profiles: result.profiles,
        finishedAt: new Date().toISOString(),
      });
    };

    const broken = await recordRun('broken', join(module, 'broken'), ['BenchmarkX']);
    assert.equal(broken.status, 'failed');
    assert.match(broken.message!, /did not build: \S*b_test\.go:5:\d+: undefined: undefinedThing/);
    assert.deepEqual(broken.results, []);

    const fails = await recordRun('fails', join(module, 'fails'), ['BenchmarkOk', 'BenchmarkBad']);
    assert.equal(fails.status, 'failed');
    assert.match(fails.message!, /BenchmarkBad failed: .*input file is missing/);
    // The benchmark that passed still has its results (both -count runs) recorded beside the failure.
    assert.equal(fails.results.filter((r) => r.name === 'BenchmarkOk').length, 2);
    assert.deepEqual(fails.profiles.map((p) => p.kind), ['cpu'], 'go test still wrote the CPU profile');

    const panics = await recordRun('panics', join(module, 'fails'), ['BenchmarkPanics']);
    assert.equal(panics.status, 'failed');
    assert.match(panics.message!, /panicked: index out of range on purpose/);

    // The setting allows `0x`; the test binary refuses it with a usage text.
    const zero = await recordRun('zero', join(module, 'fails'), ['BenchmarkOk'], { benchtime: '0x' });
    assert.equal(zero.status, 'failed');
    assert.equal(zero.message, 'go test rejected -benchtime 0x: invalid count');

    const abort = new AbortController();
    const cancelled = await recordRun('cancelled', join(module, 'fails'), ['BenchmarkOk', 'BenchmarkSlow'], {
      benchtime: '30s',
      signal: abort.signal,
      onLine: (line) => line === 'BenchmarkSlow' && abort.abort(),
    });
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual([...new Set(cancelled.results.map((r) => r.name))], ['BenchmarkOk'], 'results before the cancel are kept');

    // A run left "running" by an editor that closed is closed as cancelled when the store is opened again.
    await store.put({ id: 'orphan', startedAt: new Date().toISOString(), status: 'running', pkg: 'x', benchmarks: [], flags: [], profiles: [], results: [] });
    const reopened = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    assert.deepEqual(interruptedRuns(reopened).map((r) => r.id), ['orphan']);
    for (const run of interruptedRuns(reopened)) await reopened.put(closeInterrupted(run, new Date()));
    const final = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    assert.deepEqual(final.problems, []);
    assert.deepEqual(final.runs().map((r) => [r.id, r.status]), [
      ['broken', 'failed'],
      ['fails', 'failed'],
      ['panics', 'failed'],
      ['zero', 'failed'],
      ['cancelled', 'cancelled'],
      ['orphan', 'cancelled'],
    ]);
  });

  test('import benchfmt text: a run that compares with local runs; unreadable lines are reported', () => {
    const text = textA.replace(/^(BenchmarkScaled\S*\s+\d+\s)/m, 'BenchmarkBroken notanumber 5 ns/op\n$1');
    const { record, problems } = importBenchfmt(text, 'ci.txt', 'imported-1', new Date('2026-01-05T00:00:00Z'));
    assert.match(problems.join('\n'), /^ci\.txt:\d+: parsing iteration count: invalid syntax$/m);
    assert.ok(record);
    assert.equal(record.importedFrom, 'ci.txt');
    assert.equal(record.goos, outputA.config.goos);
    assert.equal(record.cpu, outputA.config.cpu);
    // Same names, GOMAXPROCS and values (in go test's units) as parsing the output directly.
    const simplify = (results: readonly { name: string; procs: number; measurements: readonly { value: number; unit: string }[] }[]) =>
      results.map(({ name, procs, measurements }) => ({ name, procs, measurements: measurements.map(({ value, unit }) => ({ value, unit })) }));
    assert.deepEqual(simplify(record.results), simplify(outputA.results));
    // Its export reads back as the same benchstat input as the original text.
    const csv = (t: string, name: string) => renderCsv(compareRuns([{ ...recordOf(name, parseBenchOutput(t), '2026-01-01T00:00:00Z') }])).csv;
    assert.equal(renderCsv(compareRuns([{ ...record, id: 'x' }])).csv, csv(textA, 'x'));

    assert.equal(importBenchfmt('hello\n', 'empty.txt', 'imported-2', new Date()).record, undefined);
    assert.match(importBenchfmt('hello\n', 'empty.txt', 'imported-2', new Date()).problems.join(''), /empty\.txt: no benchmark results/);
  });
});
