// The timeline page: toolbar with search, the canvas, and a details panel for
// the selected slice. Navigation follows `go tool trace`: W/S zoom, A/D pan,
// `/` search with Enter stepping through matches (Shift+Enter back); the
// mouse drags, Ctrl/⌘+wheel zooms at the pointer, the wheel scrolls.

import { goroutineAnalysis } from '../../src/core/trace/analysis';
import { EdgeKind, GoroutineState, nextInterval, stackFrames, startFunctionName, type TraceModel } from '../../src/core/trace/model';
import { GO_STATE_NAMES } from '../../src/core/trace/spec';
import type { Host } from '../common/page';
import { compileQuery, exactFunctionQuery } from '../flame/search';
import {
  AXIS_HEIGHT,
  drawTimeline,
  goroutineColours,
  goroutineLane,
  goroutineOfInterval,
  LABEL_WIDTH,
  procOfSpan,
  readTheme,
  type DrawStats,
  type Selection,
  type Theme,
} from './draw';
import type { ModelSource } from './modelSource';
import { goroutineGroups, layoutRows, rowAt, type GoroutineGroup, type Layout } from './rows';
import { formatBytes, formatNs, upperBound, Viewport } from './viewport';

type PageState = 'waiting' | 'loading' | 'rendered' | 'error';

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
  };
  /** Visible P-lane slices at least `minWidth` px wide. */
  slices(minWidth: number): SliceBox[];
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

  private model: TraceModel | undefined;
  private groups: GoroutineGroup[] = [];
  private layout: Layout = { rows: [], height: 0, procRows: [], goroutineRows: new Map() };
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
  private lastDraw: DrawStats = { rects: 0, covered: 0 };
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
    const help = element('span', 'tl-help', 'W/S zoom · A/D pan · drag · Ctrl+wheel zoom · click a slice');
    this.analysisButton.type = 'button';
    this.analysisButton.setAttribute('aria-pressed', 'false');
    this.analysisButton.addEventListener('click', () => this.toggleAnalysis());
    this.toolbar.append(this.fileLabel, this.summary, this.search, this.searchStatus, this.analysisButton, help);
    this.analysis.hidden = true;
    this.warning.hidden = true;
    this.warning.setAttribute('role', 'status');
    this.details.hidden = true;
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('aria-label', 'Trace timeline');
    this.main.append(this.canvas);
    document.body.append(this.toolbar, this.warning, this.main, this.analysis, this.details, this.message);
    this.setState('waiting');
    this.listen();
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
    this.relayout();
    this.view = new Viewport(model.durationNs);
    this.theme = readTheme();
    this.colours = goroutineColours(model, this.groups, this.theme.dark);
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
    this.host.post({ type: 'rendered', nodeCount: model.procs.spanStart.length, millis: this.readMillis });
  }

  private relayout(): void {
    if (!this.model) return;
    this.layout = layoutRows(this.model, this.groups);
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
    });
    this.draws++;
    this.frameTimes.push(performance.now() - started);
    if (this.frameTimes.length > 2000) this.frameTimes.shift();
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

    let drag: { x: number; y: number; start: number; scrollY: number; moved: boolean } | undefined;
    this.canvas.addEventListener('pointerdown', (event) => {
      this.canvas.focus();
      drag = { x: event.clientX, y: event.clientY, start: this.view.start, scrollY: this.scrollY, moved: false };
      this.canvas.setPointerCapture(event.pointerId);
    });
    this.canvas.addEventListener('pointermove', (event) => {
      const rect = this.canvas.getBoundingClientRect();
      this.pointerX = event.clientX - rect.left;
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      drag.moved = true;
      const nsPerPx = this.view.span / (this.canvas.clientWidth - LABEL_WIDTH);
      this.view.set(drag.start - dx * nsPerPx, drag.start - dx * nsPerPx + this.view.span);
      this.scrollY = drag.scrollY - dy;
      this.clampScroll();
      this.invalidate();
    });
    this.canvas.addEventListener('pointerup', (event) => {
      const wasDrag = drag?.moved;
      drag = undefined;
      if (!wasDrag) this.click(event);
    });
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
    const plot = this.canvas.clientWidth - LABEL_WIDTH;
    if (this.pointerX === undefined || this.pointerX < LABEL_WIDTH) return 0.5;
    return Math.min(1, Math.max(0, (this.pointerX - LABEL_WIDTH) / plot));
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
      case 'Escape':
        this.select(undefined);
        break;
      default:
        return;
    }
    event.preventDefault();
    this.invalidate();
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
    if (row.kind === 'group') {
      this.groups[row.group].expanded = !this.groups[row.group].expanded;
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
      const i = upperBound(p.spanEnd, t - slop, p.spanOffsets[row.proc], p.spanOffsets[row.proc + 1]);
      this.select(i < p.spanOffsets[row.proc + 1] && p.spanStart[i] <= t + slop ? { kind: 'span', index: i } : undefined);
    } else if (row.kind === 'goroutine') {
      const lane = goroutineLane(model, row.goroutine);
      const i = upperBound(lane.end, t - slop, 0, lane.rows.length);
      this.select(i < lane.rows.length && lane.start[i] <= t + slop ? { kind: 'interval', index: lane.rows[i] } : undefined);
    }
  }

  // ---- selection and details -----------------------------------------------

  private select(selection: Selection | undefined): void {
    this.selection = selection;
    this.renderDetails();
    this.invalidate();
  }

  /** The goroutine index and time range of the selection. */
  private selected(): { g: number; start: number; end: number; interval: number } | undefined {
    const model = this.model;
    const s = this.selection;
    if (!model || !s) return undefined;
    if (s.kind === 'span') {
      const p = model.procs;
      return { g: p.spanGoroutine[s.index], start: p.spanStart[s.index], end: p.spanEnd[s.index], interval: p.spanInterval[s.index] };
    }
    const iv = model.intervals;
    return { g: goroutineOfInterval(model, s.index), start: iv.start[s.index], end: iv.end[s.index], interval: s.index };
  }

  private renderDetails(): void {
    const model = this.model;
    const sel = this.selected();
    this.details.replaceChildren();
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

    const unblock = this.unblockerOf(g, start);
    if (unblock !== undefined) {
      const button = element('button', 'tl-follow', `Go to goroutine ${model.goroutines.id[unblock.from]}, which made it runnable`);
      button.addEventListener('click', () => this.follow(unblock.from, unblock.time));
      this.details.append(button);
    }
    // Where a running slice ended is the next interval's stack; an interval's own stack is where it began.
    const stopStack = state === GoroutineState.Running ? (next >= 0 ? iv.stack[next] : -1) : iv.stack[interval];
    this.appendStack(state === GoroutineState.Running ? 'Stopped at' : 'Began at', stopStack);
    this.appendStack('Created at', model.goroutines.creationStack[g]);
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

  /** The latest unblock of goroutine g by another goroutine at or before `t`. */
  private unblockerOf(g: number, t: number): { from: number; time: number } | undefined {
    const e = this.model!.edges;
    const last = upperBound(e.time, t, 0, e.time.length);
    for (let i = last - 1; i >= 0; i--) {
      if (e.to[i] !== g) continue;
      if (e.kind[i] === EdgeKind.Unblock || e.kind[i] === EdgeKind.Create) return e.from[i] >= 0 ? { from: e.from[i], time: e.time[i] } : undefined;
    }
    return undefined;
  }

  /** Selects goroutine g's P-lane slice around time t and brings it into view. */
  private follow(g: number, t: number): void {
    const p = this.model!.procs;
    let best = -1;
    for (let i = 0; i < p.spanStart.length; i++) {
      if (p.spanGoroutine[i] === g && p.spanStart[i] <= t && (best < 0 || p.spanStart[i] > p.spanStart[best])) best = i;
    }
    if (best < 0) return;
    this.reveal(best);
  }

  private reveal(span: number): void {
    const model = this.model!;
    this.view.reveal(model.procs.spanStart[span], model.procs.spanEnd[span]);
    const row = this.layout.procRows[procOfSpan(model, span)];
    if (row && (row.y < this.scrollY || row.y + row.height > this.scrollY + this.plotHeight())) {
      this.scrollY = row.y - this.plotHeight() / 3;
      this.clampScroll();
    }
    this.select({ kind: 'span', index: span });
  }

  // ---- goroutine analysis -----------------------------------------------------

  /** The table of `go tool trace`'s goroutine analysis, per start function; clicking a row searches for it. */
  private toggleAnalysis(): void {
    const model = this.model;
    if (!model) return;
    const show = this.analysis.hidden;
    this.analysis.hidden = !show;
    this.analysisButton.setAttribute('aria-pressed', String(show));
    if (show && this.analysis.childElementCount === 0) this.renderAnalysis(model);
    this.resize();
    this.invalidate();
  }

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
    const from = current >= 0 ? p.spanStart[current] : direction > 0 ? -Infinity : Infinity;
    let best = -1;
    for (let proc = 0; proc < p.count; proc++) {
      const lo = p.spanOffsets[proc];
      const hi = p.spanOffsets[proc + 1];
      if (direction > 0) {
        for (let i = lo; i < hi; i++) {
          const s = p.spanStart[i];
          if (!matches[p.spanGoroutine[i]] || s < from || (s === from && i <= current)) continue;
          if (best < 0 || s < p.spanStart[best]) best = i;
          break;
        }
      } else {
        for (let i = hi - 1; i >= lo; i--) {
          const s = p.spanStart[i];
          if (!matches[p.spanGoroutine[i]] || s > from || (s === from && i >= current)) continue;
          if (best < 0 || s > p.spanStart[best]) best = i;
          break;
        }
      }
    }
    if (best < 0) {
      this.searchStatus.textContent = `${this.matchCount} goroutines · no more slices`;
      return;
    }
    this.searchStatus.textContent = `${this.matchCount} goroutines · G${model.goroutines.id[p.spanGoroutine[best]]} at ${formatNs(p.spanStart[best])}`;
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
          spans: this.model?.procs.spanStart.length ?? 0,
          draws: this.draws,
          lastDraw: { ...this.lastDraw },
          selection: sel && this.model && this.selection
            ? { kind: this.selection.kind, goroutineId: this.model.goroutines.id[sel.g], start: sel.start, end: sel.end }
            : undefined,
          searchMatches: this.matchCount,
        };
      },
      slices: (minWidth) => this.visibleSlices(minWidth),
      frameTimes: () => [...this.frameTimes],
    };
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
      for (let i = upperBound(p.spanEnd, this.view.start, p.spanOffsets[row.proc], p.spanOffsets[row.proc + 1]); i < p.spanOffsets[row.proc + 1]; i++) {
        if (p.spanStart[i] > this.view.end) break;
        const x0 = Math.max(LABEL_WIDTH, LABEL_WIDTH + (p.spanStart[i] - this.view.start) * scale);
        const x1 = Math.min(this.canvas.clientWidth, LABEL_WIDTH + (p.spanEnd[i] - this.view.start) * scale);
        if (x1 - x0 < minWidth) continue;
        out.push({
          x: rect.left + x0,
          y: rect.top + y + 2,
          width: x1 - x0,
          height: row.height - 4,
          span: i,
          goroutineId: model.goroutines.id[p.spanGoroutine[i]],
          proc: model.procs.id[row.proc],
        });
      }
    }
    return out;
  }
}
