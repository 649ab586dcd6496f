// Growable typed-array columns for the trace model's builder, kept as chunks:
// a column of ten million values never exists twice while it grows (a
// doubling list copies itself and leaves the old buffer to the garbage
// collector), and the exact-size array is made once, at the end. Chunks
// double from FIRST values up to BIG, then stay BIG: a small trace's columns
// stay small, and a large one's chunks are big enough for the allocator to
// map and unmap them on their own, so copying them out at the end does not
// leave the process holding both. Each column kind is its own class so that
// V8 sees one element type per access site.

/** Chunk 0 holds values [0, FIRST); chunk k ≥ 1 holds [2^(k-1)·FIRST, 2^k·FIRST) until they reach BIG values. */
const FIRST_BITS = 12;
const FIRST = 1 << FIRST_BITS;
const BIG_BITS = 20;
const BIG = 1 << BIG_BITS;
const BIG_MASK = BIG - 1;
/** From here on every chunk holds BIG values; the doubling chunks end with [BIG, 2·BIG). */
const BIG_START = 2 * BIG;
/** Chunk index of value i ≥ BIG_START: the doubling chunks are 0..BIG_BITS-FIRST_BITS+1. */
const BIG_CHUNK_OFFSET = BIG_BITS - FIRST_BITS + 2 - (BIG_START >>> BIG_BITS);

type Typed = Int32Array | Int16Array | Float64Array | Uint8Array;

export interface Column<T extends Typed> {
  readonly length: number;
  push(value: number): void;
  get(i: number): number;
  set(i: number, value: number): void;
  /** The last value pushed is replaced. */
  setLast(value: number): void;
  last(): number;
  /** The values in one exact-size array; the column is left empty. */
  take(): T;
  /** Value i goes to out[dest[i]]; the column is left empty, each chunk let go once copied. */
  scatter(dest: Int32Array, out: Typed): void;
  /** Lets go of every value. */
  clear(): void;
}

function columnClass<T extends Typed>(make: (length: number) => T): new () => Column<T> {
  return class {
    private chunks: T[] = [];
    private current: T = make(0);
    /** Index of current[0], and one past its last. */
    private currentStart = 0;
    private currentEnd = 0;
    length = 0;

    push(value: number): void {
      if (this.length === this.currentEnd) {
        const size = this.length < BIG ? Math.max(this.length, FIRST) : BIG;
        this.current = make(size);
        this.chunks.push(this.current);
        this.currentStart = this.length;
        this.currentEnd = this.length + size;
      }
      this.current[this.length++ - this.currentStart] = value;
    }

    get(i: number): number {
      if (i >= BIG_START) return this.chunks[(i >>> BIG_BITS) + BIG_CHUNK_OFFSET][i & BIG_MASK];
      if (i < FIRST) return this.chunks[0][i];
      const bit = 31 - Math.clz32(i);
      return this.chunks[bit - FIRST_BITS + 1][i - (1 << bit)];
    }

    set(i: number, value: number): void {
      if (i >= BIG_START) this.chunks[(i >>> BIG_BITS) + BIG_CHUNK_OFFSET][i & BIG_MASK] = value;
      else if (i < FIRST) this.chunks[0][i] = value;
      else {
        const bit = 31 - Math.clz32(i);
        this.chunks[bit - FIRST_BITS + 1][i - (1 << bit)] = value;
      }
    }

    setLast(value: number): void {
      this.current[this.length - 1 - this.currentStart] = value;
    }

    last(): number {
      return this.current[this.length - 1 - this.currentStart];
    }

    take(): T {
      const out = make(this.length);
      let from = 0;
      for (let c = 0; c < this.chunks.length; c++) {
        const chunk = this.chunks[c];
        const n = Math.min(chunk.length, this.length - from);
        out.set(n === chunk.length ? chunk : chunk.subarray(0, n), from);
        from += n;
        // Each chunk goes as soon as it is copied, so the column is not held twice.
        this.chunks[c] = this.current = make(0);
      }
      this.clear();
      return out;
    }

    scatter(dest: Int32Array, out: Typed): void {
      let from = 0;
      for (let c = 0; c < this.chunks.length; c++) {
        const chunk = this.chunks[c];
        const n = Math.min(chunk.length, this.length - from);
        for (let j = 0; j < n; j++) out[dest[from + j]] = chunk[j];
        from += n;
        this.chunks[c] = this.current = make(0);
      }
      this.clear();
    }

    clear(): void {
      this.chunks = [];
      this.length = this.currentStart = this.currentEnd = 0;
    }
  };
}

export const Int32Column = columnClass((n) => new Int32Array(n));
export const Float64Column = columnClass((n) => new Float64Array(n));
export const Uint8Column = columnClass((n) => new Uint8Array(n));
export const Int16Column = columnClass((n) => new Int16Array(n));

/**
 * Integers kept in 16 bits until one needs more; then the values so far are
 * copied to a 32-bit column once (string and stack indexes of small tables,
 * goroutine counts stay narrow).
 */
export class SmallIntColumn {
  private column: Column<Int16Array> | Column<Int32Array> = new Int16Column();
  /** Whether a value has needed 32 bits. */
  wide = false;

  get length(): number {
    return this.column.length;
  }

  push(value: number): void {
    if (!this.wide && value !== (value << 16) >> 16) this.widen();
    this.column.push(value);
  }

  setLast(value: number): void {
    if (!this.wide && value !== (value << 16) >> 16) this.widen();
    this.column.setLast(value);
  }

  /** Int16Array unless a value needed 32 bits. */
  take(): Int16Array | Int32Array {
    return this.column.take();
  }

  /** As Column.scatter; `out` must be as wide as the column (see `wide`). */
  scatter(dest: Int32Array, out: Int16Array | Int32Array): void {
    this.column.scatter(dest, out);
  }

  private widen(): void {
    const narrow = this.column;
    const wide = new Int32Column();
    for (let i = 0; i < narrow.length; i++) wide.push(narrow.get(i));
    narrow.clear();
    this.column = wide;
    this.wide = true;
  }
}
