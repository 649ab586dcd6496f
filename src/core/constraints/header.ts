// Reads the part of a source file the go command looks at to decide whether
// to build it: the leading run of blank lines and comments (where build
// constraints count), then for Go files the package clause and the import
// declarations (for `import "C"` and the package name). Like go/build it stops
// there, so a huge file costs no more than its header.

import { parseConstraintBytes, splitGoBuildLine, splitPlusBuildLine, type LineKind, type LineParse } from './expr';
import { decodeRune, hasPrefix, indexOf, isSpaceRune, RUNE_ERROR, trimSpace, utf8Decode, utf8Encode } from './utf8';

export interface ConstraintComment {
  readonly kind: LineKind;
  /** 0-based line number. */
  readonly line: number;
  /** Byte offset of the line's first byte (a BOM is counted, so these are offsets into the file as stored). */
  readonly lineStart: number;
  /** Byte range of the comment text with surrounding white space trimmed. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Parse result; its offsets are file offsets. */
  readonly parse: LineParse;
}

export type IgnoredPlusBuildReason = 'not-followed-by-blank-line' | 'after-block-comment' | 'in-block-comment';

export interface IgnoredPlusBuild extends ConstraintComment {
  readonly why: IgnoredPlusBuildReason;
}

export interface GoImport {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

export interface HeaderProblem {
  readonly message: string;
  readonly offset: number;
}

export interface HeaderScan {
  readonly bomLength: number;
  /** Offset of the first text that is not a blank line or a comment: the end of the region where constraints count. */
  readonly commentRegionEnd: number;
  /** Every //go:build line of the region, outside block comments. More than one makes the file invalid. */
  readonly goBuild: readonly ConstraintComment[];
  /** The // +build lines that count: before the last blank line that precedes the first non-comment text. */
  readonly plusBuild: readonly ConstraintComment[];
  /** // +build lines in the leading comments that the go command does not use. */
  readonly ignoredPlusBuild: readonly IgnoredPlusBuild[];
  /** //go:build lines inside a leading /* *\/ comment, which the go command does not see. */
  readonly goBuildInBlockComment: readonly ConstraintComment[];
  /** Lines like `// go:build linux` (a space after //): not constraints, almost certainly meant to be. */
  readonly malformedGoBuild: readonly { line: number; start: number; end: number }[];
  /** The package name, when the package clause parses (go/parser leaves it empty otherwise). */
  readonly packageName?: string;
  readonly imports: readonly GoImport[];
  /** The package clause or imports do not parse; the go command then records no imports for the file. */
  readonly parseError?: HeaderProblem;
  /** A NUL byte before the end of the imports: the go command rejects the file ("unexpected NUL in input"). */
  readonly readError?: HeaderProblem;
  /** The input was a truncated prefix and ended before the scan finished: scan again with more of the file. */
  readonly incomplete: boolean;
}

/** A header (leading comments, package clause, imports) larger than this is not read: readers stop there with an error. */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export interface ScanOptions {
  /** Go source (the default) or another source kind (.s, .c, …), where only the leading comments matter. */
  readonly goSource?: boolean;
  /** `bytes` is only a prefix of the file. */
  readonly truncated?: boolean;
}

const SLASH_SLASH = utf8Encode('//');
const SLASH_STAR = utf8Encode('/*');
const STAR_SLASH = utf8Encode('*/');
const PLUS_BUILD = utf8Encode('+build');
const GO_BUILD_WORD = utf8Encode('go:build');

export function scanHeader(bytes: Uint8Array, options: ScanOptions = {}): HeaderScan {
  const truncated = options.truncated ?? false;
  const bomLength = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const region = scanCommentRegion(bytes, bomLength, truncated);
  if (options.goSource === false) return { ...region, bomLength, imports: [] };
  const clause = scanPackageClause(bytes, bomLength, truncated);
  return { ...region, ...clause, bomLength, incomplete: region.incomplete || clause.incomplete };
}

type RegionScan = Pick<
  HeaderScan,
  'commentRegionEnd' | 'goBuild' | 'plusBuild' | 'ignoredPlusBuild' | 'goBuildInBlockComment' | 'malformedGoBuild' | 'incomplete'
>;

function comment(bytes: Uint8Array, kind: LineKind, line: number, lineStart: number, s: number, e: number): ConstraintComment {
  return { kind, line, lineStart, start: s, end: e, text: utf8Decode(bytes, s, e), parse: parseConstraintBytes(bytes, s, e, s)! };
}

/**
 * The leading blank lines and comments, line by line as go/build's
 * parseFileHeader reads them: a //go:build line counts anywhere in the region
 * outside block comments; a +build line counts only before the last blank
 * line that comes before the first non-// line (a /* line ends that part).
 */
function scanCommentRegion(bytes: Uint8Array, from: number, truncated: boolean): RegionScan {
  const n = bytes.length;
  let plusBuildLimit = from;
  let ended = false;
  let inStar = false;
  let regionEnd = n;
  let incomplete = false;
  const goBuild: ConstraintComment[] = [];
  const plusCandidates: Array<{ c: ConstraintComment; afterEnded: boolean; inStar: boolean }> = [];
  const goBuildInBlockComment: ConstraintComment[] = [];
  const malformedGoBuild: Array<{ line: number; start: number; end: number }> = [];

  let p = from;
  let lineNo = 0;
  lines: for (; p < n; lineNo++) {
    const lineStart = p;
    const nl = bytes.indexOf(0x0a, p);
    const lineEnd = nl >= 0 ? nl : n;
    if (nl < 0 && truncated) {
      incomplete = true;
      regionEnd = lineStart;
      break;
    }
    p = nl >= 0 ? nl + 1 : n;
    let [s, e] = trimSpace(bytes, lineStart, lineEnd);
    if (s === e && !ended) {
      plusBuildLimit = p;
      continue;
    }
    const isLineComment = hasPrefix(bytes, s, e, SLASH_SLASH);
    if (!isLineComment) ended = true;

    if (isLineComment) {
      if (!inStar && splitGoBuildLine(bytes, s, e)) goBuild.push(comment(bytes, 'go:build', lineNo, lineStart, s, e));
      else if (inStar && splitGoBuildLine(bytes, s, e)) goBuildInBlockComment.push(comment(bytes, 'go:build', lineNo, lineStart, s, e));
      else if (isMalformedGoBuild(bytes, s, e)) malformedGoBuild.push({ line: lineNo, start: s, end: e });
      if (indexOf(bytes, s, e, PLUS_BUILD) >= 0 && splitPlusBuildLine(bytes, s, e)) {
        plusCandidates.push({ c: comment(bytes, '+build', lineNo, lineStart, s, e), afterEnded: ended, inStar });
      }
    }

    while (s < e) {
      if (inStar) {
        const close = indexOf(bytes, s, e, STAR_SLASH);
        if (close < 0) continue lines;
        inStar = false;
        [s, e] = trimSpace(bytes, close + 2, e);
        continue;
      }
      if (hasPrefix(bytes, s, e, SLASH_SLASH)) continue lines;
      if (hasPrefix(bytes, s, e, SLASH_STAR)) {
        inStar = true;
        [s, e] = trimSpace(bytes, s + 2, e);
        continue;
      }
      regionEnd = s;
      break lines;
    }
  }
  if (p >= n && regionEnd === n && truncated) incomplete = true;

  const plusBuild: ConstraintComment[] = [];
  const ignoredPlusBuild: IgnoredPlusBuild[] = [];
  for (const { c, afterEnded, inStar: starred } of plusCandidates) {
    if (c.lineStart < plusBuildLimit) plusBuild.push(c);
    else {
      const why: IgnoredPlusBuildReason = starred ? 'in-block-comment' : afterEnded ? 'after-block-comment' : 'not-followed-by-blank-line';
      ignoredPlusBuild.push({ ...c, why });
    }
  }
  return { commentRegionEnd: regionEnd, goBuild, plusBuild, ignoredPlusBuild, goBuildInBlockComment, malformedGoBuild, incomplete };
}

/** `// go:build x`: vet's "malformed //go:build line (space between // and go:build)". */
export function isMalformedGoBuild(bytes: Uint8Array, s: number, e: number): boolean {
  if (!hasPrefix(bytes, s, e, SLASH_SLASH)) return false;
  const [ts, te] = trimSpace(bytes, s + 2, e);
  if (ts === s + 2) return false;
  // Most comment lines are prose: only one that goes on with "go:build" can be glued into a //go:build line.
  if (!hasPrefix(bytes, ts, te, GO_BUILD_WORD)) return false;
  const glued = new Uint8Array(2 + te - ts);
  glued.set(SLASH_SLASH, 0);
  glued.set(bytes.subarray(ts, te), 2);
  return splitGoBuildLine(glued) !== undefined;
}

type ClauseScan = Pick<HeaderScan, 'packageName' | 'imports' | 'parseError' | 'readError' | 'incomplete'>;

class NeedMore {}

/**
 * go/build's import reader, byte for byte: it reads the package clause and the
 * import declarations, skipping white space, ';' and comments, and stops at
 * the first byte that cannot continue them. What it read is all go/parser
 * ever sees, so it bounds the parse below. A NUL byte among what it reads
 * makes the file unreadable for the go command; a syntax error makes it hand
 * the whole file to the parser instead.
 */
class ImportReader {
  pos: number;
  private peeked = 0;
  eof = false;
  error: 'syntax' | 'nul' | undefined;
  nulAt = -1;

  constructor(
    private readonly b: Uint8Array,
    from: number,
    private readonly truncated: boolean,
  ) {
    this.pos = from;
  }

  private readByte(): number {
    if (this.pos >= this.b.length) {
      if (this.truncated) throw new NeedMore();
      this.eof = true;
      return 0;
    }
    const c = this.b[this.pos++];
    if (c === 0 && this.error === undefined) {
      this.error = 'nul';
      this.nulAt = this.pos - 1;
    }
    return c;
  }

  private syntaxError(): void {
    this.error ??= 'syntax';
  }

  peekByte(skipSpace: boolean): number {
    if (this.error !== undefined) return 0;
    let c = this.peeked || this.readByte();
    while (this.error === undefined && !this.eof) {
      if (skipSpace) {
        if (c === 0x20 || c === 0x0c || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x3b) {
          c = this.readByte();
          continue;
        }
        if (c === 0x2f) {
          c = this.readByte();
          if (c === 0x2f) {
            while (c !== 0x0a && this.error === undefined && !this.eof) c = this.readByte();
          } else if (c === 0x2a) {
            let c1 = 0;
            while ((c !== 0x2a || c1 !== 0x2f) && this.error === undefined) {
              if (this.eof) this.syntaxError();
              [c, c1] = [c1, this.readByte()];
            }
          } else {
            this.syntaxError();
          }
          c = this.readByte();
          continue;
        }
      }
      break;
    }
    this.peeked = this.error === undefined ? c : 0;
    return this.peeked;
  }

  nextByte(skipSpace: boolean): number {
    const c = this.peekByte(skipSpace);
    this.peeked = 0;
    return c;
  }

  readKeyword(kw: string): void {
    this.peekByte(true);
    for (let i = 0; i < kw.length; i++) {
      if (this.nextByte(false) !== kw.charCodeAt(i)) {
        this.syntaxError();
        return;
      }
    }
    if (isIdentByte(this.peekByte(false))) this.syntaxError();
  }

  readIdent(): void {
    if (!isIdentByte(this.peekByte(true))) {
      this.syntaxError();
      return;
    }
    while (isIdentByte(this.peekByte(false))) this.peeked = 0;
  }

  readString(): void {
    const quote = this.nextByte(true);
    if (quote === 0x60) {
      while (this.error === undefined) {
        if (this.nextByte(false) === 0x60) break;
        if (this.eof) this.syntaxError();
      }
    } else if (quote === 0x22) {
      while (this.error === undefined) {
        const c = this.nextByte(false);
        if (c === 0x22) break;
        if (this.eof || c === 0x0a) this.syntaxError();
        if (c === 0x5c) this.nextByte(false);
      }
    } else {
      this.syntaxError();
    }
  }

  readImport(): void {
    const c = this.peekByte(true);
    if (c === 0x2e) this.peeked = 0;
    else if (isIdentByte(c)) this.readIdent();
    this.readString();
  }

  /** Reads like readGoInfo and returns where the parser's input ends. */
  readHeader(): number {
    this.readKeyword('package');
    this.readIdent();
    while (this.peekByte(true) === 0x69) {
      this.readKeyword('import');
      if (this.peekByte(true) === 0x28) {
        this.nextByte(false);
        while (this.peekByte(true) !== 0x29 && this.error === undefined) this.readImport();
        this.nextByte(false);
      } else {
        this.readImport();
      }
    }
    if (this.error === 'syntax') {
      if (this.truncated) throw new NeedMore();
      return this.b.length;
    }
    // Stopping early means one byte too many was read to see that the header had ended.
    return this.error === undefined && !this.eof ? this.pos - 1 : this.pos;
  }
}

const GO_KEYWORDS = new Set([
  'break', 'case', 'chan', 'const', 'continue', 'default', 'defer', 'else', 'fallthrough', 'for', 'func', 'go', 'goto',
  'if', 'import', 'interface', 'map', 'package', 'range', 'return', 'select', 'struct', 'switch', 'type', 'var',
]);

type Token =
  | { kind: 'ident'; text: string; start: number; end: number; newlineBefore: boolean }
  | { kind: 'string'; raw: string; start: number; end: number; newlineBefore: boolean }
  | { kind: 'punct' | 'other'; text: string; start: number; end: number; newlineBefore: boolean }
  | { kind: 'eof'; start: number; end: number; newlineBefore: boolean };

class ParseError {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

/**
 * Enough of Go's scanner for a package clause and imports, over the bytes the
 * import reader consumed; `newlineBefore` stands for the semicolon Go inserts
 * at a line end.
 */
class ClauseLexer {
  private pos: number;
  private peeked: Token | undefined;

  constructor(
    private readonly b: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {
    // Like go/scanner, skip one byte order mark at the start of its input (a file's second BOM: the reader dropped the first).
    this.pos = end - start >= 3 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf ? start + 3 : start;
  }

  private byte(i: number): number {
    if (i >= this.end) return -1;
    const c = this.b[i];
    if (c === 0) throw new ParseError('illegal character NUL', i);
    return c;
  }

  peek(): Token {
    this.peeked ??= this.lex();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  /** Go's scanner rejects invalid UTF-8 and a byte order mark anywhere but the start, comments included. */
  private checkRune(i: number): number {
    const [r, w] = decodeRune(this.b, i, this.end);
    if (r === RUNE_ERROR && w === 1) throw new ParseError('illegal UTF-8 encoding', i);
    if (r === 0xfeff && i > this.start) throw new ParseError('illegal byte order mark', i);
    return w;
  }

  /** Advances over b[pos:] until `stop` says so, checking each rune. */
  private skipText(stop: (c: number, i: number) => boolean): void {
    while (this.pos < this.end && !stop(this.b[this.pos], this.pos)) {
      const c = this.byte(this.pos);
      this.pos += c < 0x80 ? 1 : this.checkRune(this.pos);
    }
  }

  private lex(): Token {
    let newline = false;
    for (;;) {
      const c = this.byte(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0d) this.pos++;
      else if (c === 0x0a) {
        newline = true;
        this.pos++;
      } else if (c === 0x2f && this.byte(this.pos + 1) === 0x2f) {
        // skipText((d) => d === 0x0a) without a call per byte: the copyright comments above most package clauses are long.
        let i = this.pos;
        for (let d = this.b[i]; i < this.end && d !== 0x0a; d = this.b[i]) {
          if (d === 0) throw new ParseError('illegal character NUL', i);
          i += d < 0x80 ? 1 : this.checkRune(i);
        }
        this.pos = i;
      } else if (c === 0x2f && this.byte(this.pos + 1) === 0x2a) {
        const open = this.pos;
        this.pos += 2;
        this.skipText((d, i) => {
          if (d === 0x0a) newline = true;
          return d === 0x2a && this.byte(i + 1) === 0x2f;
        });
        if (this.pos >= this.end) throw new ParseError('comment not terminated', open);
        this.pos += 2;
      } else break;
    }
    const start = this.pos;
    const c = this.byte(start);
    if (c === -1) return { kind: 'eof', start, end: start, newlineBefore: true };
    if (isIdentByte(c)) {
      let i = start;
      for (;;) {
        const d = this.byte(i);
        if (d < 0x80) {
          if (d === -1 || !isIdentByte(d)) break;
          i++;
          continue;
        }
        const w = this.checkRune(i);
        const r = decodeRune(this.b, i, this.end)[0];
        const ch = String.fromCodePoint(r);
        if (!letterRe.test(ch) && !digitRe.test(ch)) {
          if (i === start) throw new ParseError(`invalid character U+${r.toString(16).toUpperCase().padStart(4, '0')}`, i);
          break;
        }
        i += w;
      }
      this.pos = i;
      return { kind: 'ident', text: utf8Decode(this.b, start, i), start, end: i, newlineBefore: newline };
    }
    if (c === 0x22 || c === 0x60) {
      this.pos = start + 1;
      let escaped = false;
      this.skipText((d) => {
        if (escaped) return (escaped = false);
        if (c === 0x22 && d === 0x5c) escaped = true;
        return d === c || (c === 0x22 && d === 0x0a);
      });
      if (this.pos >= this.end || this.b[this.pos] !== c) throw new ParseError('string literal not terminated', start);
      this.pos++;
      return { kind: 'string', raw: utf8Decode(this.b, start, this.pos), start, end: this.pos, newlineBefore: newline };
    }
    this.pos = start + 1;
    const text = String.fromCharCode(c);
    return { kind: '();.'.includes(text) ? 'punct' : 'other', text, start, end: start + 1, newlineBefore: newline };
  }
}

const letterRe = /^[\p{L}_]$/u;
const digitRe = /^\p{Nd}$/u;

function isIdentByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c >= 0x80;
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'string') return t.raw;
  return `'${t.text}'`;
}

function scanPackageClause(bytes: Uint8Array, from: number, truncated: boolean): ClauseScan {
  const reader = new ImportReader(bytes, from, truncated);
  let end: number;
  try {
    end = reader.readHeader();
  } catch (e) {
    if (e instanceof NeedMore) return { imports: [], incomplete: true };
    throw e;
  }
  if (reader.error === 'nul') {
    return { imports: [], readError: { message: 'unexpected NUL in input', offset: reader.nulAt }, incomplete: false };
  }

  const lx = new ClauseLexer(bytes, from, end);
  const imports: GoImport[] = [];
  let packageName: string | undefined;
  const fail = (t: Token, what: string): never => {
    throw new ParseError(`expected ${what}, found ${describe(t)}`, t.start);
  };
  // A statement ends at the end of its line, the end of the file, or an explicit ';'
  // (consumed only when no line end came first: after one, a ';' is a token of its own).
  const endStatement = (insideGroup: boolean) => {
    const t = lx.peek();
    if (t.newlineBefore) return;
    if (t.kind === 'punct' && t.text === ';') lx.next();
    else if (!(insideGroup && t.kind === 'punct' && t.text === ')')) fail(t, "';'");
  };
  const importSpec = () => {
    let t = lx.next();
    if (t.kind === 'ident' || (t.kind === 'punct' && t.text === '.')) t = lx.next();
    if (t.kind !== 'string') return fail(t, 'import path');
    const path = unquote(t.raw);
    if (path === undefined || !isValidImportPath(path)) throw new ParseError(`invalid import path: ${t.raw}`, t.start);
    imports.push({ path, start: t.start, end: t.end });
  };
  try {
    const kw = lx.next();
    if (kw.kind !== 'ident' || kw.text !== 'package') fail(kw, "'package'");
    const name = lx.next();
    if (name.kind !== 'ident' || GO_KEYWORDS.has(name.text) || /^[0-9]/.test(name.text)) fail(name, 'package name');
    endStatement(false);
    // go/parser gives up on a file whose package clause has any error, the
    // token after it included (an unterminated comment, say), and leaves the
    // package name empty; so the name only counts once that token is scanned.
    lx.peek();
    if (name.kind === 'ident') packageName = name.text;
    for (;;) {
      const t = lx.peek();
      if (t.kind !== 'ident' || t.text !== 'import') break;
      lx.next();
      const open = lx.peek();
      if (open.kind === 'punct' && open.text === '(') {
        lx.next();
        for (;;) {
          const u = lx.peek();
          if (u.kind === 'punct' && u.text === ')') {
            lx.next();
            break;
          }
          importSpec();
          endStatement(true);
        }
      } else {
        importSpec();
      }
      endStatement(false);
    }
    return { packageName, imports, incomplete: false };
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    // The go command records no imports for a file whose header does not parse.
    return { packageName, imports: [], parseError: { message: e.message, offset: e.offset }, incomplete: false };
  }
}

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };

/** strconv.Unquote for the string literals of import paths; undefined when it would fail. */
function unquote(raw: string): string | undefined {
  if (raw.startsWith('`')) return raw.slice(1, -1).replace(/\r/g, '');
  const body = raw.slice(1, -1);
  if (!body.includes('\\')) return body;
  const out: number[] = [];
  const enc = utf8Encode(body);
  for (let i = 0; i < enc.length; ) {
    if (enc[i] !== 0x5c) {
      out.push(enc[i++]);
      continue;
    }
    const c = String.fromCharCode(enc[i + 1] ?? 0);
    if (c in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[c]);
      i += 2;
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const width = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const hex = utf8Decode(enc, i + 2, i + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined;
      const v = parseInt(hex, 16);
      if (c === 'x') out.push(v);
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return undefined;
        out.push(...utf8Encode(String.fromCodePoint(v)));
      }
      i += 2 + width;
    } else if (c >= '0' && c <= '7') {
      const oct = utf8Decode(enc, i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) return undefined;
      out.push(parseInt(oct, 8));
      i += 4;
    } else {
      return undefined;
    }
  }
  return decodeKeepingErrors(Uint8Array.from(out));
}

function decodeKeepingErrors(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; ) {
    const [r, w] = decodeRune(b, i, b.length);
    s += String.fromCodePoint(r);
    i += w;
  }
  return s;
}

const graphicRe = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u;
const ILLEGAL_IMPORT_CHARS = '!"#$%&\'()*,:;<=>?[\\]^{|}`\ufffd';

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const ILLEGAL_ASCII_IMPORT_CHAR = /[!"#$%&'()*,:;<=>?[\\\]^{|}`]/;

/** The implementation restriction on import paths the go command enforces. */
function isValidImportPath(path: string): boolean {
  if (path === '') return false;
  // Every printable ASCII character but space is graphic: only the illegal ones remain to look for.
  if (PRINTABLE_ASCII.test(path)) return !ILLEGAL_ASCII_IMPORT_CHAR.test(path);
  for (const ch of path) {
    const r = ch.codePointAt(0)!;
    if (!graphicRe.test(ch) || isSpaceRune(r) || ILLEGAL_IMPORT_CHARS.includes(ch)) return false;
  }
  return true;
}
