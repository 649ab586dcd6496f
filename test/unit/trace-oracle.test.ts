// Real execution traces from the Go toolchain, read by goperf and by
// golang.org/x/exp/trace (test/fixtures/trace/oracle): the number of events
// of every kind, every goroutine's running time and start function, the procs
// and the duration must be equal. Cut and garbled copies of real traces must
// give what Go's reader gives up to the break, and the same complaint.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seededRandom } from '../fixtures/random';
import { assertSameAsGo, makeTraces, ours, type Traces } from '../fixtures/trace/traces';

const tmp = mkdtempSync(join(tmpdir(), 'goperf-trace-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let traces: Traces;
before(() => {
  traces = makeTraces(tmp);
});

describe('trace events agree with golang.org/x/exp/trace', () => {
  test('go test -trace over the sample benchmarks', () => {
    const want = assertSameAsGo(traces.benchmarks);
    assert.ok(want.eventsByKind.StateTransition > 1000);
    assert.ok(Object.values(want.goroutines).some((g) => g.startFunction === 'testing.(*B).run1.func1'));
  });

  test('tasks, regions and logs', () => {
    const want = assertSameAsGo(traces.annotate);
    assert.equal(want.eventsByKind.TaskBegin, 9);
    assert.equal(want.eventsByKind.RegionBegin, 17);
    assert.equal(want.eventsByKind.Log, 17);
  });

  test('HTTP server and clients on loopback', () => {
    const want = assertSameAsGo(traces.netload);
    assert.ok(Object.keys(want.goroutines).length > 50);
  });

  test('GC-heavy program, with CPU profiling on', () => {
    const want = assertSameAsGo(traces.gcheavy);
    assert.ok(want.eventsByKind.StackSample > 0, 'CPU samples');
    assert.ok(want.eventsByKind.RangeBegin > 20, 'GC, STW and sweep ranges');
    assert.ok(want.eventsByKind.Metric > 20, 'heap metrics');
  });
});

describe('broken traces: the same events and complaint as Go', () => {
  test('cut at several points', () => {
    const bytes = readFileSync(traces.gcheavy);
    for (const fraction of [0.001, 0.25, 0.5, 0.9, 0.999]) {
      const file = join(tmp, `cut-${fraction}.trace`);
      writeFileSync(file, bytes.subarray(0, Math.max(17, Math.floor(bytes.length * fraction))));
      assertSameAsGo(file);
      assert.ok(ours(file).problem, `a trace cut at ${fraction} is reported`);
    }
  });

  test('garbled bytes', () => {
    const bytes = readFileSync(traces.netload);
    const next = seededRandom(12345);
    const random = (n: number) => Math.floor(next() * n);
    let problems = 0;
    for (let round = 0; round < 12; round++) {
      const copy = Uint8Array.from(bytes);
      for (let i = 0; i < 3; i++) copy[16 + random(copy.length - 16)] = random(256);
      const file = join(tmp, `garbled-${round}.trace`);
      writeFileSync(file, copy);
      if (assertSameAsGo(file).error) problems++;
    }
    assert.ok(problems >= 3, `at least some garbled copies are rejected (${problems})`);
  });
});
