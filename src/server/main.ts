// The build-constraint language server: `node dist/server.js --stdio`.
// Diagnostics, hovers and quick fixes for //go:build and // +build lines in
// Go files and the other source files the go command reads constraints from.
// The build target comes from initializationOptions.target, the
// `goperf/setTarget` notification or the `goperf.target` setting; without
// one, it is the go command's default for the host.

import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDocument, isConstrainedFile, type DocumentAnalysis } from './analysis';
import { ADD_TAG_COMMAND, codeActionsFor, SET_TARGET_COMMAND } from './codeActions';
import { computeDiagnostics, type DiagnosticSettings, type LspDiagnostic } from './diagnostics';
import { hoverAt } from './hover';
import { isTargetRequest, TargetState, type TargetRequest } from './target';

/** Edits typed in quick succession are analysed once, at most this long after the last one. */
const DEBOUNCE_MS = 25;

export const SET_TARGET_NOTIFICATION = 'goperf/setTarget';


interface DocumentState {
  analysis?: DocumentAnalysis;
  diagnostics: LspDiagnostic[];
  timer?: NodeJS.Timeout;
}

function uriToPath(uri: string): { path: string; onDisk: boolean } {
  if (uri.startsWith('file:')) {
    try {
      return { path: fileURLToPath(uri), onDisk: true };
    } catch {
      // Malformed file URI: fall through to the path part.
    }
  }
  try {
    return { path: decodeURIComponent(new URL(uri).pathname), onDisk: false };
  } catch {
    return { path: uri, onDisk: false };
  }
}

function settingsFrom(raw: unknown, previous: DiagnosticSettings): DiagnosticSettings {
  const constraints = (raw as { constraints?: { misspelledTags?: unknown } } | undefined)?.constraints;
  const misspelled = constraints?.misspelledTags;
  return { misspelledTags: typeof misspelled === 'boolean' ? misspelled : previous.misspelledTags };
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, DocumentState>();
  let settings: DiagnosticSettings = { misspelledTags: true };
  let canPullConfiguration = false;
  let canRegisterConfiguration = false;
  let targets: TargetState | undefined;
  let serverCommands = false;

  const log = (message: string) => connection.console.log(message);

  const analyze = (doc: TextDocument): DocumentAnalysis | undefined => {
    const { path, onDisk } = uriToPath(doc.uri);
    if (!isConstrainedFile(path)) return undefined;
    targets?.loadPorts();
    return analyzeDocument(doc.uri, doc.version, path, doc.getText(), { target: targets?.target, ports: targets?.ports, host: targets?.host, onDisk });
  };

  const publish = (doc: TextDocument) => {
    const state = states.get(doc.uri) ?? { diagnostics: [] };
    states.set(doc.uri, state);
    clearTimeout(state.timer);
    state.timer = undefined;
    let diagnostics: LspDiagnostic[] = [];
    try {
      state.analysis = analyze(doc);
      diagnostics = state.analysis ? computeDiagnostics(state.analysis, settings) : [];
    } catch (e) {
      // A bug must cost one file its diagnostics, never the server.
      log(`goperf: analysing ${doc.uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      state.analysis = undefined;
    }
    state.diagnostics = diagnostics;
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  const schedule = (doc: TextDocument) => {
    const state = states.get(doc.uri) ?? { diagnostics: [] };
    states.set(doc.uri, state);
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      const current = documents.get(doc.uri);
      if (current) publish(current);
    }, DEBOUNCE_MS);
  };

  const refreshAll = () => {
    for (const doc of documents.all()) publish(doc);
  };

  /** The analysis of the document as it is now (recomputed if an edit is still waiting for its debounce). */
  const current = (uri: string): DocumentAnalysis | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const state = states.get(uri);
    if (state?.analysis && state.analysis.version === doc.version && !state.timer) return state.analysis;
    publish(doc);
    return states.get(uri)?.analysis;
  };

  const pullConfiguration = async () => {
    if (!canPullConfiguration) return;
    try {
      const [goperf] = (await connection.workspace.getConfiguration([{ section: 'goperf' }])) as unknown[];
      settings = settingsFrom(goperf, settings);
      const target = (goperf as { target?: unknown } | undefined)?.target;
      if (isTargetRequest(target)) targets?.setTarget(target);
    } catch (e) {
      log(`goperf: cannot read the goperf settings: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  connection.onInitialize((params) => {
    const options = (params.initializationOptions ?? {}) as { target?: unknown; goPath?: unknown; settings?: unknown };
    const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const cwd = root && root.startsWith('file:') ? uriToPath(root).path : process.cwd();
    const go = typeof options.goPath === 'string' && options.goPath ? options.goPath : process.env.GOPERF_GO || 'go';
    targets = new TargetState({ go, cwd, log }, refreshAll);
    targets.setTarget(isTargetRequest(options.target) ? (options.target as TargetRequest) : undefined);
    if (options.settings) settings = settingsFrom(options.settings, settings);
    // Editors without client-side handlers for the quick fixes' commands (Neovim, Helix) ask
    // the server to run them; VS Code's extension registers them itself, and a second
    // registration by vscode-languageclient would clash with it.
    serverCommands = (options as { executeCommands?: unknown }).executeCommands === true;
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canRegisterConfiguration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        ...(serverCommands ? { executeCommandProvider: { commands: [SET_TARGET_COMMAND, ADD_TAG_COMMAND] } } : {}),
      },
      serverInfo: { name: 'goperf build constraints' },
    };
  });

  connection.onInitialized(async () => {
    if (canRegisterConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, undefined);
    await pullConfiguration();
    refreshAll();
  });

  connection.onDidChangeConfiguration(async (change) => {
    const goperf = (change.settings as { goperf?: { target?: unknown } } | undefined)?.goperf;
    if (goperf) {
      settings = settingsFrom(goperf, settings);
      if (isTargetRequest(goperf.target)) targets?.setTarget(goperf.target);
    }
    await pullConfiguration();
    refreshAll();
  });

  connection.onNotification(SET_TARGET_NOTIFICATION, (params: unknown) => {
    if (isTargetRequest(params)) targets?.setTarget(params);
    else log(`goperf: ignoring ${SET_TARGET_NOTIFICATION} with ${JSON.stringify(params)}: expected {goos, goarch, tags, cgoEnabled}`);
  });

  connection.onExecuteCommand((params) => {
    const [arg] = params.arguments ?? [];
    if (params.command === SET_TARGET_COMMAND && isTargetRequest(arg)) targets?.setTarget(arg);
    else if (params.command === ADD_TAG_COMMAND && typeof arg === 'string' && arg !== '') targets?.addTag(arg);
    else log(`goperf: cannot run ${params.command} with ${JSON.stringify(params.arguments)}`);
    return null;
  });

  documents.onDidOpen((e) => publish(e.document));
  documents.onDidChangeContent((e) => {
    // didOpen also fires a content change; that one is already published.
    if (states.get(e.document.uri)?.analysis?.version === e.document.version) return;
    schedule(e.document);
  });
  documents.onDidClose((e) => {
    clearTimeout(states.get(e.document.uri)?.timer);
    states.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover((params) => {
    const a = current(params.textDocument.uri);
    return a ? (hoverAt(a, params.position) ?? null) : null;
  });

  connection.onCodeAction((params) => {
    const a = current(params.textDocument.uri);
    if (!a) return [];
    return codeActionsFor(a, params.context.diagnostics as LspDiagnostic[]);
  });

  documents.listen(connection);
  connection.listen();
}

startServer(createConnection(ProposedFeatures.all));
