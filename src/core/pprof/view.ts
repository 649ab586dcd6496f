// One profile as `go tool pprof` would report it with -base/-diff_base,
// -normalize, the focus/hide/tag filters and -granularity: the diff first,
// then the filters, then the nodes. Percentages stay relative to the total
// before filtering, as in pprof (without -relative_percentages).

import type { Aggregate } from './model';
import type { Profile } from './decode';
import { aggregate, type Granularity } from './aggregate';
import { diffProfiles, reportTotal, type DiffMode } from './diff';
import { filterProfile, hasFilters, type FilterOptions } from './filter';

export interface ViewOptions {
  filters?: FilterOptions;
  granularity?: Granularity;
  base?: { profile: Profile; mode: DiffMode; normalize?: boolean };
  callTree?: boolean;
  collapseRecursion?: boolean;
}

export interface View {
  /** The profile after the diff and the filters (what a flame graph draws). */
  profile: Profile;
  aggregate: Aggregate;
  warnings: string[];
}

export function viewProfile(source: Profile, sampleIndex: number, opts: ViewOptions = {}): View {
  const merged = opts.base
    ? diffProfiles(source, opts.base.profile, { mode: opts.base.mode, normalize: opts.base.normalize })
    : source;
  const total = reportTotal(merged, sampleIndex);
  const { profile, warnings } =
    opts.filters && hasFilters(opts.filters) ? filterProfile(merged, opts.filters) : { profile: merged, warnings: [] };
  const agg = aggregate(profile, sampleIndex, {
    granularity: opts.granularity,
    callTree: opts.callTree,
    collapseRecursion: opts.collapseRecursion,
  });
  return { profile, aggregate: { ...agg, total }, warnings };
}
