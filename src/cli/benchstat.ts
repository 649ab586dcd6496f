// `goperf benchstat`: benchmark summaries and A/B comparisons from benchfmt
// files (`go test -bench` output), computed like golang.org/x/perf's
// benchstat so that the two can be checked against each other.

import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { superscript } from '../core/bench/comparison';
import { formatGoFixed, formatGoFloat } from '../core/goFormat';
import { formatSyntaxError, isBinaryUnit, readBenchfmt, type BenchfmtFile } from '../core/bench/benchfmt';
import { commonScale, formatScaled } from '../core/bench/scale';
import {
  buildTables,
  DEFAULT_ALPHA,
  DEFAULT_CONFIDENCE,
  formatComparison,
  formatRange,
  formatSignedPercent,
  type BenchTable,
  type Summary,
} from '../core/bench/stats';

export interface BenchstatIO {
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
  readFile(path: string): Promise<Uint8Array>;
}

const defaultIO: BenchstatIO = {
  stdout: { write: (text) => void process.stdout.write(text) },
  stderr: { write: (text) => void process.stderr.write(text) },
  readFile: (path) => fs.readFile(path),
};

const USAGE = `usage: goperf benchstat [--json|--csv] [--alpha A] [--confidence C] old.txt [new.txt ...]

Summarizes benchmark results (go test -bench output, benchfmt) as benchstat
does: per benchmark and unit the median with a confidence interval, and for
every file after the first, the change against the first with a two-sided
Mann-Whitney U test ("~" when the difference is not significant).

  --json          print {"rows":[{"name","unit","old":{"median","low","high","n"},
                  "new":{…},"delta","p","warnings"}],"geomean":[…]} (two files), or
                  {"rows":[{"name","unit","summary":{…}}]} (one file); values in
                  benchstat's units (sec/op, B/op, B/s, …), unbounded intervals as null
  --csv           print benchstat's -format csv table
  --alpha A       significance level (default ${DEFAULT_ALPHA})
  --confidence C  confidence level of the intervals (default ${DEFAULT_CONFIDENCE})

Exit status: 0 on success, 1 when an input cannot be read or holds no results, 2 on usage errors.
`;

class UsageError extends Error {}

export async function runBenchstatCommand(args: string[], io: BenchstatIO = defaultIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
        alpha: { type: 'string' },
        confidence: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr.write(`goperf benchstat: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    if (positionals.length === 0) throw new UsageError('no input files');
    if (values.json && values.csv) throw new UsageError('--json and --csv cannot be combined');
    if (values.json && positionals.length > 2) throw new UsageError('--json compares one or two files');
    const alpha = probability('--alpha', values.alpha, DEFAULT_ALPHA);
    const confidence = probability('--confidence', values.confidence, DEFAULT_CONFIDENCE);

    const files: BenchfmtFile[] = [];
    for (const path of positionals) {
      let text: string;
      try {
        text = new TextDecoder('utf-8').decode(await io.readFile(path));
      } catch (e) {
        io.stderr.write(`goperf benchstat: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        return 1;
      }
      const file = readBenchfmt(text, path);
      for (const error of file.errors) io.stderr.write(`${formatSyntaxError(error)}\n`);
      if (file.results.length === 0) {
        io.stderr.write(`goperf benchstat: ${path}: no benchmark results (expected lines like "BenchmarkName-8  1000  123 ns/op")\n`);
        return 1;
      }
      files.push(file);
    }
    const tables = buildTables(
      files.map((file, i) => ({ label: positionals[i], results: file.results, units: file.units })),
      { alpha, confidence },
    );
    if (values.json) io.stdout.write(JSON.stringify(toJson(tables, positionals.length), null, 2) + '\n');
    else if (values.csv) {
      const { csv, warnings } = renderCsv(tables);
      io.stdout.write(csv);
      for (const warning of warnings) io.stderr.write(warning + '\n');
    } else io.stdout.write(renderText(tables));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`goperf benchstat: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

function probability(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) throw new UsageError(`${flag} must be in range [0, 1], got ${JSON.stringify(text)}`);
  return value;
}

// ---- JSON ----

const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

function summaryJson(summary: Summary, n: number) {
  return { median: summary.center, low: finiteOrNull(summary.low), high: finiteOrNull(summary.high), n };
}

function toJson(tables: readonly BenchTable[], fileCount: number) {
  const rows: object[] = [];
  const geomeans: object[] = [];
  for (const table of tables) {
    const config = Object.fromEntries(table.config);
    for (const row of table.rows) {
      const [before, after] = row.cells;
      const warnings = [...(before?.summary.warnings ?? []), ...(after?.summary.warnings ?? []), ...(after?.comparison?.warnings ?? [])];
      if (fileCount === 1) {
        rows.push({ name: row.name, unit: table.unit, config, summary: summaryJson(before!.summary, before!.values.length), warnings });
        continue;
      }
      rows.push({
        name: row.name,
        unit: table.unit,
        config,
        old: before ? summaryJson(before.summary, before.values.length) : null,
        new: after ? summaryJson(after.summary, after.values.length) : null,
        delta: after?.delta ?? null,
        p: after?.comparison ? after.comparison.p : null,
        warnings: [...new Set(warnings)],
      });
    }
    const [baseSummary, newSummary] = table.summaries;
    geomeans.push({
      unit: table.unit,
      config,
      old: baseSummary?.geomean ?? null,
      ...(fileCount > 1 ? { new: newSummary?.geomean ?? null, delta: newSummary?.ratio !== undefined ? formatSignedPercent((newSummary.ratio - 1) * 100) : null } : {}),
      warnings: [...new Set(table.summaries.flatMap((s) => s.warnings))],
    });
  }
  return { rows, geomean: geomeans };
}

// ---- CSV (benchstat -format csv) ----

function csvField(field: string): string {
  if (field === '') return field;
  const needsQuotes = field === '\\.' || /[",\r\n]/.test(field) || /^\s/u.test(field);
  return needsQuotes ? `"${field.replace(/"/g, '""')}"` : field;
}

// Where a table's columns start: the label, then a center and CI per input, plus a delta and P after the first.
function csvStartColumn(column: number): number {
  return column === 0 ? 1 : 3 + (column - 1) * 4;
}

/** The first table header lines benchstat prints: config keys whose value changed since the previous table. */
function configHeaders(tables: readonly BenchTable[]): string[][] {
  const keys: string[] = [];
  for (const table of tables) for (const [key] of table.config) if (!keys.includes(key)) keys.push(key);
  let previous: Map<string, string> | undefined;
  return tables.map((table) => {
    const current = new Map(table.config);
    const lines = keys
      .filter((key) => !previous || (previous.get(key) ?? '') !== (current.get(key) ?? ''))
      .map((key) => `${key}: ${current.get(key) ?? ''}`);
    previous = current;
    return lines;
  });
}

export function renderCsv(tables: readonly BenchTable[]): { csv: string; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const emit = (row: string[]) => lines.push(row.map(csvField).join(','));
  const headers = configHeaders(tables);
  tables.forEach((table, t) => {
    if (t > 0) emit(['']);
    for (const header of headers[t]) emit([header]);
    const width = csvStartColumn(table.columns.length);
    let row: string[] = [];
    const padTo = (column: number) => {
      while (row.length < column) row.push('');
    };
    const warn = (messages: readonly string[]) => {
      for (const message of messages) warnings.push(`${spreadsheetColumn(row.length)}${lines.length + 1}: ${message}`);
    };
    table.columns.forEach((label, column) => {
      padTo(csvStartColumn(column));
      row.push(label);
    });
    padTo(width);
    emit(row);
    row = [];
    table.columns.forEach((_, column) => {
      padTo(csvStartColumn(column));
      row.push(table.unit, 'CI');
      if (column > 0) row.push('vs base', 'P');
    });
    emit(row);
    for (const tableRow of table.rows) {
      row = [tableRow.name];
      tableRow.cells.forEach((cell, column) => {
        if (!cell) return;
        padTo(csvStartColumn(column));
        warn(cell.summary.warnings);
        row.push(formatGoFloat(cell.summary.center), formatRange(cell.summary));
        if (column > 0 && cell.comparison) {
          warn(cell.comparison.warnings);
          row.push(cell.delta!, formatComparison(cell.comparison));
        }
      });
      emit(row);
    }
    row = ['geomean'];
    table.summaries.forEach((summary, column) => {
      padTo(csvStartColumn(column));
      warn(summary.warnings);
      if (summary.geomean !== undefined) row.push(formatGoFloat(summary.geomean));
      if (column > 0) {
        padTo(csvStartColumn(column) + 2);
        row.push(summary.ratio !== undefined ? formatSignedPercent((summary.ratio - 1) * 100) : '?');
      }
    });
    padTo(width);
    emit(row);
  });
  return { csv: lines.map((line) => line + '\n').join(''), warnings };
}

/** Spreadsheet column name of a 0-based column index, as benchstat labels its CSV warnings. */
function spreadsheetColumn(index: number): string {
  let name = '';
  for (let x = index; x > 0; x = Math.floor(x / 26)) name = String.fromCharCode(65 + (x % 26)) + name;
  return name === '' ? 'A' : name;
}

// ---- Text ----

export function renderText(tables: readonly BenchTable[]): string {
  const headers = configHeaders(tables);
  return tables.map((table, t) => headers[t].map((line) => line + '\n').join('') + renderTableText(table)).join('\n');
}



type Align = 'left' | 'center' | 'right';

interface GridCell {
  row: number;
  col: number;
  span: number;
  text: string;
  margin: string;
  align: Align;
}

/** A grid of text cells laid out in fixed-width columns; multi-column cells widen the growable columns they span. */
class TextGrid {
  private readonly cells: GridCell[] = [];
  private readonly shrinkable = new Set<number>();
  private row = 0;
  private col = 0;
  private columnCount = 0;

  newRow(): void {
    if (this.cells.length > 0) this.row++;
    this.col = 0;
  }

  moveTo(col: number): void {
    this.col = col;
  }

  get column(): number {
    return this.col;
  }

  put(text: string, options: { span?: number; align?: Align; margin?: string } = {}): void {
    const span = options.span ?? 1;
    const margin = options.margin ?? (this.col === 0 || text === '' ? '' : ' ');
    this.cells.push({ row: this.row, col: this.col, span, text, margin, align: options.align ?? 'left' });
    this.col += span;
    this.columnCount = Math.max(this.columnCount, this.col);
  }

  keepNarrow(col: number): void {
    this.shrinkable.add(col);
  }

  render(): string {
    const length = (s: string) => [...s].length;
    const margins = new Array<number>(this.columnCount).fill(0);
    for (const cell of this.cells) margins[cell.col] = Math.max(margins[cell.col], length(cell.margin));
    const widths = new Array<number>(this.columnCount).fill(0);
    const bySpan = [...this.cells].sort((a, b) => a.span - b.span);
    for (const cell of bySpan) {
      let needed = length(cell.text) + margins[cell.col];
      if (cell.span === 1) {
        widths[cell.col] = Math.max(widths[cell.col], needed);
        continue;
      }
      const spanned = Array.from({ length: cell.span }, (_, i) => cell.col + i);
      if (spanned.reduce((sum, c) => sum + widths[c], 0) >= needed) continue;
      const growable: number[] = [];
      for (const c of spanned) {
        if (this.shrinkable.has(c)) needed -= widths[c];
        else growable.push(c);
      }
      growable.sort((a, b) => widths[b] - widths[a]);
      let remaining = growable.length;
      for (const c of growable) {
        widths[c] = Math.max(widths[c], Math.ceil(needed / remaining));
        needed -= widths[c];
        remaining--;
      }
    }
    const offsets = [0];
    for (const w of widths) offsets.push(offsets[offsets.length - 1] + w);

    const ordered = [...this.cells].sort((a, b) => a.row - b.row || a.col - b.col);
    let out = '';
    let row = 0;
    let position = 0;
    for (const cell of ordered) {
      if (cell.text.trim() === '' && cell.margin.trim() === '') continue;
      while (cell.row > row) {
        out += '\n';
        row++;
        position = 0;
      }
      out += ' '.repeat(Math.max(0, offsets[cell.col] - position)) + cell.margin.padStart(margins[cell.col]);
      position = offsets[cell.col] + margins[cell.col];
      const width = offsets[cell.col + cell.span] - offsets[cell.col] - margins[cell.col];
      let text = cell.text;
      if (cell.align === 'right') text = text.padStart(width - length(text) + text.length);
      else if (cell.align === 'center') text = ' '.repeat(Math.max(0, Math.floor((width - length(text)) / 2))) + text;
      out += text;
      position += length(text);
    }
    return ordered.length > 0 ? out + '\n' : out;
  }
}

/** One table in benchstat's text layout, with its footnoted warnings. */
function renderTableText(table: BenchTable): string {
  const binary = isBinaryUnit(table.unit);
  const grid = new TextGrid();
  // Per input: center, ± range, footnotes; after the first also delta, (p= n=), footnotes.
  const startColumn = (column: number) => (column === 0 ? 1 : 4 + (column - 1) * 6);
  const rightEdge = startColumn(table.columns.length + 1);
  const notes: string[] = [];
  const footnote = (...groups: (readonly string[])[]) => {
    const marks = groups.flat().map((message) => {
      let index = notes.indexOf(message);
      if (index === -1) index = notes.push(message) - 1;
      return superscript(index + 1);
    });
    grid.put(marks.join(' '));
  };

  grid.newRow();
  table.columns.forEach((label, column) => {
    const left = startColumn(column);
    grid.moveTo(left);
    grid.put(label, { span: startColumn(column + 1) - left, align: 'center', margin: ' │ ' });
  });
  grid.moveTo(rightEdge);
  grid.put('', { margin: ' │' });

  grid.newRow();
  table.columns.forEach((_, column) => {
    const left = startColumn(column);
    grid.moveTo(left);
    grid.put(table.unit, { span: 3, align: 'center', margin: ' │ ' });
    if (column > 0) grid.put('vs base', { span: 3, align: 'left', margin: '  ' });
    for (let c = left + 1; c < grid.column; c++) grid.keepNarrow(c);
  });
  grid.moveTo(rightEdge);
  grid.put('', { margin: ' │' });

  for (const row of table.rows) {
    grid.newRow();
    grid.put(row.name);
    const scaler = commonScale(row.cells.flatMap((cell) => (cell ? [cell.summary.center] : [])), binary);
    row.cells.forEach((cell, column) => {
      if (!cell) return;
      grid.moveTo(startColumn(column));
      grid.put(formatScaled(cell.summary.center, scaler), { align: 'right' });
      grid.put(formatRange(cell.summary), { align: 'right', margin: ' ± ' });
      footnote(cell.summary.warnings);
      if (column > 0 && cell.comparison) {
        grid.put(cell.delta!, { align: 'right' });
        grid.put(`(${formatComparison(cell.comparison)})`);
        footnote(cell.comparison.warnings);
      }
    });
  }

  if (table.rows.length > 1) {
    grid.newRow();
    grid.put('geomean');
    table.summaries.forEach((summary, column) => {
      if (summary.geomean !== undefined) {
        grid.moveTo(startColumn(column));
        grid.put(formatScaled(summary.geomean, commonScale([summary.geomean], binary)), { align: 'right' });
      }
      if (column > 0) {
        grid.moveTo(startColumn(column) + 3);
        if (summary.ratio !== undefined) grid.put(formatSignedPercent((summary.ratio - 1) * 100), { align: 'right' });
        else grid.put('?');
      }
      grid.moveTo(startColumn(column + 1) - 1);
      footnote(summary.warnings);
    });
  }
  return grid.render() + notes.map((message, i) => `${superscript(i + 1)} ${message}\n`).join('');
}
