// Comparing two profiles the way `go tool pprof -base/-diff_base/-normalize`
// does (google/pprof internal/driver/fetch.go and profile/merge.go):
// - normalize scales the source so that, per sample type, its sum equals the base's;
// - the base's values are negated; with diff_base its samples are also
//   labelled pprof::base=true, which keeps them apart from the source's and
//   makes the base total the 100% of percentages;
// - both are merged: samples with the same stack (locations compared by
//   binary, address relative to the mapping and lines) and labels add up, and
//   samples that cancel out disappear.

import type { Aggregate, FunctionInfo, ValueType } from './model';
import { ProfileError } from './model';
import type { FunctionTable, LocationTable, Mapping, Profile, SampleTable } from './decode';
import { stringTable } from './stringTable';
import { functionNodes, hidingTargets, PairMap, TreeFolder, zipTrees, type Granularity, type TreeDetail } from './aggregate';
import { hasFilters, planFilters, type FilterOptions } from './filter';

export type DiffMode = 'base' | 'diff_base';

export const DIFF_BASE_LABEL = 'pprof::base';

export interface DiffOptions {
  mode: DiffMode;
  normalize?: boolean;
}

function valueTypeText(t: ValueType | undefined): string {
  return t ? `${t.type}/${t.unit}` : 'none';
}

/** Why `base` cannot be subtracted from `source`, or undefined when it can. */
export function incompatibility(source: Profile, base: Profile): string | undefined {
  const a = source.periodType;
  const b = base.periodType;
  if ((a === undefined) !== (b === undefined) || (a && b && (a.type !== b.type || a.unit !== b.unit))) {
    return `period types differ (${valueTypeText(a)} vs ${valueTypeText(b)})`;
  }
  const types = (p: Profile) => p.sampleTypes.map(valueTypeText).join(', ');
  if (types(source) !== types(base)) return `sample types differ (${types(source)} vs ${types(base)})`;
  return undefined;
}

/** pprof's total for percentages: the sum of |value|, or of the base's when diffing with diff_base. */
export function reportTotal(profile: Profile, sampleIndex: number): number {
  const { samples, strings } = profile;
  const typeCount = profile.sampleTypes.length;
  const baseKey = strings.indexOf(DIFF_BASE_LABEL);
  if (baseKey <= 0) return magnitudeSum(profile, sampleIndex);
  let total = 0;
  let diffTotal = 0;
  for (let s = 0; s < samples.count; s++) {
    const v = Math.abs(samples.values[s * typeCount + sampleIndex]);
    total += v;
    if (baseKey > 0 && isDiffBaseSample(samples, s, baseKey, strings)) diffTotal += v;
  }
  return diffTotal > 0 ? diffTotal : total;
}

/** The sum of |value| over all samples (pprof's total without diff_base). */
function magnitudeSum(profile: Profile, sampleIndex: number): number {
  const { values, count } = profile.samples;
  const typeCount = profile.sampleTypes.length;
  let total = 0;
  for (let s = 0; s < count; s++) total += Math.abs(values[s * typeCount + sampleIndex]);
  return total;
}

function isDiffBaseSample(samples: SampleTable, s: number, baseKey: number, strings: string[]): boolean {
  for (let i = samples.labelStart[s]; i < samples.labelStart[s + 1]; i++) {
    if (samples.labelKey[i] === baseKey && strings[samples.labelStr[i]] === 'true') return true;
  }
  return false;
}

/** Go's math.Round: halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** `source` minus `base` as one profile, like pprof's merged profile. */
export function diffProfiles(source: Profile, base: Profile, opts: DiffOptions): Profile {
  const why = incompatibility(source, base);
  if (why) {
    throw new ProfileError('corrupt', `cannot compare ${source.fileName} with base ${base.fileName}: ${why}`);
  }
  const typeCount = source.sampleTypes.length;
  const sourceScale = new Float64Array(typeCount).fill(1);
  if (opts.normalize) {
    const sums = (p: Profile) => {
      const out = new Float64Array(typeCount);
      for (let s = 0; s < p.samples.count; s++) for (let t = 0; t < typeCount; t++) out[t] += p.samples.values[s * typeCount + t];
      return out;
    };
    const baseSums = sums(base);
    const sourceSums = sums(source);
    for (let t = 0; t < typeCount; t++) sourceScale[t] = sourceSums[t] === 0 ? 0 : baseSums[t] / sourceSums[t];
  }
  return mergeProfiles(source, base, sourceScale, opts.mode === 'diff_base');
}

interface Part {
  profile: Profile;
  /** Index in the merged string table of each of the profile's strings. */
  str: Int32Array;
  functionOffset: number;
  locationOffset: number;
  mappingOffset: number;
}

function mergeProfiles(source: Profile, base: Profile, sourceScale: Float64Array, tagBase: boolean): Profile {
  const { merged, parts, intern } = mergeTables(source, base);
  const baseLabel = tagBase ? { key: intern(DIFF_BASE_LABEL), value: intern('true') } : undefined;
  merged.samples = mergeSamples(merged, parts, sourceScale, baseLabel);
  merged.sampleCount = merged.samples.count;
  return merged;
}

/** The merged profile's tables (strings, functions, locations, mappings), with no samples yet. */
function mergeTables(source: Profile, base: Profile): { merged: Profile; parts: Part[]; intern: (s: string) => number } {
  const { strings, intern } = stringTable();
  const part = (profile: Profile, functionOffset: number, locationOffset: number, mappingOffset: number): Part => ({
    profile,
    str: Int32Array.from(profile.strings, intern),
    functionOffset,
    locationOffset,
    mappingOffset,
  });
  const parts = [
    part(source, 0, 0, 0),
    part(base, source.functions.count, source.locations.count, source.mappings.length),
  ];
  const functions = mergeFunctions(parts);
  const locations = mergeLocations(parts);
  const mappings: Mapping[] = [...source.mappings, ...base.mappings];
  const merged: Profile = {
    ...source,
    strings,
    functions,
    locations,
    mappings,
    timeNanos:
      source.timeNanos === 0n || (base.timeNanos !== 0n && base.timeNanos < source.timeNanos) ? base.timeNanos : source.timeNanos,
    durationNanos: source.durationNanos + base.durationNanos,
    period: Math.max(source.period, base.period),
    comments: [...new Set([...source.comments, ...base.comments])],
    warnings: [...source.warnings, ...base.warnings],
    samples: source.samples,
    sampleCount: 0,
  };
  return { merged, parts, intern };
}

function mergeFunctions(parts: Part[]): FunctionTable {
  const count = parts.reduce((n, p) => n + p.profile.functions.count, 0);
  const out: FunctionTable = {
    count,
    name: new Int32Array(count),
    systemName: new Int32Array(count),
    fileName: new Int32Array(count),
    startLine: new Float64Array(count),
  };
  for (const p of parts) {
    const f = p.profile.functions;
    for (let i = 0; i < f.count; i++) {
      const k = p.functionOffset + i;
      out.name[k] = p.str[f.name[i]];
      out.systemName[k] = p.str[f.systemName[i]];
      out.fileName[k] = p.str[f.fileName[i]];
      out.startLine[k] = f.startLine[i];
    }
  }
  return out;
}

function mergeLocations(parts: Part[]): LocationTable {
  const count = parts.reduce((n, p) => n + p.profile.locations.count, 0);
  const lineCount = parts.reduce((n, p) => n + p.profile.locations.lineFunction.length, 0);
  const out: LocationTable = {
    count,
    mapping: new Int32Array(count),
    addressHigh: new Uint32Array(count),
    addressLow: new Uint32Array(count),
    isFolded: new Uint8Array(count),
    lineStart: new Int32Array(count),
    lineEnd: new Int32Array(count),
    lineFunction: new Int32Array(lineCount),
    lineNumber: new Float64Array(lineCount),
    lineColumn: new Float64Array(lineCount),
  };
  let lineOffset = 0;
  for (const p of parts) {
    const l = p.profile.locations;
    const o = p.locationOffset;
    for (let i = 0; i < l.count; i++) {
      out.mapping[o + i] = l.mapping[i] >= 0 ? l.mapping[i] + p.mappingOffset : -1;
      out.lineStart[o + i] = l.lineStart[i] + lineOffset;
      out.lineEnd[o + i] = l.lineEnd[i] + lineOffset;
    }
    out.addressHigh.set(l.addressHigh, o);
    out.addressLow.set(l.addressLow, o);
    out.isFolded.set(l.isFolded, o);
    for (let j = 0; j < l.lineFunction.length; j++) out.lineFunction[lineOffset + j] = l.lineFunction[j] + p.functionOffset;
    out.lineNumber.set(l.lineNumber, lineOffset);
    out.lineColumn.set(l.lineColumn, lineOffset);
    lineOffset += l.lineFunction.length;
  }
  return out;
}

/**
 * One id per distinct location of the merged profile, as pprof's merge
 * tells locations apart: the binary (build id or path, size rounded to 4 KiB,
 * offset), the address relative to the mapping's start, folding, and each
 * line's function (name, system name, file, start line), line and column.
 */
function locationIdentities(merged: Profile): Int32Array {
  const { locations: l, functions: f, mappings, strings } = merged;
  // Functions and mappings by number (one per distinct key), so that locations compare by numbers.
  const functionNumber = stringTable().intern;
  const functionKeys = Int32Array.from({ length: f.count }, (_, i) =>
    functionNumber(`${strings[f.name[i]]}\u0001${strings[f.systemName[i]]}\u0001${strings[f.fileName[i]]}\u0001${f.startLine[i]}`),
  );
  const mappingNumber = stringTable().intern;
  const mappingKeys = mappings.map((m) => {
    const size = ((m.memoryLimit - m.memoryStart + 0xfffn) / 0x1000n) * 0x1000n;
    return mappingNumber(`${size}\u0001${m.fileOffset}\u0001${m.buildId !== '' ? m.buildId : m.file}`);
  });
  // The address relative to the mapping's start, in uint64 arithmetic like pprof's.
  const startHigh = mappings.map((m) => Number(BigInt.asUintN(64, m.memoryStart) >> 32n));
  const startLow = mappings.map((m) => Number(BigInt.asUintN(32, m.memoryStart)));
  const high = new Int32Array(l.count);
  const low = new Int32Array(l.count);
  const mappingKey = new Int32Array(l.count);
  for (let i = 0; i < l.count; i++) {
    const m = l.mapping[i];
    if (m < 0) {
      high[i] = l.addressHigh[i];
      low[i] = l.addressLow[i];
      continue;
    }
    const borrow = l.addressLow[i] < startLow[m] ? 1 : 0;
    low[i] = l.addressLow[i] - startLow[m] + borrow * 0x100000000;
    high[i] = l.addressHigh[i] - startHigh[m] - borrow;
    mappingKey[i] = mappingKeys[m];
  }
  const { lineStart, lineEnd, lineFunction, lineNumber, lineColumn, isFolded } = l;
  const hash = (i: number) => {
    let h = Math.imul(mappingKey[i] ^ 0x9e3779b1, 0x85ebca6b) ^ Math.imul(high[i], 0xc2b2ae35) ^ low[i] ^ isFolded[i];
    for (let j = lineStart[i]; j < lineEnd[i]; j++) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ functionKeys[lineFunction[j]];
      h = Math.imul(h ^ (h >>> 12), 0x297a2d39) ^ (lineNumber[j] | 0) ^ Math.imul(lineColumn[j] | 0, 0x68e31da4);
    }
    return (h ^ (h >>> 16)) >>> 0;
  };
  const same = (i: number, k: number) => {
    if (mappingKey[i] !== mappingKey[k] || high[i] !== high[k] || low[i] !== low[k] || isFolded[i] !== isFolded[k]) return false;
    if (lineEnd[i] - lineStart[i] !== lineEnd[k] - lineStart[k]) return false;
    for (let j = lineStart[i], m = lineStart[k]; j < lineEnd[i]; j++, m++) {
      if (functionKeys[lineFunction[j]] !== functionKeys[lineFunction[m]] || lineNumber[j] !== lineNumber[m] || lineColumn[j] !== lineColumn[m]) return false;
    }
    return true;
  };
  // Open addressing over location indexes: the first location of each identity holds its slot.
  let size = 1024;
  while (size < l.count * 2) size *= 2;
  const slots = new Int32Array(size).fill(-1);
  const out = new Int32Array(l.count);
  let distinct = 0;
  for (let i = 0; i < l.count; i++) {
    let slot = hash(i) & (size - 1);
    for (;;) {
      const k = slots[slot];
      if (k < 0) {
        slots[slot] = i;
        out[i] = distinct++;
        break;
      }
      if (same(i, k)) {
        out[i] = out[k];
        break;
      }
      slot = (slot + 1) & (size - 1);
    }
  }
  return out;
}

function doubled<T extends Int32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as { new (n: number): T })(a.length * 2);
  b.set(a);
  return b;
}

/** One sample's labels, in reusable arrays. */
class LabelScratch {
  count = 0;
  key = new Int32Array(16);
  str = new Int32Array(16);
  num = new Float64Array(16);
  unit = new Int32Array(16);

  push(key: number, str: number, num: number, unit: number): void {
    if (this.count === this.key.length) {
      this.key = doubled(this.key);
      this.str = doubled(this.str);
      this.num = doubled(this.num);
      this.unit = doubled(this.unit);
    }
    const i = this.count++;
    this.key[i] = key;
    this.str[i] = str;
    this.num[i] = num;
    this.unit[i] = unit;
  }

  /**
   * pprof's order in a sample key: string labels by key, then numeric ones,
   * each key's values as given (insertion sort: stable, and lists are short).
   */
  sort(): void {
    for (let i = 1; i < this.count; i++) {
      const k = this.key[i], s = this.str[i], n = this.num[i], u = this.unit[i];
      const r = s === 0 ? 1 : 0;
      let j = i - 1;
      while (j >= 0 && ((this.str[j] === 0 ? 1 : 0) > r || ((this.str[j] === 0 ? 1 : 0) === r && this.key[j] > k))) {
        this.key[j + 1] = this.key[j];
        this.str[j + 1] = this.str[j];
        this.num[j + 1] = this.num[j];
        this.unit[j + 1] = this.unit[j];
        j--;
      }
      this.key[j + 1] = k;
      this.str[j + 1] = s;
      this.num[j + 1] = n;
      this.unit[j + 1] = u;
    }
  }
}

/**
 * Merged samples in typed arrays sized for the worst case (nothing merges).
 * A sample's identity is its stack of location identities and its labels
 * (strings are interned, so equal labels have equal indexes), looked up in
 * an open-addressing hash table.
 */
class SampleMerger {
  count = 0;
  private used = 0;
  private labelsUsed = 0;
  readonly stackStart: Int32Array;
  readonly stackEnd: Int32Array;
  readonly stack: Int32Array;
  private readonly ids: Int32Array;
  readonly values: Float64Array;
  readonly labelStart: Int32Array;
  readonly labelKey: Int32Array;
  readonly labelStr: Int32Array;
  readonly labelNum: Float64Array;
  readonly labelUnit: Int32Array;
  private readonly hashes: Int32Array;
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly typeCount: number,
    /** The merged location that stands for each location identity: the first with it, as in pprof's merge. */
    private readonly canonical: Int32Array,
    maxSamples: number,
    maxStack: number,
    maxLabels: number,
  ) {
    this.stackStart = new Int32Array(maxSamples);
    this.stackEnd = new Int32Array(maxSamples);
    this.stack = new Int32Array(maxStack);
    this.ids = new Int32Array(maxStack);
    this.values = new Float64Array(maxSamples * typeCount);
    this.labelStart = new Int32Array(maxSamples + 1);
    this.labelKey = new Int32Array(maxLabels);
    this.labelStr = new Int32Array(maxLabels);
    this.labelNum = new Float64Array(maxLabels);
    this.labelUnit = new Int32Array(maxLabels);
    this.hashes = new Int32Array(maxSamples);
    let size = 1024;
    while (size < maxSamples * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  /** Adds `values` to the sample with this stack and labels, creating it if needed. */
  add(stack: Int32Array, from: number, to: number, locationOffset: number, locationId: Int32Array, labels: LabelScratch, values: Float64Array): void {
    let h = 0x811c9dc5 | 0;
    for (let k = from; k < to; k++) h = Math.imul(h ^ locationId[stack[k] + locationOffset], 0x01000193);
    for (let k = 0; k < labels.count; k++) h = Math.imul(h ^ (labels.key[k] * 31 + labels.str[k] + labels.num[k]), 0x01000193);
    let slot = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const i = this.table[slot];
      if (i < 0) break;
      if (this.hashes[i] === h && this.same(i, stack, from, to, locationOffset, locationId, labels)) {
        for (let t = 0; t < this.typeCount; t++) this.values[i * this.typeCount + t] += values[t];
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    const i = this.count++;
    this.table[slot] = i;
    this.hashes[i] = h;
    this.stackStart[i] = this.used;
    for (let k = from; k < to; k++) {
      const id = locationId[stack[k] + locationOffset];
      this.stack[this.used] = this.canonical[id];
      this.ids[this.used++] = id;
    }
    this.stackEnd[i] = this.used;
    this.values.set(values, i * this.typeCount);
    this.labelStart[i] = this.labelsUsed;
    for (let k = 0; k < labels.count; k++, this.labelsUsed++) {
      this.labelKey[this.labelsUsed] = labels.key[k];
      this.labelStr[this.labelsUsed] = labels.str[k];
      this.labelNum[this.labelsUsed] = labels.num[k];
      this.labelUnit[this.labelsUsed] = labels.unit[k];
    }
    this.labelStart[i + 1] = this.labelsUsed;
  }

  private same(i: number, stack: Int32Array, from: number, to: number, locationOffset: number, locationId: Int32Array, labels: LabelScratch): boolean {
    const start = this.stackStart[i];
    if (this.stackEnd[i] - start !== to - from) return false;
    for (let k = 0; k < to - from; k++) if (this.ids[start + k] !== locationId[stack[from + k] + locationOffset]) return false;
    const ls = this.labelStart[i];
    if (this.labelStart[i + 1] - ls !== labels.count) return false;
    for (let k = 0; k < labels.count; k++) {
      if (
        this.labelKey[ls + k] !== labels.key[k] ||
        this.labelStr[ls + k] !== labels.str[k] ||
        this.labelNum[ls + k] !== labels.num[k] ||
        this.labelUnit[ls + k] !== labels.unit[k]
      ) {
        return false;
      }
    }
    return true;
  }
}

/** The merged location that stands for each location identity: the first with it, as in pprof's merge. */
function canonicalLocations(locationId: Int32Array): Int32Array {
  const canonical = new Int32Array(locationId.length).fill(-1);
  for (let l = locationId.length - 1; l >= 0; l--) canonical[locationId[l]] = l;
  return canonical;
}

function mergeSamples(merged: Profile, parts: Part[], sourceScale: Float64Array, baseLabel: { key: number; value: number } | undefined): SampleTable {
  const typeCount = merged.sampleTypes.length;
  const locationId = locationIdentities(merged);
  const canonical = canonicalLocations(locationId);
  const sum = (f: (s: SampleTable) => number) => parts.reduce((n, p) => n + f(p.profile.samples), 0);
  const merger = new SampleMerger(
    typeCount,
    canonical,
    sum((s) => s.count),
    sum((s) => s.stack.length),
    sum((s) => s.labelKey.length) + (baseLabel ? parts[1].profile.samples.count : 0),
  );
  const scaled = sourceScale.some((r) => r !== 1);
  const v = new Float64Array(typeCount);
  const labels = new LabelScratch();

  parts.forEach((p, partIndex) => {
    const isBase = partIndex === 1;
    const s = p.profile.samples;
    for (let i = 0; i < s.count; i++) {
      // pprof: drop zero samples, scale (normalize the source, negate the base), drop those scaled to zero.
      let nonZero = false;
      let keep = false;
      for (let t = 0; t < typeCount; t++) {
        const raw = s.values[i * typeCount + t];
        if (raw !== 0) nonZero = true;
        if (isBase) {
          v[t] = -raw;
          keep ||= raw !== 0;
        } else if (scaled && sourceScale[t] !== 1) {
          v[t] = roundHalfAway(raw * sourceScale[t]);
          keep ||= v[t] !== 0;
        } else {
          v[t] = raw;
        }
      }
      if (!nonZero || ((isBase || scaled) && !keep)) continue;

      labels.count = 0;
      for (let k = s.labelStart[i]; k < s.labelStart[i + 1]; k++) {
        const str = s.labelStr[k] !== 0 ? p.str[s.labelStr[k]] : 0;
        const key = p.str[s.labelKey[k]];
        // SetLabel replaces any pprof::base label the base already had.
        if (isBase && baseLabel && key === baseLabel.key && str !== 0) continue;
        labels.push(key, str, str !== 0 ? 0 : s.labelNum[k], str !== 0 || s.labelNumUnit[k] === 0 ? 0 : p.str[s.labelNumUnit[k]]);
      }
      if (isBase && baseLabel) labels.push(baseLabel.key, baseLabel.value, 0, 0);
      if (labels.count > 1) labels.sort();
      merger.add(s.stack, s.stackStart[i], s.stackEnd[i], p.locationOffset, locationId, labels, v);
    }
  });

  // Samples that cancelled out are gone from pprof's merged profile.
  const kept = new Int32Array(merger.count);
  let count = 0;
  let labelCount = 0;
  for (let i = 0; i < merger.count; i++) {
    for (let t = 0; t < typeCount; t++) {
      if (merger.values[i * typeCount + t] !== 0) {
        kept[count++] = i;
        labelCount += merger.labelStart[i + 1] - merger.labelStart[i];
        break;
      }
    }
  }
  const out: SampleTable = {
    count,
    stackStart: new Int32Array(count),
    stackEnd: new Int32Array(count),
    stack: merger.stack,
    values: new Float64Array(count * typeCount),
    labelStart: new Int32Array(count + 1),
    labelKey: new Int32Array(labelCount),
    labelStr: new Int32Array(labelCount),
    labelNum: new Float64Array(labelCount),
    labelNumUnit: new Int32Array(labelCount),
  };
  let l = 0;
  for (let k = 0; k < count; k++) {
    const i = kept[k];
    out.stackStart[k] = merger.stackStart[i];
    out.stackEnd[k] = merger.stackEnd[i];
    out.values.set(merger.values.subarray(i * typeCount, (i + 1) * typeCount), k * typeCount);
    out.labelStart[k] = l;
    for (let j = merger.labelStart[i]; j < merger.labelStart[i + 1]; j++, l++) {
      out.labelKey[l] = merger.labelKey[j];
      out.labelStr[l] = merger.labelStr[j];
      out.labelNum[l] = merger.labelNum[j];
      out.labelNumUnit[l] = merger.labelUnit[j];
    }
  }
  out.labelStart[count] = l;
  return out;
}

export interface FoldTargets {
  /** The merged profile's tables (its samples are not merged). */
  tables: Profile;
  /** The merged profile's nodes. */
  functions: FunctionInfo[];
  /** Each node of the source's and of the base's own trees → the merged node its frames have. */
  source: Int32Array;
  base: Int32Array;
}

/** Fold targets by source, base and granularity (the last pair and granularity only): sample type switches reuse them. */
const targetsByPair = new WeakMap<Profile, WeakMap<Profile, { granularity: Granularity; targets: FoldTargets | undefined }>>();

export function foldTargets(source: Profile, base: Profile, granularity: Granularity): FoldTargets | undefined {
  let byBase = targetsByPair.get(source);
  if (!byBase) targetsByPair.set(source, (byBase = new WeakMap()));
  const cached = byBase.get(base);
  if (cached?.granularity === granularity) return cached.targets;
  const { merged, parts } = mergeTables(source, base);
  const locationId = locationIdentities(merged);
  const canonical = canonicalLocations(locationId);
  const nodes = functionNodes(merged, granularity);
  const { lineStart } = merged.locations;
  // Through the locations the merged samples keep (the first of each identity).
  const targetOf = (part: Part): Int32Array | undefined => {
    const own = functionNodes(part.profile, granularity);
    const target = new Int32Array(own.functions.length).fill(-1);
    let consistent = true;
    const assign = (node: number, to: number) => {
      if (target[node] === -1) target[node] = to;
      else if (target[node] !== to) consistent = false;
    };
    const locs = part.profile.locations;
    for (let l = 0; l < locs.count; l++) {
      const c = canonical[locationId[l + part.locationOffset]];
      const ls = locs.lineStart[l];
      const le = locs.lineEnd[l];
      if (ls === le) assign(own.locationNode[l], nodes.locationNode[c]);
      for (let j = ls; j < le; j++) assign(own.lineNode[j], nodes.lineNode[lineStart[c] + j - ls]);
    }
    return consistent ? target : undefined;
  };
  const sourceTarget = targetOf(parts[0]);
  const baseTarget = targetOf(parts[1]);
  const targets = sourceTarget && baseTarget ? { tables: merged, functions: nodes.functions, source: sourceTarget, base: baseTarget } : undefined;
  byBase.set(base, { granularity, targets });
  return targets;
}

/**
 * The call tree of `source` with -diff_base `base`, folded from the two
 * profiles' own call trees (see zipTrees and TreeFolder) instead of merged
 * samples, and pprof's total for percentages; both trees are of the same
 * sample type, granularity and recursion folding, and filtered by the same
 * focus and ignore. Hide and show (in `filters`) fold frames away as
 * refoldTree does, through the merged tables. Undefined when merging the
 * samples could give other magnitudes (values of both signs, or a source
 * that already has base samples) or when hiding is not a matter of whole
 * nodes.
 */
export function diffTrees(
  source: Profile,
  base: Profile,
  sourceTree: TreeDetail,
  baseTree: TreeDetail,
  withMagnitude: boolean,
  filters?: FilterOptions,
): { aggregate: Aggregate; total: number; warnings: string[] } | undefined {
  const why = incompatibility(source, base);
  if (why) {
    throw new ProfileError('corrupt', `cannot compare ${source.fileName} with base ${base.fileName}: ${why}`);
  }
  // Samples merge within each profile (with the base's labelled apart): |a + b| = |a| + |b| needs one sign.
  if (source.strings.includes(DIFF_BASE_LABEL)) return undefined;
  const sampleIndex = sourceTree.aggregate.sampleIndex;
  const negative = (p: Profile) => {
    const typeCount = p.sampleTypes.length;
    for (let s = 0; s < p.samples.count; s++) if (p.samples.values[s * typeCount + sampleIndex] < 0) return true;
    return false;
  };
  if (negative(source) || negative(base)) return undefined;

  const granularity = sourceTree.aggregate.granularity ?? 'functions';
  const targets = foldTargets(source, base, granularity);
  if (!targets) return undefined;
  // The filters' words about matching nothing are about both profiles: the merged tables have both.
  const plan = filters && hasFilters(filters) ? planFilters(targets.tables, filters) : undefined;
  // Both trees into one folder: what zipTrees can't do, and hiding, which moves frames across levels.
  const fold = (sourceTarget: Int32Array, baseTarget: Int32Array, functions: FunctionInfo[], hiding: boolean) => {
    const folder = new TreeFolder(sourceTree.tree.nodeCount + (baseTree.tree.nodeCount >> 2), sourceTree.collapse);
    if (!folder.fold(sourceTree, sourceTarget, 1) || !folder.fold(baseTree, baseTarget, -1)) return undefined;
    // Every sample left after hiding has a frame, so the root holds nothing of its own.
    if (hiding) folder.clearRootSelf();
    return folder.finish(functions, sourceTree.aggregate, withMagnitude);
  };
  let aggregate: Aggregate | undefined;
  if (plan?.keptLines) {
    const hiding = hidingTargets(targets.tables, plan, granularity);
    if (!hiding) return undefined;
    const through = (target: Int32Array) => target.map((to) => (to < 0 ? to : hiding.target[to]));
    aggregate = fold(through(targets.source), through(targets.base), hiding.functions, true);
  } else {
    aggregate =
      zipTrees(
        { detail: sourceTree, target: targets.source, sign: 1 },
        { detail: baseTree, target: targets.base, sign: -1 },
        targets.functions,
        sourceTree.aggregate,
        withMagnitude,
      ) ?? fold(targets.source, targets.base, targets.functions, false);
  }
  if (!aggregate) return undefined;
  // As reportTotal of the merged samples, before any filter: the base's are the 100% when they have a value.
  const baseTotal = magnitudeSum(base, sampleIndex);
  return { aggregate, total: baseTotal > 0 ? baseTotal : magnitudeSum(source, sampleIndex), warnings: plan?.warnings ?? [] };
}
