// Entry point. Activation only registers providers and commands: no file is
// read and no go process starts until the user asks for something.
import * as vscode from 'vscode';
import { BenchCodeLensProvider, BenchState } from './benchCodeLens';
import { BenchRunner } from './benchCommands';
import { ProfileEditorProvider, profileEditorViewType, registerCompareProfiles } from './profileEditor';
import { SourceOpener } from './sourceOpener';
import { isGoTrace, registerTraceEditor, traceEditorViewType } from './traceEditor';
import { registerProfileTools } from './profilesView';
import { ConstraintsClient } from './constraintsClient';
import { ConstraintDecorations } from './constraintsDecorations';
import { TargetStore } from './target';
import { TargetPicker } from './targetPicker';
import { TargetSync } from './targetSync';
import { registerBuild } from './build';
import { registerResults } from './results';
import { registerTesting, type BenchTesting } from './testing';

let runner: BenchRunner | undefined;
let testing: BenchTesting | undefined;
let constraintsClient: ConstraintsClient | undefined;

async function openProfile(uri?: vscode.Uri): Promise<void> {
  if (!(uri instanceof vscode.Uri)) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Open in goperf',
      filters: { 'pprof profiles': ['pprof', 'prof', 'gz'], 'Go execution traces': ['trace', 'out'], 'All files': ['*'] },
    });
    uri = picked?.[0];
    if (!uri) return;
  }
  const viewType = (await isGoTrace(uri)) ? traceEditorViewType : profileEditorViewType;
  await vscode.commands.executeCommand('vscode.openWith', uri, viewType);
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('goperf', { log: true });
  const state = new BenchState();
  const sources = new SourceOpener(log);
  const target = new TargetStore(context.workspaceState, log);
  const results = registerResults(context, log);
  runner = new BenchRunner(log, state, context.storageUri ?? context.globalStorageUri, target, results);
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
      new BenchCodeLensProvider(state, results),
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
    vscode.commands.registerCommand('goperf.traceBenchmark', (uri?: vscode.Uri, name?: string) =>
      benchRunner.run('trace', uri, name),
    ),
    vscode.commands.registerCommand('goperf.profileMemory', (uri?: vscode.Uri, name?: string) =>
      benchRunner.run('mem', uri, name),
    ),
    vscode.commands.registerCommand('goperf.cancel', () => benchRunner.cancel()),
    vscode.commands.registerCommand('goperf.openProfile', openProfile),
    vscode.commands.registerCommand('goperf.showOutput', () => log.show()),
  );
  registerProfileTools(context, { log, sources });
  registerTraceEditor(context, { log, sources });
  registerBuild(context, { log, target });
  testing = registerTesting(context, { log, state, target, results });
  registerCompareProfiles(context, log);
}

/** Stops a running benchmark: its process group was started detached and would outlive the host. */
export async function deactivate(): Promise<void> {
  const stopping = Promise.all([runner?.stop(), testing?.stop()]);
  runner = undefined;
  testing = undefined;
  const client = constraintsClient;
  constraintsClient = undefined;
  await Promise.all([stopping, client?.stop()]);
}
