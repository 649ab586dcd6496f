// The icicle flame graph: root on top, children below, width proportional to
// total. It draws straight from the call tree's typed arrays onto a canvas the
// size of the viewport; a spacer gives the scroll container the full height,
// so only the rows in view are painted however deep the stacks go. Frames
// narrower than a device pixel are skipped together with their subtrees.

import type { Aggregate } from '../../src/core/pprof/index';
import { diffColours, diffShade, frameColours, readTheme, shortName, type FrameColours, type Theme } from './palette';

export interface FlameGraphEvents {
  hover(node: number, clientX: number, clientY: number): void;
  select(node: number): void;
  zoom(node: number): void;
  openSource(node: number): void;
}

/** One drawn frame in client (viewport) coordinates, for tests and tooling. */
export interface FrameBox {
  node: number;
  name: string;
  depth: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Drawn greyed above the zoomed frame. */
  ancestor: boolean;
  /** Dimmed because a search is active and this frame does not match. */
  dimmed: boolean;
  /** The frame's fill colour as the canvas got it. */
  fill: string;
  /** The node's total (cum along this path); in a diff, the change. */
  total: number;
}

const labelPadding = 4;
const minLabelWidth = 28;
const ellipsis = '…';
/** How many of the latest zooms keep their layout for stepping back (an outer zoom's is a few MB). */
const keptHistoryLayouts = 8;

/** The frames laid out at one zoom and width, grouped by row and ordered by x within each. */
interface Layout {
  nodes: Int32Array;
  xs: Float64Array;
  widths: Float64Array;
  count: number;
  /** Where each row's frames start in the arrays above (one more entry than rows). */
  rowStart: Int32Array;
  rowCount: number;
  width: number;
  pixelRatio: number;
}

export class FlameGraph {
  readonly element: HTMLDivElement;
  private readonly sticky: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly overlayContext: CanvasRenderingContext2D;

  private aggregate: Aggregate | undefined;
  private colours: FrameColours = { normal: [], inlined: [] };
  /** Set in a differential flame graph: fills by shade (see palette.diffColours). */
  private diffFills: string[] | undefined;
  /** What a frame's width is proportional to: total, or in a diff the sum of |change|. */
  private widths: Float64Array = new Float64Array(0);
  private theme: Theme | undefined;
  private labelWidths = new Float32Array(0);
  private nodeMatched: Uint8Array | undefined;

  private zoomNode = 0;
  private readonly history: number[] = [];
  /**
   * The layout of each zoom in `history` (the last few), so that stepping
   * back draws at once instead of laying out what was on screen before:
   * the outer zooms are the ones with the most frames to lay out.
   */
  private readonly historyLayouts: (Layout | undefined)[] = [];
  private hoverNode = -1;
  private selectedNode = -1;

  // Layout of the frames that are wide enough to draw, grouped by row
  // (depth) and sorted by x inside a row: row r is rowStart[r] .. rowStart[r+1]-1.
  private laidOut = 0;
  private layoutNodes: Int32Array = new Int32Array(0);
  private layoutX: Float64Array = new Float64Array(0);
  private layoutWidth: Float64Array = new Float64Array(0);
  /** The frames before they are grouped by row (layout()'s working space, reused). */
  private unsortedNodes = new Int32Array(0);
  private unsortedX = new Float64Array(0);
  private unsortedWidth = new Float64Array(0);
  private rowStart: Int32Array = new Int32Array(1);
  private rowCount = 0;

  private width = 0;
  private viewportHeight = 0;
  private pixelRatio = 1;
  private rowHeight = 18;
  private drawScheduled = false;
  private layoutStale = true;

  constructor(private readonly events: FlameGraphEvents) {
    this.element = document.createElement('div');
    this.element.className = 'flame-scroll';
    this.sticky = document.createElement('div');
    this.sticky.className = 'flame-sticky';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'flame-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'flame-overlay';
    this.overlay.setAttribute('aria-hidden', 'true');
    this.spacer = document.createElement('div');
    this.spacer.className = 'flame-spacer';
    this.sticky.append(this.canvas, this.overlay);
    this.element.append(this.sticky, this.spacer);

    const context = this.canvas.getContext('2d', { alpha: false });
    const overlayContext = this.overlay.getContext('2d');
    if (!context || !overlayContext) throw new Error('this browser cannot draw on a 2D canvas');
    this.context = context;
    this.overlayContext = overlayContext;

    this.element.addEventListener(
      'scroll',
      () => {
        // The frame under a still pointer changes; the next move shows it.
        this.setHover(-1, 0, 0);
        this.scheduleDraw();
      },
      { passive: true },
    );
    new ResizeObserver(() => {
      this.layoutStale = true;
      this.scheduleDraw();
    }).observe(this.element);
    this.canvas.addEventListener('pointermove', (event) => this.onPointerMove(event));
    this.canvas.addEventListener('pointerleave', () => this.setHover(-1, 0, 0));
    this.canvas.addEventListener('click', (event) => this.onClick(event));
    this.canvas.addEventListener('keydown', (event) => this.onKeyDown(event));
  }

  setAggregate(aggregate: Aggregate): void {
    this.aggregate = aggregate;
    this.widths = aggregate.tree.magnitude ?? aggregate.tree.total;
    this.zoomNode = 0;
    this.history.length = 0;
    this.historyLayouts.length = 0;
    this.hoverNode = -1;
    this.selectedNode = -1;
    this.nodeMatched = undefined;
    this.refreshTheme();
    this.canvas.setAttribute(
      'aria-label',
      `Flame graph of ${aggregate.sampleType.type}: ${aggregate.tree.nodeCount} call paths. ` +
        'Arrow keys move between frames, Enter zooms, Control+Enter opens the source.',
    );
    this.layoutStale = true;
  }

  /** Re-reads theme colours (VS Code swaps CSS variables when the theme changes). */
  refreshTheme(): void {
    this.theme = readTheme();
    this.rowHeight = Math.round(this.theme.fontSize * 1.5);
    if (this.aggregate) {
      this.colours = frameColours(this.aggregate.functions, this.theme.dark);
      this.diffFills = this.aggregate.tree.magnitude ? diffColours() : undefined;
      this.labelWidths = new Float32Array(this.aggregate.functions.length).fill(NaN);
    }
    this.layoutStale = true;
    this.scheduleDraw();
  }

  setHighlight(nodeMatched: Uint8Array | undefined): void {
    this.nodeMatched = nodeMatched;
    this.scheduleDraw();
  }

  get zoomed(): number {
    return this.zoomNode;
  }

  get selected(): number {
    return this.selectedNode;
  }

  zoomTo(node: number): void {
    if (!this.aggregate || node === this.zoomNode) return;
    this.history.push(this.zoomNode);
    this.historyLayouts.push(this.layoutStale ? undefined : this.currentLayout());
    const forgotten = this.historyLayouts.length - 1 - keptHistoryLayouts;
    if (forgotten >= 0) this.historyLayouts[forgotten] = undefined;
    this.applyZoom(node);
  }

  /** Returns to the previous zoom, like a browser's back button; false when there is none. */
  back(): boolean {
    const previous = this.history.pop();
    const layout = this.historyLayouts.pop();
    if (previous === undefined) return false;
    this.applyZoom(previous);
    if (layout && layout.width === this.width && layout.pixelRatio === this.pixelRatio) this.restoreLayout(layout);
    return true;
  }

  resetZoom(): void {
    this.zoomTo(0);
  }

  select(node: number): void {
    if (node === this.selectedNode) return;
    this.selectedNode = node;
    this.events.select(node);
    this.revealRow(node);
    this.drawOverlay();
  }

  focus(): void {
    this.canvas.focus();
  }

  /** Lays out and paints synchronously; used for the first paint so its time can be measured. */
  drawNow(): void {
    this.drawScheduled = false;
    this.measure();
    if (this.layoutStale) this.layout();
    this.draw();
    this.drawOverlay();
  }

  nodeAtClient(clientX: number, clientY: number): number {
    const rect = this.canvas.getBoundingClientRect();
    return this.nodeAt(clientX - rect.left, clientY - rect.top);
  }

  frames(): FrameBox[] {
    const aggregate = this.aggregate;
    if (!aggregate) return [];
    // A new view may not have been painted yet: its boxes, not the last painted ones.
    if (this.layoutStale) this.layout();
    const rect = this.canvas.getBoundingClientRect();
    const zoomDepth = aggregate.tree.depth[this.zoomNode];
    const boxes: FrameBox[] = [];
    for (let row = 0; row < this.rowCount; row++) {
      for (let i = this.rowStart[row]; i < this.rowStart[row + 1]; i++) {
        const node = this.layoutNodes[i];
        boxes.push({
          node,
          name: this.nameOf(node),
          depth: row,
          x: rect.left + this.layoutX[i],
          y: rect.top + row * this.rowHeight - this.element.scrollTop,
          width: this.layoutWidth[i],
          height: this.rowHeight - 1,
          ancestor: row < zoomDepth,
          dimmed: this.isDimmed(node, row < zoomDepth),
          fill: this.fillOf(node, row < zoomDepth),
          total: aggregate.tree.total[node],
        });
      }
    }
    return boxes;
  }

  nameOf(node: number): string {
    const aggregate = this.aggregate;
    if (!aggregate || node < 0) return '';
    const func = aggregate.tree.func[node];
    return func < 0 ? 'all samples' : aggregate.functions[func].name;
  }

  private applyZoom(node: number): void {
    this.zoomNode = node;
    this.layoutStale = true;
    this.setHover(-1, 0, 0);
    this.events.zoom(node);
    this.scheduleDraw();
  }

  private scheduleDraw(): void {
    if (this.drawScheduled) return;
    this.drawScheduled = true;
    requestAnimationFrame(() => {
      if (this.drawScheduled) this.drawNow();
    });
  }

  private measure(): void {
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    if (width === this.width && height === this.viewportHeight && ratio === this.pixelRatio) return;
    this.width = width;
    this.viewportHeight = height;
    this.pixelRatio = ratio;
    for (const canvas of [this.canvas, this.overlay]) {
      canvas.width = Math.max(1, Math.round(width * ratio));
      canvas.height = Math.max(1, Math.round(height * ratio));
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    this.sticky.style.height = `${height}px`;
    this.layoutStale = true;
  }

  private layout(): void {
    this.layoutStale = false;
    const aggregate = this.aggregate;
    if (!aggregate || this.width === 0) {
      this.laidOut = 0;
      this.rowCount = 0;
      return;
    }
    const tree = aggregate.tree;
    const zoom = this.zoomNode;
    const zoomDepth = tree.depth[zoom];
    const minWidth = 1 / this.pixelRatio;
    let count = 0;
    let deepest = zoomDepth;
    const push = (node: number, x: number, width: number) => {
      if (count === this.unsortedNodes.length) this.growLayout();
      this.unsortedNodes[count] = node;
      this.unsortedX[count] = x;
      this.unsortedWidth[count] = width;
      count++;
    };

    // The path above the zoomed frame, drawn full width and greyed.
    for (let node = tree.parent[zoom]; node >= 0; node = tree.parent[node]) push(node, 0, this.width);

    const frameWidths = this.widths;
    const zoomTotal = frameWidths[zoom];
    if (zoomTotal > 0) {
      const scale = this.width / zoomTotal;
      // Depth-first, children left to right, so within each depth the frames
      // come out ordered by x; the per-row grouping below keeps that order.
      let stackNodes = new Int32Array(Math.min(tree.nodeCount, 1 << 16));
      let stackX = new Float64Array(stackNodes.length);
      let top = 0;
      stackNodes[top] = zoom;
      stackX[top++] = 0;
      while (top > 0) {
        const node = stackNodes[--top];
        const x = stackX[top];
        const width = frameWidths[node] * scale;
        if (width < minWidth) continue;
        push(node, x, width);
        if (tree.depth[node] > deepest) deepest = tree.depth[node];
        const first = tree.firstChild[node];
        const childCount = tree.childCount[node];
        if (top + childCount > stackNodes.length) {
          const size = Math.max(stackNodes.length * 2, top + childCount);
          const grownNodes = new Int32Array(size);
          grownNodes.set(stackNodes);
          const grownX = new Float64Array(size);
          grownX.set(stackX);
          stackNodes = grownNodes;
          stackX = grownX;
        }
        let childX = x;
        for (let child = first; child < first + childCount; child++) childX += frameWidths[child] * scale;
        for (let child = first + childCount - 1; child >= first; child--) {
          childX -= frameWidths[child] * scale;
          stackNodes[top] = child;
          stackX[top++] = childX;
        }
      }
    }

    // Stable counting sort by depth.
    const rows = deepest + 1;
    const rowStart = new Int32Array(rows + 1);
    for (let i = 0; i < count; i++) rowStart[tree.depth[this.unsortedNodes[i]] + 1]++;
    for (let r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
    const cursor = rowStart.slice(0, rows);
    const nodes = new Int32Array(count);
    const xs = new Float64Array(count);
    const widths = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const slot = cursor[tree.depth[this.unsortedNodes[i]]]++;
      nodes[slot] = this.unsortedNodes[i];
      xs[slot] = this.unsortedX[i];
      widths[slot] = this.unsortedWidth[i];
    }
    this.restoreLayout({ nodes, xs, widths, count, rowStart, rowCount: rows, width: this.width, pixelRatio: this.pixelRatio });
  }

  private currentLayout(): Layout {
    return {
      nodes: this.layoutNodes,
      xs: this.layoutX,
      widths: this.layoutWidth,
      count: this.laidOut,
      rowStart: this.rowStart,
      rowCount: this.rowCount,
      width: this.width,
      pixelRatio: this.pixelRatio,
    };
  }

  /** Makes `layout` the current one (its arrays are never written to afterwards, so they can be kept). */
  private restoreLayout(layout: Layout): void {
    this.layoutStale = false;
    this.layoutNodes = layout.nodes;
    this.layoutX = layout.xs;
    this.layoutWidth = layout.widths;
    this.laidOut = layout.count;
    this.rowStart = layout.rowStart;
    this.rowCount = layout.rowCount;
    const contentHeight = layout.rowCount * this.rowHeight + this.rowHeight;
    this.spacer.style.height = `${Math.max(0, contentHeight - this.viewportHeight)}px`;
  }

  private growLayout(): void {
    const size = Math.max(1024, this.unsortedNodes.length * 2);
    const nodes = new Int32Array(size);
    nodes.set(this.unsortedNodes);
    const xs = new Float64Array(size);
    xs.set(this.unsortedX);
    const widths = new Float64Array(size);
    widths.set(this.unsortedWidth);
    this.unsortedNodes = nodes;
    this.unsortedX = xs;
    this.unsortedWidth = widths;
  }

  private fillOf(node: number, ancestor: boolean): string {
    const tree = this.aggregate!.tree;
    const theme = this.theme!;
    const func = tree.func[node];
    if (ancestor || func < 0) return theme.ancestorFill;
    if (this.diffFills) return this.diffFills[diffShade(tree.total[node], tree.magnitude![node])];
    return tree.inlined[node] ? this.colours.inlined[func] : this.colours.normal[func];
  }

  /**
   * The frames as laid out at the current zoom, every row (not only those
   * in view), as a standalone SVG document with a tooltip per frame.
   */
  toSvg(title: string, describe: (node: number) => string): string {
    const aggregate = this.aggregate;
    const theme = this.theme;
    if (!aggregate || !theme) return '';
    if (this.layoutStale) this.layout();
    const tree = aggregate.tree;
    const rowHeight = this.rowHeight;
    const zoomDepth = tree.depth[this.zoomNode];
    const width = Math.max(1, this.width);
    const height = (this.rowCount + 1) * rowHeight;
    const text = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const out: string[] = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
        `font-family="${text(theme.fontFamily)}" font-size="${theme.fontSize}">`,
      `<title>${text(title)}</title>`,
      `<rect width="100%" height="100%" fill="${theme.background}"/>`,
    ];
    const context = this.context;
    context.font = `${theme.fontSize}px ${theme.fontFamily}`;
    for (let row = 0; row < this.rowCount; row++) {
      const y = row * rowHeight;
      const ancestorRow = row < zoomDepth;
      for (let i = this.rowStart[row]; i < this.rowStart[row + 1]; i++) {
        const node = this.layoutNodes[i];
        const x = this.layoutX[i];
        const w = this.layoutWidth[i];
        const frameWidth = w > 2 ? w - 1 : w;
        const label = w >= minLabelWidth ? this.fitLabel(node, w - 2 * labelPadding) : '';
        const textFill = ancestorRow || tree.func[node] < 0 || this.diffFills ? theme.ancestorText : theme.frameText;
        out.push(
          `<g><title>${text(describe(node))}</title>` +
            `<rect x="${x.toFixed(2)}" y="${y}" width="${frameWidth.toFixed(2)}" height="${rowHeight - 1}" fill="${this.fillOf(node, ancestorRow)}"/>` +
            (label
              ? `<text x="${(x + labelPadding).toFixed(2)}" y="${(y + (rowHeight - 1) / 2).toFixed(1)}" dominant-baseline="middle" fill="${textFill}">${text(label)}</text>`
              : '') +
            '</g>',
        );
      }
    }
    out.push('</svg>');
    return out.join('\n');
  }

  private isDimmed(node: number, ancestor: boolean): boolean {
    return !ancestor && this.nodeMatched !== undefined && this.nodeMatched[node] === 0;
  }

  private draw(): void {
    const aggregate = this.aggregate;
    const theme = this.theme;
    const context = this.context;
    context.setTransform(this.pixelRatio, 0, 0, this.pixelRatio, 0, 0);
    context.globalAlpha = 1;
    context.fillStyle = theme?.background ?? '#ffffff';
    context.fillRect(0, 0, this.width, this.viewportHeight);
    if (!aggregate || !theme || this.laidOut === 0) return;

    const tree = aggregate.tree;
    const scrollTop = this.element.scrollTop;
    const rowHeight = this.rowHeight;
    const firstRow = Math.max(0, Math.floor(scrollTop / rowHeight));
    const lastRow = Math.min(this.rowCount - 1, Math.floor((scrollTop + this.viewportHeight) / rowHeight));
    const zoomDepth = tree.depth[this.zoomNode];
    const dimAlpha = theme.dark ? 0.22 : 0.28;
    const normalFont = `${theme.fontSize}px ${theme.fontFamily}`;
    const italicFont = `italic ${normalFont}`;

    let currentFill = '';
    let currentAlpha = 1;
    for (let row = firstRow; row <= lastRow; row++) {
      const y = row * rowHeight - scrollTop;
      const ancestorRow = row < zoomDepth;
      for (let i = this.rowStart[row]; i < this.rowStart[row + 1]; i++) {
        const node = this.layoutNodes[i];
        const fill = this.fillOf(node, ancestorRow);
        const alpha = this.isDimmed(node, ancestorRow) ? dimAlpha : 1;
        if (fill !== currentFill) context.fillStyle = currentFill = fill;
        if (alpha !== currentAlpha) context.globalAlpha = currentAlpha = alpha;
        const width = this.layoutWidth[i];
        // A one-pixel gap separates neighbours wide enough to spare it.
        context.fillRect(this.layoutX[i], y, width > 2 ? width - 1 : width, rowHeight - 1);
      }
    }

    context.textBaseline = 'middle';
    let currentFont = '';
    for (let row = firstRow; row <= lastRow; row++) {
      const textY = row * rowHeight - scrollTop + (rowHeight - 1) / 2;
      const ancestorRow = row < zoomDepth;
      for (let i = this.rowStart[row]; i < this.rowStart[row + 1]; i++) {
        const width = this.layoutWidth[i];
        if (width < minLabelWidth) continue;
        const node = this.layoutNodes[i];
        const func = tree.func[node];
        const font = func >= 0 && tree.inlined[node] ? italicFont : normalFont;
        if (font !== currentFont) context.font = currentFont = font;
        const label = this.fitLabel(node, width - 2 * labelPadding);
        if (!label) continue;
        const dimmed = this.isDimmed(node, ancestorRow);
        // A dimmed frame is close to the background, so its label takes the
        // page's text colour, faded, to stay legible in dark themes too.
        const fill = ancestorRow || func < 0 || (dimmed && theme.dark) || this.diffFills ? theme.ancestorText : theme.frameText;
        const alpha = dimmed ? 0.5 : 1;
        if (fill !== currentFill) context.fillStyle = currentFill = fill;
        if (alpha !== currentAlpha) context.globalAlpha = currentAlpha = alpha;
        context.fillText(label, this.layoutX[i] + labelPadding, textY);
      }
    }
    context.globalAlpha = 1;
  }

  /** The frame's label cut to `room` pixels with an ellipsis, or '' when not even a few letters fit. */
  private fitLabel(node: number, room: number): string {
    const aggregate = this.aggregate!;
    const func = aggregate.tree.func[node];
    const label = func < 0 ? 'all samples' : shortName(aggregate.functions[func].name);
    const context = this.context;
    let full = func < 0 ? context.measureText(label).width : this.labelWidths[func];
    if (Number.isNaN(full)) {
      full = context.measureText(label).width;
      this.labelWidths[func] = full;
    }
    if (full <= room) return label;
    const averageChar = full / label.length;
    let keep = Math.floor((room - averageChar) / averageChar);
    if (keep < 3) return '';
    while (keep >= 3) {
      const candidate = label.slice(0, keep) + ellipsis;
      if (context.measureText(candidate).width <= room) return candidate;
      keep--;
    }
    return '';
  }

  private drawOverlay(): void {
    const context = this.overlayContext;
    context.setTransform(this.pixelRatio, 0, 0, this.pixelRatio, 0, 0);
    context.clearRect(0, 0, this.width, this.viewportHeight);
    const theme = this.theme;
    if (!theme) return;
    const outline = (node: number, dashed: boolean) => {
      const slot = this.slotOf(node);
      if (slot < 0) return;
      const aggregate = this.aggregate!;
      const y = aggregate.tree.depth[node] * this.rowHeight - this.element.scrollTop;
      context.setLineDash(dashed ? [4, 2] : []);
      context.lineWidth = 2;
      context.strokeStyle = theme.hoverOutline;
      const width = Math.max(2, this.layoutWidth[slot] - 1);
      context.strokeRect(this.layoutX[slot] + 1, y + 1, width - 2, this.rowHeight - 3);
    };
    if (this.selectedNode >= 0) outline(this.selectedNode, true);
    if (this.hoverNode >= 0) outline(this.hoverNode, false);
  }

  /** Index of `node` in the layout, or -1 when it is not drawn. */
  private slotOf(node: number): number {
    const aggregate = this.aggregate;
    if (!aggregate || node < 0) return -1;
    const row = aggregate.tree.depth[node];
    if (row >= this.rowCount) return -1;
    for (let i = this.rowStart[row]; i < this.rowStart[row + 1]; i++) {
      if (this.layoutNodes[i] === node) return i;
    }
    return -1;
  }

  private nodeAt(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.width || y >= this.viewportHeight) return -1;
    const row = Math.floor((y + this.element.scrollTop) / this.rowHeight);
    if (row >= this.rowCount) return -1;
    // Binary search for the last frame starting at or before x.
    let low = this.rowStart[row];
    let high = this.rowStart[row + 1] - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.layoutX[middle] <= x) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found < 0 || x >= this.layoutX[found] + this.layoutWidth[found]) return -1;
    return this.layoutNodes[found];
  }

  private onPointerMove(event: PointerEvent): void {
    this.setHover(this.nodeAt(event.offsetX, event.offsetY), event.clientX, event.clientY);
  }

  private setHover(node: number, clientX: number, clientY: number): void {
    const changed = node !== this.hoverNode;
    this.hoverNode = node;
    this.canvas.style.cursor = node >= 0 ? 'pointer' : 'default';
    this.events.hover(node, clientX, clientY);
    if (changed) this.drawOverlay();
  }

  private onClick(event: MouseEvent): void {
    const node = this.nodeAt(event.offsetX, event.offsetY);
    if (node < 0) return;
    if (event.ctrlKey || event.metaKey) {
      this.select(node);
      this.events.openSource(node);
      return;
    }
    this.select(node);
    this.zoomTo(node);
  }

  private onKeyDown(event: KeyboardEvent): void {
    const aggregate = this.aggregate;
    if (!aggregate) return;
    const tree = aggregate.tree;
    const current = this.selectedNode >= 0 ? this.selectedNode : this.zoomNode;
    let next = -1;
    switch (event.key) {
      case 'ArrowUp':
        next = tree.parent[current];
        break;
      case 'ArrowDown':
        next = heaviestChild(aggregate, current);
        break;
      case 'ArrowLeft':
      case 'ArrowRight': {
        const parent = tree.parent[current];
        if (parent < 0) break;
        const first = tree.firstChild[parent];
        const last = first + tree.childCount[parent] - 1;
        const step = event.key === 'ArrowLeft' ? -1 : 1;
        const sibling = current + step;
        if (sibling >= first && sibling <= last) next = sibling;
        break;
      }
      case 'Enter':
        if (event.ctrlKey || event.metaKey) this.events.openSource(current);
        else this.zoomTo(current);
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    if (next >= 0) this.select(next);
  }

  private revealRow(node: number): void {
    const aggregate = this.aggregate;
    if (!aggregate || node < 0) return;
    const top = aggregate.tree.depth[node] * this.rowHeight;
    const scroller = this.element;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + this.rowHeight > scroller.scrollTop + this.viewportHeight) {
      scroller.scrollTop = top + 2 * this.rowHeight - this.viewportHeight;
    }
  }
}

export function heaviestChild(aggregate: Aggregate, node: number): number {
  const tree = aggregate.tree;
  let best = -1;
  const first = tree.firstChild[node];
  for (let child = first; child < first + tree.childCount[node]; child++) {
    if (best < 0 || tree.total[child] > tree.total[best]) best = child;
  }
  return best;
}
