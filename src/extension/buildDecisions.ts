// goperf: Toggle Compiler Decisions — the compiler's inlining, escape and
// bounds-check decisions for the active file's package, as information
// diagnostics on the lines they concern, refreshed when a file of the
// package is saved. Packages where gopls already shows its "optimizer
// details" are left to gopls.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { collectDecisions, type CompilerDecision, type DecisionKind } from '../core/go/buildDecisions';
import { targetEnv, targetTagArgs } from '../core/go/target';
import { refuseUntrustedBuild, reportGoNotFound } from './guards';
import { goPath } from './settings';
import type { TargetStore } from './target';

const goplsSource = 'optimizer details';
const allKinds: readonly DecisionKind[] = ['inline', 'escape', 'bounds', 'nil', 'other'];

export class CompilerDecisions implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('goperf-compiler');
  /** Package folders shown, with the files each last reported on. */
  private readonly shown = new Map<string, vscode.Uri[]>();
  private readonly running = new Map<string, AbortController>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly target: TargetStore,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidSaveTextDocument((document) => {
        const dir = dirname(document.uri.fsPath);
        if (document.languageId === 'go' && this.shown.has(dir)) void this.refresh(dir, false);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('goperf.compilerDecisions.kinds')) for (const dir of this.shown.keys()) void this.refresh(dir, false);
      }),
      this.target.onDidChange(() => {
        for (const dir of this.shown.keys()) void this.refresh(dir, false);
      }),
    ];
  }

  dispose(): void {
    for (const abort of this.running.values()) abort.abort();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.diagnostics.dispose();
  }

  async toggle(): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.languageId !== 'go' || document.uri.scheme !== 'file') {
      void vscode.window.showInformationMessage('goperf: open a Go file to see the compiler\'s decisions for its package.');
      return;
    }
    const dir = dirname(document.uri.fsPath);
    if (this.shown.has(dir)) {
      this.running.get(dir)?.abort();
      this.clear(dir);
      this.shown.delete(dir);
      vscode.window.setStatusBarMessage('goperf: compiler decisions hidden', 5000);
      return;
    }
    if (await refuseUntrustedBuild()) return;
    if (vscode.languages.getDiagnostics(document.uri).some((d) => d.source === goplsSource)) {
      void vscode.window.showInformationMessage(
        'goperf: gopls already shows the compiler\'s optimization details for this package; goperf leaves them to gopls. ' +
          'Toggle them off in gopls ("Toggle compiler optimization details" source action) to use goperf\'s instead.',
      );
      return;
    }
    this.shown.set(dir, []);
    await this.refresh(dir, true);
  }

  private clear(dir: string): void {
    for (const uri of this.shown.get(dir) ?? []) this.diagnostics.delete(uri);
  }

  private async refresh(dir: string, announce: boolean): Promise<void> {
    this.running.get(dir)?.abort();
    const abort = new AbortController();
    this.running.set(dir, abort);
    try {
      const spec = await this.target.get();
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'goperf: compiling for the compiler\'s decisions…' },
        () => collectDecisions({ goPath: goPath(vscode.Uri.file(dir)), packageDir: dir, env: targetEnv(spec), tagArgs: targetTagArgs(spec), signal: abort.signal }),
      );
      if (result.outcome === 'cancelled' || !this.shown.has(dir)) return;
      this.clear(dir);
      if (result.outcome === 'failed') {
        const first = result.errors[0];
        const reason = first ? `${vscode.workspace.asRelativePath(first.file)}:${first.line}: ${first.message}` : result.run.stderr.trim().split('\n').pop();
        this.log.warn(`Compiler decisions for ${dir}: the package does not compile: ${reason}`);
        if (announce) void vscode.window.showWarningMessage(`goperf: the package does not compile, so it has no decisions yet: ${reason}`);
        return;
      }
      const kinds = new Set(vscode.workspace.getConfiguration('goperf', vscode.Uri.file(dir)).get<DecisionKind[]>('compilerDecisions.kinds', [...allKinds]));
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const decision of result.decisions) {
        if (!kinds.has(decision.kind)) continue;
        const list = byFile.get(decision.file) ?? [];
        list.push(toDiagnostic(decision));
        byFile.set(decision.file, list);
      }
      const uris = [...byFile.keys()].map((file) => vscode.Uri.file(file));
      for (const uri of uris) this.diagnostics.set(uri, byFile.get(uri.fsPath) ?? []);
      this.shown.set(dir, uris);
      const count = [...byFile.values()].reduce((sum, list) => sum + list.length, 0);
      this.log.info(`Compiler decisions for ${dir}: ${count} (${[...kinds].join(', ')})`);
      if (announce) vscode.window.setStatusBarMessage(`goperf: ${count} compiler decisions shown; run the command again to hide them`, 8000);
    } catch (error) {
      this.shown.delete(dir);
      if (reportGoNotFound(error, this.log)) return;
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`Compiler decisions for ${dir}: ${message}`);
      void vscode.window.showErrorMessage(`goperf: compiler decisions: ${message}`);
    } finally {
      if (this.running.get(dir) === abort) this.running.delete(dir);
    }
  }
}

function toDiagnostic(decision: CompilerDecision): vscode.Diagnostic {
  const position = new vscode.Position(Math.max(0, decision.line - 1), Math.max(0, decision.column - 1));
  const diagnostic = new vscode.Diagnostic(new vscode.Range(position, position), decision.text, vscode.DiagnosticSeverity.Information);
  diagnostic.source = 'go compiler';
  diagnostic.code = decision.code;
  diagnostic.relatedInformation = decision.related.map(
    (r) =>
      new vscode.DiagnosticRelatedInformation(
        new vscode.Location(vscode.Uri.file(r.file), new vscode.Position(Math.max(0, r.line - 1), Math.max(0, r.column - 1))),
        r.message.trim(),
      ),
  );
  return diagnostic;
}
