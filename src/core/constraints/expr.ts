// Parsers for the two build-constraint line forms, `//go:build <expr>` and the
// legacy `// +build <fields>`, with the grammar, limits and error messages of
// Go's go/build/constraint package. Every node records the byte range of its
// source text so an editor can underline a tag or an error.

import { decodeRune, hasPrefix, isSpaceRune, isTagRune, runeString, trimSpace, utf8Decode, utf8Encode } from './utf8';

export interface TagExpr {
  readonly kind: 'tag';
  readonly tag: string;
  /** Byte range of the tag in the parsed input (see ParseOptions.base). Synthetic `ignore` tags of +build lines cover the offending term. */
  readonly start: number;
  readonly end: number;
}
export interface NotExpr {
  readonly kind: 'not';
  readonly x: Expr;
  readonly start: number;
  readonly end: number;
}
export interface AndExpr {
  readonly kind: 'and';
  readonly x: Expr;
  readonly y: Expr;
  readonly start: number;
  readonly end: number;
}
export interface OrExpr {
  readonly kind: 'or';
  readonly x: Expr;
  readonly y: Expr;
  readonly start: number;
  readonly end: number;
}
export type Expr = TagExpr | NotExpr | AndExpr | OrExpr;

export type LineKind = 'go:build' | '+build';

export interface ConstraintSyntaxError {
  /** Go's message, e.g. "unexpected token ||" or "double negation not allowed". */
  readonly message: string;
  /** Byte offset into the trimmed expression text, as go/build/constraint reports it. */
  readonly exprOffset: number;
  /** The same position shifted by ParseOptions.base plus the expression's place in the line. */
  readonly offset: number;
}

export type LineParse =
  | { readonly ok: true; readonly kind: LineKind; readonly expr: Expr; readonly exprStart: number; readonly exprEnd: number }
  | {
      readonly ok: false;
      readonly kind: LineKind;
      readonly error: ConstraintSyntaxError;
      readonly exprStart: number;
      readonly exprEnd: number;
    };

/** `//go:build` allows up to this many operands and groups; more is "build expression too large". */
export const MAX_GO_BUILD_SIZE = 1000;
/** A `// +build` line may hold up to this many AND/OR operators. */
export const MAX_PLUS_BUILD_OPERATORS = 100;
export const TOO_COMPLEX_FOR_PLUS_BUILD = 'expression too complex for // +build lines';

export const tag = (name: string, start = 0, end = 0): TagExpr => ({ kind: 'tag', tag: name, start, end });
export const not = (x: Expr, start = x.start, end = x.end): NotExpr => ({ kind: 'not', x, start, end });
export const and = (x: Expr, y: Expr): AndExpr => ({ kind: 'and', x, y, start: x.start, end: y.end });
export const or = (x: Expr, y: Expr): OrExpr => ({ kind: 'or', x, y, start: x.start, end: y.end });

const GO_BUILD = utf8Encode('//go:build');
const SLASH_SLASH = utf8Encode('//');
const PLUS_BUILD = utf8Encode('+build');

function asBytes(line: string | Uint8Array): Uint8Array {
  return typeof line === 'string' ? utf8Encode(line) : line;
}

/** A single line: one trailing '\n' is tolerated, an inner one makes it "not a constraint", as in Go. */
function lineBounds(b: Uint8Array, start: number, end: number): [number, number] | undefined {
  if (end > start && b[end - 1] === 0x0a) end--;
  for (let i = start; i < end; i++) if (b[i] === 0x0a) return undefined;
  return [start, end];
}

/** Where a `//go:build` line's expression is, or undefined when the line is not one (`//go:buildfoo`, `// go:build`). */
export function splitGoBuildLine(b: Uint8Array, start = 0, end = b.length): [number, number] | undefined {
  const bounds = lineBounds(b, start, end);
  if (!bounds) return undefined;
  [start, end] = bounds;
  if (!hasPrefix(b, start, end, GO_BUILD)) return undefined;
  [start, end] = trimSpace(b, start, end);
  const rest = start + GO_BUILD.length;
  const [exprStart] = trimSpace(b, rest, end);
  // The prefix must be followed by white space or nothing.
  if (exprStart === rest && rest !== end) return undefined;
  return [exprStart, end];
}

/** Where a `// +build` line's fields are (the space after // is optional), or undefined. */
export function splitPlusBuildLine(b: Uint8Array, start = 0, end = b.length): [number, number] | undefined {
  const bounds = lineBounds(b, start, end);
  if (!bounds) return undefined;
  [start, end] = bounds;
  if (!hasPrefix(b, start, end, SLASH_SLASH)) return undefined;
  [start, end] = trimSpace(b, start + 2, end);
  if (!hasPrefix(b, start, end, PLUS_BUILD)) return undefined;
  const rest = start + PLUS_BUILD.length;
  const [exprStart, exprEnd] = trimSpace(b, rest, end);
  if (exprStart === rest && rest !== end) return undefined;
  return [exprStart, exprEnd];
}

export function isGoBuildLine(line: string | Uint8Array): boolean {
  return splitGoBuildLine(asBytes(line)) !== undefined;
}

export function isPlusBuildLine(line: string | Uint8Array): boolean {
  return splitPlusBuildLine(asBytes(line)) !== undefined;
}

export interface ParseOptions {
  /** Added to every offset in the result, e.g. the line's byte offset in its file. */
  readonly base?: number;
}

/**
 * Parses one constraint line (`//go:build ...` or `// +build ...`), like
 * constraint.Parse. Returns undefined when the line is neither form.
 */
export function parseConstraintLine(line: string | Uint8Array, options: ParseOptions = {}): LineParse | undefined {
  const b = asBytes(line);
  return parseConstraintBytes(b, 0, b.length, options.base ?? 0);
}

/** parseConstraintLine over b[start:end]; offsets are `base + (index - start)`. */
export function parseConstraintBytes(b: Uint8Array, start: number, end: number, base: number): LineParse | undefined {
  const shift = base - start;
  const goBuild = splitGoBuildLine(b, start, end);
  if (goBuild) {
    const [s, e] = goBuild;
    const parsed = parseGoBuildExpr(b, s, e, shift);
    return parsed.ok
      ? { ok: true, kind: 'go:build', expr: parsed.expr, exprStart: s + shift, exprEnd: e + shift }
      : { ok: false, kind: 'go:build', error: parsed.error, exprStart: s + shift, exprEnd: e + shift };
  }
  const plusBuild = splitPlusBuildLine(b, start, end);
  if (plusBuild) {
    const [s, e] = plusBuild;
    const parsed = parsePlusBuildExpr(b, s, e, shift);
    return parsed.ok
      ? { ok: true, kind: '+build', expr: parsed.expr, exprStart: s + shift, exprEnd: e + shift }
      : { ok: false, kind: '+build', error: parsed.error, exprStart: s + shift, exprEnd: e + shift };
  }
  return undefined;
}

/** Parses a bare `//go:build` expression such as "linux && !cgo". */
export function parseGoBuildExpression(text: string | Uint8Array, options: ParseOptions = {}) {
  const b = asBytes(text);
  return parseGoBuildExpr(b, 0, b.length, options.base ?? 0);
}

type ExprResult = { ok: true; expr: Expr } | { ok: false; error: ConstraintSyntaxError };

class SyntaxFailure {
  constructor(
    public message: string,
    readonly at: number,
  ) {}
}

/**
 * Recursive descent over `or := and {"||" and}`, `and := not {"&&" not}`,
 * `not := "!" atom | atom`, `atom := "(" or ")" | tag`. The token position
 * reported by each error, and the `size` budget counted on entry to `not`,
 * follow Go's parser so offsets agree byte for byte.
 */
class GoBuildParser {
  private i: number;
  private tok = '';
  private tokIsTag = false;
  private pos: number;
  private tokEnd: number;
  private size = 0;

  constructor(
    private readonly b: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    private readonly shift: number,
  ) {
    this.i = start;
    this.pos = start;
    this.tokEnd = start;
  }

  parse(): Expr {
    const x = this.or();
    if (this.tok !== '') throw new SyntaxFailure('unexpected token ' + this.tok, this.pos);
    return x;
  }

  private or(): Expr {
    let x = this.and();
    while (this.tok === '||') x = or(x, this.and());
    return x;
  }

  private and(): Expr {
    let x = this.not();
    while (this.tok === '&&') x = and(x, this.not());
    return x;
  }

  private not(): Expr {
    if (++this.size > MAX_GO_BUILD_SIZE) throw new SyntaxFailure('build expression too large', this.pos);
    this.lex();
    if (this.tok === '!') {
      const bang = this.pos;
      this.lex();
      if (this.tok === '!') throw new SyntaxFailure('double negation not allowed', this.pos);
      const x = this.atom();
      return not(x, bang + this.shift, x.end);
    }
    return this.atom();
  }

  private atom(): Expr {
    if (this.tok === '(') {
      const open = this.pos;
      let x: Expr;
      try {
        x = this.or();
      } catch (e) {
        // An expression that ends inside parentheses is reported as a missing
        // close paren, at the place the input ended.
        if (e instanceof SyntaxFailure && e.message === 'unexpected end of expression') e.message = 'missing close paren';
        throw e;
      }
      if ((this.tok as string) !== ')') throw new SyntaxFailure('missing close paren', open);
      this.lex();
      return x;
    }
    if (!this.tokIsTag) {
      if (this.tok === '') throw new SyntaxFailure('unexpected end of expression', this.pos);
      throw new SyntaxFailure('unexpected token ' + this.tok, this.pos);
    }
    const t = tag(this.tok, this.pos + this.shift, this.tokEnd + this.shift);
    this.lex();
    return t;
  }

  private lex(): void {
    const { b, end } = this;
    this.tokIsTag = false;
    while (this.i < end && (b[this.i] === 0x20 || b[this.i] === 0x09)) this.i++;
    this.pos = this.i;
    if (this.i >= end) {
      this.tok = '';
      this.tokEnd = this.i;
      return;
    }
    const c = b[this.i];
    if (c === 0x28 || c === 0x29 || c === 0x21) {
      this.tok = String.fromCharCode(c);
      this.tokEnd = ++this.i;
      return;
    }
    if (c === 0x26 || c === 0x7c) {
      if (this.i + 1 >= end || b[this.i + 1] !== c) {
        throw new SyntaxFailure('invalid syntax at ' + String.fromCharCode(c), this.i);
      }
      this.tok = c === 0x26 ? '&&' : '||';
      this.i += 2;
      this.tokEnd = this.i;
      return;
    }
    let j = this.i;
    while (j < end) {
      const [r, w] = decodeRune(b, j, end);
      if (!isTagRune(r)) break;
      j += w;
    }
    if (j === this.i) {
      throw new SyntaxFailure('invalid syntax at ' + runeString(decodeRune(b, this.i, end)[0]), this.i);
    }
    this.tok = utf8Decode(b, this.i, j);
    this.tokIsTag = true;
    this.i = j;
    this.tokEnd = j;
  }
}

function parseGoBuildExpr(b: Uint8Array, start: number, end: number, shift: number): ExprResult {
  try {
    return { ok: true, expr: new GoBuildParser(b, start, end, shift).parse() };
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    return { ok: false, error: { message: e.message, exprOffset: e.at - start, offset: e.at + shift } };
  }
}

function isValidTagBytes(b: Uint8Array, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; ) {
    const [r, w] = decodeRune(b, i, end);
    if (!isTagRune(r)) return false;
    i += w;
  }
  return true;
}

/** Splits b[start:end] at runs of Unicode white space, like strings.Fields. */
function fields(b: Uint8Array, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let fieldStart = -1;
  for (let i = start; i < end; ) {
    const [r, w] = decodeRune(b, i, end);
    if (isSpaceRune(r)) {
      if (fieldStart >= 0) out.push([fieldStart, i]);
      fieldStart = -1;
    } else if (fieldStart < 0) {
      fieldStart = i;
    }
    i += w;
  }
  if (fieldStart >= 0) out.push([fieldStart, end]);
  return out;
}

/**
 * Legacy form: space-separated fields are ORed, comma-separated terms ANDed.
 * A term that is `!` alone, starts with `!!`, is empty or holds characters a
 * tag cannot have stands for the tag `ignore` (keeping one leading `!`).
 */
function parsePlusBuildExpr(b: Uint8Array, start: number, end: number, shift: number): ExprResult {
  let operators = 0;
  const tooComplex = (): ExprResult => ({
    ok: false,
    error: { message: TOO_COMPLEX_FOR_PLUS_BUILD, exprOffset: 0, offset: start + shift },
  });
  let x: Expr | undefined;
  for (const [fs, fe] of fields(b, start, end)) {
    let y: Expr | undefined;
    let litStart = fs;
    for (let i = fs; i <= fe; i++) {
      if (i < fe && b[i] !== 0x2c) continue;
      const z = plusBuildTerm(b, litStart, i, shift);
      litStart = i + 1;
      if (!y) {
        y = z;
      } else {
        if (++operators > MAX_PLUS_BUILD_OPERATORS) return tooComplex();
        y = and(y, z);
      }
    }
    if (!y) continue;
    if (!x) {
      x = y;
    } else {
      if (++operators > MAX_PLUS_BUILD_OPERATORS) return tooComplex();
      x = or(x, y);
    }
  }
  return { ok: true, expr: x ?? tag('ignore', start + shift, end + shift) };
}

function plusBuildTerm(b: Uint8Array, s: number, e: number, shift: number): Expr {
  const BANG = 0x21;
  if ((e - s === 1 && b[s] === BANG) || (e - s >= 2 && b[s] === BANG && b[s + 1] === BANG)) {
    return tag('ignore', s + shift, e + shift);
  }
  const negated = e > s && b[s] === BANG;
  const ts = negated ? s + 1 : s;
  const t = isValidTagBytes(b, ts, e) ? tag(utf8Decode(b, ts, e), ts + shift, e + shift) : tag('ignore', ts + shift, e + shift);
  return negated ? not(t, s + shift, e + shift) : t;
}

/** The expression in `//go:build` syntax, parenthesised exactly as Go's Expr.String does. */
export function exprString(x: Expr): string {
  switch (x.kind) {
    case 'tag':
      return x.tag;
    case 'not': {
      const s = exprString(x.x);
      return x.x.kind === 'and' || x.x.kind === 'or' ? `!(${s})` : '!' + s;
    }
    case 'and':
      return wrapIf(x.x, 'or') + ' && ' + wrapIf(x.y, 'or');
    case 'or':
      return wrapIf(x.x, 'and') + ' || ' + wrapIf(x.y, 'and');
  }
}

function wrapIf(x: Expr, kind: 'and' | 'or'): string {
  const s = exprString(x);
  return x.kind === kind ? `(${s})` : s;
}

export function evalExpr(x: Expr, isTrue: (tag: string) => boolean): boolean {
  switch (x.kind) {
    case 'tag':
      return isTrue(x.tag);
    case 'not':
      return !evalExpr(x.x, isTrue);
    case 'and':
      return evalExpr(x.x, isTrue) && evalExpr(x.y, isTrue);
    case 'or':
      return evalExpr(x.x, isTrue) || evalExpr(x.y, isTrue);
  }
}

/** Every tag occurrence, left to right. */
export function tagNodes(x: Expr, out: TagExpr[] = []): TagExpr[] {
  if (x.kind === 'tag') out.push(x);
  else if (x.kind === 'not') tagNodes(x.x, out);
  else {
    tagNodes(x.x, out);
    tagNodes(x.y, out);
  }
  return out;
}

export function tagNames(x: Expr): string[] {
  return [...new Set(tagNodes(x).map((t) => t.tag))];
}
