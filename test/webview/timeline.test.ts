// The trace timeline webview in headless Chromium, on traces Go writes during
// the test, in a page shaped like the VS Code webview (strict CSP, theme
// variables, acquireVsCodeApi recording what the page posts). What it shows
// is checked against golang.org/x/exp/trace (test/fixtures/trace/oracle),
// and the blocking profiles its worker makes against `go tool trace -pprof`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { decodeProfile, type Profile } from '../../src/core/pprof/decode';
import { BLOCKING_KINDS } from '../../src/core/trace/blockingProfile';
import { MMUCurve, mutatorUtilization } from '../../src/core/trace/mmu';
import { formatNs } from '../../webviews/timeline/viewport';
import { env, fixtureBinary, makeTraces, oracle, type OracleResult, type Traces } from '../fixtures/trace/traces';
import {
  darkModern,
  launchBrowser,
  repoRoot,
  ResourceServer,
  screenshot,
  sendLoad,
  vscodeHostPageHtml,
  waitForState,
  watchPageProblems,
} from './harness';

interface Durations {
  count: number;
  totalNs: number;
  maxNs: number;
  incomplete: number;
}

/** What the oracle prints beyond OracleResult, for the analyses. */
interface AnalysesOracle extends OracleResult {
  creates: number;
  rangeBegins: Record<string, number>;
  rangeActives: Record<string, number>;
  goroutineStates: Record<string, Record<string, number>>;
  tasks: Record<string, Durations>;
  regions: Record<string, Durations>;
}

const timelineScript = join(repoRoot, 'dist', 'webviews', 'timeline.js');
let workDir = '';
let traces: Traces;
let browser: Browser;
const server = new ResourceServer();

before(async () => {
  if (!existsSync(timelineScript)) throw new Error(`${timelineScript} is missing: run \`npm run build\` first`);
  workDir = mkdtempSync(join(tmpdir(), 'goperf-timeline-'));
  traces = makeTraces(workDir);
  await server.start();
  server.setPage(vscodeHostPageHtml(server.origin, darkModern, 'vscode-dark', 'timeline.js'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function open(file: string, name = file.slice(file.lastIndexOf('/') + 1)): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = watchPageProblems(page);
  await page.goto(server.origin + '/');
  await page.waitForFunction(() => window.__posted?.some((m) => m.type === 'ready'));
  await sendLoad(page, file, name);
  return { page, problems };
}

function state(page: Page) {
  return page.evaluate(() => window.__goperfTimeline!.state());
}

async function press(page: Page, key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
  // A key schedules one frame; wait for it to be drawn.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Distinct colours in the P lanes' part of the canvas: a drawn timeline has many. */
async function laneColours(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.tl-canvas')!;
    const ctx = canvas.getContext('2d')!;
    const ratio = canvas.width / canvas.clientWidth;
    const data = ctx.getImageData(Math.round(200 * ratio), Math.round(160 * ratio), Math.round(1000 * ratio), Math.round(80 * ratio)).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  });
}

describe('trace timeline webview', () => {
  let want: OracleResult;
  let page: Page;
  let problems: string[];

  before(async () => {
    want = oracle(traces.benchmarks);
    ({ page, problems } = await open(traces.benchmarks, 'bench.trace'));
    assert.equal(await waitForState(page), 'rendered', await page.locator('.tl-message').innerText());
  });

  test('reads the trace in a Web Worker and draws the P lanes, GC and heap', async () => {
    const s = await state(page);
    assert.equal(s.where, 'worker', 'the strict CSP must still allow the reading worker');
    assert.equal(s.goroutines, Object.keys(want.goroutines).length, 'goroutines, as Go counts them');
    assert.equal(s.procs, want.procs, 'procs, as Go counts them');
    assert.equal(s.duration, want.durationNs, 'duration');
    assert.ok(s.lastDraw.rects > 50, `only ${s.lastDraw.rects} rectangles drawn`);
    assert.ok((await laneColours(page)) > 4, 'the P lanes show coloured slices');
    const summary = await page.locator('.tl-summary').innerText();
    assert.match(summary, /go1\.\d+/);
    const posted = await page.evaluate(() => window.__posted);
    assert.ok(posted.some((m) => m.type === 'rendered'));
    await screenshot(page, 'timeline-bench');
    assert.deepEqual(problems, []);
  });

  test('W/S zoom and A/D pan change the visible range', async () => {
    await page.locator('canvas.tl-canvas').focus();
    const before = (await state(page)).view;
    await press(page, 'w', 3);
    const zoomed = (await state(page)).view;
    const ratio = (zoomed.end - zoomed.start) / (before.end - before.start);
    assert.ok(Math.abs(ratio - 0.75 ** 3) < 1e-9, `three W presses zoom to ${ratio} of the range`);
    await press(page, 'd', 2);
    const panned = (await state(page)).view;
    assert.ok(panned.start > zoomed.start, 'D moves later');
    assert.ok(Math.abs(panned.end - panned.start - (zoomed.end - zoomed.start)) < 1e-6, 'panning keeps the zoom');
    await press(page, 'a');
    assert.ok((await state(page)).view.start < panned.start, 'A moves earlier');
    await press(page, 's', 3);
    const out = (await state(page)).view;
    assert.ok(out.end - out.start > panned.end - panned.start, 'S zooms out');
    // Drag with the mouse: the range moves the other way.
    const box = (await page.locator('canvas.tl-canvas').boundingBox())!;
    await press(page, 'w', 4);
    const beforeDrag = (await state(page)).view;
    await page.mouse.move(box.x + 700, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + 500, box.y + 300, { steps: 5 });
    await page.mouse.up();
    const dragged = (await state(page)).view;
    assert.ok(dragged.start > beforeDrag.start, 'dragging left shows later times');
    // Ctrl+wheel zooms in at the pointer.
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    await press(page, 'Shift');
    const wheeled = (await state(page)).view;
    assert.ok(wheeled.end - wheeled.start < dragged.end - dragged.start, 'Ctrl+wheel zooms in');
    assert.deepEqual(problems, []);
  });

  test('clicking a slice shows its goroutine, start function, running time and stack', async () => {
    let slices = await page.evaluate(() => window.__goperfTimeline!.slices(8));
    for (let i = 0; i < 40 && slices.length === 0; i++) {
      await press(page, 'w');
      slices = await page.evaluate(() => window.__goperfTimeline!.slices(8));
    }
    assert.ok(slices.length > 0, 'zooming in shows slices wide enough to click');
    const target = slices[Math.floor(slices.length / 2)];
    await page.mouse.click(target.x + target.width / 2, target.y + target.height / 2);
    const s = await state(page);
    assert.equal(s.selection?.goroutineId, target.goroutineId, 'the clicked slice is selected');
    const details = page.locator('.tl-details');
    await details.waitFor();
    const expected = want.goroutines[String(target.goroutineId)];
    assert.ok(expected, `goroutine ${target.goroutineId} is not in Go's reading`);
    assert.equal(await details.getAttribute('data-goroutine'), String(target.goroutineId));
    assert.equal(Number(await details.getAttribute('data-running-ns')), expected.runningNs, 'running time as Go sums it');
    assert.equal(await details.locator('.tl-function').innerText(), expected.startFunction || '(unknown start function)');
    assert.match(await details.locator('[data-fact="proc"]').innerText(), new RegExp(`^Proc ${target.proc}$`));
    await screenshot(page, 'timeline-selected');
    const frames = details.locator('a.tl-frame');
    if ((await frames.count()) > 0) {
      await frames.first().click();
      const posted = await page.evaluate(() => window.__posted.filter((m) => m.type === 'openSource'));
      const last = posted[posted.length - 1];
      assert.ok(last && last.type === 'openSource' && /\.(go|s)$/.test(last.file) && last.line > 0, JSON.stringify(last));
    }
    assert.deepEqual(problems, []);
  });

  test('/ searches start functions and Enter steps through their slices', async () => {
    const fn = 'testing.(*B).run1.func1';
    assert.ok(Object.values(want.goroutines).some((g) => g.startFunction === fn));
    await page.locator('canvas.tl-canvas').focus();
    await page.keyboard.press('/');
    await page.keyboard.type('run1.func1');
    await page.keyboard.press('Enter');
    const first = (await state(page)).selection;
    assert.ok(first, 'Enter selects a matching slice');
    assert.equal(want.goroutines[String(first.goroutineId)].startFunction, fn);
    await page.keyboard.press('Enter');
    const second = (await state(page)).selection!;
    assert.equal(want.goroutines[String(second.goroutineId)].startFunction, fn);
    assert.ok(second.start >= first.start, 'Enter steps forward in time');
    const view = (await state(page)).view;
    assert.ok(second.start < view.end && second.end > view.start, 'the match is brought into view');
    assert.ok((await state(page)).searchMatches >= 1);
  });
});

describe('goroutine analysis in the timeline', () => {
  test('execution time per start function equals Go\'s running time summed per start function', async () => {
    const want = oracle(traces.netload);
    const { page, problems } = await open(traces.netload);
    assert.equal(await waitForState(page), 'rendered');
    await page.locator('.tl-analysis-toggle').click();
    const rows = await page
      .locator('.tl-analysis-table tr[data-start-function]')
      .evaluateAll((trs) => trs.map((tr) => ({ fn: (tr as HTMLElement).dataset.startFunction!, ns: Number((tr as HTMLElement).dataset.executionNs) })));
    const expected = new Map<string, number>();
    for (const g of Object.values(want.goroutines)) expected.set(g.startFunction, (expected.get(g.startFunction) ?? 0) + g.runningNs);
    assert.equal(rows.length, expected.size, 'one row per start function');
    for (const row of rows) assert.equal(row.ns, expected.get(row.fn), `execution of ${row.fn}`);
    assert.deepEqual(rows.map((r) => r.ns), [...rows.map((r) => r.ns)].sort((a, b) => b - a), 'busiest first');
    await screenshot(page, 'timeline-analysis');
    // A row's link finds that start function's slices.
    const busiest = rows[0].fn;
    await page.locator('.tl-analysis-table tr[data-start-function] a.tl-frame').first().click();
    const selected = (await state(page)).selection;
    assert.ok(selected, 'the row selects a slice');
    assert.equal(want.goroutines[String(selected.goroutineId)].startFunction, busiest);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('trace timeline on bad input', () => {
  test('a cut trace shows what was read, with a warning naming the file and the place', async () => {
    // Long enough for two generations: Go's reader, like ours, keeps the complete ones.
    const busy = join(workDir, 'busy.trace');
    execFileSync(fixtureBinary('busy'), ['-seconds', '1.5', busy], { env, stdio: 'ignore', timeout: 60_000 });
    const bytes = readFileSync(busy);
    const cut = join(workDir, 'cut.trace');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const { page } = await open(cut);
    assert.equal(await waitForState(page), 'rendered');
    const warning = await page.locator('.tl-warning').innerText();
    assert.match(warning, /cut\.trace: .*at byte \d+/);
    assert.ok((await state(page)).spans > 0);
    await page.close();
  });

  test('a file that is not a trace gives an error naming it', async () => {
    const junk = join(workDir, 'junk.out');
    writeFileSync(junk, 'not a trace at all, just text\n');
    const { page } = await open(junk);
    assert.equal(await waitForState(page), 'error');
    assert.match(await page.locator('.tl-message').innerText(), /junk\.out: .*not a Go execution trace/);
    const posted = await page.evaluate(() => window.__posted);
    assert.ok(posted.some((m) => m.type === 'error'));
    await page.close();
  });
});

/** Contentions and delay summed over a profile's samples. */
function totals(profile: Profile): { contentions: number; delay: number } {
  const index = (type: string) => profile.sampleTypes.findIndex((t) => t.type === type);
  const [c, d] = [index('contentions'), index('delay')];
  assert.ok(c >= 0 && d >= 0, `sample types ${JSON.stringify(profile.sampleTypes)}`);
  const n = profile.sampleTypes.length;
  let contentions = 0;
  let delay = 0;
  for (let s = 0; s < profile.samples.count; s++) {
    contentions += profile.samples.values[s * n + c];
    delay += profile.samples.values[s * n + d];
  }
  return { contentions, delay };
}

describe('blocking profiles from the timeline', () => {
  test('each button posts the profile go tool trace -pprof makes of the same trace', async () => {
    const { page, problems } = await open(traces.netload);
    assert.equal(await waitForState(page), 'rendered');
    for (const kind of BLOCKING_KINDS) {
      await page.locator(`button.tl-profile[data-kind="${kind}"]`).click();
      const handle = await page.waitForFunction(
        (k) => {
          const m = window.__posted.find((p) => p.type === 'blockingProfile' && p.kind === k);
          return m && m.type === 'blockingProfile' && m.bytes instanceof Uint8Array ? Array.from(m.bytes) : undefined;
        },
        kind,
        { timeout: 30_000 },
      );
      const bytes = Uint8Array.from((await handle.jsonValue()) as number[]);
      const got = decodeProfile(bytes, `${kind} from the page`);
      const wantBytes = execFileSync('go', ['tool', 'trace', `-pprof=${kind}`, traces.netload], { env, maxBuffer: 256 << 20 });
      const want = decodeProfile(new Uint8Array(wantBytes), `go tool trace -pprof=${kind}`);
      assert.deepEqual(got.sampleTypes, want.sampleTypes, `${kind}: sample types`);
      assert.deepEqual(totals(got), totals(want), `${kind}: total contentions and delay`);
      assert.equal(got.samples.count, want.samples.count, `${kind}: samples`);
      if (kind === 'sync' || kind === 'net') assert.ok(totals(want).delay > 0, `the netload trace has ${kind} waits`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('tasks and regions in the timeline', () => {
  let page: Page;
  let problems: string[];
  let want: AnalysesOracle;

  before(async () => {
    want = oracle(traces.annotate) as AnalysesOracle;
    ({ page, problems } = await open(traces.annotate));
    assert.equal(await waitForState(page), 'rendered');
  });
  after(() => page?.close());

  test('the table lists every task and region name with Go\'s counts and durations', async () => {
    await page.locator('.tl-annotations-toggle').click();
    const rows = await page.locator('.tl-annotations tr[data-kind]').evaluateAll((trs) =>
      trs.map((tr) => ({ ...(tr as HTMLElement).dataset })),
    );
    for (const kind of ['task', 'region'] as const) {
      const expected = kind === 'task' ? want.tasks : want.regions;
      const got = Object.fromEntries(
        rows
          .filter((r) => r.kind === kind)
          .map((r) => [r.name!, { count: Number(r.count), totalNs: Number(r.totalNs), maxNs: Number(r.maxNs), incomplete: Number(r.incomplete) }]),
      );
      assert.deepEqual(got, expected, `${kind}s by name`);
    }
    const step = page.locator('.tl-annotations tr[data-kind="task"][data-name="step"] td');
    assert.equal(await step.nth(4).innerText(), formatNs(want.tasks.step.totalNs / want.tasks.step.count), 'mean of the step tasks');
    await screenshot(page, 'timeline-tasks-regions');
    assert.deepEqual(problems, []);
  });

  test('task lanes: every task drawn, hover names it with its duration, click shows its details', async () => {
    const s = await state(page);
    assert.ok(s.taskLevels >= 2, `the job task and its steps overlap, so they need ${s.taskLevels} > 1 levels`);
    const boxes = await page.evaluate(() => window.__goperfTimeline!.annotations(0));
    const drawnTasks = boxes.filter((b) => b.kind === 'task');
    const taskCount = Object.values(want.tasks).reduce((n, d) => n + d.count + d.incomplete, 0);
    assert.equal(drawnTasks.length, taskCount, 'one span per task');
    assert.equal(boxes.filter((b) => b.kind === 'region').length, Object.values(want.regions).reduce((n, d) => n + d.count + d.incomplete, 0));
    const job = drawnTasks.find((b) => b.name === 'job')!;
    assert.equal(job.durationNs, want.tasks.job.maxNs);
    await page.mouse.move(job.x + job.width / 2, job.y + job.height / 2);
    assert.equal(await page.locator('canvas.tl-canvas').getAttribute('title'), `Task job: ${formatNs(want.tasks.job.maxNs)}`);
    await page.mouse.click(job.x + job.width / 2, job.y + job.height / 2);
    const details = page.locator('.tl-details');
    await details.waitFor();
    assert.equal(await details.locator('.tl-function').innerText(), 'job');
    assert.equal(await details.locator('[data-fact="duration"]').innerText(), formatNs(want.tasks.job.maxNs));
    // The lanes' header folds them and unfolds them again.
    const box = (await page.locator('canvas.tl-canvas').boundingBox())!;
    const firstLevel = Math.min(...drawnTasks.map((b) => b.y));
    await page.mouse.click(box.x + 40, firstLevel - 2 - 10);
    const folded = await page.evaluate(() => window.__goperfTimeline!.annotations(0));
    assert.equal(folded.filter((b) => b.kind === 'task').length, 0, 'folded tasks are not drawn');
    assert.equal(folded.filter((b) => b.kind === 'region').length, boxes.filter((b) => b.kind === 'region').length, 'regions stay');
    await page.mouse.click(box.x + 40, firstLevel - 2 - 10);
    assert.equal((await page.evaluate(() => window.__goperfTimeline!.annotations(0))).filter((b) => b.kind === 'task').length, drawnTasks.length);
    // The table's link brings the longest region of a name into view and selects it.
    await page.locator('.tl-annotations tr[data-kind="region"][data-name="compute"] a').click();
    assert.equal(await details.locator('.tl-function').innerText(), 'compute');
    assert.equal(await details.locator('[data-fact="duration"]').innerText(), formatNs(want.regions.compute.maxNs));
    assert.match(await details.locator('[data-fact="task"]').innerText(), /^step \(id \d+\)$/);
    await screenshot(page, 'timeline-region-selected');
    assert.deepEqual(problems, []);
  });
});

describe('range selection in the timeline', () => {
  test('Shift+drag over the whole trace sums every goroutine\'s states and counts as Go does', async () => {
    const want = oracle(traces.netload) as AnalysesOracle;
    const { page, problems } = await open(traces.netload);
    assert.equal(await waitForState(page), 'rendered');
    const box = (await page.locator('canvas.tl-canvas').boundingBox())!;
    // From the label column (the visible start) to past the right edge (the visible end).
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + 60, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 220, { steps: 4 });
    await page.mouse.move(box.x + box.width + 40, box.y + 220, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const s = await state(page);
    assert.deepEqual(s.range, { start: 0, end: want.durationNs }, 'the whole trace is selected');
    assert.deepEqual(s.view, { start: 0, end: want.durationNs }, 'Shift+drag does not pan');
    const panel = page.locator('.tl-range');
    await panel.waitFor();
    const rows = await panel.locator('tr[data-state]').evaluateAll((trs) =>
      trs.map((tr) => [(tr as HTMLElement).dataset.state!, Number((tr as HTMLElement).dataset.ns)] as const),
    );
    const expected: Record<string, number> = { Running: 0, Runnable: 0, Syscall: 0 };
    for (const states of Object.values(want.goroutineStates)) for (const [key, ns] of Object.entries(states)) expected[key] = (expected[key] ?? 0) + ns;
    assert.deepEqual(Object.fromEntries(rows), expected, 'time per state summed over goroutines');
    const fact = async (name: string) => Number(await panel.locator(`[data-fact="${name}"]`).getAttribute('data-value'));
    assert.equal(await fact('created'), want.creates, 'goroutines created');
    const gcName = 'GC concurrent mark phase';
    assert.equal(await fact('gc'), (want.rangeBegins[gcName] ?? 0) + (want.rangeActives[gcName] ?? 0), 'GC cycles');
    assert.equal(await fact('goroutines'), Object.keys(want.goroutines).length, 'goroutines');
    await screenshot(page, 'timeline-range');

    // A narrower range takes less of everything, and Escape clears it.
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + 400, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 700, box.y + 200, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const part = (await state(page)).range!;
    assert.ok(part.start > 0 && part.end < want.durationNs && part.end > part.start);
    const running = Number(await panel.locator('tr[data-state="Running"]').getAttribute('data-ns'));
    assert.ok(running > 0 && running < expected.Running, `running ${running} of ${expected.Running}`);
    await page.locator('canvas.tl-canvas').focus();
    await press(page, 'Escape');
    assert.equal((await state(page)).range, undefined);
    assert.equal(await panel.isHidden(), true);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('MMU in the timeline', () => {
  test('the MMU button plots the curve of the GC-heavy trace, computed in the worker', async () => {
    const { page, problems } = await open(traces.gcheavy);
    assert.equal(await waitForState(page), 'rendered');
    await page.locator('.tl-mmu-toggle').click();
    const points = page.locator('.tl-mmu circle.tl-mmu-point');
    await points.nth(99).waitFor({ timeout: 30_000 });
    const plotted = await points.evaluateAll((dots) => dots.map((d) => [Number((d as SVGElement).dataset.window), Number((d as SVGElement).dataset.mmu)]));
    // The core's curve is checked against go tool trace's /mmu data in test/unit/trace-model-mmu.test.ts.
    const want = new MMUCurve(mutatorUtilization(readFileSync(traces.gcheavy), traces.gcheavy).series).curve();
    assert.deepEqual(plotted, want.map((p) => [p.window, p.mmu]));
    assert.ok(want[0].mmu < 0.01 && want[want.length - 1].mmu > 0, 'short windows lose the CPU to the GC, the whole run does not');
    await screenshot(page, 'timeline-mmu');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
