// Draws the timeline on one canvas. Level of detail keeps a frame's cost
// bound by the plot's width rather than the trace's size: a span narrower
// than a pixel is drawn as that pixel's column, and the walk jumps (binary
// search on the end times) to the first span reaching past the column, so a
// lane of a million spans costs at most a few thousand rectangles.

import {
  EdgeKind,
  GoroutineState,
  intervalEnd,
  intervalGoroutine,
  upperBoundIn,
  type Series,
  type TraceModel,
} from '../../src/core/trace/model';
import { fnv1a } from '../flame/palette';
import { annotationExtent, type AnnotationLanes } from './annotationLanes';
import type { Flow, FlowEnd } from './flows';
import type { GoroutineGroup, Row } from './rows';
import { formatNs, formatTick, tickStep, upperBound, type Viewport } from './viewport';

export const LABEL_WIDTH = 180;
export const AXIS_HEIGHT = 22;

export interface Theme {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  selection: string;
  gc: string;
  stw: string;
  heap: string;
  goal: string;
  running: string;
  runnable: string;
  waiting: string;
  syscall: string;
  /** Flow arrows: unblocks and goroutine creations. */
  flowUnblock: string;
  flowCreate: string;
  font: string;
  dark: boolean;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

function isDark(colour: string): boolean {
  const hex = /^#([0-9a-f]{6})/i.exec(colour);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return 0.2126 * (n >> 16) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255) < 128;
  }
  const rgb = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(colour);
  return rgb ? 0.2126 * +rgb[1] + 0.7152 * +rgb[2] + 0.0722 * +rgb[3] < 128 : false;
}

/** The colours of the active VS Code theme, through the stylesheet's --tl-* variables. */
export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const background = cssVar(style, '--tl-background', '#1f1f1f');
  return {
    background,
    foreground: cssVar(style, '--tl-foreground', '#cccccc'),
    muted: cssVar(style, '--tl-muted', '#9d9d9d'),
    grid: cssVar(style, '--tl-grid', 'rgba(128,128,128,0.25)'),
    selection: cssVar(style, '--tl-selection', '#0078d4'),
    gc: cssVar(style, '--tl-gc', '#b180d7'),
    stw: cssVar(style, '--tl-stw', '#f14c4c'),
    heap: cssVar(style, '--tl-heap', '#3794ff'),
    goal: cssVar(style, '--tl-goal', '#d18616'),
    running: cssVar(style, '--tl-running', '#89d185'),
    runnable: cssVar(style, '--tl-runnable', '#cca700'),
    waiting: cssVar(style, '--tl-waiting', 'rgba(128,128,128,0.35)'),
    syscall: cssVar(style, '--tl-syscall', '#d18616'),
    flowUnblock: cssVar(style, '--tl-flow-unblock', '#4daafc'),
    flowCreate: cssVar(style, '--tl-flow-create', '#b180d7'),
    font: `${cssVar(style, '--tl-font-size', '12px')} ${cssVar(style, '--tl-font-family', 'sans-serif')}`,
    dark: isDark(background),
  };
}

/** One colour per goroutine, from its group's start function: a goroutine reads the same on every lane. */
export function goroutineColours(model: TraceModel, groups: GoroutineGroup[], dark: boolean): string[] {
  const colours = new Array<string>(model.goroutines.count);
  for (const group of groups) {
    const h = fnv1a(group.name);
    const colour = `hsl(${h % 360} ${50 + ((h >>> 9) % 25)}% ${(dark ? 45 : 62) + ((h >>> 17) % 10)}%)`;
    for (const g of group.goroutines) colours[g] = colour;
  }
  return colours;
}

export interface Selection {
  /** A running span on a P lane, a goroutine state interval, a user task or region. */
  kind: 'span' | 'interval' | 'task' | 'region';
  index: number;
}

/** One colour per task or region name (a string index), stable across traces. */
export function nameColour(model: TraceModel, name: number, dark: boolean): string {
  const h = fnv1a(name < 0 ? '' : model.strings[name]);
  return `hsl(${h % 360} ${35 + ((h >>> 9) % 20)}% ${dark ? 38 : 70}%)`;
}

export interface DrawInput {
  ctx: CanvasRenderingContext2D;
  width: number;
  height: number;
  model: TraceModel;
  rows: Row[];
  /** The lane of each P index, and of each goroutine index whose group is expanded. */
  procRows: Row[];
  goroutineRows: Map<number, Row>;
  groups: GoroutineGroup[];
  view: Viewport;
  scrollY: number;
  theme: Theme;
  colours: string[];
  selection?: Selection;
  /** Per goroutine: 1 when it matches the search; undefined when no search is active. */
  matches?: Uint8Array;
  annotations: AnnotationLanes;
  /** Colour per string index of task and region names. */
  nameColours: Map<number, string>;
  /** The selected time range, shaded over the plot. */
  range?: { start: number; end: number };
  /** A timing-mode measurement: its ends are marked and its length written between them. */
  measure?: { start: number; end: number };
  /** Arrows to draw; ends on goroutine lanes (when expanded) rather than P lanes with `onGoroutineLanes`. */
  flows?: { flows: Flow[]; onGoroutineLanes: boolean };
}

export interface DrawStats {
  /** Rectangles filled for spans and intervals. */
  rects: number;
  /** Spans and intervals they stand for. */
  covered: number;
  /** Flow arrows with at least one end in the plot. */
  arrows: number;
}

/**
 * Fills spans [lo, hi) (start-sorted, not overlapping, so ends are sorted
 * too) that meet the view, merging sub-pixel ones per pixel column.
 */
function drawSpans(
  input: DrawInput,
  starts: Float64Array,
  ends: Float64Array,
  lo: number,
  hi: number,
  y: number,
  h: number,
  colour: (i: number) => string | undefined,
  stats: DrawStats,
  /** Text drawn inside spans wide enough to read it. */
  label?: (i: number) => string,
  /** Span i is starts[rows[i]]..ends[rows[i]] when given (P lanes index interval rows). */
  rows?: Int32Array,
): void {
  const { ctx, view, width } = input;
  const plot = width - LABEL_WIDTH;
  const scale = plot / view.span;
  const t0 = view.start;
  let i = upperBoundIn(ends, t0, lo, hi, rows);
  while (i < hi && starts[rows ? rows[i] : i] < view.end) {
    const r = rows ? rows[i] : i;
    const x0 = LABEL_WIDTH + (starts[r] - t0) * scale;
    const x1 = LABEL_WIDTH + (ends[r] - t0) * scale;
    const fill = colour(i);
    if (x1 - x0 >= 1) {
      if (fill) {
        const left = Math.max(x0, LABEL_WIDTH);
        ctx.fillStyle = fill;
        ctx.fillRect(left, y, Math.min(x1, width) - left, h);
        stats.rects++;
        const room = Math.min(x1, width) - left - 6;
        if (label && room >= 24) {
          const text = label(i);
          // Cut to what fits, at about 6.5 px a character, rather than measuring every span's text.
          const fits = Math.floor(room / 6.5);
          ctx.fillStyle = input.theme.foreground;
          ctx.fillText(text.length > fits ? text.slice(0, Math.max(1, fits - 1)) + '…' : text, left + 3, y + h / 2);
        }
      }
      stats.covered++;
      i++;
      continue;
    }
    const column = Math.floor(x0);
    const columnEnd = t0 + (column + 1 - LABEL_WIDTH) / scale;
    const next = Math.max(upperBoundIn(ends, columnEnd, i, hi, rows), i + 1);
    if (fill && column >= LABEL_WIDTH) {
      ctx.fillStyle = fill;
      ctx.fillRect(column, y, 1, h);
      stats.rects++;
    }
    stats.covered += next - i;
    i = next;
  }
}

function drawRanges(input: DrawInput, starts: Float64Array, ends: Float64Array, y: number, h: number, fill: string): void {
  const { ctx, view, width } = input;
  const scale = (width - LABEL_WIDTH) / view.span;
  ctx.fillStyle = fill;
  for (let i = 0; i < starts.length; i++) {
    if (ends[i] < view.start || starts[i] > view.end) continue;
    const x0 = Math.max(LABEL_WIDTH, LABEL_WIDTH + (starts[i] - view.start) * scale);
    const x1 = Math.min(width, LABEL_WIDTH + (ends[i] - view.start) * scale);
    ctx.fillRect(x0, y, Math.max(1, x1 - x0), h);
  }
}

/**
 * A step chart of `series` in [y, y+h] scaled to `max`, one value per pixel
 * column (the largest sample in the column when samples are few enough to
 * visit, else the value at the column's start).
 */
function drawSteps(
  input: DrawInput,
  time: Float64Array,
  value: ArrayLike<number>,
  max: number,
  y: number,
  h: number,
  fill: string | undefined,
  stroke: string | undefined,
): void {
  const { ctx, view, width } = input;
  if (time.length === 0 || max <= 0) return;
  const plot = width - LABEL_WIDTH;
  const scale = plot / view.span;
  const first = Math.max(0, upperBound(time, view.start, 0, time.length) - 1);
  const last = upperBound(time, view.end, 0, time.length);
  const columns = Math.ceil(plot);
  const column = new Float64Array(columns + 1).fill(-1);
  if (last - first <= columns * 4) {
    for (let i = first; i < last; i++) {
      const from = Math.max(0, Math.floor((time[i] - view.start) * scale));
      const to = i + 1 < time.length ? Math.min(columns, Math.floor((time[i + 1] - view.start) * scale)) : columns;
      for (let c = from; c <= to; c++) if (value[i] > column[c]) column[c] = value[i];
    }
  } else {
    for (let c = 0; c <= columns; c++) {
      const k = upperBound(time, view.start + c / scale, 0, time.length) - 1;
      column[c] = k >= 0 ? value[k] : -1;
    }
  }
  ctx.beginPath();
  let open = false;
  for (let c = 0; c <= columns; c++) {
    if (column[c] < 0) {
      open = false;
      continue;
    }
    const yy = y + h - (column[c] / max) * h;
    if (!open) {
      ctx.moveTo(LABEL_WIDTH + c, yy);
      open = true;
    } else ctx.lineTo(LABEL_WIDTH + c, yy);
    ctx.lineTo(LABEL_WIDTH + c + 1, yy);
  }
  if (stroke) {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 1;
    ctx.stroke();
  }
  if (fill) {
    ctx.fillStyle = fill;
    for (let c = 0; c <= columns; c++) {
      if (column[c] <= 0) continue;
      const top = y + h - (column[c] / max) * h;
      ctx.fillRect(LABEL_WIDTH + c, top, 1, y + h - top);
    }
  }
}

function seriesMax(s: Series): number {
  let max = 0;
  for (const v of s.value) if (v > max) max = v;
  return max;
}

const maxCache = new WeakMap<object, number>();
function cachedMax(key: object, compute: () => number): number {
  let v = maxCache.get(key);
  if (v === undefined) maxCache.set(key, (v = compute()));
  return v;
}

export function drawTimeline(input: DrawInput): DrawStats {
  const { ctx, width, height, model, rows, view, scrollY, theme } = input;
  const stats: DrawStats = { rects: 0, covered: 0, arrows: 0 };
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.font = theme.font;
  ctx.textBaseline = 'middle';
  const scale = (width - LABEL_WIDTH) / view.span;

  // Grid lines under everything.
  const step = tickStep(view.span / Math.max(1, (width - LABEL_WIDTH) / 110));
  const firstTick = Math.ceil(view.start / step) * step;
  ctx.fillStyle = theme.grid;
  for (let t = firstTick; t <= view.end; t += step) ctx.fillRect(Math.round(LABEL_WIDTH + (t - view.start) * scale), AXIS_HEIGHT, 1, height);

  ctx.save();
  ctx.beginPath();
  ctx.rect(0, AXIS_HEIGHT, width, height - AXIS_HEIGHT);
  ctx.clip();
  const heapMax = cachedMax(model.heapGoal, () => Math.max(seriesMax(model.heapAlloc), seriesMax(model.heapGoal)));
  const { counts } = model;
  const countMax = cachedMax(counts, () => {
    let m = 0;
    for (let i = 0; i < counts.time.length; i++) m = Math.max(m, counts.running[i] + counts.runnable[i]);
    return m;
  });
  const threadMax = cachedMax(counts.procsRunning, () => {
    let m = 0;
    for (let i = 0; i < counts.time.length; i++) m = Math.max(m, counts.procsRunning[i] + counts.syscall[i]);
    return m;
  });
  const sumCache = cachedSums(model);

  const visible = visibleRows(rows, scrollY, height - AXIS_HEIGHT);
  for (const row of visible) {
    const y = AXIS_HEIGHT + row.y - scrollY;
    const top = y + 2;
    const h = row.height - 4;
    switch (row.kind) {
      case 'gc':
        drawRanges(input, model.gc.start, model.gc.end, top, h, theme.gc);
        drawRanges(input, model.stw.start, model.stw.end, top, h, theme.stw);
        break;
      case 'heap':
        drawSteps(input, model.heapGoal.time, model.heapGoal.value, heapMax, top, h, undefined, theme.goal);
        drawSteps(input, model.heapAlloc.time, model.heapAlloc.value, heapMax, top, h, theme.heap, undefined);
        break;
      case 'goroutines':
        drawSteps(input, counts.time, sumCache.runningRunnable, countMax, top, h, theme.runnable, undefined);
        drawSteps(input, counts.time, counts.running, countMax, top, h, theme.running, undefined);
        break;
      case 'threads':
        drawSteps(input, counts.time, sumCache.procsSyscall, threadMax, top, h, theme.syscall, undefined);
        drawSteps(input, counts.time, counts.procsRunning, threadMax, top, h, theme.heap, undefined);
        break;
      case 'proc': {
        const p = model.procs;
        const rows = p.spanInterval;
        const { colours, matches } = input;
        const colour = (i: number) => {
          const g = intervalGoroutine(model, rows[i]);
          return !matches || matches[g] ? colours[g] : theme.waiting;
        };
        const iv = model.intervals;
        drawSpans(input, iv.start, intervalEnds(model), p.spanOffsets[row.proc], p.spanOffsets[row.proc + 1], top, h, colour, stats, undefined, rows);
        break;
      }
      case 'goroutine': {
        const iv = model.intervals;
        const gc = input.colours[row.goroutine];
        const colour = (i: number): string | undefined => {
          switch (iv.state[i]) {
            case GoroutineState.Running:
              return gc;
            case GoroutineState.Runnable:
              return theme.runnable;
            case GoroutineState.Syscall:
              return theme.syscall;
            case GoroutineState.Waiting:
              return theme.waiting;
            default:
              // NotExist: the goroutine's end marker, or a stretch where it did not exist.
              return undefined;
          }
        };
        const offsets = model.goroutines.intervalOffsets;
        const g = row.goroutine;
        drawSpans(input, iv.start, intervalEnds(model), offsets[g], offsets[g + 1] - 1, top, h, colour, stats);
        break;
      }
      case 'task':
      case 'region': {
        const level = (row.kind === 'task' ? input.annotations.tasks : input.annotations.regions)[row.level];
        const names = row.kind === 'task' ? model.tasks.name : model.regions.name;
        const { items } = level;
        drawSpans(
          input,
          level.start,
          level.end,
          0,
          items.length,
          top,
          h,
          (i) => input.nameColours.get(names[items[i]]),
          stats,
          (i) => (names[items[i]] < 0 ? '' : model.strings[names[items[i]]]),
        );
        break;
      }
      case 'group':
      case 'annotations':
        ctx.fillStyle = theme.grid;
        ctx.fillRect(0, y + row.height - 1, width, 1);
        break;
    }
  }
  drawRange(input);
  drawSelection(input);
  stats.arrows = drawFlows(input);
  drawMeasure(input);
  ctx.restore();

  // Labels on top of the lanes, with the rows' separators.
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, AXIS_HEIGHT, LABEL_WIDTH, height - AXIS_HEIGHT);
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, AXIS_HEIGHT, LABEL_WIDTH - 4, height - AXIS_HEIGHT);
  ctx.clip();
  for (const row of visible) {
    const y = AXIS_HEIGHT + row.y - scrollY;
    ctx.fillStyle = row.kind === 'goroutine' ? theme.muted : theme.foreground;
    ctx.fillText(row.label, row.kind === 'goroutine' ? 18 : 6, y + row.height / 2);
  }
  ctx.restore();
  ctx.fillStyle = theme.grid;
  ctx.fillRect(LABEL_WIDTH - 1, AXIS_HEIGHT, 1, height);

  // The axis.
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, AXIS_HEIGHT);
  ctx.fillStyle = theme.grid;
  ctx.fillRect(0, AXIS_HEIGHT - 1, width, 1);
  ctx.fillStyle = theme.muted;
  ctx.fillText(`${formatNs(view.span)} shown`, 6, AXIS_HEIGHT / 2);
  ctx.fillStyle = theme.foreground;
  for (let t = firstTick; t <= view.end; t += step) {
    const x = Math.round(LABEL_WIDTH + (t - view.start) * scale);
    ctx.fillRect(x, AXIS_HEIGHT - 6, 1, 6);
    ctx.fillText(formatTick(t, step), x + 3, AXIS_HEIGHT / 2 - 2);
  }
  return stats;
}

/** The rows that meet [scrollY, scrollY + height) of the content (rows ascend by y). */
function visibleRows(rows: Row[], scrollY: number, height: number): Row[] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].y + rows[mid].height <= scrollY) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < rows.length && rows[end].y < scrollY + height) end++;
  return rows.slice(lo, end);
}

function drawRange(input: DrawInput): void {
  const { ctx, view, width, height, range, theme } = input;
  if (!range) return;
  const scale = (width - LABEL_WIDTH) / view.span;
  const x0 = Math.max(LABEL_WIDTH, LABEL_WIDTH + (range.start - view.start) * scale);
  const x1 = Math.min(width, LABEL_WIDTH + (range.end - view.start) * scale);
  if (x1 < x0) return;
  ctx.save();
  ctx.globalAlpha = 0.18;
  ctx.fillStyle = theme.selection;
  ctx.fillRect(x0, AXIS_HEIGHT, Math.max(1, x1 - x0), height - AXIS_HEIGHT);
  ctx.globalAlpha = 1;
  ctx.fillRect(x0, AXIS_HEIGHT, 1, height - AXIS_HEIGHT);
  ctx.fillRect(x1 - 1, AXIS_HEIGHT, 1, height - AXIS_HEIGHT);
  ctx.restore();
}

function drawSelection(input: DrawInput): void {
  const { ctx, model, view, scrollY, selection, width, theme } = input;
  if (!selection) return;
  const scale = (width - LABEL_WIDTH) / view.span;
  let start: number;
  let end: number;
  let row: Row | undefined;
  if (selection.kind === 'task' || selection.kind === 'region') {
    ({ start, end } = annotationExtent(model, selection.kind, selection.index));
    const levels = selection.kind === 'task' ? input.annotations.taskLevel : input.annotations.regionLevel;
    const level = levels[selection.index];
    row = input.rows.find((r) => r.kind === selection.kind && r.level === level);
  } else if (selection.kind === 'span') {
    const interval = model.procs.spanInterval[selection.index];
    start = model.intervals.start[interval];
    end = intervalEnd(model, interval);
    const p = procOfSpan(model, selection.index);
    row = input.procRows[p];
  } else {
    start = model.intervals.start[selection.index];
    end = intervalEnd(model, selection.index);
    row = input.goroutineRows.get(goroutineOfInterval(model, selection.index));
  }
  if (!row) return;
  const x0 = LABEL_WIDTH + (start - view.start) * scale;
  const x1 = LABEL_WIDTH + (end - view.start) * scale;
  const y = AXIS_HEIGHT + row.y - scrollY;
  ctx.strokeStyle = theme.selection;
  ctx.lineWidth = 2;
  ctx.strokeRect(Math.max(LABEL_WIDTH, x0) - 1, y + 1, Math.max(2, Math.min(x1, width) - Math.max(LABEL_WIDTH, x0) + 2), row.height - 2);
}

/** Where a flow's end sits on the canvas (the middle of its lane at its time), or undefined when it has no lane drawn. */
export function flowPoint(
  input: Pick<DrawInput, 'model' | 'view' | 'width' | 'scrollY' | 'procRows' | 'goroutineRows'>,
  end: FlowEnd,
  onGoroutineLanes: boolean,
): { x: number; y: number } | undefined {
  const goroutineRow = end.goroutine >= 0 ? input.goroutineRows.get(end.goroutine) : undefined;
  const row = (onGoroutineLanes && goroutineRow) || (end.span >= 0 ? input.procRows[procOfSpan(input.model, end.span)] : goroutineRow);
  if (!row) return undefined;
  const { view, width } = input;
  return {
    x: LABEL_WIDTH + ((end.time - view.start) * (width - LABEL_WIDTH)) / view.span,
    y: AXIS_HEIGHT + row.y - input.scrollY + row.height / 2,
  };
}

/** Arrows as curves leaving the source sideways and arriving at the target's start; ends off the plot run to its edge. */
function drawFlows(input: DrawInput): number {
  const { ctx, width, height, theme } = input;
  if (!input.flows) return 0;
  let drawn = 0;
  ctx.save();
  ctx.lineWidth = 1.5;
  for (const flow of input.flows.flows) {
    const a = flowPoint(input, flow.from, input.flows.onGoroutineLanes);
    const b = flowPoint(input, flow.to, input.flows.onGoroutineLanes);
    if (!a || !b) continue;
    const left = Math.min(a.x, b.x);
    const right = Math.max(a.x, b.x);
    const top = Math.min(a.y, b.y);
    const bottom = Math.max(a.y, b.y);
    if (right < LABEL_WIDTH || left > width || bottom < AXIS_HEIGHT || top > height) continue;
    const colour = flow.kind === EdgeKind.Create ? theme.flowCreate : theme.flowUnblock;
    const bend = Math.max(16, Math.min(80, (right - left) / 2));
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.bezierCurveTo(a.x + bend, a.y, b.x - bend, b.y, b.x, b.y);
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(a.x, a.y, 2.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.beginPath();
    ctx.moveTo(b.x, b.y);
    ctx.lineTo(b.x - 7, b.y - 4);
    ctx.lineTo(b.x - 7, b.y + 4);
    ctx.closePath();
    ctx.fill();
    drawn++;
  }
  ctx.restore();
  return drawn;
}

/** The timing mode's measurement: both ends marked down the plot, the length written between them at the top. */
function drawMeasure(input: DrawInput): void {
  const { ctx, view, width, height, measure, theme } = input;
  if (!measure) return;
  const scale = (width - LABEL_WIDTH) / view.span;
  const x0 = LABEL_WIDTH + (measure.start - view.start) * scale;
  const x1 = LABEL_WIDTH + (measure.end - view.start) * scale;
  ctx.save();
  ctx.strokeStyle = theme.foreground;
  ctx.fillStyle = theme.foreground;
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 3]);
  for (const x of [x0, x1]) {
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, AXIS_HEIGHT);
    ctx.lineTo(Math.round(x) + 0.5, height);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  const y = AXIS_HEIGHT + 10;
  ctx.beginPath();
  ctx.moveTo(x0, y);
  ctx.lineTo(x1, y);
  ctx.stroke();
  const text = formatNs(measure.end - measure.start);
  const textWidth = ctx.measureText(text).width;
  const mid = Math.min(width - textWidth / 2 - 6, Math.max(LABEL_WIDTH + textWidth / 2 + 6, (x0 + x1) / 2));
  ctx.fillStyle = theme.background;
  ctx.fillRect(mid - textWidth / 2 - 4, y - 8, textWidth + 8, 16);
  ctx.strokeRect(mid - textWidth / 2 - 4, y - 8, textWidth + 8, 16);
  ctx.fillStyle = theme.foreground;
  ctx.fillText(text, mid - textWidth / 2, y);
  ctx.restore();
}

/** The P index whose span range holds span `i`. */
export function procOfSpan(model: TraceModel, i: number): number {
  const offsets = model.procs.spanOffsets;
  return upperBoundIn(offsets, i, 0, offsets.length) - 1;
}

export function goroutineOfInterval(model: TraceModel, i: number): number {
  return intervalGoroutine(model, i);
}

/** Interval ends as a column: row r ends where row r+1 starts. */
function intervalEnds(model: TraceModel): Float64Array {
  return model.intervals.start.subarray(1);
}

export interface GoroutineLane {
  start: Float64Array;
  end: Float64Array;
  /** Interval rows, in time order. */
  rows: Int32Array;
}

const lanes = new WeakMap<TraceModel, Map<number, GoroutineLane>>();

/** One goroutine's intervals as contiguous columns, made when its row is first drawn or clicked. */
export function goroutineLane(model: TraceModel, g: number): GoroutineLane {
  let cache = lanes.get(model);
  if (!cache) lanes.set(model, (cache = new Map()));
  let lane = cache.get(g);
  if (!lane) {
    // Its rows are contiguous, the last one its end marker: each row ends where the next starts.
    const first = model.goroutines.intervalOffsets[g];
    const count = model.goroutines.intervalOffsets[g + 1] - 1 - first;
    const times = model.intervals.start;
    const rows = new Int32Array(count);
    for (let i = 0; i < count; i++) rows[i] = first + i;
    cache.set(g, (lane = { start: times.subarray(first, first + count), end: times.subarray(first + 1, first + 1 + count), rows }));
  }
  return lane;
}

const sums = new WeakMap<object, { runningRunnable: Int32Array; procsSyscall: Int32Array }>();
function cachedSums(model: TraceModel): { runningRunnable: Int32Array; procsSyscall: Int32Array } {
  let s = sums.get(model.counts);
  if (!s) {
    const c = model.counts;
    const runningRunnable = new Int32Array(c.time.length);
    const procsSyscall = new Int32Array(c.time.length);
    for (let i = 0; i < c.time.length; i++) {
      runningRunnable[i] = c.running[i] + c.runnable[i];
      procsSyscall[i] = c.procsRunning[i] + c.syscall[i];
    }
    sums.set(model.counts, (s = { runningRunnable, procsSyscall }));
  }
  return s;
}
