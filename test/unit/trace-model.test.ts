// The timeline's model of real traces, checked against golang.org/x/exp/trace
// (test/fixtures/trace/oracle) reading the same files: every goroutine's
// running time and start function, the GC cycles, stop-the-world ranges by
// reason, heap and GOMAXPROCS samples, unblock and create edges, and the user
// annotations. The per-P lanes must add up to the same running times.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { goroutineAnalysis } from '../../src/core/trace/analysis';
import {
  EdgeKind,
  edgeTarget,
  edgeTime,
  intervalGoroutine,
  nextInterval,
  readTraceModel,
  spanEnd,
  spanGoroutine,
  spanStart,
  startFunctionName,
  type TraceModel,
} from '../../src/core/trace/model';
import { GoState } from '../../src/core/trace/spec';
import { makeTraces, oracle, type OracleResult, type Traces } from '../fixtures/trace/traces';

interface ModelOracle extends OracleResult {
  rangeBegins: Record<string, number>;
  rangeActives: Record<string, number>;
  metrics: Record<string, { count: number; last: number; max: number }>;
  unblocks: number;
  unblocksByGoroutine: number;
  creates: number;
  goroutineStates: Record<string, Record<string, number>>;
}

const tmp = mkdtempSync(join(tmpdir(), 'goperf-trace-model-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let traces: Traces;
before(() => {
  traces = makeTraces(tmp);
});

function load(file: string): { model: TraceModel; want: ModelOracle } {
  const model = readTraceModel(readFileSync(file), file);
  const want = oracle(file) as ModelOracle;
  assert.equal(want.error, undefined, `Go's reader failed on ${file}: ${want.error}`);
  assert.equal(model.problem, undefined, `goperf failed on ${file}: ${model.problem?.message}`);
  return { model, want };
}

function assertGoroutines(model: TraceModel, want: ModelOracle): void {
  const g = model.goroutines;
  assert.equal(g.count, Object.keys(want.goroutines).length, 'distinct goroutines');
  const laneRunning = new Float64Array(g.count);
  const p = model.procs;
  for (let i = 0; i < p.spanInterval.length; i++) {
    assert.equal(model.intervals.state[p.spanInterval[i]], GoState.Running, `span ${i} draws a Running interval`);
    laneRunning[spanGoroutine(model, i)] += spanEnd(model, i) - spanStart(model, i);
  }
  for (let i = 0; i < g.count; i++) {
    const id = String(g.id[i]);
    const expected = want.goroutines[id];
    assert.ok(expected, `goroutine ${id} is not in Go's reading`);
    assert.equal(g.runningNs[i], expected.runningNs, `running time of goroutine ${id}`);
    assert.equal(startFunctionName(model, i), expected.startFunction, `start function of goroutine ${id}`);
    assert.equal(laneRunning[i], expected.runningNs, `goroutine ${id}'s spans on the P lanes`);
    // The intervals are what the running time was summed from: each ends where the next
    // starts, the last one where the goroutine's end marker starts.
    let running = 0;
    const { start, state } = model.intervals;
    const first = g.intervalOffsets[i];
    const marker = g.intervalOffsets[i + 1] - 1;
    assert.ok(marker >= first, `goroutine ${id} has its end marker`);
    assert.equal(state[marker], GoState.NotExist, `goroutine ${id}'s last row is its end marker`);
    assert.ok(start[marker] <= model.durationNs, `goroutine ${id} ends within the trace`);
    for (let row = first; row < marker; row++) {
      assert.equal(intervalGoroutine(model, row), i, `interval ${row} belongs to goroutine ${id}`);
      assert.ok(start[row + 1] >= start[row], `interval ${row} of goroutine ${id} ends before it starts`);
      assert.equal(nextInterval(model, row), row + 1 < marker ? row + 1 : -1, 'nextInterval');
      if (state[row] === GoState.Running) running += start[row + 1] - start[row];
    }
    assert.equal(running, expected.runningNs, `Running intervals of goroutine ${id}`);
  }
  for (let proc = 0; proc < p.count; proc++) {
    for (let k = p.spanOffsets[proc] + 1; k < p.spanOffsets[proc + 1]; k++) {
      assert.ok(spanStart(model, k) >= spanEnd(model, k - 1), `spans of P ${p.id[proc]} overlap at ${k}`);
    }
  }
}

/**
 * Columns kept in 16 bits when they fit: index columns hold the same indexes
 * as the tables, and the count series' last sample (the counts as the trace
 * ends) equals the goroutines whose last interval is in each state.
 */
function assertCompactColumns(model: TraceModel): void {
  const { reason, stack, state, start } = model.intervals;
  assert.ok(reason instanceof Int16Array && stack instanceof Int16Array, 'small string and stack tables give 16-bit columns');
  const stackCount = model.stacks.offsets.length - 1;
  for (let i = 0; i < reason.length; i++) {
    assert.ok(reason[i] >= -1 && reason[i] < model.strings.length, `reason of row ${i}`);
    assert.ok(stack[i] >= -1 && stack[i] < stackCount, `stack of row ${i}`);
  }
  const atEnd = new Int32Array(6);
  const offsets = model.goroutines.intervalOffsets;
  for (let g = 0; g < model.goroutines.count; g++) {
    const marker = offsets[g + 1] - 1;
    if (marker > offsets[g] && start[marker] === model.durationNs && state[marker - 1] !== GoState.NotExist) atEnd[state[marker - 1]]++;
  }
  const c = model.counts;
  const last = c.time.length - 1;
  assert.deepEqual(
    [c.running[last], c.runnable[last], c.waiting[last], c.syscall[last]],
    [atEnd[GoState.Running], atEnd[GoState.Runnable], atEnd[GoState.Waiting], atEnd[GoState.Syscall]],
    'goroutines per state as the trace ends',
  );
}

/** The goroutine analysis against Go's per-goroutine time by state, summed per start function here. */
function assertAnalysis(model: TraceModel, want: ModelOracle): void {
  const expected = new Map<string, { goroutines: number; byKey: Record<string, number> }>();
  for (const [id, g] of Object.entries(want.goroutines)) {
    let row = expected.get(g.startFunction);
    if (!row) expected.set(g.startFunction, (row = { goroutines: 0, byKey: {} }));
    row.goroutines++;
    for (const [key, ns] of Object.entries(want.goroutineStates[id] ?? {})) row.byKey[key] = (row.byKey[key] ?? 0) + ns;
  }
  const rows = goroutineAnalysis(model);
  assert.equal(rows.length, expected.size, 'start functions');
  for (const row of rows) {
    const e = expected.get(row.startFunction);
    assert.ok(e, `start function ${row.startFunction} is not in Go's reading`);
    const got: Record<string, number> = {};
    if (row.executionNs) got.Running = row.executionNs;
    if (row.schedulerWaitNs) got.Runnable = row.schedulerWaitNs;
    if (row.syscallNs) got.Syscall = row.syscallNs;
    for (const [why, ns] of Object.entries(row.blockedNs)) got[`Waiting:${why}`] = ns;
    const wanted = Object.fromEntries(Object.entries(e.byKey).filter(([, ns]) => ns !== 0));
    assert.equal(row.goroutines, e.goroutines, `goroutines of ${row.startFunction}`);
    assert.deepEqual(got, wanted, `time by state of ${row.startFunction}`);
  }
}

function countByName(model: TraceModel, names: Int32Array, format: (name: string) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) {
    const key = format(n < 0 ? '' : model.strings[n]);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

function assertRangesAndMetrics(model: TraceModel, want: ModelOracle): void {
  const mark = 'GC concurrent mark phase';
  assert.equal(model.gc.start.length, (want.rangeBegins[mark] ?? 0) + (want.rangeActives[mark] ?? 0), 'GC cycles');
  const stwWanted = Object.fromEntries(Object.entries(want.rangeBegins).filter(([name]) => name.startsWith('stop-the-world')));
  assert.deepEqual(countByName(model, model.stw.name, (reason) => `stop-the-world (${reason})`), stwWanted, 'STW ranges by reason');
  const series: [string, { value: Float64Array }][] = [
    ['/memory/classes/heap/objects:bytes', model.heapAlloc],
    ['/gc/heap/goal:bytes', model.heapGoal],
    ['/sched/gomaxprocs:threads', model.gomaxprocs],
  ];
  for (const [name, s] of series) {
    const m = want.metrics[name] ?? { count: 0, last: 0, max: 0 };
    assert.equal(s.value.length, m.count, `${name} samples`);
    if (m.count === 0) continue;
    assert.equal(s.value[s.value.length - 1], m.last, `last ${name}`);
    assert.equal(Math.max(...s.value), m.max, `largest ${name}`);
  }
  const { kind, from, interval } = model.edges;
  const { state } = model.intervals;
  let unblocks = 0;
  let unblocksByGoroutine = 0;
  let creates = 0;
  for (let i = 0; i < kind.length; i++) {
    if (i > 0) assert.ok(edgeTime(model, i) >= edgeTime(model, i - 1), `edge ${i} is out of time order`);
    const row = interval[i];
    const target = edgeTarget(model, i);
    const first = model.goroutines.intervalOffsets[target];
    if (kind[i] === EdgeKind.Create) {
      creates++;
      // A created goroutine's interval is its first, or follows a stretch where it did not exist.
      assert.ok(row === first || state[row - 1] === GoState.NotExist, `create edge ${i} begins its goroutine`);
      assert.equal(model.goroutines.createdBy[target], from[i], `create edge ${i}'s creator`);
    } else {
      unblocks++;
      if (from[i] >= 0) unblocksByGoroutine++;
      assert.equal(state[row], GoState.Runnable, `unblock edge ${i} begins a Runnable interval`);
      assert.ok(row > first && state[row - 1] === GoState.Waiting, `unblock edge ${i} follows a wait`);
    }
  }
  assert.equal(unblocks, want.unblocks, 'unblock edges');
  assert.equal(unblocksByGoroutine, want.unblocksByGoroutine, 'unblock edges from a goroutine');
  assert.equal(creates, want.creates, 'create edges');
  assert.equal(model.durationNs, want.durationNs, 'duration');
}

describe('the timeline model agrees with golang.org/x/exp/trace', () => {
  test('go test -trace over the sample benchmarks', () => {
    const { model, want } = load(traces.benchmarks);
    assertGoroutines(model, want);
    assertRangesAndMetrics(model, want);
    assertAnalysis(model, want);
    assert.ok(model.procs.spanInterval.length > 100, 'P lanes have spans');
    assertCompactColumns(model);
  });

  test('GC-heavy program: many GC cycles, STW ranges and heap samples', () => {
    const { model, want } = load(traces.gcheavy);
    assertGoroutines(model, want);
    assertRangesAndMetrics(model, want);
    assertAnalysis(model, want);
    assert.ok(model.gc.start.length > 10, `only ${model.gc.start.length} GC cycles`);
    assert.ok(model.heapAlloc.value.length > 20);
    for (let i = 0; i < model.gc.start.length; i++) assert.ok(model.gc.end[i] >= model.gc.start[i]);
  });

  test('HTTP server and clients on loopback', () => {
    const { model, want } = load(traces.netload);
    assertGoroutines(model, want);
    assertRangesAndMetrics(model, want);
    assertAnalysis(model, want);
    const network = goroutineAnalysis(model).reduce((sum, row) => sum + (row.blockedNs.network ?? 0), 0);
    assert.ok(network > 0, 'time waiting on the network');
    const reasons = new Set<string>();
    const { state, reason } = model.intervals;
    for (let i = 0; i < state.length; i++) if (state[i] === 4 && reason[i] >= 0) reasons.add(model.strings[reason[i]]);
    assert.ok(reasons.has('network'), `waiting reasons: ${[...reasons].join(', ')}`);
  });

  test('tasks, regions and logs', () => {
    const { model, want } = load(traces.annotate);
    assertGoroutines(model, want);
    assertRangesAndMetrics(model, want);
    assertAnalysis(model, want);
    const begun = (a: Float64Array) => a.filter((t) => !Number.isNaN(t)).length;
    assert.equal(begun(model.tasks.start), want.eventsByKind.TaskBegin, 'tasks begun');
    assert.equal(begun(model.tasks.end), want.eventsByKind.TaskEnd, 'tasks ended');
    assert.equal(begun(model.regions.start), want.eventsByKind.RegionBegin, 'regions begun');
    assert.equal(begun(model.regions.end), want.eventsByKind.RegionEnd, 'regions ended');
    assert.equal(model.logs.time.length, want.eventsByKind.Log, 'logs');
    for (let i = 0; i < model.tasks.id.length; i++) assert.ok(model.tasks.name[i] >= 0, `task ${model.tasks.id[i]} has a name`);
  });
});
