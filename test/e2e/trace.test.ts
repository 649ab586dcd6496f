// End to end: in a real VS Code (code-server), a trace.out written by a Go
// program opens in goperf's timeline from the explorer; the timeline draws,
// W/S/A/D move it, key 4 makes a drag measure, and what it counts matches
// golang.org/x/exp/trace.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeProfile, type Profile } from '../../src/core/pprof/decode';
import { env, fixtureBinary, oracle } from '../fixtures/trace/traces';
import { findFile, launchVsCode, type VsCodeSession } from './harness';

interface TimelineState {
  state: string;
  fileName: string;
  where: string;
  view: { start: number; end: number };
  goroutines: number;
  procs: number;
  spans: number;
  mode: string;
  measure?: { start: number; end: number };
}

async function timelineState(vscode: VsCodeSession): Promise<TimelineState | undefined> {
  return vscode
    .visibleWebview()
    .locator('body')
    .evaluate(() => (window as unknown as { __goperfTimeline?: { state(): TimelineState } }).__goperfTimeline?.state(), undefined, {
      timeout: 2_000,
    })
    .catch(() => undefined);
}

async function waitFor(vscode: VsCodeSession, check: (s: TimelineState) => boolean, what: string, timeoutMs = 60_000): Promise<TimelineState> {
  const deadline = Date.now() + timeoutMs;
  let last: TimelineState | undefined;
  while (Date.now() < deadline) {
    last = await timelineState(vscode);
    if (last?.state === 'error') assert.fail(`the timeline shows an error: ${await vscode.visibleWebview().locator('body').innerText()}`);
    if (last && check(last)) return last;
    await new Promise((wake) => setTimeout(wake, 300));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000}s; last state: ${JSON.stringify(last)}`);
}

interface FlameState {
  fileName: string;
  sampleType: string;
  total: number;
}

/** The flame graph state of any visible goperf webview showing `fileName`, once rendered. */
async function waitForFlame(vscode: VsCodeSession, fileName: string, timeoutMs = 60_000): Promise<FlameState> {
  const deadline = Date.now() + timeoutMs;
  const frames = vscode.page.locator('iframe.webview.ready').filter({ visible: true });
  while (Date.now() < deadline) {
    for (let i = 0; i < (await frames.count()); i++) {
      const seen = await frames
        .nth(i)
        .contentFrame()
        .locator('iframe#active-frame')
        .contentFrame()
        .locator('body')
        .evaluate(
          () => ({
            pageState: document.body.dataset.state ?? '',
            state: (window as unknown as { __goperfFlame?: { state(): FlameState } }).__goperfFlame?.state(),
          }),
          undefined,
          { timeout: 2_000 },
        )
        .catch(() => undefined);
      if (seen?.state?.fileName === fileName && seen.pageState === 'rendered') return seen.state;
    }
    await new Promise((wake) => setTimeout(wake, 500));
  }
  throw new Error(`no rendered flame graph of ${fileName} within ${timeoutMs / 1000}s`);
}

function totalDelay(profile: Profile): number {
  const d = profile.sampleTypes.findIndex((t) => t.type === 'delay');
  let sum = 0;
  for (let s = 0; s < profile.samples.count; s++) sum += profile.samples.values[s * profile.sampleTypes.length + d];
  return sum;
}

describe('trace timeline in VS Code (code-server)', { timeout: 6 * 60_000 }, () => {
  let vscode: VsCodeSession;
  let traceFile = '';

  before(
    async () => {
      vscode = await launchVsCode({ name: 'trace' });
      traceFile = join(vscode.workspace, 'trace.out');
      execFileSync(fixtureBinary('gcheavy'), [traceFile], { env, stdio: 'ignore', timeout: 120_000 });
    },
    { timeout: 5 * 60_000 },
  );

  after(() => vscode?.close(), { timeout: 60_000 });

  test('trace.out from the explorer opens the timeline, which draws and moves with the keys', { timeout: 3 * 60_000 }, async () => {
    const want = oracle(traceFile);
    await vscode.step('open trace.out from the explorer', async () => {
      const row = vscode.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'trace.out' });
      await row.waitFor();
      await row.click();
    });
    const drawn = await vscode.step('the timeline renders', () =>
      waitFor(vscode, (s) => s.state === 'rendered' && s.fileName === 'trace.out', 'rendering trace.out'),
    );
    assert.equal(drawn.where, 'worker', 'the trace was read in the Web Worker');
    assert.equal(drawn.goroutines, Object.keys(want.goroutines).length, 'goroutines, as Go counts them');
    assert.equal(drawn.procs, want.procs, 'procs, as Go counts them');
    assert.ok(drawn.spans > 0);

    const moved = await vscode.step('W zooms in and D pans', async () => {
      await vscode.visibleWebview().locator('canvas.tl-canvas').click({ position: { x: 400, y: 60 } });
      for (const key of ['w', 'w', 'w', 'd']) await vscode.page.keyboard.press(key);
      return waitFor(vscode, (s) => s.view.end - s.view.start < (drawn.view.end - drawn.view.start) * 0.5 && s.view.start > 0, 'zoom and pan');
    });
    const width = moved.view.end - moved.view.start;
    assert.ok(Math.abs(width / (drawn.view.end - drawn.view.start) - 0.75 ** 3) < 1e-6, `zoomed to ${width} ns`);
    await vscode.clearNotifications();
    await vscode.screenshot('trace-timeline');

    await vscode.step('key 4 chooses timing: a drag measures a duration and leaves the view', async () => {
      const canvas = vscode.visibleWebview().locator('canvas.tl-canvas');
      await canvas.click({ position: { x: 400, y: 60 } });
      await vscode.page.keyboard.press('4');
      await waitFor(vscode, (s) => s.mode === 'timing', 'timing mode');
      const box = (await canvas.boundingBox())!;
      await vscode.page.mouse.move(box.x + 400, box.y + 200);
      await vscode.page.mouse.down();
      await vscode.page.mouse.move(box.x + 700, box.y + 200, { steps: 5 });
      await vscode.page.mouse.up();
      const measured = await waitFor(vscode, (s) => s.measure !== undefined, 'a measurement');
      assert.deepEqual(measured.view, moved.view, 'a timing drag keeps the view');
      await vscode.screenshot('trace-timeline-timing');
      await vscode.page.keyboard.press('2');
      await waitFor(vscode, (s) => s.mode === 'pan', 'pan mode again');
    });

    const flame = await vscode.step('"Scheduler latency" opens that blocking profile as a flame graph beside', async () => {
      await vscode.visibleWebview().locator('button.tl-profile[data-kind="sched"]').click();
      return waitForFlame(vscode, 'trace-sched.pb.gz');
    });
    const saved = findFile(vscode.userDataDir, 'trace-sched.pb.gz');
    assert.ok(saved, 'trace-sched.pb.gz not found in the extension\'s storage');
    const ours = decodeProfile(readFileSync(saved), saved);
    const go = decodeProfile(
      new Uint8Array(execFileSync('go', ['tool', 'trace', '-pprof=sched', traceFile], { env, maxBuffer: 256 << 20 })),
      'go tool trace -pprof=sched',
    );
    assert.equal(totalDelay(ours), totalDelay(go), 'scheduler latency, as go tool trace sums it');
    assert.equal(flame.sampleType, 'delay');
    assert.equal(flame.total, totalDelay(go), 'the flame graph shows the whole delay');
    await vscode.clearNotifications();
    await vscode.screenshot('trace-sched-profile');
  });

  test('"trace" above BenchmarkFib runs it with -trace and opens the timeline of that trace', { timeout: 4 * 60_000 }, async () => {
    const testFile = 'workload/workload_test.go';
    await vscode.step('open the test file at BenchmarkFib', async () => {
      await vscode.runCommand('View: Close All Editor Groups');
      await vscode.openFile(testFile);
      const line = readFileSync(join(vscode.workspace, testFile), 'utf8')
        .split('\n')
        .findIndex((text) => text.startsWith('func BenchmarkFib('));
      assert.ok(line >= 0, 'BenchmarkFib not found in the sample');
      await vscode.goToLine(line + 1);
    });
    await vscode.step('click "trace"', () => vscode.clickCodeLens('BenchmarkFib(', 'trace'));
    const drawn = await vscode.step(
      'the timeline of the benchmark trace renders',
      () => waitFor(vscode, (s) => s.state === 'rendered' && /^BenchmarkFib-trace-.*\.trace$/.test(s.fileName), 'the benchmark trace', 150_000),
      160_000,
    );
    const written = findFile(vscode.userDataDir, drawn.fileName);
    assert.ok(written, `${drawn.fileName} not found in the extension's storage`);
    const want = oracle(written);
    assert.equal(drawn.goroutines, Object.keys(want.goroutines).length, 'goroutines, as Go counts them');
    assert.equal(drawn.procs, want.procs, 'procs, as Go counts them');
    await vscode.clearNotifications();
    await vscode.screenshot('trace-benchmark-fib');
  });
});
