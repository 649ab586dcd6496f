// Writes a decoded (and possibly diffed or filtered) profile back as pprof
// protobuf, so that a page or a tool that reads profiles (the flame graph,
// `go tool pprof`) sees exactly what goperf computed.

import type { Profile } from './decode';
import { functionNodes, type Granularity } from './aggregate';
import { stringTable } from './stringTable';

class Writer {
  buf = new Uint8Array(1 << 16);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** A non-negative integer below 2^53. */
  uvarint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  bigVarint(v: bigint): void {
    this.ensure(10);
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  /** int64 as protobuf writes it: negatives in ten bytes of two's complement. */
  int64(v: number): void {
    if (v >= 0) this.uvarint(v);
    else this.bigVarint(BigInt(v));
  }

  tag(field: number, wire: number): void {
    this.uvarint(field * 8 + wire);
  }

  uintField(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 0);
    this.uvarint(v);
  }

  int64Field(field: number, v: number): void {
    if (v === 0) return;
    this.tag(field, 0);
    this.int64(v);
  }

  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, 2);
    this.uvarint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Appends `inner`'s bytes as a length-delimited field and empties it. */
  message(field: number, inner: Writer): void {
    this.bytesField(field, inner.buf.subarray(0, inner.len));
    inner.len = 0;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export interface EncodeOptions {
  /**
   * Bake pprof's -granularity into the functions: every frame's function
   * becomes its node (named as pprof prints it, e.g. "main.f x.go:12"), so
   * a reader at function granularity sees the nodes of this one.
   */
  granularity?: Granularity;
}

/** The profile as uncompressed pprof protobuf. */
export function encodeProfile(profile: Profile, opts: EncodeOptions = {}): Uint8Array {
  const { strings, intern: str } = stringTable();
  const out = new Writer();
  const msg = new Writer();
  const sub = new Writer();
  const typeCount = profile.sampleTypes.length;

  for (const t of profile.sampleTypes) {
    msg.uintField(1, str(t.type));
    msg.uintField(2, str(t.unit));
    out.message(1, msg);
  }

  const { samples, locations: locs, functions: fns, mappings } = profile;
  for (let s = 0; s < samples.count; s++) {
    for (let i = samples.stackStart[s]; i < samples.stackEnd[s]; i++) sub.uvarint(samples.stack[i] + 1);
    if (sub.len > 0) msg.message(1, sub);
    for (let t = 0; t < typeCount; t++) sub.int64(samples.values[s * typeCount + t]);
    msg.message(2, sub);
    for (let k = samples.labelStart[s]; k < samples.labelStart[s + 1]; k++) {
      sub.uintField(1, str(profile.strings[samples.labelKey[k]]));
      if (samples.labelStr[k] !== 0) {
        sub.uintField(2, str(profile.strings[samples.labelStr[k]]));
      } else {
        sub.int64Field(3, samples.labelNum[k]);
        sub.uintField(4, str(profile.strings[samples.labelNumUnit[k]]));
      }
      msg.message(3, sub);
    }
    out.message(2, msg);
  }

  mappings.forEach((m, i) => {
    msg.uintField(1, i + 1);
    for (const [field, v] of [[2, m.memoryStart], [3, m.memoryLimit], [4, m.fileOffset]] as const) {
      if (v === 0n) continue;
      msg.tag(field, 0);
      msg.bigVarint(v);
    }
    msg.uintField(5, str(m.file));
    msg.uintField(6, str(m.buildId));
    msg.uintField(7, m.hasFunctions ? 1 : 0);
    msg.uintField(8, m.hasFilenames ? 1 : 0);
    msg.uintField(9, m.hasLineNumbers ? 1 : 0);
    msg.uintField(10, m.hasInlineFrames ? 1 : 0);
    out.message(3, msg);
  });

  // Function ids: the profile's own, or one per node at a coarser or finer granularity.
  const grained = opts.granularity !== undefined && opts.granularity !== 'functions';
  const nodes = grained ? functionNodes(profile, opts.granularity) : undefined;
  for (let l = 0; l < locs.count; l++) {
    msg.uintField(1, l + 1);
    if (locs.mapping[l] >= 0) msg.uintField(2, locs.mapping[l] + 1);
    if (locs.addressHigh[l] !== 0 || locs.addressLow[l] !== 0) {
      msg.tag(3, 0);
      msg.bigVarint((BigInt(locs.addressHigh[l]) << 32n) | BigInt(locs.addressLow[l]));
    }
    const lineStart = locs.lineStart[l];
    const lineEnd = locs.lineEnd[l];
    if (nodes && lineStart === lineEnd) {
      sub.uintField(1, nodes.locationNode[l] + 1);
      msg.message(4, sub);
    }
    for (let j = lineStart; j < lineEnd; j++) {
      sub.uintField(1, (nodes ? nodes.lineNode[j] : locs.lineFunction[j]) + 1);
      sub.int64Field(2, locs.lineNumber[j]);
      sub.int64Field(3, locs.lineColumn[j]);
      msg.message(4, sub);
    }
    msg.uintField(5, locs.isFolded[l]);
    out.message(4, msg);
  }

  const writeFunction = (id: number, name: string, systemName: string, file: string, startLine: number) => {
    msg.uintField(1, id);
    msg.uintField(2, str(name));
    msg.uintField(3, str(systemName));
    msg.uintField(4, str(file));
    msg.int64Field(5, startLine);
    out.message(5, msg);
  };
  if (nodes) {
    nodes.functions.forEach((f, i) => writeFunction(i + 1, f.name, f.systemName, f.file, f.startLine));
  } else {
    for (let f = 0; f < fns.count; f++) {
      const s = profile.strings;
      writeFunction(f + 1, s[fns.name[f]], s[fns.systemName[f]], s[fns.fileName[f]], fns.startLine[f]);
    }
  }

  // Fields that name strings must be interned before the table is written.
  const timeNanos = profile.timeNanos;
  const periodType = profile.periodType ? [str(profile.periodType.type), str(profile.periodType.unit)] : undefined;
  const comments = profile.comments.map(str);
  // Unset means the last sample type: say it only when it is another one.
  const defaultType =
    profile.defaultSampleIndex !== typeCount - 1 && profile.sampleTypes[profile.defaultSampleIndex]
      ? str(profile.sampleTypes[profile.defaultSampleIndex].type)
      : 0;
  const docUrl = str(profile.docUrl);
  const encoder = new TextEncoder();
  for (const s of strings) out.bytesField(6, encoder.encode(s));
  if (timeNanos !== 0n) {
    out.tag(9, 0);
    out.bigVarint(timeNanos);
  }
  out.int64Field(10, profile.durationNanos);
  if (periodType) {
    msg.uintField(1, periodType[0]);
    msg.uintField(2, periodType[1]);
    out.message(11, msg);
  }
  out.int64Field(12, profile.period);
  for (const c of comments) out.uintField(13, c);
  out.uintField(14, defaultType);
  out.uintField(15, docUrl);
  return out.done();
}
