// The shapes shared by the decoder, the CLI and the webviews.
// Decoding lives in decode.ts, aggregation in aggregate.ts; this file only
// names what crosses module boundaries, so the webview and the CLI agree.

export interface ValueType {
  type: string;
  unit: string;
}

/** Why a file could not be read as a profile; `message` names the file and the problem. */
export type ProfileErrorCode =
  | 'empty'
  | 'not-a-profile'
  | 'truncated'
  | 'corrupt'
  | 'too-large'
  | 'no-samples';

export class ProfileError extends Error {
  constructor(
    readonly code: ProfileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** One function as the views show it. */
export interface FunctionInfo {
  name: string;
  systemName: string;
  file: string;
  startLine: number;
}

/**
 * A call tree for the flame graph, stored as parallel typed arrays because
 * real profiles reach hundreds of thousands of nodes.
 * Node 0 is the root ("all samples"); its `func` is -1.
 * Children of a node are contiguous in `firstChild .. firstChild + childCount - 1`,
 * sorted by function name, so drawing order is stable.
 */
export interface CallTree {
  nodeCount: number;
  parent: Int32Array;
  func: Int32Array; // index into Aggregate.functions, -1 for the root
  depth: Int32Array;
  /** The source line that contributed the most value to this node (0 when unknown). */
  line: Int32Array;
  /** Whether this frame was inlined into its caller. */
  inlined: Uint8Array;
  total: Float64Array;
  self: Float64Array;
  firstChild: Int32Array;
  childCount: Int32Array;
  maxDepth: number;
  /** Sum of |value| through each node, when asked for (a differential flame graph's widths). */
  magnitude?: Float64Array;
}

export interface TopRow {
  func: number; // index into Aggregate.functions
  flat: number;
  cum: number;
}

/** Everything a view needs for one sample type. */
export interface Aggregate {
  sampleType: ValueType;
  sampleIndex: number;
  /** Sum of this sample type over all samples (pprof's total). */
  total: number;
  functions: FunctionInfo[];
  tree: CallTree;
  /** Every function with non-zero flat or cum, sorted by |flat| desc, then name. */
  rows: TopRow[];
  /** pprof's -granularity the nodes were made at (absent means "functions"). */
  granularity?: 'functions' | 'filefunctions' | 'files' | 'lines' | 'addresses';
}
