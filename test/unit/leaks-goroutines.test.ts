// Goroutine leak hunting against a real Go server that leaks: snapshots
// downloaded from its net/http/pprof, as protobuf profiles and as
// goroutine?debug=2 text dumps, read by goperf and compared.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProfile } from '../../src/core/pprof/decode';
import { parseGoroutineDump, GoroutineDumpError } from '../../src/core/pprof/goroutineText';
import {
  compareGoroutineSnapshots,
  leakReportMarkdown,
  snapshotFromDump,
  snapshotFromProfile,
  type GoroutineSnapshot,
} from '../../src/core/pprof/leaks';
import { fetchCapture } from '../../src/extension/captureFetch';
import { startLeakyServer, type LeakyServer } from '../fixtures/leakyServer';

const fetchOptions = { timeoutMs: 10_000, maxBytes: 64 << 20 };

async function profileSnapshot(server: LeakyServer, label: string): Promise<GoroutineSnapshot> {
  const bytes = await fetchCapture(new URL('/debug/pprof/goroutine', server.url), 'profile', fetchOptions);
  return snapshotFromProfile(decodeProfile(bytes, label), label);
}

async function dumpSnapshot(server: LeakyServer, label: string): Promise<GoroutineSnapshot> {
  const bytes = await fetchCapture(new URL('/debug/pprof/goroutine?debug=2', server.url), 'goroutine-text', fetchOptions);
  return snapshotFromDump(parseGoroutineDump(new TextDecoder().decode(bytes), label), label);
}

function mainStacks(snapshot: GoroutineSnapshot): Map<string, number> {
  return new Map([...snapshot.stacks].filter(([key]) => key.startsWith('main.')).map(([key, s]) => [key, s.count]));
}

describe('a server that leaks a goroutine every 50 ms', () => {
  let server: LeakyServer;
  before(async () => (server = await startLeakyServer('50ms')));
  after(() => server?.stop());

  for (const [format, take] of [
    ['protobuf goroutine profiles', profileSnapshot],
    ['goroutine?debug=2 dumps', dumpSnapshot],
  ] as const) {
    test(`three ${format} 400 ms apart flag the leaking stack as a steady climber`, async () => {
      const snapshots: GoroutineSnapshot[] = [];
      for (let i = 0; i < 3; i++) {
        if (i > 0) await sleep(400);
        snapshots.push(await take(server, `snapshot ${i + 1}`));
      }
      const report = compareGoroutineSnapshots(snapshots);
      const first = report.grown[0];
      assert.ok(first, 'some stack grew');
      assert.equal(first.frames[0].function, 'main.waitForReply');
      assert.ok(first.steady, `counts ${first.counts.join(' → ')}`);
      assert.ok(first.growth >= 8, `grew by ${first.growth}`);
      assert.ok(
        report.grown.every((row) => !row.frames.some((f) => f.function === 'main.idleWorker')),
        'the idle pool does not grow',
      );
      if (format === 'goroutine?debug=2 dumps') assert.equal(first.states?.get('chan receive'), first.counts[2]);
      const markdown = leakReportMarkdown(report, server.url);
      assert.match(markdown, /\*\*steady climber\*\* \+\d+: `main\.waitForReply`/);
    });
  }

  test('a heap profile is refused by name', async () => {
    const bytes = await fetchCapture(new URL('/debug/pprof/heap', server.url), 'profile', fetchOptions);
    const heap = decodeProfile(bytes, 'heap.pb.gz');
    assert.throws(() => snapshotFromProfile(heap, 'x'), /heap\.pb\.gz is not a goroutine profile \(its sample types are alloc_objects, alloc_space, inuse_objects, inuse_space\)/);
  });

  test('two snapshots show growth but no steady climber', async () => {
    const a = await profileSnapshot(server, 'a');
    await sleep(300);
    const b = await profileSnapshot(server, 'b');
    const report = compareGoroutineSnapshots([a, b]);
    assert.equal(report.grown[0].frames[0].function, 'main.waitForReply');
    assert.ok(report.grown.every((row) => !row.steady));
  });
});

describe('a server that does not leak', () => {
  let server: LeakyServer;
  before(async () => (server = await startLeakyServer('1000h')));
  after(() => server?.stop());

  test("a dump and a profile of the same goroutines count the program's stacks alike", async () => {
    await sleep(200); // the one leak happens at start
    const dump = await dumpSnapshot(server, 'dump');
    const profile = await profileSnapshot(server, 'profile');
    const fromDump = mainStacks(dump);
    assert.deepEqual(fromDump, mainStacks(profile));
    assert.deepEqual([...fromDump.values()].sort((x, y) => x - y), [1, 8]);
  });

  test('nothing grows', async () => {
    const a = await dumpSnapshot(server, 'a');
    const b = await dumpSnapshot(server, 'b');
    const c = await dumpSnapshot(server, 'c');
    const report = compareGoroutineSnapshots([a, b, c]);
    assert.ok(report.grown.every((row) => !row.frames.some((f) => f.function.startsWith('main.'))));
    assert.match(leakReportMarkdown(compareGoroutineSnapshots([a, a]), 'x'), /No stack has more goroutines/);
  });
});

describe('bad input', () => {
  test('text that is not a dump names the file and line', () => {
    assert.throws(() => parseGoroutineDump('<html>oops</html>\n', 'page.txt'), (error: Error) => {
      assert.ok(error instanceof GoroutineDumpError);
      assert.match(error.message, /^page\.txt:1: expected "goroutine N \[state\]:"/);
      return true;
    });
    assert.throws(() => parseGoroutineDump('\n\n', 'empty.txt'), /empty\.txt: no goroutines found/);
  });

  test('fewer than two snapshots are refused', () => {
    assert.throws(() => compareGoroutineSnapshots([]), /at least two snapshots/);
  });
});
