// The one build target of the workspace, shared by benchmarks, builds and
// build-constraint evaluation. Stored per workspace; until the user picks
// one it is what the go command would use here. Nothing runs `go` until a
// value is actually needed.
import * as vscode from 'vscode';
import type { BuildTarget } from '../core/constraints';
import {
  listPorts,
  normalizeTags,
  resolveTarget,
  readHostInfo,
  sameTarget,
  type GoPort,
  type HostInfo,
  type TargetSpec,
} from '../core/go/target';
import { goPath } from './settings';

const storageKey = 'goperf.target';

function isTargetSpec(value: unknown): value is TargetSpec {
  const v = value as Partial<TargetSpec> | undefined;
  return (
    typeof v?.goos === 'string' &&
    typeof v.goarch === 'string' &&
    typeof v.cgoEnabled === 'boolean' &&
    Array.isArray(v.tags) &&
    v.tags.every((t) => typeof t === 'string')
  );
}

export class TargetStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TargetSpec>();
  /** Fires with the new target whenever it changes (set, reset, or first resolved). */
  readonly onDidChange = this.changed.event;
  private hostInfo: Promise<HostInfo> | undefined;
  private portList: Promise<GoPort[]> | undefined;
  private resolved: { spec: TargetSpec; target: Promise<BuildTarget> } | undefined;
  private known: TargetSpec | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const stored = state.get<unknown>(storageKey);
    if (isTargetSpec(stored)) this.known = stored;
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** The target if it is known without running go (stored, or the host default already read). */
  peek(): TargetSpec | undefined {
    return this.known;
  }

  /** True when the user chose the target; false when it follows the go command's default. */
  isChosen(): boolean {
    return isTargetSpec(this.state.get<unknown>(storageKey));
  }

  async get(): Promise<TargetSpec> {
    if (this.known) return this.known;
    const host = await this.host();
    // A target chosen while go env ran wins.
    if (!this.known) {
      this.known = host.defaultTarget;
      this.changed.fire(this.known);
    }
    return this.known;
  }

  async set(spec: TargetSpec): Promise<void> {
    const next: TargetSpec = { goos: spec.goos, goarch: spec.goarch, tags: normalizeTags(spec.tags), cgoEnabled: spec.cgoEnabled };
    await this.state.update(storageKey, next);
    if (this.known && sameTarget(this.known, next)) return;
    this.known = next;
    this.log.info(`Build target set to ${next.goos}/${next.goarch}, tags [${next.tags.join(',')}], CGO_ENABLED=${next.cgoEnabled ? 1 : 0}`);
    this.changed.fire(next);
  }

  async reset(): Promise<void> {
    await this.state.update(storageKey, undefined);
    const host = await this.host();
    const previous = this.known;
    this.known = host.defaultTarget;
    if (!previous || !sameTarget(previous, this.known)) this.changed.fire(this.known);
  }

  host(): Promise<HostInfo> {
    this.hostInfo ??= readHostInfo(goPath(), this.cwd()).catch((error: unknown) => {
      this.hostInfo = undefined;
      throw error;
    });
    return this.hostInfo;
  }

  /** The toolchain's ports, read once per session (`go tool dist list -json`). */
  ports(): Promise<GoPort[]> {
    this.portList ??= listPorts(goPath(), this.cwd()).catch((error: unknown) => {
      this.portList = undefined;
      throw error;
    });
    return this.portList;
  }

  /**
   * The target with everything the go command adds (release tags, tool tags,
   * the compiler), for evaluating constraints exactly. Asked of `go list`
   * once per target.
   */
  async buildTarget(): Promise<BuildTarget> {
    const spec = await this.get();
    if (!this.resolved || !sameTarget(this.resolved.spec, spec)) {
      const target = resolveTarget(
        { goos: spec.goos, goarch: spec.goarch, tags: spec.tags.join(','), cgo: spec.cgoEnabled },
        goPath(),
        this.cwd(),
      );
      this.resolved = { spec, target };
      target.catch((error: unknown) => {
        if (this.resolved?.target === target) this.resolved = undefined;
        this.log.error(`Could not resolve the build target: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    return this.resolved.target;
  }

  private cwd(): string {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    return folder?.uri.fsPath ?? process.cwd();
  }
}
