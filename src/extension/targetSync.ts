// Optionally makes gopls and vscode-go follow goperf's build target, so
// navigation, diagnostics and vscode-go's tools see the same files. Only the
// keys that carry the target are written (GOOS, GOARCH, -tags); everything
// else in those settings is kept as the user wrote it.
import * as vscode from 'vscode';
import type { TargetSpec } from '../core/go/target';
import type { TargetStore } from './target';
import { settingsForTarget, settingsWithoutTarget, type EditorTargetSettings, type TargetSettingsUpdate } from './targetSettings';

const settingKey = 'goperf.target.syncGopls';

export class TargetSync implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** What was last written, so that turning the sync off removes only our values. */
  private written: TargetSpec | undefined;

  constructor(
    private readonly store: TargetStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      store.onDidChange((spec) => {
        if (this.enabled()) void this.write(spec);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(settingKey)) return;
        if (this.enabled()) void this.store.get().then((spec) => this.write(spec), (err: unknown) => this.fail(err));
        else void this.revert();
      }),
    );
    // Only when asked for: reading the target may run go env.
    if (this.enabled()) void this.store.get().then((spec) => this.write(spec), (err: unknown) => this.fail(err));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private enabled(): boolean {
    return vscode.workspace.getConfiguration().get<boolean>(settingKey, false);
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(`Syncing the build target to gopls/vscode-go: ${message}`);
    void vscode.window.showWarningMessage(
      `goperf could not write the build target to the gopls/vscode-go settings (${message}). ` +
        'These settings exist only when the Go extension (golang.go) is installed.',
    );
  }

  private current(): EditorTargetSettings {
    const config = vscode.workspace.getConfiguration();
    return {
      gopls: config.inspect('gopls')?.workspaceValue,
      toolsEnvVars: config.inspect('go.toolsEnvVars')?.workspaceValue,
      buildTags: config.inspect('go.buildTags')?.workspaceValue,
    };
  }

  private async apply(update: TargetSettingsUpdate): Promise<void> {
    const config = vscode.workspace.getConfiguration();
    const target = vscode.ConfigurationTarget.Workspace;
    if (update.gopls) await config.update('gopls', update.gopls, target);
    if (update.toolsEnvVars) await config.update('go.toolsEnvVars', update.toolsEnvVars, target);
    if (update.buildTags !== undefined) await config.update('go.buildTags', update.buildTags ?? undefined, target);
  }

  private async write(spec: TargetSpec): Promise<void> {
    try {
      await this.apply(settingsForTarget(this.current(), spec));
      this.written = spec;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Removes the values this session wrote, where they are still what was written. */
  private async revert(): Promise<void> {
    const spec = this.written;
    if (!spec) return;
    this.written = undefined;
    try {
      await this.apply(settingsWithoutTarget(this.current(), spec));
    } catch (error) {
      this.fail(error);
    }
  }
}
