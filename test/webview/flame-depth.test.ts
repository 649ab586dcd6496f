// Profiles in depth in the flame graph webview (headless Chromium): pprof's
// filters as chips with undo, granularity and recursion folding, callers and
// callees of one function, differential flame graphs and exports. Every
// number is checked against `go tool pprof` with the same flags on real
// profiles of the sample module.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { FrameBox } from '../../webviews/flame/flameGraph';
import { env, makeTempDir, pprof, pprofTop, type PprofTop } from '../fixtures/real-profiles';
import { benchProfiles } from '../unit/pprof-filter-fixtures';
import {
  darkModern,
  launchBrowser,
  requireBuild,
  ResourceServer,
  screenshot,
  sendLoad,
  vscodeHostPageHtml,
  waitForState,
  watchPageProblems,
} from './harness';

const tmp = makeTempDir('goperf-flame-depth-');
let profiles: ReturnType<typeof benchProfiles>;
/** BenchmarkFib: a recursive function. */
let fibCpu = '';
let browser: Browser;
const server = new ResourceServer();

before(async () => {
  requireBuild();
  profiles = benchProfiles(tmp.dir);
  fibCpu = join(tmp.dir, 'fib-cpu.pprof');
  execFileSync(join(tmp.dir, 'workload.test'), ['-test.run', '^$', '-test.bench', 'Fib', '-test.benchtime', '200ms', '-test.cpuprofile', fibCpu], {
    cwd: tmp.dir,
    env,
    stdio: 'pipe',
  });
  browser = await launchBrowser();
  await server.start();
  server.setPage(vscodeHostPageHtml(server.origin, darkModern, 'vscode-dark'));
});

after(async () => {
  await browser?.close();
  await server.stop();
  tmp.remove();
});

const workload = 'example.com/goperf-sample/workload';

async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = watchPageProblems(page);
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => window.__posted?.some((m) => m.type === 'ready'));
  await sendLoad(page, file);
  assert.equal(await waitForState(page), 'rendered');
  return { page, problems };
}

function hookState(page: Page) {
  return page.evaluate(() => window.__goperfFlame!.state());
}

/** Waits until the worker answered the latest view request. */
async function viewReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.view === 'ready' || document.body.dataset.view === 'error');
}

async function addFilter(page: Page, kind: string, value: string): Promise<void> {
  await page.selectOption('.filter-kind', kind);
  await page.fill('.filter-input', value);
  await page.press('.filter-input', 'Enter');
  await viewReady(page);
}

async function clickButton(page: Page, text: string): Promise<void> {
  await page.locator('.filter-bar button', { hasText: text }).click();
  await viewReady(page);
}

interface TableRow {
  name: string;
  flat: number;
  cum: number;
}

function tableRows(page: Page): Promise<TableRow[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLTableRowElement>('.top-table tbody tr')].map((row) => ({
      name: row.querySelector('.function')!.textContent!,
      flat: Number(row.dataset.flat),
      cum: Number(row.dataset.cum),
    })),
  );
}

/**
 * The page shows what `go tool pprof -top` shows with the same flags: the
 * total, the part the filters leave, and every row (as a set: the table's
 * own order ties by name where pprof's may not).
 */
async function assertLikePprof(page: Page, file: string, sampleIndex: string, unit: string, flags: string[], filterFlags = flags): Promise<PprofTop> {
  const oracle = pprofTop(file, sampleIndex, unit, flags);
  const state = await hookState(page);
  const what = `${flags.join(' ') || 'no flags'}`;
  assert.deepEqual(state.filters, filterFlags.filter((f) => /^-(focus|ignore|hide|show|show_from|tagfocus|tagignore)=/.test(f)), `${what}: chips`);
  assert.equal(state.total, oracle.total, `${what}: total`);
  const shown = oracle.rows.reduce((sum, row) => sum + row.flat, 0);
  assert.equal(state.shownTotal, shown, `${what}: total after filtering`);
  assert.equal(Number(await page.getAttribute('.toolbar .total', 'data-shown')), shown, `${what}: the toolbar's figure`);
  const rows = await tableRows(page);
  const key = (r: TableRow) => `${r.name}\u0000${r.flat}\u0000${r.cum}`;
  assert.equal(rows.length, Math.min(oracle.rows.length, 300), `${what}: row count`);
  if (oracle.rows.length <= 300) assert.deepEqual(rows.map(key).sort(), oracle.rows.map(key).sort(), `${what}: rows`);
  const root = await page.evaluate(() => window.__goperfFlame!.frames().find((f) => f.depth === 0)?.total ?? 0);
  assert.equal(root, shown, `${what}: the flame graph's root`);
  return oracle;
}

describe('filters as chips', () => {
  test('focus, hide, ignore, show_from, remove, undo and the quick buttons equal go tool pprof', async () => {
    const { page, problems } = await open(profiles.mixCpu);
    const cpu = (flags: string[]) => assertLikePprof(page, profiles.mixCpu, 'cpu', 'nanoseconds', flags);
    await cpu([]);

    await addFilter(page, 'focus', 'Parse');
    await cpu(['-focus=Parse']);
    await clickButton(page, 'Hide runtime');
    await cpu(['-focus=Parse', '-hide=^runtime\\.']);
    await addFilter(page, 'ignore', 'parseLine');
    await cpu(['-focus=Parse', '-ignore=parseLine', '-hide=^runtime\\.']);
    // A second regex of one kind means "either": pprof's a|b.
    await addFilter(page, 'focus', 'Sort');
    await cpu(['-focus=Parse|Sort', '-ignore=parseLine', '-hide=^runtime\\.']);
    await screenshot(page, 'flame-filter-chips');

    // Remove the ignore chip with its × button.
    await page.locator('.chip[data-kind="ignore"] .chip-remove').click();
    await viewReady(page);
    await cpu(['-focus=Parse|Sort', '-hide=^runtime\\.']);
    assert.equal(await page.locator('.chip').count(), 3);

    // Ctrl+Z brings it back, and undoes further step by step.
    await page.locator('.flame-pane .flame-canvas').focus();
    await page.keyboard.press('Control+z');
    await viewReady(page);
    await cpu(['-focus=Parse|Sort', '-ignore=parseLine', '-hide=^runtime\\.']);
    await page.keyboard.press('Control+z');
    await viewReady(page);
    await cpu(['-focus=Parse', '-ignore=parseLine', '-hide=^runtime\\.']);
    await page.locator('.filter-bar button', { hasText: 'Undo' }).click();
    await viewReady(page);
    await cpu(['-focus=Parse', '-hide=^runtime\\.']);

    await addFilter(page, 'show_from', 'Benchmark');
    await cpu(['-focus=Parse', '-hide=^runtime\\.', '-show_from=Benchmark']);
    await addFilter(page, 'show', 'workload');
    await cpu(['-focus=Parse', '-hide=^runtime\\.', '-show=workload', '-show_from=Benchmark']);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('"Only this module" focuses on the sample module, equal to go tool pprof -focus', async () => {
    const { page } = await open(profiles.mixCpu);
    const title = await page.locator('.filter-bar button', { hasText: 'Only this module' }).getAttribute('title');
    assert.match(title ?? '', /example\.com\/goperf-sample/);
    await clickButton(page, 'Only this module');
    const state = await hookState(page);
    assert.equal(state.filters.length, 1);
    assert.match(state.filters[0], /^-focus=\^example\\\.com\/goperf-sample/);
    await assertLikePprof(page, profiles.mixCpu, 'cpu', 'nanoseconds', state.filters);
    await page.close();
  });

  test('tagfocus and tagignore on an allocation profile equal go tool pprof', async () => {
    const { page } = await open(profiles.mixMem);
    await page.locator('vscode-single-select#goperf-sample-type').evaluate((select: HTMLElement & { value: string }) => {
      select.value = String(
        [...select.querySelectorAll('vscode-option')].findIndex((o) => o.textContent!.startsWith('alloc_space')),
      );
      select.dispatchEvent(new Event('change'));
    });
    await viewReady(page);
    assert.equal((await hookState(page)).sampleType, 'alloc_space');
    await addFilter(page, 'tagfocus', 'bytes=1kb:64kb');
    await assertLikePprof(page, profiles.mixMem, 'alloc_space', 'bytes', ['-tagfocus=bytes=1kb:64kb']);
    assert.match((await hookState(page)).warnings.join(' '), /as range/);
    // A second tag filter of one kind replaces the first (pprof takes one).
    await addFilter(page, 'tagfocus', 'bytes=:128b');
    await addFilter(page, 'tagignore', 'bytes=:16b');
    await assertLikePprof(page, profiles.mixMem, 'alloc_space', 'bytes', ['-tagfocus=bytes=:128b', '-tagignore=bytes=:16b']);
    await page.close();
  });

  test('a bad regex is reported next to the chips and the last view stays', async () => {
    const { page, problems } = await open(profiles.mixCpu);
    await addFilter(page, 'focus', 'Parse');
    await addFilter(page, 'hide', 'a(b');
    assert.equal(await page.evaluate(() => document.body.dataset.view), 'error');
    const status = await page.textContent('.filter-status.error');
    assert.match(status ?? '', /hide regexp/);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'rendered');
    // Removing the bad chip brings the view back.
    await page.locator('.chip[data-kind="hide"] .chip-remove').click();
    await viewReady(page);
    await assertLikePprof(page, profiles.mixCpu, 'cpu', 'nanoseconds', ['-focus=Parse']);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('granularity and recursion', () => {
  test('lines, files and addresses equal go tool pprof -lines/-files/-addresses', async () => {
    const { page } = await open(profiles.mixCpu);
    for (const granularity of ['lines', 'files', 'addresses', 'filefunctions']) {
      await page.selectOption('#goperf-granularity', granularity);
      await viewReady(page);
      assert.equal((await hookState(page)).granularity, granularity);
      await assertLikePprof(page, profiles.mixCpu, 'cpu', 'nanoseconds', [`-${granularity}`], []);
    }
    await screenshot(page, 'flame-granularity-lines');
    // Filters apply at the granularity too.
    await page.selectOption('#goperf-granularity', 'lines');
    await viewReady(page);
    await addFilter(page, 'focus', 'Parse');
    await assertLikePprof(page, profiles.mixCpu, 'cpu', 'nanoseconds', ['-lines', '-focus=Parse'], ['-focus=Parse']);
    await page.close();
  });

  test('collapsing recursion folds Fib into one frame as wide as its cum in go tool pprof', async () => {
    const { page } = await open(fibCpu);
    const fib = `${workload}.Fib`;
    const oracle = pprofTop(fibCpu, 'cpu', 'nanoseconds', []);
    const cum = oracle.rows.find((row) => row.name === fib)!.cum;
    const nested = (frames: FrameBox[]) =>
      frames.filter((f) => f.name === fib && frames.some((p) => p.name === fib && p.depth === f.depth - 1 && p.x <= f.x + 0.01 && f.x + f.width <= p.x + p.width + 0.01));
    const before = await page.evaluate(() => window.__goperfFlame!.frames());
    assert.ok(nested(before).length > 0, 'Fib calls itself in the plain flame graph');
    await page.check('#goperf-collapse-recursion');
    await viewReady(page);
    const after = await page.evaluate(() => window.__goperfFlame!.frames());
    assert.equal(nested(after).length, 0, 'no Fib frame right under another once collapsed');
    const fibFrames = after.filter((f) => f.name === fib);
    assert.equal(fibFrames.reduce((sum, f) => sum + f.total, 0), cum, 'the folded Fib frames add up to its cum');
    assert.equal((await hookState(page)).collapseRecursion, true);
    await assertLikePprof(page, fibCpu, 'cpu', 'nanoseconds', []);
    await page.close();
  });
});

/** go tool pprof -peek for one function: its callers and callees with their edge values. */
function pprofPeek(file: string, name: string, flags: string[] = []): { flat: number; cum: number; callers: Map<string, number>; callees: Map<string, number> } {
  const out = pprof(['-peek', `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, '-unit=ns', ...flags, file]);
  const callers = new Map<string, number>();
  const callees = new Map<string, number>();
  let flat = NaN;
  let cum = NaN;
  let seenSelf = false;
  for (const line of out.split('\n')) {
    const edge = /^\s+(\d+)(?:ns)?\s+\S+%\s+\|\s+(.+?)(?: \(inline\))?$/.exec(line);
    if (edge) {
      (seenSelf ? callees : callers).set(edge[2], Number(edge[1]));
      continue;
    }
    const self = /^\s*(\d+)(?:ns)?\s+\S+%\s+\S+%\s+(\d+)(?:ns)?\s+\S+%\s+\|\s+(.+?)$/.exec(line);
    if (self && self[3] === name) {
      flat = Number(self[1]);
      cum = Number(self[2]);
      seenSelf = true;
    }
  }
  assert.ok(seenSelf, `go tool pprof -peek printed ${name}:\n${out}`);
  return { flat, cum, callers, callees };
}

describe('callers and callees', () => {
  test('the sandwich of ParseLog equals go tool pprof -peek', async () => {
    const { page, problems } = await open(profiles.mixCpu);
    const name = `${workload}.ParseLog`;
    await page.locator('.top-table tbody tr', { has: page.locator('.function', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }) }).click();
    await page.locator('.details .show-sandwich').click();
    await page.waitForFunction(() => document.body.dataset.pane === 'sandwich');
    const state = await hookState(page);
    const peek = pprofPeek(profiles.mixCpu, name);
    assert.equal(state.sandwich?.name, name);
    assert.equal(state.sandwich?.cum, peek.cum, 'cum');
    assert.equal(state.sandwich?.flat, peek.flat, 'flat');
    await screenshot(page, 'flame-sandwich');

    const level = async (which: 'callers' | 'callees') => {
      const frames = await page.evaluate((w) => window.__goperfFlame!.sandwichFrames(w), which);
      const root = frames.find((f) => f.depth === 0)!;
      assert.equal(root.name, name);
      assert.equal(root.total, peek.cum, `${which} root`);
      // Every frame of the first level is drawn: none is narrower than a pixel here.
      return new Map(frames.filter((f) => f.depth === 1).map((f) => [f.name, f.total]));
    };
    assert.deepEqual(await level('callers'), peek.callers, 'callers');
    assert.deepEqual(await level('callees'), peek.callees, 'callees');

    // The sandwich follows the filters: with runtime hidden, -peek with -hide agrees.
    await clickButton(page, 'Hide runtime');
    const hidden = pprofPeek(profiles.mixCpu, name, ['-hide=^runtime\\.']);
    assert.equal((await hookState(page)).sandwich?.cum, hidden.cum);
    assert.deepEqual(await level('callees'), hidden.callees, 'callees with runtime hidden');
    assert.deepEqual(problems, []);
    await page.close();
  });
});

async function sendBase(page: Page, file: string, mode: 'base' | 'diff_base', normalize: boolean): Promise<void> {
  const base64 = readFileSync(file).toString('base64');
  await page.evaluate(
    ({ base64, mode, normalize, fileName }) => {
      const binary = atob(base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      window.postMessage({ type: 'loadBase', fileName, bytes, mode, normalize }, '*');
    },
    { base64, mode, normalize, fileName: file.slice(file.lastIndexOf('/') + 1) },
  );
}

/** The red and green channels of a computed rgb() colour. */
function channels(colour: string): { r: number; g: number } {
  const m = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)/.exec(colour);
  assert.ok(m, `a colour: ${colour}`);
  return { r: Number(m[1]), g: Number(m[2]) };
}

describe('differential flame graph', () => {
  test('-diff_base and -base -normalize equal go tool pprof; regressions red, improvements green', async () => {
    const { page, problems } = await open(profiles.parseCpuB);
    await sendBase(page, profiles.parseCpuA, 'diff_base', false);
    await page.waitForFunction(() => window.__goperfFlame!.state().base !== undefined);
    await viewReady(page);
    const diff = (flags: string[]) => assertLikePprof(page, profiles.parseCpuB, 'cpu', 'nanoseconds', flags, []);
    await diff([`-diff_base=${profiles.parseCpuA}`]);
    assert.match(await page.textContent('.base-label') ?? '', /parse-cpu-a\.pprof \(-diff_base\)/);
    assert.match(await page.textContent('.top-table thead') ?? '', /Flat Δ/);
    await screenshot(page, 'flame-diff-dark');

    const frames = await page.evaluate(() => window.__goperfFlame!.frames());
    const grew = frames.filter((f) => f.depth > 0 && f.total > 0 && f.width > 4);
    const shrank = frames.filter((f) => f.depth > 0 && f.total < 0 && f.width > 4);
    assert.ok(grew.length > 0 && shrank.length > 0, 'two runs of the same benchmark differ both ways');
    for (const f of grew) assert.ok(channels(f.fill).r > channels(f.fill).g, `${f.name} grew: red (${f.fill})`);
    for (const f of shrank) assert.ok(channels(f.fill).g > channels(f.fill).r, `${f.name} shrank: green (${f.fill})`);

    // Filters apply after the diff, as in pprof.
    await clickButton(page, 'Hide runtime');
    await assertLikePprof(page, profiles.parseCpuB, 'cpu', 'nanoseconds', [`-diff_base=${profiles.parseCpuA}`, '-hide=^runtime\\.'], ['-hide=^runtime\\.']);
    await page.locator('.chip-remove').click();
    await viewReady(page);

    await sendBase(page, profiles.sortCpu, 'base', true);
    await page.waitForFunction(() => window.__goperfFlame!.state().base?.mode === 'base');
    await viewReady(page);
    await diff([`-base=${profiles.sortCpu}`, '-normalize']);

    // A base of another profile type is refused, naming both files; the diff stays.
    await sendBase(page, profiles.sortMem, 'diff_base', false);
    await page.waitForSelector('.base-label.error');
    assert.match(await page.textContent('.base-label') ?? '', /cannot compare parse-cpu-b\.pprof with sort-mem\.pprof: .*types differ/);

    await page.evaluate(() => window.postMessage({ type: 'clearBase' }, '*'));
    await page.waitForFunction(() => window.__goperfFlame!.state().base === undefined && document.body.dataset.view === 'ready');
    await diff([]);
    assert.deepEqual(problems.filter((p) => !p.includes('cannot compare')), []);
    await page.close();
  });
});

describe('export', () => {
  test('SVG, Markdown, CSV and a standalone HTML page of the filtered view', async () => {
    const { page } = await open(profiles.mixCpu);
    await addFilter(page, 'focus', 'Parse');
    const oracle = pprofTop(profiles.mixCpu, 'cpu', 'nanoseconds', ['-focus=Parse']);
    const exported = async (format: string) => {
      const before = await page.evaluate(() => window.__posted.length);
      await page.selectOption('select.export', format);
      await page.waitForFunction((n) => window.__posted.length > n && window.__posted.at(-1)!.type === 'save', before);
      const message = await page.evaluate(() => window.__posted.at(-1)!);
      assert.equal(message.type, 'save');
      if (message.type !== 'save') throw new Error('unreachable');
      assert.equal(message.format, format);
      return message;
    };

    const csv = await exported('csv');
    assert.equal(csv.suggestedName, 'mix-cpu-cpu.csv');
    const lines = csv.text.trimEnd().split('\r\n');
    assert.equal(lines[0], 'flat (nanoseconds),flat%,cum (nanoseconds),cum%,function');
    const csvRows = lines.slice(1).map((line) => {
      const [flat, , cum, , name] = line.split(',');
      return `${name}\u0000${flat}\u0000${cum}`;
    });
    assert.deepEqual(csvRows.sort(), oracle.rows.map((r) => `${r.name}\u0000${r.flat}\u0000${r.cum}`).sort(), 'CSV rows = pprof -top');

    const markdown = await exported('markdown');
    const mdLines = markdown.text.trimEnd().split('\n');
    assert.match(mdLines[0], /^\| Flat \| Flat% \| Cum \| Cum% \| Function \|$/);
    assert.equal(mdLines.length, 2 + oracle.rows.length);

    const svg = await exported('svg');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? '', rects: doc.querySelectorAll('g > rect').length };
    }, svg.text);
    assert.equal(parsed.error, '');
    assert.equal(parsed.rects, (await page.evaluate(() => window.__goperfFlame!.frames())).length, 'one rect per laid-out frame');
    writeFileSync(join(tmp.dir, 'flame.svg'), svg.text);

    const html = await exported('html');
    const file = join(tmp.dir, 'exported.html');
    writeFileSync(file, html.text);
    const standalone = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await standalone.goto(pathToFileURL(file).href);
    assert.equal(await waitForState(standalone), 'rendered');
    const state = await hookState(standalone);
    const shown = oracle.rows.reduce((sum, r) => sum + r.flat, 0);
    assert.equal(state.total, shown, 'the exported page holds the filtered profile');
    await standalone.close();
    await page.close();
  });
});
