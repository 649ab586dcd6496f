// The flame graph page: toolbar (sample type, search, reset), breadcrumb of
// the zoomed path, the flame graph over the top table, a details bar and a
// hover tooltip. The profile is decoded here (in a worker when possible), never
// on the extension host's thread; progress goes to the host and to tests.

import type { Aggregate } from '../../src/core/pprof/index';
import type { WebviewToHost } from '../../src/core/protocol';
import type { Decoder, ProfileSummary } from './decoder';
import { FlameGraph, type FrameBox } from './flameGraph';
import { formatPercent, formatValue } from '../../src/core/pprof/units';
import { compileQuery, exactFunctionQuery, runSearch, type SearchResult } from './search';
import { TopTable } from './topTable';

export interface Host {
  /** False on the standalone HTML page, where nothing listens to messages. */
  readonly connected: boolean;
  post(message: WebviewToHost): void;
}

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
  state(): {
    fileName: string;
    sampleType: string;
    total: number;
    zoomNode: number;
    zoomName: string;
    matchedValue: number | undefined;
    nodeCount: number;
    timings: Timings | undefined;
  };
}

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
  /** Bumped by every load and sample type switch, so a late answer for an older request is dropped. */
  private generation = 0;
  private search: SearchResult | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private timings: Timings | undefined;

  constructor(
    private readonly host: Host,
    private readonly decoderReady: Promise<Decoder>,
  ) {
    this.flame = new FlameGraph({
      hover: (node, x, y) => this.showTooltip(node, x, y),
      select: (node) => this.showDetails(node),
      zoom: () => this.showBreadcrumb(),
      openSource: (node) => this.openSource(node),
    });
    this.table = new TopTable((func) => this.focusFunction(func));
    this.buildPage();
    this.setState('waiting');
  }

  // ---- test hooks -------------------------------------------------------

  frames(): FrameBox[] {
    return this.flame.frames();
  }

  state(): ReturnType<FlameTestHooks['state']> {
    const current = this.current;
    return {
      fileName: this.fileName,
      sampleType: current?.sampleType.type ?? '',
      total: current?.total ?? 0,
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
    this.fileLabel.textContent = fileName;
    this.fileLabel.title = fileName;
    for (const part of [this.toolbar, this.breadcrumb, this.split, this.details]) part.hidden = true;
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

    const aggregateMillis = await this.showSampleType(decoded.firstIndex, generation);
    if (aggregateMillis === undefined) return;

    this.message.hidden = true;
    this.toolbar.hidden = false;
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
      if (this.current && index !== this.current.sampleIndex) void this.showSampleType(index);
    });
    sampleField.append(sampleLabel, this.sampleSelect);

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

    this.toolbar.append(this.fileLabel, sampleField, searchField, this.matchSummary, this.resetButton, this.totalLabel);
    this.breadcrumb.setAttribute('aria-label', 'Zoomed call path');

    this.flameNotice.hidden = true;
    this.flamePane.slot = 'start';
    this.flamePane.append(this.flame.element, this.flameNotice);
    this.tablePane.slot = 'end';
    this.tablePane.append(this.table.element);
    this.split.className = 'main';
    this.split.split = 'horizontal';
    this.split.initialHandlePosition = '62%';
    this.split.append(this.flamePane, this.tablePane);

    this.tooltip.hidden = true;
    this.tooltip.setAttribute('role', 'tooltip');
    this.message.setAttribute('role', 'alert');
    this.showDetails(-1);

    for (const part of [this.toolbar, this.breadcrumb, this.split, this.details]) part.hidden = true;
    document.body.append(this.toolbar, this.breadcrumb, this.split, this.details, this.message, this.tooltip);

    document.addEventListener('keydown', (event) => this.onKeyDown(event));
    // The mouse's back button steps back one zoom, as in a browser.
    document.addEventListener('mouseup', (event) => {
      if (event.button === 3 && this.flame.back()) event.preventDefault();
    });
    // VS Code swaps the theme by rewriting these attributes.
    const themeWatcher = new MutationObserver(() => this.flame.refreshTheme());
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

  /**
   * Aggregates and shows one sample type. Resolves to the aggregation time,
   * or undefined when it failed (the error is on screen) or a newer request won.
   */
  private async showSampleType(index: number, generation = ++this.generation): Promise<number | undefined> {
    let result;
    try {
      result = await this.decoder!.aggregate(index);
    } catch (error) {
      if (generation === this.generation) this.fail((error as Error).message);
      return undefined;
    }
    if (generation !== this.generation) return undefined;
    const next = result.aggregate;
    this.current = next;
    this.hideTooltip();
    this.flame.setAggregate(next);
    this.table.setAggregate(next);
    this.totalLabel.textContent = `Total ${formatValue(next.total, next.sampleType.unit)}`;
    this.totalLabel.title = `${next.sampleType.type}: ${next.total} ${next.sampleType.unit}`;
    const empty = next.total === 0;
    this.flameNotice.textContent = empty ? `No ${next.sampleType.type} in ${this.fileName}: every sample is zero for this type.` : '';
    this.flameNotice.hidden = !empty;
    this.flame.element.hidden = empty;
    this.showBreadcrumb();
    this.showDetails(-1);
    this.applySearch(this.searchField.value);
    document.body.dataset.sampleType = next.sampleType.type;
    return result.millis;
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
    const location = element('span', 'location', this.locationText(node));
    const numbers = element(
      'span',
      'numbers',
      `self ${formatValue(tree.self[node], sampleType.unit)} · total ${formatValue(tree.total[node], sampleType.unit)} ` +
        `(${formatPercent(tree.total[node], total)})`,
    );
    const parts: Node[] = [name, location, numbers];
    if (this.host.connected && this.sourceOf(node)) {
      const open = document.createElement('vscode-button');
      open.secondary = true;
      open.textContent = 'Open source';
      open.title = `Open ${this.locationText(node)} (${modifierName}+click on a frame)`;
      open.addEventListener('click', () => this.openSource(node));
      parts.push(open);
    }
    this.details.replaceChildren(...parts);
  }

  private sourceOf(node: number): { file: string; line: number; functionName: string } | undefined {
    const current = this.current;
    if (!current || node < 0) return undefined;
    const func = current.tree.func[node];
    if (func < 0) return undefined;
    const info = current.functions[func];
    if (!info.file) return undefined;
    return { file: info.file, line: current.tree.line[node] || info.startLine, functionName: info.name };
  }

  private locationText(node: number): string {
    const source = this.sourceOf(node);
    if (!source) return node === 0 ? '' : 'no source file recorded';
    return source.line > 0 ? `${source.file}:${source.line}` : source.file;
  }

  private openSource(node: number): void {
    const source = this.sourceOf(node);
    if (!source || !this.host.connected) return;
    this.host.post({ type: 'openSource', ...source });
  }

  private showTooltip(node: number, clientX: number, clientY: number): void {
    const current = this.current;
    if (!current || node < 0) {
      this.hideTooltip();
      return;
    }
    const { tree, sampleType, total } = current;
    const tip = this.tooltip;
    if (tip.dataset.node !== String(node)) {
      tip.dataset.node = String(node);
      const title = element('div', 'name', this.flame.nameOf(node));
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
      addRow('Self (flat)', tree.self[node]);
      addRow('Total (cum)', tree.total[node]);
      const parts: Node[] = [title];
      const location = this.locationText(node);
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
