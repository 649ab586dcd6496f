// Reads a Go execution trace (Go 1.22–1.26; the pre-1.22 format is handed to v1/) generation by generation and
// hands every event, in the order and with the timestamps that
// golang.org/x/exp/trace's Reader gives, to a callback.

import { EventPool, TraceEvent } from './event';
import {
  BatchReader,
  finishGeneration,
  newGeneration,
  processBatch,
  TraceFormatError,
  type Batch,
  type Generation,
} from './generation';
import { OrderError, Ordering, type MState } from './order';
import * as spec from './spec';
import { readTraceV1 } from './v1/convert';
import { V1_VERSIONS } from './v1/spec';
import { ByteCursor, VarintError } from './varint';

// Local bindings: without bundling (tsx, tests) every imported name is a
// getter on the module object, which costs a lot in the per-event paths.
const {
  EvCPUSample,
  EvSyncMarker,
  Kind,
  stackArgs,
  stringArgs,
  SUPPORTED_RANGE,
  SUPPORTED_VERSIONS,
  timedSpec,
  eventName,
} = spec;

/** A trace that cannot be read at all (not a trace, unsupported version). */
export class TraceError extends Error {
  constructor(
    readonly fileName: string,
    message: string,
  ) {
    super(`${fileName}: ${message}`);
    this.name = 'TraceError';
  }
}

export interface TraceProblem {
  /** Names the file, the byte offset and the generation. */
  message: string;
  offset: number;
  generation: number;
  /** The file ends early (a cut trace) rather than containing bad data. */
  truncated: boolean;
}

export interface TraceReadResult {
  /** Minor Go version of the format: 11, 19, 21 (pre-1.22 format), 22, 23, 25, 26. */
  version: number;
  generations: number;
  events: number;
  /**
   * Set when reading stopped early; every event before the problem was
   * delivered. Not set where Go's reader ends as at the end of the file
   * (an io.EOF error: a table batch that stops right before a varint).
   */
  problem?: TraceProblem;
}

const HEADER_SIZE = 16;

/** Parses the 16-byte header "go 1.N trace\0\0\0…"; throws TraceError naming the file. */
export function readTraceVersion(bytes: Uint8Array, fileName: string): number {
  const text = String.fromCharCode(...bytes.subarray(0, HEADER_SIZE));
  const m = /^go 1\.(\d+) trace\0+$/.exec(text);
  if (bytes.length < HEADER_SIZE || !m) {
    throw new TraceError(fileName, 'bad file format: not a Go execution trace (no "go 1.N trace" header)');
  }
  const v = Number(m[1]);
  if (!(SUPPORTED_VERSIONS as readonly number[]).includes(v) && !(V1_VERSIONS as readonly number[]).includes(v)) {
    throw new TraceError(fileName, `unsupported trace version go1.${v}; supported: ${SUPPORTED_RANGE}`);
  }
  return v;
}

/** Reads the next event of one M's batches of a generation. */
class BatchCursor {
  /** The ordering's state of this cursor's thread, looked up once. */
  thread: MState | undefined;
  idx = 0;
  dataOff = 0;
  lastTs = 0;
  ev: TraceEvent;
  batchOffset = 0;

  constructor(
    readonly m: number,
    private readonly batches: Batch[],
    private readonly generation: number,
    first: TraceEvent,
  ) {
    this.ev = first;
  }

  /** Loads the next event into `ev`; false when this M has no more. */
  next(buf: Uint8Array, nsPerTick: number): boolean {
    let b = this.batches[this.idx];
    while (b !== undefined && b.dataStart + this.dataOff === b.dataEnd) {
      b = this.batches[++this.idx];
      this.dataOff = 0;
      this.lastTs = 0;
    }
    if (b === undefined) return false;
    if (this.lastTs === 0) this.lastTs = Math.trunc(b.time * nsPerTick);
    this.batchOffset = b.offset;
    const limit = b.dataEnd;
    let pos = b.dataStart + this.dataOff;
    const type = buf[pos++];
    const spec = timedSpec(type);
    if (spec === undefined) {
      throw new TraceFormatError(
        type > 136 ? `found invalid event type: ${type}` : `found event without a timestamp: type=${type}`,
        pos - 1,
        this.generation,
        false,
      );
    }
    const ev = this.ev;
    ev.type = type;
    ev.offset = b.offset;
    // Inline uvarint decoding: this is the innermost loop of the parser. Up
    // to four bytes (28 bits) stay in small-integer arithmetic.
    for (let i = 0; i <= spec.nargs; i++) {
      if (pos >= limit) throw invalidUvarint(i, pos, this.generation);
      const start = pos;
      let c = buf[pos++];
      let value = c & 0x7f;
      for (let shift = 7; c >= 0x80; shift += 7) {
        if (pos >= limit || shift > 63) throw invalidUvarint(i, pos, this.generation);
        c = buf[pos++];
        if (shift < 28) value |= (c & 0x7f) << shift;
        else if (shift === 63 && c > 1) throw invalidUvarint(i, pos, this.generation);
        else value += (c & 0x7f) * 2 ** shift;
      }
      if (value > Number.MAX_SAFE_INTEGER) value = i === STATUS_ARG[type] ? lowByte(buf, start) : wideVarint(buf, start, pos);
      switch (i) {
        case 0:
          ev.time = Math.trunc(value * nsPerTick) + this.lastTs;
          break;
        case 1:
          ev.a0 = value;
          break;
        case 2:
          ev.a1 = value;
          break;
        case 3:
          ev.a2 = value;
          break;
        case 4:
          ev.a3 = value;
          break;
      }
    }
    this.lastTs = ev.time;
    this.dataOff = pos - b.dataStart;
    return true;
  }
}

/** Go's binary.Uvarint failure in an event: past the batch's end or over 64 bits. */
function invalidUvarint(arg: number, pos: number, generation: number): TraceFormatError {
  return new TraceFormatError(arg === 0 ? 'found invalid uvarint for timestamp' : 'found invalid uvarint', pos, generation, false);
}

// Which varint of an event (0 = timestamp) is a status. Go reads statuses as
// uint8, so of one too wide for a double only its low byte, which a double
// would lose, matters.
const STATUS_ARG: number[] = [];
STATUS_ARG[spec.EvProcStatus] = 2;
STATUS_ARG[spec.EvGoStatus] = 3;
STATUS_ARG[spec.EvGoStatusStack] = 3;

function lowByte(buf: Uint8Array, start: number): number {
  return (buf[start] & 0x7f) | ((buf[start + 1] & 1) << 7);
}

/**
 * A varint too large for a double to hold exactly. The runtime writes those
 * only for signed ids (-1 = "none", e.g. NoThread), so it is read as int64.
 */
function wideVarint(buf: Uint8Array, start: number, end: number): number {
  return new ByteCursor(buf, start, end).uvarint();
}

// A binary min-heap by event time with the same sift rules as Go's reader, so
// ties between Ms are broken the same way.
function siftUp(h: BatchCursor[], i: number): number {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent].ev.time <= h[i].ev.time) break;
    const t = h[parent];
    h[parent] = h[i];
    h[i] = t;
    i = parent;
  }
  return i;
}

function siftDown(h: BatchCursor[], i: number): void {
  for (;;) {
    let m = i;
    let minT = i < h.length ? h[i].ev.time : Infinity;
    const l = 2 * i + 1;
    const r = l + 1;
    if (l < h.length && h[l].ev.time < minT) {
      minT = h[l].ev.time;
      m = l;
    }
    if (r < h.length && h[r].ev.time < minT) m = r;
    if (m === i) return;
    const t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

function heapUpdate(h: BatchCursor[], i: number): void {
  if (siftUp(h, i) !== i) return;
  siftDown(h, i);
}

function heapRemove(h: BatchCursor[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const t = h[parent];
    h[parent] = h[i];
    h[i] = t;
    i = parent;
  }
  h[0] = h[h.length - 1];
  h.pop();
  siftDown(h, 0);
}

/**
 * Sorts by time. Go sorts with pdqsort, which is an insertion sort for up to
 * 12 elements; an insertion sort keeps its tie order there and is fast on this
 * nearly sorted heap for larger frontiers too.
 */
function sortByTime(h: BatchCursor[]): void {
  for (let i = 1; i < h.length; i++) {
    const x = h[i];
    let j = i;
    for (; j > 0 && x.ev.time < h[j - 1].ev.time; j--) h[j] = h[j - 1];
    h[j] = x;
  }
}

export type EventCallback = (ev: TraceEvent) => void;

export interface ReadTraceOptions {
  /** Called after each generation's events were delivered. */
  onGeneration?: (generation: number) => void;
}

/**
 * Reads `bytes` (a whole trace file) and calls `onEvent` for each event.
 * The event object is reused once the callback returns: copy what you keep.
 * Throws TraceError when the file is not a readable trace at all; problems
 * after the start are returned in `problem`, after delivering everything before them.
 */
export function readTrace(
  bytes: Uint8Array,
  fileName: string,
  onEvent: EventCallback,
  options: ReadTraceOptions = {},
): TraceReadResult {
  const version = readTraceVersion(bytes, fileName);
  if (version < 22) return readTraceV1(bytes, fileName, version, HEADER_SIZE, onEvent, options);
  const result: TraceReadResult = { version, generations: 0, events: 0 };
  let lastTs = 0;
  let syncs = 0;
  let currentGen = 0;

  const pool = new EventPool();
  const emit = (ev: TraceEvent): void => {
    if (ev.time <= lastTs) ev.time = lastTs + 1;
    lastTs = ev.time;
    result.events++;
    onEvent(ev);
    pool.give(ev);
  };
  const emitSync = (time: number, gen: Generation | null): void => {
    const ev = pool.take();
    ev.type = EvSyncMarker;
    ev.kind = Kind.Sync;
    ev.time = time;
    ev.a0 = ++syncs;
    ev.tables = gen?.tables ?? null;
    ev.generation = gen?.gen ?? 0;
    emit(ev);
  };

  const batches = new BatchReader(bytes, HEADER_SIZE, () => currentGen);
  const order = new Ordering(pool);
  let spill: ReturnType<BatchReader['next']> | undefined;

  // Reads one generation; returns the generation (or null at the end) and an
  // error that ends the trace after this generation.
  const readGeneration = (): { gen: Generation | null; deferred?: TraceFormatError } => {
    if (version >= 26) {
      let g: Generation | null = null;
      for (;;) {
        const b = batches.next();
        if (b === null) {
          // Go counts only event batches here: a generation of nothing but tables ends the trace quietly.
          if (g !== null && g.batches.size > 0) {
            throw new TraceFormatError('incomplete generation found; trace likely truncated', batches.pos, g.gen, true);
          }
          return { gen: null };
        }
        if (g === null) {
          g = newGeneration(b.gen);
          currentGen = b.gen;
        }
        if (b.endOfGeneration) break;
        if (b.gen === 0) throw new TraceFormatError(`invalid generation number ${b.gen}`, b.offset, g.gen, false);
        if (b.gen !== g.gen) {
          throw new TraceFormatError(
            'broken trace: missing end-of-generation event, or generations are interleaved',
            b.offset,
            g.gen,
            false,
          );
        }
        processBatch(g, b, bytes, version);
      }
      finishGeneration(g, version, batches.pos);
      return { gen: g };
    }
    let g: Generation | null = null;
    if (spill) {
      g = newGeneration(spill.gen);
      currentGen = spill.gen;
      processBatch(g, spill, bytes, version);
      spill = undefined;
    }
    let deferred: TraceFormatError | undefined;
    for (;;) {
      let b;
      try {
        b = batches.next();
      } catch (e) {
        if (g !== null && e instanceof TraceFormatError) {
          deferred = e;
          break;
        }
        throw e;
      }
      if (b === null) break;
      if (b.gen === 0) throw new TraceFormatError('invalid generation number 0', b.offset, currentGen, false);
      if (g === null) {
        g = newGeneration(b.gen);
        currentGen = b.gen;
      }
      if (b.gen === g.gen + 1) {
        spill = b;
        break;
      }
      if (b.gen !== g.gen) throw new TraceFormatError('generations out of order', b.offset, g.gen, false);
      processBatch(g, b, bytes, version);
    }
    if (g === null) throw new TraceFormatError('no frequency event found', batches.pos, 0, batches.pos <= HEADER_SIZE);
    try {
      finishGeneration(g, version, batches.pos);
    } catch (e) {
      throw deferred ? blameTheCut(e, deferred) : e;
    }
    return { gen: g, deferred };
  };

  const runGeneration = (g: Generation): void => {
    const frontier: BatchCursor[] = [];
    for (const m of g.batchMs) {
      const bc = new BatchCursor(m, g.batches.get(m)!, g.gen, pool.take());
      bc.thread = order.threadState(m);
      if (bc.next(bytes, g.nsPerTick)) {
        frontier.push(bc);
        siftUp(frontier, frontier.length - 1);
      }
    }
    emitSync(Math.trunc(g.minTs * g.nsPerTick), g);
    const samples = g.cpuSamples;
    let sampleIdx = 0;
    let current: BatchCursor | undefined;

    const tryAdvance = (i: number): boolean => {
      const bc = (current = frontier[i]);
      if (!order.advance(bc.ev, g.tables, bc.m, bc.thread, g.gen)) return false;
      bc.ev = pool.take();
      if (bc.next(bytes, g.nsPerTick)) heapUpdate(frontier, i);
      else heapRemove(frontier, i);
      return true;
    };

    try {
      drain();
    } catch (e) {
      if (e instanceof OrderError && current) {
        throw new TraceFormatError(
          `${e.message} (event ${eventName(current.ev.type)} on thread ${current.m})`,
          current.batchOffset,
          g.gen,
          false,
        );
      }
      throw e;
    }

    function drain(): void {
      for (;;) {
        const queued = order.next();
        if (queued !== undefined) {
          checkTableIds(queued);
          emit(queued);
          continue;
        }
        if (frontier.length === 0 && sampleIdx === samples.length) return;
        if (sampleIdx < samples.length && (frontier.length === 0 || samples[sampleIdx].time < frontier[0].ev.time)) {
          const s = samples[sampleIdx++];
          const ev = pool.take();
          ev.type = EvCPUSample;
          ev.kind = Kind.StackSample;
          ev.time = s.time;
          ev.m = s.m;
          ev.p = s.p;
          ev.g = s.g;
          ev.a0 = s.stack;
          ev.tables = g.tables;
          ev.generation = g.gen;
          emit(ev);
          continue;
        }
        if (!tryAdvance(0)) {
          sortByTime(frontier);
          let advanced = false;
          for (let i = 1; i < frontier.length; i++) {
            if (tryAdvance(i)) {
              advanced = true;
              break;
            }
          }
          if (!advanced) {
            const heads = frontier.map((bc) => `M ${bc.m}: ${eventName(bc.ev.type)} at ${bc.ev.time}`).join('; ');
            throw new TraceFormatError(`broken trace: failed to advance: frontier: ${heads}`, frontier[0].batchOffset, g.gen, false);
          }
        }
      }
    }
  };

  try {
    for (;;) {
      let step;
      try {
        step = readGeneration();
      } catch (e) {
        emitSync(lastTs, null);
        throw e;
      }
      if (step.gen === null) {
        emitSync(lastTs, null);
        break;
      }
      result.generations++;
      try {
        runGeneration(step.gen);
      } catch (e) {
        throw step.deferred ? blameTheCut(e, step.deferred) : e;
      }
      options.onGeneration?.(step.gen.gen);
      if (step.deferred) {
        emitSync(lastTs, null);
        throw step.deferred;
      }
      if (version < 26 && spill === undefined) {
        emitSync(lastTs, null);
        break;
      }
    }
  } catch (e) {
    if (e instanceof TraceFormatError && e.goSeesEnd) return result;
    if (e instanceof TraceFormatError) {
      result.problem = {
        message: `${fileName}: ${e.message} (at byte ${e.offset}, generation ${e.generation})`,
        offset: e.offset,
        generation: e.generation,
        truncated: e.truncated,
      };
    } else if (e instanceof VarintError) {
      result.problem = {
        message: `${fileName}: ${e.message} (at byte ${e.offset}, generation ${currentGen})`,
        offset: e.offset,
        generation: currentGen,
        truncated: false,
      };
    } else {
      throw e;
    }
  }
  return result;
}

/**
 * A generation cut short fails on what is missing (tables, events); the cut
 * is the cause worth reporting, next to what Go's reader complains about.
 */
function blameTheCut(e: unknown, cut: TraceFormatError): unknown {
  if (!cut.truncated || !(e instanceof TraceFormatError)) return e;
  return new TraceFormatError(
    `${e.message} (at byte ${e.offset}); the trace is cut short: ${cut.message}`,
    cut.offset,
    e.generation,
    true,
  );
}

function checkTableIds(ev: TraceEvent): void {
  const t = ev.tables;
  if (t === null) return;
  const stacks = STACK_ARGS[ev.type];
  if (stacks !== undefined) {
    for (let i = 0; i < stacks.length; i++) {
      const id = argAt(ev, stacks[i]);
      if (id !== 0 && !t.stacks.has(id)) {
        throw new TraceFormatError(`found invalid stack ID ${id} for event ${eventName(ev.type)}`, ev.offset, ev.generation, false);
      }
    }
  }
  const strings = STRING_ARGS[ev.type];
  if (strings !== undefined) {
    for (let i = 0; i < strings.length; i++) {
      const id = argAt(ev, strings[i]);
      if (id !== 0 && !t.strings.has(id)) {
        throw new TraceFormatError(`found invalid string ID ${id} for event ${eventName(ev.type)}`, ev.offset, ev.generation, false);
      }
    }
  }
}

function argAt(ev: TraceEvent, i: number): number {
  return i === 0 ? ev.a0 : i === 1 ? ev.a1 : i === 2 ? ev.a2 : ev.a3;
}

// Per event type: which arguments are stack and string ids (none for the reader's own Sync).
const STACK_ARGS: (number[] | undefined)[] = [];
const STRING_ARGS: (number[] | undefined)[] = [];
for (let type = 0; type < EvSyncMarker; type++) {
  STACK_ARGS.push(stackArgs(type));
  STRING_ARGS.push(stringArgs(type));
}
