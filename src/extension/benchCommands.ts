// The run/profile benchmark commands: trust check, progress with cancel,
// output streaming, result summary and opening the profile.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { formatSummary, summarizeResults } from '../core/bench/summary';
import { runBenchmark, type BenchSettings, type ProfileKind } from '../core/go/bench';
import { findBenchmarks, isGoTestFile } from '../core/go/benchmarks';
import { describeTarget, runsOnHost, targetEnv, targetTagArgs } from '../core/go/target';
import type { BenchState } from './benchCodeLens';
import { refuseUntrusted, reportGoNotFound } from './guards';
import { profileEditorViewType } from './profileEditor';
import type { BenchResults } from './results';
import { benchSettings, goPath } from './settings';
import { traceEditorViewType } from './traceEditor';
import type { TargetStore } from './target';

/** The profile kinds the CodeLens and palette commands offer (the Testing view offers all). */
type CommandProfileKind = Extract<ProfileKind, 'cpu' | 'mem' | 'trace'>;

const kindLabel: Record<CommandProfileKind | 'none', string> = {
  none: 'Running',
  cpu: 'Profiling CPU of',
  mem: 'Profiling memory of',
  trace: 'Tracing',
};

const kindSuffix: Record<CommandProfileKind, string> = {
  cpu: ' (CPU profile)',
  mem: ' (memory profile)',
  trace: ' (execution trace)',
};

export class BenchRunner {
  private current: Promise<void> | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly state: BenchState,
    private readonly storageDir: vscode.Uri,
    private readonly target: TargetStore,
    private readonly results: BenchResults,
  ) {}

  /** goperf.cancel: stops whatever benchmark run is going on (this runner's or the Testing view's). */
  cancel(): void {
    this.state.cancelRunning();
  }

  /** Cancels the running benchmark and resolves once its processes are gone. */
  async stop(): Promise<void> {
    this.cancel();
    // Shutting down: failures to update the UI no longer matter.
    await this.current?.catch(() => undefined);
  }

  /** Runs from a CodeLens (uri and name given) or the palette (asks for the benchmark). */
  async run(kind: CommandProfileKind | undefined, uri?: vscode.Uri, benchmark?: string): Promise<void> {
    if (await refuseUntrusted('run benchmarks', 'running go test executes code from this folder')) return;
    if (!(uri instanceof vscode.Uri) || typeof benchmark !== 'string') {
      const picked = await this.pickBenchmark(kind);
      if (!picked) return;
      ({ uri, benchmark } = picked);
    }
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`goperf runs benchmarks only in files on disk, not ${uri.toString()}.`);
      return;
    }
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    // go test reads the files on disk.
    if (document?.isDirty && !(await document.save())) {
      void vscode.window.showErrorMessage(`Save ${vscode.workspace.asRelativePath(uri)} before running ${benchmark}.`);
      return;
    }
    const target = await targetRunOptions(this.target).catch((error: unknown) => {
      void vscode.window.showErrorMessage(`goperf: ${(error as Error).message}`);
      return undefined;
    });
    if (!target) return;
    // Checked after the last await so that two quick clicks cannot both start.
    const running = this.state.runningLabel();
    if (running) {
      void vscode.window.showWarningMessage(
        `${running} is still running; cancel it first (goperf: Cancel Running Benchmark). Benchmarks run one at a time so their timings do not disturb each other.`,
      );
      return;
    }
    this.current = this.runWithProgress(kind, uri, benchmark, target);
    await this.current;
  }

  private async pickBenchmark(kind: CommandProfileKind | undefined): Promise<{ uri: vscode.Uri; benchmark: string } | undefined> {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !isGoTestFile(document.uri.path)) {
      void vscode.window.showErrorMessage('Open a Go test file (_test.go) with benchmarks, then run this command again.');
      return undefined;
    }
    const benchmarks = findBenchmarks(document.getText());
    if (benchmarks.length === 0) {
      void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(document.uri)} has no benchmark functions.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      benchmarks.map(({ name, line }) => ({ label: name, description: `line ${line + 1}` })),
      { placeHolder: `${kindLabel[kind ?? 'none']}…`, matchOnDescription: false },
    );
    return picked && { uri: document.uri, benchmark: picked.label };
  }

  private async runWithProgress(
    kind: CommandProfileKind | undefined,
    uri: vscode.Uri,
    benchmark: string,
    target: { env?: Record<string, string>; tagArgs: string[] },
  ): Promise<void> {
    const label = `${benchmark}${kind ? kindSuffix[kind] : ''}`;
    const abort = new AbortController();
    this.state.setRunning(uri, benchmark, label, () => abort.abort());
    const packageDir = dirname(uri.fsPath);
    try {
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `goperf: ${kindLabel[kind ?? 'none']} ${benchmark}`,
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          progress.report({ message: 'building…' });
          let results = 0;
          const settings = withTagArgs(benchSettings(uri), target.tagArgs);
          const runId = await this.results.begin({ packageDir, benchmarks: [benchmark], count: settings.count, goPath: goPath(uri), env: target.env });
          const run = runBenchmark({
            goPath: goPath(uri),
            packageDir,
            benchmark,
            profileKind: kind,
            storageDir: this.storageDir.fsPath,
            ...settings,
            env: target.env,
            signal: abort.signal,
            onCommand: (commandLine) => this.log.info(`Running in ${packageDir}: ${commandLine}`),
            onLine: (line, stream) => {
              if (stream === 'stderr') this.log.warn(line);
              else this.log.info(line);
              if (stream === 'stdout' && line.startsWith('goos:')) progress.report({ message: 'running…' });
              if (stream === 'stdout' && /^Benchmark\S*\s+\d+\s/.test(line)) {
                results++;
                progress.report({ message: `running… ${results} result${results === 1 ? '' : 's'}` });
              }
            },
          });
          await this.results.finish(runId, await run.catch((error: Error) => ({ error })));
          return run;
        },
      );

      if (result.outcome !== 'ok') {
        this.log.error(result.message);
        if (result.outcome === 'cancelled') {
          void vscode.window.showInformationMessage(result.message);
        } else {
          this.log.show(true);
          void vscode.window.showErrorMessage(`goperf: ${result.message}`);
        }
        return;
      }

      const summaries = summarizeResults(result.output.results);
      const lines = summaries.map(formatSummary);
      for (const line of lines) this.log.info(line);
      const shown = lines.length > 3 ? [...lines.slice(0, 3), `and ${lines.length - 3} more`] : lines;
      vscode.window.setStatusBarMessage(`$(history) ${lines[0]}`, 15_000);
      const showOutput = 'Show Output';
      void vscode.window.showInformationMessage(shown.join(' ; '), showOutput).then((choice) => {
        if (choice === showOutput) this.log.show(true);
      });

      if (result.profilePath) {
        this.log.info(`${kind === 'trace' ? 'Trace' : 'Profile'} written to ${result.profilePath}`);
        await vscode.commands.executeCommand(
          'vscode.openWith',
          vscode.Uri.file(result.profilePath),
          kind === 'trace' ? traceEditorViewType : profileEditorViewType,
          vscode.ViewColumn.Beside,
        );
      }
    } catch (error) {
      if (reportGoNotFound(error, this.log)) return;
      const message = `${benchmark} could not run: ${(error as Error).message}`;
      this.log.error(message);
      this.log.show(true);
      void vscode.window.showErrorMessage(`goperf: ${message}`);
    } finally {
      this.state.clearRunning();
    }
  }
}

/**
 * The chosen target's environment and tags, when one is chosen: a test
 * binary for another GOOS/GOARCH cannot run here, so that is refused.
 */
export async function targetRunOptions(target: TargetStore): Promise<{ env?: Record<string, string>; tagArgs: string[] } | undefined> {
  if (!target.isChosen()) return { tagArgs: [] };
  const [spec, host] = await Promise.all([target.get(), target.host()]);
  if (!runsOnHost(spec, host)) {
    const change = 'Change Build Target';
    void vscode.window
      .showErrorMessage(
        `goperf: benchmarks cannot run for the build target ${describeTarget(spec)}: its test binary does not run on this ${host.goos}/${host.goarch} machine.`,
        change,
      )
      .then((choice) => {
        if (choice === change) void vscode.commands.executeCommand('goperf.selectTarget');
      });
    return undefined;
  }
  return { env: targetEnv(spec), tagArgs: targetTagArgs(spec) };
}

export function withTagArgs(settings: BenchSettings, tagArgs: string[]): BenchSettings {
  return { ...settings, extraArgs: [...tagArgs, ...settings.extraArgs] };
}
