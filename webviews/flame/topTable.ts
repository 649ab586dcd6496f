// The "top" table next to the flame graph, the same numbers as
// `go tool pprof -top`: flat, flat%, cum, cum% per function, sortable by any
// column. A plain <table> keeps thousands of rows cheap; only the first
// rows are rendered until the user asks for all of them.

import type { Aggregate, TopRow } from '../../src/core/pprof/index';
import { formatPercent, formatValue } from '../../src/core/pprof/units';

type SortKey = 'flat' | 'cum' | 'name';

interface Column {
  key: SortKey;
  label: string;
  numeric: boolean;
  title: string;
}

const columns: Column[] = [
  { key: 'flat', label: 'Flat', numeric: true, title: 'Value of samples whose leaf is this function' },
  { key: 'flat', label: 'Flat%', numeric: true, title: 'Flat as a share of the total' },
  { key: 'cum', label: 'Cum', numeric: true, title: 'Value of samples with this function anywhere on the stack' },
  { key: 'cum', label: 'Cum%', numeric: true, title: 'Cum as a share of the total' },
  { key: 'name', label: 'Function', numeric: false, title: 'Function name' },
];

const initialRowLimit = 300;

export class TopTable {
  readonly element: HTMLDivElement;
  private readonly table: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly headerButtons: HTMLButtonElement[] = [];
  private readonly more: HTMLButtonElement;
  private aggregate: Aggregate | undefined;
  private sorted: TopRow[] = [];
  private sortColumn = 0;
  private descending = true;
  private showAll = false;
  private functionMatched: Uint8Array | undefined;
  /** A diff: values are changes, printed with their sign. */
  private diff = false;

  constructor(private readonly focusFunction: (func: number) => void) {
    this.element = document.createElement('div');
    this.element.className = 'top-scroll';
    this.table = document.createElement('table');
    this.table.className = 'top-table';
    const head = this.table.createTHead().insertRow();
    for (const column of columns) {
      const cell = document.createElement('th');
      cell.scope = 'col';
      if (column.numeric) cell.className = 'numeric';
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = column.label;
      button.title = `${column.title}. Click to sort.`;
      button.dataset.sort = column.key;
      const index = this.headerButtons.length;
      button.addEventListener('click', () => this.sortByColumn(index));
      cell.append(button);
      head.append(cell);
      this.headerButtons.push(button);
    }
    this.body = this.table.createTBody();
    this.body.addEventListener('click', (event) => this.onRowActivated(event));
    // One tab stop for the whole table; arrow keys move between rows.
    this.body.addEventListener('keydown', (event) => {
      const row = (event.target as HTMLElement).closest('tr');
      if (!row) return;
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.onRowActivated(event);
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const next = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
        if (next instanceof HTMLTableRowElement) this.moveFocus(row, next);
      }
    });
    this.more = document.createElement('button');
    this.more.type = 'button';
    this.more.className = 'link-button top-more';
    this.more.addEventListener('click', () => {
      this.showAll = true;
      this.render();
    });
    this.element.append(this.table, this.more);
  }

  setAggregate(aggregate: Aggregate, diff = false): void {
    this.aggregate = aggregate;
    this.diff = diff;
    this.headerButtons.forEach((button, i) => {
      const label = columns[i].label;
      button.textContent = diff && columns[i].numeric ? label.replace(/^(Flat|Cum)/, '$1 Δ') : label;
    });
    this.showAll = false;
    this.functionMatched = undefined;
    this.sort();
    this.render();
  }

  setMatched(functionMatched: Uint8Array | undefined): void {
    this.functionMatched = functionMatched;
    for (const row of this.body.rows) {
      const func = Number(row.dataset.func);
      row.classList.toggle('matched', functionMatched !== undefined && functionMatched[func] === 1);
    }
  }

  private sortByColumn(index: number): void {
    if (columns[index].key === columns[this.sortColumn].key) this.descending = !this.descending;
    else {
      // Numbers read best largest first, names alphabetically.
      this.descending = columns[index].numeric;
    }
    this.sortColumn = index;
    this.sort();
    this.render();
  }

  private sort(): void {
    const aggregate = this.aggregate;
    if (!aggregate) return;
    const names = aggregate.functions;
    const key = columns[this.sortColumn].key;
    const direction = this.descending ? -1 : 1;
    const byName = (a: TopRow, b: TopRow) => names[a.func].name.localeCompare(names[b.func].name);
    this.sorted = aggregate.rows.slice().sort((a, b) => {
      const primary = key === 'name' ? byName(a, b) : a[key] - b[key];
      return primary !== 0 ? direction * primary : byName(a, b);
    });
  }

  private render(): void {
    const aggregate = this.aggregate;
    if (!aggregate) return;
    this.headerButtons.forEach((button, i) => {
      const cell = button.parentElement!;
      if (i === this.sortColumn) cell.setAttribute('aria-sort', this.descending ? 'descending' : 'ascending');
      else cell.removeAttribute('aria-sort');
    });
    const limit = this.showAll ? this.sorted.length : Math.min(initialRowLimit, this.sorted.length);
    const fragment = document.createDocumentFragment();
    for (let i = 0; i < limit; i++) {
      const row = this.sorted[i];
      const info = aggregate.functions[row.func];
      const tr = document.createElement('tr');
      tr.tabIndex = i === 0 ? 0 : -1;
      tr.dataset.func = String(row.func);
      tr.dataset.flat = String(row.flat);
      tr.dataset.cum = String(row.cum);
      tr.title = info.file ? `${info.name}\n${info.file}` : info.name;
      if (this.functionMatched?.[row.func]) tr.classList.add('matched');
      const cells = this.cells(row).slice(0, 4);
      for (const text of cells) {
        const td = document.createElement('td');
        td.className = 'numeric';
        td.textContent = text;
        tr.append(td);
      }
      const name = document.createElement('td');
      name.className = 'function';
      name.textContent = info.name;
      tr.append(name);
      fragment.append(tr);
    }
    this.body.replaceChildren(fragment);
    const hidden = this.sorted.length - limit;
    this.more.hidden = hidden <= 0;
    this.more.textContent = `Show all ${this.sorted.length} functions (${hidden} more)`;
  }

  /** Flat, flat%, cum, cum% and the name as shown (a diff's changes carry their sign). */
  private cells(row: TopRow): string[] {
    const aggregate = this.aggregate!;
    const { unit } = aggregate.sampleType;
    const signed = (text: string, value: number) => (this.diff && value > 0 ? `+${text}` : text);
    return [
      signed(formatValue(row.flat, unit), row.flat),
      signed(formatPercent(row.flat, aggregate.total), row.flat),
      signed(formatValue(row.cum, unit), row.cum),
      signed(formatPercent(row.cum, aggregate.total), row.cum),
      aggregate.functions[row.func].name,
    ];
  }

  private headers(): string[] {
    return this.headerButtons.map((button) => button.textContent ?? '');
  }

  /** Every row in the table's order as a Markdown table. */
  toMarkdown(): string {
    const escape = (cell: string) => cell.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
    const line = (cells: string[]) => `| ${cells.map(escape).join(' | ')} |`;
    const align = columns.map((column) => (column.numeric ? '---:' : ':---'));
    return [line(this.headers()), `| ${align.join(' | ')} |`, ...this.sorted.map((row) => line(this.cells(row)))].join('\n') + '\n';
  }

  /**
   * Every row in the table's order as CSV (RFC 4180): exact values in the
   * sample type's unit, so a spreadsheet can compute with them.
   */
  toCsv(): string {
    const aggregate = this.aggregate;
    if (!aggregate) return '';
    const { unit } = aggregate.sampleType;
    const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
    const lines = [[`flat (${unit})`, 'flat%', `cum (${unit})`, 'cum%', 'function'].map(quote).join(',')];
    const percent = (value: number) => (aggregate.total === 0 ? '' : ((100 * value) / aggregate.total).toFixed(2));
    for (const row of this.sorted) {
      lines.push([String(row.flat), percent(row.flat), String(row.cum), percent(row.cum), aggregate.functions[row.func].name].map(quote).join(','));
    }
    return lines.join('\r\n') + '\r\n';
  }

  private moveFocus(from: HTMLTableRowElement, to: HTMLTableRowElement): void {
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }

  private onRowActivated(event: Event): void {
    const row = (event.target as HTMLElement).closest('tr');
    if (!row || row.dataset.func === undefined) return;
    this.focusFunction(Number(row.dataset.func));
  }
}
