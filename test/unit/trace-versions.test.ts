// Traces in every format version the reader supports — go1.22, go1.23 (also
// written by 1.24), go1.25 — made by those toolchains (GOTOOLCHAIN, through
// the module proxy), compared with golang.org/x/exp/trace like the current
// format in trace-oracle.test.ts: whole, and cut short. Before go1.26 a
// generation has no end marker, so these exercise a different path.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertSameAsGo, cutTrace, oldToolchainTrace, oracle, ours } from '../fixtures/trace/traces';

const tmp = mkdtempSync(join(tmpdir(), 'goperf-trace-versions-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const [toolchain, header] of [
  ['go1.22.12', 'go 1.22 trace'],
  ['go1.23.12', 'go 1.23 trace'],
  ['go1.25.5', 'go 1.25 trace'],
] as const) {
  describe(`${toolchain} traces agree with golang.org/x/exp/trace`, { timeout: 300_000 }, () => {
    test('a GC-heavy program, whole and cut', () => {
      const file = oldToolchainTrace(tmp, toolchain, 'gcheavy', ['-min-duration', '1.5s']);
      const bytes = readFileSync(file);
      assert.equal(bytes.subarray(0, 13).toString('latin1'), header);
      assertSameAsGo(file);
      assert.ok(oracle(file).eventsByKind.Sync >= 3, 'more than one generation');
      for (const fraction of [0.3, 0.9, 0.999]) {
        const cut = join(tmp, `${toolchain}-cut-${fraction}.trace`);
        writeFileSync(cut, cutTrace(bytes, fraction));
        assertSameAsGo(cut);
        assert.match(ours(cut).problem!, /the trace is cut short|failed to read full batch/);
      }
    });
  });
}
