// The Go benchmark data format as golang.org/x/perf/benchfmt (and so
// `benchstat`) reads it, and writing results back in that format.
//
// Reading rules that matter for agreeing with benchstat:
// - `key: value` lines set file configuration for the results after them;
//   the key starts with a lower-case letter and has no spaces or upper-case
//   letters, at least one space or tab follows the colon, and an empty
//   value (`key:`) removes the key. Anything else that is not a result or
//   unit line is ignored.
// - `Unit <unit> key=value…` lines attach metadata (`assume=exact`,
//   `better=higher`) to a unit.
// - A line starting with `Benchmark` is a result: the name (everything up to
//   the first space, without the `Benchmark` prefix, keeping `/sub=keys`
//   and the `-N` GOMAXPROCS suffix), the iteration count and value/unit
//   pairs. A bare name (printed by `go test -v`) is skipped; other malformed
//   lines are reported and skipped.
// - Units are normalised: ns/op → sec/op (×1e-9), MB/s → B/s (×1e6), and
//   any `ns` or `MB` in a unit's numerator likewise.

export interface BenchfmtValue {
  /** Normalised value and unit (sec/op, B/s, …). */
  value: number;
  unit: string;
  /** As written in the input, when normalisation changed it. */
  origValue?: number;
  origUnit?: string;
}

export interface BenchfmtResult {
  /** Name without the `Benchmark` prefix, e.g. `Pipeline/lines=100-8`. */
  name: string;
  iterations: number;
  values: BenchfmtValue[];
  /** File configuration in effect, in the order the keys were first set. */
  config: [string, string][];
  fileName: string;
  line: number;
}

export interface UnitMetadata {
  /** Normalised unit the metadata applies to. */
  unit: string;
  origUnit: string;
  key: string;
  value: string;
  fileName: string;
  line: number;
}

export interface BenchfmtSyntaxError {
  fileName: string;
  line: number;
  message: string;
}

export interface BenchfmtFile {
  results: BenchfmtResult[];
  units: UnitMetadata[];
  errors: BenchfmtSyntaxError[];
}

/** `fileName:line: message`, the way benchstat reports lines it skips. */
export function formatSyntaxError(error: BenchfmtSyntaxError): string {
  return `${error.fileName}:${error.line}: ${error.message}`;
}

/** Normalises a unit as benchstat does; returns the unit and the factor to multiply values by. */
export function tidyUnit(unit: string): { unit: string; factor: number } {
  switch (unit) {
    case 'ns/op':
      return { unit: 'sec/op', factor: 1e-9 };
    case 'MB/s':
      return { unit: 'B/s', factor: 1e6 };
    case 'B/op':
    case 'allocs/op':
      return { unit, factor: 1 };
  }
  if (!unit.includes('ns') && !unit.includes('MB')) return { unit, factor: 1 };
  let factor = 1;
  let tidied = '';
  for (const token of unitTokens(unit)) {
    if (!token.denominator && token.text === 'ns') {
      tidied += 'sec';
      factor /= 1e9;
    } else if (!token.denominator && token.text === 'MB') {
      tidied += 'B';
      factor *= 1e6;
    } else {
      tidied += token.text;
    }
  }
  return { unit: tidied, factor };
}

interface UnitToken {
  text: string;
  /** Whether the token is a word after a `/` (and before any `*`). */
  denominator: boolean;
  isWord: boolean;
}

/** Splits a unit into words and the separators between them (`*`, `/`, `-`, spaces), keeping every character. */
function unitTokens(unit: string): UnitToken[] {
  const tokens: UnitToken[] = [];
  let denominator = false;
  const separator = /[*/\-\s]/u;
  let word = '';
  const flush = () => {
    if (word) tokens.push({ text: word, denominator, isWord: true });
    word = '';
  };
  for (const ch of unit) {
    if (separator.test(ch)) {
      flush();
      if (ch === '*') denominator = false;
      else if (ch === '/') denominator = true;
      tokens.push({ text: ch, denominator, isWord: false });
    } else {
      word += ch;
    }
  }
  flush();
  return tokens;
}

/** Whether a unit measures bytes (shown with binary prefixes Ki, Mi, …) rather than a decimal quantity. */
export function isBinaryUnit(unit: string): boolean {
  return unitTokens(unit).some((t) => t.isWord && !t.denominator && (t.text === 'B' || t.text === 'MB' || t.text === 'bytes'));
}

// Go's strconv.ParseFloat accepts decimal and hexadecimal floats, inf and nan.
const decimalNumber = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const specialNumber = /^[+-]?(?:inf|infinity|nan)$/i;

function parseNumber(field: string): number | undefined {
  if (decimalNumber.test(field)) return Number(field);
  if (specialNumber.test(field)) {
    if (/nan/i.test(field)) return NaN;
    return field.startsWith('-') ? -Infinity : Infinity;
  }
  return undefined;
}

const isUpper = (ch: string) => ch !== ch.toLowerCase() && ch === ch.toUpperCase();
const isLower = (ch: string) => ch !== ch.toUpperCase() && ch === ch.toLowerCase();

/** A `key: value` configuration line; value '' means the key is removed. */
function parseConfigLine(line: string): { key: string; value: string } | undefined {
  const chars = [...line];
  if (chars.length === 0 || !isLower(chars[0])) return undefined;
  let keyLength = -1;
  let offset = 0;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (/\s/u.test(ch) || isUpper(ch)) return undefined;
    if (i > 0 && ch === ':') {
      keyLength = offset;
      break;
    }
    offset += ch.length;
  }
  if (keyLength <= 0) return undefined;
  const key = line.slice(0, keyLength);
  const rest = line.slice(keyLength + 1);
  if (rest === '') return { key, value: '' };
  const value = rest.replace(/^[ \t]+/, '');
  if (value.length === rest.length) return undefined; // `key:value` without a space is not configuration
  return { key, value };
}

const fieldSplit = /[\s]+/u;

/** Reads one benchfmt text; `fileName` is used in results and error messages. */
export function readBenchfmt(text: string, fileName: string): BenchfmtFile {
  const results: BenchfmtResult[] = [];
  const units: UnitMetadata[] = [];
  const errors: BenchfmtSyntaxError[] = [];
  const config = new Map<string, string>();
  const unitKeys = new Map<string, UnitMetadata>();

  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const lineNumber = index + 1;
    const error = (message: string) => errors.push({ fileName, line: lineNumber, message });

    if (line.startsWith('Benchmark')) {
      const fields = line.slice('Benchmark'.length).split(fieldSplit);
      // A name directly after the prefix: `Benchmark Foo` has an empty name.
      const name = /^\s/u.test(line.slice('Benchmark'.length)) ? '' : fields.shift()!;
      const rest = fields.filter((f) => f !== '');
      if (rest.length === 0) {
        if (line.slice('Benchmark'.length).trim() === name) return; // bare name line from -v
        error('missing iteration count');
        return;
      }
      const iterationsText = rest.shift()!;
      if (!/^[+-]?\d+$/.test(iterationsText)) {
        error(`parsing iteration count: invalid syntax`);
        return;
      }
      const values: BenchfmtValue[] = [];
      while (rest.length > 0) {
        const valueText = rest.shift()!;
        const value = parseNumber(valueText);
        if (value === undefined) {
          error('parsing measurement: invalid syntax');
          return;
        }
        const unit = rest.shift();
        if (unit === undefined) {
          error('missing units');
          return;
        }
        const tidy = tidyUnit(unit);
        const tidied = value * tidy.factor;
        values.push(tidied === value ? { value, unit } : { value: tidied, unit: tidy.unit, origValue: value, origUnit: unit });
      }
      if (values.length === 0) {
        error('missing measurements');
        return;
      }
      results.push({ name, iterations: Number(iterationsText), values, config: [...config], fileName, line: lineNumber });
      return;
    }

    const unitLine = /^Unit(?:[\s]+(.*))?$/u.exec(line);
    if (unitLine) {
      const fields = (unitLine[1] ?? '').split(fieldSplit).filter((f) => f !== '');
      const origUnit = fields.shift();
      if (origUnit === undefined) {
        error('missing unit');
        return;
      }
      const unit = tidyUnit(origUnit).unit;
      for (const field of fields) {
        const eq = field.indexOf('=');
        if (eq <= 0) {
          error('expected key=value');
          continue;
        }
        const key = field.slice(0, eq);
        const value = field.slice(eq + 1);
        const have = unitKeys.get(`${unit}\u0000${key}`);
        if (have) {
          if (have.value !== value) error(`metadata ${key} of unit ${origUnit} already set to ${have.value}`);
          continue;
        }
        const metadata = { unit, origUnit, key, value, fileName, line: lineNumber };
        unitKeys.set(`${unit}\u0000${key}`, metadata);
        units.push(metadata);
      }
      return;
    }

    const configLine = parseConfigLine(line);
    if (configLine) {
      if (configLine.value === '') config.delete(configLine.key);
      else config.set(configLine.key, configLine.value);
    }
  });
  return { results, units, errors };
}

/**
 * Writes results as benchfmt text: configuration lines whenever the
 * configuration changes (a blank line before each block), then one
 * result line per result with the values in their original units.
 */
export function writeBenchfmt(results: readonly Pick<BenchfmtResult, 'name' | 'iterations' | 'values' | 'config'>[], units: readonly UnitMetadata[] = []): string {
  let out = '';
  for (const metadata of units) out += `Unit ${metadata.origUnit} ${metadata.key}=${metadata.value}\n`;
  let current = new Map<string, string>();
  let wroteAny = units.length > 0;
  for (const result of results) {
    const next = new Map(result.config);
    const changed = next.size !== current.size || [...next].some(([key, value]) => current.get(key) !== value);
    if (changed) {
      if (wroteAny) out += '\n';
      for (const key of current.keys()) if (!next.has(key)) out += `${key}:\n`;
      for (const [key, value] of next) if (current.get(key) !== value) out += `${key}: ${value}\n`;
      out += '\n';
      current = next;
    }
    wroteAny = true;
    out += `Benchmark${result.name} ${result.iterations}`;
    for (const value of result.values) {
      const written = value.origUnit === undefined ? value : { value: value.origValue!, unit: value.origUnit };
      out += ` ${formatNumber(written.value)} ${written.unit}`;
    }
    out += '\n';
  }
  return out;
}

/** Shortest text that reads back as the same number, in a form benchfmt accepts. */
function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}
