// The `goperf.trace` custom editor: a read-only timeline of a Go execution
// trace. The host only reads bytes; the webview reads the trace in a Web
// Worker and draws it.
import { open } from 'node:fs/promises';
import * as vscode from 'vscode';
import { showFileView } from './fileView';
import type { SourceOpener } from './sourceOpener';

export const traceEditorViewType = 'goperf.trace';

const TRACE_HEADER = /^go 1\.\d+ trace\0/;

/** Whether the file starts with a Go execution trace header ("go 1.N trace"), read from its first 16 bytes. */
export async function isGoTrace(uri: vscode.Uri): Promise<boolean> {
  try {
    if (uri.scheme !== 'file') {
      const bytes = await vscode.workspace.fs.readFile(uri);
      return TRACE_HEADER.test(String.fromCharCode(...bytes.subarray(0, 16)));
    }
    const file = await open(uri.fsPath, 'r');
    try {
      const head = Buffer.alloc(16);
      const { bytesRead } = await file.read(head, 0, 16, 0);
      return TRACE_HEADER.test(head.subarray(0, bytesRead).toString('latin1'));
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
}

class TraceEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly sources: SourceOpener,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    await showFileView(document.uri, panel, {
      extensionUri: this.extensionUri,
      log: this.log,
      sources: this.sources,
      noun: 'trace',
      script: 'timeline.js',
      describeRendered: (message) => `${message.nodeCount} goroutine slices, read in ${Math.round(message.millis)} ms`,
    });
  }
}

export function registerTraceEditor(
  context: vscode.ExtensionContext,
  { log, sources }: { log: vscode.LogOutputChannel; sources: SourceOpener },
): void {
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(
      traceEditorViewType,
      new TraceEditorProvider(context.extensionUri, log, sources),
      // Reading a large trace costs more than keeping a hidden page alive.
      { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true },
    ),
  );
}
