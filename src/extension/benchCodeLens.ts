// CodeLens above each benchmark in a `_test.go` file: run, profile CPU,
// profile memory, and from the recorded history its latest result and how
// it compares with the baseline the user marked.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { benchmarkLens } from '../core/bench/lens';
import { findBenchmarks, isGoTestFile } from '../core/go/benchmarks';
import { describeRun, type BenchResults } from './results';
import { codeLensEnabled } from './settings';

const runningContextKey = 'goperf.benchmarkRunning';

/** What is running, shared by the lens, the commands and the Testing view (benchmarks run one at a time). */
export class BenchState {
  private running: { key: string; label: string; cancel: () => void } | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  private static key(uri: vscode.Uri, benchmark: string): string {
    return `${uri.toString()}#${benchmark}`;
  }

  /** Marks a run as started; `cancel` is what goperf.cancel (and the lens's "cancel") calls. */
  setRunning(uri: vscode.Uri, benchmark: string, label: string, cancel: () => void): void {
    this.running = { key: BenchState.key(uri, benchmark), label, cancel };
    void vscode.commands.executeCommand('setContext', runningContextKey, true);
    this.changed.fire();
  }

  cancelRunning(): void {
    this.running?.cancel();
  }

  /** Redraws the lenses, e.g. after goperf.codeLens.enabled changed. */
  refresh(): void {
    this.changed.fire();
  }

  clearRunning(): void {
    this.running = undefined;
    void vscode.commands.executeCommand('setContext', runningContextKey, false);
    this.changed.fire();
  }

  /** What is running, for messages ("BenchmarkParse (CPU profile)"). */
  runningLabel(): string | undefined {
    return this.running?.label;
  }

  isRunning(uri: vscode.Uri, benchmark: string): boolean {
    return this.running?.key === BenchState.key(uri, benchmark);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** CodeLens shows at most this many sub-benchmark results; the tooltip and the output have all of them. */
const maxResultLenses = 3;

export class BenchCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(
    private readonly state: BenchState,
    private readonly results: BenchResults,
  ) {
    this.onDidChangeCodeLenses = (listener, thisArg, disposables) => {
      const fromState = state.onDidChange(listener, thisArg);
      const fromResults = results.onDidChange(listener, thisArg);
      const both = vscode.Disposable.from(fromState, fromResults);
      disposables?.push(both);
      return both;
    };
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!isGoTestFile(document.uri.path) || !codeLensEnabled(document.uri)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const { name, line } of findBenchmarks(document.getText())) {
      const range = new vscode.Range(line, 0, line, 0);
      const args = [document.uri, name];
      if (this.state.isRunning(document.uri, name)) {
        lenses.push(
          new vscode.CodeLens(range, { title: '$(loading~spin) running… cancel', command: 'goperf.cancel', arguments: [] }),
        );
        continue;
      }
      lenses.push(
        new vscode.CodeLens(range, { title: '$(play) run', command: 'goperf.runBenchmark', arguments: args, tooltip: `Run ${name}` }),
        new vscode.CodeLens(range, {
          title: '$(flame) profile CPU',
          command: 'goperf.profileCpu',
          arguments: args,
          tooltip: `Run ${name} with a CPU profile and open its flame graph`,
        }),
        new vscode.CodeLens(range, {
          title: '$(database) profile memory',
          command: 'goperf.profileMemory',
          arguments: args,
          tooltip: `Run ${name} with a memory profile and open its flame graph`,
        }),
        new vscode.CodeLens(range, {
          title: '$(pulse) trace',
          command: 'goperf.traceBenchmark',
          arguments: args,
          tooltip: `Run ${name} with an execution trace and open its timeline`,
        }),
      );
      lenses.push(...(await this.resultLenses(document.uri, name, range)));
    }
    return lenses;
  }

  private async resultLenses(uri: vscode.Uri, benchmark: string, range: vscode.Range): Promise<vscode.CodeLens[]> {
    const history = await this.results.history(dirname(uri.fsPath), benchmark).catch(() => undefined);
    if (!history) return [];
    const lenses: vscode.CodeLens[] = [];
    if (history.lastFailure) {
      const { status, message } = history.lastFailure;
      lenses.push(
        new vscode.CodeLens(range, {
          title: `$(${status === 'cancelled' ? 'circle-slash' : 'error'}) last run ${status}`,
          command: 'goperf.showOutput',
          tooltip: message ?? status,
        }),
      );
    }
    const { latest, baseline } = history;
    if (!latest) return lenses;
    const rows = benchmarkLens(benchmark, latest, baseline);
    for (const row of rows.slice(0, maxResultLenses)) {
      const delta = row.delta ? ` · vs baseline ${row.delta}` : '';
      const icon = row.regression ? '$(arrow-up)' : '$(history)';
      const tooltip = [
        `${benchmark}${row.label ? `/${row.label}` : ''}: latest run ${describeRun(latest)}`,
        ...(baseline ? [`baseline: ${describeRun(baseline)}`] : []),
        ...row.details,
        ...row.warnings.map((warning) => `note: ${warning}`),
      ].join('\n');
      lenses.push(
        new vscode.CodeLens(range, {
          title: `${icon} ${row.label ? `${row.label}: ` : ''}${row.result}${delta}`,
          command: 'goperf.showOutput',
          tooltip,
        }),
      );
    }
    if (rows.length > maxResultLenses) {
      lenses.push(new vscode.CodeLens(range, { title: `+${rows.length - maxResultLenses} more`, command: 'goperf.showOutput' }));
    }
    const profiled = (run: typeof latest) => run.profiles.some((p) => p.kind === 'cpu' || p.kind === 'mem');
    if (baseline && baseline.id !== latest.id && profiled(latest) && profiled(baseline)) {
      lenses.push(
        new vscode.CodeLens(range, {
          title: '$(diff) diff profiles',
          command: 'goperf.openComparedProfiles',
          arguments: [uri, benchmark],
          tooltip: "The latest run's profile against the baseline's, as a differential flame graph",
        }),
      );
    }
    lenses.push(
      new vscode.CodeLens(range, {
        title: baseline ? '$(pinned) baseline' : '$(pin) mark baseline',
        command: 'goperf.markBaseline',
        arguments: [uri, benchmark],
        tooltip: baseline ? `Baseline: ${describeRun(baseline)}. Click to change it.` : 'Compare later runs of this benchmark with a recorded run',
      }),
    );
    return lenses;
  }
}
