// Runs one benchmark of one package with `go test`, optionally writing a CPU
// or memory profile. Everything the run produces (profile, the `pkg.test`
// binary that profiling flags leave behind) goes under the extension's
// storage directory: the user's tree stays untouched.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchOutputParser, type BenchOutput } from '../bench/parse';
import { formatCommandLine, runGo, type OutputStream, type RunGoResult } from './runGo';

export type ProfileKind = 'cpu' | 'mem';

export interface BenchSettings {
  /** `-benchtime`: a duration (`1s`) or an iteration count (`100x`). */
  benchtime: string;
  count: number;
  /** Appended after the package, so `-args …` still reaches the test binary. */
  extraArgs: readonly string[];
}

export interface BenchArgsOptions extends BenchSettings {
  benchmark: string;
  profile?: { kind: ProfileKind; path: string; binaryDir: string };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `go test` arguments for one benchmark in the package of the working
 * directory. `-run '^$'` skips the tests; `-bench '^Name$'` selects the
 * function and all its sub-benchmarks (the pattern is matched per `/` level).
 */
export function benchTestArgs(options: BenchArgsOptions): string[] {
  const args = [
    'test',
    '-run',
    '^$',
    '-bench',
    `^${escapeRegExp(options.benchmark)}$`,
    '-benchmem',
    // -v makes `go test` report skipped benchmarks, which it otherwise omits.
    '-v',
    '-benchtime',
    options.benchtime,
    '-count',
    String(options.count),
  ];
  if (options.profile) {
    const { kind, path, binaryDir } = options.profile;
    args.push(kind === 'cpu' ? '-cpuprofile' : '-memprofile', path);
    // Profiling flags save the test binary in the current directory (even
    // with -outputdir); -o sends it to a directory of ours instead.
    args.push('-o', binaryDir + '/');
  }
  args.push('.', ...options.extraArgs);
  return args;
}

function timestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
  );
}

/** `BenchmarkParse-cpu-20261127-174501.pprof`; the benchmark name is made safe for file systems. */
export function profileFileName(benchmark: string, kind: ProfileKind, date: Date, attempt = 0): string {
  const safeName = benchmark.replace(/[^\p{L}\p{N}_.-]+/gu, '_');
  return `${safeName}-${kind}-${timestamp(date)}${attempt > 0 ? `-${attempt + 1}` : ''}.pprof`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export interface BenchRunOptions extends BenchSettings {
  goPath: string;
  /** The package directory (the directory of the `_test.go` file). */
  packageDir: string;
  benchmark: string;
  profileKind?: ProfileKind;
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

export type BenchOutcome =
  | 'ok'
  | 'cancelled'
  | 'build-failed'
  | 'failed'
  | 'panicked'
  | 'no-benchmark'
  | 'skipped'
  | 'no-profile';

export interface BenchRunResult {
  outcome: BenchOutcome;
  /** One sentence for the user; empty when outcome is 'ok'. */
  message: string;
  commandLine: string;
  output: BenchOutput;
  run: RunGoResult;
  /** Set when a profile was asked for and written. */
  profilePath?: string;
}

function describeFailure(
  benchmark: string,
  run: RunGoResult,
  output: BenchOutput,
): { outcome: BenchOutcome; message: string } | undefined {
  if (run.cancelled) return { outcome: 'cancelled', message: `${benchmark} was cancelled.` };
  const buildFailed = output.packages.some((p) => !p.ok && /\[(build|setup) failed\]/.test(p.detail));
  if (buildFailed) {
    const firstError = /^\S+\.go:\d+(?::\d+)?: .*$/m.exec(run.stderr)?.[0];
    return {
      outcome: 'build-failed',
      message: `The package did not build${firstError ? `: ${firstError}` : '; see the goperf output'}`,
    };
  }
  if (output.panic !== undefined) {
    return { outcome: 'panicked', message: `${benchmark} panicked: ${output.panic}` };
  }
  const failedReport = output.reports.find((r) => r.kind === 'fail');
  if (failedReport) {
    const why = failedReport.messages[0] ? `: ${failedReport.messages[0]}` : '';
    return { outcome: 'failed', message: `${failedReport.name} failed${why}` };
  }
  if (run.exitCode !== 0) {
    const lastError = run.stderr.trim().split('\n').pop();
    return {
      outcome: 'failed',
      message: `go test exited with ${run.signal ?? `status ${run.exitCode}`}${lastError ? `: ${lastError}` : ''}`,
    };
  }
  if (output.results.length === 0) {
    const skipped = output.reports.find((r) => r.kind === 'skip');
    if (skipped) {
      const why = skipped.messages[0] ? `: ${skipped.messages[0]}` : '';
      return { outcome: 'skipped', message: `${skipped.name} was skipped${why}` };
    }
    return { outcome: 'no-benchmark', message: `No benchmark matched ${benchmark} in this package.` };
  }
  return undefined;
}

export async function runBenchmark(options: BenchRunOptions): Promise<BenchRunResult> {
  const profilesDir = join(options.storageDir, 'profiles');
  let profile: BenchArgsOptions['profile'];
  let binaryDir: string | undefined;
  if (options.profileKind) {
    await mkdir(profilesDir, { recursive: true });
    const date = options.now ?? new Date();
    let attempt = 0;
    let path: string;
    do path = join(profilesDir, profileFileName(options.benchmark, options.profileKind, date, attempt++));
    while (await exists(path));
    const scratch = join(options.storageDir, 'tmp');
    await mkdir(scratch, { recursive: true });
    binaryDir = await mkdtemp(join(scratch, 'bin-'));
    profile = { kind: options.profileKind, path, binaryDir };
  }

  const args = benchTestArgs({ ...options, profile });
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
    const failure = describeFailure(options.benchmark, run, output);
    if (failure) return { ...failure, commandLine, output, run };
    if (profile && !(await exists(profile.path))) {
      return {
        outcome: 'no-profile',
        message: `go test finished but wrote no profile at ${profile.path}.`,
        commandLine,
        output,
        run,
      };
    }
    return { outcome: 'ok', message: '', commandLine, output, run, profilePath: profile?.path };
  } finally {
    if (binaryDir) await rm(binaryDir, { recursive: true, force: true });
  }
}
