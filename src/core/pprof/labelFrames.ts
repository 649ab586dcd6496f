// pprof's -tagroot and -tagleaf: group samples by the values of label keys
// by giving every sample pseudo-frames named after those values, at the root
// or the leaf of its stack. As in pprof (internal/driver/tagroot.go):
// - each key adds one frame to every sample; its function is named by the
//   sample's values for the key joined with "," (string values first, then
//   numeric ones) and its file is the key, so a sample without the key gets
//   a frame with an empty name (pprof's "<unknown>");
// - the first root key is the new root, the last leaf key the new leaf;
// - numeric values are formatted with their unit scaled to `unit`
//   (pprof's -unit, "minimum" by default); values without a unit print as
//   plain numbers (a Go heap profile's "bytes" label: "65536");
// - the frames are added before any filter, so -focus/-hide see them.

import type { FunctionTable, LocationTable, Profile, SampleTable } from './decode';
import { scaledLabel } from './units';

export interface LabelFrameOptions {
  /** Keys whose values become frames at the root, first key outermost (pprof's -tagroot). */
  root?: readonly string[];
  /** Keys whose values become frames at the leaf, last key innermost (pprof's -tagleaf). */
  leaf?: readonly string[];
  /** The unit numeric label values are scaled to (pprof's -unit). */
  unit?: string;
}

export interface LabelFrames {
  profile: Profile;
  /** pprof's "TagRoot/TagLeaf expression matched no samples" warnings. */
  warnings: string[];
}

/** A -tagroot/-tagleaf value as pprof splits it: comma-separated keys, empty ones dropped. */
export function parseLabelKeys(option: string | undefined): string[] {
  return (option ?? '').split(',').filter((key) => key !== '');
}

export function hasLabelFrames(opts: LabelFrameOptions | undefined): boolean {
  return (opts?.root?.length ?? 0) + (opts?.leaf?.length ?? 0) > 0;
}

/** The label keys that occur in the profile's samples, sorted. */
export function profileLabelKeys(profile: Profile): string[] {
  const s = profile.samples;
  const seen = new Set<number>();
  for (let i = 0; i < s.labelKey.length; i++) {
    // pprof drops a numeric label without value or unit when it reads the profile.
    if (s.labelStr[i] !== 0 || s.labelNum[i] !== 0 || s.labelNumUnit[i] !== 0) seen.add(s.labelKey[i]);
  }
  return [...new Set([...seen].map((k) => profile.strings[k]))].sort();
}

/** The profile with the label pseudo-frames added to every sample's stack. */
export function addLabelFrames(profile: Profile, opts: LabelFrameOptions): LabelFrames {
  const rootKeys = opts.root ?? [];
  const leafKeys = opts.leaf ?? [];
  const unit = opts.unit ?? 'minimum';
  const strings = profile.strings.slice();
  const newStrings = new Map<string, number>();
  const intern = (text: string): number => {
    if (text === '') return 0;
    let index = newStrings.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      newStrings.set(text, index);
    }
    return index;
  };

  // Pseudo-frames are shared by every sample with the same key and values.
  const frames: { name: number; key: number }[] = [];
  const newFrame = (key: string, name: string): number => {
    frames.push({ name: intern(name), key: intern(key) });
    return profile.locations.count + frames.length - 1;
  };
  const finder = (key: string) => new KeyFrames(profile, key, unit, (name) => newFrame(key, name));
  // Leaf first: the last leaf key innermost, then the stack, then the root keys with the first outermost.
  const leaves = leafKeys.map(finder).reverse();
  const roots = rootKeys.map(finder).reverse();

  const s = profile.samples;
  const stackLength = s.stack.length + s.count * (rootKeys.length + leafKeys.length);
  const stack = new Int32Array(stackLength);
  const stackStart = new Int32Array(s.count);
  const stackEnd = new Int32Array(s.count);
  let at = 0;
  for (let sample = 0; sample < s.count; sample++) {
    stackStart[sample] = at;
    for (const leaf of leaves) stack[at++] = leaf.frameOf(sample);
    for (let i = s.stackStart[sample]; i < s.stackEnd[sample]; i++) stack[at++] = s.stack[i];
    for (const root of roots) stack[at++] = root.frameOf(sample);
    stackEnd[sample] = at;
  }

  const samples: SampleTable = { ...s, stack: stack.subarray(0, at), stackStart, stackEnd };
  const functions = withFunctions(profile.functions, frames);
  const locations = withLocations(profile.locations, profile.functions.count, frames.length);
  const warnings: string[] = [];
  if (roots.length > 0 && !roots.some((r) => r.matched)) warnings.push('TagRoot expression matched no samples');
  if (leaves.length > 0 && !leaves.some((l) => l.matched)) warnings.push('TagLeaf expression matched no samples');
  return { profile: { ...profile, strings, samples, functions, locations }, warnings };
}

/** The pseudo-frame of one label key per sample, made once per distinct name. */
class KeyFrames {
  /** Whether some sample has the key. */
  matched = false;
  /** By string index: whether that string is the key (a string table may repeat a string). */
  private readonly isKey: Uint8Array;
  private readonly byName = new Map<string, number>();
  /** Shortcuts for the usual one value per key: by string index, and by number without unit. */
  private readonly byString = new Map<number, number>();
  private readonly byNumber = new Map<number, number>();

  constructor(
    private readonly profile: Profile,
    key: string,
    private readonly unit: string,
    private readonly newFrame: (name: string) => number,
  ) {
    this.isKey = Uint8Array.from(profile.strings, (text) => (text === key ? 1 : 0));
  }

  frameOf(sample: number): number {
    const s = this.profile.samples;
    let found = -1;
    let count = 0;
    for (let i = s.labelStart[sample]; i < s.labelStart[sample + 1]; i++) {
      if (this.isKey[s.labelKey[i]] === 1 && (s.labelStr[i] !== 0 || s.labelNum[i] !== 0 || s.labelNumUnit[i] !== 0)) {
        found = i;
        count++;
      }
    }
    if (count > 0) this.matched = true;
    if (count === 1 && s.labelStr[found] !== 0) return this.cached(this.byString, s.labelStr[found], () => this.profile.strings[s.labelStr[found]]);
    if (count === 1 && s.labelNumUnit[found] === 0) return this.cached(this.byNumber, s.labelNum[found], () => scaledLabel(s.labelNum[found], '', ''));
    const name = count === 0 ? '' : this.values(sample).join(',');
    let frame = this.byName.get(name);
    if (frame === undefined) {
      frame = this.newFrame(name);
      this.byName.set(name, frame);
    }
    return frame;
  }

  private cached(map: Map<number, number>, id: number, name: () => string): number {
    let frame = map.get(id);
    if (frame === undefined) {
      const text = name();
      frame = this.byName.get(text) ?? this.newFrame(text);
      this.byName.set(text, frame);
      map.set(id, frame);
    }
    return frame;
  }

  /**
   * One sample's values for the key as pprof shows them in a frame: the
   * string values, then the numeric ones. With a unit on any numeric value,
   * each is scaled from its own unit; without units they print as numbers.
   */
  private values(sample: number): string[] {
    const s = this.profile.samples;
    const { strings } = this.profile;
    const text: string[] = [];
    const numbers: number[] = [];
    const units: string[] = [];
    let anyUnit = false;
    for (let i = s.labelStart[sample]; i < s.labelStart[sample + 1]; i++) {
      if (this.isKey[s.labelKey[i]] !== 1) continue;
      if (s.labelStr[i] !== 0) {
        text.push(strings[s.labelStr[i]]);
      } else if (s.labelNum[i] !== 0 || s.labelNumUnit[i] !== 0) {
        numbers.push(s.labelNum[i]);
        units.push(strings[s.labelNumUnit[i]]);
        if (s.labelNumUnit[i] !== 0) anyUnit = true;
      }
    }
    for (let n = 0; n < numbers.length; n++) {
      text.push(anyUnit ? scaledLabel(numbers[n], units[n], this.unit) : scaledLabel(numbers[n], '', ''));
    }
    return text;
  }
}

type Column = Int32Array | Uint32Array | Uint8Array | Float64Array;

/** The first `used` values of `column` in a new column of `length`, zeros after them. */
function extended<T extends Column>(column: T, used: number, length: number): T {
  const out = new (column.constructor as new (n: number) => T)(length);
  out.set(column.subarray(0, used) as ArrayLike<number> & T);
  return out;
}

function withFunctions(table: FunctionTable, frames: { name: number; key: number }[]): FunctionTable {
  const count = table.count + frames.length;
  const out: FunctionTable = {
    count,
    name: extended(table.name, table.count, count),
    systemName: extended(table.systemName, table.count, count),
    fileName: extended(table.fileName, table.count, count),
    startLine: extended(table.startLine, table.count, count),
  };
  frames.forEach((frame, i) => {
    out.name[table.count + i] = frame.name;
    out.fileName[table.count + i] = frame.key;
  });
  return out;
}

/** The locations plus one per pseudo-frame: no mapping, no address, one line of function `firstFunction + i`. */
function withLocations(table: LocationTable, firstFunction: number, added: number): LocationTable {
  const count = table.count + added;
  const lines = table.lineFunction.length;
  const out: LocationTable = {
    count,
    mapping: extended(table.mapping, table.count, count),
    addressHigh: extended(table.addressHigh, table.count, count),
    addressLow: extended(table.addressLow, table.count, count),
    isFolded: extended(table.isFolded, table.count, count),
    lineStart: extended(table.lineStart, table.count, count),
    lineEnd: extended(table.lineEnd, table.count, count),
    lineFunction: extended(table.lineFunction, lines, lines + added),
    lineNumber: extended(table.lineNumber, lines, lines + added),
    lineColumn: extended(table.lineColumn, lines, lines + added),
  };
  for (let i = 0; i < added; i++) {
    const location = table.count + i;
    out.mapping[location] = -1;
    out.lineStart[location] = lines + i;
    out.lineEnd[location] = lines + i + 1;
    out.lineFunction[lines + i] = firstFunction + i;
  }
  return out;
}

/**
 * The last labelled profile per source, so that switching the sample type or
 * the filters of a grouped view reuses it (and the call-tree structures
 * built for it).
 */
const labelled = new WeakMap<Profile, { key: string; frames: LabelFrames }>();

/** `profile` with the pseudo-frames of `opts` (itself when there are none), cached per source. */
export function labelFramesOf(profile: Profile, opts: LabelFrameOptions | undefined): LabelFrames {
  if (!opts || !hasLabelFrames(opts)) return { profile, warnings: [] };
  const key = JSON.stringify([opts.root ?? [], opts.leaf ?? [], opts.unit ?? 'minimum']);
  const cached = labelled.get(profile);
  if (cached?.key === key) return cached.frames;
  const frames = addLabelFrames(profile, opts);
  labelled.set(profile, { key, frames });
  return frames;
}
