// The timeline's task/region table and range summary against
// golang.org/x/exp/trace (test/fixtures/trace/oracle) on traces Go writes
// here: per task and region name the count and the total and longest
// duration; over the whole trace the time per goroutine state summed over
// goroutines, and the goroutines created.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { annotationSummary } from '../../src/core/trace/annotations';
import { readTraceModel } from '../../src/core/trace/model';
import { rangeSummary } from '../../src/core/trace/rangeSummary';
import { env, fixtureBinary, oracle, type OracleResult } from '../fixtures/trace/traces';

interface OracleDurations {
  count: number;
  totalNs: number;
  maxNs: number;
  incomplete: number;
}

interface RangeOracle extends OracleResult {
  creates: number;
  goroutineStates: Record<string, Record<string, number>>;
  tasks: Record<string, OracleDurations>;
  regions: Record<string, OracleDurations>;
}

const tmp = mkdtempSync(join(tmpdir(), 'goperf-trace-ranges-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const files: Record<'annotate' | 'netload', string> = { annotate: join(tmp, 'annotate.trace'), netload: join(tmp, 'netload.trace') };
before(() => {
  for (const [name, file] of Object.entries(files)) execFileSync(fixtureBinary(name), [file], { cwd: tmp, env, stdio: 'ignore', timeout: 120_000 });
});

/** The oracle's per-goroutine states summed over goroutines, keyed as it keys them ("Running", "Waiting:<reason>"). */
function stateTotals(want: { goroutineStates: Record<string, Record<string, number>> }): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const states of Object.values(want.goroutineStates)) for (const [key, ns] of Object.entries(states)) totals[key] = (totals[key] ?? 0) + ns;
  return totals;
}

describe('tasks and regions per name', () => {
  test('count, total, mean and longest duration equal Go\'s reading of the annotate trace', () => {
    const model = readTraceModel(readFileSync(files.annotate), files.annotate);
    const want = oracle(files.annotate) as RangeOracle;
    const rows = annotationSummary(model);
    for (const kind of ['task', 'region'] as const) {
      const expected = kind === 'task' ? want.tasks : want.regions;
      const got = Object.fromEntries(
        rows.filter((r) => r.kind === kind).map((r) => [r.name, { count: r.count, totalNs: r.totalNs, maxNs: r.maxNs, incomplete: r.incomplete }]),
      );
      assert.deepEqual(got, expected, `${kind}s`);
      for (const r of rows.filter((row) => row.kind === kind)) assert.equal(r.meanNs, r.totalNs / r.count, `mean of ${kind} ${r.name}`);
    }
    // The fixture's nesting: one job, a step per worker, each with a compute and an inner region.
    assert.equal(want.tasks.step.count, 8);
    assert.equal(want.regions.inner.count, 8);
  });
});

describe('range summary', () => {
  for (const name of ['annotate', 'netload'] as const) {
    test(`over the whole ${name} trace it sums every goroutine's states as Go does`, () => {
      const model = readTraceModel(readFileSync(files[name]), files[name]);
      const want = oracle(files[name]) as RangeOracle;
      const s = rangeSummary(model, 0, model.durationNs);
      const got: Record<string, number> = { Running: s.runningNs, Runnable: s.runnableNs, Syscall: s.syscallNs };
      for (const [why, ns] of Object.entries(s.waitingNs)) got[`Waiting:${why}`] = ns;
      const expected = stateTotals(want);
      for (const key of ['Running', 'Runnable', 'Syscall']) expected[key] ??= 0;
      assert.deepEqual(got, expected);
      assert.equal(s.goroutinesCreated, want.creates, 'goroutines created');
      assert.equal(s.gcCycles, model.gc.start.length);
    });
  }

  test('a part of the trace gets the part of each interval inside it, and halves add up to the whole', () => {
    const model = readTraceModel(readFileSync(files.netload), files.netload);
    const whole = rangeSummary(model, 0, model.durationNs);
    const mid = Math.round(model.durationNs / 2);
    const a = rangeSummary(model, 0, mid);
    const b = rangeSummary(model, mid, model.durationNs);
    assert.ok(a.runningNs > 0 && b.runningNs > 0);
    assert.equal(a.runningNs + b.runningNs, whole.runningNs);
    assert.equal(a.runnableNs + b.runnableNs, whole.runnableNs);
    for (const why of Object.keys(whole.waitingNs)) {
      assert.equal((a.waitingNs[why] ?? 0) + (b.waitingNs[why] ?? 0), whole.waitingNs[why], `waiting for ${why}`);
    }
    // Every goroutine alive in a half is alive in the whole.
    assert.ok(a.goroutines <= whole.goroutines && b.goroutines <= whole.goroutines);
  });
});
