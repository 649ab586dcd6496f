// pprof's units: values scaled to a readable unit and printed as pprof
// prints them, for the -top report, the webview and pprof's filter values.

import { formatGoFixed } from '../goFormat';

interface Unit {
  name: string;
  aliases: string[];
  factor: number;
}

interface UnitFamily {
  units: Unit[];
  defaultUnit: Unit;
}

// pprof's measurement tables (bytes, time, Google compute units).
const byteUnits: Unit[] = [
  { name: 'B', aliases: ['b', 'byte'], factor: 1 },
  { name: 'kB', aliases: ['kb', 'kbyte', 'kilobyte'], factor: 2 ** 10 },
  { name: 'MB', aliases: ['mb', 'mbyte', 'megabyte'], factor: 2 ** 20 },
  { name: 'GB', aliases: ['gb', 'gbyte', 'gigabyte'], factor: 2 ** 30 },
  { name: 'TB', aliases: ['tb', 'tbyte', 'terabyte'], factor: 2 ** 40 },
  { name: 'PB', aliases: ['pb', 'pbyte', 'petabyte'], factor: 2 ** 50 },
];
const timeUnits: Unit[] = [
  { name: 'ns', aliases: ['ns', 'nanosecond'], factor: 1 },
  { name: 'us', aliases: ['μs', 'us', 'microsecond'], factor: 1e3 },
  { name: 'ms', aliases: ['ms', 'millisecond'], factor: 1e6 },
  { name: 's', aliases: ['s', 'sec', 'second'], factor: 1e9 },
  { name: 'hrs', aliases: ['hour', 'hr'], factor: 3600e9 },
];
const gcuUnits: Unit[] = [
  { name: 'n*GCU', aliases: ['nanogcu'], factor: 1e-9 },
  { name: 'u*GCU', aliases: ['microgcu'], factor: 1e-6 },
  { name: 'm*GCU', aliases: ['milligcu'], factor: 1e-3 },
  { name: 'GCU', aliases: ['gcu'], factor: 1 },
  { name: 'k*GCU', aliases: ['kilogcu'], factor: 1e3 },
  { name: 'M*GCU', aliases: ['megagcu'], factor: 1e6 },
  { name: 'G*GCU', aliases: ['gigagcu'], factor: 1e9 },
  { name: 'T*GCU', aliases: ['teragcu'], factor: 1e12 },
  { name: 'P*GCU', aliases: ['petagcu'], factor: 1e15 },
];
const unitFamilies: UnitFamily[] = [
  { units: byteUnits, defaultUnit: byteUnits[0] },
  { units: timeUnits, defaultUnit: { name: 's', aliases: [], factor: 1e9 } },
  { units: gcuUnits, defaultUnit: { name: 'GCU', aliases: [], factor: 1 } },
];

function sniffUnit(family: UnitFamily, unit: string): Unit | undefined {
  let u = unit.toLowerCase();
  if (u.length > 2 && u.endsWith('s')) u = u.slice(0, -1);
  return family.units.find((x) => x.aliases.includes(u));
}

/** Converts `value` in `fromUnit` to `toUnit` ('minimum'/'auto' pick a readable unit). */
export function scaleValue(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, u] = scaleValue(-value, fromUnit, toUnit);
    return [-v, u];
  }
  for (const family of unitFamilies) {
    const from = sniffUnit(family, fromUnit);
    if (!from) continue;
    const v = value * from.factor;
    if (toUnit === 'minimum' || toUnit === 'auto') {
      let f = 0;
      let name = '';
      for (const u of family.units) {
        if (u.factor >= f && v / u.factor >= 1.0) {
          f = u.factor;
          name = u.name;
        }
      }
      if (f !== 0) return [v / f, name];
      return [v / family.defaultUnit.factor, family.defaultUnit.name];
    }
    const to = sniffUnit(family, toUnit);
    if (!to) return [v / family.defaultUnit.factor, family.defaultUnit.name];
    return [v / to.factor, to.name];
  }
  switch (toUnit) {
    case 'count':
    case 'sample':
    case 'unit':
    case 'minimum':
    case 'auto':
      return [value, ''];
    default:
      return [value, toUnit];
  }
}

/** A value with its unit, e.g. "10ms", "1.50MB", "1234". */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, u] = scaleValue(value, fromUnit, toUnit);
  let s = formatGoFixed(v, 2);
  if (s.endsWith('.00')) s = s.slice(0, -3);
  if (s === '0' || s === '-0') return '0';
  return s + u;
}

/** Go's %.2g for 0 <= x < 1 and beyond. */
function formatG2(x: number): string {
  if (x === 0) return '0';
  const exponent = Number(Math.abs(x).toExponential(1).split('e')[1]);
  if (exponent < -4 || exponent >= 2) {
    const fixed = formatGoFixed(Math.abs(x) / 10 ** exponent, 1);
    const mantissa = fixed.replace(/\.0$/, '');
    const e = Math.abs(exponent);
    return `${x < 0 ? '-' : ''}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  let s = formatGoFixed(x, 1 - exponent);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** pprof's percentage column: "  100%", "12.34%", " 0.05%". */
export function percentage(value: number, total: number): string {
  const ratio = total !== 0 ? Math.abs(value / total) * 100 : 0;
  if (ratio >= 99.95 && ratio <= 100.05) return '  100%';
  if (ratio >= 1.0) return `${formatGoFixed(ratio, 2).padStart(5)}%`;
  return `${formatG2(ratio).padStart(5)}%`;
}

/** Units that pprof prints as bare numbers. */
const unitless = new Set(['', 'count', 'sample', 'unit']);

/**
 * One value on its own scale, as pprof's web views and tooltips show it
 * ("380ms", "1.20s", "64.41MB"); units pprof doesn't know stay as labels.
 */
export function formatValue(value: number, unit: string): string {
  const [, scaledUnit] = scaleValue(value, unit, 'minimum');
  if (scaledUnit === '' && !unitless.has(unit)) return scaledLabel(value, unit, unit);
  return scaledLabel(value, unit, 'minimum');
}

/** `part` as a share of `whole` like pprof's percentage columns, without the padding. */
export function formatPercent(part: number, whole: number): string {
  return percentage(part, whole).trim();
}
