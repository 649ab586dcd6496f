// Grouping by label keys (pprof's -tagroot/-tagleaf): `goperf top --json`
// with --tagroot/--tagleaf equals `go tool pprof -top` with the same flags on
// real labelled profiles (pprof.Do labels on goroutines and CPU samples, the
// heap profile's numeric "bytes" label), alone, with two keys, with a key
// some samples lack, after a diff and before filters. Numeric labels with
// units, which the Go runtime does not write, are checked on a profile made
// with protobufjs, against pprof's -top text.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeProfile, profileLabelKeys } from '../../src/core/pprof/index';
import { encodeProfile } from '../fixtures/pprof-proto';
import { env, makeTempDir, pprof, pprofRawSamples, repoRoot, runtimeProfiles } from '../fixtures/real-profiles';
import { assertSameTop, goperfArgs, goperfTop, pprofTopWith } from './pprof-filter-fixtures';

const cli = join(repoRoot, 'dist', 'cli.js');
const tmp = makeTempDir('goperf-labelframes-');
after(() => tmp.remove());
const profiles = runtimeProfiles(tmp.dir);

type Case = [what: string, file: string, sampleIndex: string, unit: string, flags: string[], expectedFrame: string];

const cases: Case[] = [
  ['cpu with labels', profiles.cpuLabels, 'cpu', 'nanoseconds', ['-tagroot=worker'], 'parser'],
  ['cpu with labels', profiles.cpuLabels, 'samples', 'count', ['-tagleaf=worker'], 'hasher'],
  ['goroutines', profiles.goroutine, 'goroutine', 'count', ['-tagroot=role,index'], 'waiter'],
  ['goroutines', profiles.goroutine, 'goroutine', 'count', ['-tagleaf=role,index'], '2'],
  ['goroutines', profiles.goroutine, 'goroutine', 'count', ['-tagroot=index', '-tagleaf=role'], '1'],
  // A key no sample has still adds a frame, with an empty name.
  ['goroutines', profiles.goroutine, 'goroutine', 'count', ['-tagroot=index,missing'], '<unknown>'],
  ['heap', profiles.heap, 'alloc_space', 'bytes', ['-tagleaf=bytes'], '65536'],
  ['heap', profiles.heap, 'inuse_objects', 'count', ['-tagroot=bytes', '-lines'], '65536 bytes'],
  // The frames come before the filters, which then match their names and keys.
  ['cpu with labels', profiles.cpuLabels, 'cpu', 'nanoseconds', ['-tagroot=worker', '-focus=^parser$'], 'parser'],
  ['goroutines', profiles.goroutine, 'goroutine', 'count', ['-tagroot=role,index', '-hide=^index$'], 'waiter'],
  // After the diff: -diff_base labels the base's samples pprof::base=true.
  ['heap', profiles.heap, 'alloc_space', 'bytes', [`-diff_base=${profiles.allocs}`, '-tagroot=pprof::base'], 'true'],
];

describe('goperf top --tagroot/--tagleaf equals go tool pprof', () => {
  for (const [what, file, sampleIndex, unit, flags, expectedFrame] of cases) {
    test(`${what}, ${sampleIndex}: ${flags.map((f) => f.replace(tmp.dir, '…')).join(' ')}`, () => {
      const oracle = pprofTopWith(file, sampleIndex, unit, flags);
      // pprof made the pseudo-frame this case is about, so the case tests something.
      assert.ok(oracle.rows.some((r) => r.name === expectedFrame), `pprof shows a frame "${expectedFrame}"`);
      assertSameTop(goperfTop(file, sampleIndex, goperfArgs(flags)), oracle, flags.join(' '));
    });
  }

  test('the -top text equals pprof\'s, warnings included', () => {
    for (const [file, flags] of [
      [profiles.goroutine, ['-tagroot=role', '-tagleaf=index']],
      [profiles.cpuLabels, ['-tagroot=no-such-key']],
    ] as const) {
      const run = spawnSync(process.execPath, [cli, 'top', file, ...goperfArgs([...flags])], { encoding: 'utf8', env });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, pprof(['-top', '-nodefraction=0', ...flags, file]), flags.join(' '));
    }
    const missing = spawnSync(process.execPath, [cli, 'top', profiles.cpuLabels, '--tagroot', 'no-such-key'], { encoding: 'utf8', env });
    assert.match(missing.stderr, /TagRoot expression matched no samples/);
  });

  test('numeric labels with units are scaled as pprof scales them', () => {
    // Strings: 0 "", then what the profile names.
    const strings = ['', 'samples', 'count', 'main.work', 'size', 'bytes', 'wait', 'nanoseconds', 'kind', 'big', 'small', 'main.other'];
    const at = (s: string) => strings.indexOf(s);
    const bytes = encodeProfile({
      stringTable: strings,
      sampleType: [{ type: at('samples'), unit: at('count') }],
      function: [
        { id: 1, name: at('main.work') },
        { id: 2, name: at('main.other') },
      ],
      location: [
        { id: 1, line: [{ functionId: 1, line: 3 }] },
        { id: 2, line: [{ functionId: 2, line: 7 }] },
      ],
      sample: [
        { locationId: [1], value: [5], label: [{ key: at('size'), num: 1536, numUnit: at('bytes') }, { key: at('kind'), str: at('big') }] },
        { locationId: [1, 2], value: [3], label: [{ key: at('size'), num: 2097152, numUnit: at('bytes') }, { key: at('wait'), num: 1500000, numUnit: at('nanoseconds') }] },
        // One value with a unit and one without, and a string value beside numbers under one key.
        { locationId: [2], value: [2], label: [{ key: at('size'), num: 64, numUnit: at('bytes') }, { key: at('size'), num: 80 }, { key: at('kind'), str: at('small') }, { key: at('kind'), num: 7 }] },
        // pprof drops a numeric label of 0 without a unit: the sample lacks "wait".
        { locationId: [2], value: [1], label: [{ key: at('wait'), num: 0 }] },
      ],
    });
    const file = join(tmp.dir, 'units.pb');
    writeFileSync(file, bytes);
    for (const flags of [['-tagroot=size,wait'], ['-tagleaf=kind,size'], ['-tagroot=wait', '-tagleaf=kind']]) {
      const run = spawnSync(process.execPath, [cli, 'top', file, ...goperfArgs(flags)], { encoding: 'utf8', env });
      assert.equal(run.status, 0, run.stderr);
      const oracle = pprof(['-top', '-nodefraction=0', ...flags, file]);
      assert.match(oracle, /1\.50kB|2MB|1\.50ms/, 'pprof scaled a value with a unit');
      assert.equal(run.stdout, oracle, flags.join(' '));
    }
  });

  test('goperf flame embeds the grouped profile: pprof reads it back as -tagroot shows the source', () => {
    const out = join(tmp.dir, 'grouped.html');
    const run = spawnSync(process.execPath, [cli, 'flame', profiles.goroutine, '--tagroot', 'role,index', '-o', out], { encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stderr);
    const embedded = /window\.__GOPERF_PROFILE__ = (.*);<\/script>/.exec(readFileSync(out, 'utf8'));
    assert.ok(embedded);
    const page = join(tmp.dir, 'grouped.pb');
    writeFileSync(page, Buffer.from(JSON.parse(embedded[1]).base64, 'base64'));
    assertSameTop(pprofTopWith(page, 'goroutine', 'count', []), pprofTopWith(profiles.goroutine, 'goroutine', 'count', ['-tagroot=role,index']), 'page');
  });
});

describe('label keys offered for grouping', () => {
  test('are the keys pprof -raw shows on the samples', () => {
    for (const file of [profiles.goroutine, profiles.cpuLabels, profiles.heap, profiles.mutex]) {
      const keys = new Set(pprofRawSamples(file).flatMap((s) => s.labels.map((l) => l.slice(0, l.indexOf(':[')))));
      assert.deepEqual(profileLabelKeys(decodeProfile(readFileSync(file), file)), [...keys].sort(), file);
    }
  });
});
