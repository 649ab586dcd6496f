// Byte-level text helpers. Build constraints are defined on UTF-8 bytes (Go's
// error offsets and token positions are byte offsets), so the scanner and the
// parsers work on Uint8Array and decode runes the way Go's unicode/utf8 does:
// an invalid sequence is one U+FFFD of width 1.

export const RUNE_ERROR = 0xfffd;

const encoder = new TextEncoder();
// ignoreBOM keeps a U+FEFF that is not at the start of the file in the text, where Go sees it too.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // Short ASCII text (identifiers, import paths, constraint lines) without the decoder's cost per call.
  if (end - start <= 64) {
    let text = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i];
      if (c >= 0x80) return decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(c);
    }
    return text;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** Decodes the rune at `i`; returns [rune, width]. Mirrors utf8.DecodeRune, including its rejection of overlong forms and surrogates. */
export function decodeRune(b: Uint8Array, i: number, end: number): [number, number] {
  const c0 = b[i];
  if (c0 < 0x80) return [c0, 1];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < end && b[i + k] >= lo && b[i + k] <= hi;
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    if (cont(1)) return [((c0 & 0x1f) << 6) | (b[i + 1] & 0x3f), 2];
  } else if (c0 >= 0xe0 && c0 <= 0xef) {
    const lo = c0 === 0xe0 ? 0xa0 : 0x80;
    const hi = c0 === 0xed ? 0x9f : 0xbf;
    if (cont(1, lo, hi) && cont(2)) {
      return [((c0 & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f), 3];
    }
  } else if (c0 >= 0xf0 && c0 <= 0xf4) {
    const lo = c0 === 0xf0 ? 0x90 : 0x80;
    const hi = c0 === 0xf4 ? 0x8f : 0xbf;
    if (cont(1, lo, hi) && cont(2) && cont(3)) {
      return [
        ((c0 & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f),
        4,
      ];
    }
  }
  return [RUNE_ERROR, 1];
}

/** Like utf8.DecodeLastRune over b[start:end]. */
function decodeLastRune(b: Uint8Array, start: number, end: number): [number, number] {
  const last = b[end - 1];
  if (last < 0x80) return [last, 1];
  let j = end - 1;
  const limit = Math.max(start, end - 4);
  while (j > limit && (b[j] & 0xc0) === 0x80) j--;
  const [r, w] = decodeRune(b, j, end);
  if (j + w !== end) return [RUNE_ERROR, 1];
  return [r, w];
}

/** unicode.IsSpace */
export function isSpaceRune(r: number): boolean {
  if (r <= 0xff) {
    return r === 0x20 || (r >= 0x09 && r <= 0x0d) || r === 0x85 || r === 0xa0;
  }
  return (
    r === 0x1680 || (r >= 0x2000 && r <= 0x200a) || r === 0x2028 || r === 0x2029 || r === 0x202f || r === 0x205f || r === 0x3000
  );
}

const letterRe = /^\p{L}$/u;
const digitRe = /^\p{Nd}$/u;

/** The characters allowed in a build tag: unicode.IsLetter, unicode.IsDigit, '_' and '.'. */
export function isTagRune(r: number): boolean {
  if (r < 0x80) {
    return (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a) || (r >= 0x30 && r <= 0x39) || r === 0x5f || r === 0x2e;
  }
  if (r === RUNE_ERROR) return false;
  const s = String.fromCodePoint(r);
  return letterRe.test(s) || digitRe.test(s);
}

/** bytes.TrimSpace over b[start:end]; returns the trimmed bounds. */
export function trimSpace(b: Uint8Array, start: number, end: number): [number, number] {
  let s = start;
  while (s < end) {
    // ASCII first, without decoding: nearly every byte of a header is ASCII.
    const c = b[s];
    if (c < 0x80) {
      if (c !== 0x20 && (c < 0x09 || c > 0x0d)) break;
      s++;
      continue;
    }
    const [r, w] = decodeRune(b, s, end);
    if (!isSpaceRune(r)) break;
    s += w;
  }
  let e = end;
  while (e > s) {
    const c = b[e - 1];
    if (c < 0x80) {
      if (c !== 0x20 && (c < 0x09 || c > 0x0d)) break;
      e--;
      continue;
    }
    const [r, w] = decodeLastRune(b, s, e);
    if (!isSpaceRune(r)) break;
    e -= w;
  }
  return [s, e];
}

export function hasPrefix(b: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (b[start + k] !== prefix[k]) return false;
  return true;
}

export function indexOf(b: Uint8Array, start: number, end: number, needle: Uint8Array): number {
  const n = needle.length;
  outer: for (let i = start; i + n <= end; i++) {
    for (let k = 0; k < n; k++) if (b[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** Go's string(rune) for an error message: invalid runes print as U+FFFD. */
export function runeString(r: number): string {
  return String.fromCodePoint(r);
}
