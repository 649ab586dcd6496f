// The trace as the timeline draws it, built in one streaming pass over
// readTrace's events: per-goroutine state intervals, per-P running spans,
// GC cycles and stop-the-world ranges, heap and scheduler series, user
// annotations and the edges between goroutines. Columns are typed arrays so
// a model of millions of intervals moves from a Web Worker to the page by
// transfer, and drawing walks flat arrays.

import { stateTransition, type TraceEvent } from './event';
import type { GenerationTables } from './generation';
import { readTrace, type TraceProblem } from './reader';
import * as spec from './spec';
import { Float64List, Int32List, Uint8List } from '../typedLists';

const {
  EvGCActive,
  EvGCBegin,
  EvGCEnd,
  EvGoBlock,
  EvGoCreate,
  EvGoCreateBlocked,
  EvGoStop,
  EvHeapAlloc,
  EvHeapGoal,
  EvProcsChange,
  EvSTWBegin,
  EvSTWEnd,
  EvUserLog,
  EvUserRegionBegin,
  EvUserRegionEnd,
  EvUserTaskBegin,
  EvUserTaskEnd,
  GoState,
  Kind,
  NONE,
  ProcState,
} = spec;

/** Goroutine states as the model stores them (GoState values). */
export const GoroutineState = {
  Runnable: GoState.Runnable,
  Running: GoState.Running,
  Waiting: GoState.Waiting,
  Syscall: GoState.Syscall,
} as const;

export interface StackTable {
  /** Stack i has frames offsets[i]..offsets[i+1], innermost first. */
  offsets: Int32Array;
  /** Per frame: indexes into `strings` (function, file) and the line. */
  func: Int32Array;
  file: Int32Array;
  line: Int32Array;
}

export interface GoroutineTable {
  count: number;
  /** Goroutine ids (exact up to 2^53). */
  id: Float64Array;
  /** String index of the start function, -1 when no stack named it. */
  startFunction: Int32Array;
  /** Stack index of the go statement that created it, -1 when it existed before the trace. */
  creationStack: Int32Array;
  /** Goroutine index of the creator, -1 when unknown. */
  createdBy: Int32Array;
  /** Total time Running, ns; a goroutine still running at the end counts up to the last event. */
  runningNs: Float64Array;
  /**
   * Goroutine g's state intervals, in time order, are the interval rows
   * intervalRows[intervalOffsets[g]..intervalOffsets[g+1]].
   */
  intervalOffsets: Int32Array;
  intervalRows: Int32Array;
}

/** Every goroutine state interval, in the order they began; times are ns since the model's origin. */
export interface IntervalTable {
  goroutine: Int32Array;
  start: Float64Array;
  end: Float64Array;
  /** A GoroutineState value. */
  state: Uint8Array;
  /** String index of why it waits or stopped (GoBlock/GoStop reason), -1 for none. */
  reason: Int32Array;
  /** Stack of the transition that began the interval (where it blocked, stopped, entered the syscall), -1 for none. */
  stack: Int32Array;
}

export interface ProcTable {
  count: number;
  /** P ids. */
  id: Int32Array;
  /** Proc p's running spans are spanOffsets[p]..spanOffsets[p+1], in time order, never overlapping. */
  spanOffsets: Int32Array;
  spanStart: Float64Array;
  spanEnd: Float64Array;
  spanGoroutine: Int32Array;
  /** The goroutine's Running interval (row) this span draws. */
  spanInterval: Int32Array;
}

export interface RangeTable {
  start: Float64Array;
  /** The trace's end when the range had not ended. */
  end: Float64Array;
  /** String index of a name (STW reason), -1 for none. */
  name: Int32Array;
}

export interface Series {
  time: Float64Array;
  value: Float64Array;
}

export interface CountSeries {
  time: Float64Array;
  running: Int32Array;
  runnable: Int32Array;
  waiting: Int32Array;
  syscall: Int32Array;
  /** Ps running (a thread holds each). */
  procsRunning: Int32Array;
}

export interface TaskTable {
  id: Float64Array;
  name: Int32Array;
  /** Task index of the parent, -1 for none. */
  parent: Int32Array;
  /** NaN when it began before the trace. */
  start: Float64Array;
  /** NaN when it had not ended. */
  end: Float64Array;
  goroutine: Int32Array;
}

export interface RegionTable {
  goroutine: Int32Array;
  /** Task index, -1 for none. */
  task: Int32Array;
  name: Int32Array;
  /** NaN when it began before the trace. */
  start: Float64Array;
  /** NaN when it had not ended. */
  end: Float64Array;
  /** Nesting depth on its goroutine, 0 outermost. */
  depth: Int32Array;
}

export interface LogTable {
  time: Float64Array;
  goroutine: Int32Array;
  task: Int32Array;
  category: Int32Array;
  message: Int32Array;
}

export const EdgeKind = { Unblock: 0, Create: 1 } as const;

export interface EdgeTable {
  kind: Uint8Array;
  time: Float64Array;
  /** Goroutine index of the one that unblocked or created, -1 for none (the runtime, a timer, the network poller). */
  from: Int32Array;
  to: Int32Array;
  /** Stack of the unblock or go statement, -1 for none. */
  stack: Int32Array;
}

export interface TraceModel {
  fileName: string;
  version: string;
  /** Absolute time of the first event, ns; every other time is relative to it. */
  origin: number;
  durationNs: number;
  events: number;
  generations: number;
  problem?: TraceProblem;
  strings: string[];
  stacks: StackTable;
  goroutines: GoroutineTable;
  intervals: IntervalTable;
  procs: ProcTable;
  gc: RangeTable;
  stw: RangeTable;
  heapAlloc: Series;
  heapGoal: Series;
  gomaxprocs: Series;
  counts: CountSeries;
  tasks: TaskTable;
  regions: RegionTable;
  logs: LogTable;
  edges: EdgeTable;
}

/** The ArrayBuffers of a model, for postMessage's transfer list. */
export function modelBuffers(model: TraceModel): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown): void => {
    if (ArrayBuffer.isView(value)) buffers.add(value.buffer as ArrayBuffer);
    else if (value && typeof value === 'object' && !Array.isArray(value)) for (const v of Object.values(value)) visit(v);
  };
  visit(model);
  return [...buffers];
}

/** Counting sort of rows by a small key, stable: returns offsets per key and the row order. */
function groupRows(keys: Int32Array, keyCount: number): { offsets: Int32Array; order: Int32Array } {
  const offsets = new Int32Array(keyCount + 1);
  for (let i = 0; i < keys.length; i++) offsets[keys[i] + 1]++;
  for (let k = 0; k < keyCount; k++) offsets[k + 1] += offsets[k];
  const next = offsets.slice(0, keyCount);
  const order = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) order[next[keys[i]]++] = i;
  return { offsets, order };
}

/** Builds a model incrementally; `readTraceModel` drives it from readTrace. */
export class TraceModelBuilder {
  private origin = NaN;
  private last = 0;

  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();

  private readonly stackOffsets = new Int32List(1024);
  private readonly frameFunc = new Int32List(4096);
  private readonly frameFile = new Int32List(4096);
  private readonly frameLine = new Int32List(4096);
  private readonly stackByKey = new Map<string, number>();
  /** Per generation: wire stack id → stack index. */
  private genStacks = new Map<number, number>();
  private genTables: GenerationTables | null = null;

  // Goroutines, by index in order of first appearance.
  private readonly goroutineIndex = new Map<number, number>();
  private readonly gId = new Float64List(1024);
  private readonly gStartFunction = new Int32List(1024);
  private readonly gCreationStack = new Int32List(1024);
  private readonly gCreatedBy = new Int32List(1024);
  private readonly gRunningNs = new Float64List(1024);
  /** The goroutine's open interval (row in the interval columns), -1 when none. */
  private readonly gOpen = new Int32List(1024);
  /** The P (index) of its open running span, -1 when none; the span is that P's last. */
  private readonly gSpanP = new Int32List(1024);

  // Intervals in event order; grouped by goroutine at the end.
  private readonly iGoroutine = new Int32List(1 << 14);
  private readonly iStart = new Float64List(1 << 14);
  private readonly iEnd = new Float64List(1 << 14);
  private readonly iState = new Uint8List(1 << 12);
  private readonly iReason = new Int32List(1 << 14);
  private readonly iStack = new Int32List(1 << 14);

  private readonly procIndex = new Map<number, number>();
  private readonly pId = new Int32List(16);
  private readonly pRunning: boolean[] = [];
  /** Running spans per P index, in time order (a P runs one goroutine at a time). */
  private readonly pSpans: { start: Float64List; end: Float64List; goroutine: Int32List; interval: Int32List }[] = [];

  private readonly gcStart = new Float64List(64);
  private readonly gcEnd = new Float64List(64);
  private gcOpen = -1;
  private readonly stwStart = new Float64List(64);
  private readonly stwEnd = new Float64List(64);
  private readonly stwName = new Int32List(64);
  /** Open STW per goroutine id. */
  private readonly stwOpen = new Map<number, number>();

  private readonly heapTime = new Float64List(256);
  private readonly heapValue = new Float64List(256);
  private readonly goalTime = new Float64List(256);
  private readonly goalValue = new Float64List(256);
  private readonly procsTime = new Float64List(16);
  private readonly procsValue = new Float64List(16);

  private readonly cTime = new Float64List(1 << 14);
  private readonly cRunning = new Int32List(1 << 14);
  private readonly cRunnable = new Int32List(1 << 14);
  private readonly cWaiting = new Int32List(1 << 14);
  private readonly cSyscall = new Int32List(1 << 14);
  private readonly cProcs = new Int32List(1 << 14);
  private readonly stateCount = new Int32Array(6);
  private procsRunning = 0;

  private readonly taskIndex = new Map<number, number>();
  private readonly tId = new Float64List(16);
  private readonly tName = new Int32List(16);
  private readonly tParent = new Int32List(16);
  private readonly tStart = new Float64List(16);
  private readonly tEnd = new Float64List(16);
  private readonly tGoroutine = new Int32List(16);
  private readonly rGoroutine = new Int32List(16);
  private readonly rTask = new Int32List(16);
  private readonly rName = new Int32List(16);
  private readonly rStart = new Float64List(16);
  private readonly rEnd = new Float64List(16);
  private readonly rDepth = new Int32List(16);
  /** Open regions per goroutine index (region rows, innermost last). */
  private readonly openRegions = new Map<number, number[]>();
  private readonly lTime = new Float64List(16);
  private readonly lGoroutine = new Int32List(16);
  private readonly lTask = new Int32List(16);
  private readonly lCategory = new Int32List(16);
  private readonly lMessage = new Int32List(16);

  private readonly eKind = new Uint8List(1 << 12);
  private readonly eTime = new Float64List(1 << 12);
  private readonly eFrom = new Int32List(1 << 12);
  private readonly eTo = new Int32List(1 << 12);
  private readonly eStack = new Int32List(1 << 12);

  constructor() {
    this.stackOffsets.push(0);
  }

  private str(s: string): number {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    return i;
  }

  private wireString(tables: GenerationTables, id: number): number {
    return id === 0 ? -1 : this.str(tables.string(id));
  }

  /** The model's index of a generation's stack id; identical stacks of different generations share one. */
  private stack(tables: GenerationTables, id: number): number {
    if (id === 0) return -1;
    if (tables !== this.genTables) {
      this.genTables = tables;
      this.genStacks = new Map();
    }
    let index = this.genStacks.get(id);
    if (index !== undefined) return index;
    const frames = tables.frames(id);
    let key = '';
    for (const f of frames) key += `${f.func}\u0000${f.file}\u0000${f.line}\u0001`;
    index = this.stackByKey.get(key);
    if (index === undefined) {
      index = this.stackOffsets.length - 1;
      for (const f of frames) {
        this.frameFunc.push(this.str(f.func));
        this.frameFile.push(this.str(f.file));
        this.frameLine.push(f.line);
      }
      this.stackOffsets.push(this.frameFunc.length);
      this.stackByKey.set(key, index);
    }
    this.genStacks.set(id, index);
    return index;
  }

  private goroutine(id: number): number {
    let g = this.goroutineIndex.get(id);
    if (g === undefined) {
      g = this.gId.length;
      this.goroutineIndex.set(id, g);
      this.gId.push(id);
      this.gStartFunction.push(-1);
      this.gCreationStack.push(-1);
      this.gCreatedBy.push(-1);
      this.gRunningNs.push(0);
      this.gOpen.push(-1);
      this.gSpanP.push(-1);
    }
    return g;
  }

  private goroutineOrNone(id: number): number {
    return id === NONE ? -1 : this.goroutine(id);
  }

  private proc(id: number): number {
    let p = this.procIndex.get(id);
    if (p === undefined) {
      p = this.pId.length;
      this.procIndex.set(id, p);
      this.pId.push(id);
      this.pRunning.push(false);
      this.pSpans.push({
        start: new Float64List(1024),
        end: new Float64List(1024),
        goroutine: new Int32List(1024),
        interval: new Int32List(1024),
      });
    }
    return p;
  }

  private sampleCounts(t: number): void {
    const n = this.cTime.length;
    // One sample per microsecond is finer than any zoom shows a count.
    if (n > 0 && t - this.cTime.data[n - 1] < COUNT_RESOLUTION_NS) {
      t = this.cTime.data[n - 1];
      this.cTime.length--;
      this.cRunning.length--;
      this.cRunnable.length--;
      this.cWaiting.length--;
      this.cSyscall.length--;
      this.cProcs.length--;
    }
    const c = this.stateCount;
    this.cTime.push(t);
    this.cRunning.push(c[GoState.Running]);
    this.cRunnable.push(c[GoState.Runnable]);
    this.cWaiting.push(c[GoState.Waiting]);
    this.cSyscall.push(c[GoState.Syscall]);
    this.cProcs.push(this.procsRunning);
  }

  add(ev: TraceEvent): void {
    if (Number.isNaN(this.origin)) this.origin = ev.time;
    const t = ev.time - this.origin;
    this.last = t;
    const tables = ev.tables;
    switch (ev.kind) {
      case Kind.StateTransition:
        if (tables) this.transition(ev, t, tables);
        return;
      case Kind.RangeBegin:
      case Kind.RangeActive:
      case Kind.RangeEnd:
        this.range(ev, t, tables);
        return;
      case Kind.Metric:
        if (ev.type === EvHeapAlloc) {
          this.heapTime.push(t);
          this.heapValue.push(ev.a0);
        } else if (ev.type === EvHeapGoal) {
          this.goalTime.push(t);
          this.goalValue.push(ev.a0);
        } else if (ev.type === EvProcsChange) {
          this.procsTime.push(t);
          this.procsValue.push(ev.a0);
        }
        return;
      case Kind.TaskBegin:
      case Kind.TaskEnd:
      case Kind.RegionBegin:
      case Kind.RegionEnd:
      case Kind.Log:
        if (tables) this.annotation(ev, t, tables);
        return;
    }
  }

  private transition(ev: TraceEvent, t: number, tables: GenerationTables): void {
    const st = stateTransition(ev);
    if (st.resource === 'proc') {
      const p = this.proc(st.id);
      const running = st.to === ProcState.Running;
      if (running !== this.pRunning[p]) {
        this.pRunning[p] = running;
        this.procsRunning += running ? 1 : -1;
        this.sampleCounts(t);
      }
      return;
    }
    const g = this.goroutine(st.id);
    if (this.gStartFunction.data[g] === -1 && st.stack !== 0) {
      const root = tables.rootFunction(st.stack) ?? '';
      if (root !== '') this.gStartFunction.data[g] = this.str(root);
    }
    if (ev.type === EvGoCreate || ev.type === EvGoCreateBlocked) {
      this.gCreationStack.data[g] = this.stack(tables, ev.a2);
      const from = this.goroutineOrNone(ev.g);
      this.gCreatedBy.data[g] = from;
      this.edge(EdgeKindCreate, t, from, g, this.gCreationStack.data[g]);
    } else if (st.from === GoState.Waiting && st.to === GoState.Runnable) {
      this.edge(EdgeKindUnblock, t, this.goroutineOrNone(ev.g), g, this.stack(tables, st.stack));
    }
    if (st.from === st.to) return;

    const open = this.gOpen.data[g];
    if (open !== -1) {
      this.iEnd.data[open] = t;
      const state = this.iState.data[open];
      this.stateCount[state]--;
      if (state === GoState.Running) {
        this.gRunningNs.data[g] += t - this.iStart.data[open];
        const p = this.gSpanP.data[g];
        if (p !== -1) {
          const end = this.pSpans[p].end;
          end.data[end.length - 1] = t;
          this.gSpanP.data[g] = -1;
        }
      }
      this.gOpen.data[g] = -1;
    }
    if (st.to === GoState.NotExist || st.to === GoState.Undetermined) {
      this.sampleCounts(t);
      return;
    }
    const row = this.iStart.length;
    this.iGoroutine.push(g);
    this.iStart.push(t);
    this.iEnd.push(NaN);
    this.iState.push(st.to);
    const reasonId = ev.type === EvGoBlock || ev.type === EvGoStop ? ev.a0 : 0;
    this.iReason.push(this.wireString(tables, reasonId));
    // A creation's transition stack is the new goroutine's start; the interval keeps the go statement's.
    this.iStack.push(
      ev.type === EvGoCreate || ev.type === EvGoCreateBlocked ? this.gCreationStack.data[g] : this.stack(tables, st.stack),
    );
    this.gOpen.data[g] = row;
    this.stateCount[st.to]++;
    if (st.to === GoState.Running && ev.p !== NONE) {
      const p = this.proc(ev.p);
      const spans = this.pSpans[p];
      this.gSpanP.data[g] = p;
      spans.start.push(t);
      spans.end.push(NaN);
      spans.goroutine.push(g);
      spans.interval.push(row);
    }
    this.sampleCounts(t);
  }

  private edge(kind: number, t: number, from: number, to: number, stack: number): void {
    this.eKind.push(kind);
    this.eTime.push(t);
    this.eFrom.push(from);
    this.eTo.push(to);
    this.eStack.push(stack);
  }

  private range(ev: TraceEvent, t: number, tables: GenerationTables | null): void {
    switch (ev.type) {
      case EvGCBegin:
      case EvGCActive:
        this.gcOpen = this.gcStart.length;
        this.gcStart.push(ev.type === EvGCActive ? NaN : t);
        this.gcEnd.push(NaN);
        return;
      case EvGCEnd:
        if (this.gcOpen !== -1) this.gcEnd.data[this.gcOpen] = t;
        this.gcOpen = -1;
        return;
      case EvSTWBegin:
        this.stwOpen.set(ev.g, this.stwStart.length);
        this.stwStart.push(t);
        this.stwEnd.push(NaN);
        this.stwName.push(tables ? this.wireString(tables, ev.a0) : -1);
        return;
      case EvSTWEnd: {
        const row = this.stwOpen.get(ev.g);
        if (row !== undefined) {
          this.stwEnd.data[row] = t;
          this.stwOpen.delete(ev.g);
        }
        return;
      }
    }
  }

  private task(id: number): number {
    let i = this.taskIndex.get(id);
    if (i === undefined) {
      i = this.tId.length;
      this.taskIndex.set(id, i);
      this.tId.push(id);
      this.tName.push(-1);
      this.tParent.push(-1);
      this.tStart.push(NaN);
      this.tEnd.push(NaN);
      this.tGoroutine.push(-1);
    }
    return i;
  }

  private taskOrNone(id: number): number {
    return id === 0 || id === NONE ? -1 : this.task(id);
  }

  private annotation(ev: TraceEvent, t: number, tables: GenerationTables): void {
    const g = this.goroutineOrNone(ev.g);
    switch (ev.type) {
      case EvUserTaskBegin: {
        const i = this.task(ev.a0);
        this.tName.data[i] = this.wireString(tables, ev.a2);
        this.tParent.data[i] = this.taskOrNone(ev.a1);
        this.tStart.data[i] = t;
        this.tGoroutine.data[i] = g;
        return;
      }
      case EvUserTaskEnd: {
        const i = this.task(ev.a0);
        this.tEnd.data[i] = t;
        if (this.tName.data[i] === -1 && ev.taskName) this.tName.data[i] = this.str(ev.taskName);
        return;
      }
      case EvUserRegionBegin: {
        let open = this.openRegions.get(g);
        if (!open) this.openRegions.set(g, (open = []));
        open.push(this.region(g, ev.a0, this.wireString(tables, ev.a1), t, NaN, open.length));
        return;
      }
      case EvUserRegionEnd: {
        const open = this.openRegions.get(g);
        const row = open?.pop();
        if (row !== undefined) this.rEnd.data[row] = t;
        else this.region(g, ev.a0, this.wireString(tables, ev.a1), NaN, t, 0);
        return;
      }
      case EvUserLog:
        this.lTime.push(t);
        this.lGoroutine.push(g);
        this.lTask.push(this.taskOrNone(ev.a0));
        this.lCategory.push(this.wireString(tables, ev.a1));
        this.lMessage.push(this.wireString(tables, ev.a2));
        return;
    }
  }

  private region(g: number, task: number, name: number, start: number, end: number, depth: number): number {
    const row = this.rStart.length;
    this.rGoroutine.push(g);
    this.rTask.push(this.taskOrNone(task));
    this.rName.push(name);
    this.rStart.push(start);
    this.rEnd.push(end);
    this.rDepth.push(depth);
    return row;
  }

  finish(info: { fileName: string; version: string; events: number; generations: number; problem?: TraceProblem }): TraceModel {
    const end = this.last;
    // Close what is still open at the last event.
    const gCount = this.gId.length;
    for (let g = 0; g < gCount; g++) {
      const open = this.gOpen.data[g];
      if (open === -1) continue;
      this.iEnd.data[open] = end;
      if (this.iState.data[open] === GoState.Running) this.gRunningNs.data[g] += end - this.iStart.data[open];
    }
    for (let g = 0; g < gCount; g++) {
      const p = this.gSpanP.data[g];
      if (p !== -1) this.pSpans[p].end.data[this.pSpans[p].end.length - 1] = end;
    }
    const fillOpen = (a: Float64List) => {
      for (let i = 0; i < a.length; i++) if (Number.isNaN(a.data[i])) a.data[i] = end;
    };
    fillOpen(this.gcEnd);
    fillOpen(this.stwEnd);
    // A GC cycle already running when the trace began starts with it.
    for (let i = 0; i < this.gcStart.length; i++) if (Number.isNaN(this.gcStart.data[i])) this.gcStart.data[i] = 0;

    const intervalGoroutine = this.iGoroutine.view();
    const intervalsByG = groupRows(intervalGoroutine, gCount);

    const pCount = this.pId.length;
    const spanOffsets = new Int32Array(pCount + 1);
    for (let p = 0; p < pCount; p++) spanOffsets[p + 1] = spanOffsets[p] + this.pSpans[p].start.length;
    const spanCount = spanOffsets[pCount];
    const spanStart = new Float64Array(spanCount);
    const spanEnd = new Float64Array(spanCount);
    const spanGoroutine = new Int32Array(spanCount);
    const spanInterval = new Int32Array(spanCount);
    for (let p = 0; p < pCount; p++) {
      const s = this.pSpans[p];
      spanStart.set(s.start.view(), spanOffsets[p]);
      spanEnd.set(s.end.view(), spanOffsets[p]);
      spanGoroutine.set(s.goroutine.view(), spanOffsets[p]);
      spanInterval.set(s.interval.view(), spanOffsets[p]);
    }

    return {
      fileName: info.fileName,
      version: info.version,
      origin: Number.isNaN(this.origin) ? 0 : this.origin,
      durationNs: end,
      events: info.events,
      generations: info.generations,
      problem: info.problem,
      strings: this.strings,
      stacks: {
        offsets: this.stackOffsets.view(),
        func: this.frameFunc.view(),
        file: this.frameFile.view(),
        line: this.frameLine.view(),
      },
      goroutines: {
        count: gCount,
        id: this.gId.view(),
        startFunction: this.gStartFunction.view(),
        creationStack: this.gCreationStack.view(),
        createdBy: this.gCreatedBy.view(),
        runningNs: this.gRunningNs.view(),
        intervalOffsets: intervalsByG.offsets,
        intervalRows: intervalsByG.order,
      },
      intervals: {
        goroutine: intervalGoroutine,
        start: this.iStart.view(),
        end: this.iEnd.view(),
        state: this.iState.view(),
        reason: this.iReason.view(),
        stack: this.iStack.view(),
      },
      procs: { count: pCount, id: this.pId.view(), spanOffsets, spanStart, spanEnd, spanGoroutine, spanInterval },
      gc: { start: this.gcStart.view(), end: this.gcEnd.view(), name: new Int32Array(this.gcStart.length).fill(-1) },
      stw: { start: this.stwStart.view(), end: this.stwEnd.view(), name: this.stwName.view() },
      heapAlloc: { time: this.heapTime.view(), value: this.heapValue.view() },
      heapGoal: { time: this.goalTime.view(), value: this.goalValue.view() },
      gomaxprocs: { time: this.procsTime.view(), value: this.procsValue.view() },
      counts: {
        time: this.cTime.view(),
        running: this.cRunning.view(),
        runnable: this.cRunnable.view(),
        waiting: this.cWaiting.view(),
        syscall: this.cSyscall.view(),
        procsRunning: this.cProcs.view(),
      },
      tasks: {
        id: this.tId.view(),
        name: this.tName.view(),
        parent: this.tParent.view(),
        start: this.tStart.view(),
        end: this.tEnd.view(),
        goroutine: this.tGoroutine.view(),
      },
      regions: {
        goroutine: this.rGoroutine.view(),
        task: this.rTask.view(),
        name: this.rName.view(),
        start: this.rStart.view(),
        end: this.rEnd.view(),
        depth: this.rDepth.view(),
      },
      logs: {
        time: this.lTime.view(),
        goroutine: this.lGoroutine.view(),
        task: this.lTask.view(),
        category: this.lCategory.view(),
        message: this.lMessage.view(),
      },
      edges: {
        kind: this.eKind.view(),
        time: this.eTime.view(),
        from: this.eFrom.view(),
        to: this.eTo.view(),
        stack: this.eStack.view(),
      },
    };
  }
}

const EdgeKindUnblock = EdgeKind.Unblock;
const COUNT_RESOLUTION_NS = 1000;
const EdgeKindCreate = EdgeKind.Create;

/**
 * Reads a whole trace into a model. Throws TraceError when the file is no
 * readable trace; a trace broken part way gives the model up to the break,
 * with `problem` saying where.
 */
export function readTraceModel(bytes: Uint8Array, fileName: string): TraceModel {
  const builder = new TraceModelBuilder();
  const result = readTrace(bytes, fileName, (ev) => builder.add(ev));
  return builder.finish({
    fileName,
    version: `go1.${result.version}`,
    events: result.events,
    generations: result.generations,
    problem: result.problem,
  });
}

/** Frames of stack `s`, innermost first. */
export function stackFrames(model: TraceModel, s: number): { func: string; file: string; line: number }[] {
  if (s < 0) return [];
  const { offsets, func, file, line } = model.stacks;
  const frames = [];
  for (let i = offsets[s]; i < offsets[s + 1]; i++) {
    frames.push({ func: model.strings[func[i]], file: model.strings[file[i]], line: line[i] });
  }
  return frames;
}

/** The interval after `row` on the same goroutine, -1 when it is the last. */
export function nextInterval(model: TraceModel, row: number): number {
  const g = model.intervals.goroutine[row];
  const { intervalOffsets, intervalRows } = model.goroutines;
  // Rows of one goroutine ascend, as intervals are numbered in the order they began.
  let lo = intervalOffsets[g];
  let hi = intervalOffsets[g + 1];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (intervalRows[mid] <= row) lo = mid + 1;
    else hi = mid;
  }
  return lo < intervalOffsets[g + 1] ? intervalRows[lo] : -1;
}

export function startFunctionName(model: TraceModel, g: number): string {
  const s = model.goroutines.startFunction[g];
  return s < 0 ? '' : model.strings[s];
}
