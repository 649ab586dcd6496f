// The flame graph webview in headless Chromium, on real profiles of the
// sample module, checked against `go tool pprof` on the same files.
// Standalone pages come from the CLI (`goperf flame`), so the page the CLI
// writes is the one under test; the VS Code side is a page shaped like a
// webview, with acquireVsCodeApi recording what the webview posts.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import type { FrameBox } from '../../webviews/flame/flameGraph';
import {
  darkModern,
  heaviestPath,
  launchBrowser,
  makeCpuProfile,
  makeMemProfile,
  pprofTop,
  pprofTraces,
  requireBuild,
  ResourceServer,
  runGo,
  sampleDir,
  screenshot,
  sendLoad,
  standalonePageFromCli,
  vscodeHostPageHtml,
  waitForState,
  watchPageProblems,
  withPolicy,
} from './harness';
import { measureFirstPaint } from './measure';

// window.__goperfFlame is declared by the webview (webviews/flame/page.ts).
let workDir = '';
let cpuProfile = '';
let memProfile = '';
let browser: Browser;

before(async () => {
  requireBuild();
  workDir = mkdtempSync(join(tmpdir(), 'goperf-webview-'));
  cpuProfile = makeCpuProfile(workDir);
  memProfile = makeMemProfile(workDir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function openStandalone(profile: string, name: string, sampleIndex?: string): Promise<{ page: Page; problems: string[] }> {
  const html = standalonePageFromCli(profile, join(workDir, `${name}.html`), sampleIndex);
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const problems = watchPageProblems(page);
  await page.goto(pathToFileURL(html).href);
  assert.equal(await waitForState(page), 'rendered', `page for ${name} did not render: ${await messageText(page)}`);
  return { page, problems };
}

function frames(page: Page): Promise<FrameBox[]> {
  return page.evaluate(() => window.__goperfFlame!.frames());
}

function hookState(page: Page) {
  return page.evaluate(() => window.__goperfFlame!.state());
}

function messageText(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector('.message')?.textContent ?? '');
}

/** The frames directly below `parent` in the current layout. */
function childrenOf(all: FrameBox[], parent: FrameBox): FrameBox[] {
  return all.filter(
    (f) => f.depth === parent.depth + 1 && f.x >= parent.x - 0.01 && f.x + f.width <= parent.x + parent.width + 0.01,
  );
}

function centre(frame: FrameBox): { x: number; y: number } {
  return { x: frame.x + Math.min(frame.width / 2, 40), y: frame.y + frame.height / 2 };
}

async function search(page: Page, query: string): Promise<number> {
  await page.keyboard.press('/');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(query);
  await page.keyboard.press('Enter');
  const handle = await page.waitForFunction(
    (q) => {
      const field = document.querySelector('vscode-textfield');
      const summary = document.querySelector<HTMLElement>('.match-summary');
      // Wrapped: a bare 0 would read as "not yet" to waitForFunction.
      return field?.value === q && summary?.dataset.matchedValue !== undefined ? { value: Number(summary.dataset.matchedValue) } : undefined;
    },
    query,
  );
  return (await handle.jsonValue())!.value;
}

/** The functions defined in workload.go with the line ranges of their bodies. */
function workloadFunctions(): Map<string, { start: number; end: number }> {
  const lines = readFileSync(join(sampleDir, 'workload', 'workload.go'), 'utf8').split('\n');
  const starts: { name: string; line: number }[] = [];
  lines.forEach((text, i) => {
    const match = /^func (?:\([^)]*\) )?(\w+)/.exec(text);
    if (match) starts.push({ name: match[1], line: i + 1 });
  });
  const ranges = new Map<string, { start: number; end: number }>();
  starts.forEach((entry, i) => ranges.set(entry.name, { start: entry.line, end: (starts[i + 1]?.line ?? lines.length + 1) - 1 }));
  return ranges;
}

describe('standalone page written by goperf flame', () => {
  test('draws the CPU profile with widths that match go tool pprof -traces', async () => {
    const { page, problems } = await openStandalone(cpuProfile, 'cpu');
    await screenshot(page, 'standalone-cpu');
    const all = await frames(page);
    const state = await hookState(page);
    const root = all.find((f) => f.depth === 0);
    assert.ok(root, 'the root frame is drawn');
    const viewWidth = root.width;

    const traces = pprofTraces(cpuProfile, { unit: 'ns' });
    const total = traces.reduce((sum, t) => sum + t.value, 0);
    assert.equal(state.total, total, 'total equals the sum of go tool pprof -traces');
    assert.equal(state.total, pprofTop(cpuProfile, { unit: 'ns' }).total, 'total equals go tool pprof -top');

    // Follow the hottest path: at every level its frame is the widest of its
    // siblings, as wide as pprof's value for it, under the previous one.
    const path = heaviestPath(traces, 6);
    assert.ok(path.length >= 4, 'the sample stacks are at least four frames deep');
    let parent = root;
    for (const step of path) {
      const siblings = childrenOf(all, parent);
      const frame = siblings.find((f) => f.name === step.name);
      assert.ok(frame, `${step.name} is drawn below ${parent.name}`);
      const expectedWidth = (step.value / total) * viewWidth;
      assert.ok(Math.abs(frame.width - expectedWidth) < 0.5, `${step.name}: width ${frame.width}, pprof says ${expectedWidth}`);
      if (step.value > step.runnerUp) {
        const widest = siblings.reduce((a, b) => (b.width > a.width ? b : a));
        assert.equal(widest.name, step.name, `${step.name} is the widest child of ${parent.name}`);
      }
      parent = frame;
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a click zooms to the frame; Escape, the breadcrumb and Reset zoom go back', async () => {
    const { page, problems } = await openStandalone(cpuProfile, 'cpu-zoom');
    const before = await frames(page);
    const viewWidth = before[0].width;
    // A frame well inside the graph, neither full width nor tiny.
    const target = before.find((f) => f.depth === 3 && f.width > 60 && f.width < viewWidth * 0.9);
    assert.ok(target, 'there is a mid-sized frame at depth 3');
    await page.mouse.click(centre(target).x, centre(target).y);
    await page.waitForFunction((node) => document.body.dataset.zoom === String(node), target.node);
    const zoomed = await frames(page);
    const again = zoomed.find((f) => f.node === target.node);
    assert.ok(again, 'the zoomed frame is still drawn');
    assert.ok(Math.abs(again.x - before[0].x) < 0.01 && Math.abs(again.width - viewWidth) < 0.01, 'it spans the full width');
    const ancestors = zoomed.filter((f) => f.ancestor);
    assert.equal(ancestors.length, 3, 'its three ancestors are drawn above it, greyed');
    const crumbs = await page.locator('.breadcrumb button').allTextContents();
    assert.deepEqual(crumbs, ['all samples', ...ancestors.filter((f) => f.depth > 0).map((f) => f.name)]);
    assert.equal(await page.locator('.breadcrumb .current').textContent(), target.name);
    await screenshot(page, 'standalone-cpu-zoomed');

    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.body.dataset.zoom === '0');

    await page.mouse.click(centre(target).x, centre(target).y);
    await page.waitForFunction((node) => document.body.dataset.zoom === String(node), target.node);
    await page.locator('.breadcrumb button', { hasText: 'all samples' }).click();
    await page.waitForFunction(() => document.body.dataset.zoom === '0');

    await page.mouse.click(centre(target).x, centre(target).y);
    await page.waitForFunction((node) => document.body.dataset.zoom === String(node), target.node);
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await page.waitForFunction(() => document.body.dataset.zoom === '0');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('search highlights matches and reports the matched share like pprof cum', async () => {
    const { page, problems } = await openStandalone(cpuProfile, 'cpu-search');
    const top = pprofTop(cpuProfile, { unit: 'ns' });
    const cumOf = (name: string) => top.rows.find((r) => r.name === name)?.cum;

    // Fib is recursive: each sample holds many Fib frames but counts once.
    const fib = 'example.com/goperf-sample/workload.Fib';
    assert.equal(await search(page, 'workload\\.Fib$'), cumOf(fib));
    const summary = await page.locator('.match-summary').textContent();
    const pprofPercent = top.rows.find((r) => r.name === fib)!.text.cumPercent;
    assert.ok(summary?.includes(`Matched ${pprofPercent}`), `summary "${summary}" shows pprof's cum% ${pprofPercent}`);
    const drawn = await frames(page);
    assert.ok(drawn.some((f) => f.name === fib && !f.dimmed), 'Fib frames are highlighted');
    assert.ok(drawn.filter((f) => f.name !== fib && f.depth > 0).every((f) => f.dimmed), 'all other frames are dimmed');
    await screenshot(page, 'standalone-cpu-search');

    // A substring that matches functions calling each other: stacks count once.
    const traces = pprofTraces(cpuProfile, { unit: 'ns' });
    const matching = (name: string) => /parse/i.test(name);
    const expected = traces.filter((t) => t.stack.some(matching)).reduce((sum, t) => sum + t.value, 0);
    assert.equal(await search(page, 'parse'), expected);

    // Not a valid regexp: matched as plain text, case-insensitively.
    assert.equal(await search(page, 'STRINGS.FIELDS('), 0);
    assert.equal(await search(page, 'strings.Fields'), cumOf('strings.Fields'));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the top table matches go tool pprof -top, sorts by header, and focuses a function', async () => {
    const { page, problems } = await openStandalone(cpuProfile, 'cpu-table');
    const rows = () =>
      page.$$eval('.top-table tbody tr', (trs) =>
        trs.map((tr) => ({
          name: tr.querySelector('td.function')!.textContent!,
          flat: Number((tr as HTMLElement).dataset.flat),
          cum: Number((tr as HTMLElement).dataset.cum),
        })),
      );
    const byFlat = pprofTop(cpuProfile, { unit: 'ns' });
    const shown = await rows();
    assert.equal(shown.length, byFlat.rows.length, 'one row per function pprof reports');
    assert.deepEqual(shown.map((r) => r.flat), byFlat.rows.map((r) => r.flat), 'sorted by flat like pprof');
    for (const row of shown) {
      const oracle = byFlat.rows.find((r) => r.name === row.name);
      assert.ok(oracle, `${row.name} is in pprof's table`);
      assert.deepEqual([row.flat, row.cum], [oracle.flat, oracle.cum], `${row.name} flat and cum`);
    }

    await page.locator('.top-table th button', { hasText: /^Cum$/ }).click();
    const byCum = pprofTop(cpuProfile, { unit: 'ns', cum: true });
    assert.deepEqual((await rows()).map((r) => r.cum), byCum.rows.map((r) => r.cum), 'sorted by cum like pprof -cum');
    assert.equal(await page.locator('.top-table th[aria-sort="descending"]').textContent(), 'Cum');
    await page.locator('.top-table th button', { hasText: /^Cum$/ }).click();
    const ascending = (await rows()).map((r) => r.cum);
    assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b), 'a second click sorts ascending');
    await page.locator('.top-table th button', { hasText: 'Function' }).click();
    const names = (await rows()).map((r) => r.name);
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)), 'sorted by name');

    const focus = 'strings.Fields';
    await page.locator('.top-table tbody tr', { hasText: focus }).first().click();
    await page.waitForFunction((name) => window.__goperfFlame!.state().zoomName === name, focus);
    const state = await hookState(page);
    assert.equal(state.matchedValue, byFlat.rows.find((r) => r.name === focus)!.cum, 'all its frames are highlighted');
    const zoomed = (await frames(page)).find((f) => f.node === state.zoomNode)!;
    assert.ok(Math.abs(zoomed.width - (await frames(page))[0].width) < 0.01, 'its heaviest frame fills the view');
    await screenshot(page, 'standalone-cpu-table-focus');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the sample type switcher re-aggregates a heap profile like pprof -sample_index', async () => {
    const { page, problems } = await openStandalone(memProfile, 'mem');
    const totals = new Map(
      ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'].map((type) => [
        type,
        pprofTop(memProfile, { sampleIndex: type, unit: type.endsWith('space') ? 'B' : undefined }).total,
      ]),
    );
    // The page starts on the type pprof shows by default.
    const defaultType = pprofTop(memProfile).type;
    assert.equal(await page.evaluate(() => document.body.dataset.sampleType), defaultType);
    assert.equal((await hookState(page)).total, totals.get(defaultType));

    for (const type of [...totals.keys()].filter((t) => t !== defaultType)) {
      await page.locator('vscode-single-select').click();
      const label = type.endsWith('_space') ? `${type} (bytes)` : type;
      await page.getByRole('option', { name: label, exact: true }).click();
      await page.waitForFunction((t) => document.body.dataset.sampleType === t, type);
      assert.equal((await hookState(page)).total, totals.get(type), `${type} total`);
      await screenshot(page, `standalone-mem-${type}`);
    }
    assert.notEqual(totals.get('alloc_space'), totals.get('inuse_objects'));
    assert.deepEqual(problems, []);
    await page.close();

    // The CLI's --sample-index picks the first type shown.
    const chosen = await openStandalone(memProfile, 'mem-alloc', 'alloc_objects');
    assert.equal(await chosen.page.evaluate(() => document.body.dataset.sampleType), 'alloc_objects');
    assert.equal((await hookState(chosen.page)).total, totals.get('alloc_objects'));
    await chosen.page.close();
  });

  test('keyboard: arrows walk the frames, Enter zooms, / searches, Escape clears and steps back', async () => {
    const { page, problems } = await openStandalone(cpuProfile, 'cpu-keys');
    const path = heaviestPath(pprofTraces(cpuProfile, { unit: 'ns' }), 2);
    const detailsName = () => page.locator('.details .name').textContent();
    await page.locator('.flame-pane .flame-canvas').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await detailsName(), path[0].name, 'ArrowDown selects the heaviest child');
    await page.keyboard.press('ArrowDown');
    assert.equal(await detailsName(), path[1].name);
    await page.keyboard.press('Enter');
    await page.waitForFunction((name) => window.__goperfFlame!.state().zoomName === name, path[1].name);
    await page.keyboard.press('ArrowUp');
    assert.equal(await detailsName(), path[0].name, 'ArrowUp selects the caller');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.body.dataset.zoom === '0');

    await page.keyboard.press('/');
    await page.keyboard.type('Fib');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.match-summary')?.dataset.matchedValue !== undefined);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.match-summary')?.dataset.matchedValue === undefined);
    assert.equal(await page.evaluate(() => document.querySelector('vscode-textfield')?.value), '');
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('inside a VS Code webview (emulated host)', () => {
  let server: ResourceServer;

  before(async () => {
    server = new ResourceServer();
    await server.start();
  });

  after(async () => {
    await server?.stop();
  });

  const webviewPage = () => vscodeHostPageHtml(server.origin, darkModern, 'vscode-dark');

  async function openWebview(html = webviewPage()): Promise<{ page: Page; problems: string[] }> {
    server.setPage(html);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const problems = watchPageProblems(page);
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => window.__posted?.some((m) => m.type === 'ready'));
    return { page, problems };
  }

  const posted = (page: Page) => page.evaluate(() => window.__posted);

  test('renders a loaded profile in the theme, and Ctrl+click posts openSource', async () => {
    const { page, problems } = await openWebview();
    await sendLoad(page, cpuProfile);
    assert.equal(await waitForState(page), 'rendered');
    const rendered = (await posted(page)).find((m) => m.type === 'rendered');
    assert.ok(rendered && rendered.type === 'rendered' && rendered.nodeCount > 0 && rendered.millis > 0);
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
      'rgb(31, 31, 31)',
      "the page takes Dark Modern's editor background",
    );
    await screenshot(page, 'webview-dark-cpu');

    // The canvas follows the theme, also when VS Code switches it live.
    const drawn = await frames(page);
    const canvasBox = (await page.locator('.flame-pane .flame-canvas').boundingBox())!;
    const probeY = canvasBox.y + canvasBox.height - 3;
    const probeX = [...Array(Math.floor(canvasBox.width)).keys()]
      .map((x) => canvasBox.x + x + 0.5)
      .find((x) => !drawn.some((f) => x >= f.x - 1 && x <= f.x + f.width + 1 && probeY >= f.y - 1 && probeY <= f.y + f.height + 1));
    assert.ok(probeX !== undefined, 'some background shows at the bottom of the flame graph');
    const pixel = () =>
      page.evaluate(
        ({ x, y }) => {
          const canvas = document.querySelector<HTMLCanvasElement>('.flame-pane .flame-canvas')!;
          const box = canvas.getBoundingClientRect();
          const scale = canvas.width / box.width;
          // Copied to a fresh canvas: reading the page's canvas back directly
          // more than once makes Chromium warn about its performance.
          const copy = document.createElement('canvas');
          copy.width = copy.height = 1;
          const context = copy.getContext('2d')!;
          context.drawImage(canvas, Math.floor((x - box.left) * scale), Math.floor((y - box.top) * scale), 1, 1, 0, 0, 1, 1);
          const data = context.getImageData(0, 0, 1, 1).data;
          return [data[0], data[1], data[2]];
        },
        { x: probeX, y: probeY },
      );
    assert.deepEqual(await pixel(), [0x1f, 0x1f, 0x1f]);
    await page.evaluate(() => {
      document.documentElement.style.setProperty('--vscode-editor-background', '#ffffff');
      document.documentElement.style.setProperty('--vscode-foreground', '#3b3b3b');
      document.body.className = 'vscode-light';
    });
    await page.waitForFunction(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))));
    assert.deepEqual(await pixel(), [0xff, 0xff, 0xff]);
    await page.evaluate((theme) => {
      for (const [name, value] of Object.entries(theme)) document.documentElement.style.setProperty(name, value);
      document.body.className = 'vscode-dark';
    }, darkModern);

    const parseLine = (await frames(page)).find((f) => f.name === 'example.com/goperf-sample/workload.parseLine');
    assert.ok(parseLine, 'parseLine is drawn');
    await page.mouse.move(centre(parseLine).x, centre(parseLine).y);
    await page.locator('.tooltip').waitFor();
    await screenshot(page, 'webview-dark-tooltip');
    await page.keyboard.down('ControlOrMeta');
    await page.mouse.click(centre(parseLine).x, centre(parseLine).y);
    await page.keyboard.up('ControlOrMeta');
    const open = (await posted(page)).find((m) => m.type === 'openSource');
    assert.ok(open && open.type === 'openSource', 'openSource was posted');
    assert.ok(open.file.endsWith('/workload/workload.go'), `file ${open.file}`);
    assert.equal(open.functionName, 'example.com/goperf-sample/workload.parseLine');
    const range = workloadFunctions().get('parseLine')!;
    assert.ok(open.line >= range.start && open.line <= range.end, `line ${open.line} lies in parseLine (${range.start}-${range.end})`);
    assert.equal((await hookState(page)).zoomNode, 0, 'Ctrl+click does not zoom');

    await page.getByRole('button', { name: 'Open source' }).click();
    const opens = (await posted(page)).filter((m) => m.type === 'openSource');
    assert.equal(opens.length, 2, 'the details bar button posts openSource too');
    assert.deepEqual(opens[1], open);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('decodes in a worker when the CSP allows one, in the page otherwise, with the same result', async () => {
    const pprof = pprofTop(cpuProfile, { unit: 'ns' });
    const policies: [string, Record<string, string>][] = [
      ['worker', { 'worker-src': 'blob:', 'connect-src': server.origin }],
      ['page', { 'worker-src': '', 'connect-src': '' }],
    ];
    const results = [];
    for (const [where, policy] of policies) {
      const { page, problems } = await openWebview(withPolicy(webviewPage(), policy));
      await sendLoad(page, cpuProfile);
      assert.equal(await waitForState(page), 'rendered');
      const state = await hookState(page);
      assert.equal(state.timings?.decodedIn, where);
      assert.equal(state.total, pprof.total);
      results.push({ nodeCount: state.nodeCount, frames: (await frames(page)).map((f) => [f.name, f.x, f.width]) });
      assert.deepEqual(problems, []);
      await page.close();
    }
    assert.deepEqual(results[0], results[1]);
  });

  test('a corrupt file shows an error naming the file and posts it', async () => {
    const { page, problems } = await openWebview();
    // The raw protobuf of a real profile, cut in the middle of a message.
    const raw = gunzipSync(readFileSync(cpuProfile));
    const corrupt = join(workDir, 'corrupt.pprof');
    writeFileSync(corrupt, raw.subarray(0, Math.floor(raw.length / 2)));
    await sendLoad(page, corrupt);
    assert.equal(await waitForState(page), 'error');
    const text = await messageText(page);
    assert.match(text, /corrupt\.pprof/);
    const error = (await posted(page)).find((m) => m.type === 'error');
    assert.ok(error && error.type === 'error' && error.message.includes('corrupt.pprof'), 'the error is posted to the host');
    assert.ok(await page.locator('.message.error').isVisible(), 'the message is on screen');
    await screenshot(page, 'webview-dark-error');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a profile without samples says so', async () => {
    const { page } = await openWebview();
    const empty = join(workDir, 'block.pprof');
    // No benchmark runs, so nothing blocks: a real block profile with zero samples.
    runGo(['test', '-run', '^$', '-blockprofile', empty, '-o', join(workDir, 'workload.test'), './workload']);
    assert.equal(pprofTop(empty).total, 0, 'go tool pprof sees no samples either');
    await sendLoad(page, empty);
    assert.equal(await waitForState(page), 'error');
    assert.match(await messageText(page), /No samples in block\.pprof/);
    await page.close();
  });
});

describe('measureFirstPaint', () => {
  test('reports the time to the first painted flame graph of a real profile', async () => {
    const result = await measureFirstPaint(cpuProfile, { browser });
    assert.ok(result.millis > 0 && result.millis < 60_000, `${result.millis} ms`);
    assert.ok(result.nodeCount > 1, `${result.nodeCount} call tree nodes`);
    assert.ok(result.decodeMillis > 0 && result.decodeMillis < result.millis);
  });
});
