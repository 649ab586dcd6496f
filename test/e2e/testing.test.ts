// End to end: in a real VS Code, run a sample benchmark twice through the
// Testing API ("Test: Run Test at Cursor" runs goperf's test item), mark the
// first run as the baseline from its CodeLens, and read the comparison in
// the CodeLens. The recorded history is then exported and given to
// golang.org/x/perf's benchstat, whose verdict must be the one shown.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fsPromises, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportBenchfmt, nodeFileBackend, ResultsStore } from '../../src/core/bench/store';
import { runBenchstat } from '../fixtures/benchstat/oracle';
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
      vscode = await launchVsCode({ name: 'testing' });
      mkdirSync(join(vscode.workspace, '.vscode'), { recursive: true });
      writeFileSync(
        join(vscode.workspace, '.vscode', 'settings.json'),
        JSON.stringify({ 'goperf.bench.count': count, 'goperf.bench.benchtime': '3000x' }, null, 2),
      );
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
});
