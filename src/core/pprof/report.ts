// Text reports in the format of `go tool pprof -top -nodefraction=0`:
// the same header lines, unit scaling and percentages, so the output can
// be compared line by line with pprof's.

import type { Aggregate } from './model';
import type { Profile } from './decode';
import { functionNodes, PairMap } from './aggregate';
import { percentage, scaledLabel, scaleValue } from './units';

/** pprof's choice of output unit: readable for the smallest shown value. */
function selectOutputUnit(values: { flat: number; cum: number }[], total: number, sampleUnit: string): string {
  if (values.length === 0) return 'minimum';
  let minValue = 0;
  for (const n of values) {
    let nodeMin = Math.abs(n.flat);
    if (nodeMin === 0) nodeMin = Math.abs(n.cum);
    if (nodeMin > 0 && (minValue === 0 || nodeMin < minValue)) minValue = nodeMin;
  }
  const maxValue = total;
  if (minValue === 0) minValue = maxValue;
  const minUnit = scaleValue(minValue, sampleUnit, 'minimum')[1];
  const maxUnit = scaleValue(maxValue, sampleUnit, 'minimum')[1];
  let unit = minUnit;
  if (minUnit !== maxUnit && minValue * 100 < maxValue) unit = scaleValue(100 * minValue, sampleUnit, 'minimum')[1];
  return unit !== '' ? unit : sampleUnit;
}

function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** Go's "2006-01-02 15:04:05 MST" in the local time zone. */
function formatTime(nanos: bigint): string {
  const d = new Date(Number(nanos / 1_000_000n));
  const p = (n: number) => String(n).padStart(2, '0');
  const zone =
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')
      ?.value ?? '';
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone}`;
}

/** pprof drops call edges lighter than this fraction before labelling nodes. */
const EDGE_FRACTION = 0.001;

/**
 * pprof's "(inline)" / "(partial-inline)" marks: a function is inline when
 * every call edge into it (recursion excluded) came from inlining, partial
 * when some did. Like pprof, each edge counts once per sample (its first
 * occurrence from the root) and edges under 0.1% of the total are ignored.
 */
/**
 * With `kept` (pprof's -nodecount), edges run from each frame's nearest kept
 * caller, as in the graph pprof rebuilds from the kept nodes only: a kept
 * function none of whose callers is kept gets no mark.
 */
export function inlineMarks(
  profile: Profile,
  agg: Aggregate,
  kept?: Uint8Array,
): ('' | 'inline' | 'partial-inline')[] {
  const { lineNode, locationNode } = functionNodes(profile, agg.granularity);
  const funcCount = agg.functions.length;
  const { samples, locations } = profile;
  const typeCount = profile.sampleTypes.length;
  const edges = new PairMap(1024);
  const weight: number[] = [];
  const inline: boolean[] = [];
  const lastSample: number[] = [];
  let flatSum = 0;
  let sample = 0;
  let value = 0;
  let parent = -1;
  let anyFrame = false;
  const visit = (fn: number, inlined: boolean) => {
    anyFrame = true;
    if (kept && !kept[fn]) return;
    if (parent >= 0 && parent !== fn) {
      let e = edges.get(parent, fn);
      if (e < 0) {
        e = weight.length;
        edges.add(parent, fn, e);
        weight.push(0);
        inline.push(true);
        lastSample.push(-1);
      }
      if (lastSample[e] !== sample) {
        lastSample[e] = sample;
        weight[e] += value;
        if (!inlined) inline[e] = false;
      }
    }
    parent = fn;
  };
  for (sample = 0; sample < samples.count; sample++) {
    value = samples.values[sample * typeCount + agg.sampleIndex];
    if (value === 0) continue;
    parent = -1;
    anyFrame = false;
    for (let i = samples.stackEnd[sample] - 1; i >= samples.stackStart[sample]; i--) {
      const loc = samples.stack[i];
      const ls = locations.lineStart[loc];
      const le = locations.lineEnd[loc];
      if (ls === le) visit(locationNode[loc], false);
      for (let j = le - 1; j >= ls; j--) visit(lineNode[j], j !== le - 1);
    }
    // pprof takes the edge cutoff from the graph before -nodecount trims it.
    if (anyFrame) flatSum += value;
  }
  const cutoff = Math.abs(Math.trunc(flatSum * EDGE_FRACTION));
  const hasInline = new Uint8Array(funcCount);
  const hasCall = new Uint8Array(funcCount);
  edges.forEach((_caller, callee, e) => {
    if (Math.abs(weight[e]) < cutoff) return;
    if (inline[e]) hasInline[callee] = 1;
    else hasCall[callee] = 1;
  });
  return Array.from({ length: funcCount }, (_, f) =>
    hasInline[f] ? (hasCall[f] ? 'partial-inline' : 'inline') : '',
  );
}

export interface TopOptions {
  /** Show only the first N rows (0 or undefined: all). */
  nodeCount?: number;
  /** The filters applied, as pprof lists them ("focus=Parse"). */
  activeFilters?: string[];
}

/** The header lines pprof prints above a report (File, Type, Time, Duration...). */
export function profileLabels(profile: Profile, agg: Aggregate, format: (v: number) => string): string[] {
  const label: string[] = [];
  const first = profile.mappings[0];
  if (first) {
    if (first.file !== '') label.push(`File: ${basename(first.file)}`);
    if (first.buildId !== '') label.push(`Build ID: ${first.buildId}`);
  }
  for (const c of profile.comments) if (!c.startsWith('#')) label.push(c);
  label.push(`Type: ${agg.sampleType.type}`);
  if (profile.docUrl !== '') label.push(`Doc: ${profile.docUrl}`);
  if (profile.timeNanos !== 0n) label.push(`Time: ${formatTime(profile.timeNanos)}`);
  if (profile.durationNanos !== 0) {
    const duration = scaledLabel(profile.durationNanos, 'nanoseconds', 'auto');
    const [totalNanos, totalUnit] = scaleValue(agg.total, agg.sampleType.unit, 'nanoseconds');
    const ratio = totalUnit === 'ns' && totalNanos !== 0 ? `(${percentage(totalNanos, profile.durationNanos)})` : '';
    label.push(`Duration: ${duration}, Total samples = ${format(agg.total)} ${ratio}`);
  }
  return label;
}

/** The text of `go tool pprof -top -nodefraction=0 [-nodecount=N]`. */
export function formatTop(profile: Profile, agg: Aggregate, opts: TopOptions = {}): string {
  const shown = opts.nodeCount && opts.nodeCount > 0 ? agg.rows.slice(0, opts.nodeCount) : agg.rows;
  const sampleUnit = agg.sampleType.unit.toLowerCase();
  const outputUnit = selectOutputUnit(shown, agg.total, sampleUnit);
  const format = (v: number) => scaledLabel(v, sampleUnit, outputUnit);
  const lines = profileLabels(profile, agg, format);
  if (opts.activeFilters && opts.activeFilters.length > 0) {
    lines.push('Active filters:');
    for (const f of opts.activeFilters) lines.push(`   ${f.length > 80 ? f.slice(0, 80) + '…' : f}`);
  }
  const shownTotal = shown.reduce((sum, r) => sum + r.flat, 0);
  lines.push(
    `Showing nodes accounting for ${format(shownTotal)}, ${percentage(shownTotal, agg.total).trim()} of ${format(agg.total)} total`,
  );
  if (agg.total !== 0 && shown.length < agg.rows.length) {
    lines.push(`Showing top ${shown.length} nodes out of ${agg.rows.length}`);
  }
  lines.push(`${'flat'.padStart(10)} ${'flat'.padStart(5)}% ${'sum'.padStart(5)}% ${'cum'.padStart(10)} ${'cum'.padStart(5)}%`);
  let kept: Uint8Array | undefined;
  if (shown.length < agg.rows.length) {
    kept = new Uint8Array(agg.functions.length);
    for (const row of shown) kept[row.func] = 1;
  }
  const marks = inlineMarks(profile, agg, kept);
  let flatSum = 0;
  for (const row of shown) {
    flatSum += row.flat;
    const mark = marks[row.func] ? ` (${marks[row.func]})` : '';
    lines.push(
      `${format(row.flat).padStart(10)} ${percentage(row.flat, agg.total)} ${percentage(flatSum, agg.total)} ${format(row.cum).padStart(10)} ${percentage(row.cum, agg.total)}  ${agg.functions[row.func].name}${mark}`,
    );
  }
  return lines.join('\n') + '\n';
}
