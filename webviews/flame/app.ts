// The flame graph page: toolbar (sample type, granularity, search, reset,
// export), pprof's filters as chips, breadcrumb of the zoomed path, the flame
// graph over the top table or the callers/callees of one function, a details
// bar and a hover tooltip. The profile is decoded, filtered, diffed and
// aggregated in a worker when possible, never on the extension host's
// thread; progress goes to the host and to tests.

import { GRANULARITIES, hasFilters, type Aggregate, type Granularity } from '../../src/core/pprof/index';
import type { ExportFormat, LoadBaseMessage, WebviewToHost } from '../../src/core/protocol';
import { renderProfilePageHtml } from '../../src/core/webviewHtml';
import type { BaseInfo, Decoder, ProfileSummary, ViewRequest } from './decoder';
import { FilterBar, filterOptions, guessModulePath, labelFrameOptions, pprofFlags, type FilterChip } from './filterBar';
import { FlameGraph, type FrameBox } from './flameGraph';
import { formatPercent, formatValue } from '../../src/core/pprof/units';
import { sandwich, type Sandwich } from './sandwich';
import { compileQuery, exactFunctionQuery, runSearch, type SearchResult } from './search';
import { TopTable } from './topTable';

import type { Host } from '../common/page';
export type { Host };

type PageState = 'waiting' | 'loading' | 'rendered' | 'error';

interface Timings {
  decodedIn: Decoder['where'];
  decodeMillis: number;
  aggregateMillis: number;
  /** Layout and painting of the first frame. */
  drawMillis: number;
  /** From navigation start to the first painted flame graph. */
  firstPaintMillis: number;
}

/** What `window.__goperfFlame` exposes: read-only views for tests and tooling. */
export interface FlameTestHooks {
  frames(): FrameBox[];
  /** The frames of the callers (inverted) or callees graph of the sandwich view. */
  sandwichFrames(which: 'callers' | 'callees'): FrameBox[];
  state(): {
    fileName: string;
    sampleType: string;
    total: number;
    /** What the filters leave (pprof's "Showing nodes accounting for"). */
    shownTotal: number;
    /** The filters as go tool pprof flags. */
    filters: string[];
    warnings: string[];
    granularity: Granularity;
    collapseRecursion: boolean;
    base: BaseInfo | undefined;
    sandwich: { name: string; cum: number; flat: number } | undefined;
    zoomNode: number;
    zoomName: string;
    matchedValue: number | undefined;
    nodeCount: number;
    timings: Timings | undefined;
  };
}

/** How the app reaches its own script, to write standalone pages (undefined when it cannot). */
export type ScriptSource = () => Promise<string | undefined>;

const granularityTitles: Record<Granularity, string> = {
  functions: 'Functions',
  filefunctions: 'Functions per file',
  files: 'Files',
  lines: 'Lines',
  addresses: 'Addresses',
};

const exportFormats: { format: ExportFormat; label: string; extension: string }[] = [
  { format: 'svg', label: 'Flame graph as SVG', extension: 'svg' },
  { format: 'html', label: 'Standalone HTML page', extension: 'html' },
  { format: 'markdown', label: 'Top table as Markdown', extension: 'md' },
  { format: 'csv', label: 'Top table as CSV', extension: 'csv' },
];

const maxBreadcrumbItems = 8;
const searchDelayMillis = 150;
const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
const modifierName = isMac ? '⌘' : 'Ctrl';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (className) created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

export class FlameApp implements FlameTestHooks {
  private readonly toolbar = element('div', 'toolbar');
  private readonly fileLabel = element('span', 'file');
  private readonly sampleSelect = document.createElement('vscode-single-select');
  private readonly granularitySelect = document.createElement('select');
  private readonly collapseToggle = document.createElement('input');
  private readonly exportSelect = document.createElement('select');
  private readonly baseLabel = element('span', 'base-label');
  private readonly filterBar: FilterBar;
  private readonly tabs = element('div', 'pane-tabs');
  private readonly topTab = element('button', 'pane-tab', 'Top functions');
  private readonly sandwichTab = element('button', 'pane-tab', 'Callers / callees');
  private readonly sandwichPane = element('div', 'sandwich');
  private readonly sandwichTitle = element('div', 'sandwich-title');
  private readonly callersGraph: FlameGraph;
  private readonly calleesGraph: FlameGraph;
  private readonly searchField = document.createElement('vscode-textfield');
  private readonly matchSummary = element('span', 'match-summary');
  private readonly resetButton = document.createElement('vscode-button');
  private readonly totalLabel = element('span', 'total');
  private readonly breadcrumb = element('nav', 'breadcrumb');
  private readonly split = document.createElement('vscode-split-layout');
  private readonly flamePane = element('div', 'flame-pane');
  private readonly flameNotice = element('div', 'notice');
  private readonly tablePane = element('div', 'table-pane');
  private readonly details = element('div', 'details');
  private readonly tooltip = element('div', 'tooltip');
  private readonly message = element('div', 'message');
  private readonly flame: FlameGraph;
  private readonly table: TopTable;

  private fileName = '';
  private decoder: Decoder | undefined;
  private current: Aggregate | undefined;
  private sandwichView: Sandwich | undefined;
  private sandwichFunc = -1;
  private shownTotal = 0;
  private warnings: string[] = [];
  private base: BaseInfo | undefined;
  /** The sample type last reported to the host, which points source annotations at it. */
  private reportedSampleType = '';
  private request: ViewRequest = { sampleIndex: 0, filters: {}, granularity: 'functions', collapseRecursion: false, diff: false };
  /** Bumped by every load and view change, so a late answer for an older request is dropped. */
  private generation = 0;
  private search: SearchResult | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private timings: Timings | undefined;

  constructor(
    private readonly host: Host,
    private readonly decoderReady: Promise<Decoder>,
    private readonly scriptSource: ScriptSource,
  ) {
    this.flame = new FlameGraph({
      hover: (node, x, y) => this.showTooltip(this.current, node, x, y),
      select: (node) => this.showDetails(node),
      zoom: () => this.showBreadcrumb(),
      openSource: (node) => this.openSource(this.current, node),
    });
    const sandwichEvents = (which: 'callers' | 'callees') => ({
      hover: (node: number, x: number, y: number) => this.showTooltip(this.sandwichView?.[which], node, x, y),
      select: () => {},
      zoom: () => {},
      openSource: (node: number) => this.openSource(this.sandwichView?.[which], node),
    });
    this.callersGraph = new FlameGraph(sandwichEvents('callers'));
    this.calleesGraph = new FlameGraph(sandwichEvents('callees'));
    this.filterBar = new FilterBar((chips) => this.onFiltersChanged(chips));
    this.table = new TopTable((func) => this.focusFunction(func));
    this.buildPage();
    this.setState('waiting');
  }

  // ---- test hooks -------------------------------------------------------

  frames(): FrameBox[] {
    return this.flame.frames();
  }

  sandwichFrames(which: 'callers' | 'callees'): FrameBox[] {
    return (which === 'callers' ? this.callersGraph : this.calleesGraph).frames();
  }

  state(): ReturnType<FlameTestHooks['state']> {
    const current = this.current;
    const sandwichView = this.sandwichView;
    return {
      fileName: this.fileName,
      sampleType: current?.sampleType.type ?? '',
      total: current?.total ?? 0,
      shownTotal: this.shownTotal,
      filters: pprofFlags(this.filterBar.active),
      warnings: this.warnings,
      granularity: this.request.granularity,
      collapseRecursion: this.request.collapseRecursion,
      base: this.base,
      sandwich:
        sandwichView && current
          ? { name: current.functions[sandwichView.func].name, cum: sandwichView.cum, flat: sandwichView.flat }
          : undefined,
      zoomNode: this.flame.zoomed,
      zoomName: this.flame.nameOf(this.flame.zoomed),
      matchedValue: this.search?.matchedValue,
      nodeCount: current?.tree.nodeCount ?? 0,
      timings: this.timings,
    };
  }

  // ---- loading ----------------------------------------------------------

  showWaiting(text: string): void {
    this.showMessage(text, false);
    this.setState('waiting');
  }

  /** `sampleType` names the sample type to show first (e.g. alloc_space); the profile's default otherwise. */
  async load(fileName: string, bytes: Uint8Array, sampleType?: string): Promise<void> {
    const generation = ++this.generation;
    this.fileName = fileName;
    this.reportedSampleType = '';
    this.fileLabel.textContent = fileName;
    this.fileLabel.title = fileName;
    for (const part of [this.toolbar, this.filterBar.element, this.breadcrumb, this.split, this.details]) part.hidden = true;
    this.hideTooltip();
    this.setState('loading');
    this.showMessage(`Reading ${fileName} (${formatValue(bytes.length, 'bytes')})…`, false);

    const decoder = (this.decoder = await this.decoderReady);
    // Let the message paint before a page decoder takes the thread.
    if (decoder.where === 'page') await nextFrame();
    let decoded;
    try {
      decoded = await decoder.decode(bytes, fileName, sampleType);
    } catch (error) {
      if (generation === this.generation) this.fail((error as Error).message);
      return;
    }
    if (generation !== this.generation) return;
    if (decoded.summary.sampleCount === 0) {
      this.fail(`No samples in ${fileName}.`);
      return;
    }
    this.fillSampleTypes(decoded.summary, decoded.firstIndex);
    this.filterBar.setLabelKeys(decoded.summary.labelKeys);
    this.base = undefined;
    this.request = { ...this.request, sampleIndex: decoded.firstIndex, diff: false };

    const aggregateMillis = await this.refreshView(generation);
    if (aggregateMillis === undefined) return;
    this.filterBar.setModulePath(guessModulePath(this.current!.rows.map((row) => ({ name: this.current!.functions[row.func].name, cum: row.cum }))));

    this.message.hidden = true;
    this.toolbar.hidden = false;
    this.filterBar.element.hidden = false;
    this.breadcrumb.hidden = false;
    this.split.hidden = false;
    this.details.hidden = false;
    await nextFrame();
    const drawStart = performance.now();
    this.flame.drawNow();
    const drawMillis = performance.now() - drawStart;
    await nextFrame();
    if (generation !== this.generation) return;
    const firstPaintMillis = performance.now();
    this.timings = { decodedIn: decoder.where, decodeMillis: decoded.millis, aggregateMillis, drawMillis, firstPaintMillis };
    this.setState('rendered');
    this.host.post({ type: 'rendered', nodeCount: this.current?.tree.nodeCount ?? 0, millis: Math.round(firstPaintMillis) });
  }

  fail(message: string): void {
    this.toolbar.hidden = true;
    this.filterBar.element.hidden = true;
    this.breadcrumb.hidden = true;
    this.split.hidden = true;
    this.details.hidden = true;
    this.tooltip.hidden = true;
    this.showMessage(message, true);
    this.setState('error');
    this.host.post({ type: 'error', message });
  }

  // ---- page -------------------------------------------------------------

  private buildPage(): void {
    const sampleField = element('span', 'field');
    const sampleLabel = element('label', undefined, 'Sample');
    sampleLabel.htmlFor = 'goperf-sample-type';
    this.sampleSelect.id = 'goperf-sample-type';
    this.sampleSelect.label = 'Sample type';
    this.sampleSelect.addEventListener('change', () => {
      const index = Number(this.sampleSelect.value);
      if (this.current && index !== this.request.sampleIndex) this.changeView({ sampleIndex: index });
    });
    sampleField.append(sampleLabel, this.sampleSelect);

    const granularityField = element('span', 'field');
    const granularityLabel = element('label', undefined, 'Granularity');
    granularityLabel.htmlFor = 'goperf-granularity';
    this.granularitySelect.id = 'goperf-granularity';
    this.granularitySelect.title = "What a frame is (pprof's -granularity)";
    for (const granularity of GRANULARITIES) {
      const option = document.createElement('option');
      option.value = granularity;
      option.textContent = granularityTitles[granularity];
      this.granularitySelect.append(option);
    }
    this.granularitySelect.addEventListener('change', () =>
      this.changeView({ granularity: this.granularitySelect.value as Granularity }),
    );
    granularityField.append(granularityLabel, this.granularitySelect);

    const collapseField = element('label', 'field toggle');
    this.collapseToggle.type = 'checkbox';
    this.collapseToggle.id = 'goperf-collapse-recursion';
    collapseField.title = 'Fold a function calling itself into one frame (flat and cum are unchanged)';
    collapseField.append(this.collapseToggle, 'Collapse recursion');
    this.collapseToggle.addEventListener('change', () => this.changeView({ collapseRecursion: this.collapseToggle.checked }));

    this.exportSelect.className = 'export';
    this.exportSelect.setAttribute('aria-label', 'Export');
    const exportPrompt = document.createElement('option');
    exportPrompt.value = '';
    exportPrompt.textContent = 'Export…';
    this.exportSelect.append(exportPrompt);
    for (const { format, label } of exportFormats) {
      const option = document.createElement('option');
      option.value = format;
      option.textContent = label;
      this.exportSelect.append(option);
    }
    this.exportSelect.addEventListener('change', () => {
      const format = this.exportSelect.value as ExportFormat | '';
      this.exportSelect.value = '';
      if (format) void this.exportAs(format);
    });
    this.baseLabel.hidden = true;

    const searchField = element('span', 'field');
    const searchLabel = element('label', undefined, 'Search');
    searchLabel.htmlFor = 'goperf-search';
    this.searchField.id = 'goperf-search';
    this.searchField.label = 'Search functions';
    this.searchField.placeholder = 'function name or regexp ( / )';
    this.searchField.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.applySearch(this.searchField.value), searchDelayMillis);
    });
    this.searchField.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        clearTimeout(this.searchTimer);
        this.applySearch(this.searchField.value);
      }
    });
    searchField.append(searchLabel, this.searchField);
    this.matchSummary.setAttribute('role', 'status');

    this.resetButton.secondary = true;
    this.resetButton.textContent = 'Reset zoom';
    this.resetButton.title = 'Show the whole profile again (Escape steps back one zoom)';
    this.resetButton.disabled = true;
    this.resetButton.addEventListener('click', () => this.flame.resetZoom());

    this.toolbar.append(
      this.fileLabel,
      this.baseLabel,
      sampleField,
      granularityField,
      collapseField,
      searchField,
      this.matchSummary,
      this.resetButton,
      this.exportSelect,
      this.totalLabel,
    );
    this.breadcrumb.setAttribute('aria-label', 'Zoomed call path');

    this.flameNotice.hidden = true;
    this.flamePane.slot = 'start';
    this.flamePane.append(this.flame.element, this.flameNotice);
    this.tablePane.slot = 'end';
    for (const [tab, sandwichShown] of [[this.topTab, false], [this.sandwichTab, true]] as const) {
      tab.type = 'button';
      tab.setAttribute('role', 'tab');
      tab.addEventListener('click', () => this.showSandwichPane(sandwichShown));
    }
    this.sandwichTab.title = 'Who calls the selected function and what it calls';
    this.tabs.setAttribute('role', 'tablist');
    this.tabs.append(this.topTab, this.sandwichTab);
    const callersPane = element('div', 'sandwich-graph callers');
    const calleesPane = element('div', 'sandwich-graph callees');
    callersPane.append(element('div', 'sandwich-heading', 'Callers (inverted: the function on top, who calls it below)'), this.callersGraph.element);
    calleesPane.append(element('div', 'sandwich-heading', 'Callees (what it calls)'), this.calleesGraph.element);
    this.sandwichPane.append(this.sandwichTitle, callersPane, calleesPane);
    this.tablePane.append(this.tabs, this.table.element, this.sandwichPane);
    this.showSandwichPane(false);
    this.split.className = 'main';
    this.split.split = 'horizontal';
    this.split.initialHandlePosition = '62%';
    this.split.append(this.flamePane, this.tablePane);

    this.tooltip.hidden = true;
    this.tooltip.setAttribute('role', 'tooltip');
    this.message.setAttribute('role', 'alert');
    this.showDetails(-1);

    for (const part of [this.toolbar, this.filterBar.element, this.breadcrumb, this.split, this.details]) part.hidden = true;
    document.body.append(this.toolbar, this.filterBar.element, this.breadcrumb, this.split, this.details, this.message, this.tooltip);

    document.addEventListener('keydown', (event) => this.onKeyDown(event));
    // The mouse's back button steps back one zoom, as in a browser.
    document.addEventListener('mouseup', (event) => {
      if (event.button === 3 && this.flame.back()) event.preventDefault();
    });
    // VS Code swaps the theme by rewriting these attributes.
    const themeWatcher = new MutationObserver(() => {
      for (const graph of [this.flame, this.callersGraph, this.calleesGraph]) graph.refreshTheme();
    });
    themeWatcher.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    themeWatcher.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  private setState(state: PageState): void {
    document.body.dataset.state = state;
  }

  private showMessage(text: string, isError: boolean): void {
    this.message.replaceChildren();
    this.message.classList.toggle('error', isError);
    if (isError) this.message.append(element('strong', undefined, 'Cannot show this profile. '));
    this.message.append(text);
    this.message.hidden = false;
  }

  private fillSampleTypes(summary: ProfileSummary, selected: number): void {
    const options = summary.sampleTypes.map((type, index) => {
      const option = document.createElement('vscode-option');
      option.value = String(index);
      option.textContent = type.unit && type.unit !== 'count' ? `${type.type} (${type.unit})` : type.type;
      option.selected = index === selected;
      return option;
    });
    this.sampleSelect.replaceChildren(...options);
    this.sampleSelect.disabled = options.length < 2;
  }

  private changeView(change: Partial<ViewRequest>): void {
    this.request = { ...this.request, ...change };
    void this.refreshView();
  }

  private onFiltersChanged(chips: readonly FilterChip[]): void {
    this.changeView({ filters: filterOptions(chips), labelFrames: labelFrameOptions(chips) });
  }

  /**
   * Asks the worker for the view (sample type, diff, filters, granularity)
   * and shows it. Resolves to the time it took, or undefined when it failed
   * (the error is on screen) or a newer request won.
   */
  private async refreshView(generation = ++this.generation): Promise<number | undefined> {
    const request = this.request;
    document.body.dataset.view = 'computing';
    let result;
    try {
      result = await this.decoder!.view(request);
    } catch (error) {
      if (generation !== this.generation) return undefined;
      // A bad filter keeps the last good view on screen; anything else is fatal.
      if (this.current && (error as Error).message.includes('regexp')) {
        this.filterBar.setStatus((error as Error).message, true);
        document.body.dataset.view = 'error';
      } else {
        this.fail((error as Error).message);
      }
      return undefined;
    }
    if (generation !== this.generation) return undefined;
    const next = result.aggregate;
    this.current = next;
    this.shownTotal = result.shownTotal;
    this.warnings = result.warnings;
    this.filterBar.setStatus(result.warnings.join(' · '), false);
    this.hideTooltip();
    this.flame.setAggregate(next);
    this.table.setAggregate(next, result.base !== undefined);
    const unit = next.sampleType.unit;
    // Grouping by labels adds frames but keeps every sample.
    const filtered = hasFilters(request.filters);
    this.totalLabel.textContent = filtered
      ? `Showing ${formatValue(result.shownTotal, unit)} (${formatPercent(result.shownTotal, next.total)}) of ${formatValue(next.total, unit)}`
      : `Total ${formatValue(next.total, unit)}`;
    this.totalLabel.title = `${next.sampleType.type}: ${result.shownTotal} of ${next.total} ${unit}`;
    this.totalLabel.dataset.shown = String(result.shownTotal);
    this.totalLabel.dataset.total = String(next.total);
    this.showBase(result.base);
    const empty = next.tree.total[0] === 0 && !next.tree.magnitude?.[0];
    this.flameNotice.textContent = empty
      ? filtered
        ? `The filters leave no ${next.sampleType.type} in ${this.fileName}.`
        : `No ${next.sampleType.type} in ${this.fileName}: every sample is zero for this type.`
      : '';
    this.flameNotice.hidden = !empty;
    this.flame.element.hidden = empty;
    this.showBreadcrumb();
    this.showDetails(-1);
    this.applySearch(this.searchField.value);
    this.updateSandwich();
    document.body.dataset.sampleType = next.sampleType.type;
    // Only a switch is posted: the first view's default type arriving late would undo a type the
    // user had already picked for the annotations.
    if (next.sampleType.type !== this.reportedSampleType) {
      if (this.reportedSampleType) this.host.post({ type: 'sampleTypeShown', sampleType: next.sampleType.type });
      this.reportedSampleType = next.sampleType.type;
    }
    document.body.dataset.granularity = request.granularity;
    document.body.dataset.view = 'ready';
    return result.millis;
  }

  // ---- diff -----------------------------------------------------------------

  /** Compares the loaded profile with a base (see LoadBaseMessage); problems show next to the file name. */
  async setBase(message: Pick<LoadBaseMessage, 'fileName' | 'bytes' | 'mode' | 'normalize'>): Promise<void> {
    const decoder = await this.decoderReady;
    const info: BaseInfo = { fileName: message.fileName, mode: message.mode === 'base' ? 'base' : 'diff_base', normalize: message.normalize === true };
    try {
      await decoder.setBase(message.bytes, info);
    } catch (error) {
      this.base = undefined;
      this.showBase(undefined, (error as Error).message);
      this.host.post({ type: 'error', message: (error as Error).message });
      return;
    }
    this.base = info;
    this.changeView({ diff: true });
  }

  async clearBase(): Promise<void> {
    const decoder = await this.decoderReady;
    await decoder.clearBase();
    this.base = undefined;
    this.changeView({ diff: false });
  }

  private showBase(base: BaseInfo | undefined, problem?: string): void {
    const label = this.baseLabel;
    label.replaceChildren();
    label.classList.toggle('error', problem !== undefined);
    if (problem !== undefined) {
      label.append(problem);
      label.hidden = false;
      return;
    }
    label.hidden = base === undefined;
    if (!base) return;
    const flag = `-${base.mode}${base.normalize ? ' -normalize' : ''}`;
    label.append(`minus ${base.fileName} (${flag}) · `, element('span', 'worse', 'red: grew'), ' · ', element('span', 'better', 'green: shrank'), ' ');
    label.title = 'Frame widths: the size of the change and of what both profiles share (sum of |value|); colour: the share that grew or shrank';
    const clear = element('button', 'link-button', 'Stop comparing');
    clear.type = 'button';
    clear.addEventListener('click', () => void this.clearBase());
    label.append(clear);
  }

  // ---- callers / callees ------------------------------------------------------

  private showSandwichPane(shown: boolean): void {
    this.table.element.hidden = shown;
    this.sandwichPane.hidden = !shown;
    this.topTab.setAttribute('aria-selected', String(!shown));
    this.sandwichTab.setAttribute('aria-selected', String(shown));
    document.body.dataset.pane = shown ? 'sandwich' : 'top';
  }

  /** Shows the callers and callees of a function (an index into the current functions). */
  showSandwich(func: number): void {
    this.sandwichFunc = func;
    this.showSandwichPane(true);
    this.updateSandwich();
  }

  private updateSandwich(): void {
    const current = this.current;
    // Function indexes change with the granularity and the filters; follow the name.
    const name = this.sandwichView && this.sandwichView.callees.functions[this.sandwichFunc]?.name;
    if (current && name !== undefined && current.functions !== this.sandwichView?.callees.functions) {
      this.sandwichFunc = current.functions.findIndex((info) => info.name === name);
    }
    if (!current || this.sandwichFunc < 0 || this.sandwichFunc >= current.functions.length) {
      this.sandwichView = undefined;
      this.sandwichTitle.textContent = name
        ? `${name} is not in this view.`
        : 'Select a frame or a table row, then choose Callers / callees.';
      this.callersGraph.element.hidden = true;
      this.calleesGraph.element.hidden = true;
      return;
    }
    const view = (this.sandwichView = sandwich(current, this.sandwichFunc));
    const unit = current.sampleType.unit;
    this.sandwichTitle.textContent =
      `${current.functions[view.func].name}: cum ${formatValue(view.cum, unit)} (${formatPercent(view.cum, current.total)}), ` +
      `flat ${formatValue(view.flat, unit)} (${formatPercent(view.flat, current.total)})`;
    this.sandwichTitle.dataset.cum = String(view.cum);
    this.callersGraph.element.hidden = false;
    this.calleesGraph.element.hidden = false;
    this.callersGraph.setAggregate(view.callers);
    this.calleesGraph.setAggregate(view.callees);
  }

  // ---- export -----------------------------------------------------------------

  private async exportAs(format: ExportFormat): Promise<void> {
    const current = this.current;
    if (!current) return;
    const stem = `${this.fileName.replace(/\.[^.]*$/, '').replace(/\.pb$/, '')}-${current.sampleType.type}`;
    const extension = exportFormats.find((f) => f.format === format)!.extension;
    let text: string;
    try {
      text = await this.exportText(format, current);
    } catch (error) {
      this.filterBar.setStatus(`Export failed: ${(error as Error).message}`, true);
      return;
    }
    const suggestedName = `${stem}.${extension}`;
    if (this.host.connected) {
      this.host.post({ type: 'save', format, suggestedName, text });
    } else {
      // The standalone page has no host: the browser downloads the file.
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([text], { type: format === 'svg' ? 'image/svg+xml' : 'text/plain' }));
      link.download = suggestedName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    }
    document.body.dataset.exported = format;
  }

  private async exportText(format: ExportFormat, current: Aggregate): Promise<string> {
    switch (format) {
      case 'svg': {
        const { unit, type } = current.sampleType;
        return this.flame.toSvg(`${this.fileName} (${type})`, (node) => {
          const tree = current.tree;
          return `${this.flame.nameOf(node)}\nself ${formatValue(tree.self[node], unit)} · total ${formatValue(tree.total[node], unit)} (${formatPercent(tree.total[node], current.total)})`;
        });
      }
      case 'markdown':
        return this.table.toMarkdown();
      case 'csv':
        return this.table.toCsv();
      case 'html': {
        const script = await this.scriptSource();
        if (!script) throw new Error('this page cannot read its own script to copy it into the new page');
        const bytes = await this.decoder!.encodeView(this.request);
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))));
        return renderProfilePageHtml({
          nonce,
          title: `${this.fileName} (${current.sampleType.type}) - goperf`,
          inlineScript: script,
          embeddedProfile: { fileName: this.fileName, base64: btoa(binary), sampleType: current.sampleType.type },
        });
      }
    }
  }

  // ---- search and focus --------------------------------------------------

  private applySearch(query: string): void {
    const current = this.current;
    if (!current) return;
    const matcher = compileQuery(query);
    this.search = matcher ? runSearch(current, matcher) : undefined;
    this.flame.setHighlight(this.search?.nodeMatched);
    this.table.setMatched(this.search?.functionMatched);
    const summary = this.matchSummary;
    if (!this.search) {
      summary.textContent = '';
      summary.classList.remove('active');
      delete summary.dataset.matchedValue;
      return;
    }
    const { matchedValue, matchedFunctions } = this.search;
    summary.classList.add('active');
    summary.dataset.matchedValue = String(matchedValue);
    summary.textContent =
      matchedFunctions === 0
        ? 'No match'
        : `Matched ${formatPercent(matchedValue, current.total)} (${formatValue(matchedValue, current.sampleType.unit)}) in ` +
          `${matchedFunctions} function${matchedFunctions === 1 ? '' : 's'}`;
  }

  /** Zooms to the function's heaviest call path and highlights every frame of it. */
  private focusFunction(func: number): void {
    const current = this.current;
    if (!current) return;
    const tree = current.tree;
    let heaviest = -1;
    for (let node = 0; node < tree.nodeCount; node++) {
      if (tree.func[node] === func && (heaviest < 0 || tree.total[node] > tree.total[heaviest])) heaviest = node;
    }
    const query = exactFunctionQuery(current.functions[func].name);
    this.searchField.value = query;
    this.applySearch(query);
    if (heaviest < 0) return;
    this.flame.zoomTo(heaviest);
    this.flame.select(heaviest);
  }

  // ---- zoom path, details, tooltip ---------------------------------------

  private showBreadcrumb(): void {
    const current = this.current;
    if (!current) return;
    const tree = current.tree;
    const path: number[] = [];
    for (let node = this.flame.zoomed; node >= 0; node = tree.parent[node]) path.unshift(node);
    const items: (number | 'gap')[] =
      path.length > maxBreadcrumbItems ? [...path.slice(0, 2), 'gap', ...path.slice(-(maxBreadcrumbItems - 3))] : path;
    const parts: Node[] = [];
    items.forEach((item, i) => {
      if (i > 0) parts.push(element('span', 'separator', '›'));
      if (item === 'gap') {
        const gap = element('span', 'separator', '…');
        gap.title = path.map((node) => this.flame.nameOf(node)).join('\n');
        parts.push(gap);
        return;
      }
      const name = item === 0 ? 'all samples' : this.flame.nameOf(item);
      if (i === items.length - 1) {
        const last = element('span', 'current', name);
        last.setAttribute('aria-current', 'location');
        parts.push(last);
      } else {
        const button = element('button', undefined, name);
        button.type = 'button';
        button.addEventListener('click', () => this.flame.zoomTo(item));
        parts.push(button);
      }
    });
    this.breadcrumb.replaceChildren(...parts);
    this.resetButton.disabled = this.flame.zoomed === 0;
    document.body.dataset.zoom = String(this.flame.zoomed);
  }

  private showDetails(node: number): void {
    const current = this.current;
    if (!current || node < 0) {
      const openHint = this.host.connected ? ` · ${modifierName}+click opens its source` : '';
      this.details.replaceChildren(
        element('span', 'hint', `Click a frame to zoom${openHint} · / or ${modifierName}+F searches · Escape steps back`),
      );
      return;
    }
    const { tree, sampleType, total } = current;
    const name = element('span', 'name', this.flame.nameOf(node));
    name.title = this.flame.nameOf(node);
    const location = element('span', 'location', this.locationText(current, node));
    const numbers = element(
      'span',
      'numbers',
      `self ${formatValue(tree.self[node], sampleType.unit)} · total ${formatValue(tree.total[node], sampleType.unit)} ` +
        `(${formatPercent(tree.total[node], total)})`,
    );
    const parts: Node[] = [name, location, numbers];
    const func = tree.func[node];
    if (func >= 0) {
      const callers = document.createElement('vscode-button');
      callers.secondary = true;
      callers.className = 'show-sandwich';
      callers.textContent = 'Callers / callees';
      callers.title = `Who calls ${current.functions[func].name} and what it calls`;
      callers.addEventListener('click', () => this.showSandwich(func));
      parts.push(callers);
    }
    if (this.host.connected && this.sourceOf(current, node)) {
      const open = document.createElement('vscode-button');
      open.secondary = true;
      open.textContent = 'Open source';
      open.title = `Open ${this.locationText(current, node)} (${modifierName}+click on a frame)`;
      open.addEventListener('click', () => this.openSource(current, node));
      parts.push(open);
    }
    this.details.replaceChildren(...parts);
  }

  private sourceOf(current: Aggregate | undefined, node: number): { file: string; line: number; functionName: string } | undefined {
    if (!current || node < 0) return undefined;
    const func = current.tree.func[node];
    if (func < 0) return undefined;
    const info = current.functions[func];
    if (!info.file) return undefined;
    return { file: info.file, line: current.tree.line[node] || info.startLine, functionName: info.name };
  }

  private locationText(current: Aggregate, node: number): string {
    const source = this.sourceOf(current, node);
    if (!source) return node === 0 ? '' : 'no source file recorded';
    return source.line > 0 ? `${source.file}:${source.line}` : source.file;
  }

  private openSource(current: Aggregate | undefined, node: number): void {
    const source = this.sourceOf(current, node);
    if (!source || !this.host.connected) return;
    this.host.post({ type: 'openSource', ...source });
  }

  private showTooltip(current: Aggregate | undefined, node: number, clientX: number, clientY: number): void {
    if (!current || node < 0) {
      this.hideTooltip();
      return;
    }
    const { tree, sampleType, total } = current;
    const tip = this.tooltip;
    const key = `${node}:${current.tree === this.current?.tree ? 'main' : current.tree.nodeCount}`;
    if (tip.dataset.node !== key) {
      tip.dataset.node = key;
      const func = tree.func[node];
      const title = element('div', 'name', func < 0 ? 'all samples' : current.functions[func].name);
      if (tree.func[node] >= 0 && tree.inlined[node]) title.append(element('span', 'tag', 'inlined'));
      const rows = element('table');
      const addRow = (label: string, value: number) => {
        const row = rows.insertRow();
        row.append(
          element('th', undefined, label),
          element('td', undefined, formatValue(value, sampleType.unit)),
          element('td', undefined, formatPercent(value, total)),
        );
      };
      const diff = tree.magnitude !== undefined;
      addRow(diff ? 'Self change' : 'Self (flat)', tree.self[node]);
      addRow(diff ? 'Total change' : 'Total (cum)', tree.total[node]);
      if (diff) addRow('Old + new (width)', tree.magnitude![node]);
      const parts: Node[] = [title];
      const location = this.locationText(current, node);
      if (location) parts.push(element('div', 'location', location));
      parts.push(rows);
      const hint = this.host.connected ? `Click to zoom · ${modifierName}+click to open the source` : 'Click to zoom';
      parts.push(element('div', 'hint', hint));
      tip.replaceChildren(...parts);
    }
    tip.hidden = false;
    // Keep the tooltip inside the window, flipping to the other side of the pointer when needed.
    const offset = 14;
    const { width, height } = tip.getBoundingClientRect();
    let left = clientX + offset;
    let top = clientY + offset;
    if (left + width > window.innerWidth - 4) left = Math.max(4, clientX - offset - width);
    if (top + height > window.innerHeight - 4) top = Math.max(4, clientY - offset - height);
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
    delete this.tooltip.dataset.node;
  }

  // ---- keyboard -----------------------------------------------------------

  private onKeyDown(event: KeyboardEvent): void {
    if (!this.current) return;
    const typing = event.composedPath().some((target) => {
      const tag = (target as HTMLElement).tagName;
      return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'VSCODE-TEXTFIELD' || tag === 'VSCODE-SINGLE-SELECT';
    });
    const inSearch = event.composedPath().includes(this.searchField);
    if ((event.key === 'f' || event.key === 'F') && (event.ctrlKey || event.metaKey) && !event.altKey) {
      event.preventDefault();
      this.focusSearch();
      return;
    }
    if (event.key === '/' && !typing) {
      event.preventDefault();
      this.focusSearch();
      return;
    }
    // Text fields keep their own undo; elsewhere Ctrl/Cmd+Z undoes the last filter change.
    if ((event.key === 'z' || event.key === 'Z') && (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && !typing) {
      if (this.filterBar.undo()) event.preventDefault();
      return;
    }
    if (event.key === 'Escape') {
      if (inSearch && this.searchField.value) {
        this.searchField.value = '';
        this.applySearch('');
      } else if (!typing || inSearch) {
        this.flame.back();
        if (inSearch) this.flame.focus();
      } else {
        return; // an open dropdown closes itself
      }
      event.preventDefault();
      return;
    }
    if (event.key === 'ArrowLeft' && event.altKey && !typing) {
      event.preventDefault();
      this.flame.back();
    }
  }

  private focusSearch(): void {
    this.searchField.focus();
    this.searchField.wrappedElement?.select();
  }
}
