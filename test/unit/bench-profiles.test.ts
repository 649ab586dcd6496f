// Several profiles from one `go test` run: CPU, memory, block and mutex
// profiles and an execution trace, each checked with the Go tools that read
// them (`go tool pprof`, `go tool trace`), written only under the storage
// directory, with the test binary removed afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { goTestArgs, runGoTest } from '../../src/core/go/bench';

const root = mkdtempSync(join(tmpdir(), 'goperf-profiles-'));
after(() => rmSync(root, { recursive: true, force: true }));

function pprofTop(path: string, extra: string[] = []): string {
  return execFileSync('go', ['tool', 'pprof', '-top', ...extra, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('runGoTest with several profiles at once', () => {
  const module = join(root, 'module');
  const storage = join(root, 'storage');

  before(() => {
    execFileSync('mkdir', ['-p', module]);
    writeFileSync(join(module, 'go.mod'), 'module example.com/contended\n\ngo 1.22\n');
    writeFileSync(
      join(module, 'c_test.go'),
      [
        'package contended',
        '',
        'import (',
        '\t"sync"',
        '\t"testing"',
        ')',
        '',
        'var sink []byte',
        '',
        'func BenchmarkContended(b *testing.B) {',
        '\tvar mu sync.Mutex',
        '\ttotal := 0',
        '\tb.RunParallel(func(pb *testing.PB) {',
        '\t\tfor pb.Next() {',
        '\t\t\tmu.Lock()',
        '\t\t\ttotal++',
        '\t\t\tsink = make([]byte, 64)',
        '\t\t\tmu.Unlock()',
        '\t\t}',
        '\t})',
        '\tdone := make(chan int)',
        '\tgo func() { done <- total }()',
        '\t<-done',
        '}',
        '',
        'func TestQuick(t *testing.T) {}',
        '',
      ].join('\n'),
    );
  });

  test('one command line carries every profile flag and -cpu, -timeout, -count', () => {
    const args = goTestArgs({
      benchmarks: ['BenchmarkA', 'BenchmarkB.C'],
      tests: ['TestX'],
      benchtime: '100x',
      count: 10,
      cpu: '1,2',
      timeout: '5m',
      benchmem: false,
      extraArgs: [],
      profiles: [
        { kind: 'cpu', path: '/s/c.pprof' },
        { kind: 'trace', path: '/s/t.trace' },
      ],
      binaryDir: '/s/bin',
    });
    assert.deepEqual(args, [
      'test', '-run', '^TestX$', '-bench', '^(BenchmarkA|BenchmarkB\\.C)$', '-v', '-benchtime', '100x', '-count', '10',
      '-cpu', '1,2', '-timeout', '5m', '-cpuprofile', '/s/c.pprof', '-trace', '/s/t.trace', '-o', '/s/bin/', '.',
    ]);
  });

  test('cpu, mem, block, mutex and trace in one run, each readable by the Go tools', async () => {
    let commands = 0;
    const result = await runGoTest({
      goPath: 'go',
      packageDir: module,
      storageDir: storage,
      benchmarks: ['BenchmarkContended'],
      tests: ['TestQuick'],
      label: 'contended',
      profiles: ['trace', 'mutex', 'block', 'mem', 'cpu'],
      benchtime: '20000x',
      count: 2,
      extraArgs: [],
      onCommand: () => commands++,
    });
    assert.equal(result.outcome, 'ok', result.message + result.run.stdout + result.run.stderr);
    assert.equal(commands, 1, 'one go test run');
    assert.deepEqual(result.profiles.map((p) => p.kind), ['cpu', 'mem', 'block', 'mutex', 'trace']);
    assert.equal(result.output.results.length, 2, '-count 2');
    assert.ok(result.output.reports.some((r) => r.name === 'TestQuick' && r.kind === 'pass'));

    const byKind = new Map(result.profiles.map((p) => [p.kind, p.path]));
    for (const path of byKind.values()) assert.equal(join(storage, 'profiles', basename(path)), path);
    assert.match(pprofTop(byKind.get('cpu')!), /^Type: cpu$/m);
    assert.match(pprofTop(byKind.get('mem')!, ['-sample_index=alloc_space']), /BenchmarkContended/);
    assert.match(pprofTop(byKind.get('block')!), /^Type: delay$/m);
    assert.match(pprofTop(byKind.get('block')!), /runtime\.chanrecv1/);
    assert.match(pprofTop(byKind.get('mutex')!), /^Type: delay$/m);
    assert.match(basename(byKind.get('trace')!), /^contended-trace-\d{8}-\d{6}\.trace$/);
    const events = execFileSync('go', ['tool', 'trace', '-d=parsed', byKind.get('trace')!], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    assert.match(events, /GoCreate|StateTransition/);

    assert.deepEqual(readdirSync(join(storage, 'tmp')), [], 'the test binary was removed');
    assert.deepEqual(readdirSync(module).sort(), ['c_test.go', 'go.mod'], 'nothing written into the package');
  });
});
