// Constraint comments the go command never sees: after the first non-comment
// text of a Go file they are silently ignored. A light Go lexer skips string,
// raw string and rune literals so their contents are not taken for comments.

import { splitGoBuildLine, splitPlusBuildLine, type LineKind } from './expr';
import { isMalformedGoBuild } from './header';
import { trimSpace, utf8Decode } from './utf8';

export interface StrayComment {
  /** A constraint line the build ignores, or a `// go:build` line that is no constraint at all. */
  readonly kind: LineKind | 'malformed-go:build';
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly inBlockComment: boolean;
}

/** Scans bytes[from:] (from = HeaderScan.commentRegionEnd) for constraint-like comments. */
export function findStrayConstraints(bytes: Uint8Array, from: number): StrayComment[] {
  const out: StrayComment[] = [];
  const n = bytes.length;
  let line = 0;
  for (let i = 0; i < from; i++) if (bytes[i] === 0x0a) line++;

  const consider = (s: number, e: number, lineNo: number, inBlockComment: boolean) => {
    [s, e] = trimSpace(bytes, s, e);
    let kind: StrayComment['kind'] | undefined;
    if (splitGoBuildLine(bytes, s, e)) kind = 'go:build';
    else if (splitPlusBuildLine(bytes, s, e)) kind = '+build';
    else if (isMalformedGoBuild(bytes, s, e)) kind = 'malformed-go:build';
    if (kind) out.push({ kind, line: lineNo, start: s, end: e, text: utf8Decode(bytes, s, e), inBlockComment });
  };

  let i = from;
  while (i < n) {
    const c = bytes[i];
    if (c === 0x0a) {
      line++;
      i++;
    } else if (c === 0x2f && bytes[i + 1] === 0x2f) {
      let e = i;
      while (e < n && bytes[e] !== 0x0a) e++;
      consider(i, e, line, false);
      i = e;
    } else if (c === 0x2f && bytes[i + 1] === 0x2a) {
      // Lines inside a block comment that look like constraints are ignored too.
      i += 2;
      let lineStart = i;
      while (i < n && !(bytes[i] === 0x2a && bytes[i + 1] === 0x2f)) {
        if (bytes[i] === 0x0a) {
          consider(lineStart, i, line, true);
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      consider(lineStart, Math.min(i, n), line, true);
      i = Math.min(i + 2, n);
    } else if (c === 0x22 || c === 0x27) {
      // Interpreted string or rune literal: ends at the matching quote or, if malformed, at the newline.
      i++;
      while (i < n && bytes[i] !== c && bytes[i] !== 0x0a) i += bytes[i] === 0x5c && bytes[i + 1] !== 0x0a ? 2 : 1;
      if (i < n && bytes[i] === c) i++;
    } else if (c === 0x60) {
      i++;
      while (i < n && bytes[i] !== 0x60) {
        if (bytes[i] === 0x0a) line++;
        i++;
      }
      i++;
    } else {
      i++;
    }
  }
  return out;
}
