// Profiles for the filter and diff oracles: one test binary of the sample
// module, run for different benchmarks, so that a base and a source come
// from the same binary (as when comparing two runs) or differ in what ran.
// `go tool pprof` with the same flags is the oracle.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { env, pprofTop, repoRoot, type PprofTop } from '../fixtures/real-profiles';

export interface BenchProfiles {
  /** Parse, Hash and Sort in one run: cpu and allocs. */
  mixCpu: string;
  mixMem: string;
  /** BenchmarkParse twice (two runs of the same code) and BenchmarkSort once. */
  parseCpuA: string;
  parseCpuB: string;
  sortCpu: string;
  parseMem: string;
  sortMem: string;
}

export function benchProfiles(dir: string): BenchProfiles {
  const binary = join(dir, 'workload.test');
  execFileSync('go', ['test', '-c', '-o', binary, './workload'], { cwd: join(repoRoot, 'sample'), env, stdio: 'pipe' });
  const run = (bench: string, cpu: string, mem?: string) => {
    const args = ['-test.run', '^$', '-test.bench', bench, '-test.benchtime', '250ms', '-test.cpuprofile', join(dir, cpu)];
    if (mem) args.push('-test.memprofile', join(dir, mem), '-test.memprofilerate', '4096');
    execFileSync(binary, args, { cwd: dir, env, stdio: 'pipe' });
    return join(dir, cpu);
  };
  run('Parse|Hash|Sort', 'mix-cpu.pprof', 'mix-mem.pprof');
  run('Parse', 'parse-cpu-a.pprof', 'parse-mem.pprof');
  run('Parse', 'parse-cpu-b.pprof');
  run('Sort', 'sort-cpu.pprof', 'sort-mem.pprof');
  return {
    mixCpu: join(dir, 'mix-cpu.pprof'),
    mixMem: join(dir, 'mix-mem.pprof'),
    parseCpuA: join(dir, 'parse-cpu-a.pprof'),
    parseCpuB: join(dir, 'parse-cpu-b.pprof'),
    sortCpu: join(dir, 'sort-cpu.pprof'),
    parseMem: join(dir, 'parse-mem.pprof'),
    sortMem: join(dir, 'sort-mem.pprof'),
  };
}

export type TopRows = PprofTop;

/** `go tool pprof -top -nodefraction=0` with extra flags, in exact integers of `unit`. */
export function pprofTopWith(file: string, sampleIndex: string, unit: string, flags: string[]): TopRows {
  return pprofTop(file, sampleIndex, unit, flags);
}

/**
 * Equal totals and rows. pprof leaves distinct nodes that print alike (at
 * -granularity=files, one per function start line) in no defined order, so
 * those compare as sorted lists; everything else in pprof's order.
 */
export function assertSameTop(ours: TopRows, oracle: TopRows, what: string): void {
  assert.equal(ours.total, oracle.total, `${what}: total`);
  const names = oracle.rows.map((r) => r.name);
  if (new Set(names).size === names.length) {
    assert.deepEqual(ours.rows, oracle.rows, `${what}: rows`);
  } else {
    const key = (r: TopRows['rows'][number]) => `${r.flat}\u0000${r.cum}\u0000${r.name}`;
    const sorted = (rows: TopRows['rows']) => rows.map(key).sort();
    assert.deepEqual(sorted(ours.rows), sorted(oracle.rows), `${what}: rows (as a set)`);
  }
}

const cli = join(repoRoot, 'dist', 'cli.js');

/** pprof's flag spelling → goperf's. */
export function goperfArgs(pprofFlags: string[]): string[] {
  const out: string[] = [];
  for (const flag of pprofFlags) {
    const m = /^-([a-z_]+)(?:=(.*))?$/s.exec(flag);
    if (!m) throw new Error(`bad flag in the test table: ${flag}`);
    const [, name, value] = m;
    if (['functions', 'filefunctions', 'files', 'lines', 'addresses'].includes(name)) out.push('--granularity', name);
    else if (name === 'normalize') out.push('--normalize');
    else out.push(`--${name.replace(/_/g, '-')}`, value);
  }
  return out;
}

export function goperfTop(file: string, sampleIndex: string, args: string[]): TopRows & { stderr: string } {
  const run = spawnSync(process.execPath, [cli, 'top', file, '--json', '--sample-index', sampleIndex, ...args], {
    encoding: 'utf8',
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `goperf top ${args.join(' ')}: ${run.stderr}`);
  const json = JSON.parse(run.stdout) as TopRows;
  return { total: json.total, rows: json.rows, stderr: run.stderr };
}

