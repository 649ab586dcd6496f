// Two recorded runs compared the way `benchstat old.txt new.txt` compares
// their benchfmt exports: one table per configuration and unit, a row per
// benchmark with both cells scaled together, the delta or `~`, p and n, the
// geomean row and benchstat's warnings. Configuration keys whose values
// differ between the runs (another machine's cpu, an import without a pkg
// line) are ignored as `benchstat -ignore` would, so a CI run still compares
// with a local one; the comparison says which.
import { isBinaryUnit, readBenchfmt } from './benchfmt';
import { commonScale, formatScaled } from './scale';
import { formatComparison, formatRange, formatSignedPercent, isSignificant, type TableCell } from './stats';
import { compareRuns, exportBenchfmt, type RunRecord } from './store';

export interface ComparedCell {
  /** As benchstat prints it, scaled together with the other cell of the row: `1.405µ ± 2%`. */
  text: string;
  median: number;
  n: number;
}

export interface ComparisonRow {
  /** As benchstat prints it: `Pipeline/lines=100-2`. */
  name: string;
  old?: ComparedCell;
  new?: ComparedCell;
  /** `~` when the difference is noise, else `+12.40%`; absent when one run lacks the row. */
  delta?: string;
  /** `p=0.002 n=10`, `n=6+5`. */
  pn?: string;
  p?: number;
  /** A significant change for the worse: higher for times and sizes, lower for rates (`/s`). */
  regression?: boolean;
  /** benchstat's footnotes for the row, in the order it numbers them. */
  warnings: string[];
}

export interface ComparisonTable {
  /** File configuration benchstat prints above the table (`goos: linux`, …). */
  config: [string, string][];
  unit: string;
  rows: ComparisonRow[];
  /** benchstat's geomean row, printed when a table has more than one row. */
  geomean?: { old?: string; new?: string; delta: string };
  /** Footnotes of the geomean row. */
  warnings: string[];
}

export interface RunComparison {
  oldRunId: string;
  newRunId: string;
  /** Configuration keys that differ between the runs and were left out (`benchstat -ignore`). */
  ignoredKeys: string[];
  tables: ComparisonTable[];
  /** Profile kinds (cpu, mem) both runs recorded: a differential flame graph can be opened for them. */
  diffProfiles: string[];
}

/** Whether a significant change from `before` to `after` is for the worse in this unit. */
export function isRegression(unit: string, before: number, after: number): boolean {
  const higherIsBetter = unit.endsWith('/s');
  return after !== before && after > before !== higherIsBetter;
}

function configValues(run: RunRecord): Map<string, Set<string>> {
  const values = new Map<string, Set<string>>();
  for (const result of readBenchfmt(exportBenchfmt([run]), run.id).results) {
    for (const [key, value] of result.config) {
      let seen = values.get(key);
      if (!seen) values.set(key, (seen = new Set()));
      seen.add(value);
    }
  }
  return values;
}

function differingKeys(a: RunRecord, b: RunRecord): string[] {
  const va = configValues(a);
  const vb = configValues(b);
  const keys = [...new Set([...va.keys(), ...vb.keys()])];
  const same = (x?: Set<string>, y?: Set<string>) => !!x && !!y && x.size === y.size && [...x].every((value) => y.has(value));
  return keys.filter((key) => !same(va.get(key), vb.get(key)));
}

/** Cells as benchstat's text table prints them, scaled together like a row of it. */
export function benchstatCells(cells: readonly TableCell[], unit: string): string[] {
  const scaler = commonScale(cells.map((cell) => cell.summary.center), isBinaryUnit(unit));
  return cells.map((cell) => `${formatScaled(cell.summary.center, scaler)} ± ${formatRange(cell.summary)}`);
}

const superscriptDigits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** benchstat's footnote mark: `¹`, `¹²`. */
export const superscript = (n: number) => [...String(n)].map((digit) => superscriptDigits[Number(digit)]).join('');

const diffableKinds = ['cpu', 'mem'];

export function compareRunPair(oldRun: RunRecord, newRun: RunRecord): RunComparison {
  const ignoredKeys = differingKeys(oldRun, newRun);
  const tables = compareRuns([oldRun, newRun], { ignoreKeys: ignoredKeys }).map((table): ComparisonTable => {
    const oldColumn = table.columns.indexOf(oldRun.id);
    const newColumn = table.columns.indexOf(newRun.id);
    const binary = isBinaryUnit(table.unit);
    const rows = table.rows.map((row): ComparisonRow => {
      const before = oldColumn === -1 ? undefined : row.cells[oldColumn];
      const after = newColumn === -1 ? undefined : row.cells[newColumn];
      const present = [before, after].filter((cell): cell is TableCell => cell !== undefined);
      const texts = benchstatCells(present, table.unit);
      const cell = (c: TableCell | undefined): ComparedCell | undefined =>
        c && { text: texts[present.indexOf(c)], median: c.summary.center, n: c.values.length };
      const warnings = new Set([...(before?.summary.warnings ?? []), ...(after?.summary.warnings ?? []), ...(after?.comparison?.warnings ?? [])]);
      const compared = before && after?.comparison;
      return {
        name: row.name,
        old: cell(before),
        new: cell(after),
        ...(compared
          ? {
              delta: after.delta,
              pn: formatComparison(after.comparison!),
              p: after.comparison!.p,
              regression: isSignificant(after.comparison!) && isRegression(table.unit, before.summary.center, after.summary.center),
            }
          : {}),
        warnings: [...warnings],
      };
    });
    const [oldSummary, newSummary] = [oldColumn, newColumn].map((column) => (column === -1 ? undefined : table.summaries[column]));
    const scaled = (value: number | undefined) => (value === undefined ? undefined : formatScaled(value, commonScale([value], binary)));
    const geomean =
      rows.length > 1
        ? {
            old: scaled(oldSummary?.geomean),
            new: scaled(newSummary?.geomean),
            delta: newSummary?.ratio !== undefined && oldSummary ? formatSignedPercent((newSummary.ratio - 1) * 100) : '?',
          }
        : undefined;
    const warnings = geomean ? [...new Set(table.summaries.flatMap((summary) => summary.warnings))] : [];
    return { config: table.config, unit: table.unit, rows, ...(geomean ? { geomean } : {}), warnings };
  });
  const diffProfiles = diffableKinds.filter((kind) => [oldRun, newRun].every((run) => run.profiles.some((profile) => profile.kind === kind)));
  return { oldRunId: oldRun.id, newRunId: newRun.id, ignoredKeys, tables, diffProfiles };
}
