// goperf: Check Build for Several Targets… — go build (or go vet) of the
// module for the chosen ports at once, bounded by the cores; one row per
// target in the "goperf Build Check" view with its errors below it, and the
// errors in Problems with the target in their source.
import * as vscode from 'vscode';
import { checkProblemsByFile, checkTargets, defaultConcurrency, describeCheck, type CheckMode, type TargetCheck } from '../core/go/buildCheck';
import { describeTarget, type GoPort, type TargetSpec } from '../core/go/target';
import type { GoDiagnostic } from '../core/go/build';
import { moduleFolder } from './buildSettings';
import { refuseUntrustedBuild } from './guards';
import { goPath } from './settings';
import type { TargetStore } from './target';

const chosenKey = 'goperf.build.checkTargets';
const shownContext = 'goperf.buildCheckShown';

type Row = { target: TargetSpec; result?: TargetCheck } | { diagnostic: GoDiagnostic; target: TargetSpec };

export class BuildCheck implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Row | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('goperf-check');
  private rows: { target: TargetSpec; result?: TargetCheck }[] = [];
  private abort: AbortController | undefined;
  /** Part of each target row's id, so every check shows its failed targets expanded afresh. */
  private checkNumber = 0;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    private readonly target: TargetStore,
    /** Reports an error that stopped the check (no go on PATH names goperf.goPath). */
    private readonly fail: (error: unknown) => void,
  ) {}

  dispose(): void {
    this.abort?.abort();
    this.changed.dispose();
    this.diagnostics.dispose();
  }

  getTreeItem(row: Row): vscode.TreeItem {
    if ('diagnostic' in row) {
      const d = row.diagnostic;
      const item = new vscode.TreeItem(d.message.split('\n')[0]);
      item.description = `${vscode.workspace.asRelativePath(d.file)}:${d.line}${d.column ? `:${d.column}` : ''}`;
      item.tooltip = d.message;
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
      const at = new vscode.Position(Math.max(0, d.line - 1), Math.max(0, (d.column ?? 1) - 1));
      item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(d.file), { selection: new vscode.Range(at, at) }] };
      return item;
    }
    const { result } = row;
    const item = new vscode.TreeItem(
      describeTarget(row.target),
      result?.diagnostics.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    // The tree keeps an item's first collapsible state (None while checking): a new id when the result
    // arrives makes it a new item, shown expanded.
    item.id = `${this.checkNumber}/${describeTarget(row.target)}/${result?.outcome ?? 'checking'}`;
    if (!result) {
      item.description = 'checking…';
      item.iconPath = new vscode.ThemeIcon('loading~spin');
    } else {
      item.description = describeCheck(result).slice(describeTarget(row.target).length + 2);
      item.tooltip = result.other.join('\n') || undefined;
      item.iconPath =
        result.outcome === 'ok'
          ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
          : result.outcome === 'failed'
            ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
            : new vscode.ThemeIcon('circle-slash');
    }
    return item;
  }

  getChildren(row?: Row): Row[] {
    if (!row) return this.rows;
    if ('result' in row && row.result) return row.result.diagnostics.map((diagnostic) => ({ diagnostic, target: row.target }));
    return [];
  }

  async run(): Promise<void> {
    if (await refuseUntrustedBuild()) return;
    const folder = moduleFolder();
    if (!folder) {
      void vscode.window.showErrorMessage('goperf: open a folder with a Go module to check.');
      return;
    }
    if (this.abort) {
      void vscode.window.showWarningMessage('goperf: a check is already running; cancel it from its notification first.');
      return;
    }
    let workspaceTarget: TargetSpec;
    let ports: GoPort[];
    try {
      [workspaceTarget, ports] = await Promise.all([this.target.get(), this.target.ports()]);
    } catch (error) {
      this.fail(error);
      return;
    }
    const targets = await this.pickTargets(workspaceTarget, ports);
    if (!targets) return;
    const mode = await vscode.window.showQuickPick(
      [
        { label: 'go build', description: 'compile and link every package (nothing is written)', mode: 'build' as CheckMode },
        { label: 'go vet', description: 'compile and run the vet checks', mode: 'vet' as CheckMode },
      ],
      { title: 'goperf: Check Build (2/2): how' },
    );
    if (!mode) return;

    const abort = new AbortController();
    this.abort = abort;
    this.checkNumber++;
    this.rows = targets.map((target) => ({ target }));
    this.diagnostics.clear();
    this.changed.fire(undefined);
    await vscode.commands.executeCommand('setContext', shownContext, true);
    void vscode.commands.executeCommand('goperf.buildCheck.focus');
    const concurrency = defaultConcurrency(targets.length);
    this.log.info(`Checking ${targets.length} targets with ${mode.label} ./... in ${folder.uri.fsPath}, ${concurrency} at a time`);
    try {
      const results = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `goperf: ${mode.label} for ${targets.length} targets`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          let done = 0;
          return checkTargets({
            goPath: goPath(folder.uri),
            cwd: folder.uri.fsPath,
            mode: mode.mode,
            packages: ['./...'],
            targets,
            concurrency,
            signal: abort.signal,
            onResult: (result) => {
              done++;
              progress.report({ message: `${done}/${targets.length}: ${describeCheck(result)}`, increment: 100 / targets.length });
              this.log.info(describeCheck(result));
              for (const d of result.diagnostics) this.log.warn(`  ${d.file}:${d.line}${d.column ? `:${d.column}` : ''}: ${d.message}`);
              const row = this.rows.find((r) => r.target === result.target);
              if (row) row.result = result;
              this.changed.fire(undefined);
              // Each target's errors reach Problems as it finishes, not after the slowest.
              this.setProblems(mode.mode);
            },
          });
        },
      );
      const failed = results.filter((r) => r.outcome === 'failed');
      const summary = failed.length ? `fails for ${failed.map((r) => describeTarget(r.target)).join(', ')}` : `builds for all ${results.length} targets`;
      if (!abort.signal.aborted) void vscode.window.showInformationMessage(`goperf: ${mode.label} ${summary}.`);
    } catch (error) {
      this.fail(error);
    } finally {
      if (this.abort === abort) this.abort = undefined;
    }
  }

  private setProblems(mode: CheckMode): void {
    this.diagnostics.clear();
    for (const [file, problems] of checkProblemsByFile(this.rows.map((r) => r.result), mode)) {
      this.diagnostics.set(
        vscode.Uri.file(file),
        problems.map((p) => {
          const at = new vscode.Position(Math.max(0, p.line - 1), Math.max(0, (p.column ?? 1) - 1));
          const diagnostic = new vscode.Diagnostic(new vscode.Range(at, at), p.message, vscode.DiagnosticSeverity.Error);
          diagnostic.source = p.source;
          return diagnostic;
        }),
      );
    }
  }

  private async pickTargets(workspaceTarget: TargetSpec, ports: readonly GoPort[]): Promise<TargetSpec[] | undefined> {
    const remembered = this.state.get<string[]>(chosenKey) ?? [`${workspaceTarget.goos}/${workspaceTarget.goarch}`, 'linux/amd64', 'windows/amd64', 'darwin/arm64'];
    type Item = vscode.QuickPickItem & { port?: GoPort };
    const items: Item[] = [
      { label: 'first-class ports', kind: vscode.QuickPickItemKind.Separator },
      ...ports.filter((p) => p.firstClass).map((port) => ({ label: `${port.goos}/${port.goarch}`, port })),
      { label: 'other ports', kind: vscode.QuickPickItemKind.Separator },
      ...ports.filter((p) => !p.firstClass).map((port) => ({ label: `${port.goos}/${port.goarch}`, port })),
    ];
    for (const item of items) item.picked = item.port !== undefined && remembered.includes(item.label);
    const picked = await vscode.window.showQuickPick(items, {
      title: `goperf: Check Build (1/2): targets (tags: ${workspaceTarget.tags.join(',') || 'none'})`,
      placeHolder: 'The ports to build for',
      canPickMany: true,
    });
    if (!picked?.length) return undefined;
    await this.state.update(chosenKey, picked.map((i) => i.label));
    return picked.flatMap((i) => {
      if (!i.port) return [];
      const isWorkspacePort = i.port.goos === workspaceTarget.goos && i.port.goarch === workspaceTarget.goarch;
      // cgo as the go command defaults it: the workspace's choice on its own port, off when cross-compiling.
      return [{ goos: i.port.goos, goarch: i.port.goarch, tags: workspaceTarget.tags, cgoEnabled: isWorkspacePort && workspaceTarget.cgoEnabled }];
    });
  }
}
