// `goperf trace stats <file> [--json]`: what a Go execution trace contains,
// counted the way golang.org/x/exp/trace's reader counts it.

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzip } from 'pako';
import { encodeProfile } from '../core/pprof/encode';
import { BLOCKING_KINDS, BLOCKING_TITLES, blockingProfile, type BlockingKind } from '../core/trace/blockingProfile';
import { TraceError, traceStats, type TraceProblem, type TraceStats } from '../core/trace/index';

export interface Output {
  write(text: string): void;
}

export interface TraceCommandIO {
  readonly stdout: Output;
  readonly stderr: Output;
}

const defaultIO = (): TraceCommandIO => ({
  stdout: { write: (t) => void process.stdout.write(t) },
  stderr: { write: (t) => void process.stderr.write(t) },
});

const USAGE = `usage:
  goperf trace stats <trace.out> [--json]
  goperf trace pprof --type net|sync|syscall|sched <trace.out> -o out.pb.gz

stats  reads a Go execution trace (go1.11–go1.26 formats) and prints its version,
       the number of events of each kind, the goroutines and procs seen, the
       duration, and the goroutines' running time by start function.
       --json prints {"version","eventsByKind","goroutines","procs","durationNs",…}.
pprof  writes the time goroutines spent blocked on the network (net), on
       channels, selects and sync primitives (sync), in system calls (syscall)
       or runnable but not running (sched), by the stack where the wait began,
       as a pprof profile: what \`go tool trace -pprof=TYPE\` writes.
A cut or damaged trace is read up to the damage, with a warning naming where.
Exit status: 0 on success (also with a warning), 1 when nothing could be read, 2 on usage errors.
`;

export async function runTraceCommand(args: string[], io: TraceCommandIO = defaultIO()): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub === undefined ? io.stderr : io.stdout).write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'stats' && sub !== 'pprof') {
    io.stderr.write(`goperf trace: unknown subcommand "${sub}"\n${USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        type: { type: 'string' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr.write(`goperf trace: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    io.stderr.write(`goperf trace ${sub}: expected one trace file\n${USAGE}`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (sub === 'pprof') {
    const kind = parsed.values.type;
    if (!(BLOCKING_KINDS as readonly string[]).includes(kind ?? '')) {
      io.stderr.write(`goperf trace pprof: --type must be one of ${BLOCKING_KINDS.join(', ')}\n${USAGE}`);
      return 2;
    }
    if (!parsed.values.output) {
      io.stderr.write(`goperf trace pprof: -o FILE is required (the profile is binary)\n${USAGE}`);
      return 2;
    }
    return writeBlockingProfile(file, kind as BlockingKind, parsed.values.output, io);
  }
  const bytes = readTraceFile(file, io);
  if (bytes === undefined) return 1;
  let stats: TraceStats;
  try {
    stats = traceStats(bytes, file);
  } catch (e) {
    if (e instanceof TraceError) {
      io.stderr.write(`goperf: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (stats.problem && stats.generations === 0) {
    io.stderr.write(`goperf: ${stats.problem.message}\n`);
    return 1;
  }
  if (stats.problem) warnPartial(stats.problem, io);
  io.stdout.write(parsed.values.json ? formatJson(stats) : formatText(stats));
  return 0;
}

function readTraceFile(file: string, io: TraceCommandIO): Uint8Array | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    io.stderr.write(`goperf: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return undefined;
  }
}

function warnPartial(problem: TraceProblem, io: TraceCommandIO): void {
  const what = problem.truncated ? 'the trace is cut short' : 'the trace is damaged';
  io.stderr.write(`goperf: warning: ${what}; showing what was read before the problem: ${problem.message}\n`);
}

function writeBlockingProfile(file: string, kind: BlockingKind, output: string, io: TraceCommandIO): number {
  const bytes = readTraceFile(file, io);
  if (bytes === undefined) return 1;
  let result;
  try {
    result = blockingProfile(bytes, file, kind);
  } catch (e) {
    if (e instanceof TraceError) {
      io.stderr.write(`goperf: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (result.problem) warnPartial(result.problem, io);
  // Written beside the target and renamed, so a failure never leaves half a file under the user's name.
  const partial = `${output}.${process.pid}.tmp`;
  try {
    writeFileSync(partial, gzip(encodeProfile(result.profile)));
    renameSync(partial, output);
  } catch (e) {
    rmSync(partial, { force: true });
    io.stderr.write(`goperf: ${output}: ${(e as Error).message}\n`);
    return 1;
  }
  const samples = result.profile.sampleCount;
  io.stderr.write(`Wrote ${output}: ${BLOCKING_TITLES[kind].toLowerCase()}, ${samples} stack${samples === 1 ? '' : 's'}\n`);
  return 0;
}

function formatJson(s: TraceStats): string {
  const out: Record<string, unknown> = {
    version: s.version,
    eventsByKind: s.eventsByKind,
    goroutines: s.goroutines,
    procs: s.procs,
    durationNs: s.durationNs,
    generations: s.generations,
    events: s.events,
  };
  if (s.problem) out.warning = s.problem.message;
  return JSON.stringify(out) + '\n';
}

function formatText(s: TraceStats): string {
  const lines = [
    `Version:     ${s.version}`,
    `Duration:    ${formatNs(s.durationNs)}`,
    `Generations: ${s.generations}`,
    `Events:      ${s.events}`,
    `Goroutines:  ${s.goroutines}`,
    `Procs:       ${s.procs}`,
    '',
    'Events by kind:',
  ];
  const kinds = Object.entries(s.eventsByKind).filter(([, n]) => n > 0);
  const width = Math.max(...kinds.map(([k]) => k.length));
  for (const [kind, n] of kinds.sort((a, b) => b[1] - a[1])) lines.push(`  ${kind.padEnd(width)}  ${n}`);

  const byFunction = new Map<string, { count: number; runningNs: number }>();
  for (const g of s.goroutineSummaries) {
    const name = g.startFunction || '(unknown)';
    const acc = byFunction.get(name) ?? { count: 0, runningNs: 0 };
    acc.count++;
    acc.runningNs += g.runningNs;
    byFunction.set(name, acc);
  }
  lines.push('', 'Running time by start function:', `  ${'running'.padStart(10)}  ${'count'.padStart(6)}  function`);
  for (const [name, acc] of [...byFunction].sort((a, b) => b[1].runningNs - a[1].runningNs)) {
    lines.push(`  ${formatNs(acc.runningNs).padStart(10)}  ${String(acc.count).padStart(6)}  ${name}`);
  }
  return lines.join('\n') + '\n';
}

function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)}s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)}ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)}µs`;
  return `${ns}ns`;
}
