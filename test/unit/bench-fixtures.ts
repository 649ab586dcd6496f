// What the bench-* tests share: run records made from real `go test -bench`
// output, and benchstat's text tables read back into rows to compare with.
import { parseBenchOutput } from '../../src/core/bench/parse';
import { resultsFromOutput, type RunRecord } from '../../src/core/bench/store';

export function record(id: string, text: string, overrides: Partial<RunRecord> = {}): RunRecord {
  const output = parseBenchOutput(text);
  return {
    id,
    startedAt: `2026-01-0${id === 'base' ? 1 : 2}T00:00:00Z`,
    status: 'ok',
    pkg: output.config.pkg ?? '',
    benchmarks: [],
    flags: [],
    profiles: [],
    results: resultsFromOutput(output),
    goos: output.config.goos,
    goarch: output.config.goarch,
    cpu: output.config.cpu,
    ...overrides,
  };
}

export interface BenchstatRow {
  name: string;
  /** The row's cells with runs of spaces collapsed and footnote marks left out: `1.405µ ± 2% 1.230µ ± 1% -12.40% (p=0.002 n=10)`. */
  cells: string;
  /** The texts of the footnotes the row points to, in its order. */
  notes: string[];
}

export interface BenchstatTable {
  /** The configuration lines printed above the table (`goos: linux`). */
  config: string[];
  rows: BenchstatRow[];
  geomean?: BenchstatRow;
}

const footnoteMark = /^[⁰¹²³⁴⁵⁶⁷⁸⁹]+$/;
const superscriptDigits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const markNumber = (mark: string) => Number([...mark].map((digit) => superscriptDigits.indexOf(digit)).join(''));

/** benchstat's text output, per unit (one configuration assumed): its rows, geomean row and footnotes. */
export function benchstatTables(text: string): Map<string, BenchstatTable> {
  const byUnit = new Map<string, BenchstatTable>();
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    const header = lines.findIndex((line) => line.trimStart().startsWith('│') && !/\.txt/.test(line));
    if (header === -1) continue;
    const unit = lines[header].split('│')[1].trim();
    const notes = new Map<number, string>();
    const body: string[] = [];
    for (const line of lines.slice(header + 1)) {
      const note = /^([⁰¹²³⁴⁵⁶⁷⁸⁹]+) (.*)$/.exec(line);
      if (note) notes.set(markNumber(note[1]), note[2]);
      else body.push(line);
    }
    const table: BenchstatTable = { config: lines.slice(0, header - 1).filter((line) => !line.includes('│')), rows: [] };
    for (const line of body) {
      const [name, ...tokens] = line.trim().split(/\s+/);
      const marks = tokens.filter((token) => footnoteMark.test(token)).map(markNumber);
      const row = { name, cells: tokens.filter((token) => !footnoteMark.test(token)).join(' '), notes: [...new Set(marks)].map((mark) => notes.get(mark)!) };
      if (name === 'geomean') table.geomean = row;
      else table.rows.push(row);
    }
    byUnit.set(unit, table);
  }
  return byUnit;
}

/** benchstat's text tables: per unit, row name → the row's cells with spaces and footnote marks collapsed. */
export function benchstatRows(text: string): Map<string, [string, string][]> {
  return new Map([...benchstatTables(text)].map(([unit, table]) => [unit, table.rows.map((row): [string, string] => [row.name, row.cells])]));
}
