// Growable typed arrays for tables whose final size is unknown up front
// (pprof decoding, trace models): one flat buffer per column instead of an
// object per row.

export class Int32List {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(capacity, 16));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  grow(): void {
    const next = new Int32Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
  /** The pushed values without a copy (the spare capacity stays in the buffer). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

export class Float64List {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(capacity, 16));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
  /** The pushed values without a copy (the spare capacity stays in the buffer). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export class Uint8List {
  data: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint8Array(Math.max(capacity, 16));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}
