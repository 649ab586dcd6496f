// The `goperf.trace` custom editor: a read-only timeline of a Go execution
// trace. The host only reads bytes; the webview reads the trace in a Web
// Worker and draws it.
import { open } from 'node:fs/promises';
import { gzip } from 'pako';
import * as vscode from 'vscode';
import type { WebviewToHost } from '../core/protocol';
import { BLOCKING_TITLES } from '../core/trace/blockingProfile';
import { displayName, showFileView } from './fileView';
import { profileEditorViewType } from './profileEditor';
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

/** "trace.out" → "trace", "server.trace" → "server": the stem the trace's derived files are named after. */
export function traceStem(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  return base.replace(/(\.trace)?(\.out)?$/, '') || 'trace';
}

class TraceEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly sources: SourceOpener,
    /** Where derived profiles go: `<storage>/profiles`, which the goperf Profiles view lists. */
    private readonly storage: vscode.Uri,
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
      onOtherMessage: async (message) => {
        if (message.type === 'blockingProfile') await this.openBlockingProfile(document.uri, message);
      },
    });
  }

  /** Saves a blocking profile the page made from the trace and opens it as a flame graph beside the timeline. */
  private async openBlockingProfile(trace: vscode.Uri, message: Extract<WebviewToHost, { type: 'blockingProfile' }>): Promise<void> {
    const folder = vscode.Uri.joinPath(this.storage, 'profiles');
    const target = vscode.Uri.joinPath(folder, `${traceStem(trace.path)}-${message.kind}.pb.gz`);
    try {
      await vscode.workspace.fs.createDirectory(folder);
      await vscode.workspace.fs.writeFile(target, gzip(message.bytes));
    } catch (error) {
      const text = `Saving the ${BLOCKING_TITLES[message.kind].toLowerCase()} of ${displayName(trace)} to ${target.fsPath} failed: ${(error as Error).message}`;
      this.log.error(text);
      void vscode.window.showErrorMessage(text);
      return;
    }
    this.log.info(`${BLOCKING_TITLES[message.kind]} of ${displayName(trace)} saved to ${target.fsPath}`);
    await vscode.commands.executeCommand('vscode.openWith', target, profileEditorViewType, vscode.ViewColumn.Beside);
  }
}

export function registerTraceEditor(
  context: vscode.ExtensionContext,
  { log, sources }: { log: vscode.LogOutputChannel; sources: SourceOpener },
): void {
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(
      traceEditorViewType,
      new TraceEditorProvider(context.extensionUri, log, sources, context.storageUri ?? context.globalStorageUri),
      // Reading a large trace costs more than keeping a hidden page alive.
      { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true },
    ),
  );
}
