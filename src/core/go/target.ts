// The build target the whole extension uses (benchmarks, builds, constraint
// evaluation): GOOS, GOARCH, -tags and CGO_ENABLED, and the facts about the
// toolchain needed to choose one (the host, the real ports).
import { KNOWN_ARCH, KNOWN_OS, releaseTagMinor } from '../constraints/platform';
import { ARCH_LEVELS } from '../constraints/satisfy';
import { runGo } from './runGo';

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

export interface GoPort {
  readonly goos: string;
  readonly goarch: string;
  readonly cgoSupported: boolean;
  readonly firstClass: boolean;
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
  const run = await runGo(goPath, ['env', '-json', 'GOOS', 'GOARCH', 'CGO_ENABLED', 'GOHOSTOS', 'GOHOSTARCH'], { cwd });
  if (run.exitCode !== 0) {
    throw new Error(`go env failed (exit ${run.exitCode ?? run.signal}): ${run.stderr.trim() || run.stdout.trim()}`);
  }
  let env: Record<string, string | undefined>;
  try {
    env = JSON.parse(run.stdout) as Record<string, string | undefined>;
  } catch {
    throw new Error(`go env -json printed something that is not JSON: ${run.stdout.slice(0, 200)}`);
  }
  const { GOOS, GOARCH, CGO_ENABLED, GOHOSTOS, GOHOSTARCH } = env;
  if (!GOOS || !GOARCH) throw new Error(`go env did not report GOOS and GOARCH: ${run.stdout.slice(0, 200)}`);
  return {
    defaultTarget: { goos: GOOS, goarch: GOARCH, tags: [], cgoEnabled: CGO_ENABLED === '1' },
    goos: GOHOSTOS || GOOS,
    goarch: GOHOSTARCH || GOARCH,
  };
}

/** Parses `go tool dist list -json`; first-class ports first, then by name. */
export function parsePortList(json: string): GoPort[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error(`go tool dist list -json printed something that is not JSON: ${json.slice(0, 200)}`);
  }
  if (!Array.isArray(raw)) throw new Error('go tool dist list -json did not print a list of ports');
  const ports = raw.flatMap((entry: Record<string, unknown>) =>
    typeof entry?.GOOS === 'string' && typeof entry.GOARCH === 'string'
      ? [{ goos: entry.GOOS, goarch: entry.GOARCH, cgoSupported: entry.CgoSupported === true, firstClass: entry.FirstClass === true }]
      : [],
  );
  return ports.sort((a, b) => Number(b.firstClass) - Number(a.firstClass) || `${a.goos}/${a.goarch}`.localeCompare(`${b.goos}/${b.goarch}`));
}

export async function listGoPorts(goPath: string, cwd: string): Promise<GoPort[]> {
  const run = await runGo(goPath, ['tool', 'dist', 'list', '-json'], { cwd });
  if (run.exitCode !== 0) {
    throw new Error(`go tool dist list failed (exit ${run.exitCode ?? run.signal}): ${run.stderr.trim() || run.stdout.trim()}`);
  }
  return parsePortList(run.stdout);
}
