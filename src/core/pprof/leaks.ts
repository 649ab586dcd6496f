// Goroutine leak hunting: the same stacks counted in snapshots taken some
// time apart. A stack whose count grows is a suspect; one that grew at every
// step over three or more snapshots is a steady climber, the usual shape of
// a leak. Snapshots come from goroutine profiles (protobuf) or
// goroutine?debug=2 dumps; the runtime frames a dump hides (gopark,
// chanrecv, …) are dropped from profile stacks too, so both compare alike.

import type { Profile } from './decode';
import type { DumpedGoroutine, StackFrame } from './goroutineText';

export interface StackCount {
  frames: StackFrame[];
  count: number;
  /** Goroutines per state, from debug=2 dumps only. */
  states?: Map<string, number>;
}

export interface GoroutineSnapshot {
  label: string;
  total: number;
  /** By stack key (function and line of every frame). */
  stacks: Map<string, StackCount>;
}

function isRuntimeFrame(frame: StackFrame): boolean {
  return frame.function.startsWith('runtime.');
}

/** Leaf-side runtime frames removed, unless the whole stack is the runtime's. */
function userFrames(frames: StackFrame[]): StackFrame[] {
  let first = 0;
  while (first < frames.length && isRuntimeFrame(frames[first])) first++;
  return first === frames.length ? frames : frames.slice(first);
}

function stackKey(frames: StackFrame[]): string {
  return frames.map((f) => `${f.function}:${f.line}`).join('\n');
}

function add(stacks: Map<string, StackCount>, frames: StackFrame[], count: number, state?: string): void {
  const kept = userFrames(frames);
  const key = stackKey(kept);
  let entry = stacks.get(key);
  if (!entry) stacks.set(key, (entry = { frames: kept, count: 0 }));
  entry.count += count;
  if (state !== undefined) {
    entry.states ??= new Map();
    entry.states.set(state, (entry.states.get(state) ?? 0) + count);
  }
}

/** A goroutine profile: each sample is a stack and how many goroutines sit in it. */
export function snapshotFromProfile(profile: Profile, label: string): GoroutineSnapshot {
  const countIndex = profile.sampleTypes.findIndex((t) => t.type === 'goroutine');
  if (countIndex < 0) {
    throw new RangeError(
      `${profile.fileName} is not a goroutine profile (its sample types are ${profile.sampleTypes.map((t) => t.type).join(', ') || 'none'})`,
    );
  }
  const { samples, locations: locs, functions: fns, strings } = profile;
  const typeCount = profile.sampleTypes.length;
  const stacks = new Map<string, StackCount>();
  let total = 0;
  for (let s = 0; s < samples.count; s++) {
    const count = samples.values[s * typeCount + countIndex];
    total += count;
    const frames: StackFrame[] = [];
    for (let i = samples.stackStart[s]; i < samples.stackEnd[s]; i++) {
      const loc = samples.stack[i];
      for (let j = locs.lineStart[loc]; j < locs.lineEnd[loc]; j++) {
        const f = locs.lineFunction[j];
        frames.push({ function: strings[fns.name[f]], file: strings[fns.fileName[f]], line: locs.lineNumber[j] });
      }
    }
    add(stacks, frames, count);
  }
  return { label, total, stacks };
}

export function snapshotFromDump(goroutines: DumpedGoroutine[], label: string): GoroutineSnapshot {
  const stacks = new Map<string, StackCount>();
  for (const g of goroutines) add(stacks, g.frames, 1, g.state);
  return { label, total: goroutines.length, stacks };
}

export interface LeakRow {
  frames: StackFrame[];
  /** Count in each snapshot, in order. */
  counts: number[];
  /** Last count minus first. */
  growth: number;
  /** Grew at every step over 3 or more snapshots. */
  steady: boolean;
  /** States in the last snapshot that had the stack (dumps only). */
  states?: Map<string, number>;
}

export interface LeakReport {
  labels: string[];
  totals: number[];
  /** Stacks whose count grew from the first snapshot to the last, steady climbers first, then by growth. */
  grown: LeakRow[];
}

export function compareGoroutineSnapshots(snapshots: readonly GoroutineSnapshot[]): LeakReport {
  if (snapshots.length < 2) throw new RangeError('comparing goroutines needs at least two snapshots');
  const keys = new Set<string>();
  for (const snapshot of snapshots) for (const key of snapshot.stacks.keys()) keys.add(key);
  const grown: LeakRow[] = [];
  for (const key of keys) {
    const counts = snapshots.map((s) => s.stacks.get(key)?.count ?? 0);
    const growth = counts[counts.length - 1] - counts[0];
    if (growth <= 0) continue;
    const steady = counts.length >= 3 && counts.every((c, i) => i === 0 || c > counts[i - 1]);
    const latest = [...snapshots].reverse().find((s) => s.stacks.has(key))!.stacks.get(key)!;
    grown.push({ frames: latest.frames, counts, growth, steady, states: latest.states });
  }
  grown.sort((a, b) => Number(b.steady) - Number(a.steady) || b.growth - a.growth);
  return { labels: snapshots.map((s) => s.label), totals: snapshots.map((s) => s.total), grown };
}

/** The report as Markdown, for a preview beside the code. */
export function leakReportMarkdown(report: LeakReport, source: string): string {
  const out = [`# Goroutines that piled up`, '', `From ${source}.`, ''];
  out.push(`| | ${report.labels.join(' | ')} |`, `|---|${report.labels.map(() => '---:').join('|')}|`);
  out.push(`| all goroutines | ${report.totals.join(' | ')} |`, '');
  if (report.grown.length === 0) {
    out.push('No stack has more goroutines in the last snapshot than in the first.');
    return out.join('\n');
  }
  for (const row of report.grown) {
    const top = row.frames[0];
    const flag = row.steady ? '**steady climber** ' : '';
    out.push(`## ${flag}+${row.growth}: \`${top?.function ?? '?'}\``, '');
    out.push(`Counts: ${row.counts.join(' → ')}`);
    if (row.states) out.push(`States: ${[...row.states].map(([s, n]) => `${s} ×${n}`).join(', ')}`);
    out.push('', '```');
    for (const f of row.frames) out.push(`${f.function}`, `    ${f.file}:${f.line}`);
    out.push('```', '');
  }
  return out.join('\n');
}
