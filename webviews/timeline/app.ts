// The timeline page: toolbar with search, the canvas, and a details panel for
// the selected slice. Navigation follows `go tool trace`: W/S zoom, A/D pan,
// `/` search with Enter stepping through matches (Shift+Enter back), and its
// mouse modes on keys 1–4: a drag selects a time range (summing where its
// time went), pans, zooms (up in, down out) or measures a duration; Shift+drag
// selects a range in any mode, a click selects a slice, Ctrl/⌘+wheel zooms at
// the pointer, the wheel scrolls. A selected slice shows its flow arrows (who
// unblocked or created it, whom it unblocked or created); a toggle shows the
// arrows of everything in view.

import { goroutineAnalysis } from '../../src/core/trace/analysis';
import { annotationSummary } from '../../src/core/trace/annotations';
import { BLOCKING_KINDS, BLOCKING_TITLES, type BlockingKind } from '../../src/core/trace/blockingProfile';
import { rangeSummary, type RangeSummary } from '../../src/core/trace/rangeSummary';
import {
  EdgeKind,
  GoroutineState,
  intervalEnd,
  nextInterval,
  spanEnd,
  spanEndingAfter,
  spanGoroutine,
  spanStart,
  stackFrames,
  startFunctionName,
  type TraceModel,
} from '../../src/core/trace/model';
import flowIcon from 'codicon:debug-step-over';
import panIcon from 'codicon:move';
import selectIcon from 'codicon:inspect';
import timingIcon from 'codicon:symbol-ruler';
import zoomIcon from 'codicon:zoom-in';
import { GO_STATE_NAMES, GoState } from '../../src/core/trace/spec';
import type { Host } from '../common/page';
import { compileQuery, exactFunctionQuery } from '../flame/search';
import { annotationExtent, annotationLanes, type AnnotationLanes } from './annotationLanes';
import {
  AXIS_HEIGHT,
  drawTimeline,
  flowPoint,
  goroutineColours,
  goroutineLane,
  goroutineOfInterval,
  LABEL_WIDTH,
  nameColour,
  procOfSpan,
  readTheme,
  type DrawStats,
  type Selection,
  type Theme,
} from './draw';
import { selectionFlows, viewFlows, type Flow, type FlowEnd, type SelectionFlows } from './flows';
import type { MMUPoint, ModelSource } from './modelSource';
import { goroutineGroups, layoutRows, rowAt, UNFOLDED_LEVELS, type GoroutineGroup, type Layout } from './rows';
import { formatBytes, formatNs, upperBound, Viewport } from './viewport';

type PageState = 'waiting' | 'loading' | 'rendered' | 'error';

/** What a drag does, as go tool trace's keys 1–4 choose it. */
export type MouseMode = 'select' | 'pan' | 'zoom' | 'timing';

const MOUSE_MODES: { mode: MouseMode; key: string; icon: string; title: string }[] = [
  { mode: 'select', key: '1', icon: selectIcon, title: 'Select (1): drag selects a time range and sums where its time went' },
  { mode: 'pan', key: '2', icon: panIcon, title: 'Pan (2): drag moves the timeline' },
  { mode: 'zoom', key: '3', icon: zoomIcon, title: 'Zoom (3): drag up zooms in, down zooms out' },
  { mode: 'timing', key: '4', icon: timingIcon, title: 'Timing (4): drag measures a duration' },
];

/** A flow arrow as the tests see it: model data and, when drawn, its ends in page coordinates. */
export interface FlowBox {
  kind: 'unblock' | 'create';
  /** Goroutine ids (-1: no goroutine), times in ns since the trace's start, P ids of the slices (-1: none). */
  fromGoroutine: number;
  fromTime: number;
  fromProc: number;
  toGoroutine: number;
  toTime: number;
  toProc: number;
  from?: { x: number; y: number };
  to?: { x: number; y: number };
}

export interface SliceBox {
  /** Page coordinates (CSS px) of the drawn slice. */
  x: number;
  y: number;
  width: number;
  height: number;
  span: number;
  goroutineId: number;
  proc: number;
}

export interface AnnotationBox {
  /** Page coordinates (CSS px) of the drawn span. */
  x: number;
  y: number;
  width: number;
  height: number;
  kind: 'task' | 'region';
  name: string;
  /** ns; NaN where the trace cut it. */
  durationNs: number;
}

export interface TimelineTestHooks {
  state(): {
    state: string;
    fileName: string;
    where: string;
    readMillis: number;
    firstPaintMillis: number;
    view: { start: number; end: number };
    duration: number;
    scrollY: number;
    goroutines: number;
    procs: number;
    spans: number;
    draws: number;
    lastDraw: DrawStats;
    selection?: { kind: string; goroutineId: number; start: number; end: number };
    searchMatches: number;
    /** The Shift+drag range, ns since the trace's start. */
    range?: { start: number; end: number };
    /** Packing levels of the task and region lanes. */
    taskLevels: number;
    regionLevels: number;
    mode: MouseMode;
    /** The timing mode's measurement, ns since the trace's start. */
    measure?: { start: number; end: number };
    /** Whether every arrow in view is drawn, not only the selection's. */
    allFlows: boolean;
  };
  /** The selection's arrows (incoming first), then, with all arrows shown, those in view. */
  flows(): FlowBox[];
  /** Visible P-lane slices at least `minWidth` px wide. */
  slices(minWidth: number): SliceBox[];
  /** Visible task and region spans at least `minWidth` px wide. */
  annotations(minWidth: number): AnnotationBox[];
  /** How long each draw took, ms, oldest first (the last 2000). */
  frameTimes(): number[];
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class TimelineApp {
  private readonly toolbar = element('div', 'tl-toolbar');
  private readonly fileLabel = element('span', 'tl-file');
  private readonly summary = element('span', 'tl-summary');
  private readonly search = element('input', 'tl-search');
  private readonly searchStatus = element('span', 'tl-search-status');
  private readonly warning = element('div', 'tl-warning');
  private readonly main = element('div', 'tl-main');
  private readonly canvas = element('canvas', 'tl-canvas');
  private readonly details = element('section', 'tl-details');
  private readonly message = element('div', 'tl-message');
  private readonly analysisButton = element('button', 'tl-analysis-toggle', 'Goroutine analysis');
  private readonly analysis = element('section', 'tl-analysis');
  private readonly annotationsButton = element('button', 'tl-button tl-annotations-toggle', 'Tasks & regions');
  private readonly annotationsTable = element('section', 'tl-analysis tl-annotations');
  private readonly profiles = element('span', 'tl-profiles');
  private readonly mmuButton = element('button', 'tl-button tl-mmu-toggle', 'MMU');
  private readonly mmuPanel = element('section', 'tl-analysis tl-mmu');
  private readonly rangePanel = element('section', 'tl-range');
  private readonly modes = element('span', 'tl-modes');
  private readonly flowsButton = element('button', 'tl-icon-button tl-flows-toggle');
  private readonly measureLabel = element('span', 'tl-measure');

  private model: TraceModel | undefined;
  private groups: GoroutineGroup[] = [];
  private layout: Layout = { rows: [], height: 0, procRows: [], goroutineRows: new Map() };
  private annotations: AnnotationLanes = { tasks: [], regions: [], taskLevel: new Int32Array(0), regionLevel: new Int32Array(0) };
  private nameColours = new Map<number, string>();
  private range: { start: number; end: number } | undefined;
  private measure: { start: number; end: number } | undefined;
  private mode: MouseMode = 'pan';
  private allFlows = false;
  private selectedFlows: SelectionFlows | undefined;
  private unfolded = { task: true, region: true };
  private colours: string[] = [];
  private theme: Theme | undefined;
  private view = new Viewport(1);
  private scrollY = 0;
  private selection: Selection | undefined;
  private matches: Uint8Array | undefined;
  private matchCount = 0;
  private pointerX: number | undefined;
  private frame = 0;
  private draws = 0;
  private lastDraw: DrawStats = { rects: 0, covered: 0, arrows: 0 };
  private readonly frameTimes: number[] = [];
  private pageState: PageState = 'waiting';
  private fileName = '';
  private where = '';
  private readMillis = 0;
  private firstPaintMillis = 0;

  constructor(
    private readonly host: Host,
    private readonly source: Promise<ModelSource>,
  ) {
    this.search.type = 'search';
    this.search.placeholder = 'Search start function or goroutine id ( / )';
    this.search.setAttribute('aria-label', 'Search goroutines by start function or id; Enter steps to the next slice');
    const help = element('span', 'tl-help', 'W/S zoom · A/D pan · 1–4 drag modes · Shift+drag a range · Ctrl+wheel zoom · click a slice');
    this.modes.setAttribute('role', 'group');
    this.modes.setAttribute('aria-label', 'Mouse mode');
    for (const { mode, key, icon, title } of MOUSE_MODES) {
      const button = element('button', 'tl-icon-button tl-mode');
      button.type = 'button';
      button.dataset.mode = mode;
      button.dataset.key = key;
      button.title = title;
      button.setAttribute('aria-label', title);
      // A build-time codicon (scripts/build.mjs), not page data.
      button.innerHTML = icon;
      button.addEventListener('click', () => this.setMode(mode));
      this.modes.append(button);
    }
    this.flowsButton.type = 'button';
    this.flowsButton.title = 'Flow events: draw the unblock and create arrows of everything in view (at most a few hundred)';
    this.flowsButton.setAttribute('aria-label', this.flowsButton.title);
    this.flowsButton.setAttribute('aria-pressed', 'false');
    this.flowsButton.innerHTML = flowIcon;
    this.flowsButton.append('Flows');
    this.flowsButton.addEventListener('click', () => {
      this.allFlows = !this.allFlows;
      this.flowsButton.setAttribute('aria-pressed', String(this.allFlows));
      this.invalidate();
    });
    this.analysisButton.type = 'button';
    this.analysisButton.setAttribute('aria-pressed', 'false');
    this.analysisButton.addEventListener('click', () => this.toggle(this.analysis, this.analysisButton, (model) => this.renderAnalysis(model)));
    this.annotationsButton.type = 'button';
    this.annotationsButton.setAttribute('aria-pressed', 'false');
    this.annotationsButton.addEventListener('click', () =>
      this.toggle(this.annotationsTable, this.annotationsButton, (model) => this.renderAnnotations(model)),
    );
    this.mmuButton.type = 'button';
    this.mmuButton.setAttribute('aria-pressed', 'false');
    this.mmuButton.title = 'Minimum mutator utilization: the least share of the CPU left to the program in any window of a given length';
    this.mmuButton.addEventListener('click', () => this.toggle(this.mmuPanel, this.mmuButton, () => void this.renderMMU()));
    this.profiles.append(element('span', 'tl-profiles-label', 'Blocking profile:'));
    const profileLabels: Record<BlockingKind, string> = { net: 'Network', sync: 'Sync', syscall: 'Syscall', sched: 'Scheduler latency' };
    for (const kind of BLOCKING_KINDS) {
      const button = element('button', 'tl-button tl-profile', profileLabels[kind]);
      button.type = 'button';
      button.dataset.kind = kind;
      button.title = `${BLOCKING_TITLES[kind]} as a flame graph (go tool trace -pprof=${kind})`;
      button.addEventListener('click', () => void this.openBlockingProfile(kind, button));
      this.profiles.append(button);
    }
    // Only the editor can open the profile.
    this.profiles.hidden = !host.connected;
    this.toolbar.append(
      this.fileLabel,
      this.summary,
      this.search,
      this.searchStatus,
      this.modes,
      this.flowsButton,
      this.measureLabel,
      this.analysisButton,
      this.annotationsButton,
      this.mmuButton,
      this.profiles,
      help,
    );
    this.analysis.hidden = true;
    this.annotationsTable.hidden = true;
    this.mmuPanel.hidden = true;
    this.rangePanel.hidden = true;
    this.warning.hidden = true;
    this.warning.setAttribute('role', 'status');
    this.details.hidden = true;
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('aria-label', 'Trace timeline');
    this.setMode(this.mode);
    this.main.append(this.canvas);
    document.body.append(this.toolbar, this.warning, this.main, this.rangePanel, this.analysis, this.annotationsTable, this.mmuPanel, this.details, this.message);
    this.setState('waiting');
    this.listen();
  }

  private setMode(mode: MouseMode): void {
    this.mode = mode;
    this.canvas.dataset.mode = mode;
    for (const button of this.modes.querySelectorAll<HTMLButtonElement>('button')) {
      button.setAttribute('aria-pressed', String(button.dataset.mode === mode));
    }
  }

  private setState(state: PageState): void {
    this.pageState = state;
    document.body.dataset.state = state;
  }

  showWaiting(text: string): void {
    this.message.textContent = text;
  }

  fail(text: string): void {
    this.setState('error');
    this.message.textContent = text;
    this.message.setAttribute('role', 'alert');
    this.host.post({ type: 'error', message: text });
  }

  async load(fileName: string, bytes: Uint8Array): Promise<void> {
    this.fileName = fileName;
    this.fileLabel.textContent = fileName;
    this.setState('loading');
    this.message.textContent = `Reading ${fileName} (${formatBytes(bytes.byteLength)})…`;
    let model: TraceModel;
    try {
      const source = await this.source;
      const read = await source.read(bytes, fileName);
      model = read.model;
      this.where = read.where;
      this.readMillis = read.millis;
    } catch (error) {
      this.fail((error as Error).message);
      return;
    }
    this.model = model;
    this.groups = goroutineGroups(model);
    this.annotations = annotationLanes(model);
    this.unfolded = { task: this.annotations.tasks.length <= UNFOLDED_LEVELS, region: this.annotations.regions.length <= UNFOLDED_LEVELS };
    this.relayout();
    this.view = new Viewport(model.durationNs);
    this.theme = readTheme();
    this.colours = goroutineColours(model, this.groups, this.theme.dark);
    for (const name of [...model.tasks.name, ...model.regions.name]) {
      if (!this.nameColours.has(name)) this.nameColours.set(name, nameColour(model, name, this.theme.dark));
    }
    this.summary.textContent =
      `${model.version} · ${formatNs(model.durationNs)} · ${model.events.toLocaleString('en-US')} events · ` +
      `${model.goroutines.count.toLocaleString('en-US')} goroutines · ${model.procs.count} Ps · ${model.gc.start.length} GCs`;
    if (model.problem) {
      this.warning.hidden = false;
      this.warning.textContent = `Showing what was read before the trace broke off: ${model.problem.message}`;
    }
    this.message.textContent = '';
    this.resize();
    this.drawNow();
    this.firstPaintMillis = performance.now();
    this.setState('rendered');
    this.host.post({ type: 'rendered', nodeCount: model.procs.spanInterval.length, millis: this.readMillis });
  }

  private relayout(): void {
    if (!this.model) return;
    this.layout = layoutRows(this.model, this.groups, this.annotations, this.unfolded);
    this.clampScroll();
  }

  private plotHeight(): number {
    return this.canvas.clientHeight - AXIS_HEIGHT;
  }

  private clampScroll(): void {
    this.scrollY = Math.max(0, Math.min(this.scrollY, this.layout.height - Math.max(0, this.plotHeight())));
  }

  private resize(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, this.main.clientWidth);
    const height = Math.max(1, this.main.clientHeight);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.clampScroll();
  }

  invalidate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  private drawNow(): void {
    const model = this.model;
    const ctx = this.canvas.getContext('2d');
    if (!model || !ctx || !this.theme) return;
    const started = performance.now();
    const ratio = this.canvas.width / Math.max(1, this.canvas.clientWidth);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.lastDraw = drawTimeline({
      ctx,
      width: this.canvas.clientWidth,
      height: this.canvas.clientHeight,
      model,
      rows: this.layout.rows,
      procRows: this.layout.procRows,
      goroutineRows: this.layout.goroutineRows,
      groups: this.groups,
      view: this.view,
      scrollY: this.scrollY,
      theme: this.theme,
      colours: this.colours,
      selection: this.selection,
      matches: this.matches,
      annotations: this.annotations,
      nameColours: this.nameColours,
      range: this.range,
      measure: this.measure,
      flows: this.drawnFlows(),
    });
    this.draws++;
    this.frameTimes.push(performance.now() - started);
    if (this.frameTimes.length > 2000) this.frameTimes.shift();
  }

  /** The selection's arrows and, with the toggle on, those of the visible range. */
  private drawnFlows(): { flows: Flow[]; onGoroutineLanes: boolean } | undefined {
    const model = this.model;
    if (!model) return undefined;
    const flows: Flow[] = [];
    if (this.selectedFlows) flows.push(...this.selectedFlows.incoming, ...this.selectedFlows.outgoing);
    if (this.allFlows) flows.push(...viewFlows(model, this.view.start, this.view.end).flows);
    return flows.length > 0 ? { flows, onGoroutineLanes: this.selection?.kind === 'interval' } : undefined;
  }

  // ---- input ---------------------------------------------------------------

  private listen(): void {
    new ResizeObserver(() => {
      this.resize();
      this.invalidate();
    }).observe(this.main);
    window.addEventListener('keydown', (event) => this.onKey(event));
    this.search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.stepSearch(event.shiftKey ? -1 : 1);
      } else if (event.key === 'Escape') {
        this.search.value = '';
        this.applySearch();
        this.canvas.focus();
      }
      event.stopPropagation();
    });
    this.search.addEventListener('input', () => this.applySearch());

    // A press becomes a drag after a few pixels; until then it may be a click.
    let drag:
      | { mode: MouseMode; x: number; y: number; time: number; view: { start: number; end: number }; anchor: number; scrollY: number; moved: boolean }
      | undefined;
    this.canvas.addEventListener('pointerdown', (event) => {
      this.canvas.focus();
      if (!this.model || event.button !== 0) return;
      this.canvas.setPointerCapture(event.pointerId);
      drag = {
        mode: event.shiftKey ? 'select' : this.mode,
        x: event.clientX,
        y: event.clientY,
        time: this.timeAt(event.clientX),
        view: { start: this.view.start, end: this.view.end },
        anchor: this.anchorAt(event.clientX),
        scrollY: this.scrollY,
        moved: false,
      };
    });
    this.canvas.addEventListener('pointermove', (event) => {
      const rect = this.canvas.getBoundingClientRect();
      this.pointerX = event.clientX - rect.left;
      if (!drag) {
        this.hover(event);
        return;
      }
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      drag.moved = true;
      const t = this.timeAt(event.clientX);
      const between = { start: Math.min(drag.time, t), end: Math.max(drag.time, t) };
      switch (drag.mode) {
        case 'select':
          this.range = between;
          break;
        case 'timing':
          this.setMeasure(between);
          break;
        case 'zoom':
          // Up zooms in, down out: a factor of e per 150 px, about the drag's start.
          this.view.set(drag.view.start, drag.view.end);
          this.view.zoom(Math.exp(dy / 150), drag.anchor);
          break;
        case 'pan': {
          const span = drag.view.end - drag.view.start;
          const nsPerPx = span / (this.canvas.clientWidth - LABEL_WIDTH);
          this.view.set(drag.view.start - dx * nsPerPx, drag.view.start - dx * nsPerPx + span);
          this.scrollY = drag.scrollY - dy;
          this.clampScroll();
          break;
        }
      }
      this.invalidate();
    });
    this.canvas.addEventListener('pointerup', (event) => {
      const done = drag;
      drag = undefined;
      if (!done) return;
      if (!done.moved) this.click(event);
      else if (done.mode === 'select') this.showRange();
    });
    this.canvas.addEventListener('pointercancel', () => (drag = undefined));
    this.canvas.addEventListener('pointerleave', () => (this.pointerX = undefined));
    this.canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        if (event.ctrlKey || event.metaKey) {
          this.view.zoom(Math.exp(event.deltaY * 0.002), this.anchor());
        } else if (Math.abs(event.deltaX) > Math.abs(event.deltaY) || event.shiftKey) {
          this.view.pan(((event.shiftKey ? event.deltaY : event.deltaX) / (this.canvas.clientWidth - LABEL_WIDTH)) * 1);
        } else {
          this.scrollY += event.deltaY;
          this.clampScroll();
        }
        this.invalidate();
      },
      { passive: false },
    );
  }

  /** Where zooming keeps its place: under the pointer when it is over the plot, else the middle. */
  private anchor(): number {
    if (this.pointerX === undefined || this.pointerX < LABEL_WIDTH) return 0.5;
    return this.anchorAt(this.pointerX + this.canvas.getBoundingClientRect().left);
  }

  /** Client x as a fraction across the plot. */
  private anchorAt(clientX: number): number {
    const x = clientX - this.canvas.getBoundingClientRect().left;
    return Math.min(1, Math.max(0, (x - LABEL_WIDTH) / (this.canvas.clientWidth - LABEL_WIDTH)));
  }

  private setMeasure(measure: { start: number; end: number } | undefined): void {
    this.measure = measure;
    this.measureLabel.textContent = measure ? `Measured ${formatNs(measure.end - measure.start)}` : '';
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.model || event.target === this.search || event.altKey || event.ctrlKey || event.metaKey) return;
    switch (event.key) {
      case 'w':
      case 'W':
        this.view.zoom(0.75, this.anchor());
        break;
      case 's':
      case 'S':
        this.view.zoom(1 / 0.75, this.anchor());
        break;
      case 'a':
      case 'A':
        this.view.pan(-0.15);
        break;
      case 'd':
      case 'D':
        this.view.pan(0.15);
        break;
      case '0':
        this.view.reset();
        break;
      case '/':
        this.search.focus();
        this.search.select();
        break;
      case '1':
      case '2':
      case '3':
      case '4':
        this.setMode(MOUSE_MODES[Number(event.key) - 1].mode);
        break;
      case 'Escape':
        this.select(undefined);
        this.setMeasure(undefined);
        this.range = undefined;
        this.showRange();
        break;
      default:
        return;
    }
    event.preventDefault();
    this.invalidate();
  }

  /** The time under client x, within the visible range (the label column counts as its start). */
  private timeAt(clientX: number): number {
    const x = clientX - this.canvas.getBoundingClientRect().left;
    const fraction = (x - LABEL_WIDTH) / (this.canvas.clientWidth - LABEL_WIDTH);
    return this.view.start + Math.min(1, Math.max(0, fraction)) * this.view.span;
  }

  /** The task or region drawn under a pointer, if any. */
  private annotationAt(event: PointerEvent): Selection | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (y < AXIS_HEIGHT || x < LABEL_WIDTH) return undefined;
    const row = rowAt(this.layout.rows, y - AXIS_HEIGHT + this.scrollY);
    if (!row || (row.kind !== 'task' && row.kind !== 'region')) return undefined;
    const level = (row.kind === 'task' ? this.annotations.tasks : this.annotations.regions)[row.level];
    const nsPerPx = this.view.span / (this.canvas.clientWidth - LABEL_WIDTH);
    const t = this.view.start + (x - LABEL_WIDTH) * nsPerPx;
    const slop = 2 * nsPerPx;
    const i = upperBound(level.end, t - slop, 0, level.items.length);
    return i < level.items.length && level.start[i] <= t + slop ? { kind: row.kind, index: level.items[i] } : undefined;
  }

  /** A task's or region's name and duration as the pointer's tooltip. */
  private hover(event: PointerEvent): void {
    const model = this.model;
    const hit = model && this.annotationAt(event);
    const text = hit && (hit.kind === 'task' || hit.kind === 'region') ? this.annotationText(hit.kind, hit.index) : '';
    if (this.canvas.title !== text) this.canvas.title = text;
  }

  private annotationText(kind: 'task' | 'region', i: number): string {
    const model = this.model!;
    const table = kind === 'task' ? model.tasks : model.regions;
    const name = table.name[i] < 0 ? '' : model.strings[table.name[i]];
    const { start, end } = annotationExtent(model, kind, i);
    const cut = Number.isNaN(table.start[i]) || Number.isNaN(table.end[i]);
    return `${kind === 'task' ? 'Task' : 'Region'} ${name || '(unnamed)'}: ${cut ? 'at least ' : ''}${formatNs(end - start)}`;
  }

  private click(event: PointerEvent): void {
    const model = this.model;
    if (!model) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (y < AXIS_HEIGHT) return;
    const row = rowAt(this.layout.rows, y - AXIS_HEIGHT + this.scrollY);
    if (!row) return;
    if (row.kind === 'task' || row.kind === 'region') {
      this.select(this.annotationAt(event));
      return;
    }
    if (row.kind === 'group') {
      this.groups[row.group].expanded = !this.groups[row.group].expanded;
      this.relayout();
      this.invalidate();
      return;
    }
    if (row.kind === 'annotations') {
      this.unfolded[row.of] = !this.unfolded[row.of];
      this.relayout();
      this.invalidate();
      return;
    }
    if (x < LABEL_WIDTH) return;
    const nsPerPx = this.view.span / (this.canvas.clientWidth - LABEL_WIDTH);
    const t = this.view.start + (x - LABEL_WIDTH) * nsPerPx;
    const slop = 2 * nsPerPx;
    if (row.kind === 'proc') {
      const p = model.procs;
      const i = spanEndingAfter(model, t - slop, p.spanOffsets[row.proc], p.spanOffsets[row.proc + 1]);
      this.select(i < p.spanOffsets[row.proc + 1] && spanStart(model, i) <= t + slop ? { kind: 'span', index: i } : undefined);
    } else if (row.kind === 'goroutine') {
      const lane = goroutineLane(model, row.goroutine);
      const i = upperBound(lane.end, t - slop, 0, lane.rows.length);
      const hit = i < lane.rows.length && lane.start[i] <= t + slop && model.intervals.state[lane.rows[i]] !== GoState.NotExist;
      this.select(hit ? { kind: 'interval', index: lane.rows[i] } : undefined);
    }
  }

  // ---- selection and details -----------------------------------------------

  private select(selection: Selection | undefined): void {
    this.selection = selection;
    const sel = this.selected();
    this.selectedFlows = sel && this.model ? selectionFlows(this.model, sel.interval) : undefined;
    this.renderDetails();
    this.invalidate();
  }

  /** The goroutine index and time range of the selected slice (not of a task or region). */
  private selected(): { g: number; start: number; end: number; interval: number } | undefined {
    const model = this.model;
    const s = this.selection;
    if (!model || !s || s.kind === 'task' || s.kind === 'region') return undefined;
    if (s.kind === 'span') {
      const p = model.procs;
      return { g: spanGoroutine(model, s.index), start: spanStart(model, s.index), end: spanEnd(model, s.index), interval: p.spanInterval[s.index] };
    }
    const iv = model.intervals;
    return { g: goroutineOfInterval(model, s.index), start: iv.start[s.index], end: intervalEnd(model, s.index), interval: s.index };
  }

  private renderDetails(): void {
    const model = this.model;
    const sel = this.selected();
    this.details.replaceChildren();
    const s = this.selection;
    if (model && s && (s.kind === 'task' || s.kind === 'region')) {
      this.renderAnnotationDetails(model, s.kind, s.index);
      return;
    }
    if (!model || !sel) {
      this.details.hidden = true;
      return;
    }
    this.details.hidden = false;
    const { g, start, end, interval } = sel;
    const gid = model.goroutines.id[g];
    const fn = startFunctionName(model, g);
    const head = element('h2', 'tl-details-title');
    head.append(element('span', 'tl-goroutine', `Goroutine ${gid}`), element('span', 'tl-function', fn || '(unknown start function)'));
    this.details.dataset.goroutine = String(gid);
    this.details.dataset.runningNs = String(model.goroutines.runningNs[g]);
    const facts = element('dl', 'tl-facts');
    const fact = (term: string, value: string, name?: string) => {
      const dd = element('dd', '', value);
      if (name) dd.dataset.fact = name;
      facts.append(element('dt', '', term), dd);
    };
    const iv = model.intervals;
    const state = iv.state[interval];
    if (this.selection?.kind === 'span') {
      fact('Ran on', `Proc ${model.procs.id[procOfSpan(model, this.selection.index)]}`, 'proc');
    } else {
      fact('State', this.stateText(interval), 'state');
    }
    fact('From', formatNs(start), 'start');
    fact('For', formatNs(end - start), 'duration');
    fact('Running in total', formatNs(model.goroutines.runningNs[g]), 'running');
    const next = nextInterval(model, interval);
    if (state === GoroutineState.Running && next >= 0) fact('Then', this.stateText(next), 'then');
    const creator = model.goroutines.createdBy[g];
    if (creator >= 0) fact('Created by', `Goroutine ${model.goroutines.id[creator]}`, 'creator');
    this.details.append(head, facts);

    this.appendFlows();
    // Where a running slice ended is the next interval's stack; an interval's own stack is where it began.
    const stopStack = state === GoroutineState.Running ? (next >= 0 ? iv.stack[next] : -1) : iv.stack[interval];
    this.appendStack(state === GoroutineState.Running ? 'Stopped at' : 'Began at', stopStack);
    this.appendStack('Created at', model.goroutines.creationStack[g]);
  }

  private renderAnnotationDetails(model: TraceModel, kind: 'task' | 'region', i: number): void {
    this.details.hidden = false;
    delete this.details.dataset.goroutine;
    delete this.details.dataset.runningNs;
    const table = kind === 'task' ? model.tasks : model.regions;
    const name = table.name[i] < 0 ? '' : model.strings[table.name[i]];
    const head = element('h2', 'tl-details-title');
    head.append(element('span', 'tl-goroutine', kind === 'task' ? 'Task' : 'Region'), element('span', 'tl-function', name || '(unnamed)'));
    const facts = element('dl', 'tl-facts');
    const fact = (term: string, value: string, factName: string) => {
      const dd = element('dd', '', value);
      dd.dataset.fact = factName;
      facts.append(element('dt', '', term), dd);
    };
    const { start, end } = annotationExtent(model, kind, i);
    fact('From', Number.isNaN(table.start[i]) ? 'before the trace' : formatNs(start), 'start');
    fact('Until', Number.isNaN(table.end[i]) ? 'after the trace' : formatNs(end), 'end');
    fact('For', this.annotationText(kind, i).replace(/^.*: /, ''), 'duration');
    const g = kind === 'task' ? model.tasks.goroutine[i] : model.regions.goroutine[i];
    if (g >= 0) fact(kind === 'task' ? 'Begun by' : 'On', `Goroutine ${model.goroutines.id[g]}`, 'goroutine');
    const task = kind === 'task' ? model.tasks.parent[i] : model.regions.task[i];
    if (task >= 0) {
      const taskName = model.tasks.name[task] < 0 ? '' : model.strings[model.tasks.name[task]];
      fact(kind === 'task' ? 'Parent task' : 'In task', `${taskName || '(unnamed)'} (id ${model.tasks.id[task]})`, 'task');
    }
    this.details.append(head, facts);
  }

  private stateText(interval: number): string {
    const model = this.model!;
    const name = GO_STATE_NAMES[model.intervals.state[interval]];
    const reason = model.intervals.reason[interval];
    return reason >= 0 ? `${name} (${model.strings[reason]})` : name;
  }

  private appendStack(title: string, stack: number): void {
    const model = this.model!;
    const frames = stackFrames(model, stack);
    if (frames.length === 0) return;
    const list = element('ol', 'tl-stack');
    for (const f of frames) {
      const item = element('li', '');
      const link = element('a', 'tl-frame', f.func);
      link.href = '#';
      link.title = `${f.file}:${f.line}`;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        this.host.post({ type: 'openSource', file: f.file, line: f.line, functionName: f.func });
      });
      item.append(link, element('span', 'tl-location', ` ${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line}`));
      list.append(item);
    }
    this.details.append(element('h3', '', title), list);
  }

  /** The selection's arrows as links: each selects the slice at the arrow's other end. */
  private appendFlows(): void {
    const model = this.model!;
    const flows = this.selectedFlows;
    if (!flows || flows.incoming.length + flows.outgoing.length === 0) return;
    const name = (g: number) => (g >= 0 ? `G${model.goroutines.id[g]}` : 'no goroutine (the runtime, a timer or the network poller)');
    const list = element('ul', 'tl-flows');
    const item = (flow: Flow, direction: 'in' | 'out', text: string, end: FlowEnd) => {
      const li = element('li', flow.kind === EdgeKind.Create ? 'tl-flow-create' : 'tl-flow-unblock');
      li.dataset.direction = direction;
      li.dataset.kind = flow.kind === EdgeKind.Create ? 'create' : 'unblock';
      if (end.goroutine >= 0 && (end.span >= 0 || this.layout.goroutineRows.has(end.goroutine))) {
        const link = element('a', 'tl-flow-link', text);
        link.href = '#';
        link.addEventListener('click', (event) => {
          event.preventDefault();
          this.followFlow(end);
        });
        li.append(link);
      } else li.append(text);
      list.append(li);
    };
    for (const flow of flows.incoming) {
      const verb = flow.kind === EdgeKind.Create ? 'created by' : 'unblocked by';
      item(flow, 'in', `${verb} ${name(flow.from.goroutine)} at ${formatNs(flow.from.time)}`, flow.from);
    }
    for (const flow of flows.outgoing) {
      const verb = flow.kind === EdgeKind.Create ? 'created' : 'unblocked';
      const ran = flow.to.span >= 0 ? `, which ran at ${formatNs(flow.to.time)}` : '';
      item(flow, 'out', `${verb} ${name(flow.to.goroutine)} at ${formatNs(flow.from.time)}${ran}`, flow.to);
    }
    if (flows.moreOutgoing > 0) list.append(element('li', 'tl-empty', `and ${flows.moreOutgoing} more`));
    this.details.append(element('h3', '', 'Flow'), list);
  }

  /** Selects the slice at a flow arrow's end (its P-lane slice, else its goroutine lane's interval) and brings it into view. */
  private followFlow(end: FlowEnd): void {
    if (end.span >= 0) {
      this.reveal(end.span);
      return;
    }
    const model = this.model!;
    const lane = goroutineLane(model, end.goroutine);
    const k = upperBound(lane.start, end.time, 0, lane.rows.length) - 1;
    const row = this.layout.goroutineRows.get(end.goroutine);
    if (k < 0 || !row) return;
    this.view.reveal(lane.start[k], lane.end[k]);
    this.scrollTo(row);
    this.select({ kind: 'interval', index: lane.rows[k] });
  }

  private scrollTo(row: { y: number; height: number }): void {
    if (row.y < this.scrollY || row.y + row.height > this.scrollY + this.plotHeight()) {
      this.scrollY = row.y - this.plotHeight() / 3;
      this.clampScroll();
    }
  }

  private reveal(span: number): void {
    const model = this.model!;
    this.view.reveal(spanStart(model, span), spanEnd(model, span));
    const row = this.layout.procRows[procOfSpan(model, span)];
    if (row) this.scrollTo(row);
    this.select({ kind: 'span', index: span });
  }

  // ---- goroutine analysis -----------------------------------------------------

  /** Shows or hides a table under the timeline, made the first time it is shown. */
  private toggle(section: HTMLElement, button: HTMLButtonElement, render: (model: TraceModel) => void): void {
    const model = this.model;
    if (!model) return;
    const show = section.hidden;
    section.hidden = !show;
    button.setAttribute('aria-pressed', String(show));
    if (show && section.childElementCount === 0) render(model);
    this.resize();
    this.invalidate();
  }

  /** The table of `go tool trace`'s goroutine analysis, per start function; clicking a row searches for it. */
  private renderAnalysis(model: TraceModel): void {
    const table = element('table', 'tl-analysis-table');
    const head = element('tr', '');
    for (const title of ['Start function', 'Goroutines', 'Execution', 'Scheduler wait', 'Syscall', 'Blocked (by reason)']) {
      head.append(element('th', '', title));
    }
    table.append(head);
    for (const row of goroutineAnalysis(model)) {
      const tr = element('tr', '');
      tr.dataset.startFunction = row.startFunction;
      tr.dataset.executionNs = String(row.executionNs);
      const blocked = Object.entries(row.blockedNs)
        .sort((a, b) => b[1] - a[1])
        .map(([why, ns]) => `${why || 'unknown'} ${formatNs(ns)}`)
        .join(', ');
      const name = element('td', 'tl-function');
      const link = element('a', 'tl-frame', row.startFunction || '(unknown start function)');
      link.href = '#';
      link.title = 'Search for these goroutines';
      link.addEventListener('click', (event) => {
        event.preventDefault();
        this.search.value = exactFunctionQuery(row.startFunction);
        this.applySearch();
        this.stepSearch(1);
      });
      name.append(link);
      tr.append(
        name,
        element('td', 'tl-number', String(row.goroutines)),
        element('td', 'tl-number', formatNs(row.executionNs)),
        element('td', 'tl-number', formatNs(row.schedulerWaitNs)),
        element('td', 'tl-number', formatNs(row.syscallNs)),
        element('td', '', blocked),
      );
      table.append(tr);
    }
    this.analysis.append(table);
  }

  /** User tasks and regions per name: how many and how long; clicking a row shows its longest one. */
  private renderAnnotations(model: TraceModel): void {
    const rows = annotationSummary(model);
    if (rows.length === 0) {
      this.annotationsTable.append(element('p', 'tl-empty', 'This trace has no user tasks or regions (runtime/trace.NewTask, StartRegion).'));
      return;
    }
    const table = element('table', 'tl-analysis-table');
    const head = element('tr', '');
    for (const title of ['Kind', 'Name', 'Count', 'Total', 'Mean', 'Longest', 'Cut by the trace']) head.append(element('th', '', title));
    table.append(head);
    for (const row of rows) {
      const tr = element('tr', '');
      Object.assign(tr.dataset, {
        kind: row.kind,
        name: row.name,
        count: String(row.count),
        totalNs: String(row.totalNs),
        maxNs: String(row.maxNs),
        incomplete: String(row.incomplete),
      });
      const name = element('td', 'tl-function');
      const link = element('a', 'tl-frame', row.name || '(unnamed)');
      link.href = '#';
      link.title = `Show the longest ${row.kind} named ${row.name || '(unnamed)'}`;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        this.revealLongest(model, row.kind, row.name);
      });
      name.append(link);
      tr.append(
        element('td', '', row.kind === 'task' ? 'Task' : 'Region'),
        name,
        element('td', 'tl-number', String(row.count)),
        element('td', 'tl-number', formatNs(row.totalNs)),
        element('td', 'tl-number', row.count > 0 ? formatNs(row.meanNs) : '—'),
        element('td', 'tl-number', row.count > 0 ? formatNs(row.maxNs) : '—'),
        element('td', 'tl-number', String(row.incomplete)),
      );
      table.append(tr);
    }
    this.annotationsTable.append(table);
  }

  private revealLongest(model: TraceModel, kind: 'task' | 'region', name: string): void {
    const table = kind === 'task' ? model.tasks : model.regions;
    let best = -1;
    let bestNs = -1;
    for (let i = 0; i < table.name.length; i++) {
      if ((table.name[i] < 0 ? '' : model.strings[table.name[i]]) !== name) continue;
      const { start, end } = annotationExtent(model, kind, i);
      if (end - start > bestNs) [best, bestNs] = [i, end - start];
    }
    if (best < 0) return;
    const { start, end } = annotationExtent(model, kind, best);
    this.view.reveal(start, end);
    if (!this.unfolded[kind]) {
      this.unfolded[kind] = true;
      this.relayout();
    }
    const level = (kind === 'task' ? this.annotations.taskLevel : this.annotations.regionLevel)[best];
    const row = this.layout.rows.find((r) => r.kind === kind && r.level === level);
    if (row) this.scrollTo(row);
    this.select({ kind, index: best });
  }

  /** The MMU curve, computed in the worker, as go tool trace's /mmu page draws it: window length on a log scale. */
  private async renderMMU(): Promise<void> {
    this.mmuPanel.append(element('p', 'tl-empty', 'Computing the minimum mutator utilization…'));
    let curve: MMUPoint[];
    try {
      curve = await (await this.source).mmu();
    } catch (error) {
      this.mmuPanel.replaceChildren(element('p', 'tl-empty', `MMU failed: ${(error as Error).message}`));
      return;
    }
    if (curve.length === 0) {
      this.mmuPanel.replaceChildren(element('p', 'tl-empty', 'This trace has too few events for an MMU curve.'));
      return;
    }
    const svgNs = 'http://www.w3.org/2000/svg';
    const svg = (tag: string, attributes: Record<string, string | number>) => {
      const e = document.createElementNS(svgNs, tag);
      for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
      return e;
    };
    const [width, height, left, bottom, top] = [640, 170, 44, 22, 8];
    const logMin = Math.log10(curve[0].window);
    const logSpan = Math.max(1e-9, Math.log10(curve[curve.length - 1].window) - logMin);
    const x = (window: number) => left + ((Math.log10(window) - logMin) / logSpan) * (width - left - 8);
    const y = (mmu: number) => top + (1 - mmu) * (height - top - bottom);
    const chart = svg('svg', { class: 'tl-mmu-chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
    chart.append(Object.assign(svg('title', {}), { textContent: 'Minimum mutator utilization by window length' }));
    for (const u of [0, 0.5, 1]) {
      chart.append(svg('line', { class: 'tl-mmu-grid', x1: left, x2: width - 8, y1: y(u), y2: y(u) }));
      chart.append(Object.assign(svg('text', { class: 'tl-mmu-label', x: left - 6, y: y(u) + 4, 'text-anchor': 'end' }), { textContent: `${u * 100}%` }));
    }
    for (let p = Math.ceil(logMin); p <= logMin + logSpan; p++) {
      const at = x(10 ** p);
      chart.append(svg('line', { class: 'tl-mmu-grid', x1: at, x2: at, y1: top, y2: height - bottom }));
      chart.append(Object.assign(svg('text', { class: 'tl-mmu-label', x: at, y: height - 6, 'text-anchor': 'middle' }), { textContent: formatNs(10 ** p) }));
    }
    chart.append(svg('polyline', { class: 'tl-mmu-line', points: curve.map((p) => `${x(p.window).toFixed(1)},${y(p.mmu).toFixed(1)}`).join(' ') }));
    for (const p of curve) {
      const dot = svg('circle', { class: 'tl-mmu-point', cx: x(p.window).toFixed(1), cy: y(p.mmu).toFixed(1), r: 2.5 });
      dot.dataset.window = String(p.window);
      dot.dataset.mmu = String(p.mmu);
      dot.append(Object.assign(svg('title', {}), { textContent: `${formatNs(p.window)} windows: at least ${(p.mmu * 100).toFixed(1)}% for the program` }));
      chart.append(dot);
    }
    const note = element(
      'p',
      'tl-empty',
      'Minimum mutator utilization: the least share of the CPU the program kept in any window of that length, with stop-the-world, background mark workers and mark assists counted as GC (go tool trace /mmu).',
    );
    this.mmuPanel.replaceChildren(chart, note);
  }

  // ---- range selection -------------------------------------------------------

  /** Fills the range panel with where the selected range's time went, or hides it when no range is selected. */
  private showRange(): void {
    const model = this.model;
    const range = this.range;
    this.rangePanel.replaceChildren();
    if (!model || !range || range.end <= range.start) {
      this.range = undefined;
      this.rangePanel.hidden = true;
      this.resize();
      this.invalidate();
      return;
    }
    const summary = rangeSummary(model, range.start, range.end);
    this.rangePanel.hidden = false;
    this.rangePanel.dataset.start = String(summary.start);
    this.rangePanel.dataset.end = String(summary.end);
    const title = element('h2', 'tl-details-title');
    title.append(
      element('span', 'tl-goroutine', `${formatNs(summary.end - summary.start)} selected`),
      element('span', 'tl-range-bounds', `${formatNs(summary.start)} – ${formatNs(summary.end)} · Shift+drag again, Esc clears`),
    );
    const states = element('table', 'tl-analysis-table tl-range-states');
    const head = element('tr', '');
    for (const t of ['Goroutine time in the range', 'Total', 'Share']) head.append(element('th', '', t));
    states.append(head);
    const entries = rangeStateEntries(summary);
    const all = entries.reduce((sum, [, ns]) => sum + ns, 0);
    for (const [key, ns] of entries) {
      const tr = element('tr', '');
      tr.dataset.state = key;
      tr.dataset.ns = String(ns);
      tr.append(
        element('td', '', key.replace(/^Waiting:(.*)$/, (_, why: string) => `Waiting (${why || 'no reason given'})`)),
        element('td', 'tl-number', formatNs(ns)),
        element('td', 'tl-number', all > 0 ? `${((ns / all) * 100).toFixed(1)}%` : ''),
      );
      states.append(tr);
    }
    const facts = element('dl', 'tl-facts');
    const fact = (term: string, value: number, name: string, text = value.toLocaleString('en-US')) => {
      const dd = element('dd', '', text);
      dd.dataset.fact = name;
      dd.dataset.value = String(value);
      facts.append(element('dt', '', term), dd);
    };
    fact('Goroutines active', summary.goroutines, 'goroutines');
    fact('Goroutines created', summary.goroutinesCreated, 'created');
    fact('GC cycles', summary.gcCycles, 'gc');
    fact('Stop-the-world pauses', summary.stwPauses, 'stw');
    fact('Stopped the world for', summary.stwNs, 'stwNs', formatNs(summary.stwNs));
    this.rangePanel.append(title, states, facts);
    this.resize();
    this.invalidate();
  }

  private async openBlockingProfile(kind: BlockingKind, button: HTMLButtonElement): Promise<void> {
    if (!this.model || button.disabled) return;
    button.disabled = true;
    try {
      const source = await this.source;
      const bytes = await source.blockingProfile(kind);
      this.host.post({ type: 'blockingProfile', kind, bytes });
    } catch (error) {
      this.host.post({ type: 'error', message: `${BLOCKING_TITLES[kind]}: ${(error as Error).message}` });
      this.warning.hidden = false;
      this.warning.textContent = `${BLOCKING_TITLES[kind]} failed: ${(error as Error).message}`;
    } finally {
      button.disabled = false;
    }
  }

  // ---- search ----------------------------------------------------------------

  private applySearch(): void {
    const model = this.model;
    if (!model) return;
    const query = this.search.value.trim();
    const matcher = compileQuery(query);
    if (!matcher) {
      this.matches = undefined;
      this.matchCount = 0;
      this.searchStatus.textContent = '';
      this.invalidate();
      return;
    }
    const id = /^g?(\d+)$/i.exec(query);
    const matches = new Uint8Array(model.goroutines.count);
    let count = 0;
    for (let g = 0; g < model.goroutines.count; g++) {
      if ((id && model.goroutines.id[g] === Number(id[1])) || matcher(startFunctionName(model, g))) {
        matches[g] = 1;
        count++;
      }
    }
    this.matches = matches;
    this.matchCount = count;
    this.searchStatus.textContent = `${count} goroutine${count === 1 ? '' : 's'}`;
    this.invalidate();
  }

  /** Selects the next (or previous) P-lane slice of a matching goroutine after the selection. */
  private stepSearch(direction: 1 | -1): void {
    const model = this.model;
    if (!model) return;
    if (!this.matches) this.applySearch();
    const matches = this.matches;
    if (!matches) return;
    const p = model.procs;
    const current = this.selection?.kind === 'span' ? this.selection.index : -1;
    const from = current >= 0 ? spanStart(model, current) : direction > 0 ? -Infinity : Infinity;
    let best = -1;
    for (let proc = 0; proc < p.count; proc++) {
      const lo = p.spanOffsets[proc];
      const hi = p.spanOffsets[proc + 1];
      if (direction > 0) {
        for (let i = lo; i < hi; i++) {
          const s = spanStart(model, i);
          if (!matches[spanGoroutine(model, i)] || s < from || (s === from && i <= current)) continue;
          if (best < 0 || s < spanStart(model, best)) best = i;
          break;
        }
      } else {
        for (let i = hi - 1; i >= lo; i--) {
          const s = spanStart(model, i);
          if (!matches[spanGoroutine(model, i)] || s > from || (s === from && i >= current)) continue;
          if (best < 0 || s > spanStart(model, best)) best = i;
          break;
        }
      }
    }
    if (best < 0) {
      this.searchStatus.textContent = `${this.matchCount} goroutines · no more slices`;
      return;
    }
    this.searchStatus.textContent = `${this.matchCount} goroutines · G${model.goroutines.id[spanGoroutine(model, best)]} at ${formatNs(spanStart(model, best))}`;
    this.reveal(best);
  }

  // ---- test hooks ------------------------------------------------------------

  hooks(): TimelineTestHooks {
    return {
      state: () => {
        const sel = this.selected();
        return {
          state: this.pageState,
          fileName: this.fileName,
          where: this.where,
          readMillis: this.readMillis,
          firstPaintMillis: this.firstPaintMillis,
          view: { start: this.view.start, end: this.view.end },
          duration: this.model?.durationNs ?? 0,
          scrollY: this.scrollY,
          goroutines: this.model?.goroutines.count ?? 0,
          procs: this.model?.procs.count ?? 0,
          spans: this.model?.procs.spanInterval.length ?? 0,
          draws: this.draws,
          lastDraw: { ...this.lastDraw },
          selection: sel && this.model && this.selection
            ? { kind: this.selection.kind, goroutineId: this.model.goroutines.id[sel.g], start: sel.start, end: sel.end }
            : undefined,
          searchMatches: this.matchCount,
          range: this.range && { ...this.range },
          taskLevels: this.annotations.tasks.length,
          regionLevels: this.annotations.regions.length,
          mode: this.mode,
          measure: this.measure && { ...this.measure },
          allFlows: this.allFlows,
        };
      },
      flows: () => this.flowBoxes(),
      slices: (minWidth) => this.visibleSlices(minWidth),
      annotations: (minWidth) => this.visibleAnnotations(minWidth),
      frameTimes: () => [...this.frameTimes],
    };
  }

  private flowBoxes(): FlowBox[] {
    const model = this.model;
    const drawn = this.drawnFlows();
    if (!model || !drawn) return [];
    const rect = this.canvas.getBoundingClientRect();
    const geometry = {
      model,
      view: this.view,
      width: this.canvas.clientWidth,
      scrollY: this.scrollY,
      procRows: this.layout.procRows,
      goroutineRows: this.layout.goroutineRows,
    };
    const page = (p: { x: number; y: number } | undefined) => p && { x: rect.left + p.x, y: rect.top + p.y };
    const id = (g: number) => (g >= 0 ? model.goroutines.id[g] : -1);
    const proc = (span: number) => (span >= 0 ? model.procs.id[procOfSpan(model, span)] : -1);
    return drawn.flows.map((flow) => ({
      kind: flow.kind === EdgeKind.Create ? 'create' : 'unblock',
      fromGoroutine: id(flow.from.goroutine),
      fromTime: flow.from.time,
      fromProc: proc(flow.from.span),
      toGoroutine: id(flow.to.goroutine),
      toTime: flow.to.time,
      toProc: proc(flow.to.span),
      from: page(flowPoint(geometry, flow.from, drawn.onGoroutineLanes)),
      to: page(flowPoint(geometry, flow.to, drawn.onGoroutineLanes)),
    }));
  }

  private visibleAnnotations(minWidth: number): AnnotationBox[] {
    const model = this.model;
    if (!model) return [];
    const rect = this.canvas.getBoundingClientRect();
    const scale = (this.canvas.clientWidth - LABEL_WIDTH) / this.view.span;
    const out: AnnotationBox[] = [];
    for (const row of this.layout.rows) {
      if (row.kind !== 'task' && row.kind !== 'region') continue;
      const y = AXIS_HEIGHT + row.y - this.scrollY;
      if (y < AXIS_HEIGHT || y + row.height > this.canvas.clientHeight) continue;
      const level = (row.kind === 'task' ? this.annotations.tasks : this.annotations.regions)[row.level];
      const table = row.kind === 'task' ? model.tasks : model.regions;
      for (let k = 0; k < level.items.length; k++) {
        const x0 = Math.max(LABEL_WIDTH, LABEL_WIDTH + (level.start[k] - this.view.start) * scale);
        const x1 = Math.min(this.canvas.clientWidth, LABEL_WIDTH + (level.end[k] - this.view.start) * scale);
        if (x1 - x0 < minWidth) continue;
        const i = level.items[k];
        out.push({
          x: rect.left + x0,
          y: rect.top + y + 2,
          width: x1 - x0,
          height: row.height - 4,
          kind: row.kind,
          name: table.name[i] < 0 ? '' : model.strings[table.name[i]],
          durationNs: table.end[i] - table.start[i],
        });
      }
    }
    return out;
  }

  private visibleSlices(minWidth: number): SliceBox[] {
    const model = this.model;
    if (!model) return [];
    const rect = this.canvas.getBoundingClientRect();
    const scale = (this.canvas.clientWidth - LABEL_WIDTH) / this.view.span;
    const out: SliceBox[] = [];
    const p = model.procs;
    for (const row of this.layout.procRows) {
      if (row.kind !== 'proc') continue;
      const y = AXIS_HEIGHT + row.y - this.scrollY;
      if (y < AXIS_HEIGHT || y + row.height > this.canvas.clientHeight) continue;
      for (let i = spanEndingAfter(model, this.view.start, p.spanOffsets[row.proc], p.spanOffsets[row.proc + 1]); i < p.spanOffsets[row.proc + 1]; i++) {
        if (spanStart(model, i) > this.view.end) break;
        const x0 = Math.max(LABEL_WIDTH, LABEL_WIDTH + (spanStart(model, i) - this.view.start) * scale);
        const x1 = Math.min(this.canvas.clientWidth, LABEL_WIDTH + (spanEnd(model, i) - this.view.start) * scale);
        if (x1 - x0 < minWidth) continue;
        out.push({
          x: rect.left + x0,
          y: rect.top + y + 2,
          width: x1 - x0,
          height: row.height - 4,
          span: i,
          goroutineId: model.goroutines.id[spanGoroutine(model, i)],
          proc: model.procs.id[row.proc],
        });
      }
    }
    return out;
  }
}

/** The range's goroutine time as rows keyed like Go's states ("Running", "Waiting:<reason>"), largest first. */
function rangeStateEntries(summary: RangeSummary): [string, number][] {
  const entries: [string, number][] = [
    ['Running', summary.runningNs],
    ['Runnable', summary.runnableNs],
    ['Syscall', summary.syscallNs],
    ...Object.entries(summary.waitingNs).map(([why, ns]): [string, number] => [`Waiting:${why}`, ns]),
  ];
  return entries.sort((a, b) => b[1] - a[1]);
}
