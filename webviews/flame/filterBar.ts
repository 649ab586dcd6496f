// pprof's filters as removable chips: focus, ignore, hide, show, show_from
// (regexes over function and file names, and binaries) and tagfocus/tagignore
// (labels). Each change is one step of an undo history (Ctrl/Cmd+Z).
// Several chips of one regex kind mean "any of them": they become one pprof
// regex joined with '|', which is how a pprof user writes it. Tag filters
// take one value each (pprof's own syntax already lists alternatives), so a
// new one replaces the old. Grouping by a label key (pprof's -tagroot and
// -tagleaf) is a chip too, one per key, in the order pprof lists the keys.

import type { FilterOptions, LabelFrameOptions } from '../../src/core/pprof/index';
import { packageOf } from './palette';

export type GroupKind = 'tagroot' | 'tagleaf';
export type FilterKind = 'focus' | 'ignore' | 'hide' | 'show' | 'show_from' | 'tagfocus' | 'tagignore' | GroupKind;

export interface FilterChip {
  kind: FilterKind;
  value: string;
}

const kinds: { kind: FilterKind; option: keyof FilterOptions; title: string }[] = [
  { kind: 'focus', option: 'focus', title: 'Keep only the samples with a matching frame' },
  { kind: 'ignore', option: 'ignore', title: 'Drop the samples with a matching frame' },
  { kind: 'hide', option: 'hide', title: 'Remove matching frames from every stack' },
  { kind: 'show', option: 'show', title: 'Keep only matching frames in every stack' },
  { kind: 'show_from', option: 'showFrom', title: 'Drop the frames above the outermost match (and samples without one)' },
  { kind: 'tagfocus', option: 'tagFocus', title: 'Keep samples by label: key=regex, or a numeric range such as bytes=1kb:' },
  { kind: 'tagignore', option: 'tagIgnore', title: 'Drop samples by label: key=regex, or a numeric range' },
];

const groupKinds: { kind: GroupKind; heading: string; title: string }[] = [
  { kind: 'tagroot', heading: 'At the root', title: "The label's values become the outermost frames (pprof's -tagroot)" },
  { kind: 'tagleaf', heading: 'At the leaf', title: "The label's values become the innermost frames (pprof's -tagleaf)" },
];

const isTagKind = (kind: FilterKind) => kind === 'tagfocus' || kind === 'tagignore';
const isGroupKind = (kind: FilterKind): kind is GroupKind => kind === 'tagroot' || kind === 'tagleaf';

/** The chips as pprof's options (the same strings `go tool pprof -focus=…` would take). */
export function filterOptions(chips: readonly FilterChip[]): FilterOptions {
  const options: FilterOptions = {};
  for (const { kind, option } of kinds) {
    const values = chips.filter((chip) => chip.kind === kind).map((chip) => chip.value);
    if (values.length > 0) options[option] = values.join('|');
  }
  return options;
}

/** The grouping chips as pprof's -tagroot/-tagleaf keys, first added outermost. */
export function labelFrameOptions(chips: readonly FilterChip[]): LabelFrameOptions {
  const keys = (kind: GroupKind) => chips.filter((chip) => chip.kind === kind).map((chip) => chip.value);
  return { root: keys('tagroot'), leaf: keys('tagleaf') };
}

/** The chips as go tool pprof flags, e.g. ["-focus=Parse", "-hide=^runtime\\.", "-tagroot=worker"]. */
export function pprofFlags(chips: readonly FilterChip[]): string[] {
  const options = filterOptions(chips);
  const grouping = labelFrameOptions(chips);
  return [
    ...kinds.flatMap(({ kind, option }) => (options[option] !== undefined ? [`-${kind}=${options[option]}`] : [])),
    ...(['root', 'leaf'] as const).flatMap((end) => (grouping[end]!.length > 0 ? [`-tag${end}=${grouping[end]!.join(',')}`] : [])),
  ];
}

/** Escapes a Go import path for use as a regex prefix. */
export function quoteRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const hideRuntimeChip: FilterChip = { kind: 'hide', value: '^runtime\\.' };

export class FilterBar {
  readonly element: HTMLDivElement;
  private readonly kindSelect = document.createElement('select');
  private readonly input = document.createElement('input');
  private readonly chipList = document.createElement('div');
  private readonly undoButton = document.createElement('button');
  private readonly moduleButton = document.createElement('button');
  private readonly groupSelect = document.createElement('select');
  private readonly status = document.createElement('span');
  private chips: FilterChip[] = [];
  private readonly history: FilterChip[][] = [];
  private modulePath: string | undefined;

  constructor(private readonly changed: (chips: readonly FilterChip[]) => void) {
    this.element = document.createElement('div');
    this.element.className = 'filter-bar';
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'Filters');

    this.kindSelect.className = 'filter-kind';
    this.kindSelect.setAttribute('aria-label', 'Filter kind');
    for (const { kind, title } of kinds) {
      const option = document.createElement('option');
      option.value = kind;
      option.textContent = kind;
      option.title = title;
      this.kindSelect.append(option);
    }
    this.kindSelect.addEventListener('change', () => this.updatePlaceholder());
    this.input.className = 'filter-input';
    this.input.type = 'text';
    this.input.spellcheck = false;
    this.input.setAttribute('aria-label', 'Filter regexp');
    this.updatePlaceholder();
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.addFromInput();
      }
    });
    const add = this.button('Add', 'Add this filter (Enter)', () => this.addFromInput());
    const hideRuntime = this.button('Hide runtime', 'Hide the Go runtime\'s frames (-hide=^runtime\\.)', () => this.add(hideRuntimeChip));
    hideRuntime.classList.add('quick');
    this.moduleButton.className = 'quick';
    this.moduleButton.type = 'button';
    this.moduleButton.textContent = 'Only this module';
    this.moduleButton.disabled = true;
    this.moduleButton.addEventListener('click', () => {
      if (this.modulePath) this.add({ kind: 'focus', value: `^${quoteRegex(this.modulePath)}[./]` });
    });
    this.undoButton.type = 'button';
    this.undoButton.textContent = 'Undo';
    this.undoButton.title = 'Undo the last filter change (Ctrl+Z)';
    this.undoButton.disabled = true;
    this.undoButton.addEventListener('click', () => this.undo());
    this.groupSelect.className = 'group-by';
    this.groupSelect.setAttribute('aria-label', 'Group by label');
    this.groupSelect.title = "Add frames named by each sample's values of a label key (pprof's -tagroot/-tagleaf)";
    this.groupSelect.hidden = true;
    this.groupSelect.addEventListener('change', () => {
      const choice = this.groupSelect.value;
      const kind = choice.slice(0, choice.indexOf(':')) as FilterKind;
      this.groupSelect.value = '';
      if (isGroupKind(kind)) this.add({ kind, value: choice.slice(kind.length + 1) });
    });
    this.chipList.className = 'chips';
    this.chipList.setAttribute('aria-label', 'Active filters');
    this.status.className = 'filter-status';
    this.status.setAttribute('role', 'status');
    this.element.append(this.kindSelect, this.input, add, hideRuntime, this.moduleButton, this.groupSelect, this.undoButton, this.chipList, this.status);
  }

  get active(): readonly FilterChip[] {
    return this.chips;
  }

  /** The main module's import path, for "Only this module" (undefined disables the button). */
  setModulePath(path: string | undefined): void {
    this.modulePath = path;
    this.moduleButton.disabled = path === undefined;
    this.moduleButton.title = path ? `Focus on ${path} (-focus=^${quoteRegex(path)}[./])` : 'No module of your own found in this profile';
  }

  /** Offers the profile's label keys to group by; the control hides when there are none. */
  setLabelKeys(keys: readonly string[]): void {
    const prompt = document.createElement('option');
    prompt.value = '';
    prompt.textContent = 'Group by label…';
    const groups = groupKinds.map(({ kind, heading, title }) => {
      const group = document.createElement('optgroup');
      group.label = heading;
      for (const key of keys) {
        const option = document.createElement('option');
        option.value = `${kind}:${key}`;
        option.textContent = key;
        option.title = title;
        group.append(option);
      }
      return group;
    });
    this.groupSelect.replaceChildren(prompt, ...groups);
    this.groupSelect.value = '';
    this.groupSelect.hidden = keys.length === 0;
  }

  /** Shows a problem with the filters (a bad regex) or pprof's warnings; '' clears it. */
  setStatus(text: string, isError: boolean): void {
    this.status.textContent = text;
    this.status.classList.toggle('error', isError);
  }

  add(chip: FilterChip): void {
    if (chip.value === '') return;
    const kept = this.chips.filter((c) => !(c.kind === chip.kind && (c.value === chip.value || isTagKind(chip.kind))));
    this.commit([...kept, chip]);
  }

  remove(index: number): void {
    this.commit(this.chips.filter((_, i) => i !== index));
  }

  /** Returns to the filters before the last change; false when there is nothing to undo. */
  undo(): boolean {
    const previous = this.history.pop();
    if (previous === undefined) return false;
    this.chips = previous;
    this.render();
    this.changed(this.chips);
    return true;
  }

  private commit(next: FilterChip[]): void {
    this.history.push(this.chips);
    this.chips = next;
    this.render();
    this.changed(this.chips);
  }

  private addFromInput(): void {
    const value = this.input.value.trim();
    if (value === '') return;
    this.add({ kind: this.kindSelect.value as FilterKind, value });
    this.input.value = '';
  }

  private updatePlaceholder(): void {
    const kind = this.kindSelect.value as FilterKind;
    this.input.placeholder = isTagKind(kind) ? 'key=regexp or bytes=1kb:' : `${kind} regexp`;
    this.input.title = kinds.find((k) => k.kind === kind)?.title ?? '';
  }

  private render(): void {
    const chips = this.chips.map((chip, index) => {
      const element = document.createElement('span');
      element.className = 'chip';
      element.dataset.kind = chip.kind;
      element.dataset.value = chip.value;
      const label = document.createElement('span');
      label.textContent = isGroupKind(chip.kind)
        ? `group by ${chip.value}${chip.kind === 'tagleaf' ? ' (at the leaf)' : ''}`
        : `${chip.kind}=${chip.value}`;
      label.title = `-${chip.kind}=${chip.value}`;
      const remove = this.button('×', `Remove ${chip.kind}=${chip.value}`, () => this.remove(index));
      remove.className = 'chip-remove';
      remove.setAttribute('aria-label', `Remove ${isGroupKind(chip.kind) ? 'grouping' : 'filter'} ${chip.kind}=${chip.value}`);
      element.append(label, remove);
      return element;
    });
    this.chipList.replaceChildren(...chips);
    this.undoButton.disabled = this.history.length === 0;
    document.body.dataset.filters = pprofFlags(this.chips).join(' ');
  }

  private button(text: string, title: string, click: () => void): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text;
    button.title = title;
    button.addEventListener('click', click);
    return button;
  }
}

/**
 * The module of the code being profiled, guessed from function names: the
 * heaviest function outside the standard library (whose import paths have
 * no dot in their first element) names a package; the module is the prefix
 * that package shares with every other package of the same host, kept to
 * host/owner/repo on the well-known hosts.
 */
export function guessModulePath(names: readonly { name: string; cum: number }[]): string | undefined {
  const packages = new Map<string, number>();
  for (const { name, cum } of names) {
    if (!name.includes('/')) continue;
    const pkg = packageOf(name);
    const first = pkg.split('/')[0];
    if (!first.includes('.')) continue;
    packages.set(pkg, Math.max(packages.get(pkg) ?? 0, Math.abs(cum)));
  }
  if (packages.size === 0) return undefined;
  const heaviest = [...packages].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  let prefix = heaviest.split('/');
  for (const pkg of packages.keys()) {
    const parts = pkg.split('/');
    if (parts[0] !== prefix[0]) continue;
    let same = 0;
    while (same < prefix.length && same < parts.length && parts[same] === prefix[same]) same++;
    prefix = prefix.slice(0, same);
  }
  const wellKnown = ['github.com', 'gitlab.com', 'bitbucket.org'];
  const minimum = wellKnown.includes(prefix[0]) ? 3 : 2;
  if (prefix.length < minimum) prefix = heaviest.split('/').slice(0, minimum);
  return prefix.join('/');
}
