// Traces in the pre-1.22 format (headers go 1.11, go 1.19, go 1.21), read by
// goperf and by golang.org/x/exp/trace, which converts them to the current
// event model: Go's own old-format test traces from GOROOT, a trace written by
// go1.21.13 (through the module proxy) and one by Debian's Go 1.19. Cut copies
// are refused by Go altogether; goperf gives what it could read and says where
// the file stops.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runTraceCommand } from '../../src/cli/trace';
import { readTrace } from '../../src/core/trace/index';
import { seededRandom } from '../fixtures/random';
import { assertSameAsGo, env, oldGoTrace, oracle, ours, type OracleResult } from '../fixtures/trace/traces';

const tmp = mkdtempSync(join(tmpdir(), 'goperf-trace-v1-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const goroot = execFileSync('go', ['env', 'GOROOT'], { env, encoding: 'utf8' }).trim();
const goTestdata = join(goroot, 'src', 'internal', 'trace', 'internal', 'tracev1', 'testdata');
const debianGo119 = '/usr/lib/go-1.19/bin/go';

// Go's v1 parser merges the per-P batches in map iteration order, so events
// with equal timestamps come out in a different order from run to run and
// Go's own running times move by a few ns (the test below shows it); the
// counts, procs, duration and start functions do not move.
const TIE_TOLERANCE_NS = 10;

function header(file: string): string {
  return readFileSync(file).subarray(0, 16).toString('latin1').replace(/\0+$/, '');
}

function total(r: OracleResult): number {
  return Object.values(r.eventsByKind).reduce((a, b) => a + b, 0);
}

describe("Go's old-format test traces (GOROOT tracev1/testdata) agree with golang.org/x/exp/trace", () => {
  const files = readdirSync(goTestdata).filter((f) => f.endsWith('_good'));
  test('the test data covers every old header', () => {
    assert.ok(files.length >= 12, files.join(' '));
    assert.deepEqual(new Set(files.map((f) => header(join(goTestdata, f)))), new Set(['go 1.11 trace', 'go 1.19 trace', 'go 1.21 trace']));
  });
  for (const f of files) {
    test(f, () => {
      const want = assertSameAsGo(join(goTestdata, f), { runningToleranceNs: TIE_TOLERANCE_NS });
      assert.equal(want.eventsByKind.Sync, 2, 'one generation between two syncs');
      assert.ok(want.eventsByKind.StateTransition > 10);
    });
  }

  test("Go's own running times vary with the order of simultaneous events, within the tolerance", () => {
    const file = join(goTestdata, 'stress_1_21_good');
    // About half of Go's runs give the most common answer: a dozen identical runs would mean Go changed.
    const runs = [oracle(file)];
    while (runs.length < 12 && JSON.stringify(runs[runs.length - 1].goroutines) === JSON.stringify(runs[0].goroutines)) {
      runs.push(oracle(file));
    }
    const differs = runs.some((r) => JSON.stringify(r.goroutines) !== JSON.stringify(runs[0].goroutines));
    assert.ok(differs, 'if Go became deterministic here, TIE_TOLERANCE_NS can go');
    for (const r of runs.slice(1)) {
      assert.deepEqual(r.eventsByKind, runs[0].eventsByKind);
      for (const [id, g] of Object.entries(r.goroutines)) {
        assert.ok(Math.abs(g.runningNs - runs[0].goroutines[id].runningNs) <= TIE_TOLERANCE_NS, `goroutine ${id}`);
      }
    }
  });
});

function checkRichTrace(file: string, wantHeader: string): void {
  assert.equal(header(file), wantHeader);
  const want = assertSameAsGo(file, { runningToleranceNs: TIE_TOLERANCE_NS });
  const k = want.eventsByKind;
  assert.equal(k.TaskBegin, 1);
  assert.equal(k.RegionBegin, 3);
  assert.equal(k.Log, 1);
  assert.ok(k.StackSample > 0, 'CPU samples');
  assert.ok(k.RangeBegin > 5, 'GC, STW, sweep and mark assist ranges');
  assert.ok(k.Metric > 10, 'heap metrics');
  const starts = new Set(Object.values(want.goroutines).map((g) => g.startFunction));
  assert.ok(starts.has('main.serveAndFetch.func2'), [...starts].join(' '));
  assert.ok(starts.has('net/http.(*conn).serve'), 'server goroutines');
}

function checkCuts(file: string): void {
  const bytes = readFileSync(file);
  const whole = ours(file);
  assert.equal(whole.problem, undefined);
  let previous = 0;
  for (const fraction of [0.05, 0.3, 0.6, 0.95, 0.999]) {
    const cut = join(tmp, `cut-${fraction}-${file.split('/').pop()}`);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * fraction)));
    let go: OracleResult | undefined;
    try {
      go = oracle(cut);
    } catch {
      // Go's reader can accept a cut trace whose stack table is gone, and the oracle then fails on a stack.
    }
    const got = ours(cut);
    const name = `cut at ${fraction}`;
    if (go !== undefined && go.error === undefined) {
      assert.equal(got.problem, undefined, name);
      continue;
    }
    assert.ok(got.problem, name);
    assert.match(got.problem!, new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*at byte \\d+.*the trace is cut short`), name);
    const n = total(got);
    assert.ok(n > 2 && n >= previous, `${name}: more of the file gives no fewer events (${n} after ${previous})`);
    previous = n;
    for (const [kind, count] of Object.entries(got.eventsByKind)) {
      assert.ok(count <= whole.eventsByKind[kind] || kind === 'Sync', `${name}: ${kind} ${count} ≤ ${whole.eventsByKind[kind]}`);
    }
  }
}

describe('a trace written by go1.21.13 (module proxy)', { timeout: 300_000 }, () => {
  test('agrees with golang.org/x/exp/trace', () => {
    checkRichTrace(oldGoTrace({ program: 'oldgo', goDirective: '1.19', toolchain: 'go1.21.13' }), 'go 1.21 trace');
  });

  test('cut copies give what was read and where the file stops', () => {
    checkCuts(oldGoTrace({ program: 'oldgo', goDirective: '1.19', toolchain: 'go1.21.13' }));
  });

  test('goperf trace stats reads it', async () => {
    const file = oldGoTrace({ program: 'oldgo', goDirective: '1.19', toolchain: 'go1.21.13' });
    let stdout = '';
    const code = await runTraceCommand(['stats', file, '--json'], {
      stdout: { write: (t) => void (stdout += t) },
      stderr: { write: () => undefined },
    });
    assert.equal(code, 0);
    const stats = JSON.parse(stdout) as { version: string; eventsByKind: Record<string, number>; procs: number; durationNs: number };
    const want = oracle(file);
    assert.equal(stats.version, 'go1.21');
    assert.deepEqual(stats.eventsByKind, want.eventsByKind);
    assert.equal(stats.procs, want.procs);
    assert.equal(stats.durationNs, want.durationNs);
  });
});

describe("a trace written by Debian's Go 1.19", { timeout: 300_000, skip: !existsSync(debianGo119) && `${debianGo119} is not installed (apt-get install golang-1.19-go)` }, () => {
  test('agrees with golang.org/x/exp/trace, and cut copies read up to the cut', () => {
    const file = oldGoTrace({ program: 'oldgo', goDirective: '1.19', goCommand: debianGo119 });
    checkRichTrace(file, 'go 1.19 trace');
    checkCuts(file);
  });
});

/**
 * `bytes` (a pre-1.22 trace) with every absolute clock reading moved `shift`
 * ticks later: batch start times, CPU samples' and syscall exits' real times.
 * A machine up for months has rdtsc readings past 2^53, where a double
 * stops counting single ticks.
 */
function shiftClock(bytes: Uint8Array, shift: bigint): Uint8Array {
  const out: number[] = Array.from(bytes.subarray(0, 16));
  let pos = 16;
  const uvarint = (): bigint => {
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw new Error(`varint past the end at ${pos}`);
      const b = bytes[pos++];
      v |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return v;
    }
    throw new Error(`bad varint before ${pos}`);
  };
  const put = (to: number[], v: bigint): void => {
    while (v >= 0x80n) {
      to.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    to.push(Number(v));
  };
  const copy = (n: number): void => {
    out.push(...bytes.subarray(pos, pos + n));
    pos += n;
  };
  const EvBatch = 1, EvGoSysExit = 29, EvString = 37, EvUserLog = 48, EvCPUSample = 49;
  while (pos < bytes.length) {
    const head = bytes[pos++];
    out.push(head);
    const type = head & 0x3f;
    const narg = (head >> 6) + 1;
    if (type === EvString) {
      put(out, uvarint());
      const n = uvarint();
      put(out, n);
      copy(Number(n));
    } else if (type === EvBatch) {
      put(out, uvarint());
      put(out, uvarint() + shift);
    } else if (narg <= 3) {
      for (let i = 0; i < narg; i++) put(out, uvarint());
    } else {
      const length = Number(uvarint());
      const end = pos + length;
      const args: number[] = [];
      for (let i = 0; pos < end; i++) {
        const v = uvarint();
        const absolute = (type === EvCPUSample && i === 1) || (type === EvGoSysExit && i === 3 && v !== 0n);
        put(args, absolute ? v + shift : v);
      }
      put(out, BigInt(args.length));
      out.push(...args);
      if (type === EvUserLog) {
        const n = uvarint();
        put(out, n);
        copy(Number(n));
      }
    }
  }
  return Uint8Array.from(out);
}

describe('clock readings past 2^53', { timeout: 300_000 }, () => {
  test('are read exactly, like Go reads them', () => {
    for (const source of [join(goTestdata, 'http_1_19_good'), oldGoTrace({ program: 'oldgo', goDirective: '1.19', toolchain: 'go1.21.13' })]) {
      const file = join(tmp, `late-clock-${source.split('/').pop()}`);
      writeFileSync(file, shiftClock(readFileSync(source), 2n ** 60n));
      assert.notDeepEqual(readFileSync(file), readFileSync(source));
      const want = assertSameAsGo(file, { runningToleranceNs: TIE_TOLERANCE_NS });
      const before = oracle(source);
      assert.deepEqual(want.eventsByKind, before.eventsByKind, 'the same trace for Go');
      assert.equal(want.durationNs, before.durationNs);
    }
  });
});

describe('old-format bad input', () => {
  test('a cut before the clock frequency keeps the events, in ticks, and says so', () => {
    const bytes = readFileSync(join(goTestdata, 'stress_1_11_good'));
    const cut = join(tmp, 'stress-half.trace');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    let events = 0;
    const r = readTrace(readFileSync(cut), cut, () => void events++);
    assert.equal(r.version, 11);
    assert.ok(events > 1000, `${events} events`);
    assert.equal(r.events, events);
    assert.ok(r.problem?.truncated);
    assert.match(r.problem!.message, /stress-half\.trace: .*the trace is cut short: \d+ events up to the cut were read; .*clock ticks, not nanoseconds/);
  });

  test('garbled copies: a problem exactly when Go reports one, the same events when Go accepts', () => {
    const bytes = readFileSync(join(goTestdata, 'http_1_21_good'));
    const next = seededRandom(4242);
    const random = (n: number) => Math.floor(next() * n);
    let rejected = 0;
    for (let round = 0; round < 10; round++) {
      const copy = Uint8Array.from(bytes);
      for (let i = 0; i < 2; i++) copy[16 + random(copy.length - 16)] = random(256);
      const file = join(tmp, `garbled-${round}.trace`);
      writeFileSync(file, copy);
      let go: OracleResult;
      try {
        go = oracle(file);
      } catch {
        continue;
      }
      const got = ours(file);
      if (go.error === undefined) {
        assertSameAsGo(file, { runningToleranceNs: TIE_TOLERANCE_NS });
      } else {
        rejected++;
        assert.ok(got.problem, `round ${round}: Go says ${go.error}`);
      }
    }
    assert.ok(rejected >= 3, `some garbled copies are rejected (${rejected})`);
  });

  test('headers before go 1.11 name the supported range', () => {
    const file = join(tmp, 'v10.trace');
    writeFileSync(file, Buffer.concat([Buffer.from('go 1.10 trace\0\0\0', 'latin1'), Buffer.alloc(32)]));
    assert.throws(() => readTrace(readFileSync(file), file, () => undefined), /v10\.trace: unsupported trace version go1\.10; supported: go1\.11–go1\.26/);
  });
});
