// The build target the whole extension uses (benchmarks, builds, constraint
// evaluation): GOOS, GOARCH, -tags and CGO_ENABLED, and the facts about the
// toolchain needed to choose one (the host, the real ports, the target as the
// go command resolves it).
import { execFile } from 'node:child_process';
import { KNOWN_ARCH, KNOWN_OS, releaseTagMinor, type BuildTarget } from '../constraints/platform';
import { ARCH_LEVELS, type Port } from '../constraints/satisfy';
import { GoNotFoundError } from './runGo';

export interface TargetSpec {
  readonly goos: string;
  readonly goarch: string;
  /** Custom tags passed with -tags, without duplicates. */
  readonly tags: readonly string[];
  readonly cgoEnabled: boolean;
}

export interface HostInfo {
  /** What the go command builds for by default here (go env GOOS/GOARCH/CGO_ENABLED, which honour the environment). */
  readonly defaultTarget: TargetSpec;
  /** The machine itself: only binaries for this port run here. */
  readonly goos: string;
  readonly goarch: string;
}

export interface GoPort extends Port {
  readonly firstClass: boolean;
  /** Marked broken in the toolchain (listed only with `-broken`); its code still exists. */
  readonly broken: boolean;
}

export function sameTarget(a: TargetSpec, b: TargetSpec): boolean {
  return (
    a.goos === b.goos &&
    a.goarch === b.goarch &&
    a.cgoEnabled === b.cgoEnabled &&
    a.tags.length === b.tags.length &&
    a.tags.every((t, i) => t === b.tags[i])
  );
}

/** `linux/amd64 · tags: integration`, as the status bar shows it. */
export function describeTarget(spec: TargetSpec): string {
  const parts = [`${spec.goos}/${spec.goarch}`];
  if (spec.tags.length > 0) parts.push(`tags: ${spec.tags.join(',')}`);
  if (!spec.cgoEnabled) parts.push('no cgo');
  return parts.join(' · ');
}

/** A tag as -tags accepts it: letters, digits, `_` and `.` (what a constraint line can name). */
export function isValidTag(tag: string): boolean {
  return /^[\p{L}\p{N}_.]+$/u.test(tag);
}

/** Splits what a user typed ("a, b c") into tags, rejecting any that no constraint could ever name. */
export function parseTagList(text: string): { tags: string[]; invalid: string[] } {
  const words = text.split(/[\s,]+/).filter(Boolean);
  const invalid = words.filter((w) => !isValidTag(w));
  return { tags: normalizeTags(words.filter(isValidTag)), invalid };
}

export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort();
}

/**
 * Whether a tag is one the toolchain decides rather than the user: GOOS and
 * GOARCH names, the compiler, cgo, unix, release and tool tags. Only the others
 * are offered as custom tags.
 */
export function isToolchainTag(tag: string): boolean {
  if (KNOWN_OS.has(tag) || KNOWN_ARCH.has(tag)) return true;
  if (['cgo', 'gc', 'gccgo', 'unix', 'boringcrypto'].includes(tag)) return true;
  if (releaseTagMinor(tag) !== undefined) return true;
  if (tag.startsWith('goexperiment.')) return true;
  const dot = tag.indexOf('.');
  return dot > 0 && (ARCH_LEVELS[tag.slice(0, dot)] !== undefined || KNOWN_ARCH.has(tag.slice(0, dot)));
}

/** The environment and arguments that make a go command build for the target. */
export function targetEnv(spec: TargetSpec): Record<string, string> {
  return { GOOS: spec.goos, GOARCH: spec.goarch, CGO_ENABLED: spec.cgoEnabled ? '1' : '0' };
}

export function targetTagArgs(spec: TargetSpec): string[] {
  return spec.tags.length > 0 ? ['-tags', spec.tags.join(',')] : [];
}

/** gopls's `build.buildFlags` (or any go flag list) with any -tags flag replaced by the target's. */
export function withTagFlag(flags: readonly unknown[], tags: readonly string[]): unknown[] {
  const kept: unknown[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    if (flag === '-tags' || flag === '--tags') {
      i++; // its value is the next element
      continue;
    }
    if (typeof flag === 'string' && /^--?tags=/.test(flag)) continue;
    kept.push(flag);
  }
  return tags.length ? [...kept, `-tags=${tags.join(',')}`] : kept;
}

/** A test binary built for another port cannot run on this machine. */
export function runsOnHost(spec: TargetSpec, host: HostInfo): boolean {
  return spec.goos === host.goos && spec.goarch === host.goarch;
}

export async function readHostInfo(goPath: string, cwd: string): Promise<HostInfo> {
  const out = await queryGo(goPath, ['env', '-json', 'GOOS', 'GOARCH', 'CGO_ENABLED', 'GOHOSTOS', 'GOHOSTARCH'], cwd);
  let env: Record<string, string | undefined>;
  try {
    env = JSON.parse(out) as Record<string, string | undefined>;
  } catch {
    throw new Error(`go env -json printed something that is not JSON: ${out.slice(0, 200)}`);
  }
  const { GOOS, GOARCH, CGO_ENABLED, GOHOSTOS, GOHOSTARCH } = env;
  if (!GOOS || !GOARCH) throw new Error(`go env did not report GOOS and GOARCH: ${out.slice(0, 200)}`);
  return {
    defaultTarget: { goos: GOOS, goarch: GOARCH, tags: [], cgoEnabled: CGO_ENABLED === '1' },
    goos: GOHOSTOS || GOOS,
    goarch: GOHOSTARCH || GOARCH,
  };
}

/**
 * CGO_ENABLED as the go command sets it when only GOOS/GOARCH are given
 * (cmd/go/internal/cfg): the environment's CGO_ENABLED if set; off when
 * cross-compiling; on the host, the host's default (which go env already
 * turned off when there is no C compiler). When go env's default target is
 * itself a cross port the host's default is not known, and off promises
 * nothing that needs cgo.
 */
export function defaultCgoEnabled(port: Pick<GoPort, 'goos' | 'goarch' | 'cgoSupported'>, host: HostInfo, env: NodeJS.ProcessEnv = process.env): boolean {
  const fromEnv = env.CGO_ENABLED;
  if (fromEnv === '0' || fromEnv === '1') return fromEnv === '1';
  if (port.goos !== host.goos || port.goarch !== host.goarch) return false;
  const defaultIsHost = host.defaultTarget.goos === host.goos && host.defaultTarget.goarch === host.goarch;
  return defaultIsHost && host.defaultTarget.cgoEnabled && port.cgoSupported;
}

/** Parses `go tool dist list -json [-broken]`; first-class ports first, then by name. */
export function parsePortList(json: string): GoPort[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error(`go tool dist list -json printed something that is not JSON: ${json.slice(0, 200)}`);
  }
  if (!Array.isArray(raw)) throw new Error('go tool dist list -json did not print a list of ports');
  const ports = raw.flatMap((entry: Record<string, unknown>): GoPort[] =>
    typeof entry?.GOOS === 'string' && typeof entry.GOARCH === 'string'
      ? [{ goos: entry.GOOS, goarch: entry.GOARCH, cgoSupported: entry.CgoSupported === true, firstClass: entry.FirstClass === true, broken: entry.Broken === true }]
      : [],
  );
  return ports.sort((a, b) => Number(b.firstClass) - Number(a.firstClass) || `${a.goos}/${a.goarch}`.localeCompare(`${b.goos}/${b.goarch}`));
}

/**
 * Short queries of the go command (go list, go tool dist list): no streaming
 * and no process-group cancel, so not runGo, whose execa costs the CLI more
 * start-up time than the whole query takes.
 */
function queryGo(goPath: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(goPath, args, { cwd, env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) resolve(stdout);
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new GoNotFoundError(goPath));
      else reject(new Error(`go ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
    });
  });
}

/**
 * The toolchain's ports. `includeBroken` adds the ports marked broken, which
 * still have code: constraint checks must know them, a target picker should
 * not offer them.
 */
export async function listPorts(goPath: string, cwd: string, options: { includeBroken?: boolean } = {}): Promise<GoPort[]> {
  const args = ['tool', 'dist', 'list', '-json'];
  if (options.includeBroken) args.push('-broken');
  return parsePortList(await queryGo(goPath, args, cwd));
}

export interface TargetRequest {
  readonly goos?: string;
  readonly goarch?: string;
  /** Comma-separated, as for -tags. */
  readonly tags?: string;
  readonly cgo?: boolean;
}

// Fields of the go command's build context, tab-separated (tags are never empty strings or contain tabs).
const CONTEXT_TEMPLATE = [
  '{{context.GOOS}}',
  '{{context.GOARCH}}',
  '{{context.CgoEnabled}}',
  '{{context.Compiler}}',
  '{{join context.BuildTags ","}}',
  '{{join context.ToolTags ","}}',
  '{{join context.ReleaseTags ","}}',
].join('\t');

/**
 * The target exactly as the go command sees it: GOOS/GOARCH/CGO_ENABLED from
 * the request or the environment and go env, tool tags (architecture levels,
 * enabled experiments) and release tags of this toolchain. A request without
 * `cgo` gets the go command's default for the port (off when cross-compiling
 * without a C compiler for the target).
 */
export async function resolveTarget(request: TargetRequest, goPath: string, cwd: string): Promise<BuildTarget> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (request.goos) env.GOOS = request.goos;
  if (request.goarch) env.GOARCH = request.goarch;
  if (request.cgo !== undefined) env.CGO_ENABLED = request.cgo ? '1' : '0';
  const args = ['list', '-e', '-f', CONTEXT_TEMPLATE];
  if (request.tags !== undefined) args.push('-tags', request.tags);
  args.push('unsafe');
  const out = (await queryGo(goPath, args, cwd, env)).trim();
  const [goos, goarch, cgo, compiler, buildTags, toolTags, releaseTags] = out.split('\t');
  const list = (s: string | undefined) => (s ? s.split(',').filter(Boolean) : []);
  const minors = list(releaseTags).map((t) => Number(/^go1\.(\d+)$/.exec(t)?.[1] ?? NaN)).filter((n) => !Number.isNaN(n));
  if (!goos || !goarch || minors.length === 0) throw new Error(`unexpected output from go list: ${JSON.stringify(out)}`);
  return {
    goos,
    goarch,
    cgoEnabled: cgo === 'true',
    compiler: compiler || 'gc',
    buildTags: list(buildTags),
    toolTags: list(toolTags),
    goVersion: Math.max(...minors),
  };
}
