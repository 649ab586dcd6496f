// The goroutine analysis of `go tool trace`: per start function, how many
// goroutines and where their time went — running, waiting to be scheduled,
// in syscalls, and blocked, by the runtime's block reason ("network",
// "chan receive", "sync", "select", …) — summed from the model's state
// intervals up to the trace's last event.

import { GoroutineState, startFunctionName, type TraceModel } from './model';

export interface GoroutineAnalysisRow {
  startFunction: string;
  goroutines: number;
  executionNs: number;
  /** Runnable: waiting for a P. */
  schedulerWaitNs: number;
  syscallNs: number;
  /** Waiting, by the reason of the block ('' when the trace gave none). */
  blockedNs: Record<string, number>;
}

/** One row per start function, the most running time first. */
export function goroutineAnalysis(model: TraceModel): GoroutineAnalysisRow[] {
  const rows = new Map<string, GoroutineAnalysisRow>();
  const { start, state, reason } = model.intervals;
  const offsets = model.goroutines.intervalOffsets;
  for (let g = 0; g < model.goroutines.count; g++) {
    const name = startFunctionName(model, g);
    let row = rows.get(name);
    if (!row) {
      row = { startFunction: name, goroutines: 0, executionNs: 0, schedulerWaitNs: 0, syscallNs: 0, blockedNs: {} };
      rows.set(name, row);
    }
    row.goroutines++;
    // The goroutine's last row is its end marker, not an interval.
    for (let i = offsets[g]; i < offsets[g + 1] - 1; i++) addInterval(row, i);
  }
  function addInterval(row: GoroutineAnalysisRow, i: number): void {
    const ns = start[i + 1] - start[i];
    switch (state[i]) {
      case GoroutineState.Running:
        row.executionNs += ns;
        break;
      case GoroutineState.Runnable:
        row.schedulerWaitNs += ns;
        break;
      case GoroutineState.Syscall:
        row.syscallNs += ns;
        break;
      case GoroutineState.Waiting: {
        const why = reason[i] < 0 ? '' : model.strings[reason[i]];
        row.blockedNs[why] = (row.blockedNs[why] ?? 0) + ns;
        break;
      }
    }
  }
  return [...rows.values()].sort((a, b) => b.executionNs - a.executionNs || a.startFunction.localeCompare(b.startFunction));
}
