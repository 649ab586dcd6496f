// Turns a parsed pre-1.22 trace into the events of the current model, as
// golang.org/x/exp/trace does for old traces: goroutines and Ps alive before
// the trace get status events, blocking events get the reason strings of the
// new format, syscalls that did not block get an immediate end, and the
// whole trace is one generation between two Sync events.

import { EventPool, TraceEvent } from '../event';
import { GenerationTables } from '../generation';
import type { TraceReadResult } from '../reader';
import * as specModule from '../spec';
import { parseV1, V1FormatError, type V1Event, type V1Trace } from './parser';
import * as v1Module from './spec';

// Plain copies of the two modules' constants: without bundling (tsx, tests)
// every imported name is a getter, which costs a lot per event.
const spec = { ...specModule };
const v1 = { ...v1Module };
const { Kind, NONE } = spec;

export interface V1ReadOptions {
  onGeneration?: (generation: number) => void;
}

/** Reads a whole pre-1.22 trace (`headerSize` bytes of header) and calls `onEvent` with each event. */
export function readTraceV1(
  bytes: Uint8Array,
  fileName: string,
  version: number,
  headerSize: number,
  onEvent: (ev: TraceEvent) => void,
  options: V1ReadOptions = {},
): TraceReadResult {
  const result: TraceReadResult = { version, generations: 0, events: 0 };
  let trace: V1Trace;
  try {
    trace = parseV1(bytes, headerSize, version);
  } catch (e) {
    if (!(e instanceof V1FormatError)) throw e;
    result.problem = { message: `${fileName}: ${e.message} (at byte ${e.offset})`, offset: e.offset, generation: 0, truncated: e.truncated };
    return result;
  }
  new Converter(trace, onEvent, result).run();
  result.generations = 1;
  options.onGeneration?.(1);
  if (trace.cut !== undefined) {
    const scale = trace.ticksAsNs
      ? '; the clock frequency comes at the end of this format, so times are in clock ticks, not nanoseconds'
      : '';
    result.problem = {
      message:
        `${fileName}: ${trace.cut.message} (at byte ${trace.cut.offset}); the trace is cut short: ` +
        `${result.events} events up to the cut were read${scale}`,
      offset: trace.cut.offset,
      generation: 1,
      truncated: true,
    };
  }
  return result;
}

interface Task {
  parent: number;
  name: string;
}

class Converter {
  private readonly tables = new GenerationTables();
  private readonly pool = new EventPool();
  private readonly reasonIds = new Map<string, number>();
  private readonly stwIds: number[] = [];
  private readonly inlineIds: number[] = [];
  /** Until the first Gomaxprocs event the events describe what existed before tracing started. */
  private preInit = true;
  private readonly createdPreInit = new Set<number>();
  private readonly tasks = new Map<number, Task>();
  private readonly seenProcs = new Set<number>();
  private readonly procMs = new Map<number, number>();
  private lastStwReason = 0;
  private lastTs = -1;
  /** Whether the next event of a GoSysCall's goroutine is a GoSysBlock, by event index. */
  private readonly syscallBlocks: Uint8Array;

  constructor(
    private readonly trace: V1Trace,
    private readonly onEvent: (ev: TraceEvent) => void,
    private readonly result: TraceReadResult,
  ) {
    const t = this.tables;
    let max = 0;
    for (const [id, s] of trace.strings) {
      t.strings.set(id, s);
      if (id > max) max = id;
    }
    trace.inlineStrings.forEach((s, i) => {
      this.inlineIds.push(max + 1 + i);
      t.strings.set(max + 1 + i, s);
    });
    let next = max + 1 + trace.inlineStrings.length;
    for (const reason of Object.values(v1.BLOCK_REASONS)) {
      this.reasonIds.set(reason, next);
      t.strings.set(next++, reason);
    }
    for (const reason of v1.STW_REASONS) {
      this.stwIds.push(next);
      t.strings.set(next++, reason);
    }
    for (const [id, pcs] of trace.stacks) t.stacks.set(id, pcs);
    for (const [pc, f] of trace.frames) t.addFrame(pc, f.funcId, f.fileId, f.line);

    const events = trace.events;
    this.syscallBlocks = new Uint8Array(events.length);
    const nextTypeOfG = new Map<number, number>();
    for (let i = events.length - 1; i >= 0; i--) {
      const ev = events[i];
      if (ev.type === v1.EvGoSysCall && nextTypeOfG.get(ev.g) === v1.EvGoSysBlock) this.syscallBlocks[i] = 1;
      nextTypeOfG.set(ev.g, ev.type);
    }
  }

  run(): void {
    const events = this.trace.events;
    let syncs = 0;
    if (events.length > 0) this.deliverSync(events[0].ts - 1, ++syncs, this.tables);
    for (let i = 0; i < events.length; i++) this.convert(events[i], i);
    this.deliverSync(this.lastTs + 1, ++syncs, null);
  }

  private deliverSync(time: number, n: number, tables: GenerationTables | null): void {
    const ev = this.pool.take();
    ev.type = spec.EvSyncMarker;
    ev.kind = Kind.Sync;
    ev.time = time;
    ev.a0 = n;
    ev.generation = 1;
    ev.tables = tables;
    this.result.events++;
    this.onEvent(ev);
    this.pool.give(ev);
  }

  /** A new event of `type` in the context of the old event `from`. */
  private make(from: V1Event, type: number, time = from.ts): TraceEvent {
    const ev = this.pool.take();
    ev.type = type;
    ev.kind = type === spec.EvCPUSample ? Kind.StackSample : spec.eventKind(type);
    ev.time = time;
    ev.g = from.g === 0 ? NONE : from.g;
    ev.p = from.p;
    ev.m = from.p !== NONE && from.type !== v1.EvCPUSample ? (this.procMs.get(from.p) ?? NONE) : NONE;
    ev.generation = 1;
    ev.offset = from.offset;
    ev.tables = this.tables;
    return ev;
  }

  private deliver(ev: TraceEvent): void {
    if (ev.time <= this.lastTs) ev.time = this.lastTs + 1;
    this.lastTs = ev.time;
    this.result.events++;
    this.onEvent(ev);
    this.pool.give(ev);
  }

  private reason(r: string): number {
    return this.reasonIds.get(r)!;
  }

  private convert(old: V1Event, index: number): void {
    const R = v1.BLOCK_REASONS;
    switch (old.type) {
      case v1.EvGomaxprocs:
        if (this.preInit) {
          // The goroutines created before tracing began and not seen since are runnable.
          this.preInit = false;
          const statuses: TraceEvent[] = [];
          for (const g of this.createdPreInit) {
            const ev = this.pool.take();
            ev.type = spec.EvGoStatus;
            ev.kind = Kind.StateTransition;
            ev.time = old.ts;
            ev.generation = 1;
            ev.offset = old.offset;
            ev.tables = this.tables;
            ev.a0 = g;
            ev.a1 = NONE;
            ev.a2 = spec.GoStatusRunnable;
            statuses.push(ev);
          }
          this.createdPreInit.clear();
          for (const ev of statuses) this.deliver(ev);
          return;
        }
        return this.emit(old, spec.EvProcsChange, old.a0, old.stack);
      case v1.EvProcStart: {
        this.procMs.set(old.p, old.a0);
        if (this.seenProcs.has(old.p)) return this.emit(old, spec.EvProcStart, old.p);
        this.seenProcs.add(old.p);
        return this.emit(old, spec.EvProcStatus, old.p, spec.ProcStatusRunning);
      }
      case v1.EvProcStop: {
        const ev = this.seenProcs.has(old.p)
          ? this.build(old, spec.EvProcStop, old.p)
          : this.build(old, spec.EvProcStatus, old.p, spec.ProcStatusIdle);
        this.seenProcs.add(old.p);
        this.procMs.delete(old.p);
        return this.deliver(ev);
      }
      case v1.EvGCStart:
        return this.emit(old, spec.EvGCBegin, old.a0, old.stack);
      case v1.EvGCDone:
        return this.emit(old, spec.EvGCEnd, old.a0);
      case v1.EvSTWStart:
        this.lastStwReason = this.stwIds[v1.stwReason(this.trace.version, old.a0)];
        return this.emit(old, spec.EvSTWBegin, this.lastStwReason);
      case v1.EvSTWDone:
        return this.emit(old, spec.EvSTWEnd, this.lastStwReason);
      case v1.EvGCSweepStart:
        return this.emit(old, spec.EvGCSweepBegin, old.stack);
      case v1.EvGCSweepDone:
        return this.emit(old, spec.EvGCSweepEnd, old.a0, old.a1);
      case v1.EvGoCreate:
        if (this.preInit) {
          this.createdPreInit.add(old.a0);
          return;
        }
        return this.emit(old, spec.EvGoCreate, old.a0, old.a1, old.stack);
      case v1.EvGoStart:
        if (this.preInit) {
          this.createdPreInit.delete(old.a0);
          return this.emit(old, spec.EvGoStatus, old.a0, NONE, spec.GoStatusRunning);
        }
        return this.emit(old, spec.EvGoStart, old.a0, old.a1);
      case v1.EvGoStartLabel: {
        const start = this.build(old, spec.EvGoStart, old.a0, old.a1, old.a2);
        const label = this.build(old, spec.EvGoLabel, old.a2);
        this.deliver(start);
        return this.deliver(label);
      }
      case v1.EvGoEnd:
        return this.emit(old, spec.EvGoDestroy);
      case v1.EvGoStop:
        return this.emit(old, spec.EvGoBlock, this.reason(R.forever), old.stack);
      case v1.EvGoSched:
        return this.emit(old, spec.EvGoStop, this.reason(R.gosched), old.stack);
      case v1.EvGoPreempt:
        return this.emit(old, spec.EvGoStop, this.reason(R.preempted), old.stack);
      case v1.EvGoSleep:
        return this.emit(old, spec.EvGoBlock, this.reason(R.sleep), old.stack);
      case v1.EvGoBlock:
        return this.emit(old, spec.EvGoBlock, this.reason(R.empty), old.stack);
      case v1.EvGoBlockSend:
        return this.emit(old, spec.EvGoBlock, this.reason(R.chanSend), old.stack);
      case v1.EvGoBlockRecv:
        return this.emit(old, spec.EvGoBlock, this.reason(R.chanRecv), old.stack);
      case v1.EvGoBlockSelect:
        return this.emit(old, spec.EvGoBlock, this.reason(R.select), old.stack);
      case v1.EvGoBlockSync:
        return this.emit(old, spec.EvGoBlock, this.reason(R.sync), old.stack);
      case v1.EvGoBlockCond:
        return this.emit(old, spec.EvGoBlock, this.reason(R.syncCond), old.stack);
      case v1.EvGoBlockNet:
        return this.emit(old, spec.EvGoBlock, this.reason(R.network), old.stack);
      case v1.EvGoBlockGC:
        return this.emit(old, spec.EvGoBlock, this.reason(R.markAssistWait), old.stack);
      case v1.EvGoUnblock:
        return this.emit(old, spec.EvGoUnblock, old.a0, old.a1, old.stack);
      case v1.EvGoSysCall: {
        if (this.syscallBlocks[index] === 1) return this.emit(old, spec.EvGoSyscallBegin, 0, old.stack);
        // The old format records only the syscalls that blocked; a quick one ends at once.
        const begin = this.build(old, spec.EvGoSyscallBegin, 0, old.stack);
        const end = this.make(old, spec.EvGoSyscallEnd, old.ts + 1);
        this.deliver(begin);
        return this.deliver(end);
      }
      case v1.EvGoSysExit:
        return this.emit(old, spec.EvGoSyscallEndBlocked, old.a0, old.a1, old.a2);
      case v1.EvGoSysBlock:
        return;
      case v1.EvGoWaiting:
        this.createdPreInit.delete(old.a0);
        return this.emit(old, spec.EvGoStatus, old.a0, NONE, spec.GoStatusWaiting);
      case v1.EvGoInSyscall:
        this.createdPreInit.delete(old.a0);
        return this.emit(old, spec.EvGoStatus, old.a0, NONE, spec.GoStatusSyscall);
      case v1.EvHeapAlloc:
        return this.emit(old, spec.EvHeapAlloc, old.a0);
      case v1.EvHeapGoal:
        return this.emit(old, spec.EvHeapGoal, old.a0);
      case v1.EvGCMarkAssistStart:
        return this.emit(old, spec.EvGCMarkAssistBegin, old.stack);
      case v1.EvGCMarkAssistDone:
        return this.emit(old, spec.EvGCMarkAssistEnd);
      case v1.EvUserTaskCreate: {
        this.tasks.set(old.a0, { parent: old.a1, name: this.tables.string(old.a2) });
        return this.emit(old, spec.EvUserTaskBegin, old.a0, old.a1 === 0 ? NONE : old.a1, old.a2, old.stack);
      }
      case v1.EvUserTaskEnd: {
        const task = this.tasks.get(old.a0);
        this.tasks.delete(old.a0);
        const ev = this.build(old, spec.EvUserTaskEnd, old.a0, old.stack);
        ev.extra0 = task?.parent ?? NONE;
        ev.taskName = task?.name ?? '';
        return this.deliver(ev);
      }
      case v1.EvUserRegion:
        return this.emit(
          old,
          old.a1 === 0 ? spec.EvUserRegionBegin : spec.EvUserRegionEnd,
          old.a0,
          old.a2,
          old.stack,
        );
      case v1.EvUserLog:
        return this.emit(old, spec.EvUserLog, old.a0, old.a1, this.inlineIds[old.a3], old.stack);
      case v1.EvCPUSample:
        return this.emit(old, spec.EvCPUSample, old.stack, NONE, old.p, old.g);
    }
    throw new V1FormatError(`unexpected event type ${old.type}`, old.offset, false);
  }

  private build(old: V1Event, type: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0): TraceEvent {
    const ev = this.make(old, type);
    ev.a0 = a0;
    ev.a1 = a1;
    ev.a2 = a2;
    ev.a3 = a3;
    return ev;
  }

  private emit(old: V1Event, type: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0): void {
    this.deliver(this.build(old, type, a0, a1, a2, a3));
  }
}
