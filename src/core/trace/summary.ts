// Whole-trace statistics gathered in one streaming pass: what
// `goperf trace stats` prints and what the oracle tests compare with Go.

import { stateTransition, type TraceEvent } from './event';
import { readTrace, type TraceProblem } from './reader';
import * as spec from './spec';
import { type EventKindName } from './spec';

// Local bindings: without bundling (tsx, tests) every imported name is a
// getter on the module object, which costs a lot in the per-event paths.
const {
  EVENT_KINDS,
  GoState,
  Kind,
} = spec;

export interface GoroutineSummary {
  id: number;
  /** Total time in the Running state, ns; a goroutine still running at the end counts up to the last event. */
  runningNs: number;
  /** Outermost frame of the first stack seen for the goroutine (usually its creation stack). */
  startFunction: string;
}

export interface TraceStats {
  version: string;
  eventsByKind: Record<Exclude<EventKindName, 'Bad'>, number>;
  /** Distinct goroutines that appear in state transitions. */
  goroutines: number;
  /** Distinct procs (Ps) that appear in state transitions. */
  procs: number;
  /** From the first to the last event, ns. */
  durationNs: number;
  generations: number;
  events: number;
  goroutineSummaries: GoroutineSummary[];
  problem?: TraceProblem;
}

interface GoroutineAcc {
  runningNs: number;
  startFunction: string;
  runningSince: number;
  running: boolean;
}

export function traceStats(bytes: Uint8Array, fileName: string): TraceStats {
  const counts = new Array<number>(EVENT_KINDS.length).fill(0);
  const goroutines = new Map<number, GoroutineAcc>();
  const procs = new Set<number>();
  let first = 0;
  let last = 0;
  let seen = false;

  const onEvent = (ev: TraceEvent): void => {
    if (!seen) {
      first = ev.time;
      seen = true;
    }
    last = ev.time;
    counts[ev.kind]++;
    if (ev.kind !== Kind.StateTransition) return;
    const st = stateTransition(ev);
    if (st.resource === 'proc') {
      procs.add(st.id);
      return;
    }
    let g = goroutines.get(st.id);
    if (!g) {
      g = { runningNs: 0, startFunction: '', runningSince: 0, running: false };
      goroutines.set(st.id, g);
    }
    if (g.startFunction === '' && st.stack !== 0 && ev.tables) {
      g.startFunction = ev.tables.rootFunction(st.stack) ?? '';
    }
    if (st.from === GoState.Running && st.to !== GoState.Running && g.running) {
      g.runningNs += ev.time - g.runningSince;
      g.running = false;
    }
    if (st.to === GoState.Running && !g.running) {
      g.runningSince = ev.time;
      g.running = true;
    }
  };

  const result = readTrace(bytes, fileName, onEvent);
  const eventsByKind = {} as TraceStats['eventsByKind'];
  EVENT_KINDS.forEach((name, kind) => {
    if (name !== 'Bad') eventsByKind[name] = counts[kind];
  });
  const goroutineSummaries: GoroutineSummary[] = [];
  for (const [id, g] of goroutines) {
    if (g.running) g.runningNs += last - g.runningSince;
    goroutineSummaries.push({ id, runningNs: g.runningNs, startFunction: g.startFunction });
  }
  goroutineSummaries.sort((a, b) => a.id - b.id);
  return {
    version: `go1.${result.version}`,
    eventsByKind,
    goroutines: goroutines.size,
    procs: procs.size,
    durationNs: seen ? last - first : 0,
    generations: result.generations,
    events: result.events,
    goroutineSummaries,
    problem: result.problem,
  };
}
