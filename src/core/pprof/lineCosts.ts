// What each source line costs, per file, for annotating source in the editor.
// A line's flat/cum are pprof's at -granularity=lines (what `go tool pprof
// -list` prints): one node per function, file and line; flat from samples
// whose leaf frame is that node, cum counting the node once per sample.
// Inlined frames are separate Line entries of a location, so lines of inlined
// functions get their own costs. When two functions share a line (closures,
// copies of an inlined body), the line shows the sum, as -list does within a
// function.

import type { Profile } from './decode';
import type { ValueType } from './model';
import { aggregate, functionNodes } from './aggregate';

/** One function's frame at a line. */
export interface LineFrame {
  function: string;
  flat: number;
  cum: number;
  /** Some of this frame's value comes from code inlined into a caller. */
  inlined: boolean;
}

/** A function called from a line, with the value spent below that call. */
export interface LineCallee {
  function: string;
  value: number;
}

export interface LineCost {
  line: number;
  flat: number;
  cum: number;
  /** Frames at this line, largest cum first. */
  frames: LineFrame[];
  /** Calls made from this line, largest first. */
  callees: LineCallee[];
}

export interface FunctionCost {
  name: string;
  startLine: number;
  flat: number;
  cum: number;
}

export interface FileCosts {
  /** The file name as the profile records it. */
  file: string;
  /** Lines with a non-zero flat or cum, ascending. */
  lines: LineCost[];
  /** Functions defined in the file with a non-zero cum, by start line. */
  functions: FunctionCost[];
}

export interface LineCostReport {
  sampleType: ValueType;
  /** pprof's total for the sample type: the 100% of percentages. */
  total: number;
  /** Files by descending largest line cum. */
  files: FileCosts[];
}

interface LineNodeInfo {
  function: string;
  file: string;
  line: number;
}

export function lineCosts(profile: Profile, sampleIndex: number = profile.defaultSampleIndex): LineCostReport {
  const byLine = aggregate(profile, sampleIndex, { granularity: 'lines' });
  const { strings, functions: fns, locations: locs } = profile;

  // aggregate() keeps a node's file and line only in its printed name, so
  // recover them from the location lines that map to each node.
  const { lineNode } = functionNodes(profile, 'lines');
  const info: (LineNodeInfo | undefined)[] = new Array(byLine.functions.length);
  for (let j = 0; j < lineNode.length; j++) {
    const node = lineNode[j];
    if (info[node] !== undefined) continue;
    const f = locs.lineFunction[j];
    info[node] = { function: strings[fns.name[f]], file: strings[fns.fileName[f]], line: locs.lineNumber[j] };
  }

  const { inlined, callees } = treeFacts(byLine.tree, byLine.functions.length);

  const files = new Map<string, Map<number, LineCost>>();
  for (const row of byLine.rows) {
    const node = info[row.func];
    if (!node || node.file === '' || node.line <= 0) continue;
    let lines = files.get(node.file);
    if (!lines) files.set(node.file, (lines = new Map()));
    let cost = lines.get(node.line);
    if (!cost) lines.set(node.line, (cost = { line: node.line, flat: 0, cum: 0, frames: [], callees: [] }));
    cost.flat += row.flat;
    cost.cum += row.cum;
    cost.frames.push({ function: node.function, flat: row.flat, cum: row.cum, inlined: inlined[row.func] === 1 });
    const calls = callees.get(row.func);
    if (calls) {
      for (const [callee, value] of calls) {
        const name = info[callee]?.function ?? byLine.functions[callee].name;
        const existing = cost.callees.find((c) => c.function === name);
        if (existing) existing.value += value;
        else cost.callees.push({ function: name, value });
      }
    }
  }

  const byFunction = aggregate(profile, sampleIndex, { callTree: false });
  const functionsByFile = new Map<string, FunctionCost[]>();
  for (const row of byFunction.rows) {
    const fn = byFunction.functions[row.func];
    if (fn.file === '' || row.cum === 0) continue;
    let list = functionsByFile.get(fn.file);
    if (!list) functionsByFile.set(fn.file, (list = []));
    list.push({ name: fn.name, startLine: fn.startLine, flat: row.flat, cum: row.cum });
  }

  const out: FileCosts[] = [];
  for (const [file, lines] of files) {
    const sorted = [...lines.values()].sort((a, b) => a.line - b.line);
    for (const cost of sorted) {
      cost.frames.sort((a, b) => Math.abs(b.cum) - Math.abs(a.cum) || (a.function < b.function ? -1 : 1));
      cost.callees.sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || (a.function < b.function ? -1 : 1));
    }
    const functions = (functionsByFile.get(file) ?? []).sort((a, b) => a.startLine - b.startLine);
    out.push({ file, lines: sorted, functions });
  }
  const peak = (f: FileCosts) => Math.max(...f.lines.map((l) => Math.abs(l.cum)));
  out.sort((a, b) => peak(b) - peak(a) || (a.file < b.file ? -1 : 1));
  return { sampleType: byLine.sampleType, total: byLine.total, files: out };
}

/**
 * From the call tree at line granularity: whether each node was ever an
 * inlined frame, and what each node calls. Like pprof's graph edges, a
 * caller→callee pair counts once per sample: where the same pair already
 * sits higher on the path (recursion), its value is not added again; and a
 * node calling itself makes no edge.
 */
function treeFacts(
  tree: ReturnType<typeof aggregate>['tree'],
  nodeCount: number,
): { inlined: Uint8Array; callees: Map<number, Map<number, number>> } {
  const inlined = new Uint8Array(nodeCount);
  const callees = new Map<number, Map<number, number>>();
  const edgesOnPath = new Map<number, number>();
  const edgeKey = (t: number) => tree.func[tree.parent[t]] * nodeCount + tree.func[t];
  // Iterative depth-first walk; a negative entry means "leaving node".
  const stack: number[] = [];
  for (let c = tree.firstChild[0]; c < tree.firstChild[0] + tree.childCount[0]; c++) stack.push(c);
  while (stack.length > 0) {
    const entry = stack.pop()!;
    if (entry < 0) {
      const key = edgeKey(~entry);
      edgesOnPath.set(key, edgesOnPath.get(key)! - 1);
      continue;
    }
    const t = entry;
    if (tree.inlined[t]) inlined[tree.func[t]] = 1;
    if (tree.parent[t] !== 0) {
      const key = edgeKey(t);
      const onPath = edgesOnPath.get(key) ?? 0;
      // pprof draws no edge from a node to itself (a line calling its own function again).
      if (onPath === 0 && tree.func[t] !== tree.func[tree.parent[t]]) {
        const caller = tree.func[tree.parent[t]];
        let calls = callees.get(caller);
        if (!calls) callees.set(caller, (calls = new Map()));
        calls.set(tree.func[t], (calls.get(tree.func[t]) ?? 0) + tree.total[t]);
      }
      edgesOnPath.set(key, onPath + 1);
      stack.push(~t);
    }
    for (let c = tree.firstChild[t] + tree.childCount[t] - 1; c >= tree.firstChild[t]; c--) stack.push(c);
  }
  return { inlined, callees };
}
