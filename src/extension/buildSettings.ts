// Where builds run and which presets exist: the workspace folder, the
// checked `goperf.build.presets`, shared by the Build commands and the task
// provider.
import * as vscode from 'vscode';
import { checkPresets, type BuildPreset } from '../core/go/build';

/** The workspace folder a build runs in: the active editor's, else the first on disk. */
export function moduleFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  if (folder?.uri.scheme === 'file') return folder;
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
}

/** The presets of the setting; invalid ones are reported once per call and left out. */
export function readPresets(folder: vscode.WorkspaceFolder | undefined, report: (errors: string[]) => void): BuildPreset[] {
  const raw = vscode.workspace.getConfiguration('goperf', folder?.uri).get<unknown>('build.presets');
  const { presets, errors } = checkPresets(raw);
  if (errors.length) report(errors);
  return presets;
}
