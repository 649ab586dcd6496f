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
    /**
     * Go's reader fails here with an error that is (or wraps) io.EOF, which its
     * callers (errors.Is(err, io.EOF), as the oracle does) take for the end
     * of the trace: the events so far are the whole trace, with no problem.
     */
    readonly goSeesEnd = false,
  ) {
    super(message);
  }
}

/** Go's binary.ReadUvarint error for the failure ByteCursor saw. */
function goVarintMessage(e: VarintError): string {
  if (e.failure === 'overflow') return 'binary: varint overflows a 64-bit integer';
  return e.failure === 'eof' ? 'EOF' : 'unexpected EOF';
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
    for (const pcs of this.stacks.values()) {
      if (this.badFrame(pcs) !== undefined) return this.firstBadStackInGoOrder();
    }
    return undefined;
  }

  /**
   * Go checks its stack table in id order when the ids are dense enough for
   * its dataTable to compactify them into a slice, and in (random) map order
   * when they are not; there any bad stack may come first, so take the lowest.
   */
  private firstBadStackInGoOrder(): string | undefined {
    const ids = [...this.stacks.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const f = this.badFrame(this.stacks.get(id)!);
      if (f === undefined) continue;
      if (!this.hasString(f.funcId)) return `found invalid func string ID ${f.funcId} for stack ${id}`;
      return `found invalid file string ID ${f.fileId} for stack ${id}`;
    }
    return undefined;
  }

  private badFrame(pcs: number[]): { funcId: number; fileId: number } | undefined {
    for (const pc of pcs) {
      const f = this.frameByPc.get(pc)!;
      if (!this.hasString(f.funcId) || !this.hasString(f.fileId)) return f;
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

  /**
   * The next batch, or null at the end of the data. Like Go's readBatch, a
   * missing experiment byte is the end too: Go gets a bare io.EOF there.
   */
  next(): RawBatch | null {
    const buf = this.buf;
    const offset = this.pos;
    if (offset >= buf.length) return null;
    const c = new ByteCursor(buf, offset, buf.length);
    const typ = c.byte();
    if (typ === EvEndOfGeneration) {
      this.pos = c.pos;
      return { m: NONE, time: 0, offset, dataStart: offset, dataEnd: c.pos, gen: 0, experiment: 0, endOfGeneration: true };
    }
    if (typ !== EvEventBatch && typ !== EvExperimentalBatch) {
      throw new TraceFormatError(`expected batch event, got event ${typ}`, offset, this.currentGen(), false);
    }
    if (typ === EvExperimentalBatch && c.pos >= buf.length) return null;
    const experiment = typ === EvExperimentalBatch ? c.byte() : 0;
    const gen = this.headerField(c, 'gen', offset, 0);
    const m = this.headerField(c, 'M ID', offset, gen);
    const time = this.headerField(c, 'timestamp', offset, gen);
    const size = this.headerField(c, 'size', offset, gen);
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
    // Go's batch.isEndOfGeneration looks at the first data byte, so a batch
    // of any kind whose data starts with that event ends the generation too.
    const endOfGeneration = experiment === 0 && size > 0 && buf[dataStart] === EvEndOfGeneration;
    return { m, time, offset, dataStart, dataEnd, gen, experiment, endOfGeneration };
  }

  /** One header varint, failing with Go's words for that field. */
  private headerField(c: ByteCursor, field: string, offset: number, gen: number): number {
    try {
      return c.uvarint();
    } catch (e) {
      if (!(e instanceof VarintError)) throw e;
      throw new TraceFormatError(
        `error reading batch ${field}: ${goVarintMessage(e)}`,
        offset,
        gen === 0 ? this.currentGen() : gen,
        e.failure !== 'overflow',
        e.failure === 'eof',
      );
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
    throw new TraceFormatError('internal error: unexpectedly processing EndOfGeneration; broken trace?', b.offset, g.gen, false);
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
    // Go returns binary.ReadUvarint's error as it is, so a table cut right before a varint is a bare io.EOF.
    if (e instanceof VarintError) throw new TraceFormatError(goVarintMessage(e), e.offset, g.gen, false, e.failure === 'eof');
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

const FRAME_FIELDS = ['PC', 'funcID', 'fileID', 'line'];

function addStacks(t: GenerationTables, buf: Uint8Array, b: RawBatch): void {
  const c = new ByteCursor(buf, b.dataStart + 1, b.dataEnd);
  while (c.pos < c.limit) {
    const ev = c.byte();
    if (ev !== EvStack) throw new Error(`expected stack event, got ${ev}`);
    const id = c.uvarint();
    const n = c.uvarint();
    if (n > MAX_FRAMES_PER_STACK) throw new Error(`invalid stack size ${n}, maximum is ${MAX_FRAMES_PER_STACK}`);
    const pcs: number[] = new Array(n);
    let field = 0;
    let i = 0;
    try {
      for (; i < n; i++) {
        field = 0;
        const pc = c.uvarint();
        field = 1;
        const funcId = c.uvarint();
        field = 2;
        const fileId = c.uvarint();
        field = 3;
        const line = c.uvarint();
        pcs[i] = pc;
        t.addFrame(pc, funcId, fileId, line);
      }
    } catch (e) {
      if (!(e instanceof VarintError)) throw e;
      // Go wraps the error (%w), so a bare EOF here still reads as the end of the trace to errors.Is.
      throw new TraceFormatError(
        `reading frame ${i + 1}'s ${FRAME_FIELDS[field]} for stack ${id}: ${goVarintMessage(e)}`,
        e.offset,
        b.gen,
        false,
        e.failure === 'eof',
      );
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
