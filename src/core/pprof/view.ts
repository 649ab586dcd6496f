// One profile as `go tool pprof` would report it with -base/-diff_base,
// -normalize, the focus/hide/tag filters and -granularity: the diff first,
// then the filters, then the nodes. Percentages stay relative to the total
// before filtering, as in pprof (without -relative_percentages).

import type { Aggregate } from './model';
import type { Profile } from './decode';
import { aggregate, treeAggregate, type Granularity } from './aggregate';
import { diffProfiles, reportTotal, type DiffMode } from './diff';
import { filterProfile, hasFilters, planFilters, tagWarnings, type FilterOptions } from './filter';

export interface ViewOptions {
  filters?: FilterOptions;
  granularity?: Granularity;
  base?: { profile: Profile; mode: DiffMode; normalize?: boolean };
  callTree?: boolean;
  collapseRecursion?: boolean;
  /** Sum |value| per call-tree node too (see CallTree.magnitude). */
  magnitude?: boolean;
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

export function viewProfile(source: Profile, sampleIndex: number, opts: ViewOptions = {}): View {
  const merged = opts.base ? diffOf(source, opts.base.profile, opts.base.mode, opts.base.normalize ?? false) : source;
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
    const { aggregate, tagMatched } = treeAggregate(merged, sampleIndex, aggregateOptions, plan && { plan, structureKey });
    let filtered: Profile | undefined;
    return {
      get profile() {
        filtered ??= filters ? filterProfile(merged, filters).profile : merged;
        return filtered;
      },
      aggregate: { ...aggregate, total },
      warnings: plan ? [...plan.warnings, ...tagWarnings(plan, tagMatched.focus, tagMatched.ignore)] : [],
    };
  }
  const { profile, warnings } = filters ? filterProfile(merged, filters) : { profile: merged, warnings: [] };
  const agg = aggregate(profile, sampleIndex, aggregateOptions);
  return { profile, aggregate: { ...agg, total }, warnings };
}
