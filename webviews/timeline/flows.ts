// Flow arrows, as go tool trace draws its "flow events": an edge from the
// goroutine that unblocked or created another (where it was running at that
// moment) to the start of the slice the other one then ran. A selected
// slice's arrows are the edges that led to its run and the ones it made;
// the "all arrows" view takes the edges in the visible range, thinned to a
// cap so a busy trace still draws in a frame.

import {
  EdgeKind,
  edgeTarget,
  edgeTime,
  GoroutineState,
  intervalEnd,
  intervalGoroutine,
  upperBoundIn,
  type TraceModel,
} from '../../src/core/trace/model';
import { goroutineLane } from './draw';
import { upperBound } from './viewport';

/** One end of an arrow: a goroutine at a time, on the P lane of `span` when it was running there (else -1). */
export interface FlowEnd {
  goroutine: number;
  time: number;
  span: number;
}

export interface Flow {
  /** Row of model.edges. */
  edge: number;
  kind: (typeof EdgeKind)[keyof typeof EdgeKind];
  /** Where the unblocker or creator was; its goroutine is -1 when no goroutine did it (timers, the network poller). */
  from: FlowEnd;
  /** The slice the unblocked or created goroutine ran next (span -1 when it never ran again in the trace). */
  to: FlowEnd;
}

export interface SelectionFlows {
  /** What made the selected slice's run happen: normally one unblock or the creation. */
  incoming: Flow[];
  /** The goroutines this slice unblocked or created, in time order. */
  outgoing: Flow[];
  /** Outgoing edges beyond the cap, not in `outgoing`. */
  moreOutgoing: number;
}

/** A slice unblocking more goroutines than this (closing a channel many wait on) lists and draws the first ones. */
export const MAX_SELECTION_FLOWS = 64;
/** The "all arrows" view draws at most this many, spread evenly over the edges in view. */
export const MAX_VIEW_FLOWS = 250;

interface EdgeIndex {
  /** Edges into goroutine g: toEdges[toOffsets[g]..toOffsets[g+1]], in time order; likewise out of g. */
  toOffsets: Int32Array;
  toEdges: Int32Array;
  fromOffsets: Int32Array;
  fromEdges: Int32Array;
}

const indexes = new WeakMap<TraceModel, EdgeIndex>();

/** Edges grouped by goroutine (both ways), made on the first arrow asked for. */
function edgeIndex(model: TraceModel): EdgeIndex {
  let index = indexes.get(model);
  if (index) return index;
  const { from } = model.edges;
  const to = new Int32Array(from.length);
  for (let i = 0; i < to.length; i++) to[i] = edgeTarget(model, i);
  const n = model.goroutines.count;
  const group = (of: Int32Array) => {
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < of.length; i++) if (of[i] >= 0) offsets[of[i] + 1]++;
    for (let g = 0; g < n; g++) offsets[g + 1] += offsets[g];
    const edges = new Int32Array(offsets[n]);
    const fill = offsets.slice(0, n);
    for (let i = 0; i < of.length; i++) if (of[i] >= 0) edges[fill[of[i]]++] = i;
    return { offsets, edges };
  };
  const into = group(to);
  const out = group(from);
  index = { toOffsets: into.offsets, toEdges: into.edges, fromOffsets: out.offsets, fromEdges: out.edges };
  indexes.set(model, index);
  return index;
}

/** First position in edges[lo, hi) whose edge time is > t. */
function edgeAfter(model: TraceModel, edges: Int32Array, t: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edgeTime(model, edges[mid]) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The P-lane span of goroutine g that covers time t, or -1 (it was not running on a P then). */
export function spanAt(model: TraceModel, g: number, t: number): number {
  // g's Running interval at t, then the P span drawing it.
  const offsets = model.goroutines.intervalOffsets;
  const times = model.intervals.start;
  const lo = offsets[g];
  const hi = offsets[g + 1] - 1;
  const i = upperBound(times, t, lo, hi);
  // An unblock can be the unblocker's last event, at its span's very end.
  for (const k of [i - 1, i - 2]) {
    if (k >= lo && k < hi && model.intervals.state[k] === GoroutineState.Running && times[k] <= t && t <= times[k + 1]) {
      const span = spanOfInterval(model, k);
      if (span >= 0) return span;
    }
  }
  return -1;
}

/** The P-lane span drawing Running interval `row`, or -1. */
function spanOfInterval(model: TraceModel, row: number): number {
  const p = model.procs;
  const times = model.intervals.start;
  const start = times[row];
  const spans = p.spanInterval;
  for (let proc = 0; proc < p.count; proc++) {
    const lo = p.spanOffsets[proc];
    // Spans on one P never overlap, so few share a start time.
    for (let k = upperBoundIn(times, start, lo, p.spanOffsets[proc + 1], spans) - 1; k >= lo && times[spans[k]] === start; k--) {
      if (spans[k] === row) return k;
    }
  }
  return -1;
}

/** Goroutine g's first Running interval beginning at or after t, as a flow's target. */
function runFrom(model: TraceModel, g: number, t: number): FlowEnd {
  const lane = goroutineLane(model, g);
  const state = model.intervals.state;
  for (let k = upperBound(lane.start, t - 1e-9, 0, lane.rows.length); k < lane.rows.length; k++) {
    if (state[lane.rows[k]] === GoroutineState.Running) return { goroutine: g, time: lane.start[k], span: spanOfInterval(model, lane.rows[k]) };
  }
  return { goroutine: g, time: t, span: -1 };
}

function flowOf(model: TraceModel, edge: number, to?: FlowEnd): Flow {
  const e = model.edges;
  const t = edgeTime(model, edge);
  const from = e.from[edge];
  return {
    edge,
    kind: e.kind[edge] as Flow['kind'],
    from: { goroutine: from, time: t, span: from >= 0 ? spanAt(model, from, t) : -1 },
    to: to ?? runFrom(model, edgeTarget(model, edge), t),
  };
}

/**
 * The arrows of goroutine state interval `interval` (a P-lane slice's
 * Running interval, or any interval on a goroutine lane): into the run it
 * belongs to (the run itself, or the next one for a wait or a runnable
 * stretch), from the edges since the goroutine last ran; and out of it, the
 * edges it made while in that interval.
 */
export function selectionFlows(model: TraceModel, interval: number): SelectionFlows {
  const g = intervalGoroutine(model, interval);
  const lane = goroutineLane(model, g);
  const state = model.intervals.state;
  let k = upperBound(lane.start, model.intervals.start[interval], 0, lane.rows.length) - 1;
  while (k > 0 && lane.rows[k] !== interval) k--;
  let run = k;
  while (run < lane.rows.length && state[lane.rows[run]] !== GoroutineState.Running) run++;
  let previous = (run < lane.rows.length ? run : k) - 1;
  while (previous >= 0 && state[lane.rows[previous]] !== GoroutineState.Running) previous--;
  const after = previous >= 0 ? lane.end[previous] : -Infinity;
  const target: FlowEnd =
    run < lane.rows.length
      ? { goroutine: g, time: lane.start[run], span: spanOfInterval(model, lane.rows[run]) }
      : { goroutine: g, time: lane.start[k], span: -1 };
  const until = run < lane.rows.length ? lane.start[run] : Infinity;

  const index = edgeIndex(model);
  const incoming: Flow[] = [];
  const toLo = index.toOffsets[g];
  const toHi = index.toOffsets[g + 1];
  for (let i = edgeAfter(model, index.toEdges, after, toLo, toHi); i < toHi; i++) {
    const edge = index.toEdges[i];
    if (edgeTime(model, edge) > until) break;
    incoming.push(flowOf(model, edge, target));
  }

  const outgoing: Flow[] = [];
  const start = model.intervals.start[interval];
  const end = intervalEnd(model, interval);
  const fromLo = index.fromOffsets[g];
  const fromHi = index.fromOffsets[g + 1];
  let i = edgeAfter(model, index.fromEdges, start - 1e-9, fromLo, fromHi);
  let last = i;
  while (last < fromHi && edgeTime(model, index.fromEdges[last]) <= end) last++;
  for (; i < last && outgoing.length < MAX_SELECTION_FLOWS; i++) outgoing.push(flowOf(model, index.fromEdges[i]));
  return { incoming, outgoing, moreOutgoing: last - i };
}

/**
 * Edges made by a goroutine in [start, end]: all of them when there are at
 * most `cap` edges in the range, else about `cap` picked at even steps (the
 * cost stays bound by the cap, not by the edges in view). `total` counts the
 * range's edges, including those no goroutine made.
 */
export function viewFlows(model: TraceModel, start: number, end: number, cap = MAX_VIEW_FLOWS): { flows: Flow[]; total: number } {
  const e = model.edges;
  const times = model.intervals.start;
  const rows = e.interval;
  // Edges are in time order; an edge's time is its interval's start.
  const lo = upperBoundIn(times, start - 1e-9, 0, rows.length, rows);
  const hi = upperBoundIn(times, end, lo, rows.length, rows);
  const total = hi - lo;
  const stride = Math.max(1, total / cap);
  const flows: Flow[] = [];
  for (let j = 0; j < cap && lo + j * stride < hi; j++) {
    const pick = lo + j * stride;
    let i = Math.floor(pick);
    // A few steps past edges no goroutine made (timers, the network poller), not a scan of the stride.
    const stop = Math.min(hi, Math.floor(pick + stride), i + 16);
    while (i < stop && e.from[i] < 0) i++;
    if (i < stop) flows.push(flowOf(model, i));
  }
  return { flows, total };
}
