// End to end: in a real VS Code, run a sample benchmark twice through the
// Testing API ("Test: Run Test at Cursor" runs goperf's test item), mark the
// first run as the baseline from its CodeLens, and read the comparison in
// the CodeLens. The recorded history is then exported and given to
// golang.org/x/perf's benchstat, whose verdict must be the one shown; the
// two runs compared in the results panel must read like benchstat's table.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fsPromises, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportBenchfmt, nodeFileBackend, ResultsStore, type RunRecord } from '../../src/core/bench/store';
import { runBenchstat } from '../fixtures/benchstat/oracle';
import { benchstatTables } from '../unit/bench-fixtures';
import { launchVsCode, type VsCodeSession } from './harness';

const testFile = 'workload/workload_test.go';
const count = 6;
/** Build plus six runs (enough for a confidence interval) of 3000 Fib(22) iterations. */
const runTimeoutMs = 120_000;

/** The history file in VS Code's storage for the workspace (one hashed folder per workspace). */
function historyFile(userDataDir: string): string | undefined {
  const storage = join(userDataDir, 'User', 'workspaceStorage');
  return readdirSync(storage)
    .map((hash) => join(storage, hash, 'goperf.goperf', 'bench', 'results.jsonl'))
    .find((path) => existsSync(path));
}

/** Texts of the visible CodeLenses drawn above the editor line containing `lineText`. */
async function lensesAbove(vscode: VsCodeSession, lineText: string): Promise<string[]> {
  const editor = vscode.page.locator('.editor-group-container.active .monaco-editor').first();
  const line = editor.locator('.view-line', { hasText: lineText }).first();
  const lineTop = (await line.boundingBox())?.y;
  if (lineTop === undefined) return [];
  const lenses = editor.locator('.codelens-decoration').filter({ visible: true });
  const boxes = await lenses.evaluateAll((nodes) => nodes.map((node) => ({ text: (node as HTMLElement).innerText, bottom: node.getBoundingClientRect().bottom })));
  const above = boxes.filter((box) => box.bottom <= lineTop + 1);
  const nearest = Math.max(...above.map((box) => box.bottom));
  return above.filter((box) => box.bottom === nearest).flatMap((box) => box.text.split(/\s*\|\s*/));
}

async function waitForLens(vscode: VsCodeSession, lineText: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await lensesAbove(vscode, lineText).catch(() => []);
    const match = seen.find((text) => pattern.test(text));
    if (match) return match;
    await new Promise((wake) => setTimeout(wake, 500));
  }
  const toasts = await vscode.notifications().catch(() => []);
  throw new Error(`no CodeLens matching ${pattern} above "${lineText}" within ${timeoutMs / 1000}s; seen: ${seen.join(' | ') || 'none'}; notifications: ${toasts.join(' | ') || 'none'}`);
}

describe('benchmarks in the Testing view, compared in the CodeLens (code-server)', { timeout: 10 * 60_000 }, () => {
  let vscode: VsCodeSession;
  let funcLine: number;
  /** The CodeLens with the comparison, as the first test saw it. */
  let comparedLens = '';
  const scratch = mkdtempSync(join(tmpdir(), 'goperf-e2e-testing-'));

  before(
    async () => {
      vscode = await launchVsCode({ name: 'testing', workspaceSettings: { 'goperf.bench.count': count, 'goperf.bench.benchtime': '3000x' } });
      const source = readFileSync(join(vscode.workspace, testFile), 'utf8');
      funcLine = source.split('\n').findIndex((text) => text.startsWith('func BenchmarkFib(')) + 1;
      assert.ok(funcLine > 0, 'BenchmarkFib not found in the sample');
    },
    { timeout: 5 * 60_000 },
  );

  after(async () => {
    await vscode?.close();
    rmSync(scratch, { recursive: true, force: true });
  }, { timeout: 60_000 });

  /** goperf: Compare Two Benchmark Runs…: the run before the newest as the old one, then the newest. */
  const compareLatestTwoFromPalette = async () => {
    await vscode.runCommand('goperf: Compare Two Benchmark Runs…');
    // The picks list runs newest first.
    await vscode.page.locator('.quick-input-widget input[placeholder^="The old run"]').waitFor();
    await vscode.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').nth(1).click();
    await vscode.page.locator('.quick-input-widget input[placeholder^="The new run"]').waitFor();
    await vscode.page.keyboard.press('Enter');
  };

  const runAtCursor = async () => {
    await vscode.goToLine(funcLine);
    await vscode.runCommand('Test: Run Test at Cursor');
  };

  test('run twice, mark the first as baseline, see benchstat\'s verdict in the CodeLens', { timeout: 6 * 60_000 }, async () => {
    await vscode.step('open the test file', () => vscode.openFile(testFile));
    await vscode.step('first run from the Testing API', runAtCursor);
    const first = await vscode.step(
      'the latest result appears above BenchmarkFib',
      () => waitForLens(vscode, 'func BenchmarkFib(', /s\/op ±\d+% · 0 B\/op · 0 allocs\/op · 17\.71k fib\/op/, runTimeoutMs),
      runTimeoutMs + 5_000,
    );
    assert.doesNotMatch(first, /vs baseline/);

    await vscode.step('mark the run as the baseline', async () => {
      await vscode.clickCodeLens('func BenchmarkFib(', 'mark baseline');
      await vscode.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor();
      await vscode.page.keyboard.press('Enter');
      await waitForLens(vscode, 'func BenchmarkFib(', /^\s*baseline$/, 20_000);
    });

    await vscode.step('second run from the Testing API', runAtCursor);
    const compared = await vscode.step(
      'the comparison with the baseline appears',
      () => waitForLens(vscode, 'func BenchmarkFib(', /vs baseline/, runTimeoutMs),
      runTimeoutMs + 5_000,
    );
    comparedLens = compared;
    await vscode.clearNotifications();
    await vscode.screenshot('testing-codelens-baseline');
    const verdict = /vs baseline (~|[−+]\d+\.\d{2}%) \((p=\d\.\d{3} n=6)\)/.exec(compared);
    assert.ok(verdict, `unexpected lens: ${compared}`);

    // The history on disk: two finished runs with everything a record needs.
    const path = historyFile(vscode.userDataDir);
    assert.ok(path, 'no results.jsonl in the workspace storage');
    const store = await ResultsStore.open(nodeFileBackend(fsPromises, path), path);
    assert.deepEqual(store.problems, []);
    const runs = store.runs();
    assert.deepEqual(runs.map((run) => run.status), ['ok', 'ok']);
    const goVersion = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
    for (const run of runs) {
      assert.equal(run.results.filter((r) => r.name === 'BenchmarkFib').length, count);
      assert.equal(run.goVersion, goVersion);
      assert.equal(run.pkg, 'example.com/goperf-sample/workload');
      assert.ok(run.cpu && run.goos && run.goarch);
      assert.deepEqual(run.flags.slice(run.flags.indexOf('-count'), run.flags.indexOf('-count') + 2), ['-count', String(count)]);
    }

    // benchstat on the exported runs prints the verdict the lens shows.
    writeFileSync(join(scratch, 'base.txt'), exportBenchfmt([runs[0]]));
    writeFileSync(join(scratch, 'new.txt'), exportBenchfmt([runs[1]]));
    const benchstat = runBenchstat(scratch, ['-format', 'csv', 'base.txt', 'new.txt']);
    assert.equal(benchstat.status, 0, benchstat.stderr);
    const row = benchstat.stdout.split('\n').find((line) => /^Fib(-\d+)?,/.test(line));
    assert.ok(row, benchstat.stdout);
    const cells = row.split(',');
    assert.equal(verdict[1].replace('−', '-'), cells[cells.length - 2], `delta in ${row}`);
    assert.equal(verdict[2], cells[cells.length - 1], `p and n in ${row}`);
  });

  test('the results panel lists both runs, filters by name and charts the history', { timeout: 2 * 60_000 }, async () => {
    await vscode.step('open the panel', () => vscode.runCommand('goperf: Show Benchmark Results'));
    const page = vscode.visibleWebview();
    await vscode.step('the table shows the recorded runs', () => page.locator('body[data-state="rendered"] tbody tr').first().waitFor());
    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), 2);
    const names = await rows.locator('td.name').allInnerTexts();
    assert.ok(names.every((name) => /^Fib(-\d+)?$/.test(name.trim())), names.join(', '));
    assert.equal(await page.locator('tbody tr.baseline').count(), 1, 'the baseline run is marked');
    // The newest run first, with the value its CodeLens shows.
    const newest = (await rows.first().locator('td.number').first().innerText()).trim();
    assert.ok(comparedLens.includes(newest), `panel ${newest} vs lens ${comparedLens}`);

    await vscode.step('sort by sec/op and filter', async () => {
      await page.locator('th[data-column="sec/op"]').click();
      await page.locator('th[data-column="sec/op"][aria-sort="descending"]').waitFor();
      await page.locator('input[type="search"]').fill('nosuchbenchmark');
      await page.locator('.count', { hasText: '0 of 2 rows' }).waitFor();
      await page.locator('input[type="search"]').fill('fib');
      await page.locator('.count', { hasText: '2 of 2 rows' }).waitFor();
    });
    await vscode.step('click a row to chart it', async () => {
      await rows.first().click();
      await page.locator('.chart svg circle').nth(1).waitFor();
    });
    assert.equal(await page.locator('.chart svg circle').count(), 2);
    await vscode.screenshot('testing-results-panel');
  });

  test('compare the two runs from the palette and in the panel: benchstat\'s table', { timeout: 60_000 }, async () => {
    const expected = benchstatTables(runBenchstat(scratch, ['base.txt', 'new.txt']).stdout);
    assert.ok(expected.has('sec/op'), 'benchstat printed no sec/op table');
    const page = vscode.visibleWebview();
    const shownRows = async () => {
      const shown: { unit: string; name: string; cells: string; notes: string[] }[] = [];
      for (const section of await page.locator('section.comparison .unit-table').all()) {
        const unit = (await section.getAttribute('data-unit'))!;
        for (const row of await section.locator('tbody tr:not(.geomean)').all()) {
          const cells = (await row.locator('td.old, td.new, td.delta, td.pn').allInnerTexts()).map((text) => text.trim()).filter((text) => text !== '');
          const notes = (await row.locator('td.notes').getAttribute('title')) ?? '';
          shown.push({ unit, name: (await row.getAttribute('data-name'))!, cells: cells.join(' '), notes: notes ? notes.split('\n') : [] });
        }
      }
      return shown;
    };
    const benchstatShows = [...expected].flatMap(([unit, table]) => table.rows.map((row) => ({ unit, ...row })));

    await vscode.step('goperf: Compare Two Benchmark Runs…, the first run, then the second', async () => {
      await compareLatestTwoFromPalette();
      await page.locator('section.comparison[data-state="shown"] .unit-table').first().waitFor();
    });
    assert.deepEqual(await shownRows(), benchstatShows);
    assert.equal(await page.locator('button.diff').count(), 0, 'runs without profiles offer no diff flame graph');
    await vscode.clearNotifications();
    await vscode.screenshot('testing-compare-runs');

    await vscode.step('close it, then compare again from the panel\'s run pickers', async () => {
      await page.locator('section.comparison button.close').click();
      await page.locator('section.comparison[data-state="closed"]').waitFor({ state: 'attached' });
      // The pickers default to the newest run against the baseline: the same two runs.
      assert.match(await page.locator('select[name="old"]').evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.text ?? ''), /\(baseline\)$/);
      await page.locator('.toolbar.compare button').click();
      await page.locator('section.comparison[data-state="shown"] .unit-table').first().waitFor();
    });
    assert.deepEqual(await shownRows(), benchstatShows);
  });

  test('regression → cause: two CPU-profiled runs compared in the panel open their differential flame graph', { timeout: 3 * 60_000 }, async () => {
    /** Finished runs on disk that recorded a CPU profile (read as text: the extension may be appending). */
    const profiledRuns = () =>
      readFileSync(historyFile(vscode.userDataDir)!, 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as RunRecord];
          } catch {
            return [];
          }
        })
        .filter((run) => run.id && run.status === 'ok' && run.benchmarks?.includes('BenchmarkFib') && run.profiles?.some((profile) => profile.kind === 'cpu'))
        .map((run) => run.id);
    const sourceLine = () => vscode.page.locator('.monaco-editor .view-line', { hasText: 'func BenchmarkFib(' }).filter({ visible: true }).first();
    const profileOnce = async (expected: number) => {
      if (expected === 1) {
        await vscode.openFile(testFile);
        await vscode.goToLine(funcLine);
      } else {
        // The first profile's flame graph opened beside and holds the focus (the palette does not open from it): back to the source.
        await sourceLine().click();
      }
      // The lenses are redrawn when a run is recorded: click only once the row above BenchmarkFib is back.
      await waitForLens(vscode, 'func BenchmarkFib(', /profile CPU/, 20_000);
      await vscode.clickCodeLens('func BenchmarkFib(', 'profile CPU');
      const deadline = Date.now() + runTimeoutMs;
      while (new Set(profiledRuns()).size < expected && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 500));
      assert.equal(new Set(profiledRuns()).size, expected, 'the profiled run was not recorded');
      // Its flame graph opens beside after the record and takes the focus: wait for it before going on.
      await vscode.page.locator('.tab.active', { hasText: 'BenchmarkFib-cpu-' }).filter({ visible: true }).first().waitFor();
      await new Promise((wake) => setTimeout(wake, 1_000));
    };
    await vscode.step('profile CPU twice from the CodeLens', async () => {
      await profileOnce(1);
      await profileOnce(2);
    }, 2 * runTimeoutMs);

    const page = vscode.visibleWebview();
    await vscode.step('compare the two profiled runs', async () => {
      // Out of the flame graph, which keeps the palette's keys.
      await sourceLine().click();
      await compareLatestTwoFromPalette();
      await page.locator('section.comparison[data-state="shown"] .unit-table[data-unit="sec/op"]').waitFor();
    });
    const [oldRun, newRun] = [...new Set(profiledRuns())];
    const store = await ResultsStore.open(nodeFileBackend(fsPromises, historyFile(vscode.userDataDir)!));
    const cpuProfile = (id: string) => store.get(id)!.profiles.find((profile) => profile.kind === 'cpu')!.path.split('/').pop()!;

    await vscode.step('"Diff flame graph (CPU)" on the Fib row opens the new profile minus the old', async () => {
      const row = page.locator('.unit-table[data-unit="sec/op"] tbody tr[data-name^="Fib"]');
      await row.hover();
      await row.locator('button.diff', { hasText: 'Diff flame graph (CPU)' }).click();
      // The flame graph may open beside the panel, so every webview frame is searched for its base label.
      const expected = `minus ${cpuProfile(oldRun)} (-diff_base -normalize)`;
      let labels: string[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && !labels.some((label) => label.includes(expected)); ) {
        await new Promise((wake) => setTimeout(wake, 500));
        const frames = vscode.page.frames();
        labels = (await Promise.all(frames.map((frame) => frame.evaluate(() => document.querySelector('.base-label')?.textContent ?? '').catch(() => '')))).filter(Boolean);
      }
      assert.ok(labels.some((label) => label.includes(expected)), `no flame graph labelled "${expected}"; seen: ${labels.join(' | ') || 'none'}`);
      await vscode.page.locator('.tab', { hasText: cpuProfile(newRun) }).first().waitFor();
    });
    await vscode.clearNotifications();
    await vscode.screenshot('testing-compare-diff-flame');
  });
});
