// Call trees folded from built ones instead of from samples: hiding frames
// (pprof's -hide and -show) refolds a profile's tree, and -diff_base folds
// the two profiles' trees together. Every root-to-node path of the view's
// tree has the total `go tool pprof -traces` gives it with the same flags,
// and the folded aggregate is the one built from the (filtered or merged)
// samples: lines, inlining, magnitudes, rows and total included.
// test/fixtures/gen/refold makes a profile for the shapes hiding can create:
// new recursion to fold and inlined frames merging with called ones.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  decodeProfile,
  diffProfiles,
  diffTrees,
  filterProfile,
  foldTargets,
  TreeFolder,
  zipTrees,
  releaseScratch,
  reportTotal,
  planFilters,
  refoldTree,
  treeAggregate,
  viewProfile,
  type Aggregate,
  type AggregateOptions,
  type FilterOptions,
  type Granularity,
  type Profile,
} from '../../src/core/pprof/index';
import { env, makeTempDir, pprofTraces } from '../fixtures/real-profiles';
import { benchProfiles } from './pprof-filter-fixtures';

const tmp = makeTempDir('goperf-refold-');
after(() => tmp.remove());
const bench = benchProfiles(tmp.dir);
const load = (file: string): Profile => decodeProfile(readFileSync(file), file);
const shapes = join(tmp.dir, 'refold.pb.gz');
execFileSync('go', ['run', './refold', '-o', shapes], { cwd: join(__dirname, '..', 'fixtures', 'gen'), env, stdio: 'ignore' });

interface Case {
  what: string;
  file: string;
  diffBase?: string;
  filters: FilterOptions;
  collapseRecursion?: boolean;
  /** False when hiding is not a matter of whole nodes (the view then goes back to the samples). */
  refolds?: boolean;
}

const cases: Case[] = [
  { what: 'cpu', file: bench.mixCpu, filters: { hide: 'runtime' } },
  { what: 'cpu', file: bench.mixCpu, filters: { show: 'Parse|parse|Hash' } },
  { what: 'cpu', file: bench.mixCpu, filters: { focus: 'Parse', hide: 'runtime' } },
  { what: 'cpu', file: bench.mixCpu, filters: { ignore: 'Hash', show: 'Parse|sort\\.' } },
  // Hiding what sits between recursive calls makes new recursion to fold.
  { what: 'cpu, recursion folded', file: bench.mixCpu, filters: { hide: 'runtime|sort\\.(insertion|pdq)' }, collapseRecursion: true },
  { what: 'cpu, diff', file: bench.parseCpuA, diffBase: bench.sortCpu, filters: { hide: 'runtime' } },
  { what: 'cpu, diff', file: bench.parseCpuA, diffBase: bench.sortCpu, filters: { focus: 'workload', show: 'Parse|Sort' } },
  { what: 'allocs, diff, recursion folded', file: bench.mixMem, diffBase: bench.parseMem, filters: { ignore: 'Hash', hide: 'runtime' }, collapseRecursion: true },
  { what: 'even/odd, recursion folded', file: shapes, filters: { hide: 'main\\.odd' }, collapseRecursion: true },
  { what: 'even/odd', file: shapes, filters: { hide: 'main\\.odd' } },
  { what: 'inlined meets called', file: shapes, filters: { hide: 'main\\.h$' } },
  // leaf was inlined into x: without x, leaf's frame is no longer inlined.
  { what: 'outermost line hidden', file: shapes, filters: { hide: 'main\\.x$' }, refolds: false },
];

function pprofFlags(c: Case): string[] {
  const flags = Object.entries(c.filters).map(([k, v]) => `-${k}=${v}`);
  return c.diffBase ? [`-diff_base=${c.diffBase}`, ...flags] : flags;
}

/** Each root-to-node path's total in `tree`, and in pprof's traces (folded like the tree when asked). */
function pathTotals(aggregate: Aggregate, traces: { value: number; frames: string[] }[], collapse: boolean) {
  const { tree, functions } = aggregate;
  const ours = new Map<string, number>();
  const pathOf: string[] = [''];
  for (let n = 1; n < tree.nodeCount; n++) {
    pathOf[n] = `${pathOf[tree.parent[n]]} > ${functions[tree.func[n]].name}`;
    ours.set(pathOf[n], tree.total[n]);
  }
  const oracle = new Map<string, number>();
  for (const trace of traces) {
    const rootFirst = trace.frames.map((f) => f.replace(/ \(inline\)$/, '')).reverse();
    const frames = collapse ? rootFirst.filter((f, i) => i === 0 || f !== rootFirst[i - 1]) : rootFirst;
    let path = '';
    for (const frame of frames) {
      path += ` > ${frame}`;
      oracle.set(path, (oracle.get(path) ?? 0) + trace.value);
    }
  }
  // pprof's traces leave out samples whose values cancel to 0; the tree has no such nodes either.
  for (const [path, value] of oracle) if (value === 0 && !ours.has(path)) oracle.delete(path);
  return { ours, oracle };
}

describe('hiding frames by refolding the call tree', () => {
  for (const c of cases) {
    test(`${c.what}: ${pprofFlags(c).map((f) => f.replace(tmp.dir + '/', '')).join(' ')}`, () => {
      const source = load(c.file);
      const base = c.diffBase ? { profile: load(c.diffBase), mode: 'diff_base' as const } : undefined;
      // cpu or alloc_space, in the profile's own unit so that pprof prints exact integers.
      const sampleIndex = 1;
      const unit = source.sampleTypes[sampleIndex].unit;
      const view = viewProfile(source, sampleIndex, { filters: c.filters, collapseRecursion: c.collapseRecursion, base });

      // Each path's total against pprof's stacks with the same flags.
      const { ours, oracle } = pathTotals(view.aggregate, pprofTraces(c.file, sampleIndex, unit, pprofFlags(c)), c.collapseRecursion ?? false);
      assert.deepEqual(ours, oracle);
      const { hide, show, ...others } = c.filters;
      const withoutHiding = viewProfile(source, sampleIndex, { filters: others, collapseRecursion: c.collapseRecursion, base });
      assert.ok(hide || show);
      assert.notEqual(view.aggregate.tree.nodeCount, withoutHiding.aggregate.tree.nodeCount, 'the filter hides frames');

      // The refolded aggregate is the one built from the samples.
      const profile = base ? diffProfiles(source, base.profile, { mode: base.mode }) : source;
      const opts: AggregateOptions = { collapseRecursion: c.collapseRecursion, magnitude: true };
      const unhiddenFilters = { focus: c.filters.focus, ignore: c.filters.ignore };
      const unhiddenPlan = unhiddenFilters.focus || unhiddenFilters.ignore ? { plan: planFilters(profile, unhiddenFilters), structureKey: '' } : undefined;
      const unhidden = treeAggregate(profile, sampleIndex, opts, unhiddenPlan).detail;
      const plan = planFilters(profile, c.filters);
      const refolded = refoldTree(profile, unhidden, plan, true);
      if (c.refolds === false) {
        assert.equal(refolded, undefined);
        return;
      }
      assert.ok(refolded, 'the filters hide whole nodes');
      const built = treeAggregate(profile, sampleIndex, opts, { plan, structureKey: JSON.stringify(c.filters) }).aggregate;
      assert.deepEqual(refolded, built);
      if (base) {
        // A diff's view folds both profiles' trees through the merged tables (see diffTrees).
        const diffView = viewProfile(load(c.file), sampleIndex, { filters: c.filters, collapseRecursion: c.collapseRecursion, base: { ...base, profile: load(c.diffBase!) }, magnitude: true });
        assert.deepEqual(diffView.aggregate, { ...built, total: reportTotal(profile, sampleIndex) });
        assert.deepEqual(diffView.warnings, plan.warnings);
        const own = (p: Profile) => treeAggregate(p, sampleIndex, opts, unhiddenFilters.focus || unhiddenFilters.ignore ? { plan: planFilters(p, unhiddenFilters), structureKey: '' } : undefined).detail;
        const folded = diffTrees(source, base.profile, own(source), own(base.profile), true, c.filters);
        assert.ok(folded, 'the two trees fold');
        assert.deepEqual(folded.aggregate.tree, built.tree);
      }
    });
  }
});

describe('-diff_base by folding both profiles\' call trees', () => {
  const diffCases: [what: string, file: string, base: string, sampleIndex: number, granularity: Granularity, collapse: boolean][] = [
    ['cpu, Parse against Sort', bench.parseCpuA, bench.sortCpu, 1, 'functions', false],
    ['cpu, mix against Parse, recursion folded', bench.mixCpu, bench.parseCpuA, 1, 'functions', true],
    ['cpu, the same benchmark twice', bench.parseCpuB, bench.parseCpuA, 0, 'functions', false],
    ['allocs, mix against Parse', bench.mixMem, bench.parseMem, 1, 'functions', false],
    ['cpu, Parse against Sort, by line', bench.parseCpuA, bench.sortCpu, 1, 'lines', false],
    ['cpu, Parse against Sort, by address', bench.parseCpuA, bench.sortCpu, 1, 'addresses', false],
  ];
  for (const [what, file, baseFile, sampleIndex, granularity, collapse] of diffCases) {
    test(`${what}`, () => {
      const source = load(file);
      const base = load(baseFile);
      const view = viewProfile(source, sampleIndex, { base: { profile: base, mode: 'diff_base' }, granularity, collapseRecursion: collapse, magnitude: true });
      if (granularity === 'functions') {
        const unit = source.sampleTypes[sampleIndex].unit;
        const { ours, oracle } = pathTotals(view.aggregate, pprofTraces(file, sampleIndex, unit, [`-diff_base=${baseFile}`]), collapse);
        assert.deepEqual(ours, oracle);
      }

      const opts: AggregateOptions = { granularity, collapseRecursion: collapse, magnitude: true };
      const folded = diffTrees(source, base, treeAggregate(source, sampleIndex, opts, undefined).detail, treeAggregate(base, sampleIndex, opts, undefined).detail, true);
      assert.ok(folded, 'the trees fold');
      const merged = diffProfiles(source, base, { mode: 'diff_base' });
      const built = treeAggregate(merged, sampleIndex, opts, undefined).aggregate;
      assert.deepEqual(folded.aggregate, built);
      assert.equal(folded.total, reportTotal(merged, sampleIndex));
      assert.deepEqual(view.aggregate, { ...built, total: folded.total });
      assert.ok(built.rows.some((r) => r.flat < 0), 'the base shows as negative values');

      // diffTrees zips the trees when their children stay in name order, and folds them otherwise: both give the merged samples' tree.
      const targets = foldTargets(source, base, granularity)!;
      const sourceTree = treeAggregate(source, sampleIndex, opts, undefined).detail;
      const baseTree = treeAggregate(base, sampleIndex, opts, undefined).detail;
      const zipped = zipTrees({ detail: sourceTree, target: targets.source, sign: 1 }, { detail: baseTree, target: targets.base, sign: -1 }, targets.functions, sourceTree.aggregate, true);
      assert.deepEqual(zipped, built);
      const folder = new TreeFolder(sourceTree.tree.nodeCount, collapse);
      assert.ok(folder.fold(sourceTree, targets.source, 1) && folder.fold(baseTree, targets.base, -1));
      assert.deepEqual(folder.finish(targets.functions, sourceTree.aggregate, true), built);
      // Children that a target merges or puts out of name order can't be zipped.
      const oneFunction = new Int32Array(targets.source.length);
      assert.equal(zipTrees({ detail: sourceTree, target: oneFunction, sign: 1 }, { detail: baseTree, target: targets.base, sign: -1 }, targets.functions, sourceTree.aggregate, true), undefined);
    });
  }
});

describe('-diff_base with focus or ignore, by folding each profile\'s filtered tree', () => {
  // Focus and ignore keep or drop whole samples, so each profile is filtered alone and then folded.
  const filterCases: [what: string, file: string, base: string, filters: FilterOptions][] = [
    ['cpu, Parse against Sort', bench.parseCpuA, bench.sortCpu, { focus: 'Parse' }],
    ['cpu, Parse against Sort', bench.parseCpuA, bench.sortCpu, { ignore: 'Sort', focus: 'workload' }],
    // Matches only the base's frames: no warning, and the view is the base's side alone.
    ['cpu, Parse against Sort', bench.parseCpuA, bench.sortCpu, { focus: 'sort\\.' }],
    ['allocs, mix against Parse', bench.mixMem, bench.parseMem, { ignore: 'Parse' }],
  ];
  for (const [what, file, baseFile, filters] of filterCases) {
    const flags = [`-diff_base=${baseFile}`, ...Object.entries(filters).map(([k, v]) => `-${k}=${v}`)];
    test(`${what}: ${flags.map((f) => f.replace(tmp.dir + '/', '')).join(' ')}`, () => {
      const source = load(file);
      const base = load(baseFile);
      const sampleIndex = 1;
      const view = viewProfile(source, sampleIndex, { base: { profile: base, mode: 'diff_base' }, filters, magnitude: true });
      const { ours, oracle } = pathTotals(view.aggregate, pprofTraces(file, sampleIndex, source.sampleTypes[sampleIndex].unit, flags), false);
      assert.deepEqual(ours, oracle);

      const merged = diffProfiles(source, base, { mode: 'diff_base' });
      const plan = planFilters(merged, filters);
      const built = treeAggregate(merged, sampleIndex, { magnitude: true }, { plan, structureKey: '' }).aggregate;
      assert.deepEqual(view.aggregate, { ...built, total: reportTotal(merged, sampleIndex) });
      assert.deepEqual(view.warnings, plan.warnings);
      // What an export writes: the merged samples, filtered.
      assert.deepEqual(view.profile.samples, filterProfile(merged, filters).profile.samples);
      assert.ok(view.aggregate.tree.nodeCount < viewProfile(source, sampleIndex, { base: { profile: base, mode: 'diff_base' } }).aggregate.tree.nodeCount, 'the filter drops samples');
    });
  }

  test('a focus that matches neither profile warns as pprof does', () => {
    const filters = { focus: 'no such function' };
    const view = viewProfile(load(bench.parseCpuA), 1, { base: { profile: load(bench.sortCpu), mode: 'diff_base' }, filters });
    assert.deepEqual(view.warnings, planFilters(diffProfiles(load(bench.parseCpuA), load(bench.sortCpu), { mode: 'diff_base' }), filters).warnings);
    assert.ok(view.warnings.length > 0);
  });
});

test('a view whose arrays were handed to another thread leaves later folded views intact', () => {
  // The flame graph's worker transfers each view's arrays to the page, which empties them in the worker.
  const source = load(bench.mixCpu);
  const base = load(bench.parseCpuA);
  for (const profile of [source, base]) {
    const { tree } = viewProfile(profile, 1).aggregate;
    const arrays = [tree.parent, tree.func, tree.depth, tree.line, tree.inlined, tree.total, tree.self, tree.firstChild, tree.childCount];
    structuredClone(arrays, { transfer: [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))] });
    assert.equal(tree.total.length, 0);
  }
  const hidden = viewProfile(source, 1, { filters: { hide: 'runtime' } });
  const diffed = viewProfile(source, 1, { base: { profile: base, mode: 'diff_base' } });
  assert.deepEqual(hidden.aggregate, viewProfile(load(bench.mixCpu), 1, { filters: { hide: 'runtime' } }).aggregate);
  assert.deepEqual(diffed.aggregate, viewProfile(load(bench.mixCpu), 1, { base: { profile: load(bench.parseCpuA), mode: 'diff_base' } }).aggregate);
});

test('views after the scratch arrays were let go are the same', () => {
  const source = load(bench.mixCpu);
  const base = load(bench.parseCpuA);
  const options = { base: { profile: base, mode: 'diff_base' as const }, filters: { hide: 'runtime' }, magnitude: true };
  const before = viewProfile(source, 1, options).aggregate;
  releaseScratch();
  assert.deepEqual(viewProfile(source, 1, options).aggregate, before);
  releaseScratch();
  assert.deepEqual(viewProfile(source, 0, { ...options, filters: {} }).aggregate, viewProfile(load(bench.mixCpu), 0, { ...options, filters: {} }).aggregate);
});
