// What the Testing view lists per file: benchmark and test functions, checked
// against `go test -list`, which applies the testing package's own rules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findTestingFunctions } from '../../src/core/go/benchmarks';

function goList(dir: string): string[] {
  // -vet=off: the look-alikes below are names vet would warn about, on purpose.
  const run = spawnSync('go', ['test', '-vet=off', '-list', '.', '.'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr + run.stdout);
  return run.stdout.split('\n').filter((line) => /^(Test|Benchmark)/.test(line)).sort();
}

describe('findTestingFunctions', () => {
  test('the sample: the tests and benchmarks go test -list names, on their func lines', () => {
    const dir = join(__dirname, '..', '..', 'sample', 'workload');
    const source = readFileSync(join(dir, 'workload_test.go'), 'utf8');
    const found = findTestingFunctions(source);
    assert.deepEqual(found.map((f) => f.name).sort(), goList(dir));
    assert.ok(found.some((f) => f.kind === 'test') && found.some((f) => f.kind === 'benchmark'));
    const lines = source.split('\n');
    for (const { name, line, kind } of found) {
      assert.ok(lines[line].startsWith(`func ${name}(`), `${name} at line ${line}`);
      assert.equal(kind, name.startsWith('Benchmark') ? 'benchmark' : 'test');
    }
  });

  test('look-alikes: TestMain, methods, lower-case suffixes, comments and strings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'goperf-testing-list-'));
    try {
      writeFileSync(join(dir, 'go.mod'), 'module example.com/lookalikes\n\ngo 1.22\n');
      const source = [
        'package lookalikes',
        '',
        'import (',
        '\t"os"',
        '\t"testing"',
        ')',
        '',
        'func TestMain(m *testing.M) { os.Exit(m.Run()) }',
        '',
        'type T struct{}',
        '',
        'func (T) TestMethod(t *testing.T) {}',
        'func Testlower(t *testing.T) {}',
        'func Test(t *testing.T) {}',
        'func Test_Under(tt *testing.T) {}',
        'func TestSplit(',
        '\tt *testing.T,',
        ') {',
        '}',
        'func BenchmarkBoth(b *testing.B) {}',
        '// func TestInComment(t *testing.T) {}',
        'var s = `',
        'func TestInRawString(t *testing.T) {}',
        '`',
        'func helper(t *testing.T) {}',
        'func ExampleHelper() {}',
        'func FuzzInput(f *testing.F) {}',
        '',
      ].join('\n');
      writeFileSync(join(dir, 'l_test.go'), source);
      assert.deepEqual(findTestingFunctions(source).map((f) => f.name).sort(), goList(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
