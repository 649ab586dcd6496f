// Flat/cum per function and the call tree, with the semantics of
// `go tool pprof` at its default granularity (functions):
// - a frame is identified by its function name alone (pprof clears file,
//   line and address before building its graph); nameless functions and
//   unsymbolized locations fall back to the binary's name;
// - flat(f) sums samples whose leaf frame is f; cum(f) counts f once per
//   sample however often it recurs; samples whose value is 0 are skipped;
// - the total is the sum of |value| over all samples.

import type { Aggregate, CallTree, FunctionInfo, TopRow } from './model';
import type { LocationTable, Profile, SampleTable } from './decode';
import type { FilterPlan } from './filter';
import { Int32List } from '../typedLists';

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
    // The slot takes the low bits, which a product alone leaves poorly mixed
    // (sequential ids then crowd into runs): finish like murmur3's fmix32.
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
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

type ScratchArray = Int32Array | Float64Array | Uint8Array;

/**
 * Temporaries reused from call to call, one per name: a new large typed
 * array costs a page fault per 4 KiB page when first written (about as much
 * as the pass that fills it). Only for arrays that never leave the call
 * that asked (and for TreeFolder, which is used one at a time).
 */
const scratchArrays = new Map<string, ScratchArray>();

/** Lets the scratch arrays go (after a large profile's views they can hold over 100 MB); the next view makes them again. */
export function releaseScratch(): void {
  scratchArrays.clear();
}

function scratch<T extends ScratchArray>(name: string, type: { new (length: number): T }, length: number, fill = 0): T {
  let array = scratchArrays.get(name) as T | undefined;
  if (array === undefined || array.length < length) {
    // Some headroom: the next view's sizes are often a little larger.
    array = new type(length + (length >> 3));
    scratchArrays.set(name, array);
  }
  const view = array.subarray(0, length) as T;
  view.fill(fill);
  return view;
}

/**
 * The children of call-tree nodes by function, for trees built node by
 * node. Sibling lists: most nodes have few children, and a lookup that
 * misses (the common case while a tree grows) then costs a read or two
 * instead of a probe into a large table. Nodes with many children also get
 * a hash table entry per child.
 */
class ChildLists {
  private static readonly many = 16;
  private firstChild: Int32Array;
  private nextSibling: Int32Array;
  private childCount: Int32Array;
  private readonly table = new PairMap(1024);

  /** With `scratchName`, its lists are scratch arrays (see scratch()): the caller uses one at a time. */
  constructor(capacity: number, scratchName?: string) {
    const size = Math.max(capacity, 16);
    if (scratchName === undefined) {
      this.firstChild = new Int32Array(size).fill(-1);
      this.nextSibling = new Int32Array(size);
      this.childCount = new Int32Array(size);
    } else {
      this.firstChild = scratch(`${scratchName}.firstChild`, Int32Array, size, -1);
      this.nextSibling = scratch(`${scratchName}.nextSibling`, Int32Array, size);
      this.childCount = scratch(`${scratchName}.childCount`, Int32Array, size);
    }
  }

  /** The child of `node` whose function (in `funcs`, by node) is `func`, or -1. */
  find(node: number, func: number, funcs: Int32Array): number {
    if (this.childCount[node] > ChildLists.many) return this.table.get(node, func);
    for (let c = this.firstChild[node]; c >= 0; c = this.nextSibling[c]) if (funcs[c] === func) return c;
    return -1;
  }

  add(node: number, func: number, child: number, funcs: Int32Array): void {
    if (child >= this.firstChild.length) this.grow();
    this.nextSibling[child] = this.firstChild[node];
    this.firstChild[node] = child;
    const count = ++this.childCount[node];
    if (count === ChildLists.many + 1) {
      for (let c = this.firstChild[node]; c >= 0; c = this.nextSibling[c]) this.table.add(node, funcs[c], c);
    } else if (count > ChildLists.many + 1) {
      this.table.add(node, func, child);
    }
  }

  private grow(): void {
    const size = this.firstChild.length * 2;
    this.firstChild = grownArray(this.firstChild, size, -1);
    this.nextSibling = grownArray(this.nextSibling, size);
    this.childCount = grownArray(this.childCount, size);
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
  /** Also sum |value| per node (CallTree.magnitude), for differential flame graphs. */
  magnitude?: boolean;
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
  if (opts.callTree ?? true) return treeAggregate(profile, sampleIndex, opts, undefined).aggregate;
  return rowsAggregate(profile, sampleIndex, opts.granularity ?? 'functions');
}

/** Flat and cum straight from the samples, without a call tree (what `top` needs). */
function rowsAggregate(profile: Profile, sampleIndex: number, granularity: Granularity): Aggregate {
  const typeCount = profile.sampleTypes.length;
  const { functions, lineNode, locationNode } = functionNodes(profile, granularity);
  const funcCount = functions.length;
  const flat = new Float64Array(funcCount);
  const cum = new Float64Array(funcCount);
  const seenInSample = new Int32Array(funcCount).fill(-1);

  const { samples, locations } = profile;
  const { stack, stackStart, stackEnd, values } = samples;
  const { lineStart, lineEnd } = locations;
  let total = 0;
  let sum = 0;

  for (let s = 0; s < samples.count; s++) {
    const v = values[s * typeCount + sampleIndex];
    if (v === 0) continue;
    total += Math.abs(v);
    sum += v;
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
        leafFunc = fn;
        continue;
      }
      for (let j = le - 1; j >= ls; j--) {
        const fn = lineNode[j];
        if (seenInSample[fn] !== s) {
          seenInSample[fn] = s;
          cum[fn] += v;
        }
        leafFunc = fn;
      }
    }
    if (leafFunc >= 0) flat[leafFunc] += v;
  }

  const nameRank = rankByName(functions);
  const root: TreeColumns = {
    count: 1,
    parent: Int32Array.of(-1),
    func: Int32Array.of(-1),
    line: Int32Array.of(0),
    inlined: Uint8Array.of(0),
    total: Float64Array.of(sum),
    self: Float64Array.of(sum),
  };
  return {
    sampleType: profile.sampleTypes[sampleIndex],
    sampleIndex,
    total,
    functions,
    tree: layOutTree(root, nameRank, false),
    rows: topRows(flat, cum, nameRank),
    granularity,
  };
}

// ---- the call tree, from a trie of stacks ------------------------------------
//
// A sample type switch, a filter or a granularity change must not walk
// millions of stack entries through a hash table again. So the work is split
// by what it depends on:
// 1. the stacks alone: a trie of location paths (one node per distinct
//    prefix, root first) and each sample's node, once per sample table;
// 2. the stacks, the granularity, recursion folding and the filters that
//    change stacks (hide, show, show_from): which call-tree node each trie
//    node's frames visit (a "skeleton"), cached per combination;
// 3. the values: a pass over the samples, one over the trie and one over
//    the visits, then the layout of the nodes that got a value.

/** Every distinct stack prefix of a sample table, root first. */
interface StackTrie {
  count: number;
  parent: Int32Array;
  /** The location each node adds to its parent's path (-1 at the root). */
  location: Int32Array;
  /** The node of each sample's whole stack (0 for an empty stack). */
  leafOf: Int32Array;
  skeletons: Map<string, Skeleton>;
}

const stackTries = new WeakMap<SampleTable, StackTrie>();

/** Whether the profile's samples have their stack trie already (a call tree of them is then quick). */
export function hasStackTrie(profile: Profile): boolean {
  return stackTries.has(profile.samples);
}

function stackTrie(samples: SampleTable): StackTrie {
  const cached = stackTries.get(samples);
  if (cached) return cached;
  const { stack, stackStart, stackEnd, count } = samples;
  // Sibling lists rather than one hash table: a lookup that misses, as most do while the trie grows, then reads a node just touched.
  const children = new ChildLists(count * 2);
  const parent = new Int32List(count * 2);
  const location = new Int32List(count * 2);
  parent.push(-1);
  location.push(-1);
  const leafOf = new Int32Array(count);
  // Neighbouring samples usually share most of their stack: the part equal
  // to the previous sample's path needs no lookups.
  let pathNodes = new Int32Array(256);
  let pathLocations = new Int32Array(256);
  let pathDepth = 0;
  for (let s = 0; s < count; s++) {
    const end = stackEnd[s];
    const depth = end - stackStart[s];
    if (depth > pathNodes.length) {
      const size = Math.max(depth, pathNodes.length * 2);
      pathNodes = grownArray(pathNodes, size);
      pathLocations = grownArray(pathLocations, size);
    }
    const shared = Math.min(depth, pathDepth);
    let d = 0;
    while (d < shared && pathLocations[d] === stack[end - 1 - d]) d++;
    let node = d > 0 ? pathNodes[d - 1] : 0;
    for (; d < depth; d++) {
      const loc = stack[end - 1 - d];
      let child = children.find(node, loc, location.data);
      if (child < 0) {
        child = parent.length;
        parent.push(node);
        location.push(loc);
        children.add(node, loc, child, location.data);
      }
      node = child;
      pathNodes[d] = node;
      pathLocations[d] = loc;
    }
    pathDepth = depth;
    leafOf[s] = node;
  }
  const trie: StackTrie = {
    count: parent.length,
    parent: parent.done(),
    location: location.done(),
    leafOf,
    skeletons: new Map(),
  };
  stackTries.set(samples, trie);
  return trie;
}

/**
 * Which call-tree nodes the frames of each trie node visit, for one
 * granularity and set of stack filters. Nodes are numbered in drawing order
 * (see shapeTree), so a view only has to leave out the nodes without value.
 */
interface Skeleton {
  functions: FunctionInfo[];
  nameRank: Int32Array;
  /**
   * Every visit of a call-tree node by a trie node's frames, sorted by call
   * tree node so that adding values up writes memory in order.
   */
  visitNode: Int32Array;
  /** The trie node of each visit, by its rank (see trieParent). */
  visitTrie: Int32Array;
  /**
   * The (node, line) slot of each visit, for the node's heaviest line; -1
   * when the node is only ever visited at one line (nodeLine has it).
   */
  visitSlot: Int32Array;
  /** 1 for a visit that is not inlined into a node whose other visits are (the node's flag then depends on values). */
  visitCalls: Uint8Array;
  /** The trie nodes (ranks) where samples end, sorted by the call-tree node they end in (selfNode). */
  selfTrie: Int32Array;
  selfNode: Int32Array;
  /**
   * The trie's parents with the nodes ranked by the call-tree node they end
   * in (a parent still before its children), and each sample's leaf by rank:
   * values added up the trie in this order are then read nearly in order by
   * the visits, which are sorted by call-tree node.
   */
  trieParent: Int32Array;
  leafRank: Int32Array;
  nodeCount: number;
  nodeParent: Int32Array;
  nodeFunc: Int32Array;
  /** The line of a node visited at one line only. */
  nodeLine: Int32Array;
  /** 0: never inlined, 1: always inlined, 2: both (see frameCalls). */
  nodeInlined: Uint8Array;
  slotNode: Int32Array;
  slotLine: Int32Array;
  /** 1 where a node's function is already on the path above it (it adds nothing to cum). */
  repeats: Uint8Array;
  /** Per trie node, with show_from: the path has a (visible) matching location. */
  showFromReached: Uint8Array | undefined;
  /** 1 for a node visited at more than one line. */
  manyLines: Uint8Array;
}

/** Skeletons kept per trie: a few filter combinations to step back to cheaply. */
const maxSkeletons = 4;

function skeletonOf(
  profile: Profile,
  trie: StackTrie,
  locations: LocationTable,
  granularity: Granularity,
  collapse: boolean,
  plan: FilterPlan | undefined,
  structureKey: string,
): Skeleton {
  const key = `${granularity}\0${collapse}\0${structureKey}`;
  const cached = trie.skeletons.get(key);
  if (cached) {
    // Most recently used last.
    trie.skeletons.delete(key);
    trie.skeletons.set(key, cached);
    return cached;
  }
  const { functions, lineNode, locationNode } = functionNodes({ ...profile, locations }, granularity);
  const { lineStart, lineEnd, lineNumber } = locations;
  const hidden = plan?.hidden;
  const showFrom = plan?.showFrom;
  const n = trie.count;
  const outOf = new Int32Array(n);
  const frameStart = new Int32Array(n + 1);
  const frameNode = new Int32List(n + (n >> 2));
  const frameSlot = new Int32List(n + (n >> 2));
  const frameInlined = new Int32List(n + (n >> 2));
  const nodeParent = new Int32List(n);
  const nodeFunc = new Int32List(n);
  const slotNode = new Int32List(n);
  const slotLine = new Int32List(n);
  const children = new ChildLists(n);
  const findChild = (node: number, func: number): number => children.find(node, func, nodeFunc.data);
  const addChild = (node: number, func: number, child: number) => children.add(node, func, child, nodeFunc.data);
  const slots = new PairMap(n);
  nodeParent.push(-1);
  nodeFunc.push(-1);
  const showFromReached = showFrom ? new Uint8Array(n) : undefined;

  // A node's first slot, which most visits want: only other lines need the slot map.
  const firstSlot = new Int32List(n);
  firstSlot.push(-1);
  const visit = (node: number, func: number, inlined: boolean, line: number): number => {
    if (collapse && nodeFunc.data[node] === func) return node;
    let child = findChild(node, func);
    let slot: number;
    if (child < 0) {
      child = nodeParent.length;
      nodeParent.push(node);
      nodeFunc.push(func);
      addChild(node, func, child);
      slot = slotNode.length;
      slotNode.push(child);
      slotLine.push(line);
      firstSlot.push(slot);
    } else {
      slot = firstSlot.data[child];
      if (slotLine.data[slot] !== line) {
        slot = slots.get(child, line);
        if (slot < 0) {
          slot = slotNode.length;
          slotNode.push(child);
          slotLine.push(line);
          slots.add(child, line, slot);
        }
      }
    }
    frameNode.push(child);
    frameSlot.push(slot);
    frameInlined.push(inlined ? 1 : 0);
    return child;
  };

  for (let t = 1; t < n; t++) {
    const p = trie.parent[t];
    const loc = trie.location[t];
    frameStart[t] = frameNode.length;
    let node = outOf[p];
    const visible = hidden === undefined || hidden[loc] === 0;
    let keep = visible;
    if (showFromReached) {
      showFromReached[t] = showFromReached[p] || (visible && showFrom![loc] === 1) ? 1 : 0;
      keep &&= showFromReached[t] === 1;
    }
    if (keep) {
      const ls = lineStart[loc];
      const le = lineEnd[loc];
      if (ls === le) {
        node = visit(node, locationNode[loc], false, 0);
      } else {
        // Outermost line first: the earlier lines were inlined into it.
        for (let j = le - 1; j >= ls; j--) node = visit(node, lineNode[j], j !== le - 1, lineNumber[j] | 0);
      }
    }
    outOf[t] = node;
  }
  frameStart[n] = frameNode.length;

  // Renumber the nodes in drawing order.
  const nameRank = rankByName(functions);
  const m = nodeParent.length;
  const shape = shapeTree(m, nodeParent.data, nodeFunc.data, nameRank);
  const position = new Int32Array(m);
  for (let k = 0; k < m; k++) position[shape.oldOf[k]] = k;
  const renumber = (ids: Int32Array) => {
    for (let i = 0; i < ids.length; i++) ids[i] = position[ids[i]];
    return ids;
  };
  const func = new Int32Array(m);
  for (let k = 0; k < m; k++) func[k] = nodeFunc.data[shape.oldOf[k]];
  const repeats = repeatedFunctions(shape, func, functions.length);
  // What does not depend on values is settled here, so that a view touches
  // as few scattered nodes as it can.
  const frameNodes = renumber(frameNode.done());
  // Slots too in node order (a counting sort): adding to them and reading them back goes in order.
  const slotNodesByCreation = renumber(slotNode.done());
  const slotCount = slotNodesByCreation.length;
  const slotRank = new Int32Array(m + 1);
  for (let k = 0; k < slotCount; k++) slotRank[slotNodesByCreation[k] + 1]++;
  for (let k = 0; k < m; k++) slotRank[k + 1] += slotRank[k];
  const slotPosition = new Int32Array(slotCount);
  const slotNodes = new Int32Array(slotCount);
  const slotLines = new Int32Array(slotCount);
  for (let k = 0; k < slotCount; k++) {
    const position = slotRank[slotNodesByCreation[k]]++;
    slotPosition[k] = position;
    slotNodes[position] = slotNodesByCreation[k];
    slotLines[position] = slotLine.data[k];
  }
  const frameSlots = frameSlot.done();
  for (let f = 0; f < frameSlots.length; f++) frameSlots[f] = slotPosition[frameSlots[f]];
  const slotsOfNode = new Int32Array(m);
  const nodeLine = new Int32Array(m);
  for (let k = 0; k < slotNodes.length; k++) {
    slotsOfNode[slotNodes[k]]++;
    nodeLine[slotNodes[k]] = slotLines[k];
  }
  // A loop, not Uint8Array.from with a mapping function: that costs ~40 ms per million nodes.
  const manyLines = new Uint8Array(m);
  for (let k = 0; k < m; k++) manyLines[k] = slotsOfNode[k] > 1 ? 1 : 0;
  const inlinedVisits = new Int32Array(m);
  const visits = new Int32Array(m);
  const frameInlinedFlags = frameInlined.data;
  for (let f = 0; f < frameNodes.length; f++) {
    visits[frameNodes[f]]++;
    inlinedVisits[frameNodes[f]] += frameInlinedFlags[f];
  }
  const nodeInlined = new Uint8Array(m);
  for (let k = 1; k < m; k++) nodeInlined[k] = inlinedVisits[k] === 0 ? 0 : inlinedVisits[k] === visits[k] ? 1 : 2;
  // Visits sorted by node (a counting sort), each with its trie node.
  const visitStart = new Int32Array(m + 1);
  for (let f = 0; f < frameNodes.length; f++) visitStart[frameNodes[f] + 1]++;
  for (let k = 0; k < m; k++) visitStart[k + 1] += visitStart[k];
  const visitNode = new Int32Array(frameNodes.length);
  const visitTrie = new Int32Array(frameNodes.length);
  const visitSlot = new Int32Array(frameNodes.length);
  const visitCalls = new Uint8Array(frameNodes.length);
  for (let t = 1; t < n; t++) {
    for (let f = frameStart[t]; f < frameStart[t + 1]; f++) {
      const o = frameNodes[f];
      const v = visitStart[o]++;
      visitNode[v] = o;
      visitTrie[v] = t;
      visitSlot[v] = slotsOfNode[o] === 1 ? -1 : frameSlots[f];
      visitCalls[v] = nodeInlined[o] === 2 && frameInlinedFlags[f] === 0 ? 1 : 0;
    }
  }
  const leaves = new Uint8Array(n);
  for (let s = 0; s < trie.leafOf.length; s++) leaves[trie.leafOf[s]] = 1;
  const ends = renumber(outOf);
  // Ranks: a counting sort by end node, stable in trie order (parents first).
  const rankStart = new Int32Array(m + 1);
  for (let t = 0; t < n; t++) rankStart[ends[t] + 1]++;
  for (let k = 0; k < m; k++) rankStart[k + 1] += rankStart[k];
  const rank = new Int32Array(n);
  for (let t = 0; t < n; t++) rank[t] = rankStart[ends[t]]++;
  const trieParent = new Int32Array(n);
  trieParent[0] = -1;
  for (let t = 1; t < n; t++) trieParent[rank[t]] = rank[trie.parent[t]];
  const leafRank = new Int32Array(trie.leafOf.length);
  for (let s = 0; s < leafRank.length; s++) leafRank[s] = rank[trie.leafOf[s]];
  for (let v = 0; v < visitTrie.length; v++) visitTrie[v] = rank[visitTrie[v]];
  const selfStart = new Int32Array(m + 1);
  for (let t = 0; t < n; t++) if (leaves[t]) selfStart[ends[t] + 1]++;
  for (let k = 0; k < m; k++) selfStart[k + 1] += selfStart[k];
  const selfTrie = new Int32Array(selfStart[m]);
  const selfNode = new Int32Array(selfStart[m]);
  for (let t = 0; t < n; t++) {
    if (!leaves[t]) continue;
    const i = selfStart[ends[t]]++;
    selfTrie[i] = rank[t];
    selfNode[i] = ends[t];
  }
  const skeleton: Skeleton = {
    functions,
    nameRank,
    visitNode,
    visitTrie,
    visitSlot,
    visitCalls,
    selfTrie,
    selfNode,
    trieParent,
    leafRank,
    nodeCount: m,
    nodeParent: shape.parent,
    nodeFunc: func,
    nodeLine,
    nodeInlined,
    slotNode: slotNodes,
    slotLine: slotLines,
    repeats,
    showFromReached,
    manyLines,
  };
  trie.skeletons.set(key, skeleton);
  if (trie.skeletons.size > maxSkeletons) trie.skeletons.delete(trie.skeletons.keys().next().value!);
  return skeleton;
}

/** 1 for each laid-out node whose function is already on the path above it (it adds nothing to cum). */
function repeatedFunctions(shape: Pick<TreeShape, 'count' | 'firstChild' | 'childCount' | 'maxDepth'>, func: Int32Array, funcCount: number): Uint8Array {
  // Depth-first over the laid-out tree, counting each function's frames on the path.
  const repeats = new Uint8Array(shape.count);
  const onPath = new Int32Array(funcCount);
  const pathNodes = new Int32Array(shape.maxDepth + 2);
  const pathNext = new Int32Array(shape.maxDepth + 2);
  let top = 0;
  pathNext[0] = shape.firstChild[0];
  while (top >= 0) {
    const node = pathNodes[top];
    const child = pathNext[top];
    if (child < shape.firstChild[node] + shape.childCount[node]) {
      pathNext[top]++;
      if (onPath[func[child]]++ > 0) repeats[child] = 1;
      top++;
      pathNodes[top] = child;
      pathNext[top] = shape.firstChild[child];
    } else {
      if (node !== 0) onPath[func[node]]--;
      top--;
    }
  }
  return repeats;
}

/**
 * aggregate() with a call tree, for the profile's samples as `plan` filters
 * them (see FilterPlan); `structureKey` names the plan's stack filters
 * (hide, show, show_from) so that their skeleton can be reused.
 */
export function treeAggregate(
  profile: Profile,
  sampleIndex: number,
  opts: AggregateOptions,
  filters: { plan: FilterPlan; structureKey: string } | undefined,
): { aggregate: Aggregate; tagMatched: { focus: boolean; ignore: boolean }; detail: TreeDetail } {
  const granularity = opts.granularity ?? 'functions';
  const collapse = opts.collapseRecursion ?? false;
  const plan = filters?.plan;
  const samples = profile.samples;
  const typeCount = profile.sampleTypes.length;
  const trie = stackTrie(samples);
  const sk = skeletonOf(profile, trie, plan?.locations ?? profile.locations, granularity, collapse, plan, filters?.structureKey ?? '');
  const n = trie.count;

  // Which trie paths pass focus/ignore and keep a visible location.
  // Per trie node, what its path has: 1 an ignored location, 2 a focused one, 4 a visible one; it passes at 6.
  let paths: Uint8Array | undefined;
  if (plan?.marks) {
    const { marks, hidden } = plan;
    paths = scratch('paths', Uint8Array, n);
    const { parent, location } = trie;
    for (let t = 1; t < n; t++) {
      const loc = location[t];
      const mark = marks[loc];
      paths[t] = paths[parent[t]] | (mark === 2 ? 1 : mark === 1 ? 2 : 0) | (hidden === undefined || hidden[loc] === 0 ? 4 : 0);
    }
  }
  const reached = sk.showFromReached;
  const tagFocus = plan?.tagFocus;
  const tagIgnore = plan?.tagIgnore;

  // Per trie node: total, magnitude and self side by side (one cache line for a sample's three writes).
  const nodeValues = scratch('trieValues', Float64Array, 3 * n);
  let total = 0;
  let tagFocusMatched = false;
  let tagIgnoreMatched = false;
  const { values } = samples;
  const { leafOf } = trie;
  const { leafRank, trieParent } = sk;
  for (let s = 0; s < samples.count; s++) {
    const leaf = leafOf[s];
    if (paths && paths[leaf] !== 6) continue;
    if (reached && reached[leaf] === 0) continue;
    if (tagFocus || tagIgnore) {
      const focused = tagFocus ? tagFocus(samples, s) : true;
      const ignored = tagIgnore ? tagIgnore(samples, s) : false;
      tagFocusMatched ||= focused;
      tagIgnoreMatched ||= ignored;
      if (!focused || ignored) continue;
    }
    const v = values[s * typeCount + sampleIndex];
    if (v === 0) continue;
    total += Math.abs(v);
    const r = 3 * leafRank[s];
    nodeValues[r] += v;
    nodeValues[r + 1] += Math.abs(v);
    nodeValues[r + 2] += v;
  }
  for (let r = n - 1; r > 0; r--) {
    const p = 3 * trieParent[r];
    nodeValues[p] += nodeValues[3 * r];
    nodeValues[p + 1] += nodeValues[3 * r + 1];
  }

  // Values of the call-tree nodes, through the visits of the trie nodes.
  // A node has a value when some sample with a non-zero value passes through
  // it, i.e. when its magnitude is not 0.
  const m = sk.nodeCount;
  const outTotal = scratch('total', Float64Array, m);
  const outMagnitude = new Float64Array(m);
  const outSelf = scratch('self', Float64Array, m);
  const outCalled = scratch('called', Uint8Array, m);
  const slotValue = new Float64Array(sk.slotNode.length);
  const slotSeen = new Uint8Array(sk.slotNode.length);
  const { visitNode, visitTrie, visitSlot, visitCalls, selfTrie, selfNode } = sk;
  outTotal[0] = nodeValues[0];
  outMagnitude[0] = nodeValues[1];
  for (let v = 0; v < visitNode.length; v++) {
    const t = 3 * visitTrie[v];
    const magnitude = nodeValues[t + 1];
    if (magnitude === 0) continue;
    const value = nodeValues[t];
    const o = visitNode[v];
    outTotal[o] += value;
    outMagnitude[o] += magnitude;
    if (visitCalls[v] === 1) outCalled[o] = 1;
    const slot = visitSlot[v];
    if (slot >= 0) {
      slotValue[slot] += value;
      slotSeen[slot] = 1;
    }
  }
  for (let i = 0; i < selfTrie.length; i++) {
    const self = nodeValues[3 * selfTrie[i] + 2];
    if (self !== 0) outSelf[selfNode[i]] += self;
  }
  // The line that contributed the most to each node (the smaller line on ties).
  const bestLine = scratch('line', Int32Array, m);
  bestLine.set(sk.nodeLine);
  const bestValue = scratch('lineValue', Float64Array, m, -1);
  for (let k = 0; k < slotValue.length; k++) {
    if (!slotSeen[k]) continue;
    const o = sk.slotNode[k];
    const v = Math.abs(slotValue[k]);
    const line = sk.slotLine[k];
    if (v > bestValue[o] || (v === bestValue[o] && line < bestLine[o])) {
      bestValue[o] = v;
      bestLine[o] = line;
    }
  }
  const inlined = scratch('inlined', Uint8Array, m);
  for (let o = 1; o < m; o++) {
    const structural = sk.nodeInlined[o];
    inlined[o] = structural === 2 ? (outCalled[o] ? 0 : 1) : structural;
  }
  const columns: TreeColumns = {
    count: m,
    parent: sk.nodeParent,
    func: sk.nodeFunc,
    line: bestLine,
    inlined,
    total: outTotal,
    self: outSelf,
    magnitude: outMagnitude,
  };
  const { tree, oldOf } = keptTree({ ...columns, magnitude: outMagnitude }, opts.magnitude ?? false);

  // Flat: the leaf's node; cum: each node whose function is not already on its path.
  const funcCount = sk.functions.length;
  const flat = new Float64Array(funcCount);
  const cum = new Float64Array(funcCount);
  for (let k = 1; k < tree.nodeCount; k++) {
    const f = tree.func[k];
    flat[f] += tree.self[k];
    if (sk.repeats[oldOf[k]] === 0) cum[f] += tree.total[k];
  }
  const aggregate: Aggregate = {
    sampleType: profile.sampleTypes[sampleIndex],
    sampleIndex,
    total,
    functions: sk.functions,
    tree,
    rows: topRows(flat, cum, sk.nameRank),
    granularity,
  };
  const detail: TreeDetail = {
    aggregate,
    tree,
    collapse,
    nodeOf: oldOf,
    magnitude: outMagnitude,
    slotNode: sk.slotNode,
    slotLine: sk.slotLine,
    slotValue,
    slotSeen,
    manyLines: sk.manyLines,
    repeats: sk.repeats,
  };
  return { aggregate, tagMatched: { focus: tagFocusMatched, ignore: tagIgnoreMatched }, detail };
}

/** The parts of a CallTree that TreeFolder reads. */
export type FoldableTree = Pick<CallTree, 'nodeCount' | 'parent' | 'func' | 'total' | 'self' | 'line' | 'inlined'>;

/**
 * A call tree as treeAggregate built it, with what refoldTree needs to hide
 * frames in it without going back to the samples.
 */
export interface TreeDetail {
  /** What the tree is of; its own tree may have been handed on (a worker transfers its arrays). */
  aggregate: Aggregate;
  /** The laid-out nodes. */
  tree: FoldableTree;
  collapse: boolean;
  /** The built node of each laid-out node (the arrays below are by built node). */
  nodeOf: Int32Array;
  /** The sum of |value| through each node. */
  magnitude: Float64Array;
  /** Each node's (node, line) slots, sorted by node, and what the visits with a value added to them. */
  slotNode: Int32Array;
  slotLine: Int32Array;
  slotValue: Float64Array;
  slotSeen: Uint8Array;
  /** 1 for a node visited at more than one line. */
  manyLines: Uint8Array;
  /** 1 for a node whose function is already on the path above it. */
  repeats: Uint8Array;
}

/**
 * Call-tree nodes in any order where a parent comes before its children
 * (node 0 is the root, parent -1), before they are laid out for drawing.
 */
export interface TreeColumns {
  count: number;
  parent: Int32Array;
  func: Int32Array;
  line: Int32Array;
  inlined: Uint8Array;
  total: Float64Array;
  self: Float64Array;
  magnitude?: Float64Array;
}

/** Lays out nodes built elsewhere (e.g. a callers or callees tree) the way aggregate() lays out its own. */
export function callTreeFromColumns(columns: TreeColumns, functions: FunctionInfo[]): CallTree {
  return layOutTree(columns, rankByName(functions), columns.magnitude !== undefined);
}

/** Every function with non-zero flat or cum, in pprof's order. */
function topRows(flat: Float64Array, cum: Float64Array, nameRank: Int32Array): TopRow[] {
  const rows: TopRow[] = [];
  for (let f = 0; f < flat.length; f++) {
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
  return rows;
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

/** Lays out built nodes for drawing (see shapeTree). */
interface TreeShape {
  count: number;
  /** The input node at each laid-out index. */
  oldOf: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  firstChild: Int32Array;
  childCount: Int32Array;
  maxDepth: number;
}

/** Breadth-first layout: every node's children get consecutive indexes, sorted by name. */
function shapeTree(n: number, parentOld: Int32Array, funcOld: Int32Array, nameRank: Int32Array): TreeShape {
  // Children grouped by parent in node order (parents are then read nearly
  // in order), then each group sorted by name, ties in node order.
  const childCountOld = scratch('shape.childCount', Int32Array, n);
  for (let i = 1; i < n; i++) childCountOld[parentOld[i]]++;
  const groupStart = scratch('shape.groupStart', Int32Array, n + 1);
  for (let i = 0; i < n; i++) groupStart[i + 1] = groupStart[i] + childCountOld[i];
  const fill = scratch('shape.fill', Int32Array, n);
  fill.set(groupStart.subarray(0, n));
  const grouped = scratch('shape.grouped', Int32Array, Math.max(n - 1, 0));
  for (let i = 1; i < n; i++) grouped[fill[parentOld[i]]++] = i;
  const byName = (a: number, b: number) => nameRank[funcOld[a]] - nameRank[funcOld[b]] || a - b;
  for (let p = 0; p < n; p++) {
    const from = groupStart[p];
    const to = groupStart[p + 1];
    if (to - from > 16) {
      grouped.subarray(from, to).sort(byName);
      continue;
    }
    // Most groups are short: an insertion sort, which keeps ties in node order.
    for (let a = from + 1; a < to; a++) {
      const node = grouped[a];
      const rank = nameRank[funcOld[node]];
      let b = a - 1;
      while (b >= from && nameRank[funcOld[grouped[b]]] > rank) {
        grouped[b + 1] = grouped[b];
        b--;
      }
      grouped[b + 1] = node;
    }
  }

  const m = n;
  const oldOf = new Int32Array(m);
  const parent = new Int32Array(m);
  const depth = new Int32Array(m);
  const firstChild = new Int32Array(m);
  const childCount = new Int32Array(m);
  parent[0] = -1;
  let maxDepth = 0;
  let next = 1;
  for (let k = 0; k < m; k++) {
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
  return { count: m, oldOf, parent, depth, firstChild, childCount, maxDepth };
}

/**
 * The laid-out tree of the nodes whose magnitude is non-zero (and the root),
 * given all nodes in drawing order: leaving nodes out of a breadth-first
 * order sorted by name keeps it one, so one pass in order lays them out.
 */
function keptTree(b: TreeColumns & { magnitude: Float64Array }, withMagnitude: boolean): { tree: CallTree; oldOf: Int32Array } {
  const kept = b.magnitude;
  const n = b.count;
  let m = 0;
  for (let k = 0; k < n; k++) if (k === 0 || kept[k] !== 0) m++;
  const newIndex = scratch('newIndex', Int32Array, n);
  const oldOf = new Int32Array(m);
  const parent = new Int32Array(m);
  const depth = new Int32Array(m);
  const firstChild = new Int32Array(m);
  const childCount = new Int32Array(m);
  const func = new Int32Array(m);
  const line = new Int32Array(m);
  const inlined = new Uint8Array(m);
  const total = new Float64Array(m);
  const self = new Float64Array(m);
  const magnitude = withMagnitude ? new Float64Array(m) : undefined;
  parent[0] = -1;
  let maxDepth = 0;
  let next = 0;
  for (let old = 0; old < n; old++) {
    if (old !== 0 && kept[old] === 0) continue;
    newIndex[old] = next;
    oldOf[next] = old;
    func[next] = b.func[old];
    inlined[next] = b.inlined[old];
    total[next] = b.total[old];
    self[next] = b.self[old];
    if (magnitude) magnitude[next] = kept[old];
    if (next > 0) {
      line[next] = b.line[old];
      const p = newIndex[b.parent[old]];
      parent[next] = p;
      depth[next] = depth[p] + 1;
      childCount[p]++;
      if (depth[next] > maxDepth) maxDepth = depth[next];
    }
    next++;
  }
  let first = 1;
  for (let k = 0; k < m; k++) {
    firstChild[k] = first;
    first += childCount[k];
  }
  const tree: CallTree = { nodeCount: m, parent, func, depth, line, inlined, total, self, firstChild, childCount, maxDepth };
  if (magnitude) tree.magnitude = magnitude;
  return { tree, oldOf };
}

function layOutTree(b: TreeColumns, nameRank: Int32Array, withMagnitude: boolean, shape?: TreeShape): CallTree {
  const { count: n, oldOf, parent, depth, firstChild, childCount, maxDepth } = shape ?? shapeTree(b.count, b.parent, b.func, nameRank);
  const func = new Int32Array(n);
  const line = new Int32Array(n);
  const inlined = new Uint8Array(n);
  const total = new Float64Array(n);
  const self = new Float64Array(n);
  for (let k = 0; k < n; k++) func[k] = b.func[oldOf[k]];
  for (let k = 1; k < n; k++) line[k] = b.line[oldOf[k]];
  for (let k = 0; k < n; k++) inlined[k] = b.inlined[oldOf[k]];
  for (let k = 0; k < n; k++) total[k] = b.total[oldOf[k]];
  for (let k = 0; k < n; k++) self[k] = b.self[oldOf[k]];
  let magnitude: Float64Array | undefined;
  if (withMagnitude && b.magnitude) {
    magnitude = new Float64Array(n);
    for (let k = 0; k < n; k++) magnitude[k] = b.magnitude[oldOf[k]];
  }
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
  if (magnitude) tree.magnitude = magnitude;
  return tree;
}

/** For TreeFolder.mergeLines: counts, per new node, the old nodes whose lines it chooses from. */
function countLineMembers(n: number, into: Int32Array, entry: Uint8Array, entries: Int32Array, linesDiffer: Uint8Array, counts: Int32Array): void {
  for (let k = 1; k < n; k++) {
    if (entry[k] === 0) continue;
    const node = into[k];
    if (entries[node] > 1 && linesDiffer[node] === 1) counts[node + 1]++;
  }
}

/** For TreeFolder.mergeLines: the old nodes counted by countLineMembers, at their group's next place. */
function addLineMembers(
  n: number,
  into: Int32Array,
  entry: Uint8Array,
  entries: Int32Array,
  linesDiffer: Uint8Array,
  fill: Int32Array,
  fold: number,
  memberFold: Int32Array,
  memberNode: Int32Array,
): void {
  for (let k = 1; k < n; k++) {
    if (entry[k] === 0) continue;
    const node = into[k];
    if (entries[node] <= 1 || linesDiffer[node] === 0) continue;
    const g = fill[node]++;
    memberFold[g] = fold;
    memberNode[g] = k;
  }
}

/** Per built node of a tree's skeleton, where its slots start (slots are sorted by built node); one per skeleton. */
const slotRanges = new WeakMap<Int32Array, Int32Array>();

function slotRangesOf(detail: TreeDetail): Int32Array {
  const { slotNode } = detail;
  let ranges = slotRanges.get(slotNode);
  if (!ranges) {
    const builtCount = detail.manyLines.length;
    ranges = new Int32Array(builtCount + 1);
    for (let i = 0; i < slotNode.length; i++) ranges[slotNode[i] + 1]++;
    for (let b = 0; b < builtCount; b++) ranges[b + 1] += ranges[b];
    slotRanges.set(slotNode, ranges);
  }
  return ranges;
}

/** The target TreeFolder.fold takes for a function folded away (its nodes' values go to their parents' nodes). */
const FOLDED_AWAY = -2;

/**
 * The aggregate `base` becomes when `plan` hides frames (pprof's -hide and
 * -show), folded from base's call tree instead of the samples: a hidden
 * frame's node hands its self value to its parent and its children to the
 * parent's node, where they merge with their namesakes. `base` must be of
 * the same profile, sample type, focus and ignore; `plan` must have no
 * show_from or tag filters, which change which samples count in ways a
 * call tree no longer knows. Undefined when hiding is not a matter of whole
 * nodes: when a node's frames are not all hidden alike, or when a
 * location's outermost line goes while another stays (that line's frame
 * would stop being inlined).
 */
export function refoldTree(profile: Profile, base: TreeDetail, plan: FilterPlan, withMagnitude: boolean): Aggregate | undefined {
  const old = base.aggregate;
  const hiding = hidingTargets(profile, plan, old.granularity ?? 'functions');
  if (!hiding) return undefined;
  const folder = new TreeFolder(base.tree.nodeCount, base.collapse);
  if (!folder.fold(base, hiding.target, 1)) return undefined;
  // Every sample left has a frame, so the root holds nothing of its own.
  folder.clearRootSelf();
  return folder.finish(hiding.functions, old, withMagnitude);
}

/**
 * Where `plan`'s hide and show send each function node of `profile`: to a
 * node of the hidden view's functions, FOLDED_AWAY when hidden, -1 when no
 * frame has it. Undefined when the plan does more than hide (show_from, tag
 * filters) or when hiding is not a matter of whole nodes (see refoldTree).
 */
export function hidingTargets(profile: Profile, plan: FilterPlan, granularity: Granularity): { target: Int32Array; functions: FunctionInfo[] } | undefined {
  const kept = plan.keptLines;
  if (!kept || plan.showFrom || plan.tagFocus || plan.tagIgnore) return undefined;
  const locs = profile.locations;
  const before = functionNodes(profile, granularity);
  const after = functionNodes({ ...profile, locations: plan.locations }, granularity);
  const target = new Int32Array(before.functions.length).fill(-1);
  let whole = true;
  const assign = (node: number, to: number) => {
    if (target[node] === -1) target[node] = to;
    else if (target[node] !== to) whole = false;
  };
  for (let l = 0; l < locs.count && whole; l++) {
    const ls = locs.lineStart[l];
    const le = locs.lineEnd[l];
    if (ls === le) {
      assign(before.locationNode[l], plan.hidden !== undefined && plan.hidden[l] === 1 ? FOLDED_AWAY : after.locationNode[l]);
      continue;
    }
    let k = plan.locations.lineStart[l];
    for (let j = ls; j < le; j++) assign(before.lineNode[j], kept[j] ? after.lineNode[k++] : FOLDED_AWAY);
    if (!kept[le - 1] && k > plan.locations.lineStart[l]) whole = false;
  }
  return whole ? { target, functions: after.functions } : undefined;
}

/**
 * A call tree made of the nodes of built ones (see TreeDetail): each old
 * node goes to the new node of its function under its parent's new node,
 * or, when its function is FOLDED_AWAY, into its parent's new node.
 * Values add up (times a sign per tree); lines and inlining are merged as a
 * tree built from all the trees' samples would have them. One at a time:
 * its columns are scratch arrays.
 */
export class TreeFolder {
  private count = 1;
  private parent: Int32Array;
  private func: Int32Array;
  private total: Float64Array;
  private self: Float64Array;
  private magnitude: Float64Array;
  private inlined: Uint8Array;
  private line: Int32Array;
  private entries: Int32Array;
  /** Nodes whose old nodes had more than one line between them: their line is chosen by mergeLines. */
  private linesDiffer: Uint8Array;
  /** Nodes that an old node was folded into: their children may meet namesakes. */
  private absorbed: Uint8Array;
  private readonly children: ChildLists;
  /** The roots' magnitudes: with samples without frames, more than their children's. */
  private rootMagnitude = 0;
  private rootFromChildren = false;
  private readonly folds: { detail: TreeDetail; into: Int32Array; entry: Uint8Array; sign: number }[] = [];

  constructor(
    capacity: number,
    private readonly collapse: boolean,
  ) {
    this.parent = scratch('folder.parent', Int32Array, capacity, -1);
    this.func = scratch('folder.func', Int32Array, capacity, -1);
    this.total = scratch('folder.total', Float64Array, capacity);
    this.self = scratch('folder.self', Float64Array, capacity);
    this.magnitude = scratch('folder.magnitude', Float64Array, capacity);
    this.inlined = scratch('folder.inlined', Uint8Array, capacity);
    this.line = scratch('folder.line', Int32Array, capacity);
    this.entries = scratch('folder.entries', Int32Array, capacity);
    this.linesDiffer = scratch('folder.linesDiffer', Uint8Array, capacity);
    this.absorbed = scratch('folder.absorbed', Uint8Array, capacity);
    this.children = new ChildLists(capacity, 'folder.children');
  }

  /**
   * Adds the nodes of `detail`'s tree, old function f going to new function
   * target[f]; false when a node's function has no target (-1).
   */
  fold(detail: TreeDetail, target: Int32Array, sign: number): boolean {
    const tree = detail.tree;
    const n = tree.nodeCount;
    const into = scratch(`folder.into${this.folds.length}`, Int32Array, n);
    const entry = scratch(`folder.entry${this.folds.length}`, Uint8Array, n);
    this.folds.push({ detail, into, entry, sign });
    this.entries[0]++;
    this.self[0] += sign * tree.self[0];
    this.rootMagnitude += detail.magnitude[detail.nodeOf[0]];
    // Columns in locals (the loop is hot); they change only when grow() replaces them.
    const { parent: oldParent, func: oldFunc, total: oldTotal, self: oldSelf, line: oldLine, inlined: oldInlined } = tree;
    const { nodeOf, manyLines, magnitude: oldMagnitude } = detail;
    const { collapse, children } = this;
    let { parent, func, total, self, magnitude, inlined, line, entries, linesDiffer, absorbed } = this;
    for (let k = 1; k < n; k++) {
      const p = into[oldParent[k]];
      const to = target[oldFunc[k]];
      if (to === -1) return false;
      if (to === FOLDED_AWAY || (collapse && func[p] === to)) {
        into[k] = p;
        absorbed[p] = 1;
        self[p] += sign * oldSelf[k];
        continue;
      }
      // The children of one old node have distinct functions already.
      let node = absorbed[p] || entries[p] > 1 ? children.find(p, to, func) : -1;
      if (node < 0) {
        if (this.count === parent.length) {
          this.grow();
          ({ parent, func, total, self, magnitude, inlined, line, entries, linesDiffer, absorbed } = this);
        }
        node = this.count++;
        parent[node] = p;
        func[node] = to;
        inlined[node] = 1;
        line[node] = oldLine[k];
        children.add(p, to, node, func);
      }
      into[k] = node;
      entry[k] = 1;
      const built = nodeOf[k];
      if (manyLines[built] || (entries[node] > 0 && line[node] !== oldLine[k])) linesDiffer[node] = 1;
      entries[node]++;
      total[node] += sign * oldTotal[k];
      self[node] += sign * oldSelf[k];
      magnitude[node] += oldMagnitude[built];
      inlined[node] &= oldInlined[k];
    }
    return true;
  }

  /** For trees whose samples all keep a frame: the root has no value of its own. */
  clearRootSelf(): void {
    this.self[0] = 0;
    this.rootFromChildren = true;
  }

  /** The aggregate of the folded nodes, named by `functions`. */
  finish(functions: FunctionInfo[], like: Aggregate, withMagnitude: boolean): Aggregate {
    const count = this.count;
    const { parent, func, total, self, magnitude, inlined, line } = this;
    total[0] = self[0];
    magnitude[0] = this.rootFromChildren ? 0 : this.rootMagnitude;
    inlined[0] = 0;
    line[0] = 0;
    for (let node = 1; node < count; node++) {
      if (parent[node] !== 0) continue;
      total[0] += total[node];
      if (this.rootFromChildren) magnitude[0] += magnitude[node];
    }
    this.mergeLines();
    const nameRank = rankByName(functions);
    const columns: TreeColumns = {
      count,
      parent: parent.subarray(0, count),
      func: func.subarray(0, count),
      line: line.subarray(0, count),
      inlined: inlined.subarray(0, count),
      total: total.subarray(0, count),
      self: self.subarray(0, count),
      magnitude: magnitude.subarray(0, count),
    };
    const shape = shapeTree(count, columns.parent, columns.func, nameRank);
    const folded = layOutTree(columns, nameRank, withMagnitude, shape);
    const repeats = repeatedFunctions(shape, folded.func, functions.length);
    const flat = new Float64Array(functions.length);
    const cum = new Float64Array(functions.length);
    for (let k = 1; k < folded.nodeCount; k++) {
      const f = folded.func[k];
      flat[f] += folded.self[k];
      if (repeats[k] === 0) cum[f] += folded.total[k];
    }
    return {
      sampleType: like.sampleType,
      sampleIndex: like.sampleIndex,
      total: magnitude[0],
      functions,
      tree: folded,
      rows: topRows(flat, cum, nameRank),
      granularity: like.granularity ?? 'functions',
    };
  }

  /**
   * The heaviest line of each node that several old nodes went into, from
   * the values of their lines (the smaller line on ties, as treeAggregate).
   */
  private mergeLines(): void {
    const { entries, linesDiffer, count, folds } = this;
    // The old nodes (fold, laid-out node) of each node whose line is chosen here, grouped by node (a counting sort).
    const groupStart = scratch('merge.groupStart', Int32Array, count + 1);
    for (const { detail, into, entry } of folds) countLineMembers(detail.tree.nodeCount, into, entry, entries, linesDiffer, groupStart);
    for (let node = 0; node < count; node++) groupStart[node + 1] += groupStart[node];
    const fill = scratch('merge.fill', Int32Array, count);
    fill.set(groupStart.subarray(0, count));
    const memberFold = scratch('merge.fold', Int32Array, groupStart[count]);
    const memberNode = scratch('merge.node', Int32Array, groupStart[count]);
    folds.forEach(({ detail, into, entry }, f) => addLineMembers(detail.tree.nodeCount, into, entry, entries, linesDiffer, fill, f, memberFold, memberNode));
    const tally = new LineTally();
    const ranges = folds.map((f) => slotRangesOf(f.detail));
    for (let node = 1; node < count; node++) {
      const from = groupStart[node];
      const to = groupStart[node + 1];
      if (to === from) continue;
      tally.clear();
      for (let g = from; g < to; g++) {
        const f = memberFold[g];
        tally.add(folds[f].detail, ranges[f], memberNode[g], folds[f].sign);
      }
      if (tally.size > 0) this.line[node] = tally.heaviest();
    }
  }

  private grow(): void {
    const size = this.parent.length * 2;
    this.parent = grownArray(this.parent, size, -1);
    this.func = grownArray(this.func, size, -1);
    this.total = grownArray(this.total, size);
    this.self = grownArray(this.self, size);
    this.magnitude = grownArray(this.magnitude, size);
    this.inlined = grownArray(this.inlined, size);
    this.line = grownArray(this.line, size);
    this.entries = grownArray(this.entries, size);
    this.linesDiffer = grownArray(this.linesDiffer, size);
    this.absorbed = grownArray(this.absorbed, size);
  }
}

/** A copy of `array` `size` long, the new part filled with `fill`. */
function grownArray<T extends ScratchArray>(array: T, size: number, fill = 0): T {
  const bigger = new (array.constructor as { new (length: number): T })(size);
  if (fill !== 0) bigger.fill(fill);
  bigger.set(array);
  return bigger;
}

/**
 * The values of the lines of the old nodes that went into one new node, to
 * choose its line as treeAggregate would from all their samples: the
 * heaviest by |value|, the smaller line on ties.
 */
class LineTally {
  private lines = new Int32Array(64);
  private values = new Float64Array(64);
  size = 0;

  clear(): void {
    this.size = 0;
  }

  /** Adds the lines of laid-out node k of `detail` (`ranges`: slotRangesOf(detail)), times `sign`. */
  add(detail: TreeDetail, ranges: Int32Array, k: number, sign: number): void {
    const built = detail.nodeOf[k];
    const first = ranges[built];
    const last = ranges[built + 1];
    if (this.size + last - first > this.lines.length) {
      const size = Math.max(2 * this.lines.length, this.size + last - first);
      this.lines = grownArray(this.lines, size);
      this.values = grownArray(this.values, size);
    }
    const { lines, values } = this;
    const slotLine = detail.slotLine;
    let pairs = this.size;
    // A node seen at one line only kept no per-line values: all of its value is that line's.
    if (detail.manyLines[built] === 1) {
      const seen = detail.slotSeen;
      const value = detail.slotValue;
      for (let i = first; i < last; i++) {
        if (!seen[i]) continue;
        lines[pairs] = slotLine[i];
        values[pairs] = sign * value[i];
        pairs++;
      }
    } else {
      const total = detail.tree.total[k];
      for (let i = first; i < last; i++) {
        lines[pairs] = slotLine[i];
        values[pairs] = sign * total;
        pairs++;
      }
    }
    this.size = pairs;
  }

  heaviest(): number {
    const { lines, values, size } = this;
    // Sum each line's values into its first occurrence (groups are short).
    let bestLine = 0;
    let bestValue = -1;
    for (let g = 0; g < size; g++) {
      if (Number.isNaN(values[g])) continue;
      let sum = values[g];
      for (let h = g + 1; h < size; h++) {
        if (lines[h] === lines[g] && !Number.isNaN(values[h])) {
          sum += values[h];
          values[h] = NaN;
        }
      }
      const v = Math.abs(sum);
      if (v > bestValue || (v === bestValue && lines[g] < bestLine)) {
        bestValue = v;
        bestLine = lines[g];
      }
    }
    return bestLine;
  }
}

/** One tree of zipTrees: its nodes, their functions' new functions, and the sign of its values. */
export interface ZipPart {
  detail: TreeDetail;
  target: Int32Array;
  sign: number;
}

/**
 * What TreeFolder makes of two trees, when it is a merge of sorted lists:
 * both trees are laid out (breadth-first, children sorted by name), and when
 * the targets keep every node's children in name order and distinct, a new
 * node's children are its old nodes' children merged, and numbering the new
 * nodes as they are made lays them out. One pass over each tree, with no
 * lookups and no sorting. Undefined when a target breaks that (no target,
 * children out of order or merged, or recursion that only folds once
 * mapped): fold the trees instead.
 */
export function zipTrees(one: ZipPart, two: ZipPart, functions: FunctionInfo[], like: Aggregate, withMagnitude: boolean): Aggregate | undefined {
  const a = one.detail.tree;
  const b = two.detail.tree;
  const collapse = one.detail.collapse;
  const nameRank = rankByName(functions);
  const capacity = a.nodeCount + b.nodeCount;
  const fromA = scratch('zip.fromA', Int32Array, capacity, -1);
  const fromB = scratch('zip.fromB', Int32Array, capacity, -1);
  const parent = scratch('zip.parent', Int32Array, capacity);
  const func = scratch('zip.func', Int32Array, capacity);
  const depth = scratch('zip.depth', Int32Array, capacity);
  const firstChild = scratch('zip.firstChild', Int32Array, capacity);
  const childCount = scratch('zip.childCount', Int32Array, capacity);
  const { target: aTarget } = one;
  const { target: bTarget } = two;
  const { func: aFunc, parent: aParent } = a;
  const { func: bFunc, parent: bParent } = b;
  const aCount = a.nodeCount;
  const bCount = b.nodeCount;
  const noRank = 0x7fffffff;
  fromA[0] = 0;
  fromB[0] = 0;
  parent[0] = -1;
  func[0] = -1;
  let count = 1;
  let maxDepth = 0;
  // New nodes are made in layout order, so their old nodes come in each
  // tree's layout order too: each old node's children are the next ones.
  let i = 1;
  let j = 1;
  for (let u = 0; u < count; u++) {
    const x = fromA[u];
    const y = fromB[u];
    firstChild[u] = count;
    const d = depth[u] + 1;
    let lastRank = -1;
    for (;;) {
      const inA = x >= 0 && i < aCount && aParent[i] === x;
      const inB = y >= 0 && j < bCount && bParent[j] === y;
      if (!inA && !inB) break;
      const fi = inA ? aTarget[aFunc[i]] : 0;
      const fj = inB ? bTarget[bFunc[j]] : 0;
      if (fi < 0 || fj < 0) return undefined;
      const ri = inA ? nameRank[fi] : noRank;
      const rj = inB ? nameRank[fj] : noRank;
      const v = count++;
      let rank: number;
      if (ri <= rj) {
        rank = ri;
        func[v] = fi;
        fromA[v] = i++;
        if (rj === ri) fromB[v] = j++;
      } else {
        rank = rj;
        func[v] = fj;
        fromB[v] = j++;
      }
      // Each list in order and the merged one strictly so: no two children of one function.
      if (rank <= lastRank || (collapse && func[v] === func[u])) return undefined;
      lastRank = rank;
      parent[v] = u;
      depth[v] = d;
    }
    childCount[u] = count - firstChild[u];
    if (childCount[u] > 0 && d > maxDepth) maxDepth = d;
  }

  // Values, lines and inlining from the old nodes, as TreeFolder.fold and mergeLines give them.
  const tree: CallTree = {
    nodeCount: count,
    parent: parent.slice(0, count),
    func: func.slice(0, count),
    depth: depth.slice(0, count),
    line: new Int32Array(count),
    inlined: new Uint8Array(count),
    total: new Float64Array(count),
    self: new Float64Array(count),
    firstChild: firstChild.slice(0, count),
    childCount: childCount.slice(0, count),
    maxDepth,
  };
  const magnitude = scratch('zip.magnitude', Float64Array, count);
  const { line, inlined, total, self } = tree;
  const flat = new Float64Array(functions.length);
  const cum = new Float64Array(functions.length);
  const tally = new LineTally();
  const aRanges = slotRangesOf(one.detail);
  const bRanges = slotRangesOf(two.detail);
  const { nodeOf: aNodeOf, manyLines: aMany, magnitude: aMagnitude, repeats: aRepeats } = one.detail;
  const { nodeOf: bNodeOf, manyLines: bMany, magnitude: bMagnitude, repeats: bRepeats } = two.detail;
  const { total: aTotal, self: aSelf, line: aLine, inlined: aInlined } = a;
  const { total: bTotal, self: bSelf, line: bLine, inlined: bInlined } = b;
  const aSign = one.sign;
  const bSign = two.sign;
  // Sums start from +0, as in TreeFolder: a base-only 0 is then 0, not -0.
  for (let v = 1; v < count; v++) {
    const x = fromA[v];
    const y = fromB[v];
    const builtA = x >= 0 ? aNodeOf[x] : -1;
    const builtB = y >= 0 ? bNodeOf[y] : -1;
    if (x >= 0) {
      total[v] += aSign * aTotal[x];
      self[v] += aSign * aSelf[x];
      magnitude[v] += aMagnitude[builtA];
    }
    if (y >= 0) {
      total[v] += bSign * bTotal[y];
      self[v] += bSign * bSelf[y];
      magnitude[v] += bMagnitude[builtB];
    }
    if (y < 0) {
      line[v] = aLine[x];
      inlined[v] = aInlined[x];
    } else if (x < 0) {
      line[v] = bLine[y];
      inlined[v] = bInlined[y];
    } else {
      inlined[v] = aInlined[x] & bInlined[y];
      if (aMany[builtA] === 0 && bMany[builtB] === 0 && aLine[x] === bLine[y]) {
        line[v] = aLine[x];
      } else {
        tally.clear();
        tally.add(one.detail, aRanges, x, aSign);
        tally.add(two.detail, bRanges, y, bSign);
        line[v] = tally.size > 0 ? tally.heaviest() : aLine[x];
      }
    }
    // Flat: the leaf's node; cum: each node whose function is not already on its path (as it was in its old tree).
    const f = func[v];
    flat[f] += self[v];
    if ((x >= 0 ? aRepeats[builtA] : bRepeats[builtB]) === 0) cum[f] += total[v];
  }
  self[0] += aSign * aSelf[0];
  self[0] += bSign * bSelf[0];
  total[0] = self[0];
  for (let v = firstChild[0]; v < firstChild[0] + childCount[0]; v++) total[0] += total[v];
  magnitude[0] = aMagnitude[aNodeOf[0]] + bMagnitude[bNodeOf[0]];
  if (withMagnitude) tree.magnitude = magnitude.slice(0, count);
  return {
    sampleType: like.sampleType,
    sampleIndex: like.sampleIndex,
    total: magnitude[0],
    functions,
    tree,
    rows: topRows(flat, cum, nameRank),
    granularity: like.granularity ?? 'functions',
  };
}
