// Where the time went in a stretch of a trace: the goroutine state intervals
// clipped to the range and summed over all goroutines (running, runnable,
// in syscalls, waiting by the runtime's reason), and what happened in it —
// GC cycles, stop-the-world pauses, goroutines created.

import { EdgeKind, GoroutineState, type TraceModel } from './model';

export interface RangeSummary {
  start: number;
  end: number;
  runningNs: number;
  runnableNs: number;
  syscallNs: number;
  /** Waiting, by the reason of the block ('' when the trace gave none). */
  waitingNs: Record<string, number>;
  /** GC cycles and STW pauses overlapping the range. */
  gcCycles: number;
  stwPauses: number;
  /** Time stopped for the world within the range (pauses clipped to it). */
  stwNs: number;
  /** `go` statements executed within the range. */
  goroutinesCreated: number;
  /** Goroutines with any state interval overlapping the range. */
  goroutines: number;
}

function overlapping(starts: Float64Array, ends: Float64Array, t0: number, t1: number): number {
  let n = 0;
  for (let i = 0; i < starts.length; i++) if (starts[i] <= t1 && ends[i] >= t0) n++;
  return n;
}

/** The summary of [t0, t1] (ns since the model's origin); intervals are cut at the range's ends. */
export function rangeSummary(model: TraceModel, t0: number, t1: number): RangeSummary {
  const out: RangeSummary = {
    start: t0,
    end: t1,
    runningNs: 0,
    runnableNs: 0,
    syscallNs: 0,
    waitingNs: {},
    gcCycles: overlapping(model.gc.start, model.gc.end, t0, t1),
    stwPauses: overlapping(model.stw.start, model.stw.end, t0, t1),
    stwNs: 0,
    goroutinesCreated: 0,
    goroutines: 0,
  };
  const { start, end, state, reason, goroutine } = model.intervals;
  const seen = new Uint8Array(model.goroutines.count);
  // Reasons are few: sum per string index, name them at the end.
  const waiting = new Map<number, number>();
  for (let i = 0; i < start.length; i++) {
    const from = Math.max(start[i], t0);
    const to = Math.min(end[i], t1);
    if (to < from || (to === from && start[i] !== end[i])) continue;
    seen[goroutine[i]] = 1;
    const ns = to - from;
    switch (state[i]) {
      case GoroutineState.Running:
        out.runningNs += ns;
        break;
      case GoroutineState.Runnable:
        out.runnableNs += ns;
        break;
      case GoroutineState.Syscall:
        out.syscallNs += ns;
        break;
      case GoroutineState.Waiting:
        waiting.set(reason[i], (waiting.get(reason[i]) ?? 0) + ns);
        break;
    }
  }
  for (const [r, ns] of waiting) {
    const why = r < 0 ? '' : model.strings[r];
    out.waitingNs[why] = (out.waitingNs[why] ?? 0) + ns;
  }
  for (const s of seen) out.goroutines += s;
  for (let i = 0; i < model.stw.start.length; i++) out.stwNs += Math.max(0, Math.min(model.stw.end[i], t1) - Math.max(model.stw.start[i], t0));
  const e = model.edges;
  for (let i = 0; i < e.time.length; i++) if (e.kind[i] === EdgeKind.Create && e.time[i] >= t0 && e.time[i] <= t1) out.goroutinesCreated++;
  return out;
}
