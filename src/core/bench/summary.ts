// Condenses parsed benchmark results into the one-line summaries the editor
// shows (notification, CodeLens), e.g.
// `BenchmarkParse: 581,929 ns/op · 274,689 B/op · 2,001 allocs/op · 144.9 MB/s`.
import type { BenchMeasurement, BenchResult } from './parse';

export interface BenchSummary {
  /** The name, with `-GOMAXPROCS` only when the results hold several GOMAXPROCS values for it (`-cpu 1,4`). */
  label: string;
  name: string;
  procs: number;
  /** How many result lines (runs from -count) the values summarize. */
  runs: number;
  /** Median per unit, in the order the editor shows them. */
  measurements: BenchMeasurement[];
}

// The units people compare first; the rest follow in the order `go test` printed them.
const preferredUnits = ['ns/op', 'B/op', 'allocs/op', 'MB/s'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One summary per benchmark name and GOMAXPROCS, in the order they first appeared. */
export function summarizeResults(results: readonly BenchResult[]): BenchSummary[] {
  const groups = new Map<string, BenchResult[]>();
  for (const result of results) {
    const key = `${result.name}\u0000${result.procs}`;
    const group = groups.get(key);
    if (group) group.push(result);
    else groups.set(key, [result]);
  }
  const procsByName = new Map<string, Set<number>>();
  for (const { name, procs } of results) {
    const seen = procsByName.get(name);
    if (seen) seen.add(procs);
    else procsByName.set(name, new Set([procs]));
  }
  return [...groups.values()].map((group) => {
    const units: string[] = [];
    const valuesByUnit = new Map<string, number[]>();
    for (const result of group) {
      for (const { unit, value } of result.measurements) {
        const values = valuesByUnit.get(unit);
        if (values) values.push(value);
        else {
          units.push(unit);
          valuesByUnit.set(unit, [value]);
        }
      }
    }
    const rank = (unit: string) => {
      const index = preferredUnits.indexOf(unit);
      return index === -1 ? preferredUnits.length : index;
    };
    const ordered = units
      .map((unit, order) => ({ unit, order }))
      .sort((a, b) => rank(a.unit) - rank(b.unit) || a.order - b.order);
    const { name, procs } = group[0];
    return {
      label: procsByName.get(name)!.size > 1 ? `${name}-${procs}` : name,
      name,
      procs,
      runs: group.length,
      measurements: ordered.map(({ unit }) => ({ unit, value: median(valuesByUnit.get(unit)!) })),
    };
  });
}

const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fewDigits = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

/** Large values as grouped integers, small ones with four significant digits. */
export function formatBenchValue(value: number): string {
  return Math.abs(value) >= 1000 ? wholeNumber.format(value) : fewDigits.format(value);
}

export function formatMeasurements(measurements: readonly BenchMeasurement[]): string {
  return measurements.map(({ value, unit }) => `${formatBenchValue(value)} ${unit}`).join(' · ');
}

export function formatSummary(summary: BenchSummary): string {
  const runs = summary.runs > 1 ? ` (median of ${summary.runs})` : '';
  return `${summary.label}: ${formatMeasurements(summary.measurements)}${runs}`;
}
