// goperf benchstat against golang.org/x/perf/cmd/benchstat on the same
// files: real `go test -bench` runs of test/fixtures/benchstat/workload (a
// planted slowdown, identical setups, too few samples) and generated files
// for edge cases (every sample size from 1 to 40, heavy ties, zeros, equal
// samples, exact units, configuration changes, malformed lines). The
// expected output is always what benchstat prints for the same files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatRange } from '../../src/core/bench/stats';
import { formatGoFixed } from '../../src/core/goFormat';
import { benchstatBinary, goBench, runBenchstat, runGoperfBenchstat, type Output } from '../fixtures/benchstat/oracle';

const dir = mkdtempSync(join(tmpdir(), 'goperf-benchstat-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/**
 * Our CSV must equal benchstat's line for line. The one allowed difference
 * is the last digit of geomeans: they go through log and exp, which differ
 * by an ulp between Go's math package and V8.
 */
function assertSameCsv(ours: string, theirs: string, context: string): void {
  const ourLines = ours.split('\n');
  const theirLines = theirs.split('\n');
  assert.equal(ourLines.length, theirLines.length, `${context}: line count\n${ours}\n---\n${theirs}`);
  theirLines.forEach((their, i) => {
    const our = ourLines[i];
    if (!their.startsWith('geomean,')) {
      assert.equal(our, their, `${context}: CSV line ${i + 1}`);
      return;
    }
    const ourFields = our.split(',');
    const theirFields = their.split(',');
    assert.equal(ourFields.length, theirFields.length, `${context}: geomean fields on line ${i + 1}`);
    theirFields.forEach((field, j) => {
      const a = Number(ourFields[j]);
      const b = Number(field);
      if (field !== '' && Number.isFinite(b) && !field.endsWith('%')) {
        assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${context}: geomean ${ourFields[j]} vs ${field} on line ${i + 1}`);
      } else {
        assert.equal(ourFields[j], field, `${context}: geomean field ${j} on line ${i + 1}`);
      }
    });
  });
}

async function assertAgrees(files: string[], context: string): Promise<{ csv: Output; text: Output }> {
  const theirCsv = runBenchstat(dir, ['-format', 'csv', ...files]);
  const ourCsv = await runGoperfBenchstat(dir, ['--csv', ...files]);
  assert.equal(ourCsv.status, 0, ourCsv.stderr);
  assertSameCsv(ourCsv.stdout, theirCsv.stdout, context);
  // Syntax errors while reading, then the warnings with their cell references.
  assert.equal(ourCsv.stderr, theirCsv.stderr, `${context}: warnings`);

  const theirText = runBenchstat(dir, files);
  const ourText = await runGoperfBenchstat(dir, files);
  assert.equal(ourText.status, 0, ourText.stderr);
  assert.equal(ourText.stdout, theirText.stdout, `${context}: text table`);
  return { csv: theirCsv, text: theirText };
}

interface CsvCell {
  center: string;
  range: string;
  delta?: string;
  comparison?: string;
}

/** benchstat's CSV as (unit, name) → cells per column. */
function parseBenchstatCsv(csv: string): Map<string, CsvCell[]> {
  const cells = new Map<string, CsvCell[]>();
  let unit = '';
  for (const line of csv.split('\n')) {
    const fields = line.split(',');
    if (fields[0] === '' && fields[2] === 'CI') {
      unit = fields[1];
      continue;
    }
    if (fields.length < 3 || fields[0] === '' || fields[0] === 'geomean') continue;
    const row: CsvCell[] = [{ center: fields[1], range: fields[2] }];
    for (let i = 3; i + 3 < fields.length + 1; i += 4) {
      if (fields[i] === undefined || fields[i] === '') continue;
      row.push({ center: fields[i], range: fields[i + 1], delta: fields[i + 2], comparison: fields[i + 3] });
    }
    cells.set(`${unit} ${fields[0]}`, row);
  }
  return cells;
}

// Deterministic pseudo-random numbers (mulberry32) so failures reproduce.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('goperf benchstat agrees with benchstat on real go test -bench output', () => {
  let base6: string;
  let slow6: string;
  let baseA10: string;
  let baseB10: string;
  let few3a: string;
  let few3b: string;

  before(() => {
    benchstatBinary();
    base6 = write('base6.txt', goBench({ scale: 1, count: 6 }));
    slow6 = write('slow6.txt', goBench({ scale: 2, count: 6 }));
    baseA10 = write('baseA10.txt', goBench({ scale: 1, count: 10 }));
    baseB10 = write('baseB10.txt', goBench({ scale: 1, count: 10 }));
    few3a = write('few3a.txt', goBench({ scale: 1, count: 3, bench: 'Steady|Scaled' }));
    few3b = write('few3b.txt', goBench({ scale: 2, count: 3, bench: 'Steady|Scaled' }));
  });

  test('a planted slowdown, -count 6: same table, deltas, p-values and warnings', async () => {
    const { csv } = await assertAgrees([base6, slow6], 'base6 vs slow6');
    // The comparison covers both outcomes whatever the machine's noise: the
    // allocation size doubles (significant), BenchmarkScaled allocates nothing
    // either way (all samples equal, ~).
    const rows = parseBenchstatCsv(csv.stdout);
    const allocRow = [...rows.keys()].find((key) => key.startsWith('B/op Alloc/size=4096'))!;
    assert.match(rows.get(allocRow)![1].delta!, /^\+\d+\.\d\d%$/);
    const scaledRow = [...rows.keys()].find((key) => key.startsWith('B/op Scaled'))!;
    assert.equal(rows.get(scaledRow)![1].delta, '~');
  });

  test('two runs of the same code, -count 10', async () => {
    await assertAgrees([baseA10, baseB10], 'baseA10 vs baseB10');
  });

  test('-count 6 against -count 10 (unequal sample sizes)', async () => {
    await assertAgrees([base6, baseB10], 'base6 vs baseB10');
  });

  test('-count 3: too few samples for an interval or a significant difference, and the warnings say so', async () => {
    const { text } = await assertAgrees([few3a, few3b], 'few3a vs few3b');
    assert.match(text.stdout, /need >= 6 samples for confidence interval at level 0\.95/);
    assert.match(text.stdout, /need >= 4 samples to detect a difference at alpha level 0\.05/);
  });

  test('verbose output of the bundled sample at GOMAXPROCS 1 and 2 (sub-benchmarks with = , MB/s, log lines)', async () => {
    const run = spawnSync(
      'go',
      ['test', '-run', '^$', '-bench', '.', '-benchmem', '-benchtime', '20x', '-count', '2', '-cpu', '1,2', '-v', '.'],
      { cwd: join(__dirname, '..', '..', 'sample', 'workload'), encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const file = write('sample-verbose.txt', run.stdout);
    const { csv } = await assertAgrees([file], 'sample -v');
    assert.match(csv.stdout, /^Pipeline\/lines=100-2,/m);

    const json = JSON.parse((await runGoperfBenchstat(dir, ['--json', file])).stdout) as { rows: { name: string; unit: string; summary: { median: number; n: number } }[] };
    const theirs = parseBenchstatCsv(csv.stdout);
    assert.equal(json.rows.length, theirs.size);
    for (const row of json.rows) {
      assert.equal(row.summary.median, Number(theirs.get(`${row.unit} ${row.name}`)![0].center), `${row.unit} ${row.name}`);
      assert.equal(row.summary.n, 2);
    }
  });

  test('one file: just the summaries', async () => {
    await assertAgrees([baseA10], 'baseA10 alone');
  });

  test('three files: every column compared with the first', async () => {
    await assertAgrees([base6, slow6, baseA10], 'three files');
  });

  test('--json carries the numbers benchstat prints', async () => {
    const theirs = parseBenchstatCsv(runBenchstat(dir, ['-format', 'csv', base6, slow6]).stdout);
    const ours = await runGoperfBenchstat(dir, ['--json', base6, slow6]);
    assert.equal(ours.status, 0, ours.stderr);
    const json = JSON.parse(ours.stdout) as {
      rows: {
        name: string;
        unit: string;
        old: { median: number; low: number | null; high: number | null; n: number };
        new: { median: number; low: number | null; high: number | null; n: number };
        delta: string;
        p: number;
      }[];
    };
    assert.equal(json.rows.length, theirs.size);
    assert.ok(json.rows.some((row) => row.unit === 'sec/op' && !row.name.startsWith('Benchmark')));
    for (const row of json.rows) {
      const cells = theirs.get(`${row.unit} ${row.name}`);
      assert.ok(cells, `benchstat has no row ${row.unit} ${row.name}`);
      const [old, now] = cells;
      assert.equal(row.old.median, Number(old.center), `${row.name} ${row.unit} old median`);
      assert.equal(row.new.median, Number(now.center), `${row.name} ${row.unit} new median`);
      assert.equal(row.delta, now.delta, `${row.name} ${row.unit} delta`);
      assert.equal(`p=${formatGoFixed(row.p, 3)} n=${row.old.n}`, now.comparison, `${row.name} ${row.unit} p and n`);
      // The interval benchstat shows as ±x% of the median.
      for (const [ours, theirCell] of [
        [row.old, old],
        [row.new, now],
      ] as const) {
        const summary = { center: ours.median, low: ours.low ?? -Infinity, high: ours.high ?? Infinity, confidence: 0.95, warnings: [] };
        assert.equal(formatRange(summary), theirCell.range, `${row.name} ${row.unit} range`);
      }
    }
  });
});

describe('goperf benchstat agrees with benchstat on generated edge cases', () => {
  test('every sample size from 1 to 40, with and without a shift, equal and unequal sizes', async () => {
    const next = random(1);
    let old = 'goos: linux\ngoarch: amd64\npkg: example.com/sizes\n';
    let now = old;
    for (let n = 1; n <= 40; n++) {
      for (const [shape, n2, shift] of [
        ['same', n, 0],
        ['shifted', n, 0.05],
        ['uneven', n + 3, 0.02],
      ] as const) {
        const name = `BenchmarkSize/n=${n}/${shape}-4`;
        for (let i = 0; i < n; i++) old += `${name}\t1000\t${(1000 + 100 * next()).toFixed(3)} ns/op\n`;
        for (let i = 0; i < n2; i++) now += `${name}\t1000\t${((1000 + 100 * next()) * (1 + shift)).toFixed(3)} ns/op\n`;
      }
    }
    await assertAgrees([write('sizes-old.txt', old), write('sizes-new.txt', now)], 'sample sizes');
  });

  test('heavy ties (exact test up to 25 per side, normal approximation above)', async () => {
    const next = random(2);
    let old = '';
    let now = '';
    for (const n of [2, 3, 4, 5, 7, 9, 12, 16, 20, 24, 25, 26, 30, 35]) {
      for (const levels of [2, 3, 5]) {
        const name = `BenchmarkTies/n=${n}/levels=${levels}`;
        for (let i = 0; i < n; i++) old += `${name}  100  ${Math.floor(next() * levels) * 8} B/op  ${Math.floor(next() * levels)} allocs/op\n`;
        for (let i = 0; i < n; i++) now += `${name}  100  ${Math.floor(next() * levels + 0.4) * 8} B/op  ${Math.floor(next() * levels)} allocs/op\n`;
      }
    }
    await assertAgrees([write('ties-old.txt', old), write('ties-new.txt', now)], 'ties');
  });

  test('zeros, all-equal samples, single samples, negative values, units benchstat rescales', async () => {
    const old = [
      'BenchmarkZero 10 0 ns/op 0 B/op',
      'BenchmarkZero 10 0 ns/op 0 B/op',
      'BenchmarkZero 10 0 ns/op 0 B/op',
      'BenchmarkZero 10 0 ns/op 0 B/op',
      'BenchmarkEqual 10 5 ns/op 7 MB/s',
      'BenchmarkEqual 10 5 ns/op 7 MB/s',
      'BenchmarkEqual 10 5 ns/op 7 MB/s',
      'BenchmarkEqual 10 5 ns/op 7 MB/s',
      'BenchmarkEqual 10 5 ns/op 7 MB/s',
      'BenchmarkOne 10 12.5 ns/op 3 ns/elem',
      'BenchmarkFromZero 10 0 ns/op',
      'BenchmarkFromZero 10 0 ns/op',
      'BenchmarkFromZero 10 0 ns/op',
      'BenchmarkFromZero 10 0 ns/op',
      'BenchmarkFromZero 10 0 ns/op',
      'BenchmarkNegative 10 -3 delta/op',
      'BenchmarkNegative 10 -4 delta/op',
      'BenchmarkNegative 10 2 delta/op',
      'BenchmarkNegative 10 -1 delta/op',
      'BenchmarkOnlyOld 10 9 ns/op',
      ...[0, 0, 0, 0, 0, 8].map((bytes) => `BenchmarkRareAlloc 10 5 ns/op ${bytes} B/op`),
      ...[1, 1, 2, 2, 2].map((allocs) => `BenchmarkTwoValues 10 5 ns/op ${allocs} allocs/op`),
    ].join('\n');
    const now = [
      'BenchmarkZero 10 0 ns/op 0 B/op',
      'BenchmarkZero 10 0 ns/op 0 B/op',
      'BenchmarkZero 10 0 ns/op 0 B/op',
      'BenchmarkZero 10 0 ns/op 0 B/op',
      'BenchmarkEqual 10 5 ns/op 7 MB/s',
      'BenchmarkEqual 10 5 ns/op 7 MB/s',
      'BenchmarkEqual 10 6 ns/op 7 MB/s',
      'BenchmarkEqual 10 5 ns/op 7 MB/s',
      'BenchmarkEqual 10 5 ns/op 9 MB/s',
      'BenchmarkOne 10 13.5 ns/op 4 ns/elem',
      'BenchmarkFromZero 10 3 ns/op',
      'BenchmarkFromZero 10 4 ns/op',
      'BenchmarkFromZero 10 5 ns/op',
      'BenchmarkFromZero 10 6 ns/op',
      'BenchmarkFromZero 10 7 ns/op',
      'BenchmarkNegative 10 3 delta/op',
      'BenchmarkNegative 10 4 delta/op',
      'BenchmarkNegative 10 2 delta/op',
      'BenchmarkNegative 10 1 delta/op',
      'BenchmarkOnlyNew 10 9 ns/op',
      ...Array.from({ length: 10 }, () => 'BenchmarkRareAlloc 10 5 ns/op 0 B/op'),
      ...[1, 1, 1, 1, 2, 2].map((allocs) => `BenchmarkTwoValues 10 5 ns/op ${allocs} allocs/op`),
    ].join('\n');
    await assertAgrees([write('edge-old.txt', old), write('edge-new.txt', now)], 'edge values');
  });

  test('unit metadata, configuration scoping, -v name lines and malformed lines', async () => {
    const old = [
      'Unit items/op assume=exact',
      'Unit ns/op better=lower',
      'goos: linux',
      'pkg: example.com/a',
      'note:no-space-so-not-config',
      'BenchmarkParse/size=small-8 100 1200 ns/op 4 items/op',
      'BenchmarkParse/size=small-8 100 1210 ns/op 4 items/op',
      'BenchmarkParse/size=small-8',
      'BenchmarkParse/size=small-8 100 1190 ns/op 5 items/op',
      'BenchmarkParse/size=small-8 1x0 1190 ns/op',
      'BenchmarkParse/size=small-8 100 abc ns/op',
      'BenchmarkParse/size=small-8 100 12',
      'BenchmarkParse/size=small-8 100',
      'pkg: example.com/b',
      'BenchmarkParse/size=small-8 100 800 ns/op 4 items/op',
      'BenchmarkParse/size=small-8 100 810 ns/op 4 items/op',
      'BenchmarkParse/size=small-8 100 790 ns/op 4 items/op',
      'pkg:',
      'BenchmarkLoose 100 1 ns/op',
    ].join('\n');
    const now = [
      'goos: linux',
      'pkg: example.com/a',
      'BenchmarkParse/size=small-8 100 1000 ns/op 4 items/op',
      'BenchmarkParse/size=small-8 100 1010 ns/op 4 items/op',
      'BenchmarkParse/size=small-8 100 990 ns/op 4 items/op',
      'pkg: example.com/b',
      'BenchmarkParse/size=small-8 100 700 ns/op 4 items/op',
      'BenchmarkParse/size=small-8 100 710 ns/op 3 items/op',
      'BenchmarkParse/size=small-8 100 690 ns/op 4 items/op',
    ].join('\n');
    await assertAgrees([write('meta-old.txt', old), write('meta-new.txt', now)], 'metadata and configuration');
  });
});

describe('goperf benchstat errors', () => {
  test('an unreadable file and a file without results are named', async () => {
    const empty = write('empty.txt', 'goos: linux\nPASS\n');
    const missing = await runGoperfBenchstat(dir, ['missing.txt']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read missing\.txt: ENOENT/);
    const noResults = await runGoperfBenchstat(dir, [empty]);
    assert.equal(noResults.status, 1);
    assert.match(noResults.stderr, /empty\.txt: no benchmark results/);
    const usage = await runGoperfBenchstat(dir, ['--alpha', '2', empty]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--alpha must be in range \[0, 1\]/);
    const noFiles = await runGoperfBenchstat(dir, []);
    assert.equal(noFiles.status, 2);
  });
});
