// CodeLens above each benchmark in a `_test.go` file: run, profile CPU,
// profile memory, and the latest result once there is one.
import * as vscode from 'vscode';
import { formatMeasurements, type BenchSummary } from '../core/bench/summary';
import { findBenchmarks, isGoTestFile } from '../core/go/benchmarks';
import { codeLensEnabled } from './settings';

export interface LatestResult {
  summaries: BenchSummary[];
  finishedAt: Date;
}

/** Latest results and running state per benchmark, shared by the lens and the commands. */
export class BenchState {
  private readonly results = new Map<string, LatestResult>();
  private running: { key: string; label: string } | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  private static key(uri: vscode.Uri, benchmark: string): string {
    return `${uri.toString()}#${benchmark}`;
  }

  setResult(uri: vscode.Uri, benchmark: string, result: LatestResult): void {
    this.results.set(BenchState.key(uri, benchmark), result);
    this.changed.fire();
  }

  result(uri: vscode.Uri, benchmark: string): LatestResult | undefined {
    return this.results.get(BenchState.key(uri, benchmark));
  }

  setRunning(uri: vscode.Uri, benchmark: string, label: string): void {
    this.running = { key: BenchState.key(uri, benchmark), label };
    this.changed.fire();
  }

  /** Redraws the lenses, e.g. after goperf.codeLens.enabled changed. */
  refresh(): void {
    this.changed.fire();
  }

  clearRunning(): void {
    this.running = undefined;
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

/** CodeLens shows at most this many sub-benchmark results; the output has all of them. */
const maxResultLenses = 3;

function resultTitles(benchmark: string, summaries: readonly BenchSummary[]): string[] {
  const severalProcs = new Set(summaries.map((s) => s.procs)).size > 1;
  const titles = summaries.map((summary) => {
    const subName = summary.name === benchmark ? '' : summary.name.slice(benchmark.length + 1);
    const label = severalProcs ? `${subName}${subName ? '-' : ''}${summary.procs}` : subName;
    return `${label ? `${label}: ` : ''}${formatMeasurements(summary.measurements)}`;
  });
  if (titles.length > maxResultLenses) {
    return [...titles.slice(0, maxResultLenses), `+${titles.length - maxResultLenses} more`];
  }
  return titles;
}

export class BenchCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly state: BenchState) {
    this.onDidChangeCodeLenses = state.onDidChange;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
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
      );
      const latest = this.state.result(document.uri, name);
      if (latest) {
        const tooltip = `Latest result, ${latest.finishedAt.toLocaleTimeString()}; click for the full output`;
        for (const title of resultTitles(name, latest.summaries)) {
          lenses.push(new vscode.CodeLens(range, { title: `$(history) ${title}`, command: 'goperf.showOutput', tooltip }));
        }
      }
    }
    return lenses;
  }
}
