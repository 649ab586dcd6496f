// The CodeLens text of a benchmark against benchstat itself: two real runs
// of the fixture benchmarks (the second with doubled work for some), their
// benchfmt export fed to golang.org/x/perf's benchstat, and each lens row's
// values, intervals, deltas and p-values compared with benchstat's table.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { historyRows } from '../../src/core/bench/history';
import { benchmarkLens, formatBenchQuantity } from '../../src/core/bench/lens';
import { formatGoFloat } from '../../src/core/goFormat';
import { exportBenchfmt, type RunRecord } from '../../src/core/bench/store';
import { goBench, runBenchstat } from '../fixtures/benchstat/oracle';
import { benchstatRows, record } from './bench-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'goperf-lens-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('benchmark CodeLens rows against benchstat', () => {
  let base: RunRecord;
  let current: RunRecord;
  let tables: Map<string, [string, string][]>;

  before(() => {
    base = record('base', goBench({ scale: 1, count: 6 }));
    current = record('current', goBench({ scale: 2, count: 6 }));
    writeFileSync(join(dir, 'base.txt'), exportBenchfmt([base]));
    writeFileSync(join(dir, 'current.txt'), exportBenchfmt([current]));
    const benchstat = runBenchstat(dir, ['base.txt', 'current.txt']);
    assert.equal(benchstat.status, 0, benchstat.stderr);
    tables = benchstatRows(benchstat.stdout);
    assert.ok(tables.has('sec/op') && tables.has('B/op'), benchstat.stdout);
  });

  for (const benchmark of ['BenchmarkScaled', 'BenchmarkAlloc', 'BenchmarkSteady']) {
    test(`${benchmark}: every unit's cells, delta and p as benchstat prints them`, () => {
      const rows = benchmarkLens(benchmark, current, base);
      const bare = benchmark.replace(/^Benchmark/, '');
      let compared = 0;
      for (const [unit, tableRows] of tables) {
        const mine = tableRows.filter(([name]) => name === bare || name.startsWith(`${bare}/`) || new RegExp(`^${bare}-\\d+$`).test(name));
        mine.forEach(([name, cells], index) => {
          const detail = rows[index]?.details.find((line) => line.startsWith(`${unit}: `));
          assert.ok(detail, `no ${unit} detail for ${name}: ${JSON.stringify(rows[index])}`);
          const normalized = detail.slice(unit.length + 2).replace(' → ', ' ').replace(/ +/g, ' ').replace('−', '-');
          assert.equal(normalized, cells, `${name} ${unit}`);
          compared++;
        });
      }
      assert.ok(compared >= 3, `compared ${compared} cells`);
      // The delta shown is the time unit's.
      const time = tables.get('sec/op')!.filter(([name]) => name === bare || name.startsWith(`${bare}/`) || new RegExp(`^${bare}-\\d+$`).test(name));
      rows.forEach((row, i) => assert.ok(time[i][1].endsWith(row.delta!.replace('−', '-').replace(/ +/g, ' ')), `${row.delta} vs ${time[i][1]}`));
    });
  }

  test('a doubled workload is a significant regression; the steady one is ~', () => {
    const [scaled] = benchmarkLens('BenchmarkAlloc', current, base).filter((row) => row.label === 'size=4096');
    // 8 KiB instead of 4 KiB per op is exact, whatever the machine's timing noise.
    assert.match(scaled.details.find((d) => d.startsWith('B/op'))!, /\+100\.00% \(p=0\.002 n=6\)$/);
    assert.match(scaled.result, /· 8 KiB\/op · 1 allocs\/op/);
  });

  test('without a baseline: latest values only; with one imported from another machine: still compared', () => {
    const alone = benchmarkLens('BenchmarkSteady', current);
    assert.equal(alone.length, 1);
    assert.equal(alone[0].delta, undefined);
    assert.match(alone[0].result, /^\S+ [nµm]?s\/op ±\d+% · 0 B\/op · 0 allocs\/op · 42 items\/op$/);
    const ci = { ...base, id: 'ci', cpu: 'Some Other CPU @ 3.00GHz', goos: 'linux', importedFrom: 'ci.txt' };
    const compared = benchmarkLens('BenchmarkAlloc', current, ci);
    assert.ok(compared.every((row) => row.delta !== undefined), JSON.stringify(compared));
  });

  test('history rows: per run and benchmark, the median and interval benchstat prints for that run alone', () => {
    const failed: RunRecord = { ...base, id: 'failed', startedAt: '2026-01-03T00:00:00Z', status: 'failed', message: 'build failed', results: [] };
    const { rows, units } = historyRows([base, current, failed]);
    assert.deepEqual(units.slice(0, 3), ['sec/op', 'B/op', 'allocs/op']);
    assert.deepEqual(rows.filter((row) => row.runId === 'failed').map((row) => [row.name, row.status, row.message]), [['', 'failed', 'build failed']]);
    for (const run of ['base', 'current']) {
      const csv = runBenchstat(dir, ['-format', 'csv', `${run}.txt`]).stdout.split('\n');
      let unit = '';
      let compared = 0;
      for (const line of csv) {
        const cells = line.split(',');
        if (cells[2] === 'CI') unit = cells[1];
        if (cells[2] === 'CI' || cells.length < 3 || cells[0] === '' || cells[0] === 'geomean' || !unit) continue;
        const row = rows.find((r) => r.runId === run && r.name === cells[0]);
        assert.ok(row, `${run}: no row ${cells[0]}`);
        assert.equal(formatGoFloat(row.cells[unit].median), cells[1], `${run} ${cells[0]} ${unit}`);
        assert.equal(row.cells[unit].range, cells[2], `${run} ${cells[0]} ${unit} CI`);
        assert.equal(row.cells[unit].n, 6);
        compared++;
      }
      assert.ok(compared >= 8, `${run}: ${compared} cells compared`);
    }
  });

  test('quantities: benchstat scaling with the prefix on the unit', () => {
    assert.equal(formatBenchQuantity(1.23e-6, 'sec/op'), '1.230 µs/op');
    assert.equal(formatBenchQuantity(48, 'B/op'), '48 B/op');
    assert.equal(formatBenchQuantity(4096, 'B/op'), '4 KiB/op');
    assert.equal(formatBenchQuantity(2, 'allocs/op'), '2 allocs/op');
    assert.equal(formatBenchQuantity(2001, 'allocs/op'), '2.001k allocs/op');
    assert.equal(formatBenchQuantity(1.5e8, 'B/s'), '143.1 MiB/s');
  });
});
