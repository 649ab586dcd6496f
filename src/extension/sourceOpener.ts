// Opens the source file behind a flame graph frame, next to the profile.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { goDirs } from '../core/go/goEnv';
import { bestSuffixMatch, directCandidates, mappedCandidate, workspaceGlob, type GoDirs } from '../core/go/sourcePath';
import { goPath } from './settings';

export class SourceOpener {
  private dirs: Promise<GoDirs> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** GOROOT and GOMODCACHE, asked from `go env` the first time a frame needs them. */
  private goDirs(): Promise<GoDirs> {
    // Running go in an untrusted folder could pick up its toolchain settings.
    if (!vscode.workspace.isTrusted) return Promise.resolve({});
    this.dirs ??= goDirs(goPath(), vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir()).catch(
      (error: Error) => {
        this.log.warn(`Could not ask go for GOROOT: ${error.message}`);
        this.dirs = undefined;
        return {};
      },
    );
    return this.dirs;
  }

  private async exists(uri: vscode.Uri): Promise<boolean> {
    try {
      return (await vscode.workspace.fs.stat(uri)).type !== vscode.FileType.Directory;
    } catch {
      return false;
    }
  }

  async resolve(profilePath: string): Promise<vscode.Uri | undefined> {
    const sourceMap = vscode.workspace.getConfiguration('goperf').get<Record<string, string>>('sourceMap', {});
    const mapped = mappedCandidate(profilePath, sourceMap);
    if (mapped !== undefined && (await this.exists(vscode.Uri.file(mapped)))) return vscode.Uri.file(mapped);
    const isAbsolute = /^([/\\]|[A-Za-z]:[\\/])/.test(profilePath);
    if (isAbsolute && (await this.exists(vscode.Uri.file(profilePath)))) return vscode.Uri.file(profilePath);

    for (const candidate of directCandidates(profilePath, await this.goDirs())) {
      const uri = vscode.Uri.file(candidate);
      if (await this.exists(uri)) return uri;
    }

    const found = await vscode.workspace.findFiles(workspaceGlob(profilePath), '**/node_modules/**', 200);
    const best = bestSuffixMatch(
      profilePath,
      found.map((uri) => uri.fsPath),
    );
    return best === undefined ? undefined : vscode.Uri.file(best);
  }

  /** Opens `profilePath` at `line` (1-based, 0 when unknown) in a group other than the profile's. */
  async open(profilePath: string, line: number, profileColumn: vscode.ViewColumn | undefined): Promise<void> {
    const uri = await this.resolve(profilePath);
    if (!uri) {
      const message = `goperf could not find ${profilePath} on this machine (looked at goperf.sourceMap, the recorded path, GOROOT, the module cache and the workspace).`;
      this.log.warn(message);
      void vscode.window.showWarningMessage(message);
      return;
    }
    // The group left of the profile (where the code usually is), or a new one to its right.
    const column =
      profileColumn !== undefined && profileColumn > vscode.ViewColumn.One ? profileColumn - 1 : vscode.ViewColumn.Two;
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    const editor = await vscode.window.showTextDocument(uri, {
      viewColumn: column,
      selection: new vscode.Range(position, position),
      preview: true,
    });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}
