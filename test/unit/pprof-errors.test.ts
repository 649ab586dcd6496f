// Files that are not usable profiles: each gets a ProfileError whose message
// names the file and the problem, from the decoder and from the CLI (which
// exits non-zero with the message on stderr). Nothing crashes or hangs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync, gzipSync, createGzip } from 'node:zlib';
import { aggregate, decodeProfile, ProfileError, type ProfileErrorCode } from '../../src/core/pprof/index';
import { ProfileBuilder } from '../fixtures/pprof-proto';
import { makeTempDir, repoRoot, runtimeProfiles } from '../fixtures/real-profiles';

const cli = join(repoRoot, 'dist', 'cli.js');
const tmp = makeTempDir('goperf-errors-');
after(() => tmp.remove());
const real = runtimeProfiles(tmp.dir);
const realGzip = readFileSync(real.cpuLabels);
const realRaw = gunzipSync(realGzip);

function save(name: string, bytes: Uint8Array): string {
  const file = join(tmp.dir, name);
  writeFileSync(file, bytes);
  return file;
}

function decodeError(bytes: Uint8Array, file: string, opts?: { maxDecompressedBytes?: number }): ProfileError {
  try {
    decodeProfile(bytes, file, opts);
  } catch (e) {
    assert.ok(e instanceof ProfileError, `expected a ProfileError, got ${(e as Error).stack}`);
    return e;
  }
  assert.fail(`${file} decoded without error`);
}

/**
 * The decoder and `goperf top` both reject the file with the same message
 * (only the CLI when the file is expensive to reject).
 */
function assertRejected(name: string, bytes: Uint8Array, code: ProfileErrorCode, message: RegExp, cliOnly = false): void {
  const file = save(name, bytes);
  const run = spawnSync(process.execPath, [cli, 'top', file], { encoding: 'utf8' });
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stdout, '');
  assert.ok(run.stderr.startsWith(`goperf: ${file}: `), `message names the file: ${run.stderr}`);
  assert.match(run.stderr, message);
  if (cliOnly) return;
  const err = decodeError(bytes, file);
  assert.equal(err.code, code, err.message);
  assert.equal(run.stderr, `goperf: ${err.message}\n`);
}

/** A deterministic stream of bytes with no structure (xorshift). */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** protobuf varint */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

describe('unusable files', () => {
  test('an empty file', () => assertRejected('empty.pb.gz', new Uint8Array(0), 'empty', /the file is empty/));

  test('random bytes', () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      assertRejected(`random-${seed}.bin`, noise(4096, seed), 'not-a-profile', /not a pprof profile/);
    }
  });

  test('a text file', () =>
    assertRejected('notes.txt', new TextEncoder().encode('heap profile: 1: 2 [3: 4] @ heap/1048576\n'), 'not-a-profile', /this is text \("heap profile: 1: 2/));

  test('a Go execution trace opened as a profile', () =>
    assertRejected('trace.out', readFileSync(real.trace), 'not-a-profile', /Go execution trace \(go 1\.\d+ format\), not a pprof profile/));

  test('truncated gzip', () =>
    assertRejected('cut.pb.gz', realGzip.subarray(0, realGzip.length >> 1), 'truncated', /gzip data ends early/));

  test('corrupt gzip', () => {
    const bytes = Uint8Array.from(realGzip);
    for (let i = 20; i < 60; i++) bytes[i] ^= 0x5a;
    assertRejected('corrupt.pb.gz', bytes, 'corrupt', /gzip data is corrupt/);
  });

  test('truncated protobuf', () =>
    assertRejected('cut.pb', realRaw.subarray(0, Math.floor(realRaw.length * 0.6)), 'truncated', /profile data ends early/));

  test('truncated protobuf inside gzip', () =>
    assertRejected('cut-inside.pb.gz', gzipSync(realRaw.subarray(0, Math.floor(realRaw.length * 0.6))), 'truncated', /ends early/));

  test('a field that declares 2^50 bytes', () => {
    // A real profile followed by a string-table entry claiming to be a petabyte long.
    const bytes = Uint8Array.from([...realRaw, 0x32, ...varint(2 ** 50), 0x41]);
    assertRejected('huge-field.pb', bytes, 'truncated', /declares 1125899906842624 bytes but only 1 remain/);
  });

  test('a sample whose location list declares 2^40 bytes', () => {
    const b = new ProfileBuilder().sampleType('samples', 'count');
    b.sample([b.loc(['main.main'])], [1]);
    const good = b.encode();
    // Sample (field 2) holding: location_id packed (field 1) with an absurd length.
    const inner = [0x0a, ...varint(2 ** 40), 1, 2, 3];
    const bytes = Uint8Array.from([...good, 0x12, ...varint(inner.length), ...inner]);
    assertRejected('huge-sample.pb', bytes, 'corrupt', /declares 1099511627776 bytes but only 3 remain/);
  });

  test('a string index past the end of the string table', () => {
    const b = new ProfileBuilder().sampleType('samples', 'count');
    b.sample([b.loc(['main.main'])], [1]);
    b.spec.function![0].name = 99999;
    assertRejected('bad-string.pb', b.encode(), 'corrupt', /a function name refers to string 99999, but the string table has \d+ entries/);
  });

  test('a sample naming a location that does not exist', () => {
    const b = new ProfileBuilder().sampleType('samples', 'count');
    b.sample([b.loc(['main.main']), 777], [1]);
    assertRejected('bad-location.pb', b.encode(), 'corrupt', /refers to location 777, which the profile does not define/);
  });

  test('a sample with fewer values than sample types', () => {
    const b = new ProfileBuilder().sampleType('samples', 'count').sampleType('cpu', 'nanoseconds');
    b.sample([b.loc(['main.main'])], [1]);
    assertRejected('short-sample.pb', b.encode(), 'corrupt', /sample 0 has 1 values but the profile declares 2 sample types/);
  });

  test('two locations with the same id', () => {
    const b = new ProfileBuilder().sampleType('samples', 'count');
    b.sample([b.loc(['main.a'], { id: 5 }), b.loc(['main.b'], { id: 5 })], [1]);
    assertRejected('dup-id.pb', b.encode(), 'corrupt', /two locations have id 5/);
  });
});

describe('a profile without samples', () => {
  test('decodes and aggregates to nothing; the CLI says there are no samples', () => {
    const file = real.blockEmpty;
    const profile = decodeProfile(readFileSync(file), file);
    assert.equal(profile.sampleCount, 0);
    assert.deepEqual(profile.sampleTypes.map((t) => t.type), ['contentions', 'delay']);
    assert.equal(aggregate(profile).total, 0);
    for (const args of [['top', file], ['top', file, '--json'], ['flame', file, '-o', join(tmp.dir, 'empty.html')]]) {
      const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
      assert.equal(run.status, 1);
      assert.equal(run.stderr, `goperf: ${file}: the profile has no samples (nothing was recorded)\n`);
    }
  });
});

describe('decompression bombs', () => {
  test('600 MB of zeros in a gzip file is refused once 512 MiB are inflated', async () => {
    // 60 gzip members of 10 MB each (zlib streaming): a valid gzip file that
    // inflates to 600 MB, made in milliseconds; no trailer tells its full size.
    const gz = createGzip({ level: 1 });
    const parts: Buffer[] = [];
    gz.on('data', (d: Buffer) => parts.push(d));
    const done = new Promise((resolve) => gz.on('end', resolve));
    for (let i = 0; i < 10; i++) gz.write(new Uint8Array(1 << 20));
    gz.end();
    await done;
    const member = Buffer.concat(parts);
    const bomb = Buffer.concat(Array.from({ length: 60 }, () => member));
    assert.equal(gunzipSync(member).length, 10 << 20);
    assertRejected('bomb.pb.gz', bomb, 'too-large', /inflates to more than 512 MiB; refusing to read it/, true);
  });

  test('a trailer claiming more than the limit is refused without keeping the data', () => {
    const bomb = Uint8Array.from(gzipSync(new Uint8Array(64 << 20), { level: 1 }));
    const err = decodeError(bomb, 'claims.pb.gz', { maxDecompressedBytes: 8 << 20 });
    assert.equal(err.code, 'too-large');
    assert.equal(err.message, 'claims.pb.gz: the gzip data inflates to more than 8 MiB; refusing to read it (possible decompression bomb)');
  });

  test('a gzip trailer that lies about the size is caught while inflating', () => {
    const bomb = Uint8Array.from(gzipSync(new Uint8Array(64 << 20), { level: 1 }));
    bomb.set([100, 0, 0, 0], bomb.length - 4); // ISIZE: "100 bytes"
    const err = decodeError(bomb, 'liar.pb.gz', { maxDecompressedBytes: 8 << 20 });
    assert.equal(err.code, 'too-large');
    assert.equal(err.message, 'liar.pb.gz: the gzip data inflates to more than 8 MiB; refusing to read it (possible decompression bomb)');
  });
});
