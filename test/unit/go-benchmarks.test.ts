// Benchmark detection in Go source, checked against `go test -list`, which
// applies the testing package's own rules to the same files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { blankCommentsAndStrings, findBenchmarks, isGoTestFile } from '../../src/core/go/benchmarks';

function goList(dir: string): string[] {
  // -vet=off: the tricky file below has names vet would warn about, on purpose.
  const run = spawnSync('go', ['test', '-vet=off', '-list', 'Benchmark.*', '.'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').filter((line) => line.startsWith('Benchmark')).sort();
}

describe('findBenchmarks', () => {
  test('finds the sample benchmarks that go test -list finds, on their func lines', () => {
    const dir = join(__dirname, '..', '..', 'sample', 'workload');
    const source = readFileSync(join(dir, 'workload_test.go'), 'utf8');
    const found = findBenchmarks(source);
    assert.deepEqual(found.map((b) => b.name).sort(), goList(dir));
    const lines = source.split('\n');
    for (const { name, line } of found) assert.ok(lines[line].startsWith(`func ${name}(`), `${name} at line ${line}`);
  });

  test('agrees with go test -list on a file with look-alikes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'goperf-list-'));
    try {
      writeFileSync(join(dir, 'go.mod'), 'module example.com/tricky\n\ngo 1.22\n');
      const source = [
        'package tricky',
        '',
        'import "testing"',
        '',
        'type T struct{}',
        '',
        '// A method is not a benchmark.',
        'func (T) BenchmarkMethod(b *testing.B) {}',
        '',
        '// A lower-case letter after the prefix makes an ordinary function.',
        'func Benchmarklower(b *testing.B) {}',
        '',
        'func Benchmark(b *testing.B) {}',
        'func Benchmark_Under(x *testing.B) {}',
        'func BenchmarkÜber(b *testing.B) {}',
        'func Benchmark2(_ *testing.B) {}',
        'func BenchmarkSpaced( bb  *testing.B ) {}',
        'func BenchmarkSplit(',
        '\tb *testing.B,',
        ') {',
        '}',
        '',
        '/*',
        'func BenchmarkInBlockComment(b *testing.B) {}',
        '*/',
        '',
        'var raw = `',
        'func BenchmarkInRawString(b *testing.B) {}',
        '`',
        '',
        'var quoted = "/*"',
        '',
        'func BenchmarkAfterQuotedCommentOpener(b *testing.B) {}',
        '',
        '// func BenchmarkInLineComment(b *testing.B) {}',
        '',
        'func helper(b *testing.B) {}',
        '',
      ].join('\n');
      writeFileSync(join(dir, 'tricky_test.go'), source);
      assert.deepEqual(findBenchmarks(source).map((b) => b.name).sort(), goList(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ignores functions with a different parameter type (synthetic source)', () => {
    const source = 'func BenchmarkT(t *testing.T) {}\nfunc BenchmarkF(f *testing.F) {}\nfunc BenchmarkTwo(b *testing.B, n int) {}\n';
    assert.deepEqual(findBenchmarks(source), []);
  });

  test('blanking keeps offsets and newlines', () => {
    const source = 'a := "x\\"y" // c\n/* d\ne */ `f\ng` \'h\'';
    const blanked = blankCommentsAndStrings(source);
    assert.equal(blanked.length, source.length);
    assert.deepEqual(
      [...blanked].map((c, i) => (c === '\n') === (source[i] === '\n')).every(Boolean),
      true,
    );
    assert.equal(blanked.replace(/\s+/g, ' ').trim(), 'a :=');
  });

  test('isGoTestFile', () => {
    assert.ok(isGoTestFile('/a/b/x_test.go'));
    assert.ok(!isGoTestFile('/a/b/x.go'));
    assert.ok(!isGoTestFile('/a/b/x_test.go.orig'));
  });
});
