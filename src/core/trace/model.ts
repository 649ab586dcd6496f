// The trace as the timeline draws it, built in one streaming pass over
// readTrace's events: per-goroutine state intervals, per-P running spans,
// GC cycles and stop-the-world ranges, heap and scheduler series, user
// annotations and the edges between goroutines. Columns are typed arrays so
// a model of millions of intervals moves from a Web Worker to the page by
// transfer, and drawing walks flat arrays.

import { stateTransitionInto, type StateTransition, type TraceEvent } from './event';
import type { GenerationTables } from './generation';
import { readTrace, type TraceProblem } from './reader';
import * as spec from './spec';
import { Float64List, Int32List } from '../typedLists';
import { Float64Column, Int32Column, SmallIntColumn, Uint8Column } from './columns';

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
   * intervalOffsets[g]..intervalOffsets[g+1]-2; row intervalOffsets[g+1]-1
   * is its end marker (see IntervalTable).
   */
  intervalOffsets: Int32Array;
}

/** A string or stack index column: 16 bits when every index fits, -1 for none either way. */
export type IndexColumn = Int16Array | Int32Array;

/**
 * Goroutine state intervals, grouped by goroutine (GoroutineTable.intervalOffsets),
 * in time order within one; times are ns since the model's origin. Intervals
 * of a goroutine follow each other, so row r ends where row r+1 starts: the
 * end is not stored. Each goroutine's rows end with a marker in state
 * NotExist that starts where its last interval ends (when it exited, else
 * the trace's end); a NotExist row between intervals is a stretch where the
 * goroutine did not exist.
 */
export interface IntervalTable {
  start: Float64Array;
  /** A GoroutineState value, or GoState.NotExist for the markers. */
  state: Uint8Array;
  /** String index of why it waits or stopped (GoBlock/GoStop reason), -1 for none. */
  reason: IndexColumn;
  /** Stack of the transition that began the interval (where it blocked, stopped, entered the syscall, was unblocked), -1 for none. */
  stack: IndexColumn;
}

export interface ProcTable {
  count: number;
  /** P ids. */
  id: Int32Array;
  /** Proc p's running spans are spanOffsets[p]..spanOffsets[p+1], in time order, never overlapping. */
  spanOffsets: Int32Array;
  /** The goroutine's Running interval (row) a span draws: its start, end and goroutine are the interval's. */
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

/** Counts, 16 bits while every value of the column fits. */
export interface CountSeries {
  time: Float64Array;
  running: IndexColumn;
  runnable: IndexColumn;
  waiting: IndexColumn;
  syscall: IndexColumn;
  /** Ps running (a thread holds each). */
  procsRunning: IndexColumn;
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

/**
 * Unblock and create edges, in time order. An edge begins an interval of
 * the goroutine it unblocked or created (Runnable, or Waiting for one created
 * blocked): its time, target goroutine and stack (of the unblock or the go
 * statement) are that interval's.
 */
export interface EdgeTable {
  kind: Uint8Array;
  /** The interval (row) the edge began. */
  interval: Int32Array;
  /** Goroutine index of the one that unblocked or created, -1 for none (the runtime, a timer, the network poller). */
  from: Int32Array;
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

/** The list's values in an exact-size array; the list lets go of its larger buffer. */
function exact<T extends Int32Array | Float64Array | Uint8Array>(list: { data: T; length: number }): T {
  const values = list.data.slice(0, list.length) as T;
  list.data = values.subarray(0, 0) as T;
  list.length = 0;
  return values;
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
  /** Per generation: wire stack id → stack index, wire string id → string index. */
  private genStacks = new Map<number, number>();
  private genStrings = new Map<number, number>();
  private genTables: GenerationTables | null = null;
  private readonly transitionScratch: StateTransition = { resource: 'goroutine', id: 0, from: 0, to: 0, stack: 0 };

  // Goroutines, by index in order of first appearance.
  /**
   * Goroutine index + 1 by id, for ids below DENSE_GOROUTINE_IDS: the runtime
   * numbers goroutines from 1 upwards, and every transition looks one up,
   * which an array does faster than a Map of a million ids. Larger ids go to the Map.
   */
  private goroutineByDenseId = new Int32Array(1024);
  private readonly goroutineIndex = new Map<number, number>();
  private readonly gId = new Float64Column();
  private readonly gStartFunction = new Int32Column();
  private readonly gCreationStack = new Int32Column();
  private readonly gCreatedBy = new Int32Column();
  private readonly gRunningNs = new Float64Column();
  /** The goroutine's open interval (row in the interval columns), -1 when none. */
  private readonly gOpen = new Int32Column();

  // Intervals (and NotExist rows where a goroutine ended) in event order; grouped by goroutine at the end.
  private readonly iGoroutine = new Int32Column();
  private readonly iStart = new Float64Column();
  private readonly iState = new Uint8Column();
  /** String and stack indexes: 16 bits until one outgrows them (a table past 32767 entries). */
  private readonly iReason = new SmallIntColumn();
  private readonly iStack = new SmallIntColumn();

  private readonly procIndex = new Map<number, number>();
  private readonly pId = new Int32List(16);
  private readonly pRunning: boolean[] = [];
  /** Running spans (interval rows in event order) per P index, in time order (a P runs one goroutine at a time). */
  private readonly pSpans: InstanceType<typeof Int32Column>[] = [];

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

  private readonly cTime = new Float64Column();
  private readonly cRunning = new SmallIntColumn();
  private readonly cRunnable = new SmallIntColumn();
  private readonly cWaiting = new SmallIntColumn();
  private readonly cSyscall = new SmallIntColumn();
  private readonly cProcs = new SmallIntColumn();
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

  private readonly eKind = new Uint8Column();
  private readonly eInterval = new Int32Column();
  private readonly eFrom = new Int32Column();

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
    if (id === 0) return -1;
    if (tables !== this.genTables) this.newGeneration(tables);
    let index = this.genStrings.get(id);
    if (index === undefined) {
      index = this.str(tables.string(id));
      this.genStrings.set(id, index);
    }
    return index;
  }

  private newGeneration(tables: GenerationTables): void {
    this.genTables = tables;
    this.genStacks = new Map();
    this.genStrings = new Map();
  }

  /** The model's index of a generation's stack id; identical stacks of different generations share one. */
  private stack(tables: GenerationTables, id: number): number {
    if (id === 0) return -1;
    if (tables !== this.genTables) this.newGeneration(tables);
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
    const dense = id >= 0 && id < DENSE_GOROUTINE_IDS;
    if (dense) {
      if (id < this.goroutineByDenseId.length) {
        const known = this.goroutineByDenseId[id];
        if (known !== 0) return known - 1;
      }
    } else {
      const known = this.goroutineIndex.get(id);
      if (known !== undefined) return known;
    }
    const g = this.gId.length;
    if (dense) {
      if (id >= this.goroutineByDenseId.length) {
        let size = this.goroutineByDenseId.length * 2;
        while (size <= id) size *= 2;
        const grown = new Int32Array(size);
        grown.set(this.goroutineByDenseId);
        this.goroutineByDenseId = grown;
      }
      this.goroutineByDenseId[id] = g + 1;
    } else {
      this.goroutineIndex.set(id, g);
    }
    this.gId.push(id);
    this.gStartFunction.push(-1);
    this.gCreationStack.push(-1);
    this.gCreatedBy.push(-1);
    this.gRunningNs.push(0);
    this.gOpen.push(-1);
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
      this.pSpans.push(new Int32Column());
    }
    return p;
  }

  private sampleCounts(t: number): void {
    const n = this.cTime.length;
    const c = this.stateCount;
    // One sample per microsecond is finer than any zoom shows a count: a
    // change within it replaces the last sample's counts.
    if (n > 0 && t - this.cTime.last() < COUNT_RESOLUTION_NS) {
      this.cRunning.setLast(c[GoState.Running]);
      this.cRunnable.setLast(c[GoState.Runnable]);
      this.cWaiting.setLast(c[GoState.Waiting]);
      this.cSyscall.setLast(c[GoState.Syscall]);
      this.cProcs.setLast(this.procsRunning);
      return;
    }
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
    const st = stateTransitionInto(ev, this.transitionScratch);
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
    if (this.gStartFunction.get(g) === -1 && st.stack !== 0) {
      const root = tables.rootFunction(st.stack) ?? '';
      if (root !== '') this.gStartFunction.set(g, this.str(root));
    }
    // Edges begin the interval opened below (create and unblock always change the state).
    let edgeKind = -1;
    let edgeFrom = -1;
    if (ev.type === EvGoCreate || ev.type === EvGoCreateBlocked) {
      this.gCreationStack.set(g, this.stack(tables, ev.a2));
      edgeFrom = this.goroutineOrNone(ev.g);
      this.gCreatedBy.set(g, edgeFrom);
      edgeKind = EdgeKindCreate;
    } else if (st.from === GoState.Waiting && st.to === GoState.Runnable) {
      edgeFrom = this.goroutineOrNone(ev.g);
      edgeKind = EdgeKindUnblock;
    }
    if (st.from === st.to) return;

    const open = this.gOpen.get(g);
    if (open !== -1) {
      const state = this.iState.get(open);
      this.stateCount[state]--;
      if (state === GoState.Running) this.gRunningNs.set(g, this.gRunningNs.get(g) + t - this.iStart.get(open));
      this.gOpen.set(g, -1);
    }
    if (st.to === GoState.NotExist || st.to === GoState.Undetermined) {
      // The open interval ends here: a NotExist row marks where.
      if (open !== -1) this.pushRow(g, t, GoState.NotExist, -1, -1);
      this.sampleCounts(t);
      return;
    }
    const row = this.iStart.length;
    const reasonId = ev.type === EvGoBlock || ev.type === EvGoStop ? ev.a0 : 0;
    // A creation's transition stack is the new goroutine's start; the interval keeps the go statement's.
    const stack = edgeKind === EdgeKindCreate ? this.gCreationStack.get(g) : this.stack(tables, st.stack);
    this.pushRow(g, t, st.to, this.wireString(tables, reasonId), stack);
    if (edgeKind !== -1) {
      this.eKind.push(edgeKind);
      this.eInterval.push(row);
      this.eFrom.push(edgeFrom);
    }
    this.gOpen.set(g, row);
    this.stateCount[st.to]++;
    // A span ends with its interval, where the goroutine's next row starts.
    if (st.to === GoState.Running && ev.p !== NONE) this.pSpans[this.proc(ev.p)].push(row);
    this.sampleCounts(t);
  }

  private pushRow(g: number, t: number, state: number, reason: number, stack: number): void {
    this.iGoroutine.push(g);
    this.iStart.push(t);
    this.iState.push(state);
    this.iReason.push(reason);
    this.iStack.push(stack);
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

  /**
   * The interval rows grouped by goroutine (a stable counting sort, so each
   * goroutine's rows stay in time order), each goroutine ending with a
   * NotExist marker at `end` unless its last row already is one. `dest`
   * maps an event-order row to its grouped row.
   */
  private groupIntervals(gCount: number, end: number): { table: IntervalTable; offsets: Int32Array; dest: Int32Array } {
    // Read in place: a copy of the column would add to the peak the new columns make.
    const goroutine = this.iGoroutine;
    const rowCount = goroutine.length;
    const lastRow = new Int32Array(gCount).fill(-1);
    const offsets = new Int32Array(gCount + 1);
    for (let i = 0; i < rowCount; i++) {
      const g = goroutine.get(i);
      lastRow[g] = i;
      offsets[g + 1]++;
    }
    const needsMarker = new Uint8Array(gCount);
    for (let g = 0; g < gCount; g++) {
      const last = lastRow[g];
      if (last === -1 || this.iState.get(last) !== GoState.NotExist) {
        needsMarker[g] = 1;
        offsets[g + 1]++;
      }
    }
    for (let g = 0; g < gCount; g++) offsets[g + 1] += offsets[g];
    const next = offsets.slice(0, gCount);
    const dest = new Int32Array(rowCount);
    for (let i = 0; i < rowCount; i++) dest[i] = next[goroutine.get(i)]++;
    goroutine.clear();
    const total = offsets[gCount];
    const table: IntervalTable = {
      start: new Float64Array(total),
      state: new Uint8Array(total),
      reason: this.iReason.wide ? new Int32Array(total) : new Int16Array(total),
      stack: this.iStack.wide ? new Int32Array(total) : new Int16Array(total),
    };
    this.iStart.scatter(dest, table.start);
    this.iState.scatter(dest, table.state);
    this.iReason.scatter(dest, table.reason);
    this.iStack.scatter(dest, table.stack);
    for (let g = 0; g < gCount; g++) {
      if (!needsMarker[g]) continue;
      const marker = offsets[g + 1] - 1;
      table.start[marker] = end;
      table.state[marker] = GoState.NotExist;
      table.reason[marker] = -1;
      table.stack[marker] = -1;
    }
    return { table, offsets, dest };
  }

  finish(info: { fileName: string; version: string; events: number; generations: number; problem?: TraceProblem }): TraceModel {
    const end = this.last;
    // Close what is still open at the last event.
    const gCount = this.gId.length;
    for (let g = 0; g < gCount; g++) {
      const open = this.gOpen.get(g);
      if (open !== -1 && this.iState.get(open) === GoState.Running) {
        this.gRunningNs.set(g, this.gRunningNs.get(g) + end - this.iStart.get(open));
      }
    }
    const fillOpen = (a: Float64List) => {
      for (let i = 0; i < a.length; i++) if (Number.isNaN(a.data[i])) a.data[i] = end;
    };
    fillOpen(this.gcEnd);
    fillOpen(this.stwEnd);
    // A GC cycle already running when the trace began starts with it.
    for (let i = 0; i < this.gcStart.length; i++) if (Number.isNaN(this.gcStart.data[i])) this.gcStart.data[i] = 0;

    const intervals = this.groupIntervals(gCount, end);
    const { dest } = intervals;
    const renumber = (rows: Int32Array): Int32Array => {
      for (let i = 0; i < rows.length; i++) rows[i] = dest[rows[i]];
      return rows;
    };

    const pCount = this.pId.length;
    const spanOffsets = new Int32Array(pCount + 1);
    for (let p = 0; p < pCount; p++) spanOffsets[p + 1] = spanOffsets[p] + this.pSpans[p].length;
    const spanInterval = new Int32Array(spanOffsets[pCount]);
    for (let p = 0; p < pCount; p++) spanInterval.set(renumber(this.pSpans[p].take()), spanOffsets[p]);

    const gcStart = exact(this.gcStart);
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
        offsets: exact(this.stackOffsets),
        func: exact(this.frameFunc),
        file: exact(this.frameFile),
        line: exact(this.frameLine),
      },
      goroutines: {
        count: gCount,
        id: this.gId.take(),
        startFunction: this.gStartFunction.take(),
        creationStack: this.gCreationStack.take(),
        createdBy: this.gCreatedBy.take(),
        runningNs: this.gRunningNs.take(),
        intervalOffsets: intervals.offsets,
      },
      intervals: intervals.table,
      procs: { count: pCount, id: exact(this.pId), spanOffsets, spanInterval },
      gc: { start: gcStart, end: exact(this.gcEnd), name: new Int32Array(gcStart.length).fill(-1) },
      stw: { start: exact(this.stwStart), end: exact(this.stwEnd), name: exact(this.stwName) },
      heapAlloc: { time: exact(this.heapTime), value: exact(this.heapValue) },
      heapGoal: { time: exact(this.goalTime), value: exact(this.goalValue) },
      gomaxprocs: { time: exact(this.procsTime), value: exact(this.procsValue) },
      counts: {
        time: this.cTime.take(),
        running: this.cRunning.take(),
        runnable: this.cRunnable.take(),
        waiting: this.cWaiting.take(),
        syscall: this.cSyscall.take(),
        procsRunning: this.cProcs.take(),
      },
      tasks: {
        id: exact(this.tId),
        name: exact(this.tName),
        parent: exact(this.tParent),
        start: exact(this.tStart),
        end: exact(this.tEnd),
        goroutine: exact(this.tGoroutine),
      },
      regions: {
        goroutine: exact(this.rGoroutine),
        task: exact(this.rTask),
        name: exact(this.rName),
        start: exact(this.rStart),
        end: exact(this.rEnd),
        depth: exact(this.rDepth),
      },
      logs: {
        time: exact(this.lTime),
        goroutine: exact(this.lGoroutine),
        task: exact(this.lTask),
        category: exact(this.lCategory),
        message: exact(this.lMessage),
      },
      edges: { kind: this.eKind.take(), interval: renumber(this.eInterval.take()), from: this.eFrom.take() },
    };
  }
}

const EdgeKindUnblock = EdgeKind.Unblock;
const COUNT_RESOLUTION_NS = 1000;
const DENSE_GOROUTINE_IDS = 1 << 23;
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

/**
 * The first i in [lo, hi) whose value exceeds t, for ascending values: the
 * value of i is values[rows[i] + shift] with `rows` (spans and edges index
 * interval rows; shift 1 reads a row's end), else values[i].
 */
export function upperBoundIn(values: ArrayLike<number>, t: number, lo: number, hi: number, rows?: Int32Array, shift = 0): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[rows ? rows[mid] + shift : mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The goroutine whose rows hold interval `row`. */
export function intervalGoroutine(model: TraceModel, row: number): number {
  const offsets = model.goroutines.intervalOffsets;
  return upperBoundIn(offsets, row, 0, offsets.length) - 1;
}

/** Where interval `row` ends: where the goroutine's next row starts. */
export function intervalEnd(model: TraceModel, row: number): number {
  return model.intervals.start[row + 1];
}

/** The interval after `row` on the same goroutine, -1 when it is the last. */
export function nextInterval(model: TraceModel, row: number): number {
  const g = intervalGoroutine(model, row);
  return row + 1 < model.goroutines.intervalOffsets[g + 1] - 1 ? row + 1 : -1;
}

/** Start, end and goroutine of P-lane span `s`: its interval's. */
export function spanStart(model: TraceModel, s: number): number {
  return model.intervals.start[model.procs.spanInterval[s]];
}

export function spanEnd(model: TraceModel, s: number): number {
  return model.intervals.start[model.procs.spanInterval[s] + 1];
}

export function spanGoroutine(model: TraceModel, s: number): number {
  return intervalGoroutine(model, model.procs.spanInterval[s]);
}

/** The first span in [lo, hi) (one P's, so their ends ascend) ending after t. */
export function spanEndingAfter(model: TraceModel, t: number, lo: number, hi: number): number {
  return upperBoundIn(model.intervals.start, t, lo, hi, model.procs.spanInterval, 1);
}

/** Time, target goroutine and stack of edge `e`, from the interval it began. */
export function edgeTime(model: TraceModel, e: number): number {
  return model.intervals.start[model.edges.interval[e]];
}

export function edgeTarget(model: TraceModel, e: number): number {
  return intervalGoroutine(model, model.edges.interval[e]);
}

export function edgeStack(model: TraceModel, e: number): number {
  return model.intervals.stack[model.edges.interval[e]];
}

export function startFunctionName(model: TraceModel, g: number): string {
  const s = model.goroutines.startFunction[g];
  return s < 0 ? '' : model.strings[s];
}
