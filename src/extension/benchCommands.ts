// The run/profile benchmark commands: trust check, progress with cancel,
// output streaming, result summary and opening the profile.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { formatSummary, summarizeResults } from '../core/bench/summary';
import { runBenchmark, type BenchSettings, type ProfileKind } from '../core/go/bench';
import { findBenchmarks, isGoTestFile } from '../core/go/benchmarks';
import { GoNotFoundError } from '../core/go/runGo';
import { describeTarget, runsOnHost, targetEnv, targetTagArgs } from '../core/go/target';
import type { BenchState } from './benchCodeLens';
import { profileEditorViewType } from './profileEditor';
import { benchSettings, goPath } from './settings';
import type { TargetStore } from './target';

const kindLabel: Record<ProfileKind | 'none', string> = {
  none: 'Running',
  cpu: 'Profiling CPU of',
  mem: 'Profiling memory of',
};

const runningContextKey = 'goperf.benchmarkRunning';

export class BenchRunner {
  private abort: AbortController | undefined;
  private current: Promise<void> | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly state: BenchState,
    private readonly storageDir: vscode.Uri,
    private readonly target: TargetStore,
  ) {}

  cancel(): void {
    this.abort?.abort();
  }

  /** Cancels the running benchmark and resolves once its processes are gone. */
  async stop(): Promise<void> {
    this.cancel();
    // Shutting down: failures to update the UI no longer matter.
    await this.current?.catch(() => undefined);
  }

  /** Runs from a CodeLens (uri and name given) or the palette (asks for the benchmark). */
  async run(kind: ProfileKind | undefined, uri?: vscode.Uri, benchmark?: string): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showWarningMessage(
        'goperf does not run benchmarks in Restricted Mode: running go test executes code from this folder. ' +
          'Trust the folder to run benchmarks; profiles can still be opened.',
        manage,
      );
      if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
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
    const target = await this.targetOptions().catch((error: unknown) => {
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

  /**
   * The chosen target's environment and tags, when one is chosen: a test
   * binary for another GOOS/GOARCH cannot run here, so that is refused.
   */
  private async targetOptions(): Promise<{ env?: Record<string, string>; tagArgs: string[] } | undefined> {
    if (!this.target.isChosen()) return { tagArgs: [] };
    const [spec, host] = await Promise.all([this.target.get(), this.target.host()]);
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

  private async pickBenchmark(kind: ProfileKind | undefined): Promise<{ uri: vscode.Uri; benchmark: string } | undefined> {
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
    kind: ProfileKind | undefined,
    uri: vscode.Uri,
    benchmark: string,
    target: { env?: Record<string, string>; tagArgs: string[] },
  ): Promise<void> {
    const label = `${benchmark}${kind === 'cpu' ? ' (CPU profile)' : kind === 'mem' ? ' (memory profile)' : ''}`;
    const abort = new AbortController();
    this.abort = abort;
    this.state.setRunning(uri, benchmark, label);
    const packageDir = dirname(uri.fsPath);
    try {
      await vscode.commands.executeCommand('setContext', runningContextKey, true);
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
          return runBenchmark({
            goPath: goPath(uri),
            packageDir,
            benchmark,
            profileKind: kind,
            storageDir: this.storageDir.fsPath,
            ...withTagArgs(benchSettings(uri), target.tagArgs),
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
      this.state.setResult(uri, benchmark, { summaries, finishedAt: new Date() });
      const lines = summaries.map(formatSummary);
      for (const line of lines) this.log.info(line);
      const shown = lines.length > 3 ? [...lines.slice(0, 3), `and ${lines.length - 3} more`] : lines;
      vscode.window.setStatusBarMessage(`$(history) ${lines[0]}`, 15_000);
      const showOutput = 'Show Output';
      void vscode.window.showInformationMessage(shown.join(' ; '), showOutput).then((choice) => {
        if (choice === showOutput) this.log.show(true);
      });

      if (result.profilePath) {
        this.log.info(`Profile written to ${result.profilePath}`);
        await vscode.commands.executeCommand(
          'vscode.openWith',
          vscode.Uri.file(result.profilePath),
          profileEditorViewType,
          vscode.ViewColumn.Beside,
        );
      }
    } catch (error) {
      if (error instanceof GoNotFoundError) {
        this.log.error(error.message);
        const openSettings = 'Open Settings';
        void vscode.window.showErrorMessage(`goperf: ${error.message}`, openSettings).then((choice) => {
          if (choice === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'goperf.goPath');
        });
        return;
      }
      const message = `${benchmark} could not run: ${(error as Error).message}`;
      this.log.error(message);
      this.log.show(true);
      void vscode.window.showErrorMessage(`goperf: ${message}`);
    } finally {
      if (this.abort === abort) this.abort = undefined;
      this.state.clearRunning();
      await vscode.commands.executeCommand('setContext', runningContextKey, false);
    }
  }
}

function withTagArgs(settings: BenchSettings, tagArgs: string[]): BenchSettings {
  return { ...settings, extraArgs: [...tagArgs, ...settings.extraArgs] };
}
