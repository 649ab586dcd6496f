// What the editor shows beside a benchmark function: its latest result per
// sub-benchmark (`1.230 µs/op ±2% · 48 B/op · 2 allocs/op`) and, against a
// baseline run, benchstat's verdict (`-12.40% (p=0.002 n=10)` or `~`).
// Numbers come from the same tables `goperf benchstat` prints, so they
// agree with benchstat on the runs' benchfmt export.
import { isBinaryUnit } from './benchfmt';
import { benchstatCells, isRegression } from './comparison';
import { splitProcs } from './parse';
import { commonScale, formatScaled } from './scale';
import { formatComparison, formatRange, type BenchTable, type TableCell } from './stats';
import { compareRuns, type RunRecord, type StoredResult } from './store';

export interface BenchLensRow {
  /** The sub-benchmark (`lines=100`), with `-GOMAXPROCS` when the run used several; '' for the function itself. */
  label: string;
  /** Latest values, the time unit first: `1.230 µs/op ±2% · 48 B/op · 2 allocs/op`. */
  result: string;
  /** Against the baseline, for the time unit (else the first): `-12.40% (p=0.002 n=10)`, `~ (p=0.420 n=10)`. */
  delta?: string;
  /** Whether that difference is significant and the new value is higher (worse for times and sizes). */
  regression?: boolean;
  /** One line per unit for a tooltip, benchstat's columns: `sec/op: 1.405µ ± 2% → 1.230µ ± 1%  -12.40% (p=0.002 n=10)`. */
  details: string[];
  /** benchstat's warnings for the row (too few samples, …). */
  warnings: string[];
}

/** Whether a stored result belongs to the benchmark function (itself or a sub-benchmark). */
export function belongsTo(result: Pick<StoredResult, 'name'>, benchmark: string): boolean {
  return result.name === benchmark || result.name.startsWith(`${benchmark}/`);
}

const unitOrder = ['sec/op', 'B/op', 'allocs/op'];

function rankUnit(unit: string): number {
  const index = unitOrder.indexOf(unit);
  return index === -1 ? unitOrder.length : index;
}

/** `1.230 µs/op`, `48 B/op`, `2.001k allocs/op`: benchstat's scaled number with the prefix moved onto the unit where it reads naturally. */
export function formatBenchQuantity(value: number, unit: string): string {
  const scaler = commonScale([value], isBinaryUnit(unit));
  const scaled = formatScaled(value, scaler);
  const number = scaled.slice(0, scaled.length - scaler.prefix.length).replace(/\.0+$/, '');
  if (unit.startsWith('sec/')) return `${number} ${scaler.prefix}s/${unit.slice(4)}`;
  if (isBinaryUnit(unit) && /^B\b/.test(unit)) return `${number} ${scaler.prefix}${unit}`;
  return `${number}${scaler.prefix} ${unit}`;
}

function cellText(cell: TableCell, unit: string, withRange: boolean): string {
  const range = formatRange(cell.summary);
  const shown = withRange && range !== '∞' && range !== '?' ? ` ±${range}` : '';
  return `${formatBenchQuantity(cell.summary.center, unit)}${shown}`;
}

/**
 * The rows for one benchmark function: the latest run's results, and
 * the comparison with the baseline run when one is given and has results
 * for the same names. Runs are compared by name and unit only, so a
 * baseline imported from another machine still compares.
 */
export function benchmarkLens(benchmark: string, latest: RunRecord, baseline?: RunRecord): BenchLensRow[] {
  const select = (result: StoredResult) => belongsTo(result, benchmark);
  const runs = baseline && baseline.id !== latest.id ? [baseline, latest] : [latest];
  const tables: BenchTable[] = compareRuns(runs, { select, ignoreConfig: true }).sort((a, b) => rankUnit(a.unit) - rankUnit(b.unit));
  const latestColumn = (table: BenchTable) => table.columns.indexOf(latest.id);

  const names: string[] = [];
  for (const table of tables) {
    const column = latestColumn(table);
    if (column === -1) continue;
    for (const row of table.rows) if (row.cells[column] && !names.includes(row.name)) names.push(row.name);
  }
  const procsOf = (name: string) => splitProcs(`Benchmark${name}`).procs;
  const severalProcs = new Set(names.map(procsOf)).size > 1;

  return names.map((name) => {
    const { name: fullName, procs } = splitProcs(`Benchmark${name}`);
    const sub = fullName === benchmark ? '' : fullName.slice(benchmark.length + 1);
    const label = severalProcs ? `${sub}${sub ? '-' : ''}${procs}` : sub;
    const parts: string[] = [];
    const details: string[] = [];
    const warnings = new Set<string>();
    let delta: string | undefined;
    let regression: boolean | undefined;
    for (const table of tables) {
      const row = table.rows.find((r) => r.name === name);
      const column = latestColumn(table);
      const cell = row && column !== -1 ? row.cells[column] : undefined;
      if (!row || !cell) continue;
      parts.push(cellText(cell, table.unit, parts.length === 0));
      for (const warning of cell.summary.warnings) warnings.add(warning);
      const before = column > 0 ? row.cells[0] : undefined;
      if (before && cell.comparison && cell.delta !== undefined) {
        for (const warning of cell.comparison.warnings) warnings.add(warning);
        const verdict = `${cell.delta.replace(/^-/, '−')} (${formatComparison(cell.comparison)})`;
        const [was, now] = benchstatCells([before, cell], table.unit);
        details.push(`${table.unit}: ${was} → ${now}  ${verdict}`);
        if (delta === undefined) {
          delta = verdict;
          regression = cell.delta !== '~' && isRegression(table.unit, before.summary.center, cell.summary.center);
        }
      } else {
        details.push(`${table.unit}: ${benchstatCells([cell], table.unit)[0]}${baseline ? ' (no baseline value)' : ''}`);
      }
    }
    return { label, result: parts.join(' · '), delta, regression, details, warnings: [...warnings] };
  });
}
