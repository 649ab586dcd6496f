// Splits a v2 trace into batches and gathers one generation at a time: its
// string and stack tables, CPU samples, clock, and the per-M event batches
// (kept as byte ranges into the trace, not copied).

import {
  EvClockSnapshot,
  EvCPUSample,
  EvCPUSamples,
  EvEndOfGeneration,
  EvEventBatch,
  EvExperimentalBatch,
  EvFrequency,
  EvStack,
  EvStacks,
  EvString,
  EvStrings,
  EvSync,
  MAX_BATCH_SIZE,
  MAX_FRAMES_PER_STACK,
  MAX_STRING_SIZE,
  NONE,
} from './spec';
import { ByteCursor, VarintError } from './varint';

/** A problem in the bytes of the trace, with where it happened. */
export class TraceFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly generation: number,
    /** True when the data simply stops (a cut file) rather than being wrong. */
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

export interface Batch {
  m: number;
  /** Base timestamp in ticks. */
  time: number;
  /** Offset of the batch header in the file (for messages). */
  offset: number;
  dataStart: number;
  dataEnd: number;
}

interface RawBatch extends Batch {
  gen: number;
  experiment: number;
  endOfGeneration: boolean;
}

export interface Frame {
  pc: number;
  func: string;
  file: string;
  line: number;
}

/** Per-generation string and stack tables. Id 0 always means "none". */
export class GenerationTables {
  readonly strings = new Map<number, string>();
  readonly stacks = new Map<number, number[]>();
  private readonly frameByPc = new Map<number, { funcId: number; fileId: number; line: number }>();

  string(id: number): string {
    return this.strings.get(id) ?? '';
  }

  hasString(id: number): boolean {
    return id === 0 || this.strings.has(id);
  }

  hasStack(id: number): boolean {
    return id === 0 || this.stacks.has(id);
  }

  /** Frames of a stack, innermost first. */
  frames(stackId: number): Frame[] {
    const pcs = this.stacks.get(stackId);
    if (!pcs) return [];
    return pcs.map((pc) => {
      const f = this.frameByPc.get(pc)!;
      return { pc, func: this.string(f.funcId), file: this.string(f.fileId), line: f.line };
    });
  }

  /** Function name of the outermost frame: where the goroutine started. */
  rootFunction(stackId: number): string | undefined {
    const pcs = this.stacks.get(stackId);
    if (!pcs || pcs.length === 0) return undefined;
    return this.string(this.frameByPc.get(pcs[pcs.length - 1])!.funcId);
  }

  addFrame(pc: number, funcId: number, fileId: number, line: number): void {
    if (!this.frameByPc.has(pc)) this.frameByPc.set(pc, { funcId, fileId, line });
  }

  validate(): string | undefined {
    for (const [id, pcs] of this.stacks) {
      for (const pc of pcs) {
        const f = this.frameByPc.get(pc)!;
        if (!this.hasString(f.funcId)) return `found invalid func string ID ${f.funcId} for stack ${id}`;
        if (!this.hasString(f.fileId)) return `found invalid file string ID ${f.fileId} for stack ${id}`;
      }
    }
    return undefined;
  }
}

export interface CpuSample {
  time: number;
  m: number;
  p: number;
  g: number;
  stack: number;
}

export interface Generation {
  gen: number;
  /** Event batches per M, in file order; `batchMs` keeps the order Ms were first seen. */
  batches: Map<number, Batch[]>;
  batchMs: number[];
  cpuSamples: CpuSample[];
  /** Smallest batch timestamp, ticks. */
  minTs: number;
  /** Nanoseconds per tick. */
  nsPerTick: number;
  tables: GenerationTables;
  experimentalBatches: number;
  hasClockSnapshot: boolean;
}

const decoder = new TextDecoder();

/** Reads batch headers and data ranges; knows nothing of generations. */
export class BatchReader {
  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
    private readonly currentGen: () => number,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  next(): RawBatch {
    const buf = this.buf;
    const offset = this.pos;
    const c = new ByteCursor(buf, offset, buf.length);
    try {
      const typ = c.byte();
      if (typ === EvEndOfGeneration) {
        this.pos = c.pos;
        return { m: NONE, time: 0, offset, dataStart: offset, dataEnd: c.pos, gen: 0, experiment: 0, endOfGeneration: true };
      }
      if (typ !== EvEventBatch && typ !== EvExperimentalBatch) {
        throw new TraceFormatError(`expected batch event, got event ${typ}`, offset, this.currentGen(), false);
      }
      const experiment = typ === EvExperimentalBatch ? c.byte() : 0;
      const gen = c.uvarint();
      const m = c.uvarint();
      const time = c.uvarint();
      const size = c.uvarint();
      if (size > MAX_BATCH_SIZE) {
        throw new TraceFormatError(`invalid batch size ${size}, maximum is ${MAX_BATCH_SIZE}`, offset, gen, false);
      }
      const dataStart = c.pos;
      const dataEnd = dataStart + size;
      if (dataEnd > buf.length) {
        throw new TraceFormatError(
          `failed to read full batch: read ${buf.length - dataStart} but wanted ${size}`,
          offset,
          gen,
          true,
        );
      }
      this.pos = dataEnd;
      return { m, time, offset, dataStart, dataEnd, gen, experiment, endOfGeneration: false };
    } catch (e) {
      if (e instanceof VarintError) {
        throw new TraceFormatError(`batch header: ${e.message}`, offset, this.currentGen(), c.pos >= buf.length || e.message.startsWith('truncated') || e.message.startsWith('unexpected end'));
      }
      throw e;
    }
  }
}

export function newGeneration(gen: number): Generation {
  return {
    gen,
    batches: new Map(),
    batchMs: [],
    cpuSamples: [],
    minTs: 0,
    nsPerTick: 0,
    tables: new GenerationTables(),
    experimentalBatches: 0,
    hasClockSnapshot: false,
  };
}

/** Files one batch into its generation. */
export function processBatch(g: Generation, b: RawBatch, buf: Uint8Array, version: number): void {
  if (g.minTs === 0 || b.time < g.minTs) g.minTs = b.time;
  if (b.endOfGeneration) {
    throw new TraceFormatError('unexpected end-of-generation event', b.offset, g.gen, false);
  }
  if (b.experiment !== 0) {
    // Experiments we do not know are skipped, and the ones we do are not needed for the event stream.
    g.experimentalBatches++;
    return;
  }
  if (b.dataEnd === b.dataStart) {
    addEventBatch(g, b);
    return;
  }
  const first = buf[b.dataStart];
  try {
    if (first === EvStrings) addStrings(g.tables, buf, b);
    else if (first === EvStacks) addStacks(g.tables, buf, b);
    else if (first === EvCPUSamples) addCPUSamples(g, buf, b);
    else if ((first === EvFrequency && version < 25) || (first === EvSync && version >= 25)) setSync(g, buf, b, version);
    else addEventBatch(g, b);
  } catch (e) {
    if (e instanceof VarintError) throw new TraceFormatError(e.message, e.offset, g.gen, false);
    if (e instanceof TraceFormatError) throw e;
    throw new TraceFormatError((e as Error).message, b.offset, g.gen, false);
  }
}

function addEventBatch(g: Generation, b: RawBatch): void {
  let list = g.batches.get(b.m);
  if (!list) {
    list = [];
    g.batches.set(b.m, list);
    g.batchMs.push(b.m);
  }
  list.push({ m: b.m, time: b.time, offset: b.offset, dataStart: b.dataStart, dataEnd: b.dataEnd });
}

function addStrings(t: GenerationTables, buf: Uint8Array, b: RawBatch): void {
  const c = new ByteCursor(buf, b.dataStart + 1, b.dataEnd);
  while (c.pos < c.limit) {
    const ev = c.byte();
    if (ev !== EvString) throw new Error(`expected string event, got ${ev}`);
    const id = c.uvarint();
    const len = c.uvarint();
    if (len > MAX_STRING_SIZE) throw new Error(`invalid string size ${len}, maximum is ${MAX_STRING_SIZE}`);
    if (c.pos + len > c.limit) throw new Error(`failed to read full string: read ${c.limit - c.pos} but wanted ${len}`);
    if (id === 0 || t.strings.has(id)) throw new Error(`multiple strings with the same ID: id=${id}`);
    t.strings.set(id, decoder.decode(buf.subarray(c.pos, c.pos + len)));
    c.pos += len;
  }
}

function addStacks(t: GenerationTables, buf: Uint8Array, b: RawBatch): void {
  const c = new ByteCursor(buf, b.dataStart + 1, b.dataEnd);
  while (c.pos < c.limit) {
    const ev = c.byte();
    if (ev !== EvStack) throw new Error(`expected stack event, got ${ev}`);
    const id = c.uvarint();
    const n = c.uvarint();
    if (n > MAX_FRAMES_PER_STACK) throw new Error(`invalid stack size ${n}, maximum is ${MAX_FRAMES_PER_STACK}`);
    const pcs: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const pc = c.uvarint();
      const funcId = c.uvarint();
      const fileId = c.uvarint();
      const line = c.uvarint();
      pcs[i] = pc;
      t.addFrame(pc, funcId, fileId, line);
    }
    // Go names the table by its element's type (%T): trace.stack.
    if (id === 0 || t.stacks.has(id)) throw new Error(`multiple trace.stacks with the same ID: id=${id}`);
    t.stacks.set(id, pcs);
  }
}

function addCPUSamples(g: Generation, buf: Uint8Array, b: RawBatch): void {
  const c = new ByteCursor(buf, b.dataStart + 1, b.dataEnd);
  while (c.pos < c.limit) {
    const ev = c.byte();
    if (ev !== EvCPUSample) throw new Error(`expected CPU sample event, got ${ev}`);
    const time = c.uvarint();
    const m = c.uvarint();
    const p = c.uvarint();
    const goid = c.uvarint();
    const stack = c.uvarint();
    g.cpuSamples.push({ time, m, p, g: goid === 0 ? NONE : goid, stack });
  }
}

function setSync(g: Generation, buf: Uint8Array, b: RawBatch, version: number): void {
  const c = new ByteCursor(buf, b.dataStart + (version >= 25 ? 1 : 0), b.dataEnd);
  while (c.pos < c.limit) {
    const ev = c.byte();
    if (ev === EvFrequency) {
      if (g.nsPerTick !== 0) throw new Error('found multiple frequency events');
      const ticksPerSecond = c.uvarint();
      g.nsPerTick = 1.0 / (ticksPerSecond / 1e9);
    } else if (ev === EvClockSnapshot && version >= 25) {
      if (g.hasClockSnapshot) throw new Error('found multiple clock snapshot events');
      g.hasClockSnapshot = true;
      c.uvarint(); // dt
      c.uvarint(); // mono
      c.uvarint(); // sec
      c.uvarint(); // nsec
    } else {
      throw new Error(`expected frequency or clock snapshot event, got ${ev}`);
    }
  }
}

/** Checks what Go checks once a generation is complete; converts CPU sample times to ns. */
export function finishGeneration(g: Generation, version: number, offset: number): void {
  if (g.nsPerTick === 0 || !Number.isFinite(g.nsPerTick)) {
    throw new TraceFormatError('no frequency event found', offset, g.gen, false);
  }
  if (version >= 25 && !g.hasClockSnapshot) {
    throw new TraceFormatError('no clock snapshot event found', offset, g.gen, false);
  }
  const problem = g.tables.validate();
  if (problem) throw new TraceFormatError(problem, offset, g.gen, false);
  for (const s of g.cpuSamples) s.time = Math.trunc(s.time * g.nsPerTick);
  g.cpuSamples.sort((a, b) => a.time - b.time);
}
