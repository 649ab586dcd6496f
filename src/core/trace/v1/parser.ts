// Parses a pre-1.22 execution trace into one time-ordered list of events, the
// way Go's internal/trace/internal/tracev1 does: the file is a sequence of
// per-P batches; goroutine sequence numbers merge them into an order that is
// consistent for every goroutine; timestamps become nanoseconds from the first
// event once the clock frequency (written at the end of the trace) is known.
//
// Unlike Go's parser, a file cut short is not refused outright: what can be
// ordered up to the cut is kept and the cut is reported.

import { ByteCursor } from '../varint';
import * as v1 from './spec';

const {
  BLOCKING_EVENTS,
  EvBatch,
  EvCPUSample,
  EvCount,
  EvFrequency,
  EvGCDone,
  EvGCMarkAssistDone,
  EvGCMarkAssistStart,
  EvGCStart,
  EvGCSweepDone,
  EvGCSweepStart,
  EvGoBlock,
  EvGoBlockCond,
  EvGoBlockGC,
  EvGoBlockNet,
  EvGoBlockRecv,
  EvGoBlockSelect,
  EvGoBlockSend,
  EvGoBlockSync,
  EvGoCreate,
  EvGoEnd,
  EvGoInSyscall,
  EvGoPreempt,
  EvGoSched,
  EvGoSleep,
  EvGoStart,
  EvGoStartLabel,
  EvGoStartLocal,
  EvGoStop,
  EvGoSysBlock,
  EvGoSysCall,
  EvGoSysExit,
  EvGoSysExitLocal,
  EvGoUnblock,
  EvGoUnblockLocal,
  EvGoWaiting,
  EvNone,
  EvProcStart,
  EvProcStop,
  EvStack,
  EvString,
  EvSTWDone,
  EvSTWStart,
  EvTimerGoroutine,
  EvUserLog,
  EvUserRegion,
  EvUserTaskCreate,
  EvUserTaskEnd,
  GCP,
  NetpollP,
  ProfileP,
  SyscallP,
  TimerP,
  V1_SPECS,
} = v1;

export class V1FormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** The data stops here: the file was cut, not garbled. */
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

export interface V1Event {
  type: number;
  /** Ticks from the first batch while parsing; nanoseconds from the first event once parsed. */
  ts: number;
  g: number;
  p: number;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  stack: number;
  /** Byte offset of the event's batch. */
  offset: number;
}

export interface V1Frame {
  funcId: number;
  fileId: number;
  line: number;
}

export interface V1Trace {
  version: number;
  events: V1Event[];
  strings: Map<number, string>;
  /** Log messages, which the old format writes inline, numbered in order of first appearance. */
  inlineStrings: string[];
  stacks: Map<number, number[]>;
  frames: Map<number, V1Frame>;
  /** Set when the file is cut short; `events` then holds what could be ordered before the cut. */
  cut?: V1FormatError;
  /** The clock frequency is missing (it is written last): times are then in clock ticks. */
  ticksAsNs: boolean;
}

interface RawEvent {
  type: number;
  args: number[];
  /** Byte offset of each argument, to read clock values again exactly when they pass 2^53. */
  argStart: number[];
  logMessage: string;
  batchP: number;
}

const TWO_53 = 2 ** 53;
const MAX_INT32 = 2 ** 31 - 1;
const LENGTH_PREFIXED_LIMIT = 2048;
const MAX_STRING = 1e6;

// Goroutine states of the ordering and of the validation pass.
const gDead = 0;
const gRunnable = 1;
const gRunning = 2;
const gWaiting = 3;

/** Sequence numbers: "whatever the goroutine has" and "one more than it has". */
const NOSEQ = -1;
const SEQINC = -2;
/** Pseudo goroutines: events outside the ordering, and GC cycles ordered by their sequence. */
const UNORDERED = -1;
const GARBAGE = -2;

interface GSeq {
  seq: number;
  status: number;
}

interface Transition {
  g: number;
  initSeq: number;
  initStatus: number;
  nextSeq: number;
  nextStatus: number;
}

function stateTransition(ev: V1Event, t: Transition): void {
  t.g = UNORDERED;
  if (BLOCKING_EVENTS.has(ev.type)) {
    set(t, ev.g, NOSEQ, gRunning, NOSEQ, gWaiting);
    return;
  }
  switch (ev.type) {
    case EvGoCreate:
      set(t, ev.a0, 0, gDead, 1, gRunnable);
      return;
    case EvGoWaiting:
    case EvGoInSyscall:
      set(t, ev.g, 1, gRunnable, 2, gWaiting);
      return;
    case EvGoStart:
    case EvGoStartLabel:
      set(t, ev.g, ev.a1, gRunnable, ev.a1 + 1, gRunning);
      return;
    case EvGoStartLocal:
      set(t, ev.g, NOSEQ, gRunnable, SEQINC, gRunning);
      return;
    case EvGoSysBlock:
      set(t, ev.g, NOSEQ, gRunning, NOSEQ, gWaiting);
      return;
    case EvGoSched:
    case EvGoPreempt:
      set(t, ev.g, NOSEQ, gRunning, NOSEQ, gRunnable);
      return;
    case EvGoUnblock:
    case EvGoSysExit:
      set(t, ev.a0, ev.a1, gWaiting, ev.a1 + 1, gRunnable);
      return;
    case EvGoUnblockLocal:
    case EvGoSysExitLocal:
      set(t, ev.a0, NOSEQ, gWaiting, SEQINC, gRunnable);
      return;
    case EvGCStart:
      set(t, GARBAGE, ev.a0, gDead, ev.a0 + 1, gDead);
      return;
  }
}

function set(t: Transition, g: number, initSeq: number, initStatus: number, nextSeq: number, nextStatus: number): void {
  t.g = g;
  t.initSeq = initSeq;
  t.initStatus = initStatus;
  t.nextSeq = nextSeq;
  t.nextStatus = nextStatus;
}

function transitionReady(t: Transition, cur: GSeq | undefined): boolean {
  if (t.g === UNORDERED) return true;
  const seq = cur?.seq ?? 0;
  const status = cur?.status ?? gDead;
  return (t.initSeq === NOSEQ || t.initSeq === seq) && t.initStatus === status;
}

interface Proc {
  pid: number;
  events: V1Event[];
  next: number;
  done: boolean;
}

interface Pending {
  ev: V1Event;
  proc: Proc;
}

// A binary heap by timestamp with the sift rules of Go's ordering.
function heapPush(h: Pending[], x: Pending): void {
  h.push(x);
  let j = h.length - 1;
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !(h[j].ev.ts < h[i].ev.ts)) break;
    const t = h[i];
    h[i] = h[j];
    h[j] = t;
    j = i;
  }
}

function heapPop(h: Pending[]): Pending {
  const n = h.length - 1;
  let t = h[0];
  h[0] = h[n];
  h[n] = t;
  let i = 0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && h[j2].ev.ts < h[j1].ev.ts) j = j2;
    if (!(h[j].ev.ts < h[i].ev.ts)) break;
    t = h[i];
    h[i] = h[j];
    h[j] = t;
    i = j;
  }
  return h.pop()!;
}

class Parser {
  private off: number;
  /** Where reading stops: the end of the file, or the start of the event a cut broke. */
  private end: number;
  private cut: V1FormatError | undefined;
  private readonly strings = new Map<number, string>();
  private readonly inlineStrings: string[] = [];
  private readonly inlineIds = new Map<string, number>();
  /** Byte offsets of each P's batches, in file order. */
  private readonly batches = new Map<number, number[]>();
  private readonly stacks = new Map<number, number[]>();
  private readonly frames = new Map<number, V1Frame>();
  private ticksPerSec = 0;
  private readonly cpuSamples: V1Event[] = [];
  private readonly timerGoroutines = new Set<number>();
  /** Ticks of the first batch, which every timestamp is taken relative to so it stays exact. */
  private tickBase: bigint | undefined;
  private tickBaseNum = 0;
  private lastTs = 0;
  private lastG = 0;
  private lastP = 0;
  private readonly lastGs = new Map<number, number>();
  private batchOffset = 0;
  private readonly raw: RawEvent = { type: 0, args: [], argStart: [], logMessage: '', batchP: 0 };

  constructor(
    private readonly data: Uint8Array,
    start: number,
    private readonly version: number,
  ) {
    this.off = start;
    this.end = data.length;
  }

  parse(): V1Trace {
    this.collectBatchesAndCPUSamples();
    let events = this.orderBatches();
    const ticksAsNs = this.ticksPerSec === 0;
    if (ticksAsNs && this.cut === undefined) throw new V1FormatError('no EvFrequency event', this.end, false);
    if (events.length > 0) {
      const minTs = events[0].ts;
      const nsPerTick = ticksAsNs ? 1 : 1e9 / this.ticksPerSec;
      for (const ev of events) {
        ev.ts = Math.trunc((ev.ts - minTs) * nsPerTick);
        if (ev.type === EvGoUnblock && this.timerGoroutines.has(ev.g)) ev.p = TimerP;
        if (ev.type === EvGoSysExit) ev.p = SyscallP;
      }
    }
    events = this.validate(events);
    return {
      version: this.version,
      events,
      strings: this.strings,
      inlineStrings: this.inlineStrings,
      stacks: this.stacks,
      frames: this.frames,
      cut: this.cut,
      ticksAsNs,
    };
  }

  /** Past a cut, contradictions are expected and the caller goes on with what it has; otherwise they are the file's error. */
  private failOrStop(e: unknown): void {
    if (this.cut !== undefined && e instanceof V1FormatError) return;
    throw e;
  }

  // First pass: where each P's batches are, and the CPU samples (which belong to no batch's order).
  private collectBatchesAndCPUSamples(): void {
    const raw = this.raw;
    let curP = 0;
    let sawFrequency = false;
    for (;;) {
      const eventStart = this.off;
      try {
        if (!this.readRawEvent(true)) break;
      } catch (e) {
        if (e instanceof V1FormatError && e.truncated) {
          this.cut = e;
          this.end = eventStart;
          break;
        }
        throw e;
      }
      if (raw.type === EvNone) continue;
      if (raw.type === EvFrequency) sawFrequency = true;
      if (raw.type === EvBatch) {
        let list = this.batches.get(raw.batchP);
        if (list === undefined) this.batches.set(raw.batchP, (list = []));
        list.push(eventStart);
        curP = raw.batchP;
      }
      if ((this.batches.get(curP)?.length ?? 0) === 0) {
        throw new V1FormatError(`read event ${raw.type} with current P of ${curP}, but P has no batches yet`, eventStart, false);
      }
      if (raw.type === EvCPUSample) {
        const want = this.argCount(raw);
        if (raw.args.length !== want) {
          throw new V1FormatError(`CPU sample has wrong number of arguments: want ${want}, got ${raw.args.length}`, eventStart, false);
        }
        this.cpuSamples.push({
          type: EvCPUSample,
          ts: this.ticksAt(raw, 1),
          p: raw.args[2],
          g: raw.args[3],
          a0: 0,
          a1: raw.args[2],
          a2: raw.args[3],
          a3: 0,
          stack: raw.args[4],
          offset: eventStart,
        });
      }
    }
    // Go writes the clock frequency when tracing stops: without it the file ends early,
    // even if it ends between two events.
    if (!sawFrequency && this.cut === undefined) {
      this.cut = new V1FormatError('no EvFrequency event; the trace ends before the end-of-trace data', this.end, true);
    }
  }

  private orderBatches(): V1Event[] {
    this.cpuSamples.sort((a, b) => a.ts - b.ts);
    const all: Proc[] = [];
    for (const pid of this.batches.keys()) all.push({ pid, events: [], next: 0, done: false });
    all.push({ pid: ProfileP, events: this.cpuSamples, next: 0, done: false });

    const out: V1Event[] = [];
    const gs = new Map<number, GSeq>();
    const frontier: Pending[] = [];
    const available = all.slice();
    const t: Transition = { g: 0, initSeq: 0, initStatus: 0, nextSeq: 0, nextStatus: 0 };
    let forced = false;
    const removeAt = (i: number): void => {
      available[i] = available[available.length - 1];
      available.pop();
    };
    try {
      for (;;) {
        for (let i = 0; i < available.length; i++) {
          const proc = available[i];
          if (proc.next === proc.events.length) {
            const events = this.loadBatch(proc.pid);
            if (events === undefined) {
              proc.done = true;
              removeAt(i--);
              continue;
            }
            proc.events = events;
            proc.next = 0;
            if (events.length === 0) {
              i--;
              continue;
            }
          }
          const ev = proc.events[proc.next];
          stateTransition(ev, t);
          if (!transitionReady(t, gs.get(t.g))) continue;
          proc.next++;
          removeAt(i--);
          heapPush(frontier, { ev, proc });
        }
        if (frontier.length === 0) {
          if (!all.some((p) => !p.done)) break;
          if (this.cut === undefined) throw new V1FormatError('no consistent ordering of events possible', this.off, false);
          // Past a cut, the events that would unblock the order are missing:
          // go on in time order so what was read still shows.
          let earliest = -1;
          for (let i = 0; i < available.length; i++) {
            const p = available[i];
            if (p.next < p.events.length && (earliest < 0 || p.events[p.next].ts < available[earliest].events[available[earliest].next].ts)) earliest = i;
          }
          if (earliest < 0) break;
          const proc = available[earliest];
          heapPush(frontier, { ev: proc.events[proc.next++], proc });
          removeAt(earliest);
          forced = true;
        }
        const f = heapPop(frontier);
        const ev = f.ev;
        stateTransition(ev, t);
        if (ev.type === EvGoStartLocal) ev.type = EvGoStart;
        else if (ev.type === EvGoUnblockLocal) ev.type = EvGoUnblock;
        else if (ev.type === EvGoSysExitLocal) ev.type = EvGoSysExit;
        out.push(ev);
        if (t.g !== UNORDERED) {
          const cur = gs.get(t.g);
          if (!forced && !transitionReady(t, cur)) {
            throw new V1FormatError('encountered impossible goroutine state transition', ev.offset, false);
          }
          const seq = cur?.seq ?? 0;
          const nextSeq = t.nextSeq === NOSEQ ? seq : t.nextSeq === SEQINC ? seq + 1 : t.nextSeq;
          if (cur === undefined) gs.set(t.g, { seq: nextSeq, status: t.nextStatus });
          else {
            cur.seq = nextSeq;
            cur.status = t.nextStatus;
          }
        }
        available.push(f.proc);
      }
    } catch (e) {
      this.failOrStop(e);
    }

    for (let i = 1; i < out.length && !forced; i++) {
      if (out[i].ts < out[i - 1].ts) throw new V1FormatError('time stamps out of order', out[i].offset, false);
    }
    // A syscall exit carries the time the goroutine really left the syscall.
    const lastSysBlock = new Map<number, number>();
    for (let i = 0; i < out.length; i++) {
      const ev = out[i];
      if (ev.type === EvGoSysBlock || ev.type === EvGoInSyscall) {
        lastSysBlock.set(ev.g, ev.ts);
      } else if (ev.type === EvGoSysExit && this.exitTs.has(ev)) {
        const ts = this.exitTs.get(ev)!;
        const block = lastSysBlock.get(ev.g);
        if (block === undefined) {
          if (this.cut !== undefined) continue;
          throw new V1FormatError('stray syscall exit', ev.offset, false);
        }
        if (ts < block) {
          if (this.cut !== undefined) continue;
          throw new V1FormatError('time stamps out of order', ev.offset, false);
        }
        ev.ts = ts;
      }
    }
    return out.sort((a, b) => a.ts - b.ts);
  }

  /** Real exit times of GoSysExit events, relative to the first batch like every timestamp. */
  private readonly exitTs = new Map<V1Event, number>();

  /** The events of `pid`'s next batch; undefined when it has no more. */
  private loadBatch(pid: number): V1Event[] | undefined {
    const list = this.batches.get(pid);
    if (list === undefined || list.length === 0) return undefined;
    const offset = list.shift()!;
    this.off = offset;
    const events: V1Event[] = [];
    const raw = this.raw;
    let gotHeader = false;
    for (;;) {
      if (!this.readRawEvent(false)) break;
      if (raw.type === EvNone || raw.type === EvCPUSample) continue;
      if (raw.type === EvBatch) {
        if (gotHeader) break;
        gotHeader = true;
        this.batchOffset = offset;
      }
      const ev = this.parseEvent(raw);
      if (ev !== undefined) events.push(ev);
    }
    return events;
  }

  private argCount(raw: RawEvent): number {
    if (raw.type === EvStack) return raw.args.length;
    const spec = V1_SPECS[raw.type]!;
    let n = spec.nargs + (spec.stack ? 1 : 0);
    if (raw.type === EvBatch || raw.type === EvFrequency || raw.type === EvTimerGoroutine) return n;
    return n + 1;
  }

  /** Reads one raw event into this.raw; false at the end. Strings go to the table (type EvNone). */
  private readRawEvent(skim: boolean): boolean {
    if (this.off >= this.end) return false;
    const start = this.off;
    const b = this.data[this.off++];
    const type = b & 0x3f;
    const narg = (b >> 6) + 1;
    const spec = V1_SPECS[type];
    if (type === EvNone || type >= EvCount || spec === undefined || spec.minVersion > this.version) {
      throw new V1FormatError(`unknown event type ${type}`, start, false);
    }
    const raw = this.raw;
    raw.type = type;
    raw.args.length = 0;
    raw.argStart.length = 0;
    raw.logMessage = '';
    if (type === EvString) {
      const id = this.readVal();
      const length = this.readVal();
      if (skim) {
        this.skip(length);
      } else {
        if (id === 0) throw new V1FormatError('string has invalid id 0', start, false);
        if (this.strings.has(id)) throw new V1FormatError(`string has duplicate id ${id}`, start, false);
        if (length === 0) throw new V1FormatError('string has invalid length 0', start, false);
        if (length > MAX_STRING) throw new V1FormatError(`string has too large length ${length}`, start, false);
        this.strings.set(id, this.readText(length));
      }
      raw.type = EvNone;
      return true;
    }
    if (type === EvBatch) {
      if (narg !== 2) throw new V1FormatError(`EvBatch has wrong number of arguments: got ${narg}, want 2`, start, false);
      const pid = this.readVal();
      if (pid !== -1 && (pid < 0 || pid > MAX_INT32)) {
        throw new V1FormatError(`processor ID ${pid} is larger than maximum of ${MAX_INT32}`, start, false);
      }
      const tsStart = this.off;
      const ts = this.readVal();
      if (this.tickBase === undefined) {
        this.tickBase = this.bigVarint(tsStart);
        this.tickBaseNum = Number(this.tickBase);
      }
      raw.batchP = pid;
      raw.args.push(pid, this.ticks(ts, tsStart));
      return true;
    }
    if (narg <= 3) {
      for (let i = 0; i < narg; i++) {
        raw.argStart.push(this.off);
        try {
          raw.args.push(this.readVal());
        } catch (e) {
          if (!(e instanceof V1FormatError)) throw e;
          throw new V1FormatError(`failed to read event ${type} argument: ${e.message}`, e.offset, e.truncated);
        }
      }
      return true;
    }
    const length = this.readVal();
    if (length > LENGTH_PREFIXED_LIMIT) {
      throw new V1FormatError(
        `failed to read event ${type} argument: length-prefixed argument too big: ${length} bytes, limit is ${LENGTH_PREFIXED_LIMIT}`,
        start,
        false,
      );
    }
    if (skim && type !== EvCPUSample) {
      this.skip(length);
    } else {
      if (this.off + length > this.end) throw new V1FormatError('failed to read trace: unexpected EOF', this.off, true);
      const argsEnd = this.off + length;
      const c = new ByteCursor(this.data, this.off, argsEnd);
      while (c.pos < argsEnd) {
        raw.argStart.push(c.pos);
        try {
          raw.args.push(c.uvarint());
        } catch {
          throw new V1FormatError('malformatted base-128 varint', c.pos, false);
        }
      }
      this.off = argsEnd;
    }
    if (type === EvUserLog) {
      const n = this.readVal();
      if (skim) this.skip(n);
      else {
        if (n > MAX_STRING) throw new V1FormatError(`string is too large (len=${n})`, start, false);
        raw.logMessage = this.readText(n);
      }
    }
    return true;
  }

  private readVal(): number {
    const data = this.data;
    const start = this.off;
    let pos = start;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10 && pos < this.end; i++) {
      const b = data[pos++];
      if (i === 9 && b > 1) break;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.off = pos;
        // Beyond 2^53 only the ids Go reads as signed (-1 = none) matter exactly.
        return value <= Number.MAX_SAFE_INTEGER ? value : Number(BigInt.asIntN(64, this.bigVarint(start)));
      }
      scale *= 128;
    }
    const truncated = pos >= this.end && this.end - start < 10;
    throw new V1FormatError('malformatted base-128 varint', start, truncated);
  }

  private skip(n: number): void {
    if (this.off + n > this.end) throw new V1FormatError('failed to read trace: EOF', this.off, true);
    this.off += n;
  }

  private readText(n: number): string {
    if (this.off + n > this.end) throw new V1FormatError('failed to read trace: unexpected EOF', this.off, true);
    const s = new TextDecoder().decode(this.data.subarray(this.off, this.off + n));
    this.off += n;
    return s;
  }

  /** The varint at `pos`, which readVal has already found well formed, without losing bits. */
  private bigVarint(pos: number): bigint {
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.data[pos + i];
      v |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) break;
    }
    return v;
  }

  /** The raw argument `i`, a clock reading, as ticks since the first batch. */
  private ticksAt(raw: RawEvent, i: number): number {
    return this.ticks(raw.args[i], raw.argStart[i]);
  }

  /** A clock reading `v` (varint at `pos`) as ticks since the first batch, exact however large the clock. */
  private ticks(v: number, pos: number): number {
    if (v >= 0 && v < TWO_53 && this.tickBaseNum < TWO_53) return v - this.tickBaseNum;
    return Number(this.bigVarint(pos) - (this.tickBase ?? 0n));
  }

  private parseEvent(raw: RawEvent): V1Event | undefined {
    const spec = V1_SPECS[raw.type]!;
    const narg = this.argCount(raw);
    if (raw.args.length !== narg) {
      throw new V1FormatError(`${spec.name} has wrong number of arguments: want ${narg}, got ${raw.args.length}`, this.off, false);
    }
    switch (raw.type) {
      case EvBatch:
        this.lastGs.set(this.lastP, this.lastG);
        this.lastP = raw.args[0];
        this.lastG = this.lastGs.get(this.lastP) ?? 0;
        this.lastTs = raw.args[1];
        return undefined;
      case EvFrequency:
        this.ticksPerSec = raw.args[0];
        if (this.ticksPerSec <= 0) throw new V1FormatError('time stamps out of order', this.off, false);
        return undefined;
      case EvTimerGoroutine:
        this.timerGoroutines.add(raw.args[0]);
        return undefined;
      case EvStack: {
        if (raw.args.length < 2) {
          throw new V1FormatError(`EvStack has wrong number of arguments: want at least 2, got ${raw.args.length}`, this.off, false);
        }
        const size = raw.args[1];
        if (size > 1000) throw new V1FormatError(`EvStack has bad number of frames: ${size}`, this.off, false);
        if (raw.args.length !== 2 + 4 * size) {
          throw new V1FormatError(`EvStack has wrong number of arguments: want ${2 + 4 * size}, got ${raw.args.length}`, this.off, false);
        }
        const id = raw.args[0] >>> 0;
        if (id !== 0 && size > 0) {
          const pcs: number[] = [];
          for (let i = 0; i < size; i++) {
            const pc = raw.args[2 + i * 4];
            pcs.push(pc);
            if (!this.frames.has(pc)) {
              this.frames.set(pc, { funcId: raw.args[3 + i * 4], fileId: raw.args[4 + i * 4], line: raw.args[5 + i * 4] });
            }
          }
          this.stacks.set(id, pcs);
        }
        return undefined;
      }
    }
    const ts = this.lastTs + raw.args[0];
    this.lastTs = ts;
    const ev: V1Event = { type: raw.type, ts, g: this.lastG, p: this.lastP, a0: 0, a1: 0, a2: 0, a3: 0, stack: 0, offset: this.batchOffset };
    for (let i = 1; i < narg; i++) {
      const v = raw.args[i];
      if (i === narg - 1 && spec.stack) ev.stack = v >>> 0;
      else if (i === 1) ev.a0 = v;
      else if (i === 2) ev.a1 = v;
      else if (i === 3) ev.a2 = v;
      else ev.a3 = v;
    }
    switch (raw.type) {
      case EvGoStart:
      case EvGoStartLocal:
      case EvGoStartLabel:
        this.lastG = ev.a0;
        ev.g = ev.a0;
        break;
      case EvGoEnd:
      case EvGoStop:
      case EvGoSched:
      case EvGoPreempt:
      case EvGoSysBlock:
        this.lastG = 0;
        break;
      case EvGoSysExit:
        if (ev.a2 !== 0) this.exitTs.set(ev, this.ticksAt(raw, 3));
        ev.g = ev.a0;
        break;
      case EvGoWaiting:
      case EvGoInSyscall:
        ev.g = ev.a0;
        break;
      case EvUserLog: {
        let id = this.inlineIds.get(raw.logMessage);
        if (id === undefined) {
          id = this.inlineStrings.length;
          this.inlineIds.set(raw.logMessage, id);
          this.inlineStrings.push(raw.logMessage);
        }
        ev.a3 = id;
        break;
      }
      default:
        if (BLOCKING_EVENTS.has(raw.type)) this.lastG = 0;
    }
    return ev;
  }

  /**
   * Checks the ordered events the way Go does and fills in what only the order
   * tells: GC events move to the GC pseudo-P, network unblocks to the netpoll
   * one, a goroutine's first start gets its creation stack.
   */
  private validate(events: V1Event[]): V1Event[] {
    interface GDesc {
      state: number;
      ev?: V1Event;
      evCreate?: V1Event;
      markAssist: boolean;
    }
    interface PDesc {
      running: boolean;
      g: number;
      sweeping: boolean;
    }
    const gs = new Map<number, GDesc>([[0, { state: gRunning, markAssist: false }]]);
    const ps = new Map<number, PDesc>();
    const tasks = new Set<number>();
    const regions = new Map<number, V1Event[]>();
    let inGC = false;
    let inSTW = false;
    const gOf = (id: number): GDesc => {
      let g = gs.get(id);
      if (g === undefined) gs.set(id, (g = { state: gDead, markAssist: false }));
      return g;
    };
    const pOf = (id: number): PDesc => {
      let p = ps.get(id);
      if (p === undefined) ps.set(id, (p = { running: false, g: 0, sweeping: false }));
      return p;
    };
    const name = (ev: V1Event): string => V1_SPECS[ev.type]!.name;
    const checkRunning = (p: PDesc, g: GDesc, ev: V1Event, allowG0: boolean): void => {
      if (g.state !== gRunning) fail(`g ${ev.g} is not running while ${name(ev)} (time ${ev.ts})`, ev);
      if (p.g !== ev.g) fail(`p ${ev.p} is not running g ${ev.g} while ${name(ev)} (time ${ev.ts})`, ev);
      if (!allowG0 && ev.g === 0) fail(`g 0 did ${name(ev)} (time ${ev.ts})`, ev);
    };
    /** The running goroutine of `ev` leaves its P for `state`; `remember` keeps `ev` as why. */
    const stopRunning = (ev: V1Event, state: number, remember: boolean): void => {
      const g = gOf(ev.g);
      const p = pOf(ev.p);
      checkRunning(p, g, ev, false);
      g.state = state;
      if (remember) g.ev = ev;
      p.g = 0;
    };
    function fail(message: string, ev: V1Event): never {
      throw new V1FormatError(message, ev.offset, false);
    }

    const check = (ev: V1Event): void => {
        switch (ev.type) {
          case EvProcStart: {
            const p = pOf(ev.p);
            if (p.running) fail(`p ${ev.p} is running before start (time ${ev.ts})`, ev);
            p.running = true;
            break;
          }
          case EvProcStop: {
            const p = pOf(ev.p);
            if (!p.running) fail(`p ${ev.p} is not running before stop (time ${ev.ts})`, ev);
            if (p.g !== 0) fail(`p ${ev.p} is running a goroutine ${p.g} during stop (time ${ev.ts})`, ev);
            p.running = false;
            break;
          }
          case EvGCStart:
            if (inGC) fail(`previous GC is not ended before a new one (time ${ev.ts})`, ev);
            inGC = true;
            ev.p = GCP;
            break;
          case EvGCDone:
            if (!inGC) fail(`bogus GC end (time ${ev.ts})`, ev);
            inGC = false;
            break;
          case EvSTWStart:
            if (inSTW) fail(`previous STW is not ended before a new one (time ${ev.ts})`, ev);
            inSTW = true;
            break;
          case EvSTWDone:
            if (!inSTW) fail(`bogus STW end (time ${ev.ts})`, ev);
            inSTW = false;
            break;
          case EvGCSweepStart: {
            const p = pOf(ev.p);
            if (p.sweeping) fail(`previous sweeping is not ended before a new one (time ${ev.ts})`, ev);
            p.sweeping = true;
            break;
          }
          case EvGCMarkAssistStart: {
            const g = gOf(ev.g);
            if (g.markAssist) fail(`previous mark assist is not ended before a new one (time ${ev.ts})`, ev);
            g.markAssist = true;
            break;
          }
          case EvGCMarkAssistDone:
            gOf(ev.g).markAssist = false;
            break;
          case EvGCSweepDone: {
            const p = pOf(ev.p);
            if (!p.sweeping) fail(`bogus sweeping end (time ${ev.ts})`, ev);
            p.sweeping = false;
            break;
          }
          case EvGoWaiting:
          case EvGoInSyscall: {
            const g = gOf(ev.g);
            if (g.state !== gRunnable) fail(`g ${ev.g} is not runnable before ${name(ev)} (time ${ev.ts})`, ev);
            g.state = gWaiting;
            g.ev = ev;
            break;
          }
          case EvGoCreate: {
            checkRunning(pOf(ev.p), gOf(ev.g), ev, true);
            if (gs.has(ev.a0)) fail(`g ${ev.a0} already exists (time ${ev.ts})`, ev);
            gs.set(ev.a0, { state: gRunnable, ev, evCreate: ev, markAssist: false });
            break;
          }
          case EvGoStart:
          case EvGoStartLabel: {
            const g = gOf(ev.g);
            const p = pOf(ev.p);
            if (g.state !== gRunnable) fail(`g ${ev.g} is not runnable before start (time ${ev.ts})`, ev);
            if (p.g !== 0) fail(`p ${ev.p} is already running g ${p.g} while start g ${ev.g} (time ${ev.ts})`, ev);
            g.state = gRunning;
            p.g = ev.g;
            if (g.evCreate !== undefined) {
              ev.stack = g.evCreate.a1 >>> 0;
              g.evCreate = undefined;
            }
            g.ev = undefined;
            break;
          }
          case EvGoEnd:
          case EvGoStop:
            stopRunning(ev, gDead, false);
            if (ev.type === EvGoEnd) regions.delete(ev.g);
            break;
          case EvGoSched:
          case EvGoPreempt:
            stopRunning(ev, gRunnable, true);
            break;
          case EvGoUnblock: {
            const g = gOf(ev.g);
            const p = pOf(ev.p);
            if (g.state !== gRunning) fail(`g ${ev.g} is not running while unpark (time ${ev.ts})`, ev);
            if (ev.p !== TimerP && p.g !== ev.g) fail(`p ${ev.p} is not running g ${ev.g} while unpark (time ${ev.ts})`, ev);
            const g1 = gOf(ev.a0);
            if (g1.state !== gWaiting) fail(`g ${ev.a0} is not waiting before unpark (time ${ev.ts})`, ev);
            if (g1.ev !== undefined && g1.ev.type === EvGoBlockNet) ev.p = NetpollP;
            g1.state = gRunnable;
            g1.ev = ev;
            break;
          }
          case EvGoSysCall: {
            const g = gOf(ev.g);
            checkRunning(pOf(ev.p), g, ev, false);
            g.ev = ev;
            break;
          }
          case EvGoSysBlock:
            stopRunning(ev, gWaiting, false);
            break;
          case EvGoSysExit: {
            const g = gOf(ev.g);
            if (g.state !== gWaiting) fail(`g ${ev.g} is not waiting during syscall exit (time ${ev.ts})`, ev);
            g.state = gRunnable;
            g.ev = ev;
            break;
          }
          case EvUserTaskCreate:
            if (tasks.has(ev.a0)) fail(`task id conflicts (id:${ev.a0})`, ev);
            tasks.add(ev.a0);
            break;
          case EvUserTaskEnd:
            tasks.delete(ev.a0);
            break;
          case EvUserRegion: {
            const mode = ev.a1;
            const active = regions.get(ev.g) ?? [];
            if (mode === 0) {
              active.push(ev);
              regions.set(ev.g, active);
            } else if (mode === 1) {
              const top = active[active.length - 1];
              if (top !== undefined) {
                if (top.a0 !== ev.a0 || top.a2 !== ev.a2) fail(`misuse of region in goroutine ${ev.g}`, ev);
                active.pop();
                if (active.length === 0) regions.delete(ev.g);
              }
            } else {
              fail(`invalid user region mode: ${mode}`, ev);
            }
            break;
          }
          default:
            if (BLOCKING_EVENTS.has(ev.type)) stopRunning(ev, gWaiting, true);
        }
    };

    // Past a cut the order is partly guessed: events that contradict what
    // came before are dropped rather than ending the trace there.
    const kept: V1Event[] = [];
    for (const ev of events) {
      try {
        check(ev);
      } catch (e) {
        this.failOrStop(e);
        continue;
      }
      if (ev.stack !== 0 && (this.stacks.get(ev.stack)?.length ?? 0) === 0) ev.stack = 0;
      kept.push(ev);
    }
    return kept;
  }
}

/** Parses a whole pre-1.22 trace; `start` is the offset after the header. */
export function parseV1(data: Uint8Array, start: number, version: number): V1Trace {
  return new Parser(data, start, version).parse();
}
