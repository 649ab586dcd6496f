// Entry point. Activation only registers providers and commands: no file is
// read and no go process starts until the user asks for something.
import * as vscode from 'vscode';
import { BenchCodeLensProvider, BenchState } from './benchCodeLens';
import { BenchRunner } from './benchCommands';
import { ProfileEditorProvider, profileEditorViewType } from './profileEditor';
import { SourceOpener } from './sourceOpener';
import { ConstraintsClient } from './constraintsClient';
import { ConstraintDecorations } from './constraintsDecorations';
import { TargetStore } from './target';
import { TargetPicker } from './targetPicker';
import { TargetSync } from './targetSync';

let runner: BenchRunner | undefined;
let constraintsClient: ConstraintsClient | undefined;

async function openProfile(uri?: vscode.Uri): Promise<void> {
  if (!(uri instanceof vscode.Uri)) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Open in goperf',
      filters: { 'pprof profiles': ['pprof', 'prof', 'gz'], 'All files': ['*'] },
    });
    uri = picked?.[0];
    if (!uri) return;
  }
  await vscode.commands.executeCommand('vscode.openWith', uri, profileEditorViewType);
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('goperf', { log: true });
  const state = new BenchState();
  const sources = new SourceOpener(log);
  const target = new TargetStore(context.workspaceState, log);
  runner = new BenchRunner(log, state, context.storageUri ?? context.globalStorageUri, target);
  constraintsClient = new ConstraintsClient(context.extensionUri, target, log);
  const benchRunner = runner;

  context.subscriptions.push(
    log,
    state,
    target,
    new TargetPicker(target, log),
    new ConstraintDecorations(target, log),
    new TargetSync(target, log),
    constraintsClient,
    vscode.window.registerCustomEditorProvider(
      profileEditorViewType,
      new ProfileEditorProvider(context.extensionUri, log, sources),
      // Decoding and laying out a large profile costs more than keeping a hidden page alive.
      { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true },
    ),
    vscode.languages.registerCodeLensProvider(
      { language: 'go', scheme: 'file', pattern: '**/*_test.go' },
      new BenchCodeLensProvider(state),
    ),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('goperf.codeLens.enabled')) state.refresh();
    }),
    vscode.commands.registerCommand('goperf.runBenchmark', (uri?: vscode.Uri, name?: string) =>
      benchRunner.run(undefined, uri, name),
    ),
    vscode.commands.registerCommand('goperf.profileCpu', (uri?: vscode.Uri, name?: string) =>
      benchRunner.run('cpu', uri, name),
    ),
    vscode.commands.registerCommand('goperf.profileMemory', (uri?: vscode.Uri, name?: string) =>
      benchRunner.run('mem', uri, name),
    ),
    vscode.commands.registerCommand('goperf.cancel', () => benchRunner.cancel()),
    vscode.commands.registerCommand('goperf.openProfile', openProfile),
    vscode.commands.registerCommand('goperf.showOutput', () => log.show()),
  );
}

/** Stops a running benchmark: its process group was started detached and would outlive the host. */
export async function deactivate(): Promise<void> {
  const stopping = runner?.stop();
  runner = undefined;
  const client = constraintsClient;
  constraintsClient = undefined;
  await Promise.all([stopping, client?.stop()]);
}
