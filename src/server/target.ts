// The build target the server evaluates files for, and the real ports of the
// toolchain. Both come from the go command (the same calls the CLI makes), run
// lazily and cached, so no document waits on them: diagnostics are published
// with what is known and refreshed when an answer arrives.

import { levelTags, type BuildTarget, type Port } from '../core/constraints';
import { listPorts, readHostInfo, resolveTarget, type HostInfo } from '../core/go/target';

/** What the client sends: in initializationOptions.target, goperf/setTarget and settings goperf.target. */
export interface TargetRequest {
  readonly goos: string;
  readonly goarch: string;
  readonly tags?: readonly string[];
  readonly cgoEnabled?: boolean;
}

/**
 * GOOS and GOARCH are required: the `goperf.target` settings section also
 * holds unrelated keys (`goperf.target.syncGopls`), which must not read as
 * "the host's target".
 */
export function isTargetRequest(x: unknown): x is TargetRequest {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as Record<string, unknown>;
  return (
    typeof t.goos === 'string' &&
    t.goos !== '' &&
    typeof t.goarch === 'string' &&
    t.goarch !== '' &&
    (t.tags === undefined || (Array.isArray(t.tags) && t.tags.every((s) => typeof s === 'string'))) &&
    (t.cgoEnabled === undefined || typeof t.cgoEnabled === 'boolean')
  );
}

export function sameRequest(a: TargetRequest | undefined, b: TargetRequest | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export interface GoContext {
  readonly go: string;
  readonly cwd: string;
  readonly log: (message: string) => void;
}

export class TargetState {
  private current: BuildTarget | undefined;
  private request: TargetRequest | undefined;
  private generation = 0;
  private portsPromise: Promise<void> | undefined;
  private portList: Port[] | undefined;
  private hostInfo: HostInfo | undefined;

  constructor(
    private readonly ctx: GoContext,
    private readonly onChange: () => void,
  ) {}

  get target(): BuildTarget | undefined {
    return this.current;
  }

  get ports(): readonly Port[] | undefined {
    return this.portList;
  }

  /** The machine and go env's defaults: what CGO_ENABLED a switch to another port gets. */
  get host(): HostInfo | undefined {
    return this.hostInfo;
  }

  /** Adds a -tags tag to the target, as asked or as resolved from the host's defaults. */
  addTag(tag: string): void {
    const current = this.current;
    const base = this.request ?? (current && { goos: current.goos, goarch: current.goarch, tags: current.buildTags, cgoEnabled: current.cgoEnabled });
    if (!base) {
      this.ctx.log(`goperf: cannot add tag ${tag}: the build target is not known yet`);
      return;
    }
    const tags = base.tags ?? [];
    if (!tags.includes(tag)) this.setTarget({ ...base, tags: [...tags, tag] });
  }

  /** Starts `go tool dist list` and `go env` once; onChange fires when the ports are known. */
  loadPorts(): void {
    this.portsPromise ??= Promise.all([
      listPorts(this.ctx.go, this.ctx.cwd, { includeBroken: true }),
      readHostInfo(this.ctx.go, this.ctx.cwd).catch((e: unknown) => {
        this.ctx.log(`cannot read go env: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }),
    ]).then(
      ([ports, host]) => {
        this.portList = ports;
        this.hostInfo = host;
        this.onChange();
      },
      (e: unknown) => this.ctx.log(`cannot list the toolchain's ports: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** Resolves the target the way the go command would see it; undefined means the host's default. */
  setTarget(request: TargetRequest | undefined): void {
    if (this.current && sameRequest(request, this.request)) return;
    this.request = request;
    const generation = ++this.generation;
    void this.resolve(request).then((target) => {
      if (generation !== this.generation || !target) return;
      this.current = target;
      this.onChange();
    });
  }

  private async resolve(request: TargetRequest | undefined): Promise<BuildTarget | undefined> {
    const cli = { goos: request?.goos, goarch: request?.goarch, tags: request?.tags?.join(','), cgo: request?.cgoEnabled };
    try {
      return await resolveTarget(cli, this.ctx.go, this.ctx.cwd);
    } catch (e) {
      // Without a working go command the server still checks syntax and placement.
      this.ctx.log(`goperf: cannot resolve the build target with go list: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }
}

/**
 * `base` moved to another port: same tags, Go version and experiments, the
 * port's baseline architecture level; cgo as given, by default kept where the
 * port supports it.
 */
export function forPort(base: BuildTarget, port: Port, cgoEnabled = base.cgoEnabled && port.cgoSupported): BuildTarget {
  const experiments = base.toolTags.filter((t) => t.startsWith('goexperiment.'));
  return {
    ...base,
    goos: port.goos,
    goarch: port.goarch,
    cgoEnabled,
    toolTags: [...levelTags(port.goarch, 0), ...experiments],
  };
}
