// Diagnostics for the build constraints of one source file: what go vet's
// buildtag check reports (syntax, misplaced and malformed lines, +build lines
// that disagree with //go:build, bad Go version tags), plus what nobody else
// reports: a file-name suffix contradicting the expression, an expression no
// real port can satisfy, and GOOS/GOARCH names that look misspelt.

import { and, evalExpr, exprString, tagNodes, type Expr } from './expr';
import { baseName, fileNameConstraint, fileNameExpr } from './filename';
import { scanHeader, type ConstraintComment, type HeaderScan } from './header';
import { findStrayConstraints } from './misplaced';
import { effectiveConstraint } from './evaluate';
import { goBuildLineFromPlusBuild, plusBuildLines } from './convert';
import { KNOWN_ARCH, KNOWN_OS } from './platform';
import { allKnownSystems, describeSystems, equivalent, searchPorts, type Assignment, type Port } from './satisfy';

export type Severity = 'error' | 'warning';

export interface ConstraintDiagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  /** Byte offsets into the file. */
  readonly start: number;
  readonly end: number;
  /** 0-based line and byte column of `start`. */
  readonly line: number;
  readonly column: number;
}

export interface CheckOptions {
  /** Real ports (`go tool dist list -json`). Without them the "no real port" check is skipped. */
  readonly ports?: readonly Port[];
  /** A Go source file (default: decided by the .go extension). */
  readonly goSource?: boolean;
}

export function checkFile(path: string, bytes: Uint8Array, options: CheckOptions = {}): ConstraintDiagnostic[] {
  const goSource = options.goSource ?? path.endsWith('.go');
  const header = scanHeader(bytes, { goSource });
  const lines = new LineIndex(bytes);
  const out: ConstraintDiagnostic[] = [];
  const report = (severity: Severity, code: string, message: string, start: number, end: number) => {
    const { line, column } = lines.position(start);
    out.push({ severity, code, message, start, end, line, column });
  };

  if (header.readError) report('error', 'nul', header.readError.message, header.readError.offset, header.readError.offset + 1);

  header.goBuild.slice(1).forEach((c) => report('error', 'multiple-go-build', `unexpected extra //go:build line (the first is on line ${header.goBuild[0].line + 1}); the go command rejects the file`, c.start, c.end));
  for (const c of header.goBuildInBlockComment) {
    report('error', 'misplaced-go-build', 'misplaced //go:build comment: inside a /* */ comment it is ignored', c.start, c.end);
  }
  for (const c of header.ignoredPlusBuild) {
    const why =
      c.why === 'not-followed-by-blank-line'
        ? '+build lines must be followed by a blank line before the package clause'
        : c.why === 'in-block-comment'
          ? 'inside a /* */ comment it is ignored'
          : 'after a /* */ comment it is ignored';
    report('error', 'misplaced-plus-build', `misplaced +build comment: ${why}`, c.start, c.end);
  }
  for (const m of header.malformedGoBuild) {
    report('error', 'malformed-go-build', 'malformed //go:build line (space between // and go:build): it is not a build constraint', m.start, m.end);
  }
  if (goSource) {
    for (const s of findStrayConstraints(bytes, header.commentRegionEnd)) {
      if (s.kind === 'malformed-go:build') {
        report('error', 'malformed-go-build', 'malformed //go:build line (space between // and go:build): it is not a build constraint', s.start, s.end);
      } else {
        const code = s.kind === 'go:build' ? 'misplaced-go-build' : 'misplaced-plus-build';
        const where = s.inBlockComment ? 'inside a /* */ comment' : 'after the package clause';
        report('error', code, `misplaced ${s.kind === 'go:build' ? '//go:build' : '+build'} comment: ${where} it is ignored`, s.start, s.end);
      }
    }
  }

  const goBuild = header.goBuild[0];
  for (const c of [...header.goBuild, ...header.plusBuild]) {
    if (!c.parse.ok) {
      const e = c.parse.error;
      const end = c.kind === 'go:build' ? Math.min(e.offset + 1, c.end) : c.end;
      report(c.kind === 'go:build' ? 'error' : 'warning', c.kind === 'go:build' ? 'syntax' : 'plus-build-too-complex',
        c.kind === 'go:build' ? `invalid //go:build line: ${e.message}` : `${e.message}: the go command ignores this line`, e.offset, end);
      continue;
    }
    checkTags(c, report);
  }
  for (const c of header.plusBuild) checkPlusBuildTerms(c, report);

  const plusExprs = header.plusBuild.flatMap((c) => (c.parse.ok ? [c.parse.expr] : []));
  if (goBuild?.parse.ok && header.goBuild.length === 1 && plusExprs.length === header.plusBuild.length && plusExprs.length > 0) {
    const plus = plusExprs.reduce((acc, y) => and(acc, y));
    const eq = equivalent(goBuild.parse.expr, plus);
    if (eq.equivalent === false) {
      const first = header.plusBuild[0];
      const lines = plusBuildLines(goBuild.parse.expr);
      const fix = lines.ok ? `; gofmt would write ${lines.lines.map((l) => `"${l}"`).join(', ')}` : '';
      report('error', 'plus-build-mismatch', `+build lines do not match //go:build condition: ${witnessText(eq.witness, goBuild.parse.expr, plus)}${fix}`, first.start, header.plusBuild[header.plusBuild.length - 1].end);
    }
  } else if (header.goBuild.length === 0 && plusExprs.length > 0) {
    const line = goBuildLineFromPlusBuild(plusExprs)!;
    const first = header.plusBuild[0];
    report('warning', 'plus-build-only', `+build lines without a //go:build line; gofmt would add "${line}"`, first.start, first.end);
  }

  checkSatisfiable(path, header, options.ports, report);
  return out.sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
}

type Report = (severity: Severity, code: string, message: string, start: number, end: number) => void;

function witnessText(w: Assignment, goBuild: Expr, plus: Expr): string {
  const set = Object.entries(w).filter(([, v]) => v).map(([t]) => t);
  const with_ = set.length ? `with tags {${set.join(', ')}} only` : 'with no tags set';
  const goBuildValue = evalExpr(goBuild, (t) => w[t] ?? false);
  return `${with_}, //go:build ${exprString(goBuild)} is ${goBuildValue} but the +build lines (${exprString(plus)}) are ${!goBuildValue}`;
}

const NAME_LIKE = [...KNOWN_OS, ...KNOWN_ARCH, 'unix', 'cgo'];

function checkTags(c: ConstraintComment, report: Report): void {
  if (!c.parse.ok) return;
  for (const t of tagNodes(c.parse.expr)) {
    if (malformedGoVersion(t.tag)) {
      report('warning', 'bad-go-version', `invalid go version "${t.tag}" in build constraint; release tags look like go1.21`, t.start, t.end);
      continue;
    }
    const guess = misspelledTag(t.tag);
    if (guess) {
      report('warning', 'unknown-tag', `"${t.tag}" is not a known GOOS or GOARCH; did you mean the ${guess.what} "${guess.near}"? As written it is a custom tag, false unless set with -tags`, t.start, t.end);
    }
  }
}

export interface TagGuess {
  /** The known name one edit away. */
  readonly near: string;
  readonly what: 'GOOS' | 'GOARCH' | 'tag';
}

/**
 * The GOOS, GOARCH or `unix`/`cgo` name a tag is one edit away from. Real
 * names, short tags (too many near misses) and dotted tags (release and tool
 * tags) are never flagged.
 */
export function misspelledTag(tag: string): TagGuess | undefined {
  if (tag.length < 4 || tag.includes('.') || NAME_LIKE.includes(tag)) return undefined;
  const near = NAME_LIKE.find((k) => k.length >= 3 && editDistance(tag, k) === 1);
  if (!near) return undefined;
  return { near, what: KNOWN_OS.has(near) ? 'GOOS' : KNOWN_ARCH.has(near) ? 'GOARCH' : 'tag' };
}

/** vet's test for a tag that was meant to be a go1.N release tag. */
function malformedGoVersion(tag: string): boolean {
  const valid = (t: string) => {
    if (t === 'go1') return true;
    const at = t.indexOf('go1.');
    return at >= 0 && /^[+-]?[0-9]+$/.test(t.slice(at + 4)) && Number(t.slice(at + 4)) <= Number.MAX_SAFE_INTEGER;
  };
  if (!tag.startsWith('go1')) {
    for (const prefix of ['go.', 'g1.', 'go']) {
      if (tag.startsWith(prefix) && valid('go1.' + tag.slice(prefix.length))) return true;
    }
    return false;
  }
  return !valid(tag);
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps (amd46 → amd64). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** vet's complaints about +build terms that silently become the tag `ignore`. */
function checkPlusBuildTerms(c: ConstraintComment, report: Report): void {
  const text = c.text.slice(c.text.indexOf('+build') + '+build'.length);
  for (const field of text.split(/\s+/).filter(Boolean)) {
    for (const term of field.split(',')) {
      if (term.startsWith('!!')) report('error', 'plus-build-term', `invalid double negative in build constraint: ${field}`, c.start, c.end);
      else if (!/^!?[\p{L}\p{Nd}_.]*$/u.test(term)) report('error', 'plus-build-term', `invalid non-alphanumeric build constraint: ${field}`, c.start, c.end);
    }
  }
}

function checkSatisfiable(path: string, header: HeaderScan, ports: readonly Port[] | undefined, report: Report): void {
  if (header.goBuild.length > 1) return;
  const goBuild = header.goBuild[0];
  if (goBuild && !goBuild.parse.ok) return;
  const own = effectiveConstraint(header);
  // Diagnostics about the constraint sit on its line; one about the name alone sits at the top of the file.
  const anchor: { text: string; start: number; end: number } = goBuild ?? header.plusBuild[0] ?? { text: '', start: 0, end: 0 };
  const nameConstraint = fileNameConstraint(baseName(path));
  const known = allKnownSystems();
  const impossible = (x: Expr, where: readonly Port[]) => {
    const r = searchPorts(x, where);
    return r.satisfiable.length === 0 && r.unknown.length === 0;
  };

  if (own && impossible(own, known)) {
    report('error', 'never-true', `${anchor.text} can never be true: no GOOS/GOARCH combination, cgo setting, Go version or set of -tags satisfies it`, anchor.start, anchor.end);
    return;
  }
  const combined = nameConstraint ? (own ? and(fileNameExpr(nameConstraint), own) : fileNameExpr(nameConstraint)) : own;
  if (!combined) return;
  if (nameConstraint && own && impossible(combined, known)) {
    const needs = [nameConstraint.goos && `GOOS=${nameConstraint.goos}`, nameConstraint.goarch && `GOARCH=${nameConstraint.goarch}`].filter(Boolean).join(' and ');
    report('error', 'name-contradiction', `file name suffix ${nameConstraint.suffix} requires ${needs}, where ${anchor.text} is never true: the file is never built`, anchor.start, anchor.end);
    return;
  }
  if (!ports || ports.length === 0 || !impossible(combined, ports)) return;
  const elsewhere = describeSystems(searchPorts(combined, known).satisfiable.map((w) => w.port));
  const what = own ? anchor.text : `file name suffix ${nameConstraint!.suffix}`;
  report('warning', 'no-real-port', `${what} is false on every port of this Go toolchain (go tool dist list); it could only hold for ${elsewhere}`, anchor.start, anchor.end);
}

class LineIndex {
  private readonly starts: number[] = [0];
  constructor(bytes: Uint8Array) {
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: offset - this.starts[lo] };
  }
}
