// Comparing two recorded runs (goperf.compareRuns, the results panel)
// against benchstat itself: real runs of the fixture benchmarks, exported as
// benchfmt and given to golang.org/x/perf's benchstat, whose text table —
// every row's cells, delta, p and n, the geomean row, the footnotes and the
// configuration lines — must be what the comparison holds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareRunPair, type RunComparison } from '../../src/core/bench/comparison';
import { exportBenchfmt, type RunRecord } from '../../src/core/bench/store';
import { goBench, runBenchstat } from '../fixtures/benchstat/oracle';
import { benchstatTables, record } from './bench-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'goperf-compare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Asserts that the comparison holds benchstat's text table of the two runs' exports, with these extra benchstat flags. */
function assertLikeBenchstat(comparison: RunComparison, oldRun: RunRecord, newRun: RunRecord, flags: string[] = []): number {
  writeFileSync(join(dir, 'old.txt'), exportBenchfmt([oldRun]));
  writeFileSync(join(dir, 'new.txt'), exportBenchfmt([newRun]));
  const benchstat = runBenchstat(dir, [...flags, 'old.txt', 'new.txt']);
  assert.equal(benchstat.status, 0, benchstat.stderr);
  const expected = benchstatTables(benchstat.stdout);
  assert.deepEqual(comparison.tables.map((table) => table.unit), [...expected.keys()], benchstat.stdout);
  let rows = 0;
  comparison.tables.forEach((table, t) => {
    const theirs = expected.get(table.unit)!;
    if (t === 0) assert.deepEqual(table.config.map(([key, value]) => `${key}: ${value}`), theirs.config);
    const ours = table.rows.map((row) => ({
      name: row.name,
      cells: [row.old?.text, row.new?.text, row.delta, row.pn && `(${row.pn})`].filter((cell) => cell !== undefined).join(' '),
      notes: row.warnings,
    }));
    assert.deepEqual(ours, theirs.rows, table.unit);
    rows += ours.length;
    const geomean = table.geomean && { name: 'geomean', cells: [table.geomean.old, table.geomean.new, table.geomean.delta].filter((cell) => cell !== undefined).join(' '), notes: table.warnings };
    assert.deepEqual(geomean, theirs.geomean, `${table.unit} geomean`);
  });
  return rows;
}

/** The first `count` results of each benchmark name: a run with fewer samples. */
function firstResults(run: RunRecord, count: number): RunRecord['results'] {
  const seen = new Map<string, number>();
  return run.results.filter((result) => {
    const n = (seen.get(result.name) ?? 0) + 1;
    seen.set(result.name, n);
    return n <= count;
  });
}

describe('comparing two recorded runs, against benchstat', () => {
  let base: RunRecord;
  let current: RunRecord;

  before(() => {
    base = record('base', goBench({ scale: 1, count: 6 }));
    current = record('current', goBench({ scale: 2, count: 6 }));
  });

  test('two runs on this machine: benchstat old.txt new.txt', () => {
    const comparison = compareRunPair(base, current);
    assert.deepEqual(comparison.ignoredKeys, []);
    const rows = assertLikeBenchstat(comparison, base, current);
    assert.ok(rows >= 12, `${rows} rows compared`);
    // Twice the bytes per op is exact, whatever the timing noise: a significant regression.
    const bytes = comparison.tables.find((table) => table.unit === 'B/op')!.rows.find((row) => row.name.startsWith('Alloc/size=4096'))!;
    assert.deepEqual([bytes.delta, bytes.pn, bytes.regression], ['+100.00%', 'p=0.002 n=6', true]);
  });

  test('a run imported from another machine, three samples each: benchstat -ignore cpu, with its warnings', () => {
    const ci: RunRecord = { ...base, id: 'ci', cpu: 'Some Other CPU @ 3.00GHz', importedFrom: 'ci.txt', results: firstResults(base, 3) };
    const local: RunRecord = { ...current, results: firstResults(current, 3) };
    const comparison = compareRunPair(ci, local);
    assert.deepEqual(comparison.ignoredKeys, ['cpu']);
    assertLikeBenchstat(comparison, ci, local, ['-ignore', 'cpu']);
    // Three samples never show a difference: every delta is ~ and says why.
    const rows = comparison.tables.flatMap((table) => table.rows);
    assert.ok(rows.every((row) => row.delta === '~' && !row.regression), JSON.stringify(rows.map((row) => row.delta)));
    assert.ok(rows.some((row) => row.warnings.includes('need >= 4 samples to detect a difference at alpha level 0.05')));
  });

  test('a benchmark only one run has, and profiles for a differential flame graph', () => {
    const withExtra: RunRecord = {
      ...current,
      results: current.results.filter((result) => result.name !== 'BenchmarkSteady'),
      profiles: [{ kind: 'cpu', path: '/p/cpu.pprof' }, { kind: 'trace', path: '/p/trace.out' }],
    };
    const older: RunRecord = { ...base, profiles: [{ kind: 'cpu', path: '/q/cpu.pprof' }, { kind: 'mem', path: '/q/mem.pprof' }] };
    const comparison = compareRunPair(older, withExtra);
    assertLikeBenchstat(comparison, older, withExtra);
    const steady = comparison.tables[0].rows.find((row) => row.name.startsWith('Steady'))!;
    assert.ok(steady.old && !steady.new && steady.delta === undefined);
    assert.deepEqual(comparison.diffProfiles, ['cpu']);
  });
});
