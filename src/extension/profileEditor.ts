// The `goperf.profile` custom editor: a read-only flame graph view of a pprof
// file. The host only reads bytes; the webview decodes and draws them.
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../core/protocol';
import { displayName, formatMegabytes, saveFilters, showFileView } from './fileView';
import { maxProfileBytes } from './settings';
import type { SourceOpener } from './sourceOpener';

export const profileEditorViewType = 'goperf.profile';

/** Asks where to save an export from the webview (next to the profile by default) and writes it. */
async function saveExport(profile: vscode.Uri, message: Extract<WebviewToHost, { type: 'save' }>, log: vscode.LogOutputChannel): Promise<void> {
  const folder = vscode.workspace.getWorkspaceFolder(profile)?.uri ?? vscode.Uri.joinPath(profile, '..');
  const name = message.suggestedName.replace(/[\\/:*?"<>|]/g, '_');
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, name), filters: saveFilters[message.format] });
  if (!target) return;
  try {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(message.text));
    log.info(`Saved ${target.fsPath}`);
  } catch (error) {
    void vscode.window.showErrorMessage(`goperf: cannot save ${target.fsPath}: ${(error as Error).message}`);
  }
}

const sampleTypeShown = new vscode.EventEmitter<{ uri: vscode.Uri; sampleType: string }>();
/** A profile page shows a sample type: its first view, then each switch the user makes there. */
export const onProfileSampleTypeShown = sampleTypeShown.event;

/** The profile editor the user looked at last, for goperf.compareProfiles. */
let activeProfile: { panel: vscode.WebviewPanel; uri: vscode.Uri; fileName: string } | undefined;
/** Open profile pages by file, to send a base to one that is already showing. */
const openPanels = new Map<string, vscode.WebviewPanel>();
/** Bases asked for before their profile's page was ready: sent right after its load. */
const pendingBases = new Map<string, BaseRequest>();

export type CompareMode = 'base' | 'diff_base';

interface BaseRequest {
  base: vscode.Uri;
  mode: CompareMode;
  normalize: boolean;
}

const compareModes: (vscode.QuickPickItem & { mode: CompareMode; normalize: boolean })[] = [
  { label: '-diff_base', description: 'changes as a share of the base', mode: 'diff_base', normalize: false },
  { label: '-diff_base -normalize', description: 'scaled to the base total first', mode: 'diff_base', normalize: true },
  { label: '-base', description: 'changes as a share of the merged profile', mode: 'base', normalize: false },
  { label: '-base -normalize', description: 'scaled to the base total first', mode: 'base', normalize: true },
];

/** Reads a base profile within the size limit and posts it to a profile page. */
async function sendBase(panel: vscode.WebviewPanel, request: BaseRequest, log: vscode.LogOutputChannel): Promise<void> {
  const baseName = displayName(request.base);
  let bytes: Uint8Array;
  try {
    const size = (await vscode.workspace.fs.stat(request.base)).size;
    if (size > maxProfileBytes(request.base)) throw new Error(`${formatMegabytes(size)} is more than goperf.profile.maxFileSizeMB allows`);
    bytes = await vscode.workspace.fs.readFile(request.base);
  } catch (error) {
    void vscode.window.showErrorMessage(`goperf: cannot read ${baseName}: ${(error as Error).message}`);
    return;
  }
  log.info(`Comparing with ${baseName} (-${request.mode}${request.normalize ? ' -normalize' : ''})`);
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const message: HostToWebview = { type: 'loadBase', fileName: baseName, bytes: view, mode: request.mode, normalize: request.normalize };
  await panel.webview.postMessage(message);
}

/**
 * goperf.compareProfiles: a profile minus a base, drawn as a differential
 * flame graph. From the palette it takes the profile in front and asks for
 * the base and the mode; other commands (Profiles view, benchmark history)
 * pass the profile, the base and the mode.
 */
export function registerCompareProfiles(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'goperf.compareProfiles',
      async (profile?: vscode.Uri, base?: vscode.Uri, mode?: CompareMode, normalize?: boolean) => {
        const target = profile instanceof vscode.Uri ? profile : activeProfile?.uri;
        if (!target) {
          void vscode.window.showErrorMessage('goperf: open a profile first, then compare it with a base.');
          return;
        }
        const targetName = displayName(target);
        if (!(base instanceof vscode.Uri)) {
          const picked = await vscode.window.showOpenDialog({
            title: `Base profile to subtract from ${targetName}`,
            defaultUri: vscode.Uri.joinPath(target, '..'),
            canSelectMany: false,
            filters: { 'pprof profiles': ['pb.gz', 'pprof', 'prof', 'pb', 'gz', 'out'], 'All files': ['*'] },
          });
          base = picked?.[0];
          if (!base) return;
        }
        let request: BaseRequest;
        if (mode === 'base' || mode === 'diff_base') {
          request = { base, mode, normalize: normalize === true };
        } else {
          const how = await vscode.window.showQuickPick(compareModes, { title: `Compare ${targetName} with ${displayName(base)}` });
          if (!how) return;
          request = { base, mode: how.mode, normalize: how.normalize };
        }
        const open = openPanels.get(target.toString());
        if (open) {
          open.reveal();
          await sendBase(open, request, log);
          return;
        }
        pendingBases.set(target.toString(), request);
        await vscode.commands.executeCommand('vscode.openWith', target, profileEditorViewType);
      },
    ),
  );
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
    const key = uri.toString();
    const shown = await showFileView(uri, panel, {
      extensionUri: this.extensionUri,
      log: this.log,
      sources: this.sources,
      noun: 'profile',
      script: 'flame.js',
      describeRendered: (message) => `${message.nodeCount} nodes in ${Math.round(message.millis)} ms`,
      afterLoad: async () => {
        const base = pendingBases.get(key);
        if (!base) return;
        pendingBases.delete(key);
        await sendBase(panel, base, this.log);
      },
      onOtherMessage: async (message) => {
        if (message.type === 'save') await saveExport(uri, message, this.log);
        else if (message.type === 'sampleTypeShown') sampleTypeShown.fire({ uri, sampleType: message.sampleType });
      },
    });
    if (!shown) return;

    const track = () => {
      if (panel.active) activeProfile = { panel, uri, fileName: displayName(uri) };
    };
    track();
    openPanels.set(key, panel);
    panel.onDidChangeViewState(track);
    panel.onDidDispose(() => {
      if (activeProfile?.panel === panel) activeProfile = undefined;
      if (openPanels.get(key) === panel) openPanels.delete(key);
    });
  }
}
