// `goperf top --json` with pprof's filters and granularities equals
// `go tool pprof -top` with the same flags on real profiles: the total
// (before filtering, as pprof's percentages use it) and every row's flat and
// cum, in pprof's order. A few option sets are also compared as whole -top
// text. The call tree's recursion folding is checked against pprof's stacks.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { aggregate, decodeProfile } from '../../src/core/pprof/index';
import { env, makeTempDir, pprof, pprofTraces, repoRoot, runtimeProfiles } from '../fixtures/real-profiles';
import { assertSameTop, benchProfiles, goperfArgs, goperfTop, pprofTopWith } from './pprof-filter-fixtures';

const cli = join(repoRoot, 'dist', 'cli.js');
const tmp = makeTempDir('goperf-filter-');
after(() => tmp.remove());
const bench = benchProfiles(tmp.dir);
const labels = runtimeProfiles(tmp.dir).cpuLabels;

type Case = [what: string, file: string, sampleIndex: string, unit: string, flags: string[], keepsAll?: 'keeps all'];

const cpu = (flags: string[], keepsAll?: 'keeps all'): Case => ['cpu (Parse, Hash, Sort)', bench.mixCpu, 'cpu', 'nanoseconds', flags, keepsAll];
const cases: Case[] = [
  cpu([]),
  cpu(['-focus=Parse']),
  cpu(['-focus=sort\\.go']), // a file name matches too
  cpu(['-ignore=runtime']),
  cpu(['-focus=workload', '-ignore=Sort']),
  cpu(['-hide=runtime']),
  cpu(['-hide=(?i)PARSE']),
  cpu(['-hide=^[[:alpha:]]+\\.']), // a POSIX class, translated
  cpu(['-focus=(?P<pkg>workload)\\.Parse']), // a Go named group
  cpu(['-show=^runtime\\.']),
  cpu(['-show=workload\\.test'], 'keeps all'), // the binary's path matches every location in it
  cpu(['-show_from=Benchmark']),
  cpu(['-show_from=workload\\.Parse']),
  cpu(['-focus=sort', '-hide=runtime\\.']),
  cpu(['-focus=Hash', '-show=workload', '-show_from=Benchmark']),
  cpu(['-focus=no-such-function']),
  cpu(['-lines']),
  cpu(['-files']),
  cpu(['-filefunctions']),
  cpu(['-addresses']),
  cpu(['-functions', '-focus=Parse']),
  cpu(['-lines', '-focus=Parse', '-hide=runtime']),
  cpu(['-files', '-ignore=runtime']),
  cpu(['-addresses', '-show_from=ParseLog']),
  ['allocs', bench.mixMem, 'alloc_space', 'bytes', ['-tagfocus=bytes=1kb:64kb']],
  ['allocs', bench.mixMem, 'alloc_space', 'bytes', ['-tagignore=:1kb']],
  ['allocs', bench.mixMem, 'alloc_space', 'bytes', ['-tagfocus=80b']],
  ['allocs', bench.mixMem, 'alloc_objects', 'count', ['-tagfocus=bytes=:128b', '-focus=Parse']],
  ['allocs', bench.mixMem, 'alloc_space', 'bytes', ['-tagfocus=bytes=64']], // no unit: never matches bytes, as in pprof
  ['allocs', bench.mixMem, 'alloc_space', 'bytes', ['-lines', '-hide=runtime', '-tagfocus=bytes=4kb:']],
  ['cpu with labels', labels, 'cpu', 'nanoseconds', ['-tagfocus=worker=parser']],
  ['cpu with labels', labels, 'cpu', 'nanoseconds', ['-tagfocus=hash']], // "key:value" without a key
  ['cpu with labels', labels, 'cpu', 'nanoseconds', ['-tagfocus=worker:pars,worker:hash']], // every regex must match
  ['cpu with labels', labels, 'cpu', 'nanoseconds', ['-tagignore=worker=pars,nothing']], // any regex matches
  ['cpu with labels', labels, 'samples', 'count', ['-tagfocus=worker=hasher', '-hide=runtime', '-lines']],
];

describe('goperf top filters and granularity equal go tool pprof', () => {
  for (const [what, file, sampleIndex, unit, flags, keepsAll] of cases) {
    test(`${what}, ${sampleIndex}: ${flags.join(' ') || '(no options)'}`, () => {
      const ours = goperfTop(file, sampleIndex, goperfArgs(flags));
      const oracle = pprofTopWith(file, sampleIndex, unit, flags);
      assertSameTop(ours, oracle, flags.join(' '));
      // Cases that should filter do: a test of an option pprof ignores would prove nothing.
      if (flags.some((f) => /^-(focus|ignore|hide|show|show_from|tagfocus|tagignore)=/.test(f))) {
        const unfiltered = pprofTopWith(file, sampleIndex, unit, flags.filter((f) => !f.includes('=')));
        if (keepsAll) assert.deepEqual(oracle.rows, unfiltered.rows, `${flags.join(' ')} keeps pprof's rows`);
        else assert.notDeepEqual(oracle.rows, unfiltered.rows, `${flags.join(' ')} changes pprof's rows`);
      }
    });
  }

  test('warnings: a filter that matches nothing is reported like pprof does', () => {
    const ours = goperfTop(bench.mixCpu, 'cpu', ['--focus', 'no-such-function']);
    assert.match(ours.stderr, /Focus expression matched no samples/);
    assert.deepEqual(ours.rows, []);
  });

  for (const flags of [
    ['-focus=Parse', '-hide=runtime', '-lines'],
    ['-show_from=Benchmark', '-ignore=Hash'],
    ['-tagfocus=worker=parser', '-filefunctions'],
  ]) {
    test(`the -top text equals pprof's: ${flags.join(' ')}`, () => {
      const file = flags.some((f) => f.startsWith('-tagfocus')) ? labels : bench.mixCpu;
      const run = spawnSync(process.execPath, [cli, 'top', file, ...goperfArgs(flags)], { encoding: 'utf8', env });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, pprof(['-top', '-nodefraction=0', ...flags, file]));
    });
  }

  test('regex mistakes and unknown granularities are usage errors naming the option', () => {
    for (const [args, message] of [
      [['--focus', '('], /parsing focus regexp/],
      [['--hide', 'a\\z'], /parsing hide regexp: .*Go syntax/],
      [['--tagfocus', 'worker=('], /parsing tagfocus regexp/],
      [['--granularity', 'bytes'], /--granularity must be one of functions, filefunctions, files, lines, addresses/],
    ] as const) {
      const run = spawnSync(process.execPath, [cli, 'top', bench.mixCpu, ...args], { encoding: 'utf8', env });
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});

describe('collapsed recursion in the call tree', () => {
  /** Every root-to-node path's total, from a tree or from pprof's stacks. */
  function pathTotals(paths: Iterable<[string[], number]>): Map<string, number> {
    const totals = new Map<string, number>();
    for (const [path, value] of paths) totals.set(path.join(' <- '), (totals.get(path.join(' <- ')) ?? 0) + value);
    return totals;
  }

  test('each root-to-node path equals pprof -traces stacks with repeated frames folded', () => {
    const profile = decodeProfile(readFileSync(bench.mixCpu), bench.mixCpu);
    const agg = aggregate(profile, 1, { collapseRecursion: true });
    const { tree, functions } = agg;
    const ours: [string[], number][] = [];
    const pathOf: string[][] = [[]];
    for (let n = 1; n < tree.nodeCount; n++) {
      pathOf[n] = [...pathOf[tree.parent[n]], functions[tree.func[n]].name];
      ours.push([pathOf[n], tree.total[n]]);
      assert.notEqual(tree.func[n], tree.func[tree.parent[n]], 'no node is its own parent\'s function');
    }
    const oracle: [string[], number][] = [];
    let recursive = false;
    for (const trace of pprofTraces(bench.mixCpu, 1, 'nanoseconds')) {
      const rootFirst = trace.frames.map((f) => f.replace(/ \(inline\)$/, '')).reverse();
      const folded = rootFirst.filter((f, i) => i === 0 || f !== rootFirst[i - 1]);
      if (folded.length < rootFirst.length) recursive = true;
      for (let i = 1; i <= folded.length; i++) oracle.push([folded.slice(0, i), trace.value]);
    }
    assert.ok(recursive, 'the profile has direct recursion to fold');
    assert.deepEqual(pathTotals(ours), pathTotals(oracle));
    assert.deepEqual(
      agg.rows,
      aggregate(profile, 1).rows,
      'rows do not depend on the tree',
    );
  });
});
