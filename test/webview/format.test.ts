// The webview prints values the way `go tool pprof` does with -unit=auto
// (each value scaled on its own, as in its tooltips and web views). The
// oracle is pprof itself: the same -top table once formatted and once with
// raw values (-unit=ns / -unit=B), row by row, for several sample types of a
// CPU and a heap profile of the sample module.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { formatPercent, formatValue } from '../../src/core/pprof/units';
import { makeCpuProfile, makeMemProfile, pprofTop } from './harness';

let workDir = '';
let cpuProfile = '';
let memProfile = '';

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'goperf-format-'));
  cpuProfile = makeCpuProfile(workDir);
  memProfile = makeMemProfile(workDir);
});

after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const cases: { name: string; profile: () => string; sampleIndex: string; unit: string; raw?: 'ns' | 'B' }[] = [
  { name: 'cpu time', profile: () => cpuProfile, sampleIndex: 'cpu', unit: 'nanoseconds', raw: 'ns' },
  { name: 'cpu samples', profile: () => cpuProfile, sampleIndex: 'samples', unit: 'count' },
  { name: 'alloc_space', profile: () => memProfile, sampleIndex: 'alloc_space', unit: 'bytes', raw: 'B' },
  { name: 'inuse_space', profile: () => memProfile, sampleIndex: 'inuse_space', unit: 'bytes', raw: 'B' },
  { name: 'alloc_objects', profile: () => memProfile, sampleIndex: 'alloc_objects', unit: 'count' },
];

for (const c of cases) {
  test(`values and percentages read like go tool pprof -top: ${c.name}`, () => {
    const printed = pprofTop(c.profile(), { sampleIndex: c.sampleIndex, unit: 'auto' });
    const raw = pprofTop(c.profile(), { sampleIndex: c.sampleIndex, unit: c.raw });
    assert.equal(printed.rows.length, raw.rows.length);
    assert.ok(printed.rows.length > 5, 'the profile has a few functions to compare');
    printed.rows.forEach((row, i) => {
      const values = raw.rows[i];
      assert.equal(values.name, row.name);
      const ours = {
        flat: formatValue(values.flat, c.unit),
        flatPercent: formatPercent(values.flat, raw.total),
        cum: formatValue(values.cum, c.unit),
        cumPercent: formatPercent(values.cum, raw.total),
      };
      assert.deepEqual(ours, row.text, row.name);
    });
  });
}

test('rare magnitudes follow the same rules', () => {
  // Rows of real profiles rarely reach these; the expectations are pprof's
  // rules applied by hand (scale to the largest unit >= 1, "%.2f" without a
  // trailing ".00", percentages below 1% with two significant digits).
  assert.equal(formatValue(2 * 3600e9, 'nanoseconds'), '2hrs');
  assert.equal(formatValue(59 * 60e9, 'nanoseconds'), '3540s');
  assert.equal(formatValue(1536, 'bytes'), '1.50kB');
  // 9.125 sits exactly between two-decimal neighbours: Go's %.2f goes to the even one.
  assert.equal(formatValue(9344, 'bytes'), '9.12kB');
  assert.equal(formatValue(9376, 'bytes'), '9.16kB');
  assert.equal(formatValue(-2048, 'bytes'), '-2kB');
  assert.equal(formatValue(0.001, 'bytes'), '0');
  assert.equal(formatValue(12, 'widgets'), '12widgets');
  assert.equal(formatPercent(1, 100000), '0.001%');
  assert.equal(formatPercent(1, 10000000), '1e-05%');
  assert.equal(formatPercent(9995, 10000), '100%');
  assert.equal(formatPercent(5, 0), '0%');
});
