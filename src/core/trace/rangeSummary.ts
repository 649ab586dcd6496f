// Where the time went in a stretch of a trace: the goroutine state intervals
// clipped to the range and summed over all goroutines (running, runnable,
// in syscalls, waiting by the runtime's reason), and what happened in it —
// GC cycles, stop-the-world pauses, goroutines created.

import { EdgeKind, GoroutineState, type TraceModel } from './model';
import { GoState } from './spec';

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
  const { start, state, reason } = model.intervals;
  const offsets = model.goroutines.intervalOffsets;
  // Reasons are few: sum per string index, name them at the end.
  const waiting = new Map<number, number>();
  for (let g = 0; g < model.goroutines.count; g++) {
    let seen = false;
    // Row i ends where row i+1 starts; the goroutine's last row is its end marker.
    for (let i = offsets[g]; i < offsets[g + 1] - 1; i++) {
      const s = state[i];
      if (s === GoState.NotExist) continue;
      const from = Math.max(start[i], t0);
      const to = Math.min(start[i + 1], t1);
      if (to < from || (to === from && start[i] !== start[i + 1])) continue;
      seen = true;
      addInterval(s, reason[i], to - from);
    }
    if (seen) out.goroutines++;
  }
  function addInterval(s: number, why: number, ns: number): void {
    switch (s) {
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
        waiting.set(why, (waiting.get(why) ?? 0) + ns);
        break;
    }
  }
  for (const [r, ns] of waiting) {
    const why = r < 0 ? '' : model.strings[r];
    out.waitingNs[why] = (out.waitingNs[why] ?? 0) + ns;
  }
  for (let i = 0; i < model.stw.start.length; i++) out.stwNs += Math.max(0, Math.min(model.stw.end[i], t1) - Math.max(model.stw.start[i], t0));
  const { kind, interval } = model.edges;
  for (let i = 0; i < kind.length; i++) {
    if (kind[i] !== EdgeKind.Create) continue;
    const t = start[interval[i]];
    if (t >= t0 && t <= t1) out.goroutinesCreated++;
  }
  return out;
}
