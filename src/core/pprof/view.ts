// One profile as `go tool pprof` would report it with -base/-diff_base,
// -normalize, the focus/hide/tag filters and -granularity: the diff first,
// then the filters, then the nodes. Percentages stay relative to the total
// before filtering, as in pprof (without -relative_percentages).

import type { Aggregate } from './model';
import type { Profile } from './decode';
import { aggregate, hasStackTrie, refoldTree, treeAggregate, type AggregateOptions, type Granularity, type TreeDetail } from './aggregate';
import { diffProfiles, diffTrees, incompatibility, reportTotal, type DiffMode } from './diff';
import { filterProfile, hasFilters, planFilters, tagWarnings, type FilterOptions, type FilterPlan } from './filter';
import { hasLabelFrames, labelFramesOf, type LabelFrameOptions } from './labelFrames';

export interface ViewOptions {
  filters?: FilterOptions;
  granularity?: Granularity;
  base?: { profile: Profile; mode: DiffMode; normalize?: boolean };
  callTree?: boolean;
  collapseRecursion?: boolean;
  /** Sum |value| per call-tree node too (see CallTree.magnitude). */
  magnitude?: boolean;
  /** pprof's -tagroot/-tagleaf: label values as frames, added after the diff and before the filters. */
  labelFrames?: LabelFrameOptions;
}

export interface View {
  /** The profile after the diff and the filters (what a flame graph draws). */
  profile: Profile;
  aggregate: Aggregate;
  warnings: string[];
}

/**
 * Merged profiles by source, base and options: a view that changes only the
 * sample type or the filters of a diff reuses the merge (and with it the
 * call-tree structures built for the merged samples).
 */
const diffs = new WeakMap<Profile, WeakMap<Profile, Map<string, Profile>>>();

function diffOf(source: Profile, base: Profile, mode: DiffMode, normalize: boolean): Profile {
  let byBase = diffs.get(source);
  if (!byBase) diffs.set(source, (byBase = new WeakMap()));
  let byOptions = byBase.get(base);
  if (!byOptions) byBase.set(base, (byOptions = new Map()));
  const key = `${mode} ${normalize}`;
  let merged = byOptions.get(key);
  if (!merged) {
    merged = diffProfiles(source, base, { mode, normalize });
    // One merge per pair is enough to switch modes back and forth without keeping all four.
    byOptions.clear();
    byOptions.set(key, merged);
  }
  return merged;
}

/**
 * The last call trees built per profile without hide, show, show_from or tag
 * filters, which a view that only adds hide or show to one refolds (see
 * refoldTree) instead of going back to the samples, and which a diff folds
 * together (see diffTrees). Two: a tree and the one of another sample type,
 * or with a focus; a new focus never pushes out the last tree without one,
 * which every other filter starts from.
 */
const unhidden = new WeakMap<Profile, Map<string, { detail: TreeDetail; focused: boolean }>>();
const keptUnhidden = 2;

function rememberUnhidden(profile: Profile, key: string, detail: TreeDetail, focused: boolean): void {
  let trees = unhidden.get(profile);
  if (!trees) unhidden.set(profile, (trees = new Map()));
  trees.delete(key);
  trees.set(key, { detail, focused });
  if (trees.size <= keptUnhidden) return;
  // Oldest first; the newest tree without focus stays while a focused one comes in.
  const keys = [...trees.keys()];
  const lastUnfocused = keys.filter((k) => !trees.get(k)!.focused).pop();
  const evict = focused ? keys.find((k) => k !== lastUnfocused) : keys[0];
  trees.delete(evict!);
}

/**
 * The detail with its own copy of the tree's arrays: the aggregate a view
 * returns shares them, and its caller may hand them on (the flame graph's
 * worker transfers them to the page, which leaves them empty here).
 */
function ownTree(detail: TreeDetail): TreeDetail {
  const { nodeCount, parent, func, total, self, line, inlined } = detail.tree;
  return {
    ...detail,
    tree: { nodeCount, parent: parent.slice(), func: func.slice(), total: total.slice(), self: self.slice(), line: line.slice(), inlined: inlined.slice() },
  };
}

/** The profile's call tree with at most focus and ignore, as remembered or built now. */
function unhiddenTree(profile: Profile, sampleIndex: number, opts: AggregateOptions, filters: FilterOptions | undefined): TreeDetail {
  const key = unhiddenKey(sampleIndex, opts, filters);
  const baseFilters: FilterOptions = { focus: filters?.focus, ignore: filters?.ignore };
  const focused = hasFilters(baseFilters);
  const cached = unhidden.get(profile)?.get(key);
  if (cached) {
    rememberUnhidden(profile, key, cached.detail, focused);
    return cached.detail;
  }
  const plan = focused ? { plan: planFilters(profile, baseFilters), structureKey: '' } : undefined;
  const detail = treeAggregate(profile, sampleIndex, opts, plan).detail;
  rememberUnhidden(profile, key, detail, focused);
  return detail;
}

function unhiddenKey(sampleIndex: number, opts: AggregateOptions, filters: FilterOptions | undefined): string {
  return JSON.stringify([sampleIndex, opts.granularity ?? 'functions', opts.collapseRecursion ?? false, filters?.focus ?? '', filters?.ignore ?? '']);
}

function onlyFocusOrIgnore(filters: FilterOptions | undefined): boolean {
  return !filters || [filters.hide, filters.show, filters.showFrom, filters.tagFocus, filters.tagIgnore].every((f) => (f ?? '') === '');
}

/** The view's aggregate refolded from the same view without hide and show, or undefined when it can't be. */
function refolded(profile: Profile, sampleIndex: number, opts: AggregateOptions, filters: FilterOptions, plan: FilterPlan): Aggregate | undefined {
  if (!plan.keptLines || plan.showFrom || plan.tagFocus || plan.tagIgnore) return undefined;
  return refoldTree(profile, unhiddenTree(profile, sampleIndex, opts, filters), plan, opts.magnitude ?? false);
}

/**
 * A -diff_base view with at most focus, ignore, hide and show, folded from
 * the two profiles' own call trees (see diffTrees) rather than from merged
 * samples, unless the merged samples have their own call-tree structures
 * already: then those are quicker. Focus and ignore keep or drop whole
 * samples, and no sample is of both profiles, so each profile's tree is
 * filtered alone; hide and show then fold frames of both.
 */
function foldedDiff(source: Profile, sampleIndex: number, opts: ViewOptions, aggregateOptions: AggregateOptions): View | undefined {
  const base = opts.base;
  if (!base || base.mode !== 'diff_base' || base.normalize || !(opts.callTree ?? true) || hasLabelFrames(opts.labelFrames)) return undefined;
  const filters = opts.filters && hasFilters(opts.filters) ? opts.filters : undefined;
  if (filters && [filters.showFrom, filters.tagFocus, filters.tagIgnore].some((f) => (f ?? '') !== '')) return undefined;
  if (incompatibility(source, base.profile)) return undefined;
  const merged = diffs.get(source)?.get(base.profile)?.get(`${base.mode} false`);
  if (merged && hasStackTrie(merged)) return undefined;
  const diffed = diffTrees(
    source,
    base.profile,
    unhiddenTree(source, sampleIndex, aggregateOptions, filters),
    unhiddenTree(base.profile, sampleIndex, aggregateOptions, filters),
    opts.magnitude ?? false,
    filters,
  );
  if (!diffed) return undefined;
  let profile: Profile | undefined;
  return {
    get profile() {
      if (!profile) {
        const all = diffOf(source, base.profile, base.mode, false);
        profile = filters ? filterProfile(all, filters).profile : all;
      }
      return profile;
    },
    aggregate: { ...diffed.aggregate, total: diffed.total },
    warnings: diffed.warnings,
  };
}

export function viewProfile(source: Profile, sampleIndex: number, opts: ViewOptions = {}): View {
  const folded = foldedDiff(source, sampleIndex, opts, {
    granularity: opts.granularity,
    collapseRecursion: opts.collapseRecursion,
    magnitude: opts.magnitude,
  });
  if (folded) return folded;
  const diffed = opts.base ? diffOf(source, opts.base.profile, opts.base.mode, opts.base.normalize ?? false) : source;
  const { profile: merged, warnings: labelWarnings } = labelFramesOf(diffed, opts.labelFrames);
  const total = reportTotal(merged, sampleIndex);
  const filters = opts.filters && hasFilters(opts.filters) ? opts.filters : undefined;
  const aggregateOptions = {
    granularity: opts.granularity,
    callTree: opts.callTree,
    collapseRecursion: opts.collapseRecursion,
    magnitude: opts.magnitude,
  };
  if (opts.callTree ?? true) {
    // The call tree comes from the unfiltered samples and the filters' plan,
    // which reuses what was built for this profile before (see treeAggregate).
    const plan = filters ? planFilters(merged, filters) : undefined;
    const stackFilters = filters ? [filters.hide ?? '', filters.show ?? '', filters.showFrom ?? ''] : [];
    const structureKey = stackFilters.some((f) => f !== '') ? JSON.stringify(stackFilters) : '';
    const folded = filters && plan ? refolded(merged, sampleIndex, aggregateOptions, filters, plan) : undefined;
    let aggregate: Aggregate;
    let tagMatched = { focus: false, ignore: false };
    if (folded) {
      aggregate = folded;
    } else {
      const built = treeAggregate(merged, sampleIndex, aggregateOptions, plan && { plan, structureKey });
      ({ aggregate, tagMatched } = built);
      if (onlyFocusOrIgnore(filters)) rememberUnhidden(merged, unhiddenKey(sampleIndex, aggregateOptions, filters), ownTree(built.detail), filters !== undefined);
    }
    let filtered: Profile | undefined;
    return {
      get profile() {
        filtered ??= filters ? filterProfile(merged, filters).profile : merged;
        return filtered;
      },
      aggregate: { ...aggregate, total },
      warnings: [...labelWarnings, ...(plan ? [...plan.warnings, ...tagWarnings(plan, tagMatched.focus, tagMatched.ignore)] : [])],
    };
  }
  const { profile, warnings } = filters ? filterProfile(merged, filters) : { profile: merged, warnings: [] };
  const agg = aggregate(profile, sampleIndex, aggregateOptions);
  return { profile, aggregate: { ...agg, total }, warnings: [...labelWarnings, ...warnings] };
}
