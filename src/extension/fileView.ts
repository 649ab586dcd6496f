// What the profile and trace editors share: a read-only webview over one file.
// The host checks the size, reads the bytes when the page asks for them and
// answers the page's common messages; the page decodes and draws.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ExportFormat, HostToWebview, WebviewToHost } from '../core/protocol';
import { BLOCKING_KINDS, type BlockingKind } from '../core/trace/blockingProfile';
import { renderProfilePageHtml } from '../core/webviewHtml';
import { messagePageHtml } from './messagePage';
import { maxProfileBytes } from './settings';
import type { SourceOpener } from './sourceOpener';

export function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

/** Workspace-relative for files in the workspace; the bare name for profiles kept in extension storage or elsewhere. */
export function displayName(uri: vscode.Uri): string {
  if (vscode.workspace.getWorkspaceFolder(uri)) return vscode.workspace.asRelativePath(uri, false);
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** Messages come from page scripts; check their shape before acting on them. */
export function asWebviewMessage(value: unknown): WebviewToHost | undefined {
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
    case 'sampleTypeShown':
      if (typeof message.sampleType !== 'string') return undefined;
      return { type: 'sampleTypeShown', sampleType: message.sampleType };
    case 'save':
      if (typeof message.text !== 'string' || typeof message.suggestedName !== 'string' || !(String(message.format) in saveFilters)) {
        return undefined;
      }
      return { type: 'save', format: message.format as ExportFormat, suggestedName: message.suggestedName, text: message.text };
    case 'blockingProfile': {
      const bytes = message.bytes instanceof ArrayBuffer ? new Uint8Array(message.bytes) : message.bytes;
      if (!(bytes instanceof Uint8Array) || !(BLOCKING_KINDS as readonly unknown[]).includes(message.kind)) return undefined;
      return { type: 'blockingProfile', kind: message.kind as BlockingKind, bytes };
    }
    default:
      return undefined;
  }
}

export const saveFilters: Record<ExportFormat, Record<string, string[]>> = {
  svg: { 'SVG image': ['svg'] },
  html: { 'HTML page': ['html'] },
  markdown: { Markdown: ['md'] },
  csv: { CSV: ['csv'] },
};

export interface FileViewOptions {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  sources: SourceOpener;
  /** "profile" or "trace", for titles and log lines. */
  noun: string;
  /** The page's bundle under dist/webviews. */
  script: string;
  /** What the log says once the page has drawn. */
  describeRendered: (message: Extract<WebviewToHost, { type: 'rendered' }>) => string;
  /** Runs after the file's bytes went to the page. */
  afterLoad?: () => Promise<void>;
  /** Messages beyond the common ones. */
  onOtherMessage?: (message: WebviewToHost) => Promise<void>;
}

/** Fills `panel` with the page for `uri`; false when the file can't be shown (a message page says why). */
export async function showFileView(uri: vscode.Uri, panel: vscode.WebviewPanel, options: FileViewOptions): Promise<boolean> {
  const { log, noun } = options;
  const fileName = displayName(uri);
  const webviewRoot = vscode.Uri.joinPath(options.extensionUri, 'dist', 'webviews');
  panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
  const Noun = noun[0].toUpperCase() + noun.slice(1);

  const showMessage = (title: string, message: string) => {
    panel.webview.html = messagePageHtml(title, message, randomBytes(16).toString('base64'));
  };

  let size: number;
  try {
    size = (await vscode.workspace.fs.stat(uri)).size;
  } catch (error) {
    showMessage(`Cannot open ${noun}`, `${fileName}: ${(error as Error).message}`);
    return false;
  }
  const limit = maxProfileBytes(uri);
  if (size > limit) {
    showMessage(
      `${Noun} too large`,
      `${fileName} is ${formatMegabytes(size)}, more than the ${formatMegabytes(limit)} allowed by the ` +
        `goperf.profile.maxFileSizeMB setting. Raise the setting to open it.`,
    );
    return false;
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
          log.error(`Reading ${fileName} failed: ${(error as Error).message}`);
          showMessage(`Cannot open ${noun}`, `${fileName}: ${(error as Error).message}`);
          return;
        }
        // readFile can return a Node Buffer, whose toJSON would turn the
        // message into a JSON array of numbers; a plain view is transferred
        // to the webview as binary.
        const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const load: HostToWebview = { type: 'load', fileName, bytes: view };
        await panel.webview.postMessage(load);
        await options.afterLoad?.();
        break;
      }
      case 'openSource':
        await options.sources.open(message.file, message.line, panel.viewColumn);
        break;
      case 'error':
        log.error(`${Noun} view of ${fileName}: ${message.message}`);
        break;
      case 'rendered':
        log.info(`Drew ${fileName}: ${options.describeRendered(message)}`);
        break;
      default:
        await options.onOtherMessage?.(message);
    }
  });

  panel.webview.html = renderProfilePageHtml({
    nonce: randomBytes(16).toString('base64'),
    title: fileName,
    cspSource: panel.webview.cspSource,
    scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, options.script)).toString(),
  });
  return true;
}
