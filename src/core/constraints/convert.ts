// Conversion between the two line forms, producing the same text as gofmt:
// `//go:build` from a file's `// +build` lines (ANDed in order), and `// +build`
// lines from a `//go:build` expression (NOTs pushed to the leaves, then an AND
// of ORs of ANDs of literals, or an error when the shape does not fit).

import { and, exprString, not, or, TOO_COMPLEX_FOR_PLUS_BUILD, type Expr } from './expr';

export type PlusBuildConversion = { ok: true; lines: string[] } | { ok: false; error: string };

export function plusBuildLines(x: Expr): PlusBuildConversion {
  const pushed = pushNegations(x, false);
  const rows: Expr[][][] = [];
  for (const conjunct of flatten(pushed, 'and')) {
    const alternatives: Expr[][] = [];
    for (const disjunct of flatten(conjunct, 'or')) {
      const literals = flatten(disjunct, 'and');
      if (!literals.every((l) => l.kind === 'tag' || l.kind === 'not')) return { ok: false, error: TOO_COMPLEX_FOR_PLUS_BUILD };
      alternatives.push(literals);
    }
    rows.push(alternatives);
  }
  // With no OR anywhere, one line listing every literal reads better than one line per literal.
  const merged = rows.every((alternatives) => alternatives.length === 1) ? [[rows.flatMap((alternatives) => alternatives[0])]] : rows;
  return {
    ok: true,
    lines: merged.map((alternatives) => '// +build ' + alternatives.map((lits) => lits.map(exprString).join(',')).join(' ')),
  };
}

/** De Morgan until only tags are negated. */
function pushNegations(x: Expr, negate: boolean): Expr {
  switch (x.kind) {
    case 'tag':
      return negate ? not(x) : x;
    case 'not':
      return x.x.kind === 'tag' && !negate ? x : pushNegations(x.x, !negate);
    case 'and': {
      const l = pushNegations(x.x, negate);
      const r = pushNegations(x.y, negate);
      return negate ? or(l, r) : and(l, r);
    }
    case 'or': {
      const l = pushNegations(x.x, negate);
      const r = pushNegations(x.y, negate);
      return negate ? and(l, r) : or(l, r);
    }
  }
}

function flatten(x: Expr, kind: 'and' | 'or', out: Expr[] = []): Expr[] {
  if (x.kind === kind) {
    flatten(x.x, kind, out);
    flatten(x.y, kind, out);
  } else {
    out.push(x);
  }
  return out;
}

/** The `//go:build` line gofmt writes for a file whose only constraints are these `+build` expressions. */
export function goBuildLineFromPlusBuild(exprs: readonly Expr[]): string | undefined {
  if (exprs.length === 0) return undefined;
  return '//go:build ' + exprString(exprs.reduce((acc, y) => and(acc, y)));
}
