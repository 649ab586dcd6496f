// "Does it build for every target I care about?": `go build` (or `go vet`)
// of the same packages for several ports at once, at most `concurrency` go
// commands at a time, each result with its compile errors.
import { availableParallelism } from 'node:os';
import { parseBuildOutput, type GoDiagnostic } from './build';
import { runGo } from './runGo';
import { describeTarget, targetEnv, targetTagArgs, type TargetSpec } from './target';

export type CheckMode = 'build' | 'vet';

export interface TargetCheck {
  readonly target: TargetSpec;
  readonly outcome: 'ok' | 'failed' | 'cancelled';
  readonly diagnostics: GoDiagnostic[];
  /** go's lines without a location (`go: …`, link errors), for failures without diagnostics. */
  readonly other: string[];
  readonly millis: number;
}

/** go build writes nothing for the check; vet has no output to discard. */
export function checkArgs(mode: CheckMode, target: TargetSpec, packages: readonly string[]): string[] {
  if (mode === 'vet') return ['vet', ...targetTagArgs(target), ...packages];
  return ['build', ...targetTagArgs(target), '-o', process.platform === 'win32' ? 'NUL' : '/dev/null', ...packages];
}

/** One go command per target at a time per core: each is itself parallel, so more would only queue. */
export function defaultConcurrency(targets: number): number {
  return Math.max(1, Math.min(targets, availableParallelism()));
}

export async function checkTargets(options: {
  goPath: string;
  cwd: string;
  mode: CheckMode;
  packages: readonly string[];
  targets: readonly TargetSpec[];
  concurrency?: number;
  signal?: AbortSignal;
  /** Called as each target starts and finishes, in completion order. */
  onStart?: (target: TargetSpec) => void;
  onResult?: (result: TargetCheck) => void;
}): Promise<TargetCheck[]> {
  const results: TargetCheck[] = new Array(options.targets.length);
  let next = 0;
  const worker = async () => {
    while (next < options.targets.length) {
      const index = next++;
      const target = options.targets[index];
      if (options.signal?.aborted) {
        results[index] = { target, outcome: 'cancelled', diagnostics: [], other: [], millis: 0 };
        continue;
      }
      options.onStart?.(target);
      const started = Date.now();
      const run = await runGo(options.goPath, checkArgs(options.mode, target, options.packages), {
        cwd: options.cwd,
        env: targetEnv(target),
        signal: options.signal,
      });
      const { diagnostics, other } = parseBuildOutput(run.stderr, options.cwd);
      const outcome = run.cancelled ? 'cancelled' : run.exitCode === 0 ? 'ok' : 'failed';
      results[index] = { target, outcome, diagnostics: outcome === 'failed' ? diagnostics : [], other: outcome === 'failed' ? other : [], millis: Date.now() - started };
      options.onResult?.(results[index]);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? defaultConcurrency(options.targets.length), options.targets.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/** `windows/amd64: 2 errors`, one line per target. */
export function describeCheck(result: TargetCheck): string {
  const name = describeTarget(result.target);
  if (result.outcome === 'ok') return `${name}: ok (${(result.millis / 1000).toFixed(1)}s)`;
  if (result.outcome === 'cancelled') return `${name}: cancelled`;
  const count = result.diagnostics.length;
  return `${name}: ${count ? `${count} error${count === 1 ? '' : 's'}` : result.other.at(-1) ?? 'failed'}`;
}

/** `goperf build windows/amd64 · no cgo`: the source of a check's problems, naming the command and the target. */
function checkSource(mode: CheckMode, target: TargetSpec): string {
  return `goperf ${mode} ${describeTarget(target)}`;
}

export interface CheckProblem extends GoDiagnostic {
  readonly source: string;
}

/**
 * The compile errors of every checked target, per file. Problems groups by
 * file, not by target, so each error carries its target in its source; an
 * error in a file every target builds appears once per failing target.
 */
export function checkProblemsByFile(results: readonly (TargetCheck | undefined)[], mode: CheckMode): Map<string, CheckProblem[]> {
  const byFile = new Map<string, CheckProblem[]>();
  for (const result of results) {
    if (!result) continue;
    const source = checkSource(mode, result.target);
    for (const d of result.diagnostics) {
      const list = byFile.get(d.file) ?? [];
      list.push({ ...d, source });
      byFile.set(d.file, list);
    }
  }
  return byFile;
}
