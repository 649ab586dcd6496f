// The trace timeline webview in headless Chromium, on traces Go writes during
// the test, in a page shaped like the VS Code webview (strict CSP, theme
// variables, acquireVsCodeApi recording what the page posts). What it shows
// is checked against golang.org/x/exp/trace (test/fixtures/trace/oracle).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
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
