// `goperf trace stats` on real traces (compared with golang.org/x/exp/trace
// through the oracle program) and on bad input: not a trace, unsupported
// versions, cut files. Plus the varint edge cases the format relies on.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runTraceCommand } from '../../src/cli/trace';
import { readTrace, TraceError } from '../../src/core/trace/index';
import { ByteCursor } from '../../src/core/trace/varint';
import { env, fixtureBinary, oracle } from '../fixtures/trace/traces';

const tmp = mkdtempSync(join(tmpdir(), 'goperf-trace-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const annotate = join(tmp, 'annotate.trace');
const gcheavy = join(tmp, 'gcheavy.trace');
before(() => {
  execFileSync(fixtureBinary('annotate'), [annotate], { env, stdio: 'ignore' });
  // Long enough for several generations (about a second each), so a cut near the end leaves complete ones.
  execFileSync(fixtureBinary('gcheavy'), ['-min-duration', '2.5s', gcheavy], { env, stdio: 'ignore' });
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runTraceCommand(args, {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
  });
  return { code, stdout, stderr };
}

function header(text: string): Uint8Array {
  const b = new Uint8Array(16);
  b.set(new TextEncoder().encode(text));
  return b;
}

describe('goperf trace stats', { timeout: 60_000 }, () => {
  test('--json agrees with Go on a trace with tasks, regions and logs', async () => {
    const { code, stdout, stderr } = await cli('stats', annotate, '--json');
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    const got = JSON.parse(stdout);
    const want = oracle(annotate);
    const goMinor = execFileSync('go', ['env', 'GOVERSION'], { env, encoding: 'utf8' }).trim().match(/^go1\.(\d+)/)![1];
    assert.equal(got.version, `go1.${goMinor}`);
    assert.deepEqual(got.eventsByKind, want.eventsByKind);
    assert.equal(got.goroutines, Object.keys(want.goroutines).length);
    assert.equal(got.procs, want.procs);
    assert.equal(got.durationNs, want.durationNs);
  });

  test('text output lists kinds and start functions', async () => {
    const { code, stdout } = await cli('stats', annotate);
    assert.equal(code, 0);
    const want = oracle(annotate);
    assert.match(stdout, new RegExp(`TaskBegin\\s+${want.eventsByKind.TaskBegin}\\n`));
    assert.match(stdout, /main\.main\.func1\n/);
  });

  test('a cut trace: the complete generations, and a warning naming where', async () => {
    const bytes = readFileSync(gcheavy);
    const cut = join(tmp, 'cut.trace');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 200));
    const want = oracle(cut);
    assert.ok(want.error, 'Go reports the cut too');
    const { code, stdout, stderr } = await cli('stats', cut, '--json');
    assert.equal(code, 0, stderr);
    assert.match(stderr, /warning: the trace is cut short; .*cut\.trace: .* \(at byte \d+, generation \d+\)/);
    const got = JSON.parse(stdout);
    assert.deepEqual(got.eventsByKind, want.eventsByKind);
    assert.match(got.warning, /at byte \d+, generation \d+/);
  });

  test('a trace cut inside its first generation: nothing to show, exit 1', async () => {
    const cut = join(tmp, 'cut-early.trace');
    writeFileSync(cut, readFileSync(annotate).subarray(0, 200));
    const { code, stderr } = await cli('stats', cut);
    assert.equal(code, 1);
    assert.match(stderr, /cut-early\.trace: .*at byte \d+, generation 1\)/);
  });

  test('not a trace, and unsupported versions, name themselves and the supported range', async () => {
    const notTrace = join(tmp, 'profile.txt');
    writeFileSync(notTrace, 'hello, this is not a trace at all\n');
    let r = await cli('stats', notTrace);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /profile\.txt: bad file format: not a Go execution trace/);

    for (const minor of [10, 99]) {
      const f = join(tmp, `v${minor}.trace`);
      writeFileSync(f, Buffer.concat([header(`go 1.${minor} trace`), Buffer.alloc(64)]));
      r = await cli('stats', f);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`v${minor}\\.trace: unsupported trace version go1\\.${minor}.*supported: go1\\.11–go1\\.26`));
    }
    r = await cli('stats', join(tmp, 'missing.trace'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing\.trace: no such file/);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await cli()).code, 2);
    assert.equal((await cli('frobnicate')).code, 2);
    assert.equal((await cli('stats')).code, 2);
    assert.equal((await cli('stats', annotate, '--bogus')).code, 2);
  });
});

describe('reader edge cases', () => {
  test('empty and header-only files', () => {
    assert.throws(() => readTrace(new Uint8Array(0), 'empty.trace', () => {}), TraceError);
    assert.throws(() => readTrace(new Uint8Array(0), 'empty.trace', () => {}), /^TraceError: empty\.trace: bad file format/);
  });

  test('garbage after a valid header ends with a problem, not a crash or a hang', () => {
    const bytes = new Uint8Array(4096);
    bytes.set(header('go 1.26 trace'));
    for (let i = 16; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    const r = readTrace(bytes, 'noise.trace', () => {});
    assert.match(r.problem!.message, /^noise\.trace: .*at byte 16, generation 0\)/);
  });

  test('ids written as 2^64-1 inside events come out as -1 (NoThread)', () => {
    // The runtime writes GoStatus's thread as the M's thread id, or int64(-1)
    // for a goroutine without one (runtime/trace.go, tracestatus.go).
    const threads = new Set<number>();
    readTrace(readFileSync(gcheavy), gcheavy, (ev) => {
      if (ev.type === 25 || ev.type === 48) threads.add(ev.a1);
    });
    assert.ok(threads.has(-1), 'goroutines without a thread');
    assert.ok(!threads.has(0), '-1 must not wrap to 0');
    for (const m of threads) assert.ok(m === -1 || (m > 0 && m < 2 ** 32), `thread id ${m}`);
  });

  test('varints: 64-bit sentinels, padding, overflow', () => {
    const max = new ByteCursor(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 0, 10);
    assert.equal(max.uvarint(), -1, '2^64-1 is Go\'s "none" id, -1 as int64');
    const padded = new ByteCursor(Uint8Array.from([0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), 0, 10);
    assert.equal(padded.uvarint(), 5);
    assert.equal(padded.pos, 10);
    const big = new ByteCursor(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), 0, 8);
    assert.equal(big.uvarint(), 2 ** 53 - 1);
    const overflow = new ByteCursor(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]), 0, 10);
    assert.throws(() => overflow.uvarint(), /overflows 64 bits/);
    const cut = new ByteCursor(Uint8Array.from([0x80, 0x80]), 0, 2);
    assert.throws(() => cut.uvarint(), /truncated/);
  });
});
