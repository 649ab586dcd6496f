// Runs `go test` on one package for chosen benchmarks and tests, optionally
// writing any set of profiles (CPU, memory, block, mutex, execution trace)
// in that one run. Everything the run produces (profiles, the `pkg.test`
// binary that profiling flags leave behind) goes under the extension's
// storage directory: the user's tree stays untouched.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchOutputParser, type BenchOutput } from '../bench/parse';
import { formatCommandLine, runGo, type OutputStream, type RunGoResult } from './runGo';

export type ProfileKind = 'cpu' | 'mem' | 'block' | 'mutex' | 'trace';

/** Every kind, in the order flags and files are listed. */
export const profileKinds: readonly ProfileKind[] = ['cpu', 'mem', 'block', 'mutex', 'trace'];

const profileFlags: Record<ProfileKind, string> = {
  cpu: '-cpuprofile',
  mem: '-memprofile',
  block: '-blockprofile',
  mutex: '-mutexprofile',
  trace: '-trace',
};

export interface BenchSettings {
  /** `-benchtime`: a duration (`1s`) or an iteration count (`100x`). */
  benchtime: string;
  count: number;
  /** `-cpu`: GOMAXPROCS values, e.g. `1,4`; go test's default when absent. */
  cpu?: string;
  /** `-benchmem` (on unless false). */
  benchmem?: boolean;
  /** `-timeout`, e.g. `10m`; go test's default when absent. */
  timeout?: string;
  /** Appended after the package, so `-args …` still reaches the test binary. */
  extraArgs: readonly string[];
}

export interface ProfileFile {
  kind: ProfileKind;
  path: string;
}

export interface GoTestArgsOptions extends BenchSettings {
  /** Benchmark functions to run; none runs no benchmark. */
  benchmarks: readonly string[];
  /** Test functions to run; none runs no test. */
  tests?: readonly string[];
  profiles?: readonly ProfileFile[];
  /** Where the test binary goes when profiling flags make go test keep it. */
  binaryDir?: string;
}

export interface BenchArgsOptions extends BenchSettings {
  benchmark: string;
  profile?: { kind: ProfileKind; path: string; binaryDir: string };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `^(A|B)$`, or `^$` (matches no top-level name) for none. */
function namesPattern(names: readonly string[]): string {
  if (names.length === 0) return '^$';
  if (names.length === 1) return `^${escapeRegExp(names[0])}$`;
  return `^(${names.map(escapeRegExp).join('|')})$`;
}

/**
 * `go test` arguments for the package of the working directory. `-run`
 * selects the tests (`^$`: none); `-bench` the benchmark functions, with
 * all their sub-benchmarks (the pattern is matched per `/` level).
 */
export function goTestArgs(options: GoTestArgsOptions): string[] {
  const args = ['test', '-run', namesPattern(options.tests ?? []), '-bench', namesPattern(options.benchmarks)];
  if (options.benchmem !== false) args.push('-benchmem');
  // -v makes `go test` report skipped benchmarks (which it otherwise omits),
  // print exact benchmark names and report each test.
  args.push('-v', '-benchtime', options.benchtime, '-count', String(options.count));
  if (options.cpu) args.push('-cpu', options.cpu);
  if (options.timeout) args.push('-timeout', options.timeout);
  for (const { kind, path } of options.profiles ?? []) args.push(profileFlags[kind], path);
  // Profiling flags save the test binary in the current directory (even
  // with -outputdir); -o sends it to a directory of ours instead.
  if (options.profiles?.length && options.binaryDir) args.push('-o', options.binaryDir + '/');
  args.push('.', ...options.extraArgs);
  return args;
}

/** `go test` arguments for one benchmark, with at most one profile. */
export function benchTestArgs(options: BenchArgsOptions): string[] {
  const { benchmark, profile, ...settings } = options;
  return goTestArgs({
    ...settings,
    benchmarks: [benchmark],
    profiles: profile ? [{ kind: profile.kind, path: profile.path }] : [],
    binaryDir: profile?.binaryDir,
  });
}

function timestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
  );
}

/** `BenchmarkParse-cpu-20261127-174501.pprof` (`.trace` for a trace); the label is made safe for file systems. */
export function profileFileName(label: string, kind: ProfileKind, date: Date, attempt = 0): string {
  const safeName = label.replace(/[^\p{L}\p{N}_.-]+/gu, '_');
  return `${safeName}-${kind}-${timestamp(date)}${attempt > 0 ? `-${attempt + 1}` : ''}.${kind === 'trace' ? 'trace' : 'pprof'}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

interface RunCallbacks {
  goPath: string;
  /** The package directory (the directory of the `_test.go` files). */
  packageDir: string;
  /** Extension storage; profiles go to `<storageDir>/profiles`. */
  storageDir: string;
  onLine?: (line: string, stream: OutputStream) => void;
  onSpawn?: (pid: number) => void;
  /** Called once, before starting, with the command line for display. */
  onCommand?: (commandLine: string) => void;
  signal?: AbortSignal;
  now?: Date;
  env?: Readonly<Partial<Record<string, string>>>;
}

export interface GoTestRunOptions extends BenchSettings, RunCallbacks {
  benchmarks: readonly string[];
  tests?: readonly string[];
  /** Profiles to write, all in this one run. */
  profiles?: readonly ProfileKind[];
  /** Names the profile files (the benchmark, or the package for several). */
  label: string;
}

export interface BenchRunOptions extends BenchSettings, RunCallbacks {
  benchmark: string;
  profileKind?: ProfileKind;
}

export type BenchOutcome =
  | 'ok'
  | 'cancelled'
  | 'build-failed'
  | 'failed'
  | 'panicked'
  | 'no-benchmark'
  | 'skipped'
  | 'no-profile';

export interface GoTestRunResult {
  outcome: BenchOutcome;
  /** One sentence for the user; empty when outcome is 'ok'. */
  message: string;
  commandLine: string;
  args: string[];
  output: BenchOutput;
  run: RunGoResult;
  /** The profiles go test wrote (also after a failure, when it got that far). */
  profiles: ProfileFile[];
}

export interface BenchRunResult extends GoTestRunResult {
  /** Set when a profile was asked for and written. */
  profilePath?: string;
}

// The test binary rejects a bad flag value (`-benchtime 0x`) with this line and its usage text.
const flagError = /^invalid value "(.*)" for flag -test\.(\S+): (.*)$/m;

function describeFailure(
  label: string,
  options: { benchmarks: readonly string[]; tests: readonly string[] },
  run: RunGoResult,
  output: BenchOutput,
): { outcome: BenchOutcome; message: string } | undefined {
  if (run.cancelled) return { outcome: 'cancelled', message: `${label} was cancelled.` };
  const buildFailed = output.packages.some((p) => !p.ok && /\[(build|setup) failed\]/.test(p.detail));
  if (buildFailed) {
    const firstError = /^\S+\.go:\d+(?::\d+)?: .*$/m.exec(run.stderr)?.[0];
    return {
      outcome: 'build-failed',
      message: `The package did not build${firstError ? `: ${firstError}` : '; see the goperf output'}`,
    };
  }
  if (output.panic !== undefined) {
    return { outcome: 'panicked', message: `${label} panicked: ${output.panic}` };
  }
  const failedReport = output.reports.find((r) => r.kind === 'fail');
  if (failedReport) {
    const why = failedReport.messages[0] ? `: ${failedReport.messages[0]}` : '';
    return { outcome: 'failed', message: `${failedReport.name} failed${why}` };
  }
  if (run.exitCode !== 0) {
    const badFlag = flagError.exec(run.stdout) ?? flagError.exec(run.stderr);
    if (badFlag) {
      return { outcome: 'failed', message: `go test rejected -${badFlag[2]} ${badFlag[1]}: ${badFlag[3]}` };
    }
    const lastError = run.stderr.trim().split('\n').pop();
    return {
      outcome: 'failed',
      message: `go test exited with ${run.signal ?? `status ${run.exitCode}`}${lastError ? `: ${lastError}` : ''}`,
    };
  }
  if (options.benchmarks.length > 0 && output.results.length === 0) {
    const skipped = output.reports.find((r) => r.kind === 'skip');
    if (skipped) {
      const why = skipped.messages[0] ? `: ${skipped.messages[0]}` : '';
      return { outcome: 'skipped', message: `${skipped.name} was skipped${why}` };
    }
    return { outcome: 'no-benchmark', message: `No benchmark matched ${label} in this package.` };
  }
  return undefined;
}

/** Picks profile paths under `<storageDir>/profiles` that no earlier run used. */
async function profilePaths(storageDir: string, label: string, kinds: readonly ProfileKind[], date: Date): Promise<ProfileFile[]> {
  const profilesDir = join(storageDir, 'profiles');
  await mkdir(profilesDir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const files = kinds.map((kind) => ({ kind, path: join(profilesDir, profileFileName(label, kind, date, attempt)) }));
    const taken = await Promise.all(files.map((file) => exists(file.path)));
    if (!taken.some(Boolean)) return files;
  }
}

/** One `go test` run in one package (go test refuses profile flags with several packages). */
export async function runGoTest(options: GoTestRunOptions): Promise<GoTestRunResult> {
  const kinds = profileKinds.filter((kind) => options.profiles?.includes(kind));
  let profiles: ProfileFile[] = [];
  let binaryDir: string | undefined;
  if (kinds.length > 0) {
    profiles = await profilePaths(options.storageDir, options.label, kinds, options.now ?? new Date());
    const scratch = join(options.storageDir, 'tmp');
    await mkdir(scratch, { recursive: true });
    binaryDir = await mkdtemp(join(scratch, 'bin-'));
  }

  const tests = options.tests ?? [];
  const args = goTestArgs({ ...options, tests, profiles, binaryDir });
  const commandLine = formatCommandLine(options.goPath, args);
  options.onCommand?.(commandLine);
  const parser = new BenchOutputParser();
  try {
    const run = await runGo(options.goPath, args, {
      cwd: options.packageDir,
      env: options.env,
      signal: options.signal,
      onSpawn: options.onSpawn,
      onLine: (line, stream) => {
        if (stream === 'stdout') parser.push(line);
        options.onLine?.(line, stream);
      },
    });
    const output = parser.output;
    const written = (await Promise.all(profiles.map(async (file) => ((await exists(file.path)) ? file : undefined)))).filter(
      (file): file is ProfileFile => file !== undefined,
    );
    const result = { commandLine, args, output, run, profiles: written };
    const failure = describeFailure(options.label, { benchmarks: options.benchmarks, tests }, run, output);
    if (failure) return { ...failure, ...result };
    const missing = profiles.filter((file) => !written.includes(file));
    if (missing.length > 0) {
      return {
        outcome: 'no-profile',
        message: `go test finished but wrote no ${missing.map((file) => file.kind).join(', ')} profile at ${missing.map((file) => file.path).join(', ')}.`,
        ...result,
      };
    }
    return { outcome: 'ok', message: '', ...result };
  } finally {
    if (binaryDir) await rm(binaryDir, { recursive: true, force: true });
  }
}

/** One benchmark function (and its sub-benchmarks), with at most one profile. */
export async function runBenchmark(options: BenchRunOptions): Promise<BenchRunResult> {
  const { benchmark, profileKind, ...rest } = options;
  const result = await runGoTest({ ...rest, benchmarks: [benchmark], label: benchmark, profiles: profileKind ? [profileKind] : [] });
  return { ...result, profilePath: result.outcome === 'ok' ? result.profiles[0]?.path : undefined };
}

export interface RunEnvironment {
  goVersion?: string;
  /** The commit checked out in the package's repository, and whether the work tree has changes. */
  git?: { commit: string; dirty: boolean };
}

/**
 * What a recorded run needs besides go test's own header: the Go version
 * and the git state (as `go build -buildvcs` counts it: any change or
 * untracked file makes the tree dirty). Missing git or a folder outside
 * a repository just leaves `git` out.
 */
export async function runEnvironment(goPath: string, dir: string, env?: Readonly<Partial<Record<string, string>>>): Promise<RunEnvironment> {
  const quiet = async (file: string, args: string[]) => {
    try {
      const run = await runGo(file, args, { cwd: dir, env });
      return run.exitCode === 0 ? run.stdout.trim() : undefined;
    } catch {
      return undefined;
    }
  };
  const [goVersion, commit, status] = await Promise.all([
    quiet(goPath, ['env', 'GOVERSION']),
    quiet('git', ['rev-parse', '--verify', 'HEAD']),
    quiet('git', ['status', '--porcelain']),
  ]);
  return {
    ...(goVersion ? { goVersion } : {}),
    ...(commit && status !== undefined ? { git: { commit, dirty: status !== '' } } : {}),
  };
}
