// The "Profiles" view in the explorer: profiles, traces and goroutine dumps
// kept in the extension's storage (captures and benchmark profiles), newest
// first, with open, compare, delete and reveal.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { registerAnnotations } from './annotations';
import { registerCapture } from './capture';
import { describeBytes } from './captureFetch';
import { profileEditorViewType } from './profileEditor';
import type { SourceOpener } from './sourceOpener';

export interface StoredFile {
  uri: vscode.Uri;
  name: string;
  modified: Date;
  size: number;
}

/** What the profile editor opens; traces and text dumps open elsewhere. */
function isPprofFile(name: string): boolean {
  return /\.(pb\.gz|pprof|prof)$/.test(name);
}

function describeTime(date: Date): string {
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export class ProfilesView implements vscode.TreeDataProvider<StoredFile>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private files: StoredFile[] = [];
  private readonly view: vscode.TreeView<StoredFile>;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly dir: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.view = vscode.window.createTreeView('goperf.profiles', { treeDataProvider: this, canSelectMany: false });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, '*'));
    this.disposables.push(
      this.view,
      watcher,
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
    );
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(element?: StoredFile): Promise<StoredFile[]> {
    if (element) return [];
    let names: string[];
    try {
      names = await readdir(this.dir.fsPath);
    } catch {
      names = [];
    }
    const files: StoredFile[] = [];
    for (const name of names) {
      try {
        const info = await stat(join(this.dir.fsPath, name));
        if (info.isFile()) files.push({ uri: vscode.Uri.joinPath(this.dir, name), name, modified: info.mtime, size: info.size });
      } catch {
        // Deleted while listing.
      }
    }
    files.sort((a, b) => b.modified.getTime() - a.modified.getTime() || (a.name < b.name ? -1 : 1));
    this.files = files;
    this.view.message = files.length === 0 ? 'No profiles yet: capture one from a server or profile a benchmark.' : undefined;
    return files;
  }

  getTreeItem(file: StoredFile): vscode.TreeItem {
    const item = new vscode.TreeItem(file.name, vscode.TreeItemCollapsibleState.None);
    item.id = file.uri.toString();
    item.resourceUri = file.uri;
    item.description = `${describeTime(file.modified)} · ${describeBytes(file.size)}`;
    item.tooltip = `${file.uri.fsPath}\n${describeTime(file.modified)}, ${describeBytes(file.size)}`;
    item.iconPath = new vscode.ThemeIcon(isPprofFile(file.name) ? 'flame' : file.name.endsWith('.trace') ? 'pulse' : 'list-unordered');
    item.contextValue = isPprofFile(file.name) ? 'goperf.profile' : 'goperf.storedFile';
    item.command = { command: 'goperf.profiles.open', title: 'Open', arguments: [file] };
    return item;
  }

  getParent(): undefined {
    return undefined;
  }

  private target(arg: unknown): StoredFile | undefined {
    if (arg && typeof arg === 'object' && 'uri' in arg) return arg as StoredFile;
    return this.view.selection[0];
  }

  async open(arg: unknown): Promise<void> {
    const file = this.target(arg);
    if (!file) return;
    if (isPprofFile(file.name)) await vscode.commands.executeCommand('vscode.openWith', file.uri, profileEditorViewType);
    else await vscode.commands.executeCommand('vscode.open', file.uri);
  }

  async delete(arg: unknown): Promise<void> {
    const file = this.target(arg);
    if (!file) return;
    const choice = await vscode.window.showWarningMessage(
      `Delete ${file.name}?`,
      { modal: true, detail: `${file.uri.fsPath} is removed from goperf's storage.` },
      'Delete',
    );
    if (choice !== 'Delete') return;
    try {
      await rm(file.uri.fsPath, { force: true });
      this.log.info(`Deleted ${file.uri.fsPath}`);
    } catch (error) {
      void vscode.window.showErrorMessage(`goperf: could not delete ${file.name}: ${(error as Error).message}`);
    }
    this.refresh();
  }

  /** A stored profile against another one (picked from the stored ones, or any file) as a differential flame graph. */
  async compare(arg: unknown): Promise<void> {
    const file = this.target(arg);
    if (!file) return;
    const others = this.files.filter((f) => f !== file && isPprofFile(f.name));
    const fromDisk = { label: '$(folder-opened) Another file…', file: undefined as StoredFile | undefined };
    const picked = await vscode.window.showQuickPick(
      [...others.map((f) => ({ label: f.name, description: describeTime(f.modified), file: f as StoredFile | undefined })), fromDisk],
      { title: `Base profile to subtract from ${file.name}` },
    );
    if (!picked) return;
    await vscode.commands.executeCommand('goperf.compareProfiles', file.uri, picked.file?.uri);
  }

  /** Shows the file in the operating system's file manager, or selects a given file in the view. */
  async reveal(arg: unknown): Promise<void> {
    if (arg instanceof vscode.Uri) {
      this.refresh();
      await this.getChildren();
      const file = this.files.find((f) => f.uri.toString() === arg.toString());
      if (file) await this.view.reveal(file, { select: true, focus: true });
      return;
    }
    const file = this.target(arg);
    if (file) await vscode.commands.executeCommand('revealFileInOS', file.uri);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerProfilesView(
  context: vscode.ExtensionContext,
  deps: { log: vscode.LogOutputChannel; profilesDir: vscode.Uri; onDidSave: vscode.Event<vscode.Uri> },
): ProfilesView {
  const view = new ProfilesView(deps.profilesDir, deps.log);
  context.subscriptions.push(
    view,
    deps.onDidSave(() => view.refresh()),
    vscode.commands.registerCommand('goperf.profiles.refresh', () => view.refresh()),
    vscode.commands.registerCommand('goperf.profiles.open', (file?: StoredFile) => view.open(file)),
    vscode.commands.registerCommand('goperf.profiles.delete', (file?: StoredFile) => view.delete(file)),
    vscode.commands.registerCommand('goperf.profiles.reveal', (file?: StoredFile | vscode.Uri) => view.reveal(file)),
    vscode.commands.registerCommand('goperf.profiles.compare', (file?: StoredFile) => view.compare(file)),
  );
  return view;
}

/** Source annotations, live capture and the Profiles view: the profile tools beyond the editor. */
export function registerProfileTools(
  context: vscode.ExtensionContext,
  deps: { log: vscode.LogOutputChannel; sources: SourceOpener },
): void {
  registerAnnotations(context, deps);
  const capture = registerCapture(context, deps);
  registerProfilesView(context, { log: deps.log, profilesDir: capture.profilesDir, onDidSave: capture.onDidSave });
}
