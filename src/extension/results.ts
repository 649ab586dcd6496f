// The workspace's benchmark history in the editor: every run (from the
// CodeLens, the palette or the Testing view) recorded in the results store
// under the workspace storage, the baseline a user marked per benchmark,
// and the export/import commands.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { compareRunPair, type RunComparison } from '../core/bench/comparison';
import { belongsTo } from '../core/bench/lens';
import {
  closeInterrupted,
  exportBenchfmt,
  importBenchfmt,
  interruptedRuns,
  nodeFileBackend,
  ResultsStore,
  resultsFromOutput,
  runStatus,
  type RunRecord,
} from '../core/bench/store';
import { runEnvironment, type GoTestRunResult } from '../core/go/bench';
import { findBenchmarks, isGoTestFile } from '../core/go/benchmarks';
import { ResultsPanel } from './resultsPanel';

const baselinesKey = 'goperf.bench.baselines';

export interface RunStart {
  packageDir: string;
  benchmarks: readonly string[];
  count: number;
  goPath: string;
  env?: Record<string, string>;
}

/** The runs of one benchmark function that the editor shows. */
export interface BenchmarkHistory {
  /** The latest finished run that has results for it. */
  latest?: RunRecord;
  /** The latest finished run of it, when that one failed or was cancelled. */
  lastFailure?: RunRecord;
  baseline?: RunRecord;
}

function runId(now: Date): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
}

/** `27 Nov 20:14:05 · abc1234* · go1.26` for pickers (seconds tell apart runs started one after the other). */
export function describeRun(run: RunRecord): string {
  const when = new Date(run.startedAt).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const commit = run.git ? ` · ${run.git.commit.slice(0, 7)}${run.git.dirty ? '*' : ''}` : '';
  const source = run.importedFrom ? ` · imported from ${run.importedFrom}` : '';
  return `${when}${commit}${run.goVersion ? ` · ${run.goVersion}` : ''}${source}`;
}

export class BenchResults implements vscode.Disposable {
  private opened: Promise<ResultsStore> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly path: string;

  constructor(
    storageDir: vscode.Uri,
    private readonly memento: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.path = join(storageDir.fsPath, 'bench', 'results.jsonl');
  }

  /** Opens the store on first use; runs a closed editor left "running" are closed as cancelled. */
  store(): Promise<ResultsStore> {
    this.opened ??= (async () => {
      const store = await ResultsStore.open(nodeFileBackend(fs, this.path), this.path);
      for (const problem of store.problems) this.log.warn(`benchmark history: ${problem}`);
      if (store.problems.length > 0) {
        void vscode.window.showWarningMessage(`goperf: the benchmark history had damaged lines: ${store.problems[0]}`);
      }
      if (store.readOnlyReason) this.log.warn(`benchmark history: ${store.readOnlyReason}`);
      else for (const run of interruptedRuns(store)) await store.put(closeInterrupted(run, new Date()));
      return store;
    })();
    return this.opened;
  }

  /** Records a run as started (with the Go version and git state) and returns its id. */
  async begin(start: RunStart): Promise<string | undefined> {
    try {
      const store = await this.store();
      const now = new Date();
      const environment = await runEnvironment(start.goPath, start.packageDir, start.env);
      const record: RunRecord = {
        id: runId(now),
        startedAt: now.toISOString(),
        status: 'running',
        pkg: start.packageDir,
        packageDir: start.packageDir,
        benchmarks: [...start.benchmarks],
        flags: [],
        count: start.count,
        ...environment,
        profiles: [],
        results: [],
      };
      await store.put(record);
      return record.id;
    } catch (error) {
      // The run itself matters more than its record.
      this.log.error(`benchmark history: cannot record the run: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Records how the run ended: its results, status and message, profiles and the exact flags. */
  async finish(id: string | undefined, outcome: GoTestRunResult | { error: Error }): Promise<void> {
    if (!id) return;
    try {
      const store = await this.store();
      const finishedAt = new Date().toISOString();
      if ('error' in outcome) {
        await store.update(id, { status: 'failed', message: outcome.error.message, finishedAt });
      } else {
        const { output } = outcome;
        await store.update(id, {
          status: runStatus(outcome.outcome),
          ...(outcome.message ? { message: outcome.message } : {}),
          pkg: output.config.pkg ?? store.get(id)?.pkg ?? '',
          flags: outcome.args,
          goos: output.config.goos,
          goarch: output.config.goarch,
          cpu: output.config.cpu,
          profiles: outcome.profiles,
          results: resultsFromOutput(output),
          finishedAt,
        });
      }
    } catch (error) {
      this.log.error(`benchmark history: cannot record the end of run ${id}: ${(error as Error).message}`);
    }
    this.changed.fire();
  }

  private static baselineKey(packageDir: string, benchmark: string): string {
    return `${packageDir}\n${benchmark}`;
  }

  /** Runs that can serve as this benchmark's baseline: local runs of the package, and imported ones, with results for it. */
  async candidates(packageDir: string, benchmark: string): Promise<RunRecord[]> {
    const store = await this.store();
    return store
      .runs()
      .filter((run) => (run.packageDir === packageDir || run.importedFrom !== undefined) && run.results.some((r) => belongsTo(r, benchmark)));
  }

  async history(packageDir: string, benchmark: string): Promise<BenchmarkHistory> {
    const store = await this.store();
    const own = store.runs().filter((run) => run.packageDir === packageDir && run.status !== 'running' && run.benchmarks.includes(benchmark));
    const withResults = own.filter((run) => run.results.some((r) => belongsTo(r, benchmark)));
    const last = own[own.length - 1];
    const baselineId = this.memento.get<Record<string, string>>(baselinesKey, {})[BenchResults.baselineKey(packageDir, benchmark)];
    return {
      latest: withResults[withResults.length - 1],
      lastFailure: last && last.status !== 'ok' ? last : undefined,
      baseline: baselineId ? store.get(baselineId) : undefined,
    };
  }

  /** Every run marked as some benchmark's baseline. */
  async baselineRunIds(): Promise<string[]> {
    return [...new Set(Object.values(this.memento.get<Record<string, string>>(baselinesKey, {})))];
  }

  async setBaseline(packageDir: string, benchmark: string, runId: string | undefined): Promise<void> {
    const baselines = { ...this.memento.get<Record<string, string>>(baselinesKey, {}) };
    const key = BenchResults.baselineKey(packageDir, benchmark);
    if (runId) baselines[key] = runId;
    else delete baselines[key];
    await this.memento.update(baselinesKey, baselines);
    this.changed.fire();
  }

  /** goperf.markBaseline: from a CodeLens (uri, name) or the palette (asks). */
  async markBaseline(uri?: vscode.Uri, benchmark?: string): Promise<void> {
    if (!(uri instanceof vscode.Uri) || typeof benchmark !== 'string') {
      const document = vscode.window.activeTextEditor?.document;
      if (!document || !isGoTestFile(document.uri.path)) {
        void vscode.window.showErrorMessage('Open a Go test file (_test.go) with benchmarks, then mark a baseline again.');
        return;
      }
      const picked = await vscode.window.showQuickPick(
        findBenchmarks(document.getText()).map(({ name }) => name),
        { placeHolder: 'Benchmark whose baseline to set' },
      );
      if (!picked) return;
      ({ uri, benchmark } = { uri: document.uri, benchmark: picked });
    }
    const packageDir = dirname(uri.fsPath);
    const candidates = (await this.candidates(packageDir, benchmark)).reverse();
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(`${benchmark} has no recorded results yet: run it first, or import results (goperf: Import Benchmark Results…).`);
      return;
    }
    const current = (await this.history(packageDir, benchmark)).baseline?.id;
    const clear = { label: '$(close) No baseline', run: undefined as RunRecord | undefined };
    const items = candidates.map((run) => ({
      label: `${run.id === current ? '$(pinned) ' : ''}${describeRun(run)}`,
      description: `${run.results.filter((r) => belongsTo(r, benchmark)).length} results · ${run.status}`,
      detail: run.message,
      run: run as RunRecord | undefined,
    }));
    const picked = await vscode.window.showQuickPick([...items, ...(current ? [clear] : [])], {
      placeHolder: `Baseline for ${benchmark}: later runs are compared with it`,
    });
    if (!picked) return;
    await this.setBaseline(packageDir, benchmark, picked.run?.id);
  }

  /** goperf.openComparedProfiles: the latest run's CPU (else memory) profile as a differential flame graph against the baseline's. */
  async openComparedProfiles(uri: vscode.Uri, benchmark: string): Promise<void> {
    const { latest, baseline } = await this.history(dirname(uri.fsPath), benchmark);
    const kind = ['cpu', 'mem'].find((k) => latest?.profiles.some((p) => p.kind === k) && baseline?.profiles.some((p) => p.kind === k));
    if (!latest || !baseline || !kind) {
      void vscode.window.showInformationMessage(`goperf: the baseline and the latest run of ${benchmark} need a CPU or memory profile each; profile both runs.`);
      return;
    }
    await this.openRunProfiles(baseline.id, latest.id, kind);
  }

  /** Two recorded runs compared as benchstat compares their exports, with labels for their columns. */
  async comparison(oldRunId: string, newRunId: string): Promise<{ comparison: RunComparison; labels: [string, string] }> {
    const store = await this.store();
    const [oldRun, newRun] = [oldRunId, newRunId].map((id) => store.get(id));
    if (!oldRun || !newRun) throw new Error('one of the runs to compare is no longer in the benchmark history');
    if (oldRun.id === newRun.id) throw new Error('pick two different runs to compare');
    return { comparison: compareRunPair(oldRun, newRun), labels: [describeRun(oldRun), describeRun(newRun)] };
  }

  /** goperf.compareRuns from the palette: the old run, then the new one. */
  async pickRunPair(): Promise<{ oldRunId: string; newRunId: string } | undefined> {
    const runs = (await this.store()).runs().filter((run) => run.results.length > 0).reverse();
    if (runs.length < 2) {
      void vscode.window.showInformationMessage(
        `goperf: comparing needs two runs with results; the history has ${runs.length}. Run a benchmark, or import results (goperf: Import Benchmark Results…).`,
      );
      return undefined;
    }
    const baselines = await this.baselineRunIds();
    const items = (candidates: RunRecord[]) =>
      candidates.map((run) => ({
        label: `${baselines.includes(run.id) ? '$(pinned) ' : ''}${describeRun(run)}`,
        description: [...new Set(run.results.map((result) => result.name.replace(/^Benchmark/, '')))].join(', '),
        detail: `${run.status}${run.message ? ` (${run.message})` : ''} · ${run.results.length} result lines`,
        run,
      }));
    const older = await vscode.window.showQuickPick(items(runs), { title: 'Compare Two Benchmark Runs (1/2)', placeHolder: 'The old run: the base of the comparison', matchOnDescription: true });
    if (!older) return undefined;
    const newer = await vscode.window.showQuickPick(items(runs.filter((run) => run !== older.run)), {
      title: 'Compare Two Benchmark Runs (2/2)',
      placeHolder: `The new run, compared with ${describeRun(older.run)}`,
      matchOnDescription: true,
    });
    return newer && { oldRunId: older.run.id, newRunId: newer.run.id };
  }

  /**
   * The new run's profile of this kind as a differential flame graph against
   * the old run's, normalised because the runs need not have run the same
   * number of iterations.
   */
  async openRunProfiles(oldRunId: string, newRunId: string, kind: string): Promise<void> {
    const store = await this.store();
    const profileOf = (id: string) => store.get(id)?.profiles.find((profile) => profile.kind === kind)?.path;
    const [oldProfile, newProfile] = [profileOf(oldRunId), profileOf(newRunId)];
    if (!oldProfile || !newProfile) {
      void vscode.window.showInformationMessage(`goperf: both runs need a ${kind} profile for a differential flame graph; profile both runs.`);
      return;
    }
    for (const path of [oldProfile, newProfile]) {
      if (!(await fs.stat(path).then((stat) => stat.isFile(), () => false))) {
        void vscode.window.showErrorMessage(`goperf: the ${kind} profile ${path} recorded with the run no longer exists.`);
        return;
      }
    }
    await vscode.commands.executeCommand('goperf.compareProfiles', vscode.Uri.file(newProfile), vscode.Uri.file(oldProfile), 'diff_base', true);
  }

  /** goperf.exportResults: chosen runs as benchfmt text. */
  async exportResults(): Promise<void> {
    const runs = (await this.store()).runs().filter((run) => run.results.length > 0).reverse();
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('goperf has no benchmark results to export yet.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((run) => ({ label: describeRun(run), description: run.benchmarks.join(', '), detail: `${run.results.length} result lines · ${run.status}`, run, picked: run === runs[0] })),
      { canPickMany: true, placeHolder: 'Runs to export as benchfmt text (readable by benchstat)' },
    );
    if (!picked || picked.length === 0) return;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd()), 'bench.txt'),
      filters: { 'benchfmt text': ['txt'] },
      saveLabel: 'Export',
    });
    if (!target) return;
    const chosen = picked.map((item) => item.run).reverse();
    // Several runs carry their commit and id as configuration, so benchstat keeps them apart.
    const text = exportBenchfmt(chosen, { withRunInfo: chosen.length > 1 });
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    this.log.info(`Exported ${chosen.length} run(s) to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`goperf: exported ${chosen.length} run${chosen.length === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(target)}.`);
  }

  /** goperf.importResults: benchfmt text from a file (or the clipboard) becomes a run in the history. */
  async importResults(uri?: vscode.Uri): Promise<void> {
    let text: string;
    let name: string;
    if (uri instanceof vscode.Uri) {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      name = vscode.workspace.asRelativePath(uri);
    } else {
      const fromFile = { label: '$(file) From a file…' };
      const fromClipboard = { label: '$(clippy) From the clipboard' };
      const source = await vscode.window.showQuickPick([fromFile, fromClipboard], { placeHolder: 'Benchmark results in benchfmt text (go test -bench output, benchstat input)' });
      if (!source) return;
      if (source === fromClipboard) {
        text = await vscode.env.clipboard.readText();
        name = 'clipboard';
      } else {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Import', filters: { 'benchfmt text': ['txt', 'out', 'log'], 'All files': ['*'] } });
        if (!picked?.[0]) return;
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(picked[0]));
        name = vscode.workspace.asRelativePath(picked[0]);
      }
    }
    const { record, problems } = importBenchfmt(text, name, runId(new Date()), new Date());
    for (const problem of problems) this.log.warn(`import: ${problem}`);
    if (!record) {
      void vscode.window.showErrorMessage(`goperf: ${problems[problems.length - 1]}`);
      return;
    }
    await (await this.store()).put(record);
    this.changed.fire();
    const skipped = problems.length > 0 ? ` ${problems.length} line${problems.length === 1 ? ' was' : 's were'} skipped (see the goperf output): ${problems[0]}` : '';
    void vscode.window.showInformationMessage(
      `goperf: imported ${record.results.length} results of ${record.benchmarks.length} benchmarks from ${name}; mark it as a baseline to compare.${skipped}`,
    );
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The history, its baselines, the results panel and the commands that manage them. */
export function registerResults(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): BenchResults {
  const results = new BenchResults(context.storageUri ?? context.globalStorageUri, context.workspaceState, log);
  const failSafe = (action: () => Promise<void>) => async () => {
    try {
      await action();
    } catch (error) {
      log.error((error as Error).message);
      void vscode.window.showErrorMessage(`goperf: ${(error as Error).message}`);
    }
  };
  const panel = new ResultsPanel(context.extensionUri, results, log);
  context.subscriptions.push(
    results,
    panel,
    vscode.commands.registerCommand('goperf.showResults', () => panel.show()),
    vscode.commands.registerCommand(
      'goperf.compareRuns',
      failSafe(async () => {
        const pair = await results.pickRunPair();
        if (pair) panel.showComparison(pair.oldRunId, pair.newRunId);
      }),
    ),
    vscode.commands.registerCommand('goperf.markBaseline', (uri?: vscode.Uri, name?: string) => failSafe(() => results.markBaseline(uri, name))()),
    vscode.commands.registerCommand('goperf.openComparedProfiles', (uri: vscode.Uri, name: string) => failSafe(() => results.openComparedProfiles(uri, name))()),
    vscode.commands.registerCommand('goperf.exportResults', failSafe(() => results.exportResults())),
    vscode.commands.registerCommand('goperf.importResults', (uri?: vscode.Uri) => failSafe(() => results.importResults(uri))()),
  );
  return results;
}
