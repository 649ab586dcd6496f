// -base, -diff_base and -normalize: `goperf top --json` equals
// `go tool pprof -top` with the same flags, on two runs of the same
// benchmark and on runs of different benchmarks; the protobuf encoder
// (which `goperf flame` uses to embed a diffed or filtered profile) writes
// profiles that `go tool pprof` reads back to the same numbers.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  aggregate,
  decodeProfile,
  diffProfiles,
  encodeProfile,
  filterProfile,
  sampleLabels,
  type Profile,
} from '../../src/core/pprof/index';
import { env, makeTempDir, pprof, repoRoot, runtimeProfiles } from '../fixtures/real-profiles';
import { assertSameTop, benchProfiles, goperfArgs, goperfTop, pprofTopWith } from './pprof-filter-fixtures';

const cli = join(repoRoot, 'dist', 'cli.js');
const tmp = makeTempDir('goperf-diff-');
after(() => tmp.remove());
const bench = benchProfiles(tmp.dir);
const labels = runtimeProfiles(tmp.dir).cpuLabels;

const load = (file: string): Profile => decodeProfile(readFileSync(file), file);

describe('goperf top -base/-diff_base equal go tool pprof', () => {
  const cases: [string, string, string, string, string[]][] = [
    ['same benchmark twice', bench.parseCpuB, 'cpu', 'nanoseconds', [`-base=${bench.parseCpuA}`]],
    ['same benchmark twice', bench.parseCpuB, 'cpu', 'nanoseconds', [`-diff_base=${bench.parseCpuA}`]],
    ['same benchmark twice', bench.parseCpuB, 'samples', 'count', [`-base=${bench.parseCpuA}`, '-normalize']],
    ['same benchmark twice', bench.parseCpuB, 'cpu', 'nanoseconds', [`-diff_base=${bench.parseCpuA}`, '-normalize']],
    ['same profile', bench.parseCpuA, 'cpu', 'nanoseconds', [`-base=${bench.parseCpuA}`]],
    ['Parse against Sort', bench.parseCpuA, 'cpu', 'nanoseconds', [`-base=${bench.sortCpu}`]],
    ['Parse against Sort', bench.parseCpuA, 'cpu', 'nanoseconds', [`-diff_base=${bench.sortCpu}`]],
    ['Parse against Sort', bench.parseCpuA, 'cpu', 'nanoseconds', [`-base=${bench.sortCpu}`, '-normalize']],
    ['Parse against Sort', bench.parseCpuA, 'cpu', 'nanoseconds', [`-diff_base=${bench.sortCpu}`, '-normalize', '-lines']],
    ['Parse against Sort', bench.parseCpuA, 'cpu', 'nanoseconds', [`-base=${bench.sortCpu}`, '-focus=workload', '-hide=runtime']],
    ['Parse against Sort', bench.parseCpuA, 'cpu', 'nanoseconds', [`-diff_base=${bench.sortCpu}`, '-files', '-ignore=Sort']],
    ['Parse against Sort', bench.parseCpuA, 'cpu', 'nanoseconds', [`-base=${bench.sortCpu}`, '-addresses', '-show_from=Benchmark']],
    ['mix against Parse', bench.mixCpu, 'cpu', 'nanoseconds', [`-diff_base=${bench.parseCpuA}`, '-filefunctions', '-focus=Parse|Hash']],
    ['allocs, Parse against Sort', bench.parseMem, 'alloc_space', 'bytes', [`-base=${bench.sortMem}`]],
    ['allocs, Parse against Sort', bench.parseMem, 'alloc_objects', 'count', [`-diff_base=${bench.sortMem}`, '-normalize', '-tagfocus=bytes=1kb:']],
    ['allocs, mix against Parse', bench.mixMem, 'alloc_space', 'bytes', [`-base=${bench.parseMem}`, '-normalize', '-tagignore=:64b']],
    ['labels, against itself', labels, 'cpu', 'nanoseconds', [`-diff_base=${labels}`, '-tagfocus=worker=parser']],
    ['labels, against mix', labels, 'samples', 'count', [`-base=${bench.mixCpu}`, '-tagignore=worker=hasher']],
  ];
  for (const [what, file, sampleIndex, unit, flags] of cases) {
    test(`${what}, ${sampleIndex}: ${flags.map((f) => f.replace(tmp.dir + '/', '')).join(' ')}`, () => {
      const ours = goperfTop(file, sampleIndex, goperfArgs(flags));
      const oracle = pprofTopWith(file, sampleIndex, unit, flags);
      assertSameTop(ours, oracle, flags.join(' '));
      if (flags.some((f) => f.startsWith('-base=')) && file !== flags[0].slice(6)) {
        assert.ok(oracle.rows.some((r) => r.flat < 0 || r.cum < 0), 'a base that makes negative values');
      }
    });
  }

  test('the -top text of a diff equals pprof\'s', () => {
    const flags = [`-diff_base=${bench.sortCpu}`, '-focus=workload', '-lines'];
    const run = spawnSync(process.execPath, [cli, 'top', bench.parseCpuA, ...goperfArgs(flags)], { encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, pprof(['-top', '-nodefraction=0', ...flags, bench.parseCpuA]));
  });

  test('a base of another profile type is refused, naming both files', () => {
    const run = spawnSync(process.execPath, [cli, 'top', bench.parseCpuA, '--base', bench.parseMem], { encoding: 'utf8', env });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /cannot compare .*parse-cpu-a\.pprof with base .*parse-mem\.pprof: period types differ/);
    assert.throws(() => diffProfiles(load(labels), load(bench.parseMem), { mode: 'diff_base' }), /cpu-labels\.pb\.gz.*parse-mem\.pprof/);
  });

  test('option mistakes are usage errors', () => {
    for (const [args, message] of [
      [['--normalize'], /--normalize needs --base or --diff-base/],
      [['--base', bench.sortCpu, '--diff-base', bench.sortCpu], /--base and --diff-base cannot be used together/],
    ] as const) {
      const run = spawnSync(process.execPath, [cli, 'top', bench.parseCpuA, ...args], { encoding: 'utf8', env });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, message);
    }
    const missing = spawnSync(process.execPath, [cli, 'top', bench.parseCpuA, '--base', join(tmp.dir, 'nope.pprof')], { encoding: 'utf8', env });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.pprof: cannot read the file \(no such file\)/);
  });
});

describe('encodeProfile writes what go tool pprof reads back', () => {
  for (const [what, file] of [
    ['cpu', bench.mixCpu],
    ['allocs', bench.mixMem],
    ['cpu with labels', labels],
  ] as const) {
    test(`${what}: decode(encode(p)) has the same samples, labels and rows; pprof -top prints the same`, () => {
      const original = load(file);
      const bytes = encodeProfile(original);
      const copy = decodeProfile(bytes, 'copy');
      assert.equal(copy.sampleCount, original.sampleCount);
      for (let s = 0; s < original.sampleCount; s++) assert.deepEqual(sampleLabels(copy, s), sampleLabels(original, s));
      original.sampleTypes.forEach((_, i) => {
        const a = aggregate(original, i);
        const b = aggregate(copy, i);
        assert.equal(b.total, a.total);
        assert.deepEqual(
          b.rows.map((r) => [b.functions[r.func].name, r.flat, r.cum]),
          a.rows.map((r) => [a.functions[r.func].name, r.flat, r.cum]),
        );
      });
      const out = join(tmp.dir, `encoded-${what.replace(/\W/g, '-')}.pb`);
      writeFileSync(out, bytes);
      assert.equal(pprof(['-top', '-nodefraction=0', out]), pprof(['-top', '-nodefraction=0', file]));
      assert.equal(pprof(['-raw', out]).split('\nSamples:\n')[1], pprof(['-raw', file]).split('\nSamples:\n')[1]);
    });
  }

  test('a diffed and filtered profile, encoded, is what pprof computes with -base and -focus', () => {
    const merged = diffProfiles(load(bench.parseCpuA), load(bench.sortCpu), { mode: 'base' });
    const { profile } = filterProfile(merged, { focus: 'workload', hide: 'runtime' });
    const out = join(tmp.dir, 'diffed.pb');
    writeFileSync(out, encodeProfile(profile));
    const fromFile = pprofTopWith(out, 'cpu', 'nanoseconds', []);
    const direct = pprofTopWith(bench.parseCpuA, 'cpu', 'nanoseconds', [`-base=${bench.sortCpu}`, '-focus=workload', '-hide=runtime']);
    assert.deepEqual(fromFile.rows, direct.rows);
  });

  test('with a granularity baked in, pprof at function granularity shows the nodes of that granularity', () => {
    for (const granularity of ['lines', 'files', 'addresses'] as const) {
      const out = join(tmp.dir, `grained-${granularity}.pb`);
      writeFileSync(out, encodeProfile(load(bench.mixCpu), { granularity }));
      const fromFile = pprofTopWith(out, 'cpu', 'nanoseconds', []);
      const direct = pprofTopWith(bench.mixCpu, 'cpu', 'nanoseconds', [`-${granularity}`]);
      // Nodes that pprof prints alike (files) are one function in the file: compare sums per name.
      const byName = (rows: typeof direct.rows) => {
        const m = new Map<string, number>();
        for (const r of rows) m.set(r.name, (m.get(r.name) ?? 0) + r.flat);
        return [...m].sort();
      };
      assert.deepEqual(byName(fromFile.rows), byName(direct.rows), granularity);
      assert.equal(fromFile.total, direct.total);
    }
  });

  test('goperf flame embeds the diffed, filtered profile', () => {
    const out = join(tmp.dir, 'diff.html');
    const args = ['--diff-base', bench.sortCpu, '--focus', 'workload'];
    const run = spawnSync(process.execPath, [cli, 'flame', bench.parseCpuA, ...args, '-o', out], { encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stderr);
    const embedded = /window\.__GOPERF_PROFILE__ = (.*);<\/script>/.exec(readFileSync(out, 'utf8'));
    assert.ok(embedded);
    const page = decodeProfile(Buffer.from(JSON.parse(embedded[1]).base64, 'base64'), 'page');
    const agg = aggregate(page, 1);
    const top = goperfTop(bench.parseCpuA, 'cpu', args);
    assert.deepEqual(
      agg.rows.map((r) => ({ name: agg.functions[r.func].name, flat: r.flat, cum: r.cum })),
      top.rows,
    );
    assert.ok(agg.rows.some((r) => r.flat < 0), 'the base shows as negative values');
  });
});
