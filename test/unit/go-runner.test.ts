// The benchmark runner against the real go command on the bundled sample:
// arguments go test accepts, profiles written outside the user's tree, clear
// failures, and cancellation that leaves no process behind.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { benchTestArgs, profileFileName, runBenchmark } from '../../src/core/go/bench';
import { formatCommandLine, GoNotFoundError, runGo } from '../../src/core/go/runGo';

const sampleDir = join(__dirname, '..', '..', 'sample');
const workloadDir = join(sampleDir, 'workload');
const quick = { benchtime: '20x', count: 1, extraArgs: [] as string[] };

/** Every file under dir with its size and modification time. */
function snapshot(dir: string): string[] {
  const entries: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      const info = statSync(path);
      if (info.isDirectory()) walk(path);
      else entries.push(`${relative(dir, path)} ${info.size} ${info.mtimeMs}`);
    }
  };
  walk(dir);
  return entries.sort();
}

function pprofTop(profile: string, extra: string[] = []): string {
  return execFileSync('go', ['tool', 'pprof', '-top', ...extra, profile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Processes (pid, args) in a process group, from ps. */
function processGroup(pgid: number): { pid: number; args: string }[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === pgid)
    .map((m) => ({ pid: Number(m[1]), args: m[3] }));
}

describe('benchTestArgs', () => {
  test('plain run', () => {
    assert.deepEqual(benchTestArgs({ benchmark: 'BenchmarkParse', benchtime: '2s', count: 3, extraArgs: ['-cpu', '1,2'] }), [
      'test', '-run', '^$', '-bench', '^BenchmarkParse$', '-benchmem', '-v', '-benchtime', '2s', '-count', '3', '.', '-cpu', '1,2',
    ]);
  });

  test('profiled run sends the profile and the test binary to our directories', () => {
    const args = benchTestArgs({
      benchmark: 'BenchmarkFib',
      ...quick,
      profile: { kind: 'mem', path: '/store/profiles/p.pprof', binaryDir: '/store/tmp/bin-1' },
    });
    assert.deepEqual(args.slice(args.indexOf('-memprofile')), ['-memprofile', '/store/profiles/p.pprof', '-o', '/store/tmp/bin-1/', '.']);
  });

  test('regular expression characters in a name are escaped', () => {
    assert.equal(benchTestArgs({ benchmark: 'Benchmark', ...quick })[4], '^Benchmark$');
    assert.equal(benchTestArgs({ benchmark: 'BenchmarkA.B', ...quick })[4], '^BenchmarkA\\.B$');
  });

  test('profile file names carry the benchmark, the kind and a timestamp', () => {
    const date = new Date(2026, 10, 27, 17, 45, 1);
    assert.equal(profileFileName('BenchmarkParse', 'cpu', date), 'BenchmarkParse-cpu-20261127-174501.pprof');
    assert.equal(profileFileName('BenchmarkParse', 'mem', date, 1), 'BenchmarkParse-mem-20261127-174501-2.pprof');
    assert.equal(profileFileName('Benchmark/x y', 'cpu', date), 'Benchmark_x_y-cpu-20261127-174501.pprof');
  });

  test('command lines are quoted for display', () => {
    assert.equal(formatCommandLine('go', ['test', '-run', '^$', '-bench', "it's"]), `go test -run '^$' -bench 'it'\\''s'`);
  });
});

describe('runBenchmark with the real go command', () => {
  let storage: string;
  let sampleBefore: string[];

  before(() => {
    storage = mkdtempSync(join(tmpdir(), 'goperf-storage-'));
    sampleBefore = snapshot(sampleDir);
  });

  after(() => {
    rmSync(storage, { recursive: true, force: true });
  });

  test('CPU profile: written under storage/profiles, readable by go tool pprof, sample/ untouched', async () => {
    const lines: string[] = [];
    let commandLine = '';
    const result = await runBenchmark({
      goPath: 'go',
      packageDir: workloadDir,
      benchmark: 'BenchmarkFib',
      profileKind: 'cpu',
      storageDir: storage,
      benchtime: '300ms',
      count: 1,
      extraArgs: [],
      onLine: (line) => lines.push(line),
      onCommand: (line) => (commandLine = line),
    });
    assert.equal(result.outcome, 'ok', result.message + '\n' + result.run.stderr);
    assert.match(commandLine, /^go test -run '\^\$' -bench '\^BenchmarkFib\$' /);
    assert.ok(lines.some((line) => line.startsWith('BenchmarkFib')), 'output lines were streamed');
    assert.deepEqual(result.output.results.map((r) => r.name), ['BenchmarkFib']);

    assert.ok(result.profilePath);
    assert.equal(join(storage, 'profiles', basename(result.profilePath)), result.profilePath);
    assert.match(basename(result.profilePath), /^BenchmarkFib-cpu-\d{8}-\d{6}\.pprof$/);
    const bytes = readFileSync(result.profilePath);
    assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], 'pprof files are gzip-compressed');
    assert.match(pprofTop(result.profilePath), /workload\.Fib\b/);

    assert.deepEqual(snapshot(sampleDir), sampleBefore, 'no file appeared or changed in sample/');
    assert.deepEqual(readdirSync(join(storage, 'tmp')), [], 'the test binary was removed');
  });

  test('memory profile of BenchmarkBuildTree shows its allocations', async () => {
    const result = await runBenchmark({
      goPath: 'go',
      packageDir: workloadDir,
      benchmark: 'BenchmarkBuildTree',
      profileKind: 'mem',
      storageDir: storage,
      ...quick,
    });
    assert.equal(result.outcome, 'ok', result.message);
    assert.match(basename(result.profilePath!), /^BenchmarkBuildTree-mem-/);
    assert.match(pprofTop(result.profilePath!, ['-sample_index=alloc_space']), /workload\.BuildTree\b/);
    assert.deepEqual(snapshot(sampleDir), sampleBefore);
  });

  test('a name that matches nothing is reported, not shown as an empty success', async () => {
    const result = await runBenchmark({ goPath: 'go', packageDir: workloadDir, benchmark: 'BenchmarkNoSuchThing', storageDir: storage, ...quick });
    assert.equal(result.outcome, 'no-benchmark');
    assert.match(result.message, /No benchmark matched BenchmarkNoSuchThing/);
  });

  test('a package that does not compile names the first compiler error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'goperf-broken-'));
    try {
      writeFileSync(join(dir, 'go.mod'), 'module example.com/broken\n\ngo 1.22\n');
      writeFileSync(join(dir, 'b_test.go'), 'package broken\nimport "testing"\nfunc BenchmarkB(b *testing.B) { notDefined() }\n');
      const result = await runBenchmark({ goPath: 'go', packageDir: dir, benchmark: 'BenchmarkB', storageDir: storage, ...quick });
      assert.equal(result.outcome, 'build-failed');
      assert.match(result.message, /b_test\.go:3:\d+: undefined: notDefined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing go binary gives a message that names the setting', async () => {
    await assert.rejects(
      runGo('/nonexistent/go', ['version'], { cwd: workloadDir }),
      (error: Error) => error instanceof GoNotFoundError && /goperf\.goPath/.test(error.message),
    );
    await assert.rejects(runGo('goperf-no-such-go', ['version'], { cwd: workloadDir }), GoNotFoundError);
  });

  test('cancel stops go and the pkg.test it started', { skip: process.platform === 'win32' }, async () => {
    const abort = new AbortController();
    let pgid = 0;
    let started!: () => void;
    const benchmarkStarted = new Promise<void>((resolve) => (started = resolve));
    const running = runBenchmark({
      goPath: 'go',
      packageDir: workloadDir,
      benchmark: 'BenchmarkHash',
      storageDir: storage,
      benchtime: '73s',
      count: 1,
      extraArgs: [],
      signal: abort.signal,
      onSpawn: (pid) => (pgid = pid),
      // With -v the bare name is printed when the benchmark begins.
      onLine: (line) => line === 'BenchmarkHash' && started(),
    });
    await benchmarkStarted;
    const group = processGroup(pgid);
    assert.ok(group.some((p) => /workload\.test .*-test\.benchtime=73s/.test(p.args)), JSON.stringify(group));
    assert.ok(group.length >= 2, 'go and the test binary share the group');

    const cancelledAt = Date.now();
    abort.abort();
    const result = await running;
    const millis = Date.now() - cancelledAt;
    assert.equal(result.outcome, 'cancelled');
    assert.ok(millis < 5000, `stopping took ${millis} ms`);
    assert.deepEqual(processGroup(pgid), [], 'nothing left in the process group');
    const leftovers = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((a) => a.includes('-test.benchtime=73s'));
    assert.deepEqual(leftovers, []);
  });
});

test('go is on PATH for these tests', () => {
  assert.equal(spawnSync('go', ['version']).status, 0);
});
