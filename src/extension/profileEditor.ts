// The `goperf.profile` custom editor: a read-only flame graph view of a pprof
// file. The host only reads bytes; the webview decodes and draws them.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../core/protocol';
import { renderProfilePageHtml } from '../core/webviewHtml';
import { messagePageHtml } from './messagePage';
import { maxProfileBytes } from './settings';
import type { SourceOpener } from './sourceOpener';

export const profileEditorViewType = 'goperf.profile';

function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

/** Messages come from page scripts; check their shape before acting on them. */
function asWebviewMessage(value: unknown): WebviewToHost | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openSource':
      if (typeof message.file !== 'string' || typeof message.line !== 'number') return undefined;
      return {
        type: 'openSource',
        file: message.file,
        line: message.line,
        functionName: typeof message.functionName === 'string' ? message.functionName : '',
      };
    case 'error':
      return { type: 'error', message: String(message.message) };
    case 'rendered':
      return { type: 'rendered', nodeCount: Number(message.nodeCount), millis: Number(message.millis) };
    default:
      return undefined;
  }
}

/** Workspace-relative for files in the workspace; the bare name for profiles kept in extension storage or elsewhere. */
function displayName(uri: vscode.Uri): string {
  if (vscode.workspace.getWorkspaceFolder(uri)) return vscode.workspace.asRelativePath(uri, false);
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

export class ProfileEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly sources: SourceOpener,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const { uri } = document;
    const fileName = displayName(uri);
    const webviewRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webviews');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };

    const showMessage = (title: string, message: string) => {
      panel.webview.html = messagePageHtml(title, message, randomBytes(16).toString('base64'));
    };

    let size: number;
    try {
      size = (await vscode.workspace.fs.stat(uri)).size;
    } catch (error) {
      showMessage('Cannot open profile', `${fileName}: ${(error as Error).message}`);
      return;
    }
    const limit = maxProfileBytes(uri);
    if (size > limit) {
      showMessage(
        'Profile too large',
        `${fileName} is ${formatMegabytes(size)}, more than the ${formatMegabytes(limit)} allowed by the ` +
          `goperf.profile.maxFileSizeMB setting. Raise the setting to open it.`,
      );
      return;
    }

    panel.webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = asWebviewMessage(raw);
      if (!message) return;
      switch (message.type) {
        case 'ready': {
          // Sent on every (re)load of the page, so the bytes are read each time and not kept.
          let bytes: Uint8Array;
          try {
            bytes = await vscode.workspace.fs.readFile(uri);
          } catch (error) {
            this.log.error(`Reading ${fileName} failed: ${(error as Error).message}`);
            showMessage('Cannot open profile', `${fileName}: ${(error as Error).message}`);
            return;
          }
          // readFile can return a Node Buffer, whose toJSON would turn the
          // message into a JSON array of numbers; a plain view is transferred
          // to the webview as binary.
          const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          const load: HostToWebview = { type: 'load', fileName, bytes: view };
          await panel.webview.postMessage(load);
          break;
        }
        case 'openSource':
          await this.sources.open(message.file, message.line, panel.viewColumn);
          break;
        case 'error':
          this.log.error(`Profile view of ${fileName}: ${message.message}`);
          break;
        case 'rendered':
          this.log.info(`Drew ${fileName}: ${message.nodeCount} nodes in ${Math.round(message.millis)} ms`);
          break;
      }
    });

    panel.webview.html = renderProfilePageHtml({
      nonce: randomBytes(16).toString('base64'),
      title: fileName,
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'flame.js')).toString(),
    });
  }
}
