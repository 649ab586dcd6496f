// Optionally makes gopls and vscode-go follow goperf's build target, so
// navigation, diagnostics and vscode-go's tools see the same files. Only the
// keys that carry the target are written (GOOS, GOARCH, -tags); everything
// else in those settings is kept as the user wrote it.
import * as vscode from 'vscode';
import { withTagFlag, type TargetSpec } from '../core/go/target';
import type { TargetStore } from './target';

const settingKey = 'goperf.target.syncGopls';

type Env = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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

  private async write(spec: TargetSpec): Promise<void> {
    const config = vscode.workspace.getConfiguration();
    const target = vscode.ConfigurationTarget.Workspace;
    try {
      const gopls = config.inspect<Record<string, unknown>>('gopls')?.workspaceValue;
      const next: Record<string, unknown> = isObject(gopls) ? { ...gopls } : {};
      const env: Env = isObject(next['build.env']) ? { ...(next['build.env'] as Env) } : {};
      env.GOOS = spec.goos;
      env.GOARCH = spec.goarch;
      next['build.env'] = env;
      const flags = Array.isArray(next['build.buildFlags']) ? (next['build.buildFlags'] as unknown[]) : [];
      next['build.buildFlags'] = withTagFlag(flags, spec.tags);
      await config.update('gopls', next, target);

      const toolsEnv = config.inspect<Env>('go.toolsEnvVars')?.workspaceValue;
      await config.update('go.toolsEnvVars', { ...(isObject(toolsEnv) ? toolsEnv : {}), GOOS: spec.goos, GOARCH: spec.goarch }, target);
      await config.update('go.buildTags', spec.tags.join(','), target);
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
    const config = vscode.workspace.getConfiguration();
    const target = vscode.ConfigurationTarget.Workspace;
    const dropOurs = (env: Env): Env => {
      const copy = { ...env };
      if (copy.GOOS === spec.goos) delete copy.GOOS;
      if (copy.GOARCH === spec.goarch) delete copy.GOARCH;
      return copy;
    };
    try {
      const gopls = config.inspect<Record<string, unknown>>('gopls')?.workspaceValue;
      if (isObject(gopls)) {
        const next = { ...gopls };
        if (isObject(next['build.env'])) next['build.env'] = dropOurs(next['build.env'] as Env);
        if (Array.isArray(next['build.buildFlags'])) {
          next['build.buildFlags'] = (next['build.buildFlags'] as unknown[]).filter((f) => f !== `-tags=${spec.tags.join(',')}`);
        }
        await config.update('gopls', next, target);
      }
      const toolsEnv = config.inspect<Env>('go.toolsEnvVars')?.workspaceValue;
      if (isObject(toolsEnv)) await config.update('go.toolsEnvVars', dropOurs(toolsEnv), target);
      if (config.inspect<string>('go.buildTags')?.workspaceValue === spec.tags.join(',')) {
        await config.update('go.buildTags', undefined, target);
      }
    } catch (error) {
      this.fail(error);
    }
  }
}
