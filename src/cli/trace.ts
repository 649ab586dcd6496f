// `goperf trace stats <file> [--json]`: what a Go execution trace contains,
// counted the way golang.org/x/exp/trace's reader counts it.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TraceError, traceStats, type TraceStats } from '../core/trace/index';

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

stats  reads a Go execution trace (go1.22–go1.26 format) and prints its version,
       the number of events of each kind, the goroutines and procs seen, the
       duration, and the goroutines' running time by start function.
       --json prints {"version","eventsByKind","goroutines","procs","durationNs",…}.
A cut or damaged trace is read up to the damage, with a warning naming where.
Exit status: 0 on success (also with a warning), 1 when nothing could be read, 2 on usage errors.
`;

export async function runTraceCommand(args: string[], io: TraceCommandIO = defaultIO()): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub === undefined ? io.stderr : io.stdout).write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'stats') {
    io.stderr.write(`goperf trace: unknown subcommand "${sub}"\n${USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
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
    io.stderr.write(`goperf trace stats: expected one trace file\n${USAGE}`);
    return 2;
  }
  const file = parsed.positionals[0];
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    io.stderr.write(`goperf: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return 1;
  }
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
  if (stats.problem) {
    const what = stats.problem.truncated ? 'the trace is cut short' : 'the trace is damaged';
    io.stderr.write(
      `goperf: warning: ${what}; showing what was read before the problem: ${stats.problem.message}\n`,
    );
  }
  io.stdout.write(parsed.values.json ? formatJson(stats) : formatText(stats));
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
