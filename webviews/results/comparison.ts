// Two runs side by side as benchstat prints them: per configuration and
// unit a table with both cells of each benchmark, the change or `~`, p and
// n, the geomean row, and benchstat's numbered footnotes. A row can open the
// differential flame graph of the two runs' profiles.
import { superscript, type ComparisonRow, type ComparisonTable, type RunComparison } from '../../src/core/bench/comparison';

export interface ComparisonActions {
  openDiff(kind: string): void;
  close(): void;
}

/** The profile kind whose diff explains a row of this unit: memory for allocation units when both runs have it. */
function diffKind(unit: string, kinds: readonly string[]): string | undefined {
  if ((unit === 'B/op' || unit === 'allocs/op') && kinds.includes('mem')) return 'mem';
  return kinds.includes('cpu') ? 'cpu' : kinds[0];
}

const kindLabel = (kind: string) => (kind === 'cpu' ? 'CPU' : kind === 'mem' ? 'memory' : kind);

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function addCell(tr: HTMLTableRowElement, text: string, className: string): HTMLTableCellElement {
  const td = tr.insertCell();
  td.className = className;
  td.textContent = text;
  return td;
}

function deltaClass(row: Pick<ComparisonRow, 'delta' | 'regression'>): string {
  if (row.delta === undefined) return 'delta';
  if (row.delta === '~') return 'delta noise';
  if (row.delta === '?' || row.delta === '0.00%') return 'delta';
  return row.regression ? 'delta worse' : 'delta better';
}

function renderTable(table: ComparisonTable, config: string, labels: [string, string], kinds: readonly string[], actions: ComparisonActions): HTMLElement {
  const section = element('div', 'unit-table');
  section.dataset.unit = table.unit;
  if (config) section.append(element('div', 'config', config));
  const notes: string[] = [];
  const marks = (warnings: readonly string[]) =>
    warnings
      .map((warning) => {
        let index = notes.indexOf(warning);
        if (index === -1) index = notes.push(warning) - 1;
        return superscript(index + 1);
      })
      .join(' ');

  const grid = element('table');
  const head = grid.createTHead().insertRow();
  const kind = diffKind(table.unit, kinds);
  for (const [text, className, title] of [
    [table.unit, 'unit', ''],
    ['old', 'number', labels[0]],
    ['new', 'number', labels[1]],
    ['vs base', 'number', '~ when the difference is not significant (Mann–Whitney U test, alpha 0.05)'],
    ['p, n', '', ''],
    ['', '', ''],
  ]) {
    const th = element('th', className, text);
    if (title) th.title = title;
    head.append(th);
  }
  const body = grid.createTBody();
  for (const row of table.rows) {
    const tr = body.insertRow();
    tr.dataset.name = row.name;
    const cell = (text: string, className: string) => addCell(tr, text, className);
    cell(row.name, 'name');
    cell(row.old?.text ?? '', 'number old');
    cell(row.new?.text ?? '', 'number new');
    cell(row.delta ?? '', deltaClass(row));
    cell(row.pn ? `(${row.pn})` : '', 'pn');
    const extra = cell(marks(row.warnings), 'notes');
    if (row.warnings.length > 0) extra.title = row.warnings.join('\n');
    if (kind && row.old && row.new) {
      const button = element('button', 'diff', `Diff flame graph (${kindLabel(kind)})`);
      button.title = `The new run's ${kindLabel(kind)} profile minus the old run's (-diff_base, normalised)`;
      button.addEventListener('click', () => actions.openDiff(kind));
      extra.append(button);
    }
  }
  if (table.geomean) {
    const tr = body.insertRow();
    tr.className = 'geomean';
    tr.dataset.name = 'geomean';
    const cell = (text: string, className: string) => addCell(tr, text, className);
    cell('geomean', 'name');
    cell(table.geomean.old ?? '', 'number old');
    cell(table.geomean.new ?? '', 'number new');
    // benchstat tests no significance for the geomean, so its change is not coloured.
    cell(table.geomean.delta, 'delta');
    cell('', 'pn');
    cell(marks(table.warnings), 'notes');
  }
  section.append(grid);
  if (notes.length > 0) {
    const list = element('ol', 'footnotes');
    notes.forEach((note, i) => list.append(element('li', undefined, `${superscript(i + 1)} ${note}`)));
    section.append(list);
  }
  return section;
}

export function renderComparison(container: HTMLElement, comparison: RunComparison, labels: [string, string], actions: ComparisonActions): void {
  container.replaceChildren();
  container.dataset.state = 'shown';
  const title = element('div', 'comparison-title');
  const heading = element('h2', undefined, `old: ${labels[0]} → new: ${labels[1]}`);
  const close = element('button', 'close', '×');
  close.title = 'Close the comparison';
  close.setAttribute('aria-label', 'Close the comparison');
  close.addEventListener('click', () => {
    container.replaceChildren();
    container.dataset.state = 'closed';
    actions.close();
  });
  title.append(heading, close);
  container.append(title);
  if (comparison.ignoredKeys.length > 0) {
    container.append(
      element('p', 'note', `The runs differ in ${comparison.ignoredKeys.join(', ')}; compared regardless (benchstat -ignore ${comparison.ignoredKeys.join(',')}).`),
    );
  }
  if (comparison.tables.length === 0) container.append(element('p', 'note', 'The two runs have no results to compare.'));
  // Like benchstat, the configuration is printed where it changes.
  let previousConfig = '';
  for (const table of comparison.tables) {
    const config = table.config.map(([key, value]) => `${key}: ${value}`).join(' · ');
    container.append(renderTable(table, config === previousConfig ? '' : config, labels, comparison.diffProfiles, actions));
    previousConfig = config;
  }
}

export function renderComparisonError(container: HTMLElement, message: string): void {
  container.replaceChildren(element('p', 'error', message));
  container.dataset.state = 'error';
}
