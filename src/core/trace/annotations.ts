// User tasks and regions (runtime/trace.NewTask, StartRegion, WithRegion)
// summed per name, as `go tool trace`'s "User-defined tasks" and "User-defined
// regions" pages list them: how many, and how long those with both ends in the
// trace took; the ones cut by the trace's start or end are counted apart.

import type { TraceModel } from './model';

export interface AnnotationRow {
  kind: 'task' | 'region';
  /** The name passed to NewTask or StartRegion ('' when the trace lost it). */
  name: string;
  /** Tasks or regions with both ends in the trace. */
  count: number;
  totalNs: number;
  meanNs: number;
  maxNs: number;
  /** Begun before the trace or still open at its end. */
  incomplete: number;
}

function summarize(kind: AnnotationRow['kind'], model: TraceModel, names: Int32Array, start: Float64Array, end: Float64Array): AnnotationRow[] {
  const rows = new Map<string, AnnotationRow>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i] < 0 ? '' : model.strings[names[i]];
    let row = rows.get(name);
    if (!row) rows.set(name, (row = { kind, name, count: 0, totalNs: 0, meanNs: 0, maxNs: 0, incomplete: 0 }));
    if (Number.isNaN(start[i]) || Number.isNaN(end[i])) {
      row.incomplete++;
      continue;
    }
    const ns = end[i] - start[i];
    row.count++;
    row.totalNs += ns;
    if (ns > row.maxNs) row.maxNs = ns;
  }
  for (const row of rows.values()) row.meanNs = row.count > 0 ? row.totalNs / row.count : 0;
  return [...rows.values()].sort((a, b) => b.totalNs - a.totalNs || a.name.localeCompare(b.name));
}

/** Tasks then regions, each by total time, longest first. */
export function annotationSummary(model: TraceModel): AnnotationRow[] {
  const { tasks, regions } = model;
  return [...summarize('task', model, tasks.name, tasks.start, tasks.end), ...summarize('region', model, regions.name, regions.start, regions.end)];
}
