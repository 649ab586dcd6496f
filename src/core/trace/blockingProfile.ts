// Blocking profiles from an execution trace, with the meaning `go tool trace
// -pprof=TYPE` gives them: for every goroutine, the time from a transition
// into a state (for the reasons that TYPE cares about) to the next transition
// into another state, charged to the stack of the event that began the wait.
// A wait counts only where it overlaps the goroutine's life from its first
// run to its end, as the tool's per-goroutine filter has it.
// Stacks are merged by their program counters, and the result is a pprof
// profile with "contentions" and "delay" samples, one location per PC.

import type { Profile } from '../pprof/decode';
import { stringTable } from '../pprof/stringTable';
import { readTrace, type TraceProblem } from './reader';
import * as spec from './spec';
import { stateTransition, type TraceEvent } from './event';

export const BLOCKING_KINDS = ['net', 'sync', 'syscall', 'sched'] as const;
export type BlockingKind = (typeof BLOCKING_KINDS)[number];

/** What each kind measures, as the trace tool's pages title them. */
export const BLOCKING_TITLES: Record<BlockingKind, string> = {
  net: 'Network blocking profile',
  sync: 'Synchronization blocking profile',
  syscall: 'Syscall profile',
  sched: 'Scheduler latency profile',
};

interface Tracked {
  /** Which goroutine state (spec.GoState) ends the wait when left. */
  state: number;
  accepts: (reason: string) => boolean;
}

const tracked: Record<BlockingKind, Tracked> = {
  net: { state: spec.GoState.Waiting, accepts: (reason) => reason === 'network' },
  sync: {
    state: spec.GoState.Waiting,
    accepts: (reason) => reason.includes('chan') || reason.includes('sync') || reason.includes('select'),
  },
  syscall: { state: spec.GoState.Syscall, accepts: () => true },
  sched: { state: spec.GoState.Runnable, accepts: () => true },
};

/** Go's trace tool merges stacks by at most this many PCs, and keeps one frame more. */
const MAX_STACK = 128;

interface FrameInfo {
  func: string;
  file: string;
  line: number;
}

interface WaitStart {
  time: number;
  stack: number;
}

/**
 * Where a goroutine's life lies for the trace tool: from the first time it
 * ran (0 if it never ran) to its end (0 while it lives at the end of the trace).
 */
interface Lifetime {
  firstRun: number;
  end: number;
}

export interface BlockingProfileResult {
  profile: Profile;
  /** Set when the trace is cut or damaged: the profile covers what came before. */
  problem?: TraceProblem;
}

/** The TYPE blocking profile of a trace; throws TraceError when the file is not a readable trace. */
export function blockingProfile(bytes: Uint8Array, fileName: string, kind: BlockingKind): BlockingProfileResult {
  const { state, accepts } = tracked[kind];
  const waiting = new Map<number, WaitStart>();
  const lifetimes = new Map<number, Lifetime>();
  // Stacks merged by their PCs; index 0 is "no stack".
  const stackIndex = new Map<string, number>([['', 0]]);
  const stackPcs: number[][] = [[]];
  const frames = new Map<number, FrameInfo>();
  // Finished waits; a wait counts only where it overlaps its goroutine's
  // lifetime, known once the whole trace is read.
  const waitGoroutine: number[] = [];
  const waitStart: number[] = [];
  const waitEnd: number[] = [];
  const waitStack: number[] = [];
  let lastTime = 0;

  const eventStack = (e: TraceEvent): number => {
    const args = spec.stackArgs(e.type);
    if (!args || !e.tables) return 0;
    const id = [e.a0, e.a1, e.a2, e.a3][args[0]];
    if (id === 0) return 0;
    // Stack tables last one generation: keep what the profile needs now.
    const stack = e.tables.frames(id);
    const key = stack
      .slice(0, MAX_STACK)
      .map((f) => f.pc)
      .join(',');
    let index = stackIndex.get(key);
    if (index === undefined) {
      index = stackPcs.length;
      stackIndex.set(key, index);
      stackPcs.push(stack.slice(0, MAX_STACK + 1).map((f) => f.pc));
      for (const f of stack) if (!frames.has(f.pc)) frames.set(f.pc, { func: f.func, file: f.file, line: f.line });
    }
    return index;
  };

  const result = readTrace(bytes, fileName, (e) => {
    lastTime = e.time;
    if (e.kind !== spec.Kind.StateTransition) return;
    const transition = stateTransition(e);
    if (transition.resource !== 'goroutine') return;
    const id = transition.id;
    const reason = transitionReason(e);
    if (transition.from !== transition.to) noteLifetime(lifetimes, id, transition.to, reason, e.time);
    const start = waiting.get(id);
    if (start === undefined) {
      if (transition.to === state && accepts(reason)) waiting.set(id, { time: e.time, stack: eventStack(e) });
      return;
    }
    if (transition.to === state) return;
    waiting.delete(id);
    waitGoroutine.push(id);
    waitStart.push(start.time);
    waitEnd.push(e.time);
    waitStack.push(start.stack);
  });

  const count = new Float64Array(stackPcs.length);
  const nanos = new Float64Array(stackPcs.length);
  for (let i = 0; i < waitGoroutine.length; i++) {
    const life = lifetimes.get(waitGoroutine[i]);
    if (life === undefined) continue;
    const overlap = overlapNanos(life.firstRun, life.end || lastTime, waitStart[i], waitEnd[i]);
    if (overlap <= 0) continue;
    count[waitStack[i]]++;
    nanos[waitStack[i]] += overlap;
  }
  const records: { pcs: number[]; count: number; nanos: number }[] = [];
  stackPcs.forEach((pcs, i) => {
    if (count[i] > 0) records.push({ pcs, count: count[i], nanos: nanos[i] });
  });
  return { profile: toProfile(fileName, records, frames), problem: result.problem };
}

/** Goroutine lifetimes as Go's trace summarizer records them. */
function noteLifetime(lifetimes: Map<number, Lifetime>, id: number, to: number, reason: string, time: number): void {
  let life = lifetimes.get(id);
  if (life === undefined) {
    life = { firstRun: 0, end: 0 };
    lifetimes.set(id, life);
  }
  if (to === spec.GoState.Running && life.firstRun === 0) life.firstRun = time;
  // Blocking "forever" counts as the goroutine's end.
  if (to === spec.GoState.NotExist || (to === spec.GoState.Waiting && reason === 'forever')) life.end = time;
}

/** The length of [aStart, aEnd] ∩ [bStart, bEnd], 0 when they are apart. */
function overlapNanos(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  if (aEnd < bStart || bEnd < aStart) return 0;
  return Math.min(aEnd, bEnd) - Math.max(aStart, bStart);
}

/** Only stops and blocks carry a reason, as in Go's StateTransition. */
function transitionReason(e: TraceEvent): string {
  if ((e.type === spec.EvGoStop || e.type === spec.EvGoBlock) && e.tables) return e.tables.string(e.a0);
  return '';
}

function toProfile(
  fileName: string,
  records: { pcs: number[]; count: number; nanos: number }[],
  frames: Map<number, FrameInfo>): Profile {
  const { strings, intern } = stringTable();
  const locationOf = new Map<number, number>();
  const functionOf = new Map<string, number>();
  const fnName: number[] = [];
  const fnFile: number[] = [];
  const locPc: number[] = [];
  const locFunction: number[] = [];
  const locLine: number[] = [];
  const stack: number[] = [];
  const stackStart: number[] = [];
  const stackEnd: number[] = [];
  const values: number[] = [];

  for (const record of records) {
    stackStart.push(stack.length);
    for (const pc of record.pcs) {
      let location = locationOf.get(pc);
      if (location === undefined) {
        const frame = frames.get(pc)!;
        const functionKey = frame.file + '\0' + frame.func;
        let fn = functionOf.get(functionKey);
        if (fn === undefined) {
          fn = fnName.length;
          functionOf.set(functionKey, fn);
          fnName.push(intern(frame.func));
          fnFile.push(intern(frame.file));
        }
        location = locPc.length;
        locationOf.set(pc, location);
        locPc.push(pc);
        locFunction.push(fn);
        locLine.push(frame.line);
      }
      stack.push(location);
    }
    stackEnd.push(stack.length);
    values.push(record.count, record.nanos);
  }

  const sampleCount = records.length;
  const locationCount = locPc.length;
  const lineIndex = Int32Array.from(locPc, (_, i) => i);
  return {
    fileName,
    strings,
    sampleTypes: [
      { type: 'contentions', unit: 'count' },
      { type: 'delay', unit: 'nanoseconds' },
    ],
    defaultSampleIndex: 1,
    sampleCount,
    samples: {
      count: sampleCount,
      stackStart: Int32Array.from(stackStart),
      stackEnd: Int32Array.from(stackEnd),
      stack: Int32Array.from(stack),
      values: Float64Array.from(values),
      labelStart: new Int32Array(sampleCount + 1),
      labelKey: new Int32Array(0),
      labelStr: new Int32Array(0),
      labelNum: new Float64Array(0),
      labelNumUnit: new Int32Array(0),
    },
    locations: {
      count: locationCount,
      mapping: new Int32Array(locationCount).fill(-1),
      addressHigh: Uint32Array.from(locPc, (pc) => Math.floor(pc / 2 ** 32)),
      addressLow: Uint32Array.from(locPc, (pc) => pc >>> 0),
      isFolded: new Uint8Array(locationCount),
      lineStart: lineIndex,
      lineEnd: Int32Array.from(locPc, (_, i) => i + 1),
      lineFunction: Int32Array.from(locFunction),
      lineNumber: Float64Array.from(locLine),
      lineColumn: new Float64Array(locationCount),
    },
    functions: {
      count: fnName.length,
      name: Int32Array.from(fnName),
      systemName: Int32Array.from(fnName),
      fileName: Int32Array.from(fnFile),
      startLine: new Float64Array(fnName.length),
    },
    mappings: [],
    periodType: { type: 'trace', unit: 'count' },
    period: 1,
    timeNanos: 0n,
    durationNanos: 0,
    comments: [],
    docUrl: '',
    dropFrames: '',
    keepFrames: '',
    warnings: [],
  };
}
