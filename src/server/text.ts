// The server works on UTF-8 bytes (offsets from the constraints core) while
// LSP positions count UTF-16 code units per line: this converts between them
// for one snapshot of a document, and bounds how much of a huge document is
// looked at.

import { utf8Encode } from '../core/constraints';

/**
 * Documents larger than this are analysed from their first lines only:
 * constraints that count live in the header, and re-reading megabytes on every
 * keystroke would blow the latency budget. The cost is that a misplaced
 * constraint further down a huge file goes unreported.
 */
export const MAX_ANALYSED_CHARS = 256 * 1024;

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export class TextSnapshot {
  readonly bytes: Uint8Array;
  /** The text analysed: the whole document, or its first lines when it is huge. */
  readonly text: string;
  readonly truncated: boolean;
  readonly eol: string;
  private readonly lineStarts: number[] = [0];
  private readonly decoder = new TextDecoder('utf-8');

  constructor(fullText: string) {
    let text = fullText;
    if (text.length > MAX_ANALYSED_CHARS) {
      const cut = text.lastIndexOf('\n', MAX_ANALYSED_CHARS);
      text = text.slice(0, cut > 0 ? cut + 1 : MAX_ANALYSED_CHARS);
    }
    this.text = text;
    this.truncated = text.length < fullText.length;
    this.bytes = utf8Encode(text);
    const firstNewline = text.indexOf('\n');
    this.eol = firstNewline > 0 && text[firstNewline - 1] === '\r' ? '\r\n' : '\n';
    const b = this.bytes;
    for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) this.lineStarts.push(i + 1);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.min(line, this.lineStarts.length - 1)];
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.bytes.length));
    const line = this.lineOf(clamped);
    const start = this.lineStarts[line];
    return { line, character: this.decoder.decode(this.bytes.subarray(start, clamped)).length };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** The whole line holding `offset`, its line break included: deleting it leaves no trace. */
  wholeLine(offset: number): Range {
    const line = this.lineOf(offset);
    return { start: { line, character: 0 }, end: { line: line + 1, character: 0 } };
  }

  /** Byte offset of an LSP position, or undefined beyond the analysed text. */
  offset(p: Position): number | undefined {
    if (p.line >= this.lineStarts.length) return undefined;
    const start = this.lineStarts[p.line];
    const end = p.line + 1 < this.lineStarts.length ? this.lineStarts[p.line + 1] : this.bytes.length;
    const lineText = this.decoder.decode(this.bytes.subarray(start, end));
    return start + utf8Encode(lineText.slice(0, p.character)).length;
  }
}
