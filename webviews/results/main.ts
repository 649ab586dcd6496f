// The benchmark results panel: every recorded run and benchmark in a table
// (sorted by any column, filtered by name), a small chart of one
// benchmark's median across runs, with its confidence interval, and the
// benchstat comparison of two runs picked in the toolbar.
import { installStyles } from '../common/page';
import type { HistoryData, HistoryRow, HistoryRun, ResultsFromWebview, ResultsToWebview } from '../../src/core/bench/history';
import { formatBenchQuantity } from '../../src/core/bench/lens';
import { renderComparison, renderComparisonError } from './comparison';
import styles from './results.css';

interface VsCodeApi {
  postMessage(message: ResultsFromWebview): void;
}
declare const acquireVsCodeApi: () => VsCodeApi;

type SortKey = { column: string; descending: boolean };

const script = document.currentScript as HTMLScriptElement | null;
installStyles(styles, script?.nonce);

const api = acquireVsCodeApi();
let data: HistoryData = { rows: [], runs: [], units: [], baselineRuns: [] };
let sort: SortKey = { column: 'time', descending: true };
let filter = '';
let selected: string | undefined;

const header = document.createElement('div');
header.className = 'toolbar';
const filterInput = document.createElement('input');
filterInput.type = 'search';
filterInput.placeholder = 'Filter by benchmark name';
filterInput.setAttribute('aria-label', 'Filter by benchmark name');
const count = document.createElement('span');
count.className = 'count';
header.append(filterInput, count);
const compareBar = document.createElement('div');
compareBar.className = 'toolbar compare';
const oldSelect = document.createElement('select');
oldSelect.setAttribute('aria-label', 'Old run (the base)');
oldSelect.name = 'old';
const newSelect = document.createElement('select');
newSelect.setAttribute('aria-label', 'New run');
newSelect.name = 'new';
const compareButton = document.createElement('button');
compareButton.textContent = 'Compare';
compareBar.append('Compare', oldSelect, 'with', newSelect, compareButton);
const comparison = document.createElement('section');
comparison.className = 'comparison';
const chart = document.createElement('div');
chart.className = 'chart';
const table = document.createElement('table');
table.className = 'history';
document.body.append(header, compareBar, comparison, chart, table);

/** Runs the user picked in the selects; kept across history refreshes. */
let picked: { oldRunId: string; newRunId: string } | undefined;

compareButton.addEventListener('click', () => {
  if (!oldSelect.value || !newSelect.value) return;
  if (oldSelect.value === newSelect.value) {
    renderComparisonError(comparison, 'Pick two different runs to compare.');
    return;
  }
  picked = { oldRunId: oldSelect.value, newRunId: newSelect.value };
  api.postMessage({ type: 'compare', ...picked });
});

filterInput.addEventListener('input', () => {
  filter = filterInput.value.trim().toLowerCase();
  render();
});

const when = (row: Pick<HistoryRow, 'startedAt'>) => new Date(row.startedAt).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const commitText = (row: Pick<HistoryRow, 'commit' | 'dirty' | 'importedFrom'>) => (row.commit ? `${row.commit.slice(0, 7)}${row.dirty ? '*' : ''}` : row.importedFrom ? `imported` : '');

function cellText(row: HistoryRow, unit: string): string {
  const cell = row.cells[unit];
  if (!cell) return '';
  return `${formatBenchQuantity(cell.median, unit)} ±${cell.range}`;
}

function sortValue(row: HistoryRow, column: string): number | string {
  switch (column) {
    case 'time':
      return row.startedAt;
    case 'commit':
      return commitText(row);
    case 'name':
      return row.name;
    case 'status':
      return row.status;
    default:
      return row.cells[column]?.median ?? Number.NEGATIVE_INFINITY;
  }
}

function visibleRows(): HistoryRow[] {
  const rows = data.rows.filter((row) => !filter || row.name.toLowerCase().includes(filter) || (row.name === '' && (row.message ?? '').toLowerCase().includes(filter)));
  const direction = sort.descending ? -1 : 1;
  return rows.sort((a, b) => {
    const x = sortValue(a, sort.column);
    const y = sortValue(b, sort.column);
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  });
}

function headerCell(label: string, column: string): HTMLTableCellElement {
  const th = document.createElement('th');
  th.textContent = label;
  th.dataset.column = column;
  th.tabIndex = 0;
  const active = sort.column === column;
  th.setAttribute('aria-sort', active ? (sort.descending ? 'descending' : 'ascending') : 'none');
  if (active) th.textContent += sort.descending ? ' ▼' : ' ▲';
  const toggle = () => {
    sort = { column, descending: sort.column === column ? !sort.descending : column !== 'name' };
    render();
  };
  th.addEventListener('click', toggle);
  th.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') toggle();
  });
  return th;
}

const runLabel = (run: HistoryRun) =>
  `${new Date(run.startedAt).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' })}${commitText(run) ? ` · ${commitText(run)}` : ''} · ${run.names.length === 1 ? run.names[0] : `${run.names.length} benchmarks`}${data.baselineRuns.includes(run.runId) ? ' (baseline)' : ''}`;

/** The run selects, newest first; by default the newest run against the latest baseline (else the run before it). */
function renderRunPickers(): void {
  const newestFirst = [...data.runs].reverse();
  const defaultNew = newestFirst[0]?.runId;
  const defaultOld = (newestFirst.find((run) => run.runId !== defaultNew && data.baselineRuns.includes(run.runId)) ?? newestFirst[1])?.runId;
  for (const [select, choice] of [
    [oldSelect, picked?.oldRunId ?? defaultOld],
    [newSelect, picked?.newRunId ?? defaultNew],
  ] as const) {
    select.replaceChildren(...newestFirst.map((run) => new Option(runLabel(run), run.runId, false, run.runId === choice)));
  }
  compareBar.hidden = data.runs.length < 2;
}

function render(): void {
  const rows = visibleRows();
  count.textContent = `${rows.length} of ${data.rows.length} rows`;
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  head.append(headerCell('Time', 'time'), headerCell('Commit', 'commit'), headerCell('Benchmark', 'name'));
  for (const unit of data.units) head.append(headerCell(unit, unit));
  head.append(headerCell('Status', 'status'));
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset.name = row.name;
    if (row.name !== '' && row.name === selected) tr.classList.add('selected');
    if (data.baselineRuns.includes(row.runId)) tr.classList.add('baseline');
    const add = (text: string, className?: string) => {
      const td = tr.insertCell();
      td.textContent = text;
      if (className) td.className = className;
      return td;
    };
    add(when(row));
    add(commitText(row), 'commit').title = row.commit ?? row.importedFrom ?? '';
    add(row.name || '—', 'name');
    for (const unit of data.units) add(cellText(row, unit), 'number').title = row.cells[unit] ? `n=${row.cells[unit].n}` : '';
    const status = add(row.status, `status ${row.status}`);
    if (row.message) status.title = row.message;
    if (row.name) {
      tr.addEventListener('click', () => {
        selected = row.name;
        render();
      });
    }
  }
  drawChart();
}

/** Medians of the selected benchmark in its first unit, oldest run first, with interval whiskers. */
function drawChart(): void {
  chart.replaceChildren();
  if (!selected) {
    chart.textContent = 'Click a benchmark row to chart its history.';
    return;
  }
  const unit = data.units.find((u) => data.rows.some((row) => row.name === selected && row.cells[u]));
  if (!unit) return;
  const points = data.rows
    .filter((row) => row.name === selected && row.cells[unit])
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const width = 560;
  const height = 140;
  const pad = { left: 70, right: 10, top: 18, bottom: 28 };
  const values = points.flatMap((p) => [p.cells[unit].median, p.cells[unit].low ?? p.cells[unit].median, p.cells[unit].high ?? p.cells[unit].median]);
  const max = Math.max(...values);
  const min = Math.min(0, ...values);
  const y = (v: number) => pad.top + (height - pad.top - pad.bottom) * (1 - (v - min) / (max - min || 1));
  const x = (i: number) => pad.left + (points.length === 1 ? 0.5 : i / (points.length - 1)) * (width - pad.left - pad.right);
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${selected} ${unit} across ${points.length} runs`);
  const el = (name: string, attributes: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(svgNs, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  el('text', { x: pad.left, y: 12, class: 'title' }, `${selected} · ${unit} (median, 95% interval)`);
  el('line', { x1: pad.left, y1: y(min), x2: width - pad.right, y2: y(min), class: 'axis' });
  el('text', { x: pad.left - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, formatBenchQuantity(max, unit));
  el('text', { x: pad.left - 6, y: y(min) + 4, class: 'tick', 'text-anchor': 'end' }, formatBenchQuantity(min, unit));
  el('polyline', { points: points.map((p, i) => `${x(i)},${y(p.cells[unit].median)}`).join(' '), class: 'line' });
  points.forEach((point, i) => {
    const cell = point.cells[unit];
    if (cell.low !== null && cell.high !== null) el('line', { x1: x(i), y1: y(cell.low), x2: x(i), y2: y(cell.high), class: 'whisker' });
    const dot = el('circle', { cx: x(i), cy: y(cell.median), r: 3, class: data.baselineRuns.includes(point.runId) ? 'dot baseline' : 'dot' });
    const tip = document.createElementNS(svgNs, 'title');
    tip.textContent = `${when(point)} ${commitText(point)}: ${cellText(point, unit)} (n=${cell.n})`;
    dot.append(tip);
    el('text', { x: x(i), y: height - 8, class: 'tick', 'text-anchor': 'middle' }, commitText(point) || String(i + 1));
  });
  chart.append(svg);
}

window.addEventListener('message', (event: MessageEvent<ResultsToWebview>) => {
  const message = event.data;
  switch (message?.type) {
    case 'history':
      data = message.data;
      document.body.dataset.state = 'rendered';
      renderRunPickers();
      render();
      break;
    case 'comparison':
      picked = { oldRunId: message.comparison.oldRunId, newRunId: message.comparison.newRunId };
      renderRunPickers();
      renderComparison(comparison, message.comparison, message.labels, {
        openDiff: (kind) => api.postMessage({ type: 'openDiff', kind }),
        close: () => api.postMessage({ type: 'closeComparison' }),
      });
      break;
    case 'comparisonError':
      renderComparisonError(comparison, message.message);
      break;
  }
});
render();
api.postMessage({ type: 'ready' });
