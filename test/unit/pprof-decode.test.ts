// Profiles with exact, hand-chosen contents, encoded by protobufjs from
// test/fixtures/profile.proto (an encoder that shares nothing with
// goperf's decoder). Expected values are worked out by hand and, wherever
// `go tool pprof` accepts the file, checked against pprof too.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  aggregate,
  decodeProfile,
  formatTop,
  locationAddress,
  sampleIndexByName,
  sampleLabels,
  simplifyFunctionName,
  type Aggregate,
  type Profile,
} from '../../src/core/pprof/index';
import { ProfileBuilder } from '../fixtures/pprof-proto';
import { ourRawSamples, ourTraces } from '../fixtures/pprof-render';
import { makeTempDir, pprof, pprofRawSamples, pprofTop, pprofTraces } from '../fixtures/real-profiles';

process.env.TZ = 'UTC';
const tmp = makeTempDir('goperf-decode-');
after(() => tmp.remove());

let fileCount = 0;
function writeProfile(bytes: Uint8Array, name: string): string {
  const file = join(tmp.dir, `${++fileCount}-${name}.pb`);
  writeFileSync(file, bytes);
  return file;
}

/** Flat and cum by function name. */
function byName(agg: Aggregate): Record<string, { flat: number; cum: number }> {
  return Object.fromEntries(agg.rows.map((r) => [agg.functions[r.func].name, { flat: r.flat, cum: r.cum }]));
}

/** Root-to-node paths of the call tree with their totals, e.g. "main;f;g" → 7. */
function treePaths(agg: Aggregate): Record<string, { total: number; self: number; inlined: number; line: number }> {
  const t = agg.tree;
  const out: Record<string, { total: number; self: number; inlined: number; line: number }> = {};
  const path = (k: number): string =>
    t.parent[k] <= 0 ? agg.functions[t.func[k]].name : `${path(t.parent[k])};${agg.functions[t.func[k]].name}`;
  for (let k = 1; k < t.nodeCount; k++) {
    out[path(k)] = { total: t.total[k], self: t.self[k], inlined: t.inlined[k], line: t.line[k] };
  }
  return out;
}

/** Everything goperf computes for every sample type equals what pprof prints for the same file. */
function assertMatchesPprof(profile: Profile, file: string): void {
  profile.sampleTypes.forEach((st, i) => {
    const agg = aggregate(profile, i);
    const oracle = pprofTop(file, i, st.unit);
    assert.equal(agg.total, oracle.total, `total of ${st.type}`);
    assert.deepEqual(
      agg.rows.map((r) => ({ name: agg.functions[r.func].name, flat: r.flat, cum: r.cum })),
      oracle.rows,
    );
    assert.equal(formatTop(profile, agg), pprof(['-top', '-nodefraction=0', `-sample_index=${i}`, file]));
    assert.deepEqual(
      ourTraces(profile, i),
      pprofTraces(file, i, st.unit).map((t) => `${t.value}|${t.frames.join(';')}`).sort(),
    );
  });
  assert.deepEqual(
    ourRawSamples(profile),
    pprofRawSamples(file).map((s) => `${s.values.join(' ')}|${s.labels.join(' ')}`).sort(),
  );
}

function build(b: ProfileBuilder, name: string, opts: { packed?: boolean } = {}): { profile: Profile; file: string } {
  const bytes = b.encode(opts);
  const file = writeProfile(bytes, name);
  return { profile: decodeProfile(bytes, file), file };
}

describe('inlined frames', () => {
  const b = new ProfileBuilder().sampleType('samples', 'count').sampleType('cpu', 'nanoseconds');
  const main = b.loc([['main.main', 5]]);
  // leaf was inlined into helper, which was inlined into outer.
  const inlined = b.loc([['main.leaf', 30], ['main.helper', 20], ['main.outer', 10]]);
  const helperCalled = b.loc([['main.helper', 21]]);
  const outerCalls = b.loc([['main.outer', 11]]);
  b.sample([inlined, main], [3, 300]);
  b.sample([helperCalled, outerCalls, main], [1, 100]);
  const { profile, file } = build(b, 'inlined');

  test('a location expands to its lines, innermost first', () => {
    const l = profile.locations;
    const loc = 1; // the second location defined
    const names = [];
    for (let j = l.lineStart[loc]; j < l.lineEnd[loc]; j++) names.push(profile.strings[profile.functions.name[l.lineFunction[j]]]);
    assert.deepEqual(names, ['main.leaf', 'main.helper', 'main.outer']);
  });

  test('flat goes to the innermost inlined frame, cum to every frame', () => {
    assert.deepEqual(byName(aggregate(profile, 1)), {
      'main.leaf': { flat: 300, cum: 300 },
      'main.helper': { flat: 100, cum: 400 },
      'main.main': { flat: 0, cum: 400 },
      'main.outer': { flat: 0, cum: 400 },
    });
  });

  test('the call tree marks inlined frames and keeps their lines', () => {
    assert.deepEqual(treePaths(aggregate(profile, 1)), {
      'main.main': { total: 400, self: 0, inlined: 0, line: 5 },
      'main.main;main.outer': { total: 400, self: 0, inlined: 0, line: 10 },
      'main.main;main.outer;main.helper': { total: 400, self: 100, inlined: 0, line: 20 },
      'main.main;main.outer;main.helper;main.leaf': { total: 300, self: 300, inlined: 1, line: 30 },
    });
  });

  test("matches go tool pprof, including its (inline) marks", () => {
    // helper is reached from outer both inlined and called: pprof's edge is not inline.
    const text = formatTop(profile, aggregate(profile, 1));
    assert.match(text, /  main\.leaf \(inline\)$/m);
    assert.match(text, /  main\.helper$/m);
    assertMatchesPprof(profile, file);
  });
});

describe('recursion', () => {
  const b = new ProfileBuilder().sampleType('cpu', 'nanoseconds');
  const [f, g, main] = [b.loc(['main.f']), b.loc(['main.g']), b.loc(['main.main'])];
  b.sample([f, g, f, g, f, main], [7]);
  b.sample([g, main], [3]);
  const { profile, file } = build(b, 'recursion');

  test('cum counts a function once per sample however deep it recurses', () => {
    assert.deepEqual(byName(aggregate(profile)), {
      'main.f': { flat: 7, cum: 7 },
      'main.g': { flat: 3, cum: 10 },
      'main.main': { flat: 0, cum: 10 },
    });
  });

  test('the call tree keeps every level of the recursion', () => {
    const paths = treePaths(aggregate(profile));
    assert.equal(paths['main.main;main.f;main.g;main.f;main.g;main.f'].self, 7);
    assert.equal(paths['main.main;main.g'].self, 3);
    assert.equal(aggregate(profile).tree.maxDepth, 6);
  });

  test('matches go tool pprof', () => assertMatchesPprof(profile, file));
});

describe('negative values (as in a diff profile)', () => {
  const b = new ProfileBuilder().sampleType('alloc_space', 'bytes');
  const [a, c, main] = [b.loc(['main.a']), b.loc(['main.c']), b.loc(['main.main'])];
  b.sample([a, main], [-50]);
  b.sample([c, main], [20]);
  b.sample([a, main], [30]);
  b.sample([c, main], ['-9007199254740991']);
  b.sample([c, main], ['9007199254740991']);
  const { profile } = build(b, 'negative');

  test('int64 values keep their sign, down to -(2^53 - 1)', () => {
    assert.deepEqual(Array.from(profile.samples.values), [-50, 20, 30, -9007199254740991, 9007199254740991]);
  });

  test('flat and cum are signed sums; the total sums absolute values like pprof', () => {
    const agg = aggregate(profile);
    // main's values cancel out to flat 0 and cum 0, so like pprof it has no row.
    assert.deepEqual(byName(agg), {
      'main.a': { flat: -20, cum: -20 },
      'main.c': { flat: 20, cum: 20 },
    });
    assert.deepEqual(agg.rows.map((r) => agg.functions[r.func].name), ['main.a', 'main.c']);
  });
});

describe('negative values, small enough for pprof', () => {
  const b = new ProfileBuilder().sampleType('alloc_space', 'bytes');
  const [a, c, main] = [b.loc(['main.a']), b.loc(['main.c']), b.loc(['main.main'])];
  b.sample([a, main], [-50]);
  b.sample([c, main], [20]);
  b.sample([a, main], [30]);
  const { profile, file } = build(b, 'negative-small');
  test('total is 100 = |-50| + 20 + 30', () => assert.equal(aggregate(profile).total, 100));
  test('matches go tool pprof', () => assertMatchesPprof(profile, file));
});

describe('64-bit ids', () => {
  const b = new ProfileBuilder().sampleType('samples', 'count');
  // As doubles, 2^53 and 2^53 + 1 are the same number.
  const f1 = b.func('main.first', { id: '18446744073709551615' });
  const f2 = b.func('main.second', { id: '18446744073709551614' });
  b.spec.mapping!.push({ id: '18446744073709551613', memoryStart: '18446744073709486080', memoryLimit: '18446744073709551615', filename: b.str('/bin/app') });
  b.spec.location!.push(
    { id: '9007199254740992', mappingId: '18446744073709551613', address: '18446744073709500000', line: [{ functionId: f1, line: 1 }] },
    { id: '9007199254740993', mappingId: '18446744073709551613', address: '18446744073709500016', line: [{ functionId: f2, line: 2 }] },
  );
  const main = b.loc(['main.main']);
  b.sample(['9007199254740992', main], [5]);
  b.sample(['9007199254740993', main], [7]);
  const { profile, file } = build(b, 'ids64');

  test('ids above 2^53 stay distinct', () => {
    assert.deepEqual(byName(aggregate(profile)), {
      'main.second': { flat: 7, cum: 7 },
      'main.first': { flat: 5, cum: 5 },
      'main.main': { flat: 0, cum: 12 },
    });
  });

  test('64-bit mapping fields and addresses are exact', () => {
    const m = profile.mappings[0];
    assert.equal(m.id, 18446744073709551613n);
    assert.equal(m.memoryStart, 18446744073709486080n);
    assert.equal(m.memoryLimit, 18446744073709551615n);
    assert.equal(locationAddress(profile, 0), 18446744073709500000n);
    assert.equal(locationAddress(profile, 1), 18446744073709500016n);
    assert.equal(profile.locations.mapping[1], 0);
  });

  test('matches go tool pprof', () => assertMatchesPprof(profile, file));
});

describe('drop_frames and keep_frames', () => {
  const b = new ProfileBuilder().sampleType('samples', 'count');
  b.spec.dropFrames = b.str('runtime\\..*|main\\.');
  b.spec.keepFrames = b.str('runtime\\.keepme');
  const L = (...frames: (string | [string, number])[]) => b.loc(frames);
  const main = L('main.main');
  // Cut at the first dropped frame below a kept one, with everything leafward.
  b.sample([L('runtime.mallocgc'), L('runtime.newobject'), L('main.alloc'), main], [1]);
  // keep_frames saves a frame only when it is the match itself.
  b.sample([L('runtime.keepme'), L('runtime.mallocgc'), L('main.alloc'), main], [2]);
  b.sample([L('runtime.keepme'), L('main.work'), main], [4]);
  // Dropped frames at the root are never cut (there is no kept frame above them).
  b.sample([L('main.work'), L('runtime.main')], [8]);
  // Inside a location: lines from the dropped one inward go, the location stays.
  b.sample([L('main.inner', 'runtime.helper', 'main.outer'), main], [16]);
  // pprof matches a simplified name: "main.(*T).Method" becomes "main.", which main\. matches.
  b.sample([L('main.(*T).Method'), main], [32]);
  const { profile, file } = build(b, 'dropframes');

  test('stacks are pruned like pprof does', () => {
    assert.deepEqual(byName(aggregate(profile)), {
      'main.main': { flat: 32, cum: 55 },
      'main.outer': { flat: 16, cum: 16 },
      'main.work': { flat: 8, cum: 12 },
      'runtime.keepme': { flat: 4, cum: 4 },
      'main.alloc': { flat: 3, cum: 3 },
      'runtime.main': { flat: 0, cum: 8 },
    });
  });

  test('matches go tool pprof', () => assertMatchesPprof(profile, file));

  test('names are simplified like pprof before matching', () => {
    assert.equal(simplifyFunctionName('main.(*T).Method'), 'main.');
    assert.equal(simplifyFunctionName('.foo(int)'), 'foo');
    assert.equal(simplifyFunctionName('ns::(anonymous namespace)::f(int)'), 'ns::(anonymous namespace)::f');
    assert.equal(simplifyFunctionName('Foo::operator()(int)'), 'Foo::operator()');
  });

  test('a drop_frames regexp JavaScript cannot compile is ignored with a warning', () => {
    const bad = new ProfileBuilder().sampleType('samples', 'count');
    bad.spec.dropFrames = bad.str('runtime\\.(');
    bad.sample([bad.loc(['runtime.x']), bad.loc(['main.main'])], [1]);
    const p = decodeProfile(bad.encode(), 'bad-regexp.pb');
    assert.equal(p.warnings.length, 1);
    assert.match(p.warnings[0], /drop_frames/);
    assert.equal(byName(aggregate(p))['runtime.x'].flat, 1);
  });
});

describe('packed and unpacked repeated fields', () => {
  const make = () => {
    const b = new ProfileBuilder().sampleType('alloc_objects', 'count').sampleType('alloc_space', 'bytes');
    b.spec.comment = [b.str('one'), b.str('two')];
    const main = b.loc(['main.main']);
    for (let i = 0; i < 40; i++) {
      b.sample([b.loc([`main.f${i % 7}`, `main.g${i % 3}`]), b.loc([`main.h${i % 5}`]), main], [i - 20, (i - 20) * 4096], [
        { key: 'bytes', num: 4096 },
      ]);
    }
    return b;
  };
  const packedBytes = make().encode({ packed: true });
  const unpackedBytes = make().encode({ packed: false });

  test('the two encodings really differ', () => {
    assert.notDeepEqual(Buffer.from(packedBytes), Buffer.from(unpackedBytes));
    assert.ok(unpackedBytes.length > packedBytes.length);
  });

  test('decode to the same profile', () => {
    const a = decodeProfile(packedBytes, 'packed.pb');
    const b = decodeProfile(unpackedBytes, 'packed.pb');
    assert.deepEqual(b, a);
    assert.deepEqual(a.comments, ['one', 'two']);
    assert.equal(a.sampleCount, 40);
  });

  test('the unpacked one matches go tool pprof', () => {
    const file = writeProfile(unpackedBytes, 'unpacked');
    assertMatchesPprof(decodeProfile(unpackedBytes, file), file);
  });
});

describe('labels', () => {
  const b = new ProfileBuilder().sampleType('samples', 'count');
  const main = b.loc(['main.main']);
  b.sample([main], [1], [
    { key: 'k', str: 'v1' },
    { key: 'k', str: 'v2' },
    { key: 'n', num: 5, unit: 'ms' },
    { key: 'n', num: 7 },
    { key: 'empty' },
    { key: 'both', str: 's', num: 3 },
    { key: 'neg', num: -4 },
  ]);
  b.sample([main], [2], [{ key: 'k', str: 'v3' }]);
  const { profile, file } = build(b, 'labels');

  test('string and numeric labels, grouped by key like pprof', () => {
    const l = sampleLabels(profile, 0);
    assert.deepEqual(Object.fromEntries(l.str), { k: ['v1', 'v2'], both: ['s'] });
    assert.deepEqual(Object.fromEntries(l.num), {
      n: [{ value: 5, unit: 'ms' }, { value: 7, unit: '' }],
      neg: [{ value: -4, unit: '' }],
    });
    assert.deepEqual(Object.fromEntries(sampleLabels(profile, 1).str), { k: ['v3'] });
  });

  test('match go tool pprof -raw', () => assertMatchesPprof(profile, file));
});

describe('every Profile field', () => {
  const b = new ProfileBuilder().sampleType('samples', 'count').sampleType('cpu', 'nanoseconds').sampleType('wall', 'nanoseconds');
  b.spec.mapping!.push({
    id: 1,
    memoryStart: 0x400000,
    memoryLimit: 0x800000,
    fileOffset: 0x1000,
    filename: b.str('/usr/local/bin/server'),
    buildId: b.str('abc123'),
    hasFunctions: true,
    hasFilenames: true,
    hasLineNumbers: true,
    hasInlineFrames: true,
  });
  const main = b.loc(['main.main'], { mappingId: 1 });
  const work = b.loc([['main.work', 42]], { mappingId: 1, address: 0x401234 });
  b.spec.location![1].isFolded = true;
  b.sample([work, main], [3, 30_000_000, 45_000_000]);
  b.spec.timeNanos = '1700000000123456789';
  b.spec.durationNanos = 2_500_000_000;
  b.spec.periodType = { type: b.str('cpu'), unit: b.str('nanoseconds') };
  b.spec.period = 10_000_000;
  b.spec.comment = [b.str('built with care'), b.str('#hidden from the header')];
  b.spec.defaultSampleType = b.str('cpu');
  b.spec.docUrl = b.str('https://example.com/profile-docs');
  const { profile, file } = build(b, 'allfields');

  test('are decoded', () => {
    assert.equal(profile.timeNanos, 1700000000123456789n);
    assert.equal(profile.durationNanos, 2_500_000_000);
    assert.deepEqual(profile.periodType, { type: 'cpu', unit: 'nanoseconds' });
    assert.equal(profile.period, 10_000_000);
    assert.deepEqual(profile.comments, ['built with care', '#hidden from the header']);
    assert.equal(profile.docUrl, 'https://example.com/profile-docs');
    assert.equal(profile.defaultSampleIndex, 1);
    assert.deepEqual(profile.mappings, [
      {
        id: 1n,
        memoryStart: 0x400000n,
        memoryLimit: 0x800000n,
        fileOffset: 0x1000n,
        file: '/usr/local/bin/server',
        buildId: 'abc123',
        hasFunctions: true,
        hasFilenames: true,
        hasLineNumbers: true,
        hasInlineFrames: true,
      },
    ]);
    assert.deepEqual(Array.from(profile.locations.isFolded), [0, 1]);
    assert.equal(locationAddress(profile, 1), 0x401234n);
    assert.equal(profile.functions.startLine[0], 1);
  });

  test("pprof's header lines (File, Build ID, comments, Type, Doc, Time, Duration) and numbers", () => {
    const text = formatTop(profile, aggregate(profile));
    assert.match(text, /^File: server\nBuild ID: abc123\nbuilt with care\nType: cpu\nDoc: https:\/\/example.com\/profile-docs\nTime: 2023-11-14 22:13:20 UTC\nDuration: 2.50s, Total samples = 30ms \( 1.20%\)\n/);
    assertMatchesPprof(profile, file);
  });
});

describe('default sample type', () => {
  const make = (dflt: string | undefined) => {
    const b = new ProfileBuilder().sampleType('alloc_objects', 'count').sampleType('alloc_space', 'bytes').sampleType('inuse_space', 'bytes');
    if (dflt !== undefined) b.spec.defaultSampleType = b.str(dflt);
    b.sample([b.loc(['main.main'])], [1, 2, 3]);
    const bytes = b.encode();
    const file = writeProfile(bytes, `default-${dflt}`);
    return { profile: decodeProfile(bytes, file), file };
  };
  for (const [dflt, expected] of [[undefined, 2], ['alloc_objects', 0], ['alloc_space', 1], ['no_such_type', 2]] as const) {
    test(`${dflt ?? 'unset'} → sample type ${expected}, as pprof chooses`, () => {
      const { profile, file } = make(dflt);
      assert.equal(profile.defaultSampleIndex, expected);
      const type = /^Type: (.*)$/m.exec(pprof(['-top', file]))?.[1];
      assert.equal(profile.sampleTypes[expected].type, type);
    });
  }
});

describe('frames without function names', () => {
  const b = new ProfileBuilder().sampleType('samples', 'count');
  b.spec.mapping!.push({ id: 1, memoryStart: 0x1000, memoryLimit: 0x9000, filename: b.str('/usr/lib/libfoo.so.1') });
  b.spec.location!.push({ id: 100, mappingId: 1, address: 0x1234 }); // not symbolized
  b.spec.location!.push({ id: 101, address: 0x9999 }); // no mapping either
  const main = b.loc(['main.main']);
  b.sample([100, main], [2]);
  b.sample([101, main], [5]);
  const { profile, file } = build(b, 'unsymbolized');

  test('are named after their binary, or <unknown>', () => {
    assert.deepEqual(byName(aggregate(profile)), {
      '<unknown>': { flat: 5, cum: 5 },
      '[libfoo.so.1]': { flat: 2, cum: 2 },
      'main.main': { flat: 0, cum: 7 },
    });
  });

  test('matches go tool pprof', () => assertMatchesPprof(profile, file));
});

describe('sampleIndexByName', () => {
  const b = new ProfileBuilder().sampleType('alloc_objects', 'count').sampleType('alloc_space', 'bytes').sampleType('space', 'bytes');
  b.sample([b.loc(['main.main'])], [1, 2, 3]);
  const profile = decodeProfile(b.encode(), 'index.pb');

  test('accepts type names, legacy inuse_ names and numbers like pprof -sample_index', () => {
    assert.equal(sampleIndexByName(profile, 'alloc_objects'), 0);
    assert.equal(sampleIndexByName(profile, 'alloc_space'), 1);
    assert.equal(sampleIndexByName(profile, 'inuse_space'), 2);
    assert.equal(sampleIndexByName(profile, '1'), 1);
    assert.equal(sampleIndexByName(profile, ''), 2);
  });

  test('explains what it accepts', () => {
    assert.throws(() => sampleIndexByName(profile, 'cpu'), /"cpu" must be one of: alloc_objects, alloc_space, space/);
    assert.throws(() => sampleIndexByName(profile, '3'), /outside the range \[0\.\.2\]/);
    assert.throws(() => aggregate(profile, 3), /outside the range/);
  });
});

describe('zero samples', () => {
  const b = new ProfileBuilder().sampleType('contentions', 'count').sampleType('delay', 'nanoseconds');
  const { profile, file } = build(b, 'empty');

  test('decode, and aggregate to a total of 0 with only the root', () => {
    assert.equal(profile.sampleCount, 0);
    const agg = aggregate(profile);
    assert.equal(agg.total, 0);
    assert.deepEqual(agg.rows, []);
    assert.equal(agg.tree.nodeCount, 1);
    assert.equal(agg.tree.func[0], -1);
  });

  test('like pprof, which shows nothing', () => assertMatchesPprof(profile, file));
});
