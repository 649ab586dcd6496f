// Unsigned LEB128 varints as Go's encoding/binary writes them. The runtime pads
// some of them (batch sizes) to 10 bytes, which decodes naturally.
//
// Values are returned as JS numbers, exact below 2^53. Larger values only occur
// for ids that Go treats as signed 64-bit (NoThread, NoTask = 2^64-1 = -1);
// they are reinterpreted as int64 so those sentinels come out exact.

/**
 * How a read failed, in the terms of Go's binary.ReadUvarint: 'eof' when not
 * one byte was left (Go's bare io.EOF), 'unexpectedEof' when the data stops
 * inside the varint, 'overflow' past 64 bits.
 */
export type VarintFailure = 'eof' | 'unexpectedEof' | 'overflow';

export class VarintError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly failure: VarintFailure,
  ) {
    super(message);
  }
}

/** A read position over a byte range [pos, limit). */
export class ByteCursor {
  constructor(
    public buf: Uint8Array,
    public pos: number,
    public limit: number,
  ) {}

  byte(): number {
    if (this.pos >= this.limit) throw new VarintError('unexpected end of data', this.pos, 'eof');
    return this.buf[this.pos++];
  }

  uvarint(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos < this.limit) {
      const b = buf[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos + i >= this.limit) throw new VarintError('truncated varint', pos, i === 0 ? 'eof' : 'unexpectedEof');
      const b = buf[pos + i];
      if (i === 9 && b > 1) throw new VarintError('varint overflows 64 bits', pos, 'overflow');
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos + i + 1;
        return value <= Number.MAX_SAFE_INTEGER ? value : wide(buf, pos, i + 1);
      }
      scale *= 128;
    }
    throw new VarintError('varint overflows 64 bits', pos, 'overflow');
  }
}

function wide(buf: Uint8Array, pos: number, n: number): number {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 7n) | BigInt(buf[pos + i] & 0x7f);
  return Number(BigInt.asIntN(64, v));
}
