// The whole benchmark history as rows for the results panel: one row per
// run and benchmark (sub-benchmark, GOMAXPROCS), with benchstat's summary
// (median, confidence interval, n) per unit, and one row for a run without
// results that says what happened. Also the messages between the panel and
// the extension host.
import type { RunComparison } from './comparison';
import { formatRange } from './stats';
import { compareRuns, type RunRecord, type RunStatus } from './store';

export interface HistoryCell {
  median: number;
  /** Confidence interval bounds; null when the sample is too small for one. */
  low: number | null;
  high: number | null;
  /** benchstat's CI column: the interval's half-width in percent (`4%`), `∞` when too small a sample. */
  range: string;
  n: number;
}

export interface HistoryRow {
  runId: string;
  startedAt: string;
  status: RunStatus;
  message?: string;
  commit?: string;
  dirty?: boolean;
  importedFrom?: string;
  /** Name as benchstat prints it (`Pipeline/lines=100-2`); '' for a run without results. */
  name: string;
  /** Per unit in benchstat's units (sec/op, B/op, allocs/op, B/s, custom). */
  cells: Record<string, HistoryCell>;
}

/** A run the panel offers for a comparison: one with results. */
export interface HistoryRun {
  runId: string;
  startedAt: string;
  status: RunStatus;
  commit?: string;
  dirty?: boolean;
  importedFrom?: string;
  /** Benchmark names as benchstat prints them. */
  names: string[];
}

export interface HistoryData {
  rows: HistoryRow[];
  /** Runs with results, oldest first. */
  runs: HistoryRun[];
  /** Units present, the usual ones first. */
  units: string[];
  /** Baselines marked per benchmark function: run ids. */
  baselineRuns: string[];
}

export type ResultsToWebview =
  | { type: 'history'; data: HistoryData }
  /** Two runs side by side; `labels` name the old and the new run. */
  | { type: 'comparison'; comparison: RunComparison; labels: [string, string] }
  | { type: 'comparisonError'; message: string };
export type ResultsFromWebview =
  | { type: 'ready' }
  | { type: 'compare'; oldRunId: string; newRunId: string }
  | { type: 'closeComparison' }
  /** The differential flame graph of the compared runs' profiles of this kind (cpu, mem). */
  | { type: 'openDiff'; kind: string };

const usualUnits = ['sec/op', 'B/op', 'allocs/op'];
const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

export function historyRows(runs: readonly RunRecord[]): HistoryData {
  const rows: HistoryRow[] = [];
  const historyRuns: HistoryRun[] = [];
  const units = new Set<string>();
  for (const run of runs) {
    if (run.status === 'running') continue;
    const identity = {
      runId: run.id,
      startedAt: run.startedAt,
      status: run.status,
      ...(run.git ? { commit: run.git.commit, dirty: run.git.dirty } : {}),
      ...(run.importedFrom ? { importedFrom: run.importedFrom } : {}),
    };
    const common = { ...identity, ...(run.message ? { message: run.message } : {}) };
    const byName = new Map<string, HistoryRow>();
    for (const table of compareRuns([run], { ignoreConfig: true })) {
      units.add(table.unit);
      for (const row of table.rows) {
        const cell = row.cells[0];
        if (!cell) continue;
        let entry = byName.get(row.name);
        if (!entry) byName.set(row.name, (entry = { ...common, name: row.name, cells: {} }));
        entry.cells[table.unit] = { median: cell.summary.center, low: finiteOrNull(cell.summary.low), high: finiteOrNull(cell.summary.high), range: formatRange(cell.summary), n: cell.values.length };
      }
    }
    if (byName.size === 0) rows.push({ ...common, name: '', cells: {} });
    else historyRuns.push({ ...identity, names: [...byName.keys()] });
    rows.push(...byName.values());
  }
  const rank = (unit: string) => (usualUnits.includes(unit) ? usualUnits.indexOf(unit) : usualUnits.length);
  return { rows, runs: historyRuns, units: [...units].sort((a, b) => rank(a) - rank(b)), baselineRuns: [] };
}
