// The multi-target check against the go command: a module whose Windows
// file does not compile fails for windows only, at the position written into
// it; no more go commands run at once than asked; vet findings are reported
// like compile errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { checkProblemsByFile, checkTargets, describeCheck, type TargetCheck } from '../../src/core/go/buildCheck';
import type { TargetSpec } from '../../src/core/go/target';

const execFileAsync = promisify(execFile);
const port = (goos: string, goarch: string, tags: string[] = []): TargetSpec => ({ goos, goarch, tags, cgoEnabled: false });

describe('multi-target check', () => {
  let module: string;
  const windowsSource = 'package portable\n\nfunc Name() string { return missingOnWindows }\n';

  before(() => {
    module = mkdtempSync(join(tmpdir(), 'goperf-check-'));
    writeFileSync(join(module, 'go.mod'), 'module example.com/portable\n\ngo 1.22\n');
    // No imports: checking a library for another port compiles only this package.
    writeFileSync(join(module, 'name_windows.go'), windowsSource);
    writeFileSync(join(module, 'name_other.go'), '//go:build !windows\n\npackage portable\n\nfunc Name() string { return "other" }\n');
    mkdirSync(join(module, 'tagged'));
    writeFileSync(join(module, 'tagged', 't.go'), '//go:build special\n\npackage tagged\n\nvar X int = "special only"\n');
  });
  after(() => rmSync(module, { recursive: true, force: true }));

  test('each target gets go build\'s own verdict, and errors at their place', { timeout: 120_000 }, async () => {
    const targets = [port('linux', 'amd64'), port('windows', 'amd64'), port('darwin', 'arm64'), port('js', 'wasm'), port('linux', 'arm64', ['special'])];
    let inFlight = 0;
    let most = 0;
    const results = await checkTargets({
      goPath: 'go',
      cwd: module,
      mode: 'build',
      packages: ['./...'],
      targets,
      concurrency: 2,
      onStart: () => (most = Math.max(most, ++inFlight)),
      onResult: () => inFlight--,
    });
    assert.ok(most <= 2, `${most} go commands ran at once`);
    for (const [index, result] of results.entries()) {
      const target = targets[index];
      assert.deepEqual(result.target, target);
      const env = { ...process.env, GOOS: target.goos, GOARCH: target.goarch, CGO_ENABLED: '0' };
      const args = ['build', ...(target.tags.length ? ['-tags', target.tags.join(',')] : []), '-o', '/dev/null', './...'];
      const goSays = await execFileAsync('go', args, { cwd: module, env }).then(() => 'ok', () => 'failed');
      assert.equal(result.outcome, goSays, `${target.goos}/${target.goarch}`);
    }
    const windows = results[1];
    const line = windowsSource.split('\n').findIndex((l) => l.includes('missingOnWindows')) + 1;
    const column = windowsSource.split('\n')[line - 1].indexOf('missingOnWindows') + 1;
    assert.deepEqual(windows.diagnostics.map((d) => [d.file, d.line, d.column, d.message]), [[join(module, 'name_windows.go'), line, column, 'undefined: missingOnWindows']]);
    assert.equal(describeCheck(windows), 'windows/amd64 · no cgo: 1 error');
    assert.equal(results[4].diagnostics[0]?.file, join(module, 'tagged', 't.go'));
    assert.match(describeCheck(results[0]), /^linux\/amd64 · no cgo: ok \(\d+\.\ds\)$/);

    // Problems groups by file: each error names the command and the target it failed for.
    const problems = checkProblemsByFile(results, 'build');
    assert.deepEqual(
      [...problems].map(([file, list]) => [file, list.map((p) => [p.line, p.source])]),
      [
        [join(module, 'name_windows.go'), [[line, 'goperf build windows/amd64 · no cgo']]],
        [join(module, 'tagged', 't.go'), [[5, 'goperf build linux/arm64 · tags: special · no cgo']]],
      ],
    );
  });

  test('an error in a file several targets build appears once per failing target; targets still running have none', () => {
    const error = { file: '/m/shared.go', line: 3, column: 7, message: 'undefined: x' };
    const result = (target: TargetSpec, outcome: TargetCheck['outcome']): TargetCheck => ({
      target,
      outcome,
      diagnostics: outcome === 'failed' ? [error] : [],
      other: [],
      millis: 1,
    });
    const problems = checkProblemsByFile([result(port('linux', 'amd64'), 'failed'), undefined, result(port('darwin', 'arm64'), 'ok'), result(port('windows', 'arm64'), 'failed')], 'vet');
    assert.deepEqual(problems.get('/m/shared.go')?.map((p) => [p.line, p.column, p.message, p.source]), [
      [3, 7, 'undefined: x', 'goperf vet linux/amd64 · no cgo'],
      [3, 7, 'undefined: x', 'goperf vet windows/arm64 · no cgo'],
    ]);
    assert.equal(problems.size, 1);
  });

  test('vet mode reports vet findings at their place', { timeout: 120_000 }, async () => {
    const vetModule = mkdtempSync(join(tmpdir(), 'goperf-check-vet-'));
    try {
      writeFileSync(join(vetModule, 'go.mod'), 'module example.com/v\n\ngo 1.22\n');
      writeFileSync(join(vetModule, 'v.go'), 'package v\n\nimport "fmt"\n\nfunc F() { fmt.Printf("%d\\n", "text") }\n');
      const host = (await execFileAsync('go', ['env', 'GOOS', 'GOARCH'])).stdout.trim().split('\n');
      const [result] = await checkTargets({ goPath: 'go', cwd: vetModule, mode: 'vet', packages: ['./...'], targets: [port(host[0], host[1])] });
      assert.equal(result.outcome, 'failed');
      assert.equal(result.diagnostics.length, 1);
      assert.deepEqual([result.diagnostics[0].file, result.diagnostics[0].line], [join(vetModule, 'v.go'), 5]);
      assert.match(result.diagnostics[0].message, /Printf format %d has arg "text" of wrong type string/);
    } finally {
      rmSync(vetModule, { recursive: true, force: true });
    }
  });

  test('cancelling stops the running checks and skips the rest', { timeout: 120_000 }, async () => {
    const abort = new AbortController();
    abort.abort();
    const results = await checkTargets({ goPath: 'go', cwd: module, mode: 'build', packages: ['./...'], targets: [port('linux', 'amd64'), port('windows', 'amd64')], signal: abort.signal });
    assert.deepEqual(results.map((r) => r.outcome), ['cancelled', 'cancelled']);
  });
});
