// The timeline's rows, top to bottom: GC and STW, heap, goroutine and thread
// counts, one lane per P, user tasks and regions (a row per packing level),
// then goroutines grouped by start function (a group is one header row until
// expanded). Groups are ordered by running time so
// the busiest code comes first.

import { startFunctionName, type TraceModel } from '../../src/core/trace/model';
import type { AnnotationLanes } from './annotationLanes';

export type Row =
  | { kind: 'gc' | 'heap' | 'goroutines' | 'threads'; y: number; height: number; label: string }
  | { kind: 'proc'; y: number; height: number; label: string; proc: number }
  | { kind: 'task' | 'region'; y: number; height: number; label: string; level: number }
  /** The header of the task or region lanes; clicking it folds them. */
  | { kind: 'annotations'; y: number; height: number; label: string; of: 'task' | 'region' }
  | { kind: 'group'; y: number; height: number; label: string; group: number }
  | { kind: 'goroutine'; y: number; height: number; label: string; goroutine: number };

/** A row before it has a place; distributes over the union, which a plain Omit would flatten. */
type Unplaced<R> = R extends Row ? Omit<R, 'y'> : never;

export interface GoroutineGroup {
  name: string;
  goroutines: Int32Array;
  runningNs: number;
  expanded: boolean;
}

export function goroutineGroups(model: TraceModel): GoroutineGroup[] {
  const byName = new Map<string, number[]>();
  for (let g = 0; g < model.goroutines.count; g++) {
    const name = startFunctionName(model, g) || '(unknown start function)';
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(g);
  }
  const groups: GoroutineGroup[] = [];
  for (const [name, list] of byName) {
    let runningNs = 0;
    for (const g of list) runningNs += model.goroutines.runningNs[g];
    groups.push({ name, goroutines: Int32Array.from(list), runningNs, expanded: false });
  }
  groups.sort((a, b) => b.runningNs - a.runningNs || a.name.localeCompare(b.name));
  return groups;
}

export const ROW_HEIGHTS = { gc: 18, heap: 44, goroutines: 32, threads: 26, proc: 20, annotation: 16, group: 20, goroutine: 16 };

export interface Layout {
  rows: Row[];
  height: number;
  /** The lane of each P index. */
  procRows: Row[];
  /** The lane of each goroutine index whose group is expanded. */
  goroutineRows: Map<number, Row>;
}

/** Task and region lanes start folded beyond this many levels (a busy server has thousands at once). */
export const UNFOLDED_LEVELS = 8;

export function layoutRows(
  model: TraceModel,
  groups: GoroutineGroup[],
  annotations: AnnotationLanes,
  unfolded: { task: boolean; region: boolean },
): Layout {
  const rows: Row[] = [];
  let y = 0;
  const add = (row: Unplaced<Row>): void => {
    rows.push({ ...row, y } as Row);
    y += row.height;
  };
  add({ kind: 'gc', height: ROW_HEIGHTS.gc, label: 'GC / STW' });
  add({ kind: 'heap', height: ROW_HEIGHTS.heap, label: 'Heap' });
  add({ kind: 'goroutines', height: ROW_HEIGHTS.goroutines, label: 'Goroutines' });
  add({ kind: 'threads', height: ROW_HEIGHTS.threads, label: 'Threads' });
  const procOrder = [...model.procs.id.keys()].sort((a, b) => model.procs.id[a] - model.procs.id[b]);
  for (const p of procOrder) add({ kind: 'proc', height: ROW_HEIGHTS.proc, label: `Proc ${model.procs.id[p]}`, proc: p });
  for (const [of, title] of [['task', 'Tasks'], ['region', 'Regions']] as const) {
    const levels = of === 'task' ? annotations.tasks.length : annotations.regions.length;
    if (levels === 0) continue;
    const open = unfolded[of];
    add({ kind: 'annotations', height: ROW_HEIGHTS.group, label: `${open ? '▾' : '▸'} ${title} (${levels} ${levels === 1 ? 'lane' : 'lanes'})`, of });
    if (open) for (let level = 0; level < levels; level++) add({ kind: of, height: ROW_HEIGHTS.annotation, label: '', level });
  }
  groups.forEach((group, i) => {
    const count = group.goroutines.length;
    add({
      kind: 'group',
      height: ROW_HEIGHTS.group,
      label: `${group.expanded ? '▾' : '▸'} ${group.name} (${count})`,
      group: i,
    });
    if (!group.expanded) return;
    for (const g of group.goroutines) {
      add({ kind: 'goroutine', height: ROW_HEIGHTS.goroutine, label: `G${model.goroutines.id[g]}`, goroutine: g });
    }
  });
  const procRows: Row[] = [];
  const goroutineRows = new Map<number, Row>();
  for (const row of rows) {
    if (row.kind === 'proc') procRows[row.proc] = row;
    else if (row.kind === 'goroutine') goroutineRows.set(row.goroutine, row);
  }
  return { rows, height: y, procRows, goroutineRows };
}

/** The row at content y (rows ascending by y), or undefined. */
export function rowAt(rows: Row[], y: number): Row | undefined {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].y + rows[mid].height <= y) lo = mid + 1;
    else hi = mid;
  }
  const row = rows[lo];
  return row && row.y <= y ? row : undefined;
}
