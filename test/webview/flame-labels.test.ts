// Grouping by label in the flame graph webview (headless Chromium): the
// "Group by label" control lists a labelled profile's keys, adds a removable
// chip, and the flame graph then starts with one frame per label value, as
// wide as `go tool pprof -tagroot=KEY` makes that value's node (its cum).
// The profiles are real: goroutines started under pprof.Do labels
// (test/fixtures/gen/profiles).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { FrameBox } from '../../webviews/flame/flameGraph';
import { makeTempDir, pprofTop, runtimeProfiles, type RuntimeProfiles } from '../fixtures/real-profiles';
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

const tmp = makeTempDir('goperf-flame-labels-');
let profiles: RuntimeProfiles;
let browser: Browser;
const server = new ResourceServer();

before(async () => {
  requireBuild();
  profiles = runtimeProfiles(tmp.dir);
  browser = await launchBrowser();
  await server.start();
  server.setPage(vscodeHostPageHtml(server.origin, darkModern, 'vscode-dark'));
});

after(async () => {
  await browser?.close();
  await server.stop();
  tmp.remove();
});

async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = watchPageProblems(page);
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => window.__posted?.some((m) => m.type === 'ready'));
  await sendLoad(page, file);
  assert.equal(await waitForState(page), 'rendered');
  return { page, problems };
}

async function groupBy(page: Page, choice: string): Promise<void> {
  await page.selectOption('.group-by', choice);
  await page.waitForFunction(() => document.body.dataset.view === 'ready');
}

function frames(page: Page): Promise<FrameBox[]> {
  return page.evaluate(() => window.__goperfFlame!.frames());
}

/** Frames at one depth, summed per name: the name's total and width. */
function atDepth(all: FrameBox[], depth: number): Map<string, { total: number; width: number }> {
  const out = new Map<string, { total: number; width: number }>();
  for (const f of all.filter((frame) => frame.depth === depth)) {
    const entry = out.get(f.name) ?? { total: 0, width: 0 };
    entry.total += f.total;
    entry.width += f.width;
    out.set(f.name, entry);
  }
  return out;
}

/** Each frame named by a label value is as wide as pprof's cum for that node, out of the root's width. */
function assertLabelFrames(all: FrameBox[], depth: number, flags: string[], values: string[]): void {
  const oracle = pprofTop(profiles.goroutine, 'goroutine', 'count', flags);
  const root = all.find((f) => f.depth === 0)!;
  assert.equal(root.total, oracle.total, 'root total');
  const drawn = atDepth(all, depth);
  assert.deepEqual([...drawn.keys()].sort(), [...values].sort(), `the frames at depth ${depth} are the label values`);
  for (const name of values) {
    const row = oracle.rows.find((r) => r.name === name);
    assert.ok(row, `pprof ${flags.join(' ')} has a node ${name}`);
    assert.equal(drawn.get(name)!.total, row.cum, `${name}: value`);
    const expectedWidth = (root.width * row.cum) / oracle.total;
    assert.ok(Math.abs(drawn.get(name)!.width - expectedWidth) < 1, `${name}: width ${drawn.get(name)!.width} ≈ ${expectedWidth}`);
  }
}

describe('group by label', () => {
  test('a label key becomes the top frames, a second key the next level, and the chips remove them', async () => {
    const { page, problems } = await open(profiles.goroutine);
    const keys = await page.$$eval('.group-by optgroup[label="At the root"] option', (options) => options.map((o) => o.textContent));
    assert.deepEqual(keys, ['index', 'role']);

    await groupBy(page, 'tagroot:index');
    assert.deepEqual((await page.evaluate(() => window.__goperfFlame!.state())).filters, ['-tagroot=index']);
    // The goroutine that wrote the profile has no labels: pprof names its frame "<unknown>".
    assertLabelFrames(await frames(page), 1, ['-tagroot=index'], ['0', '1', '2', '<unknown>']);
    await screenshot(page, 'flame-group-by-index');

    await groupBy(page, 'tagroot:role');
    assert.equal(await page.locator('.chip[data-kind="tagroot"]').count(), 2);
    const twoKeys = ['-tagroot=index,role'];
    const grouped = await frames(page);
    assertLabelFrames(grouped, 1, twoKeys, ['0', '1', '2', '<unknown>']);
    assertLabelFrames(grouped, 2, twoKeys, ['waiter', '<unknown>']);

    await page.locator('.chip[data-kind="tagroot"][data-value="index"] .chip-remove').click();
    await page.waitForFunction(() => document.body.dataset.view === 'ready' && document.body.dataset.filters === '-tagroot=role');
    assertLabelFrames(await frames(page), 1, ['-tagroot=role'], ['waiter', '<unknown>']);

    await page.locator('.chip[data-kind="tagroot"] .chip-remove').click();
    await page.waitForFunction(() => document.body.dataset.view === 'ready' && document.body.dataset.filters === '');
    const plain = atDepth(await frames(page), 1);
    assert.ok(!plain.has('waiter') && !plain.has('<unknown>'), 'without the chip the stacks start at their real roots');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('at the leaf, and hidden for a profile without labels', async () => {
    const { page, problems } = await open(profiles.goroutine);
    await groupBy(page, 'tagleaf:role');
    const oracle = pprofTop(profiles.goroutine, 'goroutine', 'count', ['-tagleaf=role']);
    const table = await page.$$eval('.top-table tbody tr', (rows) =>
      rows.map((row) => ({ name: row.querySelector('.function')!.textContent!, flat: Number((row as HTMLElement).dataset.flat) })),
    );
    // Every sample now ends in its role frame, so that frame has all the flat value.
    assert.deepEqual(
      table.filter((r) => r.flat !== 0).sort((a, b) => a.name.localeCompare(b.name)),
      oracle.rows.filter((r) => r.flat !== 0).map((r) => ({ name: r.name, flat: r.flat })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    assert.ok(table.some((r) => r.name === 'waiter' && r.flat > 0));
    await page.close();

    const unlabelled = await open(profiles.mutex);
    assert.equal(await unlabelled.page.locator('.group-by').isHidden(), true);
    assert.deepEqual([...problems, ...unlabelled.problems], []);
    await unlabelled.page.close();
  });
});
