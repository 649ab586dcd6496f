// The visible time range of the timeline and the moves on it: the keys Go
// users know from `go tool trace` (W/S zoom, A/D pan), the wheel and drags.
// Times are ns since the trace's first event.

import { formatValue } from '../../src/core/pprof/units';

/** Never zoom in past this many ns across the plot. */
const MIN_SPAN_NS = 1_000;

export class Viewport {
  start = 0;
  end = 1;

  constructor(
    /** The whole trace: the range zooming out stops at. */
    public duration: number,
  ) {
    this.reset();
  }

  reset(): void {
    this.start = 0;
    this.end = Math.max(this.duration, MIN_SPAN_NS);
  }

  get span(): number {
    return this.end - this.start;
  }

  /** Sets the range, kept within the trace and above the smallest span. */
  set(start: number, end: number): void {
    const total = Math.max(this.duration, MIN_SPAN_NS);
    let span = Math.min(Math.max(end - start, MIN_SPAN_NS), total);
    if (!Number.isFinite(span)) span = total;
    let s = Number.isFinite(start) ? start : 0;
    s = Math.min(Math.max(s, 0), total - span);
    this.start = s;
    this.end = s + span;
  }

  /** Zooms by `factor` (< 1 in, > 1 out) keeping the time at `anchor` (0..1 across the plot) in place. */
  zoom(factor: number, anchor = 0.5): void {
    const at = this.start + this.span * anchor;
    const span = this.span * factor;
    this.set(at - span * anchor, at - span * anchor + span);
  }

  /** Pans by a fraction of the visible span (positive: later). */
  pan(fraction: number): void {
    const delta = this.span * fraction;
    this.set(this.start + delta, this.end + delta);
  }

  /** Shows [start, end] with a margin, keeping the zoom when it already fits. */
  reveal(start: number, end: number): void {
    const width = end - start;
    if (width * 1.2 > this.span) {
      this.set(start - width * 0.25, end + width * 0.25);
      return;
    }
    const centre = (start + end) / 2;
    this.set(centre - this.span / 2, centre + this.span / 2);
  }
}

/** First index in [lo, hi) whose value is > t (values ascending). */
export function upperBound(values: Float64Array, t: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Tick spacing for an axis: 1, 2 or 5 × 10^k ns, about `target` ns apart. */
export function tickStep(target: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(target, 1)));
  for (const m of [1, 2, 5, 10]) if (power * m >= target) return power * m;
  return power * 10;
}

const timeUnits: [number, string][] = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'us'],
  [1, 'ns'],
];

/**
 * An axis label: the unit formatNs would pick for the larger of `ns` and the
 * tick `step`, with as many decimals as the step needs, so that neighbouring
 * ticks never read the same ("1.2834ms", "1.2835ms" rather than "1.28ms" twice).
 */
export function formatTick(ns: number, step: number): string {
  const magnitude = Math.max(Math.abs(ns), step);
  const [scale, name] = timeUnits.find(([unitScale]) => magnitude >= unitScale) ?? timeUnits[timeUnits.length - 1];
  const decimals = Math.min(9, Math.max(0, Math.ceil(-Math.log10(step / scale) - 1e-9)));
  return `${(ns / scale).toFixed(decimals)}${name}`;
}

/** Durations and sizes as pprof prints them ("1.50ms", "64.41MB"). */
export const formatNs = (ns: number): string => formatValue(ns, 'nanoseconds');
export const formatBytes = (bytes: number): string => formatValue(bytes, 'bytes');
