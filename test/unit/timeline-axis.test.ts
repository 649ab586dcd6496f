// The timeline's axis labels: every tick of a view, at any zoom, reads
// differently from its neighbours and, read back, gives the tick's time to
// within rounding at the step's precision.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTick, tickStep } from '../../webviews/timeline/viewport';

const units: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

function readBack(label: string): number {
  const match = /^(-?[\d.]+)(s|ms|us|ns)$/.exec(label);
  assert.ok(match, `label ${label} is a number and a unit`);
  return Number(match[1]) * units[match[2]];
}

describe('timeline axis labels', () => {
  // Views from 10 ns to a minute wide, starting at awkward offsets into a trace.
  for (const span of [10, 137, 8_250, 91_000, 1.3e6, 2.2e7, 5.5e8, 6.1e10]) {
    for (const start of [0, 1_283_417, 987_654_321, 59_123_456_789]) {
      test(`a ${span} ns view from ${start} ns`, () => {
        const step = tickStep(span / 10);
        const labels: string[] = [];
        for (let t = Math.ceil(start / step) * step; t <= start + span; t += step) {
          const label = formatTick(t, step);
          assert.ok(Math.abs(readBack(label) - t) <= step / 2, `${label} for ${t} ns (step ${step})`);
          labels.push(label);
        }
        assert.ok(labels.length > 0);
        assert.equal(new Set(labels).size, labels.length, `repeated labels: ${labels.join(' ')}`);
      });
    }
  }
});
