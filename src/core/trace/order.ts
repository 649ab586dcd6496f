// The scheduler state machine that puts per-M event streams into one valid
// order, following the rules of Go's internal/trace ordering: an event that
// needs a goroutine or proc in a state it is not yet in (e.g. GoStart before
// the GoUnblock on another M) is refused, and the reader tries another M.

import type { EventPool, TraceEvent } from './event';
import type { GenerationTables } from './generation';
import * as spec from './spec';

// Local bindings: without bundling (tsx, tests) every imported name is a
// getter on the module object, which costs a lot in the per-event paths.
const {
  EvGCActive,
  EvGCBegin,
  EvGCEnd,
  EvGCMarkAssistActive,
  EvGCMarkAssistBegin,
  EvGCMarkAssistEnd,
  EvGCSweepActive,
  EvGCSweepBegin,
  EvGCSweepEnd,
  EvGoBlock,
  EvGoCreate,
  EvGoCreateBlocked,
  EvGoCreateSyscall,
  EvGoDestroy,
  EvGoDestroySyscall,
  EvGoLabel,
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
  EvHeapAlloc,
  EvHeapGoal,
  EvFirstExperimental,
  EvLastExperimental,
  EvProcStart,
  EvProcStatus,
  EvProcSteal,
  EvProcStop,
  EvProcsChange,
  EvSTWBegin,
  EvSTWEnd,
  EvUserLog,
  EvUserRegionBegin,
  EvUserRegionEnd,
  EvUserTaskBegin,
  EvUserTaskEnd,
  eventKind,
  eventName,
  GO_STATUS_TO_STATE,
  GoState,
  GoStatusRunnable,
  GoStatusRunning,
  GoStatusSyscall,
  GoStatusWaiting,
  NONE,
  PROC_STATUS_TO_STATE,
  ProcState,
  ProcStatusIdle,
  ProcStatusRunning,
  ProcStatusSyscall,
  ProcStatusSyscallAbandoned,
  rangeStart,
} = spec;

/** The trace contradicts itself; Go's reader stops with the same complaint. */
export class OrderError extends Error {}

interface RangeHolder {
  /** In-flight ranges, each keyed rangeKey(beginType, description string id). */
  inFlight: number[];
}
interface GState extends RangeHolder {
  id: number;
  status: number;
  seqGen: number;
  seq: number;
  regions: { task: number; name: string }[];
}
interface PState extends RangeHolder {
  id: number;
  status: number;
  seqGen: number;
  seq: number;
}
/** What a thread (M) is running; exported so a batch cursor can keep its own. */
export interface MState {
  g: number;
  p: number;
}

const enum GC {
  Undetermined,
  NotRunning,
  Running,
}

const MUST_NOT = 0;
const MAY = 1;
const MUST = 2;

function rangeKey(type: number, desc: number): number {
  return rangeStart(type) + desc * 1024;
}

function beginRange(s: RangeHolder, key: number, name: string): void {
  if (s.inFlight.includes(key)) throw new OrderError(`discovered event already in-flight for when starting event ${name}`);
  s.inFlight.push(key);
}

/** A range key as Go prints its rangeType with %v: {begin event type, description string id}. */
function goRangeType(key: number): string {
  return `{${key % 1024} ${Math.floor(key / 1024)}}`;
}

// Go names the range by its begin event and prints the rangeType structs themselves.
function activeRange(s: RangeHolder, key: number, initialGen: boolean): void {
  if (initialGen) {
    if (s.inFlight.includes(key)) throw new OrderError(`found named active range already in first gen: ${goRangeType(key)}`);
    s.inFlight.push(key);
  } else if (!s.inFlight.includes(key)) {
    throw new OrderError(`resource is missing active range: ${eventName(key % 1024)} [${s.inFlight.map(goRangeType).join(' ')}]`);
  }
}

/** Ends the first in-flight range begun by `type`'s start event; returns its description. */
function endRange(s: RangeHolder, type: number): number {
  const start = rangeStart(type);
  const idx = s.inFlight.findIndex((k) => k % 1024 === start);
  if (idx < 0) throw new OrderError(`tried to end event ${eventName(start)}, but not in-flight`);
  const desc = Math.floor(s.inFlight[idx] / 1024);
  s.inFlight[idx] = s.inFlight[s.inFlight.length - 1];
  s.inFlight.pop();
  return desc;
}

export class Ordering {
  constructor(private readonly pool: EventPool) {}

  private readonly gStates = new Map<number, GState>();
  private readonly pStates = new Map<number, PState>();
  private readonly mStates = new Map<number, MState>();
  private readonly activeTasks = new Map<number, { name: string; parent: number }>();
  private gcSeq = 0;
  private gcState = GC.Undetermined;
  private initialGen = 0;
  // A FIFO that keeps its backing array: it empties after almost every event.
  private queue: TraceEvent[] = [];
  private queueHead = 0;
  private queueLen = 0;

  // The scheduling context of the event being advanced: before (cur*) and after (new*).
  private curG = NONE;
  private curP = NONE;
  private curM = NONE;
  private newG = NONE;
  private newP = NONE;

  next(): TraceEvent | undefined {
    if (this.queueHead === this.queueLen) {
      this.queueHead = 0;
      this.queueLen = 0;
      return undefined;
    }
    return this.queue[this.queueHead++];
  }

  /** The state of thread `m` (undefined for "no thread"), to pass to advance(). */
  threadState(m: number): MState | undefined {
    if (m === NONE) return undefined;
    let ms = this.mStates.get(m);
    if (!ms) {
      ms = { g: NONE, p: NONE };
      this.mStates.set(m, ms);
    }
    return ms;
  }

  /**
   * Tries to place `ev` (read from thread `m`, whose state is `ms`) next.
   * Returns false when it must wait for another thread's events; throws
   * OrderError when the trace is inconsistent.
   */
  advance(ev: TraceEvent, tables: GenerationTables, m: number, ms: MState | undefined, gen: number): boolean {
    if (this.initialGen === 0) this.initialGen = gen;
    this.curM = m;
    if (ms === undefined) {
      this.curP = NONE;
      this.curG = NONE;
    } else {
      this.curP = ms.p;
      this.curG = ms.g;
    }
    this.newG = this.curG;
    this.newP = this.curP;
    ev.tables = tables;
    ev.generation = gen;
    const ok = this.dispatch(ev, tables, gen);
    if (ok && ms) {
      ms.p = this.newP;
      ms.g = this.newG;
    }
    return ok;
  }

  private push(ev: TraceEvent): void {
    ev.kind = eventKind(ev.type);
    ev.g = this.curG;
    ev.p = this.curP;
    ev.m = this.curM;
    this.queue[this.queueLen++] = ev;
  }

  private pushSynthetic(from: TraceEvent, type: number, g: number, a0: number, a1: number): TraceEvent {
    const e = this.pool.take();
    e.type = type;
    e.kind = eventKind(type);
    e.time = from.time;
    e.g = g;
    e.p = this.curP;
    e.m = this.curM;
    e.a0 = a0;
    e.a1 = a1;
    e.tables = from.tables;
    e.generation = from.generation;
    e.offset = from.offset;
    this.queue[this.queueLen++] = e;
    return e;
  }

  private validate(m: number, p: number, g: number): void {
    if (m === MUST && this.curM === NONE) throw new OrderError("expected a thread but didn't have one");
    if (m === MUST_NOT && this.curM !== NONE) throw new OrderError('expected no thread but had one');
    if (p === MUST && this.curP === NONE) throw new OrderError("expected a proc but didn't have one");
    if (p === MUST_NOT && this.curP !== NONE) throw new OrderError('expected no proc but had one');
    if (g === MUST && this.curG === NONE) throw new OrderError("expected a goroutine but didn't have one");
    if (g === MUST_NOT && this.curG !== NONE) throw new OrderError('expected no goroutine but had one');
  }

  private userGo(): void {
    this.validate(MUST, MUST, MUST);
  }

  private currentG(ev: TraceEvent): GState {
    const s = this.gStates.get(this.curG);
    if (!s) throw new OrderError(`event ${eventName(ev.type)} for goroutine (${this.curG}) that doesn't exist`);
    return s;
  }

  private dispatch(ev: TraceEvent, tables: GenerationTables, gen: number): boolean {
    switch (ev.type) {
      case EvProcsChange:
      case EvGoLabel:
      case EvUserLog:
        this.userGo();
        this.push(ev);
        return true;
      case EvProcStart:
        return this.procStart(ev, gen);
      case EvProcStop:
        return this.procStop(ev);
      case EvProcSteal:
        return this.procSteal(ev, gen);
      case EvProcStatus:
        return this.procStatus(ev, gen);
      case EvGoCreate:
      case EvGoCreateBlocked:
        return this.goCreate(ev, gen);
      case EvGoCreateSyscall:
        return this.goCreateSyscall(ev, gen);
      case EvGoStart:
        return this.goStart(ev, gen);
      case EvGoDestroy:
      case EvGoStop:
      case EvGoBlock:
        return this.goStopExec(ev);
      case EvGoDestroySyscall:
        return this.goDestroySyscall(ev);
      case EvGoUnblock:
        return this.goUnblock(ev, gen);
      case EvGoSyscallBegin:
        return this.goSyscallBegin(ev, gen);
      case EvGoSyscallEnd:
        return this.goSyscallEnd(ev);
      case EvGoSyscallEndBlocked:
        return this.goSyscallEndBlocked(ev);
      case EvGoStatus:
      case EvGoStatusStack:
        return this.goStatus(ev, gen);
      case EvSTWBegin:
      case EvGCMarkAssistBegin:
        return this.goRangeBegin(ev);
      case EvSTWEnd:
      case EvGCMarkAssistEnd:
        return this.goRangeEnd(ev);
      case EvGCMarkAssistActive:
        return this.goRangeActive(ev, gen);
      case EvGCActive:
        return this.gcActive(ev, gen);
      case EvGCBegin:
        return this.gcBegin(ev);
      case EvGCEnd:
        return this.gcEnd(ev);
      case EvGCSweepBegin: {
        this.validate(MUST, MUST, MAY);
        beginRange(this.pStates.get(this.curP)!, rangeKey(ev.type, 0), eventName(ev.type));
        this.push(ev);
        return true;
      }
      case EvGCSweepActive: {
        const ps = this.pStates.get(ev.a0);
        if (!ps) throw new OrderError(`encountered GCSweepActive for unknown proc ${ev.a0}`);
        activeRange(ps, rangeKey(ev.type, 0), gen === this.initialGen);
        this.push(ev);
        return true;
      }
      case EvGCSweepEnd: {
        this.validate(MUST, MUST, MAY);
        endRange(this.pStates.get(this.curP)!, ev.type);
        this.push(ev);
        return true;
      }
      case EvHeapAlloc:
      case EvHeapGoal:
        this.validate(MUST, MUST, MAY);
        this.push(ev);
        return true;
      case EvUserTaskBegin:
        return this.userTaskBegin(ev, tables);
      case EvUserTaskEnd: {
        const task = this.activeTasks.get(ev.a0);
        if (task) {
          ev.extra0 = task.parent;
          ev.taskName = task.name;
          this.activeTasks.delete(ev.a0);
        } else {
          ev.extra0 = NONE;
          ev.taskName = '';
        }
        this.userGo();
        this.push(ev);
        return true;
      }
      case EvUserRegionBegin:
      case EvUserRegionEnd:
        return this.userRegion(ev, tables);
      case EvGoSwitch:
      case EvGoSwitchDestroy:
        return this.goSwitch(ev, gen);
    }
    if (ev.type >= EvFirstExperimental && ev.type <= EvLastExperimental) {
      this.validate(MUST, MAY, MAY);
      this.push(ev);
      return true;
    }
    throw new OrderError(`bad event type found while ordering: ${ev.type}`);
  }

  private procStatus(ev: TraceEvent, gen: number): boolean {
    const pid = ev.a0;
    // As for goroutines, Go keeps only the low byte (its ProcStatus is a uint8).
    const status = ev.a1 & 0xff;
    ev.a1 = status;
    if (status >= PROC_STATUS_TO_STATE.length) throw new OrderError(`invalid status for proc ${pid}: ${status}`);
    let oldState: number = PROC_STATUS_TO_STATE[status];
    const s = this.pStates.get(pid);
    if (s) {
      if (status === ProcStatusSyscallAbandoned && s.status === ProcStatusSyscall) {
        // The P was in a syscall last generation and got abandoned in between.
        oldState = ProcState.Running;
        ev.a1 = ProcStatusSyscall;
      } else if (status === ProcStatusSyscallAbandoned && s.status === ProcStatusSyscallAbandoned) {
        oldState = ProcState.Idle;
        ev.a1 = ProcStatusSyscallAbandoned;
      } else if (s.status !== status) {
        throw new OrderError(`inconsistent status for proc ${pid}: old ${s.status} vs. new ${status}`);
      }
      s.seqGen = gen;
      s.seq = 0;
    } else {
      this.pStates.set(pid, { id: pid, status, seqGen: gen, seq: 0, inFlight: [] });
      oldState = gen === this.initialGen ? ProcState.Undetermined : ProcState.NotExist;
    }
    ev.extra0 = oldState;
    if (status === ProcStatusRunning || status === ProcStatusSyscall) this.newP = pid;
    if (status === ProcStatusSyscallAbandoned && oldState === ProcState.Running) {
      // Report the event on the M that had the P, so the P's steal makes sense.
      let found = false;
      for (const [mid, ms] of this.mStates) {
        if (ms.p === pid) {
          this.curM = mid;
          this.curP = pid;
          this.curG = ms.g;
          found = true;
        }
      }
      if (!found) throw new OrderError(`failed to find sched context for proc ${pid} that's about to be stolen`);
    }
    this.push(ev);
    return true;
  }

  private procStart(ev: TraceEvent, gen: number): boolean {
    const pid = ev.a0;
    const s = this.pStates.get(pid);
    if (!s || s.status !== ProcStatusIdle || !(s.seqGen === gen && ev.a1 === s.seq + 1) || this.curP !== NONE) {
      return false;
    }
    this.validate(MUST, MUST_NOT, MAY);
    s.status = ProcStatusRunning;
    s.seqGen = gen;
    s.seq = ev.a1;
    this.newP = pid;
    this.push(ev);
    return true;
  }

  private procStop(ev: TraceEvent): boolean {
    const s = this.pStates.get(this.curP);
    if (!s) throw new OrderError(`event ProcStop for proc (${this.curP}) that doesn't exist`);
    if (s.status !== ProcStatusRunning && s.status !== ProcStatusSyscall) {
      throw new OrderError("ProcStop event for proc that's not Running or Syscall");
    }
    this.validate(MUST, MUST, MAY);
    s.status = ProcStatusIdle;
    this.newP = NONE;
    this.push(ev);
    return true;
  }

  private procSteal(ev: TraceEvent, gen: number): boolean {
    const pid = ev.a0;
    const s = this.pStates.get(pid);
    if (
      !s ||
      (s.status !== ProcStatusSyscall && s.status !== ProcStatusSyscallAbandoned) ||
      !(s.seqGen === gen && ev.a1 === s.seq + 1)
    ) {
      return false;
    }
    this.validate(MUST, MAY, MAY);
    const oldStatus = s.status;
    ev.extra0 = oldStatus;
    s.status = ProcStatusIdle;
    s.seqGen = gen;
    s.seq = ev.a1;
    if (oldStatus === ProcStatusSyscallAbandoned) {
      this.push(ev);
      return true;
    }
    const mid = ev.a2;
    if (mid === this.curM) {
      if (this.curP !== pid) {
        throw new OrderError(`tried to self-steal proc ${pid} (thread ${mid}), but got proc ${this.curP} instead`);
      }
      this.newP = NONE;
      this.push(ev);
      return true;
    }
    const victim = this.mStates.get(mid);
    if (!victim) throw new OrderError(`stole proc from non-existent thread ${mid}`);
    if (victim.p !== pid) {
      throw new OrderError(`tried to steal proc ${pid} from thread ${mid}, but got proc ${victim.p} instead`);
    }
    victim.p = NONE;
    this.push(ev);
    return true;
  }

  private goStatus(ev: TraceEvent, gen: number): boolean {
    const gid = ev.a0;
    const mid = ev.a1;
    // Go converts the status to its uint8 GoStatus first: only the low byte counts.
    const status = ev.a2 & 0xff;
    ev.a2 = status;
    if (status >= GO_STATUS_TO_STATE.length) throw new OrderError(`invalid status for goroutine ${gid}: ${status}`);
    let oldState: number = GO_STATUS_TO_STATE[status];
    const s = this.gStates.get(gid);
    if (s) {
      if (s.status !== status) {
        throw new OrderError(`inconsistent status for goroutine ${gid}: old ${s.status} vs. new ${status}`);
      }
      s.seqGen = gen;
      s.seq = 0;
    } else if (gen === this.initialGen) {
      this.gStates.set(gid, { id: gid, status, seqGen: gen, seq: 0, regions: [], inFlight: [] });
      oldState = GoState.Undetermined;
    } else {
      throw new OrderError(
        `found goroutine status for new goroutine after the first generation: id=${gid} status=${status}`,
      );
    }
    ev.extra0 = oldState;
    if (status === GoStatusRunning) {
      this.newG = gid;
    } else if (status === GoStatusSyscall) {
      if (mid === NONE) throw new OrderError(`found goroutine ${gid} in syscall without a thread`);
      if (mid === this.curM) {
        if (gen !== this.initialGen && this.curG !== gid) {
          throw new OrderError(`inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${this.curG}`);
        }
        this.newG = gid;
      } else {
        const ms = this.mStates.get(mid);
        if (ms) {
          if (ms.g !== gid) {
            throw new OrderError(`inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${ms.g}`);
          }
          this.curG = ms.g;
        } else {
          this.mStates.set(mid, { g: gid, p: NONE });
        }
        this.curM = mid;
      }
    }
    this.push(ev);
    return true;
  }

  private goCreate(ev: TraceEvent, gen: number): boolean {
    this.validate(MUST, MUST, MAY);
    const cur = this.gStates.get(this.curG);
    if (cur && cur.status !== GoStatusRunning) {
      throw new OrderError(`${eventName(ev.type)} event for goroutine that's not Running`);
    }
    const newG = ev.a0;
    if (this.gStates.has(newG)) throw new OrderError(`tried to create goroutine (${newG}) that already exists`);
    const status = ev.type === EvGoCreateBlocked ? GoStatusWaiting : GoStatusRunnable;
    this.gStates.set(newG, { id: newG, status, seqGen: gen, seq: 0, regions: [], inFlight: [] });
    this.push(ev);
    return true;
  }

  private goStopExec(ev: TraceEvent): boolean {
    this.userGo();
    const s = this.currentG(ev);
    if (s.status !== GoStatusRunning) throw new OrderError(`${eventName(ev.type)} event for goroutine that's not Running`);
    if (ev.type === EvGoDestroy) this.gStates.delete(this.curG);
    else if (ev.type === EvGoStop) s.status = GoStatusRunnable;
    else s.status = GoStatusWaiting;
    this.newG = NONE;
    this.push(ev);
    return true;
  }

  private goStart(ev: TraceEvent, gen: number): boolean {
    const s = this.gStates.get(ev.a0);
    if (!s || s.status !== GoStatusRunnable || !(s.seqGen === gen && ev.a1 === s.seq + 1)) return false;
    this.validate(MUST, MUST, MUST_NOT);
    s.status = GoStatusRunning;
    s.seqGen = gen;
    s.seq = ev.a1;
    this.newG = ev.a0;
    this.push(ev);
    return true;
  }

  private goUnblock(ev: TraceEvent, gen: number): boolean {
    const s = this.gStates.get(ev.a0);
    if (!s || s.status !== GoStatusWaiting || !(s.seqGen === gen && ev.a1 === s.seq + 1)) return false;
    s.status = GoStatusRunnable;
    s.seqGen = gen;
    s.seq = ev.a1;
    this.push(ev);
    return true;
  }

  private goSwitch(ev: TraceEvent, gen: number): boolean {
    this.userGo();
    const cur = this.currentG(ev);
    if (cur.status !== GoStatusRunning) throw new OrderError(`${eventName(ev.type)} event for goroutine that's not Running`);
    const nextG = ev.a0;
    const next = this.gStates.get(nextG);
    if (!next || next.status !== GoStatusWaiting || !(next.seqGen === gen && ev.a1 === next.seq + 1)) return false;
    this.push(ev);
    // A switch is reported as the current goroutine blocking (or ending) and the next one starting.
    if (ev.type === EvGoSwitch) {
      cur.status = GoStatusWaiting;
      this.pushSynthetic(ev, EvGoBlock, this.curG, 0, 0);
    } else {
      this.gStates.delete(this.curG);
      this.pushSynthetic(ev, EvGoDestroy, this.curG, 0, 0);
    }
    next.status = GoStatusRunning;
    next.seqGen = gen;
    next.seq = ev.a1;
    this.pushSynthetic(ev, EvGoStart, NONE, nextG, ev.a1);
    this.newG = nextG;
    return true;
  }

  private goSyscallBegin(ev: TraceEvent, gen: number): boolean {
    this.userGo();
    const s = this.currentG(ev);
    if (s.status !== GoStatusRunning) throw new OrderError("GoSyscallBegin event for goroutine that's not Running");
    s.status = GoStatusSyscall;
    const ps = this.pStates.get(this.curP);
    if (!ps) throw new OrderError(`uninitialized proc ${this.curP} found during GoSyscallBegin`);
    ps.status = ProcStatusSyscall;
    if (!(ps.seqGen === gen && ev.a0 === ps.seq + 1)) {
      throw new OrderError(`failed to advance GoSyscallBegin: can't make sequence: ${ps.seq} -> ${ev.a0}`);
    }
    ps.seqGen = gen;
    ps.seq = ev.a0;
    this.push(ev);
    return true;
  }

  private goSyscallEnd(ev: TraceEvent): boolean {
    this.userGo();
    const s = this.currentG(ev);
    // Go's words name Running here although the goroutine must be in a syscall.
    if (s.status !== GoStatusSyscall) throw new OrderError("GoSyscallEnd event for goroutine that's not Running");
    s.status = GoStatusRunning;
    const ps = this.pStates.get(this.curP);
    if (!ps) throw new OrderError(`uninitialized proc ${this.curP} found during GoSyscallEnd`);
    if (ps.status !== ProcStatusSyscall) {
      throw new OrderError(`expected proc ${this.curP} in state Syscall, but got ${ps.status} instead`);
    }
    ps.status = ProcStatusRunning;
    this.push(ev);
    return true;
  }

  private goSyscallEndBlocked(ev: TraceEvent): boolean {
    if (this.curP !== NONE) {
      const ps = this.pStates.get(this.curP);
      if (!ps) throw new OrderError(`uninitialized proc ${this.curP} found during GoSyscallEndBlocked`);
      // The P must be stolen (ProcSteal on another M) before this can happen.
      if (ps.status === ProcStatusSyscall) return false;
    }
    this.validate(MUST, MAY, MUST);
    const s = this.currentG(ev);
    // As for GoSyscallEnd, Go's words name Running.
    if (s.status !== GoStatusSyscall) throw new OrderError("GoSyscallEndBlocked event for goroutine that's not Running");
    this.newG = NONE;
    s.status = GoStatusRunnable;
    this.push(ev);
    return true;
  }

  private goCreateSyscall(ev: TraceEvent, gen: number): boolean {
    this.validate(MUST, MAY, MUST_NOT);
    const newG = ev.a0;
    if (this.gStates.has(newG)) throw new OrderError(`tried to create goroutine (${newG}) in syscall that already exists`);
    this.gStates.set(newG, { id: newG, status: GoStatusSyscall, seqGen: gen, seq: 0, regions: [], inFlight: [] });
    this.newG = newG;
    this.push(ev);
    return true;
  }

  private goDestroySyscall(ev: TraceEvent): boolean {
    this.validate(MUST, MAY, MUST);
    const s = this.currentG(ev);
    if (s.status !== GoStatusSyscall) throw new OrderError("GoDestroySyscall event for goroutine that's not Syscall");
    this.gStates.delete(this.curG);
    this.newG = NONE;
    if (this.curP !== NONE) {
      const ps = this.pStates.get(this.curP);
      if (!ps) throw new OrderError(`found invalid proc ${this.curP} during GoDestroySyscall`);
      if (ps.status !== ProcStatusSyscall) {
        throw new OrderError(`proc ${this.curP} in unexpected state ${ps.status} during GoDestroySyscall`);
      }
      // The P is left behind in a syscall: report it as stolen from this M.
      ps.status = ProcStatusSyscallAbandoned;
      this.newP = NONE;
      const steal = this.pushSynthetic(ev, EvProcSteal, this.curG, this.curP, 0);
      steal.extra0 = ProcStatusSyscall;
    }
    this.push(ev);
    return true;
  }

  private userTaskBegin(ev: TraceEvent, tables: GenerationTables): boolean {
    const id = ev.a0;
    if (this.activeTasks.has(id)) throw new OrderError(`task ID conflict: ${id}`);
    let parent = ev.a1;
    if (parent === 0) {
      parent = NONE;
      ev.a1 = NONE;
    }
    if (!tables.hasString(ev.a2)) throw new OrderError(`invalid string ID ${ev.a2} for ${ev.type} event`);
    this.activeTasks.set(id, { name: tables.string(ev.a2), parent });
    this.userGo();
    this.push(ev);
    return true;
  }

  private userRegion(ev: TraceEvent, tables: GenerationTables): boolean {
    this.userGo();
    // Go prints the event type as a number here.
    if (!tables.hasString(ev.a1)) throw new OrderError(`invalid string ID ${ev.a1} for ${ev.type} event`);
    const name = tables.string(ev.a1);
    const s = this.gStates.get(this.curG);
    if (!s) {
      throw new OrderError(`encountered Ev${eventName(ev.type)} without known state for current goroutine ${this.curG}`);
    }
    if (ev.type === EvUserRegionBegin) {
      s.regions.push({ task: ev.a0, name });
    } else if (s.regions.length > 0) {
      // A region that began before the trace started has no begin; its end is fine.
      const top = s.regions[s.regions.length - 1];
      if (top.task !== ev.a0 || top.name !== name) {
        throw new OrderError(
          `misuse of region in goroutine ${s.id}: region end ${name} when the inner-most active region start event is ${top.name}`,
        );
      }
      s.regions.pop();
    }
    this.push(ev);
    return true;
  }

  private goRangeBegin(ev: TraceEvent): boolean {
    this.userGo();
    const desc = ev.type === EvSTWBegin ? ev.a0 : 0;
    const s = this.gStates.get(this.curG);
    if (!s) throw new OrderError(`encountered event of type ${ev.type} without known state for current goroutine ${this.curG}`);
    beginRange(s, rangeKey(ev.type, desc), eventName(ev.type));
    this.push(ev);
    return true;
  }

  private goRangeActive(ev: TraceEvent, gen: number): boolean {
    const s = this.gStates.get(ev.a0);
    if (!s) throw new OrderError(`uninitialized goroutine ${ev.a0} found during ${eventName(ev.type)}`);
    activeRange(s, rangeKey(ev.type, 0), gen === this.initialGen);
    this.push(ev);
    return true;
  }

  private goRangeEnd(ev: TraceEvent): boolean {
    this.userGo();
    const s = this.gStates.get(this.curG);
    if (!s) throw new OrderError(`encountered event of type ${ev.type} without known state for current goroutine ${this.curG}`);
    const desc = endRange(s, ev.type);
    if (ev.type === EvSTWEnd) ev.a0 = desc;
    this.push(ev);
    return true;
  }

  private gcActive(ev: TraceEvent, gen: number): boolean {
    const seq = ev.a0;
    if (gen === this.initialGen) {
      if (this.gcState !== GC.Undetermined) throw new OrderError("GCActive in the first generation isn't first GC event");
      this.gcSeq = seq;
      this.gcState = GC.Running;
      this.push(ev);
      return true;
    }
    if (seq !== this.gcSeq + 1) return false;
    if (this.gcState !== GC.Running) throw new OrderError('encountered GCActive while GC was not in progress');
    this.gcSeq = seq;
    this.userGo();
    this.push(ev);
    return true;
  }

  private gcBegin(ev: TraceEvent): boolean {
    const seq = ev.a0;
    if (this.gcState === GC.Undetermined) {
      this.gcSeq = seq;
      this.gcState = GC.Running;
      this.push(ev);
      return true;
    }
    if (seq !== this.gcSeq + 1) return false;
    if (this.gcState === GC.Running) throw new OrderError('encountered GCBegin while GC was already in progress');
    this.gcSeq = seq;
    this.gcState = GC.Running;
    this.userGo();
    this.push(ev);
    return true;
  }

  private gcEnd(ev: TraceEvent): boolean {
    const seq = ev.a0;
    if (seq !== this.gcSeq + 1) return false;
    if (this.gcState === GC.NotRunning) throw new OrderError('encountered GCEnd when GC was not in progress');
    if (this.gcState === GC.Undetermined) throw new OrderError('encountered GCEnd when GC was in an undetermined state');
    this.gcSeq = seq;
    this.gcState = GC.NotRunning;
    this.userGo();
    this.push(ev);
    return true;
  }
}

