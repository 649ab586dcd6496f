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
import { env, fixtureBinary, makeTraces, oracle, oracleFlows, type OracleFlow, type OracleResult, type Traces } from '../fixtures/trace/traces';
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

describe('flow arrows in the timeline', () => {
  let page: Page;
  let problems: string[];
  let flows: OracleFlow[];

  before(async () => {
    flows = oracleFlows(traces.netload);
    ({ page, problems } = await open(traces.netload));
    assert.equal(await waitForState(page), 'rendered');
  });
  after(() => page?.close());

  /** Selects goroutine g's first P-lane slice starting at or after `ns`, through `/` search and Enter. */
  async function selectRunAfter(g: number, ns: number) {
    await page.locator('canvas.tl-canvas').focus();
    await press(page, 'Escape');
    // Zoomed in, each step centres its slice.
    await press(page, '0');
    await press(page, 'w', 16);
    await page.keyboard.press('/');
    await page.keyboard.type(`g${g}`);
    for (let i = 0; i < 500; i++) {
      await page.keyboard.press('Enter');
      const selection = (await state(page)).selection;
      assert.ok(selection, `no slice of G${g} from ${ns} ns`);
      if (selection.goroutineId === g && selection.start >= ns) {
        await page.locator('canvas.tl-canvas').focus();
        await press(page, 'Shift');
        return selection;
      }
    }
    throw new Error(`G${g} has no slice after ${ns} ns within 500 steps`);
  }

  /** The arrows into the slice of goroutine g that starts at `start`. */
  async function arrowsInto(g: number, start: number) {
    return (await page.evaluate(() => window.__goperfTimeline!.flows())).filter((f) => f.toGoroutine === g && f.toTime === start);
  }

  /** Brings both ends of the selection's arrow over the plot, then zooms in on them while they stay there. */
  async function frameArrow(g: number, start: number) {
    const box = (await page.locator('canvas.tl-canvas').boundingBox())!;
    const onPlot = (p?: { x: number; y: number }) => !!p && p.x >= box.x + 180 && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height;
    // Zoom about the middle, not the pointer.
    await page.mouse.move(box.x + box.width / 2, box.y - 40);
    let [arrow] = await arrowsInto(g, start);
    for (let i = 0; i < 30 && !(onPlot(arrow?.from) && onPlot(arrow?.to)); i++) {
      await press(page, 's');
      [arrow] = await arrowsInto(g, start);
    }
    assert.ok(arrow && onPlot(arrow.from) && onPlot(arrow.to), `the arrow's ends are on the plot: ${JSON.stringify(arrow)}`);
    for (let i = 0; i < 40 && arrow.to!.x - arrow.from!.x < 300; i++) {
      await press(page, 'w');
      const [next] = await arrowsInto(g, start);
      if (!onPlot(next.from) || !onPlot(next.to)) {
        await press(page, 's');
        break;
      }
      arrow = next;
    }
    return (await arrowsInto(g, start))[0];
  }

  test('a slice unblocked by another goroutine draws an arrow from where Go says the unblocker ran, and the link follows it', async () => {
    // The first unblock of some goroutine by another goroutine on a P, as Go's reader reports it.
    const firstUnblock = new Map<number, OracleFlow>();
    for (const f of flows) if (f.kind === 'unblock' && !firstUnblock.has(f.g)) firstUnblock.set(f.g, f);
    const unblock = [...firstUnblock.values()].find((f) => f.by >= 0 && f.by !== f.g && f.proc >= 0);
    assert.ok(unblock, 'the netload trace has goroutines unblocked by goroutines');
    const run = await selectRunAfter(unblock.g, unblock.ns);
    // Between the unblock and its next run the goroutine only waits to run, so this one unblock led to it.
    const into = await arrowsInto(unblock.g, run.start);
    assert.equal(into.length, 1, JSON.stringify(into));
    assert.deepEqual(
      { kind: into[0].kind, by: into[0].fromGoroutine, ns: into[0].fromTime, proc: into[0].fromProc },
      { kind: 'unblock', by: unblock.by, ns: unblock.ns, proc: unblock.proc },
      'the arrow starts at the unblocking goroutine, time and P of Go\'s reading',
    );
    const arrow = await frameArrow(unblock.g, run.start);
    const s = await state(page);
    assert.ok(s.lastDraw.arrows >= 1, 'the arrow is drawn');
    // Its ends sit on the two slices: the unblocker's on its P, the unblocked one's start.
    const boxes = await page.evaluate(() => window.__goperfTimeline!.slices(0));
    const source = boxes.find((b) => b.goroutineId === unblock.by && b.proc === unblock.proc && b.x - 1 <= arrow.from!.x && arrow.from!.x <= b.x + b.width + 1);
    assert.ok(source && arrow.from!.y >= source.y && arrow.from!.y <= source.y + source.height, 'the arrow leaves the unblocker\'s slice');
    const target = boxes.find((b) => b.goroutineId === unblock.g && Math.abs(b.x - arrow.to!.x) <= 1);
    assert.ok(target && arrow.to!.y >= target.y && arrow.to!.y <= target.y + target.height, 'the arrow reaches the slice\'s start');
    await screenshot(page, 'timeline-flow-arrow');

    // The details list the arrow; its link selects the unblocker's slice, whose outgoing arrow leads back.
    const details = page.locator('.tl-details');
    const incoming = details.locator('li[data-direction="in"]');
    assert.equal(await incoming.count(), 1);
    assert.match(await incoming.innerText(), new RegExp(`^unblocked by G${unblock.by} at ${formatNs(unblock.ns).replace('.', '\\.')}$`));
    await incoming.locator('a').click();
    const unblocker = (await state(page)).selection!;
    assert.equal(unblocker.goroutineId, unblock.by, 'following the arrow selects the unblocker');
    assert.ok(unblocker.start <= unblock.ns && unblock.ns <= unblocker.end, 'at the slice in which it unblocked');
    assert.equal(await details.locator('[data-fact="proc"]').innerText(), `Proc ${unblock.proc}`);
    const back = details.locator('li[data-direction="out"]', { hasText: `unblocked G${unblock.g} at ${formatNs(unblock.ns)}` });
    assert.equal(await back.count(), 1, await details.innerText());
    assert.ok((await arrowsInto(unblock.g, run.start)).length === 1, 'the unblocker\'s slice draws its outgoing arrow');
    await back.locator('a').click();
    assert.deepEqual(await state(page).then((x) => x.selection), run, 'the outgoing link selects the unblocked slice');
    assert.deepEqual(problems, []);
  });

  test('a goroutine\'s first slice draws the arrow from its creator', async () => {
    const create = flows.find((f) => f.kind === 'create' && f.by >= 0 && f.proc >= 0 && f.ns > 0);
    assert.ok(create, 'the netload trace creates goroutines during the trace');
    const run = await selectRunAfter(create.g, create.ns);
    const into = await arrowsInto(create.g, run.start);
    assert.deepEqual(
      into.map((f) => ({ kind: f.kind, by: f.fromGoroutine, ns: f.fromTime, proc: f.fromProc })),
      [{ kind: 'create', by: create.by, ns: create.ns, proc: create.proc }],
    );
    assert.match(await page.locator('.tl-details li[data-direction="in"]').innerText(), new RegExp(`^created by G${create.by} at `));
    assert.deepEqual(problems, []);
  });

  test('the flow events toggle draws the edges in view, each one Go reports, at most a few hundred', async () => {
    await page.locator('canvas.tl-canvas').focus();
    await press(page, 'Escape');
    await press(page, '0');
    await page.locator('button.tl-flows-toggle').click();
    assert.equal(await page.locator('button.tl-flows-toggle').getAttribute('aria-pressed'), 'true');
    await press(page, 'Shift');
    const all = await page.evaluate(() => window.__goperfTimeline!.flows());
    const byGoroutine = flows.filter((f) => f.by >= 0);
    assert.ok(all.length > 20 && all.length <= 250, `${all.length} arrows over the whole trace (${byGoroutine.length} edges)`);
    const known = new Set(byGoroutine.map((f) => `${f.kind} ${f.ns} ${f.g} ${f.by} ${f.proc}`));
    for (const f of all) assert.ok(known.has(`${f.kind} ${f.fromTime} ${f.toGoroutine} ${f.fromGoroutine} ${f.fromProc}`), JSON.stringify(f));
    assert.ok((await state(page)).lastDraw.arrows > 0);
    await screenshot(page, 'timeline-all-flows');
    // Zoomed in, every edge in view is drawn.
    await press(page, 'w', 12);
    const view = (await state(page)).view;
    const inView = byGoroutine.filter((f) => f.ns >= view.start && f.ns <= view.end).length;
    const zoomed = await page.evaluate(() => window.__goperfTimeline!.flows());
    if (inView <= 250) assert.equal(zoomed.length, inView, 'all edges in view');
    await page.locator('button.tl-flows-toggle').click();
    await press(page, 'Shift');
    assert.deepEqual(await page.evaluate(() => window.__goperfTimeline!.flows()), []);
    assert.deepEqual(problems, []);
  });
});

describe('mouse modes in the timeline', () => {
  test('keys 1–4 and the toolbar switch what a drag does: select, pan, zoom, time', async () => {
    const { page, problems } = await open(traces.netload);
    assert.equal(await waitForState(page), 'rendered');
    const canvas = page.locator('canvas.tl-canvas');
    const box = (await canvas.boundingBox())!;
    const y = box.y + 250;
    const drag = async (x0: number, y0: number, x1: number, y1: number) => {
      await page.mouse.move(box.x + x0, y0);
      await page.mouse.down();
      await page.mouse.move(box.x + x1, y1, { steps: 6 });
      await page.mouse.up();
      await press(page, 'Shift');
    };
    const pressed = () => page.locator('button.tl-mode[aria-pressed="true"]').getAttribute('data-mode');
    await canvas.focus();
    await press(page, 'w', 2);
    const start = (await state(page)).view;
    const nsPerPx = (start.end - start.start) / (box.width - 180);
    assert.equal((await state(page)).mode, 'pan', 'dragging pans until a mode is chosen');

    await press(page, '1');
    assert.equal(await pressed(), 'select');
    await drag(500, y, 800, y);
    let s = await state(page);
    assert.deepEqual(s.view, start, 'a select drag keeps the view');
    assert.ok(s.range, 'a select drag selects a range');
    assert.ok(Math.abs(s.range.end - s.range.start - 300 * nsPerPx) <= 2 * nsPerPx, `range of ${s.range.end - s.range.start} ns`);
    await page.locator('.tl-range').waitFor();
    const range = s.range;

    await page.locator('button.tl-mode[data-mode="pan"]').click();
    assert.equal((await state(page)).mode, 'pan');
    await drag(800, y, 600, y);
    s = await state(page);
    assert.ok(Math.abs(s.view.start - start.start - 200 * nsPerPx) <= 2 * nsPerPx, 'a pan drag moves the view by the drag');
    assert.deepEqual(s.range, range, 'and leaves the range');

    await canvas.focus();
    await press(page, '3');
    assert.equal(await pressed(), 'zoom');
    const beforeZoom = (await state(page)).view;
    await drag(700, y + 100, 700, y - 50);
    const zoomedIn = (await state(page)).view;
    assert.ok(Math.abs((zoomedIn.end - zoomedIn.start) / (beforeZoom.end - beforeZoom.start) - Math.exp(-1)) < 0.02, 'dragging 150 px up zooms in e times');
    await drag(700, y - 50, 700, y + 100);
    const zoomedOut = (await state(page)).view;
    assert.ok(zoomedOut.end - zoomedOut.start > zoomedIn.end - zoomedIn.start, 'dragging down zooms out');

    await press(page, '4');
    assert.equal(await pressed(), 'timing');
    const beforeTiming = (await state(page)).view;
    const perPx = (beforeTiming.end - beforeTiming.start) / (box.width - 180);
    await drag(400, y, 650, y);
    s = await state(page);
    assert.deepEqual(s.view, beforeTiming, 'a timing drag keeps the view');
    assert.deepEqual(s.range, range, 'and the range');
    assert.ok(s.measure, 'a timing drag measures');
    assert.ok(Math.abs(s.measure.end - s.measure.start - 250 * perPx) <= 2 * perPx, `measured ${s.measure.end - s.measure.start} ns`);
    assert.equal(await page.locator('.tl-measure').innerText(), `Measured ${formatNs(s.measure.end - s.measure.start)}`);
    await screenshot(page, 'timeline-timing');
    const measure = s.measure;

    // Shift+drag selects a range in every mode; a click still selects a slice.
    await page.keyboard.down('Shift');
    await drag(300, y, 420, y);
    await page.keyboard.up('Shift');
    s = await state(page);
    assert.ok(s.range && Math.abs(s.range.end - s.range.start - 120 * perPx) <= 2 * perPx, 'Shift+drag in timing mode selects a range');
    assert.deepEqual(s.measure, measure, 'and keeps the measurement');
    let slices = await page.evaluate(() => window.__goperfTimeline!.slices(6));
    for (let i = 0; i < 30 && slices.length === 0; i++) {
      await press(page, 'w');
      slices = await page.evaluate(() => window.__goperfTimeline!.slices(6));
    }
    const slice = slices[0];
    await page.mouse.click(slice.x + slice.width / 2, slice.y + slice.height / 2);
    assert.equal((await state(page)).selection?.goroutineId, slice.goroutineId, 'a click in timing mode selects the slice');
    await canvas.focus();
    await press(page, 'Escape');
    s = await state(page);
    assert.equal(s.measure, undefined, 'Escape clears the measurement');
    assert.equal(await page.locator('.tl-measure').innerText(), '');
    await press(page, '2');
    assert.equal(await pressed(), 'pan');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
