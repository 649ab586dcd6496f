// Value formatting in the style of `go tool pprof`, so numbers in the webview
// read the same as the ones developers already know from the terminal:
// every value is scaled to the largest unit that keeps it >= 1, printed with
// two decimals, and a trailing ".00" is dropped ("380ms", "1.20s", "64.41MB").
// test/webview/format.test.ts holds these rules against pprof's own output.

interface UnitStep {
  label: string;
  factor: number;
}

// pprof has no minutes: seconds go straight to hours.
const timeSteps: UnitStep[] = [
  { label: 'ns', factor: 1 },
  { label: 'us', factor: 1e3 },
  { label: 'ms', factor: 1e6 },
  { label: 's', factor: 1e9 },
  { label: 'hrs', factor: 3600e9 },
];

const byteSteps: UnitStep[] = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'].map((label, i) => ({
  label,
  factor: 1024 ** i,
}));

const timeAliases = new Map([
  ['ns', 1],
  ['nanosecond', 1],
  ['us', 1e3],
  ['μs', 1e3],
  ['microsecond', 1e3],
  ['ms', 1e6],
  ['millisecond', 1e6],
  ['s', 1e9],
  ['sec', 1e9],
  ['second', 1e9],
  ['hr', 3600e9],
  ['hour', 3600e9],
]);

const byteAliases = new Map([
  ['b', 1],
  ['byte', 1],
  ['kb', 1024],
  ['kbyte', 1024],
  ['kilobyte', 1024],
  ['mb', 1024 ** 2],
  ['mbyte', 1024 ** 2],
  ['megabyte', 1024 ** 2],
  ['gb', 1024 ** 3],
  ['gbyte', 1024 ** 3],
  ['gigabyte', 1024 ** 3],
]);

/** Units that pprof prints as bare numbers. */
const unitless = new Set(['', 'count', 'sample', 'unit']);

function scaleFor(unit: string): { steps: UnitStep[]; base: number } | undefined {
  let name = unit.toLowerCase();
  // "nanoseconds" and "bytes" name the same units as their singulars.
  if (name.length > 2 && name.endsWith('s')) name = name.slice(0, -1);
  const time = timeAliases.get(name);
  if (time !== undefined) return { steps: timeSteps, base: time };
  const bytes = byteAliases.get(name);
  if (bytes !== undefined) return { steps: byteSteps, base: bytes };
  return undefined;
}

function twoDecimals(value: number): string {
  const text = value.toFixed(2);
  return text.endsWith('.00') ? text.slice(0, -3) : text;
}

/** Formats `value` (expressed in `unit`, as the profile's sample type says) like pprof does. */
export function formatValue(value: number, unit: string): string {
  const scale = scaleFor(unit);
  let text: string;
  let label = '';
  if (scale) {
    const base = value * scale.base;
    let chosen: UnitStep | undefined;
    for (const step of scale.steps) {
      if (Math.abs(base) / step.factor >= 1) chosen = step;
    }
    chosen ??= scale.steps[0];
    text = twoDecimals(base / chosen.factor);
    label = chosen.label;
  } else {
    text = twoDecimals(value);
    if (!unitless.has(unit)) label = unit;
  }
  return text === '0' || text === '-0' ? '0' : text + label;
}

/** `part` as a share of `whole`: two decimals from 1% up, two significant digits below. */
export function formatPercent(part: number, whole: number): string {
  const ratio = whole === 0 ? 0 : Math.abs(part / whole) * 100;
  if (ratio >= 99.95 && ratio <= 100.05) return '100%';
  if (ratio >= 1) return ratio.toFixed(2) + '%';
  return twoSignificantDigits(ratio) + '%';
}

/** Like C's and Go's %.2g: fixed notation unless the exponent is below -4, trailing zeros dropped. */
function twoSignificantDigits(value: number): string {
  if (value === 0) return '0';
  const exponent = Math.floor(Math.log10(value));
  if (exponent < -4) {
    const [mantissa, power] = value.toExponential(1).split('e');
    const trimmed = mantissa.replace(/\.0$/, '');
    const sign = power.startsWith('-') ? '-' : '+';
    return `${trimmed}e${sign}${power.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return value.toPrecision(2).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}
