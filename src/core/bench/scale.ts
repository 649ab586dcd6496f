// benchstat's display scaling of values, shared by `goperf benchstat` and
// the editor's benchmark results.
import { formatGoFixed } from '../goFormat';

// Display scaling: SI prefixes (n µ m k M G T) or, for byte units, binary
// ones (Ki Mi Gi Ti), with 1–3 decimals so that about four significant
// digits show; values below the smallest prefix get more decimals.
export interface Scaler {
  decimals: number;
  factor: number;
  prefix: string;
}

interface Prefix {
  factor: number;
  prefix: string;
  // Smallest values shown with 1, 2 and 3 decimals (just under 100, 10 and 1 of the prefix, so rounding never shows 100.0).
  oneDecimal: number;
  twoDecimals: number;
  threeDecimals: number;
}

const decimalPrefixes: Prefix[] = ['T', 'G', 'M', 'k', '', 'm', 'µ', 'n'].map((prefix, i) => {
  const exponent = 12 - 3 * i;
  return {
    factor: Math.pow(10, exponent),
    prefix,
    oneDecimal: Number(`99.995e${exponent}`),
    twoDecimals: Number(`9.9995e${exponent}`),
    threeDecimals: Number(`.99995e${exponent}`),
  };
});

// The same thresholds in binary: 99.995, 9.9995 and 0.99995 rounded to doubles, scaled by 1024^k.
const binaryPrefixes: Prefix[] = ['Ti', 'Gi', 'Mi', 'Ki', ''].map((prefix, i) => {
  const exponent = 40 - 10 * i;
  return {
    factor: Math.pow(2, exponent),
    prefix,
    oneDecimal: (0x18ffae147ae148 / 2 ** 52) * 2 ** (6 + exponent),
    twoDecimals: (0x13ffbe76c8b439 / 2 ** 52) * 2 ** (3 + exponent),
    threeDecimals: (0x1fff972474538f / 2 ** 52) * 2 ** (-1 + exponent),
  };
});

const smallDecimalThresholds = Array.from({ length: 8 }, (_, i) => Number(`9.9995e${-1 - i}`));

export function commonScale(values: readonly number[], binary: boolean): Scaler {
  let min = 0;
  for (const value of values) {
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (min === 0 || magnitude < min)) min = magnitude;
  }
  if (min === 0) return { decimals: 3, factor: 1, prefix: '' };
  const prefixes = binary ? binaryPrefixes : decimalPrefixes;
  for (const p of prefixes) {
    if (min >= p.oneDecimal) return { decimals: 1, factor: p.factor, prefix: p.prefix };
    if (min >= p.twoDecimals) return { decimals: 2, factor: p.factor, prefix: p.prefix };
    if (min >= p.threeDecimals) return { decimals: 3, factor: p.factor, prefix: p.prefix };
  }
  const smallest = prefixes[prefixes.length - 1];
  const scaled = min / smallest.factor;
  const index = smallDecimalThresholds.findIndex((threshold, i) => scaled >= threshold || i === smallDecimalThresholds.length - 1);
  return { decimals: index + 3, factor: smallest.factor, prefix: smallest.prefix };
}

export const formatScaled = (value: number, scaler: Scaler) => formatGoFixed(value / scaler.factor, scaler.decimals) + scaler.prefix;
