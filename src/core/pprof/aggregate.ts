// Flat/cum per function and the call tree, with the semantics of
// `go tool pprof` at its default granularity (functions):
// - a frame is identified by its function name alone (pprof clears file,
//   line and address before building its graph); nameless functions and
//   unsymbolized locations fall back to the binary's name;
// - flat(f) sums samples whose leaf frame is f; cum(f) counts f once per
//   sample however often it recurs; samples whose value is 0 are skipped;
// - the total is the sum of |value| over all samples.

import type { Aggregate, CallTree, FunctionInfo, TopRow } from './model';
import type { Profile } from './decode';

/** Resolves a pprof -sample_index argument: a type name (with or without
 *  `inuse_`), a numeric index, or '' for the profile's default. */
export function sampleIndexByName(profile: Profile, name: string): number {
  const types = profile.sampleTypes;
  if (types.length === 0) throw new RangeError(`${profile.fileName}: the profile has no sample types`);
  if (name === '') return profile.defaultSampleIndex;
  if (/^[+-]?\d+$/.test(name)) {
    const i = Number(name);
    if (i < 0 || i >= types.length) {
      throw new RangeError(`sample index ${name} is outside the range [0..${types.length - 1}]`);
    }
    return i;
  }
  const withoutInuse = name.startsWith('inuse_') ? name.slice('inuse_'.length) : name;
  const i = types.findIndex((t) => t.type === name || t.type === withoutInuse);
  if (i < 0) {
    throw new RangeError(`sample index "${name}" must be one of: ${types.map((t) => t.type).join(', ')}`);
  }
  return i;
}

export interface FunctionNodes {
  functions: FunctionInfo[];
  /** Function node of each line (indexed like LocationTable.lineFunction). */
  lineNode: Int32Array;
  /** Function node of each location that has no lines. */
  locationNode: Int32Array;
}

function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** pprof's -granularity values. */
export type Granularity = 'functions' | 'filefunctions' | 'files' | 'lines' | 'addresses';
export const GRANULARITIES: readonly Granularity[] = ['functions', 'filefunctions', 'files', 'lines', 'addresses'];

/**
 * pprof's identity of every frame at a granularity: the same `functions`
 * list (and order) that aggregate() returns. At "functions" (the default) a
 * frame is its function name; the others keep what pprof keeps of a frame
 * (file, line, address) and name nodes the way pprof prints them.
 */
export function functionNodes(profile: Profile, granularity: Granularity = 'functions'): FunctionNodes {
  if (granularity !== 'functions') return detailedNodes(profile, granularity);
  const { strings, functions: fns, locations: locs, mappings } = profile;
  const functions: FunctionInfo[] = [];
  const byKey = new Map<string, number>();
  const nodeOf = (key: string, make: () => FunctionInfo): number => {
    let n = byKey.get(key);
    if (n === undefined) {
      n = functions.length;
      functions.push(make());
      byKey.set(key, n);
    }
    return n;
  };
  const objfileOf = (loc: number): string => {
    const m = locs.mapping[loc];
    return m >= 0 ? mappings[m].file : '';
  };
  const anonymous = (objfile: string, startLine: number): FunctionInfo => ({
    name: objfile !== '' ? `[${basename(objfile)}]` : '<unknown>',
    systemName: '',
    file: '',
    startLine,
  });

  const named = new Int32Array(fns.count).fill(-1);
  for (let f = 0; f < fns.count; f++) {
    const name = strings[fns.name[f]];
    if (name === '') continue;
    named[f] = nodeOf(name, () => ({
      name,
      systemName: strings[fns.systemName[f]],
      file: strings[fns.fileName[f]],
      startLine: fns.startLine[f],
    }));
  }
  const lineNode = new Int32Array(locs.lineFunction.length);
  const locationNode = new Int32Array(locs.count).fill(-1);
  for (let l = 0; l < locs.count; l++) {
    const start = locs.lineStart[l];
    const end = locs.lineEnd[l];
    if (start === end) {
      const objfile = objfileOf(l);
      locationNode[l] = nodeOf(`\0${objfile}\0${0}`, () => anonymous(objfile, 0));
      continue;
    }
    for (let j = start; j < end; j++) {
      const f = locs.lineFunction[j];
      if (named[f] >= 0) {
        lineNode[j] = named[f];
      } else {
        const objfile = objfileOf(l);
        const startLine = fns.startLine[f];
        lineNode[j] = nodeOf(`\0${objfile}\0${startLine}`, () => anonymous(objfile, startLine));
      }
    }
  }
  return { functions, lineNode, locationNode };
}

/**
 * Frames keyed like pprof's graph nodes after `Profile.Aggregate`: address
 * (only at "addresses", which pprof leaves unaggregated), function name,
 * file, line and column, and, for nameless frames only, the binary and the
 * function's start line. Names are pprof's printable names, e.g.
 * "main.f /src/x.go:12".
 */
function detailedNodes(profile: Profile, granularity: Granularity): FunctionNodes {
  const { strings, functions: fns, locations: locs, mappings } = profile;
  const keepName = granularity !== 'files';
  const keepFile = true;
  const keepLine = granularity === 'lines' || granularity === 'addresses';
  const keepAddress = granularity === 'addresses';
  const functions: FunctionInfo[] = [];
  const byKey = new Map<string, number>();
  const lineNode = new Int32Array(locs.lineFunction.length);
  const locationNode = new Int32Array(locs.count).fill(-1);
  for (let l = 0; l < locs.count; l++) {
    const m = locs.mapping[l];
    const objfile = m >= 0 ? mappings[m].file : '';
    const address = keepAddress ? hex16(locs.addressHigh[l], locs.addressLow[l]) : '';
    const start = locs.lineStart[l];
    const end = locs.lineEnd[l];
    const node = (name: string, file: string, line: number, column: number, startLine: number, info: () => FunctionInfo) => {
      const anonymous = name === '';
      const key = `${address}\0${name}\0${file}\0${line}\0${column}\0${anonymous ? objfile : ''}\0${anonymous ? startLine : 0}`;
      let n = byKey.get(key);
      if (n === undefined) {
        n = functions.length;
        const parts: string[] = [];
        if (address !== '' && address !== '0000000000000000') parts.push(address);
        if (name !== '') parts.push(name);
        if (line !== 0) parts.push(column !== 0 ? `${file}:${line}:${column}` : `${file}:${line}`);
        else if (file !== '') parts.push(file);
        else if (name === '') parts.push(objfile !== '' ? `[${basename(objfile)}]` : '<unknown>');
        functions.push({ ...info(), name: parts.join(' ') });
        byKey.set(key, n);
      }
      return n;
    };
    if (start === end) {
      locationNode[l] = node('', '', 0, 0, 0, () => ({ name: '', systemName: '', file: '', startLine: 0 }));
      continue;
    }
    for (let j = start; j < end; j++) {
      const f = locs.lineFunction[j];
      const name = keepName ? strings[fns.name[f]] : '';
      const file = keepFile ? cleanPath(strings[fns.fileName[f]]) : '';
      const line = keepLine ? locs.lineNumber[j] : 0;
      const column = keepAddress ? locs.lineColumn[j] : 0;
      lineNode[j] = node(name, file, line, column, fns.startLine[f], () => ({
        name: '',
        systemName: strings[fns.systemName[f]],
        file: strings[fns.fileName[f]],
        startLine: fns.startLine[f],
      }));
    }
  }
  return { functions, lineNode, locationNode };
}

function hex16(high: number, low: number): string {
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

/** Go's filepath.Clean for the slash-separated paths profiles carry. */
function cleanPath(path: string): string {
  if (path === '' || !/(^|\/)\.{1,2}(\/|$)|\/\/|.\/$/.test(path)) return path;
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return rooted ? '/' + joined : joined === '' ? '.' : joined;
}

/**
 * Open-addressing map from (a, b) int pairs (a >= 0) to int values. Each
 * slot keeps a, b and the value side by side: one cache line per probe.
 */
export class PairMap {
  private slots: Int32Array;
  private mask: number;
  size = 0;
  constructor(capacity: number) {
    let n = 1024;
    while (n < capacity * 2) n *= 2;
    this.slots = new Int32Array(n * 3).fill(-1);
    this.mask = n - 1;
  }
  private static hash(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  }
  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = PairMap.hash(a, b) & mask;
    for (;;) {
      const k = slots[i * 3];
      if (k === a && slots[i * 3 + 1] === b) return slots[i * 3 + 2];
      if (k === -1) return -1;
      i = (i + 1) & mask;
    }
  }
  /** Stores a value for a pair that is not in the map yet. */
  add(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    let i = PairMap.hash(a, b) & this.mask;
    while (slots[i * 3] !== -1) i = (i + 1) & this.mask;
    slots[i * 3] = a;
    slots[i * 3 + 1] = b;
    slots[i * 3 + 2] = value;
    this.size++;
  }
  forEach(fn: (a: number, b: number, value: number) => void): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i += 3) if (slots[i] !== -1) fn(slots[i], slots[i + 1], slots[i + 2]);
  }
  private grow(): void {
    const old = this.slots;
    const n = (this.mask + 1) * 2;
    this.slots = new Int32Array(n * 3).fill(-1);
    this.mask = n - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 3) if (old[i] !== -1) this.add(old[i], old[i + 1], old[i + 2]);
  }
}

// Fields of a tree node's record in TreeBuilder.rec: one 64-byte cache line
// holds everything a visit reads or writes.
const REC = 8;
const TOTAL = 0;
const LINE_VALUE = 1; // value seen at LINE
const LINE = 2; // the first line seen; other lines go to extraLines
const ALL_INLINED = 3; // 1 while every frame merged into the node was inlined
const LAST_FUNC = 4; // the child looked up last, which the next visit usually wants again
const LAST_CHILD = 5;
const SELF = 6;

/** Tree nodes in creation order, before they are laid out for drawing. */
class TreeBuilder {
  count = 1;
  parent: Int32Array;
  func: Int32Array;
  rec: Float64Array;
  children: PairMap;
  extraLines: PairMap;
  extraLineValue: number[] = [];

  constructor(capacity: number) {
    capacity = Math.max(capacity, 1024);
    this.parent = new Int32Array(capacity);
    this.func = new Int32Array(capacity);
    this.rec = new Float64Array(capacity * REC);
    this.children = new PairMap(capacity);
    this.extraLines = new PairMap(64);
    this.parent[0] = -1;
    this.func[0] = -1;
    this.rec[LAST_FUNC] = -1;
  }

  /** Adds `value` to the child of `parent` for `func`, creating it if needed. */
  visit(parent: number, func: number, inlined: boolean, line: number, value: number): number {
    const pr = REC * parent;
    let n: number;
    if (this.rec[pr + LAST_FUNC] === func) {
      n = this.rec[pr + LAST_CHILD];
    } else {
      n = this.children.get(parent, func);
      if (n < 0) n = this.create(parent, func, inlined, line);
      this.rec[pr + LAST_FUNC] = func;
      this.rec[pr + LAST_CHILD] = n;
    }
    const rec = this.rec;
    const r = REC * n;
    rec[r + TOTAL] += value;
    if (rec[r + LINE] === line) rec[r + LINE_VALUE] += value;
    else this.addExtraLine(n, line, value);
    if (!inlined) rec[r + ALL_INLINED] = 0;
    return n;
  }

  visitRoot(value: number): void {
    this.rec[TOTAL] += value;
  }

  addSelf(node: number, value: number): void {
    this.rec[REC * node + SELF] += value;
  }

  private create(parent: number, func: number, inlined: boolean, line: number): number {
    const n = this.count++;
    if (n === this.parent.length) this.grow();
    this.parent[n] = parent;
    this.func[n] = func;
    this.children.add(parent, func, n);
    const r = REC * n;
    this.rec[r + LINE] = line;
    this.rec[r + ALL_INLINED] = inlined ? 1 : 0;
    this.rec[r + LAST_FUNC] = -1;
    return n;
  }

  private addExtraLine(node: number, line: number, value: number): void {
    let k = this.extraLines.get(node, line);
    if (k < 0) {
      k = this.extraLineValue.length;
      this.extraLineValue.push(0);
      this.extraLines.add(node, line, k);
    }
    this.extraLineValue[k] += value;
  }

  /** The line that contributed the most value to each node (the smaller line on ties). */
  heaviestLines(): Int32Array {
    const best = new Int32Array(this.count);
    const bestValue = new Float64Array(this.count);
    for (let n = 0; n < this.count; n++) {
      best[n] = this.rec[REC * n + LINE];
      bestValue[n] = Math.abs(this.rec[REC * n + LINE_VALUE]);
    }
    this.extraLines.forEach((node, line, k) => {
      const v = Math.abs(this.extraLineValue[k]);
      if (v > bestValue[node] || (v === bestValue[node] && line < best[node])) {
        best[node] = line;
        bestValue[node] = v;
      }
    });
    return best;
  }

  field(node: number, field: number): number {
    return this.rec[REC * node + field];
  }

  private grow(): void {
    const n = this.parent.length * 2;
    const parent = new Int32Array(n);
    parent.set(this.parent);
    this.parent = parent;
    const func = new Int32Array(n);
    func.set(this.func);
    this.func = func;
    const rec = new Float64Array(n * REC);
    rec.set(this.rec);
    this.rec = rec;
  }
}

export interface AggregateOptions {
  /** Build the call tree (default true); `top` reports only need the rows. */
  callTree?: boolean;
  /** What a node is (pprof's -granularity); default "functions". */
  granularity?: Granularity;
  /**
   * Fold direct recursion in the call tree: a frame calling its own node
   * stays on that node, so a recursive function is one bar, not a tower.
   * Rows (flat/cum) are unaffected.
   */
  collapseRecursion?: boolean;
}

export function aggregate(
  profile: Profile,
  sampleIndex: number = profile.defaultSampleIndex,
  opts: AggregateOptions = {},
): Aggregate {
  const typeCount = profile.sampleTypes.length;
  if (typeCount === 0) {
    throw new RangeError(`${profile.fileName}: the profile has no sample types`);
  }
  if (!Number.isInteger(sampleIndex) || sampleIndex < 0 || sampleIndex >= typeCount) {
    throw new RangeError(`sample index ${sampleIndex} is outside the range [0..${typeCount - 1}]`);
  }
  const granularity = opts.granularity ?? 'functions';
  const { functions, lineNode, locationNode } = functionNodes(profile, granularity);
  const funcCount = functions.length;
  const flat = new Float64Array(funcCount);
  const cum = new Float64Array(funcCount);
  const seenInSample = new Int32Array(funcCount).fill(-1);

  const { samples, locations } = profile;
  const { stack, stackStart, stackEnd, values } = samples;
  const { lineStart, lineEnd, lineNumber } = locations;
  const withTree = opts.callTree ?? true;
  const collapse = opts.collapseRecursion ?? false;
  const tree = new TreeBuilder(withTree ? samples.count * 2 : 0);
  let total = 0;

  for (let s = 0; s < samples.count; s++) {
    const v = values[s * typeCount + sampleIndex];
    if (v === 0) continue;
    total += Math.abs(v);
    let node = 0;
    let leafFunc = -1;
    const first = stackStart[s];
    for (let i = stackEnd[s] - 1; i >= first; i--) {
      const loc = stack[i];
      const ls = lineStart[loc];
      const le = lineEnd[loc];
      if (ls === le) {
        const fn = locationNode[loc];
        if (seenInSample[fn] !== s) {
          seenInSample[fn] = s;
          cum[fn] += v;
        }
        if (withTree && !(collapse && tree.func[node] === fn)) node = tree.visit(node, fn, false, 0, v);
        leafFunc = fn;
        continue;
      }
      // Outermost line first: the earlier lines were inlined into it.
      for (let j = le - 1; j >= ls; j--) {
        const fn = lineNode[j];
        if (seenInSample[fn] !== s) {
          seenInSample[fn] = s;
          cum[fn] += v;
        }
        if (withTree && !(collapse && tree.func[node] === fn)) {
          node = tree.visit(node, fn, j !== le - 1, lineNumber[j] | 0, v);
        }
        leafFunc = fn;
      }
    }
    tree.visitRoot(v);
    tree.addSelf(node, v);
    if (leafFunc >= 0) flat[leafFunc] += v;
  }

  const nameRank = rankByName(functions);
  const rows: TopRow[] = [];
  for (let f = 0; f < funcCount; f++) {
    if (flat[f] !== 0 || cum[f] !== 0) rows.push({ func: f, flat: flat[f], cum: cum[f] });
  }
  // pprof's order: |flat|, then printed name. (Distinct nodes that print
  // alike, as at -granularity=files, are left in no defined order by pprof.)
  rows.sort(
    (a, b) =>
      Math.abs(b.flat) - Math.abs(a.flat) ||
      nameRank[a.func] - nameRank[b.func] ||
      Math.abs(b.cum) - Math.abs(a.cum),
  );

  return {
    sampleType: profile.sampleTypes[sampleIndex],
    sampleIndex,
    total,
    functions,
    tree: layOutTree(tree, nameRank),
    rows,
    granularity,
  };
}

/** rank[f] orders functions by name (byte order of their names, like Go). */
function rankByName(functions: FunctionInfo[]): Int32Array {
  const order = functions.map((_, i) => i);
  order.sort((a, b) => {
    const x = functions[a].name;
    const y = functions[b].name;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const rank = new Int32Array(functions.length);
  order.forEach((f, r) => (rank[f] = r));
  return rank;
}

/** Breadth-first layout: every node's children get consecutive indexes, sorted by name. */
function layOutTree(b: TreeBuilder, nameRank: Int32Array): CallTree {
  const n = b.count;
  const funcCount = nameRank.length;
  // Counting sort of the non-root nodes by name, then a stable split into
  // per-parent groups keeps every group sorted.
  const perRank = new Int32Array(funcCount + 1);
  for (let i = 1; i < n; i++) perRank[nameRank[b.func[i]] + 1]++;
  for (let r = 0; r < funcCount; r++) perRank[r + 1] += perRank[r];
  const byName = new Int32Array(Math.max(n - 1, 0));
  for (let i = 1; i < n; i++) byName[perRank[nameRank[b.func[i]]]++] = i;

  const childCountOld = new Int32Array(n);
  for (let i = 1; i < n; i++) childCountOld[b.parent[i]]++;
  const groupStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) groupStart[i + 1] = groupStart[i] + childCountOld[i];
  const fill = groupStart.slice(0, n);
  const grouped = new Int32Array(Math.max(n - 1, 0));
  for (const i of byName) grouped[fill[b.parent[i]]++] = i;

  // First the shape (which old node goes where), then one gather per
  // attribute: simple loops whose random reads overlap in the memory system.
  const oldOf = new Int32Array(n);
  const parent = new Int32Array(n);
  const depth = new Int32Array(n);
  const firstChild = new Int32Array(n);
  const childCount = new Int32Array(n);
  parent[0] = -1;
  let maxDepth = 0;
  let next = 1;
  for (let k = 0; k < n; k++) {
    const old = oldOf[k];
    firstChild[k] = next;
    childCount[k] = childCountOld[old];
    const d = depth[k] + 1;
    for (let g = groupStart[old]; g < groupStart[old + 1]; g++) {
      oldOf[next] = grouped[g];
      parent[next] = k;
      depth[next] = d;
      next++;
    }
    if (childCount[k] > 0 && d > maxDepth) maxDepth = d;
  }
  const lines = b.heaviestLines();
  const func = new Int32Array(n);
  const line = new Int32Array(n);
  const inlined = new Uint8Array(n);
  const total = new Float64Array(n);
  const self = new Float64Array(n);
  for (let k = 0; k < n; k++) func[k] = b.func[oldOf[k]];
  for (let k = 1; k < n; k++) line[k] = lines[oldOf[k]];
  for (let k = 0; k < n; k++) inlined[k] = b.field(oldOf[k], ALL_INLINED);
  for (let k = 0; k < n; k++) total[k] = b.field(oldOf[k], TOTAL);
  for (let k = 0; k < n; k++) self[k] = b.field(oldOf[k], SELF);
  const tree: CallTree = {
    nodeCount: n,
    parent,
    func,
    depth,
    line,
    inlined,
    total,
    self,
    firstChild,
    childCount,
    maxDepth,
  };
  return tree;
}
