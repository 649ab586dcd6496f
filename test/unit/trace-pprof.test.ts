// `goperf trace pprof --type net|sync|syscall|sched` against `go tool trace
// -pprof=TYPE` on the same real traces: the same stacks (by program counter)
// with the same contention counts and delays, and files that `go tool pprof`
// reads to the same -top table.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runTraceCommand } from '../../src/cli/trace';
import { decodeProfile, locationAddress, type Profile } from '../../src/core/pprof/index';
import { BLOCKING_KINDS } from '../../src/core/trace/blockingProfile';
import { env, makeTraces, type Traces } from '../fixtures/trace/traces';

const tmp = mkdtempSync(join(tmpdir(), 'goperf-trace-pprof-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let traces: Traces;
before(() => {
  traces = makeTraces(tmp);
});

async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runTraceCommand(args, {
    stdout: { write: () => undefined },
    stderr: { write: (t) => void (stderr += t) },
  });
  return { code, stderr };
}

function goToolTrace(kind: string, trace: string): string {
  const file = join(tmp, `go-${kind}-${trace.split('/').pop()}.pb.gz`);
  writeFileSync(file, execFileSync('go', ['tool', 'trace', `-pprof=${kind}`, trace], { env, maxBuffer: 256 << 20 }));
  return file;
}

/** "pc,pc,…" of every sample → [contentions, delay], stacks as the PCs of their locations. */
function samplesByStack(profile: Profile): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const { samples } = profile;
  const types = profile.sampleTypes.length;
  for (let s = 0; s < samples.count; s++) {
    const pcs: string[] = [];
    for (let i = samples.stackStart[s]; i < samples.stackEnd[s]; i++) {
      pcs.push(locationAddress(profile, samples.stack[i]).toString(16));
    }
    const key = pcs.join(',');
    const sum = out.get(key) ?? new Array(types).fill(0);
    for (let t = 0; t < types; t++) sum[t] += samples.values[s * types + t];
    out.set(key, sum);
  }
  return out;
}

function pprofTopRows(file: string, sampleIndex: string): string {
  const text = execFileSync('go', ['tool', 'pprof', '-top', '-nodefraction=0', `-sample_index=${sampleIndex}`, file], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // Rows and the totals line; the header names the file.
  return text.slice(text.indexOf('Showing nodes'));
}

describe('blocking profiles equal go tool trace -pprof', () => {
  for (const name of ['benchmarks', 'netload', 'annotate'] as const) {
    for (const kind of BLOCKING_KINDS) {
      test(`${kind} profile of the ${name} trace`, async () => {
        const trace = traces[name];
        const ours = join(tmp, `ours-${kind}-${name}.pb.gz`);
        const run = await cli('pprof', '--type', kind, trace, '-o', ours);
        assert.equal(run.code, 0, run.stderr);
        const theirs = goToolTrace(kind, trace);
        const got = decodeProfile(readFileSync(ours), ours);
        const want = decodeProfile(readFileSync(theirs), theirs);
        assert.deepEqual(got.sampleTypes, want.sampleTypes);
        assert.deepEqual(samplesByStack(got), samplesByStack(want));
        if (want.sampleCount > 0) {
          assert.equal(pprofTopRows(ours, 'delay'), pprofTopRows(theirs, 'delay'));
          assert.equal(pprofTopRows(ours, 'contentions'), pprofTopRows(theirs, 'contentions'));
        }
      });
    }
  }

  test('the network-heavy trace has network waits and every trace has scheduler latency', async () => {
    for (const [kind, trace] of [
      ['net', traces.netload],
      ['sched', traces.benchmarks],
      ['sync', traces.netload],
    ] as const) {
      const file = join(tmp, `nonempty-${kind}.pb.gz`);
      assert.equal((await cli('pprof', '--type', kind, trace, '-o', file)).code, 0);
      const p = decodeProfile(readFileSync(file), file);
      assert.ok(p.sampleCount > 0, `${kind} profile of ${trace} has samples`);
    }
  });
});

describe('goperf trace pprof on bad input', () => {
  test('an unknown type or a missing -o is a usage error', async () => {
    const bad = await cli('pprof', '--type', 'disk', traces.annotate, '-o', join(tmp, 'x.pb.gz'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--type must be one of net, sync, syscall, sched/);
    const noOutput = await cli('pprof', '--type', 'net', traces.annotate);
    assert.equal(noOutput.code, 2);
    assert.match(noOutput.stderr, /-o FILE is required/);
  });

  test('a file that is not a trace names itself, and nothing is written', async () => {
    const notTrace = join(tmp, 'not-a-trace.out');
    writeFileSync(notTrace, 'hello, world, this is not a trace at all');
    const out = join(tmp, 'never.pb.gz');
    const run = await cli('pprof', '--type', 'sync', notTrace, '-o', out);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not-a-trace\.out: bad file format/);
    assert.throws(() => readFileSync(out), /ENOENT/);
  });

  test('a cut trace gives the profile of what was read, with a warning naming where', async () => {
    const whole = readFileSync(traces.netload);
    const cut = join(tmp, 'cut.trace');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const out = join(tmp, 'cut.pb.gz');
    const run = await cli('pprof', '--type', 'sched', cut, '-o', out);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: the trace is cut short.*cut\.trace/);
    decodeProfile(readFileSync(out), out);
  });
});
