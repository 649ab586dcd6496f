// Minimum mutator utilization, as `go tool trace`'s /mmu page computes it
// (Go's internal/trace/gc.go, ported): first the mutator utilization over
// time — the share of Ps not doing GC work (stop-the-world, background mark
// workers, mark assists, sweeping, as the flags choose) — then, for a window
// length, the lowest mean utilization of any window of that length. Windows
// are searched band by band, the bands with the lowest bound first, so a
// curve of a hundred windows stays cheap on long traces.

import type { TraceEvent } from './event';
import { stateTransition } from './event';
import { readTrace, type TraceProblem } from './reader';
import * as spec from './spec';

const {
  EvGCMarkAssistActive,
  EvGCMarkAssistBegin,
  EvGCMarkAssistEnd,
  EvGCSweepActive,
  EvGCSweepBegin,
  EvGCSweepEnd,
  EvGoLabel,
  EvProcsChange,
  EvSTWBegin,
  EvSTWEnd,
  GoState,
  Kind,
  NONE,
} = spec;

/** What counts as GC work (Go's trace.UtilFlags); go tool trace's page starts with stw, background and assist. */
export interface UtilFlags {
  stw: boolean;
  background: boolean;
  assist: boolean;
  sweep: boolean;
  /** One utilization function per P instead of one for the whole program. */
  perProc: boolean;
}

export const DEFAULT_UTIL_FLAGS: UtilFlags = { stw: true, background: true, assist: true, sweep: false, perProc: false };

/** A step function: utilization util[i] (0..1) from time[i] (ns) to time[i+1]; it ends with 0. */
export interface UtilSeries {
  time: number[];
  util: number[];
}

function addUtil(s: UtilSeries, time: number, util: number): void {
  const n = s.time.length;
  if (n > 0) {
    if (util === s.util[n - 1]) return;
    if (time === s.time[n - 1]) {
      // Take the lowest utilization at a time stamp.
      if (util < s.util[n - 1]) s.util[n - 1] = util;
      return;
    }
  }
  s.time.push(time);
  s.util.push(util);
}

const executing = (state: number) => state === GoState.Running || state === GoState.Syscall;

/** Builds the mutator utilization functions from a trace's events, in order (Go's MutatorUtilizationV2). */
export class MutatorUtilization {
  private readonly out: UtilSeries[] = [];
  private stw = 0;
  private readonly ps: { gc: number; series: number }[] = [];
  private readonly inGC = new Set<number>();
  private readonly states = new Map<number, number>();
  private readonly bgMark = new Set<number>();
  private readonly procs: { time: number; n: number }[] = [];
  private nSync = 0;
  private lastTime = NaN;
  /** Per goroutine: whether its open STW range stops the world for the GC. */
  private readonly gcSTW = new Map<number, boolean>();

  constructor(private readonly flags: UtilFlags = DEFAULT_UTIL_FLAGS) {}

  private proc(ev: TraceEvent): { gc: number } {
    // A P id out of range would be a broken trace; Go's code would panic, we count nothing.
    return this.ps[ev.p] ?? { gc: 0 };
  }

  add(ev: TraceEvent): void {
    const { flags, ps, out } = this;
    this.lastTime = ev.time;
    if (ev.kind === Kind.Sync) this.nSync++;
    if (ev.kind === Kind.Metric && ev.type === EvProcsChange) {
      const gomaxprocs = ev.a0;
      if (ps.length > gomaxprocs) {
        if (flags.perProc) for (const p of ps.slice(gomaxprocs)) addUtil(out[p.series], ev.time, 0);
        ps.length = gomaxprocs;
      }
      while (ps.length < gomaxprocs) {
        let series = 0;
        if (flags.perProc || out.length === 0) {
          series = out.length;
          out.push({ time: [ev.time], util: [1] });
        }
        ps.push({ gc: 0, series });
      }
      if (this.procs.length === 0 || gomaxprocs !== this.procs[this.procs.length - 1].n) this.procs.push({ time: ev.time, n: gomaxprocs });
    }
    // Nothing can be said before GOMAXPROCS is known.
    if (ps.length === 0) return;

    switch (ev.kind) {
      case Kind.RangeActive:
      case Kind.RangeBegin:
        this.rangeBegin(ev);
        break;
      case Kind.RangeEnd:
        this.rangeEnd(ev);
        break;
      case Kind.StateTransition: {
        const st = stateTransition(ev);
        if (st.resource !== 'goroutine') break;
        if (this.inGC.has(st.id) || this.bgMark.has(st.id)) {
          if (!executing(st.from) && executing(st.to)) this.proc(ev).gc++;
          else if (executing(st.from) && !executing(st.to)) this.proc(ev).gc--;
        }
        this.states.set(st.id, st.to);
        break;
      }
      case Kind.Label:
        if (ev.type === EvGoLabel && flags.background && ev.tables) {
          const label = ev.tables.string(ev.a0);
          // Dedicated workers kick everything else off their P, so per P they don't add latency.
          if (label.startsWith('GC ') && label !== 'GC (idle)' && !(flags.perProc && label === 'GC (dedicated)')) {
            this.bgMark.add(ev.g);
            this.proc(ev).gc++;
          }
        }
        break;
    }

    if (!flags.perProc) {
      let gcPs = 0;
      if (this.stw > 0) gcPs = ps.length;
      else for (const p of ps) if (p.gc > 0) gcPs++;
      addUtil(out[0], ev.time, 1 - gcPs / ps.length);
    } else {
      for (const p of ps) addUtil(out[p.series], ev.time, this.stw > 0 || p.gc > 0 ? 0 : 1);
    }
  }

  private rangeBegin(ev: TraceEvent): void {
    const { flags } = this;
    const isSweep = ev.type === EvGCSweepBegin || ev.type === EvGCSweepActive;
    const isAssist = ev.type === EvGCMarkAssistBegin || ev.type === EvGCMarkAssistActive;
    if (ev.kind === Kind.RangeActive) {
      // After a whole generation, active ranges only repeat what is known.
      if (this.nSync > 1) return;
      // Active since the trace began: take that P's share off everything recorded so far.
      const assistRunning = flags.assist && isAssist && executing(this.states.get(ev.g) ?? GoState.NotExist);
      if ((assistRunning || (flags.sweep && isSweep)) && !flags.perProc) this.backdate();
    }
    if (ev.type === EvSTWBegin) {
      const reason = ev.tables ? ev.tables.string(ev.a0) : '';
      // The range is named "stop-the-world (<reason>)"; Go's GC stops say "GC" in theirs.
      const forGC = reason.includes('GC');
      this.gcSTW.set(ev.g, forGC);
      if (flags.stw && forGC) this.stw++;
    } else if (flags.sweep && isSweep) {
      this.proc(ev).gc++;
    } else if (flags.assist && isAssist) {
      this.proc(ev).gc++;
      const g = ev.type === EvGCMarkAssistActive ? ev.a0 : ev.g;
      if (g !== NONE) this.inGC.add(g);
    }
  }

  private rangeEnd(ev: TraceEvent): void {
    const { flags } = this;
    if (ev.type === EvSTWEnd) {
      if (flags.stw && this.gcSTW.get(ev.g)) this.stw--;
      this.gcSTW.delete(ev.g);
    } else if (flags.sweep && ev.type === EvGCSweepEnd) {
      this.proc(ev).gc--;
    } else if (flags.assist && ev.type === EvGCMarkAssistEnd) {
      this.proc(ev).gc--;
      if (ev.g !== NONE) this.inGC.delete(ev.g);
    }
  }

  /** Subtracts 1/GOMAXPROCS from the utilization recorded so far. */
  private backdate(): void {
    const series = this.out[0];
    const { procs } = this;
    let mi = 0;
    let pi = 0;
    while (mi < series.time.length) {
      if (pi < procs.length - 1 && procs[pi + 1].time < series.time[mi]) {
        pi++;
        continue;
      }
      series.util[mi] = Math.max(0, series.util[mi] - 1 / procs[pi].n);
      mi++;
    }
  }

  /** The functions, each ending with 0 at the last event; empty for a trace without events. */
  finish(): UtilSeries[] {
    if (Number.isNaN(this.lastTime)) return [];
    for (const p of this.ps) addUtil(this.out[p.series], this.lastTime, 0);
    return this.out;
  }
}

export function mutatorUtilization(bytes: Uint8Array, fileName: string, flags: UtilFlags = DEFAULT_UTIL_FLAGS): { series: UtilSeries[]; problem?: TraceProblem } {
  const mu = new MutatorUtilization(flags);
  const result = readTrace(bytes, fileName, (ev) => mu.add(ev));
  return { series: mu.finish(), problem: result.problem };
}

// ---- the MMU curve ------------------------------------------------------------

const BANDS_PER_SERIES = 1000;

interface Integrator {
  pos: number;
}

class MMUSeries {
  /** Integral of the utilization up to time[j], ns. */
  readonly sums: Float64Array;
  readonly bandDur: number;
  readonly bandMinUtil: Float64Array;
  readonly bandCumUtil: Float64Array;
  readonly bandPos: Int32Array;

  constructor(readonly s: UtilSeries) {
    const { time, util } = s;
    const n = time.length;
    this.sums = new Float64Array(n);
    let prevTime = 0;
    let prevUtil = 0;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      sum += prevUtil * (time[j] - prevTime);
      this.sums[j] = sum;
      prevTime = time[j];
      prevUtil = util[j];
    }
    const numBands = Math.min(BANDS_PER_SERIES, n);
    const dur = time[n - 1] - time[0];
    this.bandDur = Math.max(1, Math.floor((dur + numBands - 1) / numBands));
    this.bandMinUtil = new Float64Array(numBands + 1);
    this.bandCumUtil = new Float64Array(numBands + 1);
    this.bandPos = new Int32Array(numBands + 1);
    const left: Integrator = { pos: 0 };
    for (let i = 0; i <= numBands; i++) {
      const [startTime, endTime] = this.bandTime(i);
      const cum = this.advance(left, startTime);
      let minUtil = 1;
      for (let k = left.pos; k < n && time[k] < endTime; k++) minUtil = Math.min(minUtil, util[k]);
      this.bandMinUtil[i] = minUtil;
      this.bandCumUtil[i] = cum;
      this.bandPos[i] = left.pos;
    }
  }

  bandTime(i: number): [number, number] {
    const start = i * this.bandDur + this.s.time[0];
    return [start, start + this.bandDur];
  }

  /** The integral of the utilization up to `t`, moving the integrator there. */
  advance(it: Integrator, t: number): number {
    const { time, util } = this.s;
    let pos = it.pos;
    const maxSeq = 8;
    if (pos + maxSeq < time.length && time[pos + maxSeq] > t) {
      while (pos + 1 < time.length && time[pos + 1] <= t) pos++;
    } else {
      let l = pos;
      let r = time.length;
      while (l < r) {
        const h = (l + r) >>> 1;
        if (time[h] <= t) l = h + 1;
        else r = h;
      }
      pos = l - 1;
    }
    it.pos = pos;
    const partial = t !== time[pos] ? util[pos] * (t - time[pos]) : 0;
    return this.sums[pos] + partial;
  }

  next(it: Integrator, t: number): number {
    const { time } = this.s;
    for (let k = it.pos; k < time.length; k++) if (time[k] > t) return time[k];
    return Number.MAX_SAFE_INTEGER;
  }

  /** Lower bounds of the mean utilization of windows starting in each band. */
  bandBounds(window: number): { band: number; bound: number }[] {
    const minBands = Math.floor((window + this.bandDur - 1) / this.bandDur);
    const maxBands = Math.floor((window + 2 * (this.bandDur - 1)) / this.bandDur);
    const tailDur = window % this.bandDur;
    const count = Math.max(0, this.bandMinUtil.length - maxBands + 1);
    const out: { band: number; bound: number }[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const l = this.bandMinUtil[i];
      const r1 = this.bandMinUtil[i + minBands - 1];
      const r2 = this.bandMinUtil[i + maxBands - 1];
      const minBand = Math.min(l, Math.min(r1, r2));
      let total = 0;
      if (minBands === 1) {
        total += minBand * window;
      } else {
        total += minBand * this.bandDur;
        let midBand = 0;
        if (minBand === l) midBand = Math.min(r1, r2);
        else if (minBand === r1) midBand = Math.min(l, r2);
        else if (minBand === r2) midBand = Math.min(l, r1);
        total += midBand * tailDur;
      }
      if (minBands > 2) total += this.bandCumUtil[i + minBands - 1] - this.bandCumUtil[i + 1];
      out[i] = { band: i, bound: total / window };
    }
    return out;
  }

  /** Lowers `acc.mmu` to the least mean utilization of the windows starting in band `band`. */
  bandMMU(band: number, window: number, acc: { mmu: number }): void {
    const { time } = this.s;
    const left: Integrator = { pos: this.bandPos[band] };
    const right: Integrator = { pos: this.bandPos[band] };
    let [t, endTime] = this.bandTime(band);
    const utilEnd = time[time.length - 1] - window;
    if (utilEnd < endTime) endTime = utilEnd;
    for (;;) {
      const mu = (this.advance(right, t + window) - this.advance(left, t)) / window;
      if (mu < acc.mmu) acc.mmu = mu;
      if (mu === 0 || t === endTime) break;
      // Utilization changes at most by the window's worth per ns: skip what cannot go below the bound.
      const minTime = t + Math.trunc((mu - acc.mmu) * window);
      const t1 = this.next(left, t);
      const t2 = this.next(right, t + window) - window;
      t = Math.max(Math.min(t1, t2), minTime);
      if (t >= endTime) t = endTime;
    }
  }
}

/** MMU at any window length over one or more utilization functions (Go's MMUCurve). */
export class MMUCurve {
  private readonly series: MMUSeries[];

  constructor(utils: UtilSeries[]) {
    this.series = utils.filter((u) => u.time.length > 0).map((u) => new MMUSeries(u));
  }

  /** The minimum mean utilization over all windows `window` ns long (whole ns, as Go's time.Duration). */
  mmu(window: number): number {
    window = Math.trunc(window);
    if (window <= 0) return 0;
    const acc = { mmu: 1 };
    const bands: { series: number; band: number; bound: number; window: number }[] = [];
    this.series.forEach((s, i) => {
      const { time } = s.s;
      const w = Math.min(window, time[time.length - 1] - time[0]);
      for (const b of s.bandBounds(w)) bands.push({ series: i, band: b.band, bound: b.bound, window: w });
    });
    bands.sort((a, b) => a.bound - b.bound);
    for (const b of bands) {
      if (b.bound >= acc.mmu) break;
      this.series[b.series].bandMMU(b.band, b.window, acc);
    }
    return acc.mmu;
  }

  /**
   * The curve as go tool trace's /mmu page plots it: `samples` window lengths
   * spaced evenly on a log scale over six orders of magnitude, from a start
   * where the MMU first drops below 0.0001, capped at the trace's length.
   */
  curve(samples = 100): { window: number; mmu: number }[] {
    if (this.series.length === 0) return [];
    let xMin = 1e9;
    while (xMin > 1) {
      if (this.mmu(xMin) < 0.0001) break;
      xMin = Math.trunc(xMin / 1000);
    }
    let xMax = xMin * 1e6;
    let first = Infinity;
    let last = -Infinity;
    for (const s of this.series) {
      first = Math.min(first, s.s.time[0]);
      last = Math.max(last, s.s.time[s.s.time.length - 1]);
    }
    xMax = Math.min(xMax, last - first);
    const logMin = Math.log(xMin);
    const logMax = Math.log(xMax);
    const out: { window: number; mmu: number }[] = [];
    for (let i = 0; i < samples; i++) {
      const window = Math.trunc(Math.exp((i / (samples - 1)) * (logMax - logMin) + logMin));
      out.push({ window, mmu: this.mmu(window) });
    }
    return out;
  }
}
