import type { GenerationTables } from './generation';
import * as spec from './spec';

// Local bindings: without bundling (tsx, tests) every imported name is a
// getter on the module object, which costs a lot in the per-event paths.
const {
  EvGoBlock,
  EvGoCreate,
  EvGoCreateBlocked,
  EvGoCreateSyscall,
  EvGoDestroy,
  EvGoDestroySyscall,
  EvGoStart,
  EvGoStatus,
  EvGoStatusStack,
  EvGoStop,
  EvGoSwitch,
  EvGoSwitchDestroy,
  EvGoSyscallBegin,
  EvGoSyscallEnd,
  EvGoSyscallEndBlocked,
  EvGoUnblock,
  EvProcStart,
  EvProcStatus,
  EvProcSteal,
  EvProcStop,
  GO_STATUS_TO_STATE,
  GoState,
  Kind,
  PROC_STATUS_TO_STATE,
  ProcState,
  ProcStatusSyscallAbandoned,
} = spec;

/**
 * One event in timestamp order, as golang.org/x/exp/trace's reader yields it.
 * `a0..a3` are the wire arguments after the timestamp; `extra0/extra1` carry
 * what the ordering learned (the previous state for status events, a task's
 * parent and name at its end).
 */
export class TraceEvent {
  kind: spec.Kind = Kind.Bad;
  /** Wire event type (spec.ts), or EvSyncMarker. */
  type = 0;
  /** Nanoseconds, strictly increasing across the trace. */
  time = 0;
  g = -1;
  p = -1;
  m = -1;
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  extra0 = 0;
  extra1 = 0;
  /** A task's name, known at TaskEnd from its TaskBegin. */
  taskName = '';
  generation = 0;
  /** Byte offset in the file of the batch the event came from (for messages). */
  offset = 0;
  tables: GenerationTables | null = null;
}

/**
 * Recycles event objects: a large trace has tens of millions of events, and
 * allocating each one costs more than decoding it.
 */
export class EventPool {
  private readonly free: TraceEvent[] = [];

  take(): TraceEvent {
    const e = this.free.pop();
    if (e === undefined) return new TraceEvent();
    e.a0 = e.a1 = e.a2 = e.a3 = 0;
    e.extra0 = e.extra1 = 0;
    e.taskName = '';
    e.g = e.p = e.m = -1;
    return e;
  }

  give(e: TraceEvent): void {
    e.tables = null;
    this.free.push(e);
  }
}

export interface StateTransition {
  resource: 'goroutine' | 'proc';
  id: number;
  from: number;
  to: number;
  /** Stack of the transition (0 = none): the new goroutine's for creations. */
  stack: number;
}

/** The resource, old and new state of a StateTransition event, as Event.StateTransition() reports them. */
export function stateTransition(e: TraceEvent): StateTransition {
  return stateTransitionInto(e, { resource: 'goroutine', id: 0, from: 0, to: 0, stack: 0 });
}

/** stateTransition written into `out`, for loops over millions of events that keep nothing of it. */
export function stateTransitionInto(e: TraceEvent, out: StateTransition): StateTransition {
  switch (e.type) {
    case EvProcStart:
      return proc(out, e.a0, ProcState.Idle, ProcState.Running);
    case EvProcStop:
      return proc(out, e.p, ProcState.Running, ProcState.Idle);
    case EvProcSteal:
      return proc(out, e.a0, e.extra0 === ProcStatusSyscallAbandoned ? ProcState.Idle : ProcState.Running, ProcState.Idle);
    case EvProcStatus:
      return proc(out, e.a0, e.extra0, PROC_STATUS_TO_STATE[e.a1]);
    case EvGoCreate:
    case EvGoCreateBlocked:
      return go(out, e.a0, GoState.NotExist, e.type === EvGoCreateBlocked ? GoState.Waiting : GoState.Runnable, e.a1);
    case EvGoCreateSyscall:
      return go(out, e.a0, GoState.NotExist, GoState.Syscall, 0);
    case EvGoStart:
      return go(out, e.a0, GoState.Runnable, GoState.Running, 0);
    case EvGoDestroy:
      return go(out, e.g, GoState.Running, GoState.NotExist, 0);
    case EvGoDestroySyscall:
      return go(out, e.g, GoState.Syscall, GoState.NotExist, 0);
    case EvGoStop:
      return go(out, e.g, GoState.Running, GoState.Runnable, e.a1);
    case EvGoBlock:
      return go(out, e.g, GoState.Running, GoState.Waiting, e.a1);
    case EvGoUnblock:
    case EvGoSwitch:
    case EvGoSwitchDestroy:
      return go(out, e.a0, GoState.Waiting, GoState.Runnable, 0);
    case EvGoSyscallBegin:
      return go(out, e.g, GoState.Running, GoState.Syscall, e.a1);
    case EvGoSyscallEnd:
      return go(out, e.g, GoState.Syscall, GoState.Running, 0);
    case EvGoSyscallEndBlocked:
      return go(out, e.g, GoState.Syscall, GoState.Runnable, 0);
    case EvGoStatus:
      return go(out, e.a0, e.extra0, GO_STATUS_TO_STATE[e.a2], 0);
    case EvGoStatusStack:
      return go(out, e.a0, e.extra0, GO_STATUS_TO_STATE[e.a2], e.a3);
  }
  throw new Error(`internal error: event type ${e.type} is not a state transition`);
}

function go(out: StateTransition, id: number, from: number, to: number, stack: number): StateTransition {
  out.resource = 'goroutine';
  out.id = id;
  out.from = from;
  out.to = to;
  out.stack = stack;
  return out;
}
function proc(out: StateTransition, id: number, from: number, to: number): StateTransition {
  out.resource = 'proc';
  out.id = id;
  out.from = from;
  out.to = to;
  out.stack = 0;
  return out;
}
