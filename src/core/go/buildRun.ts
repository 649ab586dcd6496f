// Runs a build plan. The go command writes into a temporary folder beside the
// destination and the result is renamed into place only when the build
// succeeded, so a failed or cancelled build never leaves a half-written
// binary where the user's was (and rename on one file system is atomic).
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { buildArgs, defaultBinaryName, formatBuildCommand, parseBuildOutput, type BuildPlan, type GoDiagnostic } from './build';
import { runGo, type OutputStream, type RunGoResult } from './runGo';

export interface Artifact {
  readonly path: string;
  readonly bytes: number;
}

export interface BuildRunResult {
  readonly outcome: 'ok' | 'failed' | 'cancelled';
  /** One sentence for the user. */
  readonly message: string;
  readonly commandLine: string;
  readonly diagnostics: GoDiagnostic[];
  /** Binaries written (moved into place); empty when go discarded the result. */
  readonly artifacts: Artifact[];
  readonly run: RunGoResult;
}

export interface BuildRunOptions {
  goPath: string;
  plan: BuildPlan;
  signal?: AbortSignal;
  onLine?: (line: string, stream: OutputStream) => void;
  /** Called once before go starts, with the shell-quoted command line for display. */
  onCommand?: (commandLine: string) => void;
  killGraceMillis?: number;
}

function goFailure(what: string, run: RunGoResult): Error {
  return new Error(`${what} failed (exit ${run.exitCode ?? run.signal}): ${run.stderr.trim() || run.stdout.trim()}`);
}

/**
 * Where go would put the binary without -o: for one main package, its
 * default name in the folder go runs in; otherwise nowhere (go builds
 * several packages or a library only to check them).
 */
export async function defaultOutput(goPath: string, plan: BuildPlan, signal?: AbortSignal): Promise<string | undefined> {
  const run = await runGo(goPath, ['list', '-f', '{{.Name}} {{.ImportPath}}', ...plan.packages], { cwd: plan.cwd, env: plan.env, signal });
  if (run.cancelled) return undefined;
  // A failing list (a broken package) is left to go build to report with locations.
  if (run.exitCode !== 0) return undefined;
  const packages = run.stdout.trim().split('\n').filter(Boolean);
  if (packages.length !== 1) return undefined;
  const [name, importPath] = packages[0].split(' ');
  return name === 'main' ? join(plan.cwd, defaultBinaryName(importPath, plan.target.goos)) : undefined;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function runBuild(options: BuildRunOptions): Promise<BuildRunResult> {
  const { goPath, signal } = options;
  let plan = options.plan;
  if (plan.output === undefined) {
    const output = await defaultOutput(goPath, plan, signal);
    if (output) plan = { ...plan, output };
  }
  const commandLine = formatBuildCommand(goPath, plan);
  const toDirectory = plan.output !== undefined && (plan.outputIsDir || (await isDirectory(plan.output)));
  const destinationDir = plan.output === undefined ? undefined : toDirectory ? plan.output : dirname(plan.output);
  let scratch: string | undefined;
  if (destinationDir) {
    await mkdir(destinationDir, { recursive: true });
    scratch = await mkdtemp(join(destinationDir, '.goperf-build-'));
  }
  options.onCommand?.(commandLine);
  try {
    const scratchOutput = scratch === undefined ? undefined : toDirectory ? `${scratch}/` : join(scratch, basename(plan.output!));
    const run = await runGo(goPath, buildArgs(plan, scratchOutput), {
      cwd: plan.cwd,
      env: plan.env,
      signal,
      onLine: options.onLine,
      killGraceMillis: options.killGraceMillis,
    });
    const { diagnostics, other } = parseBuildOutput(run.stderr, plan.cwd);
    if (run.cancelled) {
      return { outcome: 'cancelled', message: 'The build was cancelled; nothing was written.', commandLine, diagnostics: [], artifacts: [], run };
    }
    if (run.exitCode !== 0) {
      const first = diagnostics[0];
      const reason = first
        ? `${first.file}:${first.line}${first.column ? `:${first.column}` : ''}: ${first.message.split('\n')[0]}` +
          (diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '')
        : other.at(-1) ?? `go exited with ${run.signal ?? `status ${run.exitCode}`}`;
      return { outcome: 'failed', message: `The build failed: ${reason}`, commandLine, diagnostics, artifacts: [], run };
    }
    const artifacts: Artifact[] = [];
    if (scratch && plan.output) {
      const produced = toDirectory ? (await readdir(scratch)).map((name) => join(scratch!, name)) : [join(scratch, basename(plan.output))];
      for (const file of produced) {
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) continue;
        const destination = toDirectory ? join(plan.output, basename(file)) : plan.output;
        await rename(file, destination);
        artifacts.push({ path: destination, bytes: info.size });
      }
    }
    const message = artifacts.length
      ? `Built ${artifacts.map((a) => a.path).join(', ')}`
      : 'Built; go kept no binary (not a single main package and no output set)';
    return { outcome: 'ok', message, commandLine, diagnostics, artifacts, run };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** The module's packages, as the Build quick pick offers them (`go list ./...` in the module folder). */
export async function listPackages(
  goPath: string,
  cwd: string,
  env?: Readonly<Record<string, string>>,
): Promise<{ importPath: string; dir: string; isMain: boolean }[]> {
  const run = await runGo(goPath, ['list', '-e', '-f', '{{.ImportPath}}\t{{.Name}}\t{{.Dir}}', './...'], { cwd, env });
  if (run.exitCode !== 0) throw goFailure('go list ./...', run);
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [importPath, name, dir] = line.split('\t');
      return { importPath, dir, isMain: name === 'main' };
    });
}

/** `git describe --tags --always --dirty` in the module folder, for version stamps. */
export async function gitDescribe(cwd: string): Promise<string> {
  const { execa } = await import('execa');
  const result = await execa('git', ['describe', '--tags', '--always', '--dirty'], { cwd, reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0) {
    const reason = result.failed && result.exitCode === undefined ? 'git was not found on PATH' : String(result.stderr).trim();
    throw new Error(`git describe failed in ${cwd}: ${reason}`);
  }
  return String(result.stdout).trim();
}
