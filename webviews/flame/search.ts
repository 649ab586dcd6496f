// Search over function names. The query is tried as a case-insensitive
// regular expression (what `go tool pprof -focus` users type); text that is
// not a valid expression, such as "(*T", is matched as a plain substring.

import type { Aggregate, CallTree } from '../../src/core/pprof/index';

export type Matcher = (name: string) => boolean;

export function compileQuery(query: string): Matcher | undefined {
  const text = query.trim();
  if (!text) return undefined;
  try {
    const pattern = new RegExp(text, 'i');
    return (name) => pattern.test(name);
  } catch {
    const needle = text.toLowerCase();
    return (name) => name.toLowerCase().includes(needle);
  }
}

/** Escapes a function name so that compileQuery matches exactly that function. */
export function exactFunctionQuery(name: string): string {
  return '^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
}

export interface SearchResult {
  /** Per function index: 1 when its name matches. */
  functionMatched: Uint8Array;
  /** Per tree node: 1 when the node's function matches. */
  nodeMatched: Uint8Array;
  /**
   * Value of the samples whose stacks contain a match, each sample counted
   * once however many matching frames it has (pprof's cum for one function).
   */
  matchedValue: number;
  matchedFunctions: number;
}

export function runSearch(aggregate: Aggregate, matcher: Matcher): SearchResult {
  const { functions, tree } = aggregate;
  const functionMatched = new Uint8Array(functions.length);
  let matchedFunctions = 0;
  for (let f = 0; f < functions.length; f++) {
    if (matcher(functions[f].name)) {
      functionMatched[f] = 1;
      matchedFunctions++;
    }
  }
  const nodeMatched = new Uint8Array(tree.nodeCount);
  for (let n = 0; n < tree.nodeCount; n++) {
    const f = tree.func[n];
    if (f >= 0 && functionMatched[f]) nodeMatched[n] = 1;
  }
  return {
    functionMatched,
    nodeMatched,
    matchedValue: outermostMatchedTotal(tree, nodeMatched),
    matchedFunctions,
  };
}

/**
 * Sums the totals of matched nodes that have no matched ancestor: a sample
 * passes through exactly one such node if its stack matches at all, so
 * nested matches (recursion, a match calling another) are not counted twice.
 */
function outermostMatchedTotal(tree: CallTree, nodeMatched: Uint8Array): number {
  let sum = 0;
  // Pending nodes never outnumber the tree, so this stack cannot overflow.
  const stack = new Int32Array(tree.nodeCount);
  let top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const node = stack[--top];
    if (nodeMatched[node]) {
      sum += tree.total[node];
      continue;
    }
    const first = tree.firstChild[node];
    const end = first + tree.childCount[node];
    for (let child = first; child < end; child++) stack[top++] = child;
  }
  return sum;
}
