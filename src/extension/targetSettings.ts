// The settings that make gopls and vscode-go follow the build target, merged
// into what the user has: only GOOS/GOARCH in `gopls` → `build.env` and
// `go.toolsEnvVars`, the -tags flag in `build.buildFlags`, and `go.buildTags`
// are ours; every other key and flag is kept. No vscode import, so the merge
// is tested without an editor.
import { withTagFlag, type TargetSpec } from '../core/go/target';

type Settings = Record<string, unknown>;

/** Workspace values as VS Code's `inspect(...).workspaceValue` returns them (anything, or undefined). */
export interface EditorTargetSettings {
  readonly gopls?: unknown;
  readonly toolsEnvVars?: unknown;
  readonly buildTags?: unknown;
}

export interface TargetSettingsUpdate {
  /** New values; undefined: leave the setting alone. */
  readonly gopls?: Settings;
  readonly toolsEnvVars?: Settings;
  /** A string to write, null to remove the workspace value, undefined to leave it. */
  readonly buildTags?: string | null;
}

function isObject(value: unknown): value is Settings {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tagFlag(spec: TargetSpec): string {
  return `-tags=${spec.tags.join(',')}`;
}

export function settingsForTarget(current: EditorTargetSettings, spec: TargetSpec): Required<TargetSettingsUpdate> {
  const gopls: Settings = isObject(current.gopls) ? { ...current.gopls } : {};
  gopls['build.env'] = { ...(isObject(gopls['build.env']) ? gopls['build.env'] : {}), GOOS: spec.goos, GOARCH: spec.goarch };
  gopls['build.buildFlags'] = withTagFlag(Array.isArray(gopls['build.buildFlags']) ? gopls['build.buildFlags'] : [], spec.tags);
  const toolsEnvVars = { ...(isObject(current.toolsEnvVars) ? current.toolsEnvVars : {}), GOOS: spec.goos, GOARCH: spec.goarch };
  return { gopls, toolsEnvVars, buildTags: spec.tags.join(',') };
}

/** Takes out what settingsForTarget wrote for `spec`, where it is still there: values changed since are the user's. */
export function settingsWithoutTarget(current: EditorTargetSettings, spec: TargetSpec): TargetSettingsUpdate {
  const dropOurs = (env: Settings): Settings => {
    const copy = { ...env };
    if (copy.GOOS === spec.goos) delete copy.GOOS;
    if (copy.GOARCH === spec.goarch) delete copy.GOARCH;
    return copy;
  };
  let gopls: Settings | undefined;
  if (isObject(current.gopls)) {
    gopls = { ...current.gopls };
    if (isObject(gopls['build.env'])) gopls['build.env'] = dropOurs(gopls['build.env']);
    if (Array.isArray(gopls['build.buildFlags'])) gopls['build.buildFlags'] = gopls['build.buildFlags'].filter((f) => f !== tagFlag(spec));
  }
  return {
    gopls,
    toolsEnvVars: isObject(current.toolsEnvVars) ? dropOurs(current.toolsEnvVars) : undefined,
    buildTags: current.buildTags === spec.tags.join(',') ? null : undefined,
  };
}
