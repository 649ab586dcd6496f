// Numbers printed the way Go's fmt prints them, so our text can be compared
// byte for byte with what go tool pprof and benchstat print.

/**
 * Fixed-point text like Go's `%.Nf`: rounds the exact binary value, with
 * exact halves going to the even digit (JavaScript's toFixed rounds them up).
 */
export function formatGoFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  if (Object.is(value, -0)) return `-${(0).toFixed(digits)}`;
  // toFixed switches to exponent notation from 1e21; such doubles are integers.
  if (Math.abs(value) >= 1e21) return BigInt(value).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  const rounded = value.toFixed(digits);
  // Twenty more digits reach past the last significant digit of any double
  // that could sit exactly halfway.
  const longer = Math.abs(value).toFixed(Math.min(100, digits + 20));
  const tail = longer.slice(longer.length - 20);
  if (!/^50*$/.test(tail)) return rounded;
  const kept = longer.slice(0, longer.length - 20);
  const lastDigit = Number(kept[kept.length - 1] === '.' ? kept[kept.length - 2] : kept[kept.length - 1]);
  if (lastDigit % 2 === 0) {
    const text = digits === 0 ? kept.replace(/\.$/, '') : kept;
    return value < 0 ? `-${text}` : text;
  }
  return rounded;
}

/** Shortest round-trip text like Go's `%v` for a float64 (`0.95`, `1e-09`, `1.5e+06`). */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  // Go switches to exponent form outside [1e-4, 1e6); JavaScript only outside [1e-7, 1e21).
  if (exponent >= -4 && exponent < 6) return String(value);
  const magnitude = Math.abs(exponent);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? '0' : ''}${magnitude}`;
}

// ---- Comparison tables, the way benchstat lays out its inputs ----
