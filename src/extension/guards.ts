// What every command that runs go says when it must not or cannot: the
// Restricted Mode refusal and the missing go binary.
import * as vscode from 'vscode';
import { GoNotFoundError } from '../core/go/runGo';

/**
 * Says why nothing runs in Restricted Mode and offers the way to trust the
 * folder; true when the workspace is untrusted. `activity` reads after
 * "goperf does not", `reason` says what running it would execute.
 */
export async function refuseUntrusted(activity: string, reason: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return false;
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    `goperf does not ${activity} in Restricted Mode: ${reason}. Trust the folder to ${activity}; profiles can still be opened.`,
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return true;
}

/** Build commands run the go command, which can run code from the folder. */
export const refuseUntrustedBuild = () =>
  refuseUntrusted('build', 'go build can run code from this folder (cgo, -toolexec, GOFLAGS)');

/** Tells that go is missing, with a button to the goperf.goPath setting; false for any other error. */
export function reportGoNotFound(error: unknown, log: vscode.LogOutputChannel): boolean {
  if (!(error instanceof GoNotFoundError)) return false;
  log.error(error.message);
  const openSettings = 'Open Settings';
  void vscode.window.showErrorMessage(`goperf: ${error.message}`, openSettings).then((choice) => {
    if (choice === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'goperf.goPath');
  });
  return true;
}
