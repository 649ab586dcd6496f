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
import { BatchReader } from '../../src/core/trace/generation';
import {
  EvClockSnapshot,
  EvEndOfGeneration,
  EvExperimentalBatch,
  EvGoStatus,
  EvProcsChange,
  EvStack,
  EvStacks,
  EvString,
  EvStrings,
  EvSync,
  timedSpec,
} from '../../src/core/trace/spec';
import { ByteCursor } from '../../src/core/trace/varint';
import { seededRandom } from '../fixtures/random';
import { assertSameAsGo, cutTrace, GoReaderPanic, makeTraces, ours, type Traces } from '../fixtures/trace/traces';

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

interface BatchAt {
  offset: number;
  /** Where the header's timestamp and size varints start. */
  timeAt: number;
  sizeAt: number;
  dataStart: number;
  dataEnd: number;
}

/** The batches of a well-formed trace, with where their header fields are. */
function batchesOf(bytes: Uint8Array): BatchAt[] {
  const reader = new BatchReader(bytes, 16, () => 0);
  const out: BatchAt[] = [];
  for (let b = reader.next(); b !== null; b = reader.next()) {
    if (bytes[b.offset] === EvEndOfGeneration) continue;
    const c = new ByteCursor(bytes, b.offset + (bytes[b.offset] === EvExperimentalBatch ? 2 : 1), bytes.length);
    c.uvarint(); // generation
    c.uvarint(); // M
    const timeAt = c.pos;
    c.uvarint();
    out.push({ offset: b.offset, timeAt, sizeAt: c.pos, dataStart: b.dataStart, dataEnd: b.dataEnd });
  }
  return out;
}

/** The first batch whose data starts with an event of type `first`, or matching it. */
function batchStarting(bytes: Uint8Array, first: number | ((type: number) => boolean)): BatchAt {
  const match = typeof first === 'number' ? (t: number) => t === first : first;
  const b = batchesOf(bytes).find((x) => x.dataEnd > x.dataStart && match(bytes[x.dataStart]));
  assert.ok(b, `the trace has a batch starting with ${first}`);
  return b;
}

/** Offsets of each stack's id varint in a stacks batch. */
function stackIdOffsets(bytes: Uint8Array, b: BatchAt): number[] {
  const c = new ByteCursor(bytes, b.dataStart + 1, b.dataEnd);
  const out: number[] = [];
  while (c.pos < c.limit) {
    assert.equal(c.byte(), EvStack);
    out.push(c.pos);
    c.uvarint();
    const frames = c.uvarint();
    for (let i = 0; i < 4 * frames; i++) c.uvarint();
  }
  return out;
}

/** A 10-byte varint, the way the runtime pads batch sizes. */
function paddedUvarint(value: number): Uint8Array {
  const out = new Uint8Array(10);
  for (let i = 0; i < 10; i++, value = Math.floor(value / 128)) out[i] = (value % 128) | (i < 9 ? 0x80 : 0);
  return out;
}


describe('broken traces: the same events and complaint as Go', () => {
  test('cut at several points', () => {
    const bytes = readFileSync(traces.gcheavy);
    for (const fraction of [0.001, 0.25, 0.5, 0.9, 0.999]) {
      const file = join(tmp, `cut-${fraction}.trace`);
      writeFileSync(file, cutTrace(bytes, fraction));
      assertSameAsGo(file);
      assert.ok(ours(file).problem, `a trace cut at ${fraction} is reported`);
    }
  });

  test('a batch header field past 64 bits: Go names the field', () => {
    const bytes = Uint8Array.from(readFileSync(traces.netload));
    const batches = batchesOf(bytes);
    const victim = batches[Math.floor(batches.length / 2)];
    bytes.fill(0xff, victim.timeAt, victim.timeAt + 10);
    const file = join(tmp, 'header-overflow.trace');
    writeFileSync(file, bytes);
    assert.match(assertSameAsGo(file).error ?? '', /batch timestamp/);
  });

  test('a table batch that stops right before a varint ends the trace as Go reads it', () => {
    // Go's binary.ReadUvarint returns a bare io.EOF there, which Go's callers take for the end of the trace.
    const bytes = readFileSync(traces.annotate);
    const b = batchStarting(bytes, EvStrings);
    const c = new ByteCursor(bytes, b.dataStart + 1, b.dataEnd);
    c.byte(); // the first string's EvString
    c.uvarint(); // id
    const length = c.uvarint();
    c.pos += length;
    assert.equal(bytes[c.pos], EvString);
    const size = c.pos + 1 - b.dataStart;
    const file = join(tmp, 'strings-stop-before-id.trace');
    writeFileSync(file, Buffer.concat([bytes.subarray(0, b.sizeAt), paddedUvarint(size), bytes.subarray(b.dataStart, b.dataStart + size)]));
    assertSameAsGo(file);
  });

  test('an event batch whose data starts with an end-of-generation event', () => {
    // Go tells the end of a generation by a batch's first data byte, whatever its header says.
    const bytes = Uint8Array.from(readFileSync(traces.annotate));
    const isEvent = (t: number) => t >= EvProcsChange && t !== EvSync && t !== EvClockSnapshot;
    bytes[batchStarting(bytes, isEvent).dataStart] = EvEndOfGeneration;
    const file = join(tmp, 'data-ends-generation.trace');
    writeFileSync(file, bytes);
    assertSameAsGo(file);
  });

  test('stacks with unknown strings are reported in stack id order', () => {
    // Hiding the strings batch in an experimental batch leaves every frame's
    // strings unknown; swapping the first and last stacks' ids puts the
    // lowest id last in the file.
    const bytes = Uint8Array.from(readFileSync(traces.annotate));
    const ids = stackIdOffsets(bytes, batchStarting(bytes, EvStacks));
    const [first, last] = [ids[0], ids[ids.length - 1]];
    assert.ok(ids.length > 2 && bytes[first] < 0x80 && bytes[last] < 0x80, 'one-byte stack ids');
    [bytes[first], bytes[last]] = [bytes[last], bytes[first]];
    const b = batchStarting(bytes, EvStrings);
    const file = join(tmp, 'no-strings.trace');
    writeFileSync(file, Buffer.concat([bytes.subarray(0, b.offset), Uint8Array.of(EvExperimentalBatch, 1), bytes.subarray(b.offset + 1)]));
    const want = assertSameAsGo(file);
    // Go's stack ids are dense here, so it checks them in id order and its message is exact.
    assert.ok(ours(file).problem?.includes(want.error!.split('\n')[0]), `Go's: ${want.error}`);
  });

  test('a goroutine status over 255: Go keeps its low byte', () => {
    // Re-encode one GoStatus's status s as the two-byte varint of s + 256, growing its batch by a byte.
    const bytes = readFileSync(traces.annotate);
    for (const b of batchesOf(bytes)) {
      if (b.dataEnd === b.dataStart || timedSpec(bytes[b.dataStart]) === undefined) continue;
      const c = new ByteCursor(bytes, b.dataStart, b.dataEnd);
      while (c.pos < c.limit) {
        const type = c.byte();
        for (let i = 0; i < timedSpec(type)!.nargs; i++) c.uvarint();
        const statusAt = c.pos;
        c.uvarint();
        if (type !== EvGoStatus) continue;
        assert.ok(bytes[statusAt] < 0x80);
        const file = join(tmp, 'go-status-wide.trace');
        writeFileSync(
          file,
          Buffer.concat([
            bytes.subarray(0, b.sizeAt),
            paddedUvarint(b.dataEnd - b.dataStart + 1),
            bytes.subarray(b.dataStart, statusAt),
            Uint8Array.of(bytes[statusAt] | 0x80, 0x02),
            bytes.subarray(statusAt + 1),
          ]),
        );
        assert.equal(assertSameAsGo(file).error, undefined, 'Go reads the trace as before');
        return;
      }
    }
    assert.fail('no GoStatus event');
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
      try {
        if (assertSameAsGo(file).error) problems++;
      } catch (e) {
        if (!(e instanceof GoReaderPanic)) throw e;
        // Go gives no answer to agree with; ours must still give one.
        ours(file);
      }
    }
    assert.ok(problems >= 3, `at least some garbled copies are rejected (${problems})`);
  });
});
