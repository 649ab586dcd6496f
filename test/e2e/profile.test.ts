// End to end: in a real VS Code, profile benchmarks of the sample module from
// their CodeLens and open a pprof file from the explorer; each time the flame
// graph must render, and what it shows is checked against `go tool pprof`
// reading the same file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { findFile, launchVsCode, repoRoot, type VsCodeSession } from './harness';

const execFileAsync = promisify(execFile);

/** A benchmark profile run: build, ramp-up to -benchtime (1s by default), write the profile. */
const profileRunTimeoutMs = 150_000;

interface FlameState {
  fileName: string;
  sampleType: string;
  total: number;
  nodeCount: number;
  timings?: { decodedIn: string };
}

interface RenderedFlame {
  state: FlameState;
  frameNames: string[];
  canvas: { width: number; height: number };
}

function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listFiles(path));
    else files.push(relative(dir, path));
  }
  return files.sort();
}

/** Sample type and total of the profile's default view, as `go tool pprof` reports them. */
async function pprofSummary(profilePath: string, unit: 'ns' | 'B'): Promise<{ type: string; total: number }> {
  const { stdout } = await execFileAsync('go', ['tool', 'pprof', '-top', `-unit=${unit}`, profilePath]);
  const type = /^Type: (\S+)$/m.exec(stdout)?.[1];
  const total = /of (\d+)(?:ns|B) total/.exec(stdout)?.[1];
  assert.ok(type && total, `unexpected go tool pprof output for ${profilePath}:\n${stdout}`);
  return { type, total: Number(total) };
}

/**
 * Waits until the visible goperf webview has drawn the profile whose file
 * name matches, and reads what it shows. A page that reports an error fails
 * at once with the page's message.
 */
async function waitForFlame(vscode: VsCodeSession, fileName: RegExp, timeoutMs: number): Promise<RenderedFlame> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no goperf webview visible';
  while (Date.now() < deadline) {
    const body = vscode.visibleWebview().locator('body');
    const seen = await body
      .evaluate(() => {
        const hooks = (window as unknown as { __goperfFlame?: { state(): FlameState; frames(): { name: string }[] } }).__goperfFlame;
        const canvas = document.querySelector('canvas.flame-canvas')?.getBoundingClientRect();
        return {
          pageState: document.body.dataset.state ?? '',
          text: document.body.innerText.slice(0, 500),
          state: hooks?.state(),
          frameNames: hooks?.frames().map((frame) => frame.name) ?? [],
          canvas: canvas ? { width: canvas.width, height: canvas.height } : { width: 0, height: 0 },
        };
      }, undefined, { timeout: 2_000 })
      .catch(() => undefined);
    if (seen) {
      last = `page state "${seen.pageState}", file "${seen.state?.fileName ?? ''}"`;
      if (seen.state && fileName.test(seen.state.fileName)) {
        if (seen.pageState === 'error') assert.fail(`the flame graph page shows an error: ${seen.text}`);
        if (seen.pageState === 'rendered') return { state: seen.state, frameNames: seen.frameNames, canvas: seen.canvas };
      }
    }
    await new Promise((wake) => setTimeout(wake, 500));
  }
  const toasts = await vscode.notifications().catch(() => []);
  throw new Error(`no rendered flame graph for ${fileName} within ${timeoutMs / 1000}s (${last}); notifications: ${toasts.join(' | ') || 'none'}`);
}

function assertDrawn(flame: RenderedFlame, expectedFunction: string): void {
  assert.ok(flame.canvas.width > 0 && flame.canvas.height > 0, `flame canvas has no size: ${JSON.stringify(flame.canvas)}`);
  assert.ok(flame.state.nodeCount > 1, `the call tree has ${flame.state.nodeCount} nodes`);
  // The strict CSP must still let the page decode in its Web Worker, off the webview's UI thread.
  assert.equal(flame.state.timings?.decodedIn, 'worker', 'the profile was not decoded in the Web Worker');
  assert.ok(
    flame.frameNames.includes(expectedFunction),
    `no frame for ${expectedFunction} among ${flame.frameNames.length} drawn frames: ${flame.frameNames.slice(0, 15).join(', ')}`,
  );
}

/** Finds the profile the extension wrote (outside the workspace) and checks the view against pprof. */
async function assertMatchesPprof(vscode: VsCodeSession, flame: RenderedFlame, unit: 'ns' | 'B'): Promise<string> {
  const profilePath = findFile(vscode.userDataDir, basename(flame.state.fileName));
  assert.ok(profilePath, `profile ${flame.state.fileName} not found under the user data dir`);
  const pprof = await pprofSummary(profilePath, unit);
  assert.equal(flame.state.sampleType, pprof.type, 'sample type shown');
  assert.equal(flame.state.total, pprof.total, `total ${pprof.type} shown`);
  return profilePath;
}

// Each step is bounded on its own; these limits only keep a wedged browser or
// server from holding the whole test run.
const testTimeoutMs = profileRunTimeoutMs + 60_000;

describe('goperf in VS Code (code-server)', { timeout: 15 * 60_000 }, () => {
  let vscode: VsCodeSession;
  let workspaceFiles: string[];
  const testFile = 'workload/workload_test.go';

  before(
    async () => {
      vscode = await launchVsCode({ name: 'profile' });
      workspaceFiles = listFiles(vscode.workspace);
    },
    { timeout: 5 * 60_000 },
  );

  after(() => vscode?.close(), { timeout: 60_000 });

  test('"profile CPU" above BenchmarkFib opens a flame graph of its CPU profile', { timeout: testTimeoutMs }, async () => {
    await vscode.step('open the test file', async () => {
      await vscode.openFile(testFile);
      const source = readFileSync(join(vscode.workspace, testFile), 'utf8');
      const line = source.split('\n').findIndex((text) => text.startsWith('func BenchmarkFib('));
      assert.ok(line >= 0, 'BenchmarkFib not found in the sample');
      await vscode.goToLine(line + 1);
    });
    await vscode.step('click "profile CPU"', () => vscode.clickCodeLens('BenchmarkFib(', 'profile CPU'));
    const flame = await vscode.step(
      'CPU flame graph renders',
      () => waitForFlame(vscode, /BenchmarkFib-cpu-.*\.pprof$/, profileRunTimeoutMs),
      profileRunTimeoutMs + 10_000,
    );
    await vscode.clearNotifications();
    await vscode.screenshot('profile-cpu-fib');
    assertDrawn(flame, 'example.com/goperf-sample/workload.Fib');
    await assertMatchesPprof(vscode, flame, 'ns');
  });

  test('"profile memory" above BenchmarkBuildTree opens a flame graph of its memory profile', { timeout: testTimeoutMs }, async () => {
    await vscode.step('go back to the test file', async () => {
      // One editor group again, so the flame graph opens beside the source.
      await vscode.runCommand('View: Close All Editor Groups');
      await vscode.openFile(testFile);
      const source = readFileSync(join(vscode.workspace, testFile), 'utf8');
      const line = source.split('\n').findIndex((text) => text.startsWith('func BenchmarkBuildTree('));
      assert.ok(line >= 0, 'BenchmarkBuildTree not found in the sample');
      await vscode.goToLine(line + 1);
    });
    await vscode.step('click "profile memory"', () => vscode.clickCodeLens('BenchmarkBuildTree(', 'profile memory'));
    const flame = await vscode.step(
      'memory flame graph renders',
      () => waitForFlame(vscode, /BenchmarkBuildTree-mem-.*\.pprof$/, profileRunTimeoutMs),
      profileRunTimeoutMs + 10_000,
    );
    await vscode.clearNotifications();
    await vscode.screenshot('profile-memory-buildtree');
    assertDrawn(flame, 'example.com/goperf-sample/workload.BuildTree');
    await assertMatchesPprof(vscode, flame, 'B');
  });

  test('the palette command "Profile Benchmark (CPU)…" asks for the benchmark and profiles it', { timeout: testTimeoutMs }, async () => {
    await vscode.step('open the test file', async () => {
      await vscode.runCommand('View: Close All Editor Groups');
      await vscode.openFile(testFile);
    });
    await vscode.step('run the command and pick BenchmarkSort', async () => {
      await vscode.runCommand('goperf: Profile Benchmark (CPU)…');
      await vscode.pickQuickItem('BenchmarkSort');
    });
    const flame = await vscode.step(
      'CPU flame graph renders',
      () => waitForFlame(vscode, /BenchmarkSort-cpu-.*\.pprof$/, profileRunTimeoutMs),
      profileRunTimeoutMs + 10_000,
    );
    assertDrawn(flame, 'example.com/goperf-sample/workload.SortRecords');
    await assertMatchesPprof(vscode, flame, 'ns');
  });

  test('profiling leaves no profile or test binary in the workspace', { timeout: testTimeoutMs }, () => {
    assert.deepEqual(listFiles(vscode.workspace), workspaceFiles);
  });

  test('a .pprof file opened from the explorer shows its flame graph', { timeout: testTimeoutMs }, async (t) => {
    const scratch = mkdtempSync(join(tmpdir(), 'goperf-e2e-fixture-'));
    t.after(() => rmSync(scratch, { recursive: true, force: true }));
    const fixture = join(scratch, 'hash.cpu.pprof');
    // -o keeps the test binary that profiling writes out of the repo's sample/.
    await execFileAsync(
      'go',
      ['test', '-run', '^$', '-bench', '^BenchmarkHash$', '-benchtime', '300ms', '-cpuprofile', fixture, '-o', `${scratch}/`, '.'],
      { cwd: join(repoRoot, 'sample', 'workload') },
    );
    copyFileSync(fixture, join(vscode.workspace, 'hash.cpu.pprof'));

    await vscode.step('open hash.cpu.pprof from the explorer', async () => {
      const row = vscode.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hash.cpu.pprof' });
      await row.waitFor();
      await row.click();
    });
    const flame = await vscode.step('flame graph of hash.cpu.pprof renders', () => waitForFlame(vscode, /^hash\.cpu\.pprof$/, 60_000));
    await vscode.clearNotifications();
    await vscode.screenshot('explorer-open-pprof');
    assertDrawn(flame, 'example.com/goperf-sample/workload.HashChain');
    const pprof = await pprofSummary(fixture, 'ns');
    assert.equal(flame.state.sampleType, pprof.type, 'sample type shown');
    assert.equal(flame.state.total, pprof.total, `total ${pprof.type} shown`);
  });
});
