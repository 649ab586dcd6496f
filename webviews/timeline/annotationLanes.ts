// User tasks and regions as lanes: they overlap (a task's children, regions
// on many goroutines at once), so each kind is packed into levels in which
// nothing overlaps; a level is then start- and end-sorted like a P lane and
// drawn with the same level-of-detail walk. Ends missing from the trace are
// drawn at its edges.

import type { TraceModel } from '../../src/core/trace/model';

export interface AnnotationLevel {
  start: Float64Array;
  end: Float64Array;
  /** Task or region index of each span. */
  items: Int32Array;
}

export interface AnnotationLanes {
  tasks: AnnotationLevel[];
  regions: AnnotationLevel[];
  /** The level of each task and region. */
  taskLevel: Int32Array;
  regionLevel: Int32Array;
}

/** Greedy first-fit by start time: a span takes the first level whose last span ended by its start. */
function pack(startCol: Float64Array, endCol: Float64Array, duration: number): AnnotationLevel[] {
  const n = startCol.length;
  const start = (i: number) => (Number.isNaN(startCol[i]) ? 0 : startCol[i]);
  const end = (i: number) => (Number.isNaN(endCol[i]) ? duration : endCol[i]);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => start(a) - start(b) || end(b) - end(a));
  const levelEnds: number[] = [];
  const levels: number[][] = [];
  for (const i of order) {
    let level = levelEnds.findIndex((e) => e <= start(i));
    if (level < 0) {
      level = levels.length;
      levels.push([]);
      levelEnds.push(0);
    }
    levels[level].push(i);
    levelEnds[level] = end(i);
  }
  return levels.map((items) => ({
    start: Float64Array.from(items, start),
    end: Float64Array.from(items, end),
    items: Int32Array.from(items),
  }));
}

function levelOf(levels: AnnotationLevel[], count: number): Int32Array {
  const out = new Int32Array(count);
  levels.forEach((level, l) => {
    for (const i of level.items) out[i] = l;
  });
  return out;
}

export function annotationLanes(model: TraceModel): AnnotationLanes {
  const tasks = pack(model.tasks.start, model.tasks.end, model.durationNs);
  const regions = pack(model.regions.start, model.regions.end, model.durationNs);
  return { tasks, regions, taskLevel: levelOf(tasks, model.tasks.start.length), regionLevel: levelOf(regions, model.regions.start.length) };
}

/** Where a task or region is drawn: from its start (or the trace's) to its end (or the trace's). */
export function annotationExtent(model: TraceModel, kind: 'task' | 'region', i: number): { start: number; end: number } {
  const table = kind === 'task' ? model.tasks : model.regions;
  const start = table.start[i];
  const end = table.end[i];
  return { start: Number.isNaN(start) ? 0 : start, end: Number.isNaN(end) ? model.durationNs : end };
}
