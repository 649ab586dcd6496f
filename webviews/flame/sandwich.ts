// Callers and callees of one function (a "sandwich"), derived from the call
// tree: every outermost frame of the function (one with no frame of the same
// function above it) starts a path. The callees tree merges what runs below
// those frames; the callers tree is inverted: the function at the root, its
// direct callers below it, their callers below them. Both roots weigh the
// function's cum, each sample counted once as in `go tool pprof -peek`, and
// their first levels are -peek's caller and callee edges.

import { callTreeFromColumns, type TreeColumns } from '../../src/core/pprof/aggregate';
import type { Aggregate } from '../../src/core/pprof/index';

/** Nodes keyed by (parent, function), growing as paths are added. */
class PathTreeBuilder {
  private readonly parent: number[] = [-1];
  private readonly func: number[];
  private readonly line: number[] = [0];
  private readonly inlined: number[] = [0];
  private readonly total: number[] = [0];
  private readonly self: number[] = [0];
  private readonly magnitude: number[] = [0];
  private readonly children = new Map<number, number>();

  constructor(
    rootFunc: number,
    private readonly funcCount: number,
  ) {
    this.func = [rootFunc];
  }

  child(parent: number, func: number, line: number, inlined: boolean): number {
    const key = parent * this.funcCount + func;
    let node = this.children.get(key);
    if (node === undefined) {
      node = this.parent.length;
      this.parent.push(parent);
      this.func.push(func);
      this.line.push(line);
      this.inlined.push(inlined ? 1 : 0);
      this.total.push(0);
      this.self.push(0);
      this.magnitude.push(0);
      this.children.set(key, node);
    } else if (!inlined) {
      this.inlined[node] = 0;
    }
    return node;
  }

  add(node: number, total: number, self: number, magnitude: number): void {
    this.total[node] += total;
    this.self[node] += self;
    this.magnitude[node] += magnitude;
  }

  columns(withMagnitude: boolean): TreeColumns {
    return {
      count: this.parent.length,
      parent: Int32Array.from(this.parent),
      func: Int32Array.from(this.func),
      line: Int32Array.from(this.line),
      inlined: Uint8Array.from(this.inlined),
      total: Float64Array.from(this.total),
      self: Float64Array.from(this.self),
      magnitude: withMagnitude ? Float64Array.from(this.magnitude) : undefined,
    };
  }
}

export interface Sandwich {
  func: number;
  /** Samples with the function anywhere on the stack, once each (pprof's cum). */
  cum: number;
  /** Samples with the function as the leaf (pprof's flat). */
  flat: number;
  callers: Aggregate;
  callees: Aggregate;
}

export function sandwich(aggregate: Aggregate, func: number): Sandwich {
  const { tree, functions } = aggregate;
  const n = tree.nodeCount;
  const magnitude = tree.magnitude;
  const callees = new PathTreeBuilder(func, functions.length);
  const callers = new PathTreeBuilder(func, functions.length);
  // Nodes are laid out breadth-first, so a parent's entries are set before its children's.
  const calleeNode = new Int32Array(n).fill(-1);
  let flat = 0;
  for (let node = 1; node < n; node++) {
    const f = tree.func[node];
    if (f === func) flat += tree.self[node];
    const above = calleeNode[tree.parent[node]];
    const weight = magnitude ? magnitude[node] : 0;
    if (above >= 0) {
      const below = callees.child(above, f, tree.line[node], tree.inlined[node] === 1);
      callees.add(below, tree.total[node], tree.self[node], weight);
      calleeNode[node] = below;
      continue;
    }
    if (f !== func) continue;
    calleeNode[node] = 0;
    callees.add(0, tree.total[node], tree.self[node], weight);
    let caller = 0;
    callers.add(0, tree.total[node], 0, weight);
    for (let up = tree.parent[node]; up > 0; up = tree.parent[up]) {
      caller = callers.child(caller, tree.func[up], tree.line[up], tree.inlined[up] === 1);
      callers.add(caller, tree.total[node], 0, weight);
    }
    // The outermost caller is where these stacks start: its "self" in the inverted tree.
    callers.add(caller, 0, tree.total[node], 0);
  }
  const withMagnitude = magnitude !== undefined;
  const asAggregate = (builder: PathTreeBuilder): Aggregate => ({
    ...aggregate,
    tree: callTreeFromColumns(builder.columns(withMagnitude), functions),
  });
  const calleesAggregate = asAggregate(callees);
  return {
    func,
    cum: calleesAggregate.tree.total[0],
    flat,
    callers: asAggregate(callers),
    callees: calleesAggregate,
  };
}
