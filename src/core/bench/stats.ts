// Benchmark statistics with the same methods, thresholds and wording as
// golang.org/x/perf/benchmath (what `benchstat` uses): the median with a
// confidence interval from order statistics, and the two-sided
// Mann–Whitney U test to decide whether two samples differ. The numbers
// must agree with benchstat's, so the choices below (which order statistics,
// when to switch to a normal approximation, how ties are corrected) follow
// benchmath rather than any textbook variant.

import { formatGoFixed, formatGoFloat } from '../goFormat';

export const DEFAULT_CONFIDENCE = 0.95;
export const DEFAULT_ALPHA = 0.05;

/** How values of a unit are distributed: `exact` comes from `Unit … assume=exact` metadata lines. */
export type Assumption = 'nothing' | 'exact';

export interface Summary {
  center: number;
  /** Bounds of the confidence interval; ±Infinity when the sample is too small. */
  low: number;
  high: number;
  /** The interval's actual confidence level (at least the one asked for). */
  confidence: number;
  warnings: string[];
}

export interface Comparison {
  /** p-value of "both samples come from the same distribution"; 0 means the values are exact. */
  p: number;
  n1: number;
  n2: number;
  alpha: number;
  warnings: string[];
}

const numericAscending = (a: number, b: number) => a - b;

/**
 * The q-quantile of sorted values with interpolation method R8 of Hyndman
 * and Fan (1996), which benchmath uses for the median.
 */
export function quantileR8(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  if (q <= 0) return sorted[0];
  if (q >= 1) return sorted[sorted.length - 1];
  const n = sorted.length;
  const h = 1 / 3 + q * (n + 1 / 3);
  const k = Math.trunc(h);
  const frac = h - k;
  if (k <= 0) return sorted[0];
  if (k >= n) return sorted[n - 1];
  return sorted[k - 1] + frac * (sorted[k] - sorted[k - 1]);
}

// Exact binomial coefficients, from Pascal's triangle (benchmath also
// computes them exactly up to n = 20).
const binomialRows: number[][] = [[1]];
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  while (binomialRows.length <= n) {
    const previous = binomialRows[binomialRows.length - 1];
    const row = [1];
    for (let i = 1; i < previous.length; i++) row.push(previous[i - 1] + previous[i]);
    row.push(1);
    binomialRows.push(row);
  }
  return binomialRows[n][k];
}

// benchmath computes binomial coefficients above 20 through log-gamma, and
// its median interval depends on the resulting rounding: for symmetric
// order statistics the two candidate probabilities are equal in exact
// arithmetic, and which one comes out larger decides on which side the
// interval grows. These mirror that computation (fdlibm's lgamma, which Go
// uses, evaluated only at positive integers) so the intervals agree.
const lgammaStirlingCoefficients = [
  4.18938533204672725052e-1, 8.33333333333329678849e-2, -2.77777777728775536470e-3, 7.93650558643019558500e-4,
  -5.95187557450339963135e-4, 8.36339918996282139126e-4, -1.63092934096575273989e-3,
];

// Go's natural logarithm (fdlibm's reduction and polynomial, which its
// assembly versions share); Math.log is sometimes one ulp away from it.
const frexpView = new DataView(new ArrayBuffer(8));
function logAsGo(x: number): number {
  frexpView.setFloat64(0, x);
  const high = frexpView.getUint32(0);
  let exponent = ((high >>> 20) & 0x7ff) - 1022;
  frexpView.setUint32(0, (high & 0x800fffff) | (0x3fe << 20));
  let fraction = frexpView.getFloat64(0); // x = fraction · 2^exponent, fraction in [0.5, 1)
  if (fraction < Math.SQRT1_2) {
    fraction *= 2;
    exponent--;
  }
  const f = fraction - 1;
  const k = exponent;
  const s = f / (2 + f);
  const s2 = s * s;
  const s4 = s2 * s2;
  const t1 = s2 * (6.66666666666673513e-1 + s4 * (2.857142874366239149e-1 + s4 * (1.818357216161805012e-1 + s4 * 1.479819860511658591e-1)));
  const t2 = s4 * (3.999999999940941908e-1 + s4 * (2.222219843214978396e-1 + s4 * 1.531383769920937332e-1));
  const r = t1 + t2;
  const halfSquare = 0.5 * f * f;
  return k * 6.9314718036912381649e-1 - (halfSquare - (s * (halfSquare + r) + k * 1.90821492927058770002e-10) - f);
}

function logGammaOfInteger(x: number): number {
  if (x <= 2) return 0;
  if (x < 8) {
    let factorial = 1;
    for (let i = 2; i < x; i++) factorial *= i;
    return logAsGo(factorial);
  }
  const [w0, w1, w2, w3, w4, w5, w6] = lgammaStirlingCoefficients;
  const t = logAsGo(x);
  const z = 1 / x;
  const y = z * z;
  const w = w0 + z * (w1 + y * (w2 + y * (w3 + y * (w4 + y * (w5 + y * w6)))));
  return (x - 0.5) * (t - 1) + w;
}

function chooseAsBenchmath(n: number, k: number): number {
  if (k === 0 || k === n) return 1;
  if (k < 0 || k > n) return 0;
  if (n <= 20) return choose(n, k);
  return Math.exp(logGammaOfInteger(n + 1) - logGammaOfInteger(k + 1) - logGammaOfInteger(n - k + 1));
}

// ---- Normal distribution ----

/** erfc with about 15 significant digits: a power series near 0, a continued fraction in the tails. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated with Lentz's method.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

export function normalCdf(x: number, mu = 0, sigma = 1): number {
  return erfc(-(x - mu) / (sigma * Math.SQRT2)) / 2;
}

/** Inverse of the normal CDF, solved by bisection then polished with Newton steps. */
export function normalInvCdf(p: number, mu = 0, sigma = 1): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  let z = (lo + hi) / 2;
  for (let i = 0; i < 3; i++) {
    const density = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
    if (density === 0) break;
    z -= (normalCdf(z) - p) / density;
  }
  return z * sigma + mu;
}

// ---- Median confidence interval ----

interface OrderInterval {
  /** 1-based order statistics bounding the interval; 0 or n+1 mean an infinite bound. */
  loOrder: number;
  hiOrder: number;
  confidence: number;
}

// Above this size benchmath replaces the binomial sums by a normal approximation.
const exactMedianCILimit = 30;

function medianOrderInterval(n: number, confidence: number): OrderInterval {
  if (confidence >= 1) return { loOrder: 0, hiOrder: n + 1, confidence: 1 };
  // The number of sample values below the population median is Binomial(n, ½);
  // k values below it puts the median between order statistics k and k+1.
  const pmf = (k: number) => (k < 0 || k > n ? 0 : chooseAsBenchmath(n, k) * Math.pow(0.5, k) * Math.pow(0.5, n - k));
  let l: number;
  let r: number;
  let reached: number;
  if (n <= exactMedianCILimit) {
    // Grow [l, r) outwards from the (lower) mode, always taking the more
    // likely neighbour and the left one on a tie, until the mass reaches
    // the confidence level.
    const mode = Math.ceil((n + 1) * 0.5) - 1;
    l = mode;
    r = mode + 1;
    reached = pmf(mode);
    let left = pmf(l - 1);
    let right = pmf(r);
    while (reached < confidence && (left > 0 || right > 0)) {
      if (left >= right) {
        reached += left;
        l--;
        left = pmf(l - 1);
      } else {
        reached += right;
        r++;
        right = pmf(r);
      }
    }
  } else {
    const mu = n * 0.5;
    const sigma = Math.sqrt(n * 0.5 * 0.5);
    const tail = (1 - confidence) / 2;
    const leftEdge = normalInvCdf(tail, mu, sigma);
    const rightEdge = 2 * mu - leftEdge;
    // Widen to the half-integer band edges of the discrete distribution (continuity correction).
    l = Math.floor(Math.floor(leftEdge - 0.5) + 0.5) + 1;
    r = Math.floor(Math.ceil(rightEdge - 0.5) + 0.5) + 1;
    const mass = (from: number, to: number) => normalCdf(to - 0.5, mu, sigma) - normalCdf(from - 0.5, mu, sigma);
    reached = mass(l, r);
    const leftBiased = mass(l, r - 1);
    if (leftBiased >= confidence && leftBiased < reached) {
      reached = leftBiased;
      r--;
    }
    if (l <= 0 && r >= n + 1) reached = 1;
  }
  return { loOrder: Math.max(l, 0), hiOrder: Math.min(r, n + 1), confidence: reached };
}

/** The smallest sample size whose median interval at this confidence has finite bounds. */
function samplesForMedianCI(confidence: number): { op: string; n: number } {
  const limit = 50;
  for (let n = 2; n <= limit; n++) {
    const ci = medianOrderInterval(n, confidence);
    if (ci.loOrder > 0 && ci.hiOrder <= n) return { op: '>=', n };
  }
  return { op: '>', n: limit };
}

/** Summarizes a sample: its median and confidence interval, or for exact units the mode and range. */
export function summarize(values: readonly number[], confidence = DEFAULT_CONFIDENCE, assumption: Assumption = 'nothing'): Summary {
  const sorted = [...values].sort(numericAscending);
  if (sorted.length === 0) throw new Error('cannot summarize an empty sample');
  if (assumption === 'exact') return summarizeExact(sorted);
  const ci = medianOrderInterval(sorted.length, confidence);
  const low = ci.loOrder < 1 ? -Infinity : sorted[ci.loOrder - 1];
  const high = ci.hiOrder - 1 >= sorted.length ? Infinity : sorted[ci.hiOrder - 1];
  const warnings: string[] = [];
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    const need = samplesForMedianCI(confidence);
    warnings.push(`need ${need.op} ${need.n} samples for confidence interval at level ${formatGoFloat(confidence)}`);
  }
  return { center: quantileR8(sorted, 0.5), low, high, confidence: ci.confidence, warnings };
}

function summarizeExact(sorted: number[]): Summary {
  let mode = sorted[0];
  let modeCount = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > modeCount) {
      mode = sorted[i];
      modeCount = j - i;
    }
    i = j;
  }
  const low = sorted[0];
  const high = sorted[sorted.length - 1];
  const warnings =
    modeCount === sorted.length
      ? []
      : [`exact distribution expected, but values range from ${formatGoFloat(low)} to ${formatGoFloat(high)}`];
  return { center: mode, low, high, confidence: 1, warnings };
}

// ---- Mann–Whitney U test ----

export interface UTestResult {
  /** U statistic of the first sample. */
  u: number;
  /** Two-sided p-value. */
  p: number;
}

// Sample sizes up to which benchmath computes the exact distribution of U
// (smaller when there are ties, whose exact distribution costs more).
const exactUTestLimit = 50;
const exactUTestTiesLimit = 25;

export class SamplesEqualError extends Error {
  constructor() {
    super('all samples are equal');
  }
}

/**
 * Two-sided Mann–Whitney U test. Throws SamplesEqualError when every value
 * in both samples is the same (the test has nothing to rank).
 */
export function mannWhitneyU(sample1: readonly number[], sample2: readonly number[]): UTestResult {
  const n1 = sample1.length;
  const n2 = sample2.length;
  if (n1 === 0 || n2 === 0) throw new Error('sample is too small');
  const merged = [...sample1.map((value) => ({ value, first: true })), ...sample2.map((value) => ({ value, first: false }))];
  merged.sort((a, b) => a.value - b.value);

  // Ties share the mean of the ranks they span.
  const tieSizes: number[] = [];
  let rankSum1 = 0;
  for (let i = 0; i < merged.length; ) {
    let j = i;
    let fromFirst = 0;
    while (j < merged.length && merged[j].value === merged[i].value) {
      if (merged[j].first) fromFirst++;
      j++;
    }
    rankSum1 += ((i + 1 + j) / 2) * fromFirst;
    tieSizes.push(j - i);
    i = j;
  }
  const hasTies = tieSizes.some((t) => t > 1);
  const u1 = rankSum1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const uSmall = Math.min(u1, u2);

  const exact = hasTies
    ? n1 <= exactUTestTiesLimit && n2 <= exactUTestTiesLimit
    : n1 <= exactUTestLimit && n2 <= exactUTestLimit;
  if (exact) {
    if (tieSizes.length === 1) throw new SamplesEqualError();
    const p = u1 === u2 ? 1 : 2 * (hasTies ? exactUCdfTies(n1, n2, tieSizes, uSmall) : exactUCdfNoTies(n1, n2, uSmall));
    return { u: u1, p };
  }
  const n = n1 + n2;
  const tieCorrection = tieSizes.reduce((sum, t) => sum + t * t * t - t, 0);
  const sigma = Math.sqrt((n1 * n2 * (n + 1 - tieCorrection / (n * (n - 1)))) / 12);
  if (sigma === 0) throw new SamplesEqualError();
  let numerator = u1 - (n1 * n2) / 2;
  numerator -= Math.sign(numerator) * 0.5; // continuity correction
  const z = numerator / sigma;
  const below = normalCdf(z);
  return { u: u1, p: 2 * Math.min(below, 1 - below) };
}

// The exact distributions below are computed the way benchmath computes
// them, in the same order of floating-point operations and with its
// binomial coefficients, because benchstat prints p to three decimals and a
// p that is exactly halfway (0.8125) prints differently after an error in
// the last bit.

/**
 * P(U1 ≤ u) without ties, by the classic recurrence on sample sizes
 * p(n, m, u) = (n·p(n−1, m, u−m) + m·p(n, m−1, u)) / (n+m), built up over m.
 */
function exactUCdfNoTies(n1: number, n2: number, u: number): number {
  if (u < 0) return 0;
  if (u >= n1 * n2) return 1;
  let bound = Math.floor(u);
  const flip = bound >= Math.floor((n1 * n2 + 1) / 2);
  if (flip) bound = n1 * n2 - bound - 1;
  const small = Math.min(n1, n2);
  const large = Math.max(n1, n2);
  const rows = Array.from({ length: small + 1 }, () => new Float64Array(bound + 1));
  for (let m = 0; m <= large; m++) {
    rows[0][0] = 1;
    for (let n = 1; n <= Math.min(small, m); n++) {
      const fewerFirst = rows[n - 1];
      // p(n, m−1) is row n from the previous m, or by symmetry row m−1 when n = m.
      const fewerSecond = n <= m - 1 ? rows[n] : rows[m - 1];
      const out = rows[n];
      for (let x = Math.min(bound, n * m); x >= 0; x--) {
        const left = x - m >= 0 ? n * fewerFirst[x - m] : 0;
        out[x] = (left + m * fewerSecond[x]) / (n + m);
      }
    }
  }
  let p = 0;
  for (let x = 0; x <= bound; x++) p += rows[small][x];
  return flip ? 1 - p : p;
}

/**
 * P(U1 ≤ u) with ties, by Cheung and Klotz's recursion over tie groups:
 * A_k(n1, 2U) counts the ways to place n1 members of sample 1 in the first
 * k groups with doubled statistic at most 2U. Only the states reachable
 * from the final one are visited (top-down), then filled in bottom-up.
 *
 * Two quirks of benchmath are kept for agreement: in the two-group base
 * case the largest admissible count is found with an integer division that
 * truncates toward zero, so a bound below every possible U still admits
 * one term; and with only two distinct values overall that makes
 * benchstat print p-values above 1 (p=1.250 for 0,0,0,0,0,8 B/op against
 * ten 0 B/op). Such p-values are never significant.
 */
function exactUCdfTies(n1: number, n2: number, tieSizes: readonly number[], u: number): number {
  if (u < 0) return 0;
  if (u >= n1 * n2) return 1;
  const t = tieSizes;
  const groups = t.length;
  // offsets[k] (1-based k): twice the mid-rank of group k.
  const offsets = new Array<number>(groups + 1).fill(0);
  offsets[1] = t[0];
  for (let k = 2; k <= groups; k++) offsets[k] = offsets[k - 1] + t[k - 2] + t[k - 1];
  const extreme = (count: number, k: number, fromTop: boolean) => {
    let twoU = -count * count;
    let left = count;
    for (let i = fromTop ? k : 1; fromTop ? i > 0 : i <= k; i += fromTop ? -1 : 1) {
      const take = Math.min(left, t[i - 1]);
      twoU += take * offsets[i];
      left -= take;
    }
    return twoU;
  };
  const key = (count: number, twoU: number) => `${count},${twoU}`;
  const states: Map<string, { count: number; twoU: number; ways: number }>[] = [];
  const twoUTarget = Math.trunc(2 * u);
  states[groups] = new Map([[key(n1, twoUTarget), { count: n1, twoU: twoUTarget, ways: 0 }]]);
  let before = t.reduce((a, b) => a + b, 0);
  for (let k = groups - 1; k >= 2; k--) {
    before -= t[k];
    states[k] = new Map();
    for (const state of states[k + 1].values()) {
      for (let r = Math.max(0, state.count - before); r <= Math.min(state.count, t[k]); r++) {
        const twoU = state.twoU - r * (offsets[k + 1] - 2 * state.count + r);
        const count = state.count - r;
        if (extreme(count, k, false) <= twoU && twoU <= extreme(count, k, true)) {
          states[k].set(key(count, twoU), { count, twoU, ways: 0 });
        }
      }
    }
  }
  const firstTwo = t[0] + t[1];
  for (const state of states[2].values()) {
    let ways = 0;
    const most = Math.trunc((state.twoU - state.count * (t[0] - state.count)) / firstTwo);
    for (let r = Math.max(0, state.count - t[0]); r <= most; r++) {
      ways += chooseAsBenchmath(t[0], state.count - r) * chooseAsBenchmath(t[1], r);
    }
    state.ways = ways;
  }
  let placed = t[0];
  for (let k = 3; k <= groups; k++) {
    placed += t[k - 2];
    for (const state of states[k].values()) {
      let ways = 0;
      for (let r = Math.max(0, state.count - placed); r <= Math.min(state.count, t[k - 1]); r++) {
        const twoU = state.twoU - r * (offsets[k] - 2 * state.count + r);
        const count = state.count - r;
        const known = states[k - 1].get(key(count, twoU));
        let below = known ? known.ways : 0;
        // Unvisited states above the largest possible statistic count every placement.
        if (!known && extreme(count, k - 1, true) < twoU) below = chooseAsBenchmath(placed, count);
        ways += below * chooseAsBenchmath(t[k - 1], r);
      }
      state.ways = ways;
    }
  }
  return states[groups].get(key(n1, twoUTarget))!.ways / chooseAsBenchmath(n1 + n2, n1);
}

// The smallest p-value the U test can give with n samples on each side.
function minUTestP(n: number): number {
  return 2 / choose(2 * n, n);
}

function samplesForUTest(alpha: number): { op: string; n: number } {
  const limit = 9;
  for (let n = 1; n <= limit; n++) if (minUTestP(n) <= alpha) return { op: '>=', n };
  return { op: '>', n: limit + 1 };
}

/** Compares a baseline sample with a new one, warning when the samples are too small to ever differ significantly. */
export function compare(
  baseline: readonly number[],
  current: readonly number[],
  alpha = DEFAULT_ALPHA,
  assumption: Assumption = 'nothing',
): Comparison {
  const n1 = baseline.length;
  const n2 = current.length;
  if (assumption === 'exact') return { p: 0, n1, n2, alpha: 0, warnings: [] };
  let p: number;
  try {
    p = mannWhitneyU(baseline, current).p;
  } catch (e) {
    return { p: 1, n1, n2, alpha, warnings: [(e as Error).message] };
  }
  const warnings: string[] = [];
  if (p > alpha) {
    const need = samplesForUTest(alpha);
    if (n1 < need.n && n2 < need.n) {
      warnings.push(`need ${need.op} ${need.n} samples to detect a difference at alpha level ${formatGoFloat(alpha)}`);
    }
  }
  return { p, n1, n2, alpha, warnings };
}

export function isSignificant(comparison: Comparison): boolean {
  return comparison.p <= comparison.alpha;
}

/** `~` when the difference is noise, else the change of the centers as `+12.40%`. */
export function formatDelta(comparison: Comparison, oldCenter: number, newCenter: number): string {
  if (!isSignificant(comparison)) return '~';
  if (oldCenter === newCenter) return '0.00%';
  if (oldCenter === 0) return '?';
  return formatSignedPercent((newCenter / oldCenter - 1) * 100);
}

export function formatSignedPercent(percent: number): string {
  const text = formatGoFixed(percent, 2);
  return `${text.startsWith('-') ? '' : '+'}${text}%`;
}

/** `p=0.002 n=10`, or `n=10+8` for unequal sizes; exact comparisons have no p. */
export function formatComparison(comparison: Comparison): string {
  const p = comparison.p !== 0 ? `p=${formatGoFixed(comparison.p, 3)} ` : '';
  const n = comparison.n1 === comparison.n2 ? `${comparison.n1}` : `${comparison.n1}+${comparison.n2}`;
  return `${p}n=${n}`;
}

/** The half-width of the interval as a percentage of the center (`4%`), `∞` when unbounded. */
export function formatRange(summary: Summary): string {
  const { center, low, high } = summary;
  if (!Number.isFinite(low) || !Number.isFinite(high)) return '∞';
  if (Math.sign(center) !== Math.sign(low) || Math.sign(center) !== Math.sign(high)) return '?';
  if (center === 0) return '0%';
  return `${formatGoFixed(100 * Math.max(high / center - 1, 1 - low / center), 0)}%`;
}

/** Geometric mean (running mean of logs); NaN when empty or when a value is not positive. */
export function geomean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let meanLog = 0;
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] > 0)) return NaN;
    meanLog += (Math.log(values[i]) - meanLog) / (i + 1);
  }
  return Math.exp(meanLog);
}

export interface TableCell {
  /** The sample in the order it was read. */
  values: number[];
  summary: Summary;
  /** Against the first column's cell of the same row, when both exist. */
  comparison?: Comparison;
  /** `~`, `+12.40%`, … (only with a comparison). */
  delta?: string;
}

export interface TableRow {
  /** Benchmark name as benchstat prints it: no `Benchmark` prefix, GOMAXPROCS suffix kept. */
  name: string;
  /** One entry per column; undefined where that input has no result for the row. */
  cells: (TableCell | undefined)[];
}

export interface ColumnSummary {
  /** Geometric mean of the column's centers, when all are positive. */
  geomean?: number;
  /** Geometric mean of the ratios to the baseline (not for the first column). */
  ratio?: number;
  warnings: string[];
}

export interface BenchTable {
  /** File configuration shared by the table's results (goos, goarch, pkg, cpu, …). */
  config: [string, string][];
  unit: string;
  assumption: Assumption;
  /** Column labels: the input names in the order given. */
  columns: string[];
  rows: TableRow[];
  summaries: ColumnSummary[];
}

export interface BenchInput {
  label: string;
  results: readonly { name: string; values: readonly { value: number; unit: string }[]; config: readonly [string, string][] }[];
  /** Unit metadata (`Unit sec/op assume=exact`), by normalised unit. */
  units?: readonly { unit: string; key: string; value: string }[];
}

export interface TableOptions {
  confidence?: number;
  alpha?: number;
}

/** Orders values by when they were first seen, like benchstat's default "first" order. */
class FirstSeen {
  private readonly order = new Map<string, number>();
  see(value: string): number {
    let index = this.order.get(value);
    if (index === undefined) {
      index = this.order.size;
      this.order.set(value, index);
    }
    return index;
  }
  rank(value: string): number {
    return this.order.get(value) ?? 0;
  }
}

/**
 * Splits results into one table per configuration and unit, with a row per
 * benchmark name and a column per input, and fills in summaries,
 * comparisons against the first input and geomean rows.
 */
export function buildTables(inputs: readonly BenchInput[], options: TableOptions = {}): BenchTable[] {
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const configKeys = new FirstSeen();
  const configValues = new Map<string, FirstSeen>();
  const unitOrder = new FirstSeen();
  const nameOrder = new FirstSeen();
  const exactUnits = new Set<string>();
  for (const input of inputs) {
    for (const metadata of input.units ?? []) {
      if (metadata.key === 'assume' && metadata.value === 'exact') exactUnits.add(metadata.unit);
    }
  }

  interface Pending {
    config: Map<string, string>;
    unit: string;
    cells: Map<string, number[][]>; // name -> values per column
  }
  const tables = new Map<string, Pending>();
  inputs.forEach((input, column) => {
    for (const result of input.results) {
      const config = new Map(result.config);
      for (const [key, value] of result.config) {
        configKeys.see(key);
        let seen = configValues.get(key);
        if (!seen) configValues.set(key, (seen = new FirstSeen()));
        seen.see(value);
      }
      nameOrder.see(result.name);
      for (const { value, unit } of result.values) {
        unitOrder.see(unit);
        const id = JSON.stringify([[...config].sort(), unit]);
        let table = tables.get(id);
        if (!table) tables.set(id, (table = { config, unit, cells: new Map() }));
        let cell = table.cells.get(result.name);
        if (!cell) table.cells.set(result.name, (cell = inputs.map(() => [])));
        cell[column].push(value);
      }
    }
  });

  const sortKey = (table: Pending): number[] => {
    const keys = [...configValues.keys()].sort((a, b) => configKeys.rank(a) - configKeys.rank(b));
    return [...keys.map((key) => (table.config.has(key) ? configValues.get(key)!.rank(table.config.get(key)!) : -1)), unitOrder.rank(table.unit)];
  };
  const ordered = [...tables.values()].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });

  return ordered.map((pending) => {
    const assumption: Assumption = exactUnits.has(pending.unit) ? 'exact' : 'nothing';
    const names = [...pending.cells.keys()].sort((a, b) => nameOrder.rank(a) - nameOrder.rank(b));
    // Columns without any result in this table are left out, as benchstat does.
    const present = inputs.map((_, column) => names.some((name) => pending.cells.get(name)![column].length > 0));
    const columnIndexes = inputs.map((_, i) => i).filter((i) => present[i]);
    const rows: TableRow[] = names.map((name) => {
      const samples = pending.cells.get(name)!;
      const cells: (TableCell | undefined)[] = columnIndexes.map((column) => {
        const values = samples[column];
        return values.length === 0 ? undefined : { values, summary: summarize(values, confidence, assumption) };
      });
      const baseline = cells[0];
      cells.forEach((cell, i) => {
        if (i === 0 || !cell || !baseline) return;
        cell.comparison = compare(baseline.values, cell.values, alpha, assumption);
        cell.delta = formatDelta(cell.comparison, baseline.summary.center, cell.summary.center);
      });
      return { name, cells };
    });
    const baselineCount = rows.filter((row) => row.cells[0]).length;
    const summaries = columnIndexes.map((_, i) => summarizeColumn(rows, i, baselineCount));
    return {
      config: [...pending.config],
      unit: pending.unit,
      assumption,
      columns: columnIndexes.map((i) => inputs[i].label),
      rows,
      summaries,
    };
  });
}

function summarizeColumn(rows: readonly TableRow[], column: number, baselineCount: number): ColumnSummary {
  const centers: number[] = [];
  const ratios: number[] = [];
  let badRatio = false;
  for (const row of rows) {
    const cell = row.cells[column];
    if (!cell) continue;
    centers.push(cell.summary.center);
    const baseline = column > 0 ? row.cells[0] : undefined;
    if (!baseline) continue;
    const now = cell.summary.center;
    const before = baseline.summary.center;
    if (now === before) ratios.push(1);
    else if (before === 0) {
      badRatio = true;
      ratios.push(0);
    } else ratios.push(now / before);
  }
  const warnings: string[] = [];
  const isBaseline = column === 0;
  if (!isBaseline && ratios.length !== baselineCount) {
    warnings.push('benchmark set differs from baseline; geomeans may not be comparable');
  }
  const summary: ColumnSummary = { warnings };
  const centerMean = geomean(centers);
  if (Number.isNaN(centerMean)) warnings.push('summaries must be >0 to compute geomean');
  else summary.geomean = centerMean;
  if (!isBaseline && !badRatio) {
    const ratioMean = geomean(ratios);
    if (Number.isNaN(ratioMean)) warnings.push('ratios must be >0 to compute geomean');
    else summary.ratio = ratioMean;
  }
  return summary;
}
