// Real profiles from the Go toolchain, decoded and aggregated by goperf,
// compared with `go tool pprof` on the same files: totals, every function's
// flat and cum, the -top text itself, every stack (-traces) and every
// sample's values and labels (-raw). protobufjs decodes the same bytes as a
// second, independent reader.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { aggregate, decodeProfile, formatTop, type Profile } from '../../src/core/pprof/index';
import { decodeWithProtobufjs } from '../fixtures/pprof-proto';
import { ourRawSamples, ourTraces } from '../fixtures/pprof-render';
import {
  goTestProfiles,
  makeTempDir,
  pprof,
  pprofRawSamples,
  pprofTop,
  pprofTraces,
  runtimeProfiles,
} from '../fixtures/real-profiles';

process.env.TZ = 'UTC';
const tmp = makeTempDir('goperf-oracle-');
after(() => tmp.remove());

const fromGoTest = goTestProfiles(tmp.dir);
const fromRuntime = runtimeProfiles(tmp.dir);
const kinds: [string, string][] = [
  ['cpu (go test -cpuprofile)', fromGoTest.cpu],
  ['allocs (go test -memprofile)', fromGoTest.mem],
  ['block (go test -blockprofile)', fromGoTest.block],
  ['mutex (go test -mutexprofile)', fromGoTest.mutex],
  ['mutex (contended sync.Mutex)', fromRuntime.mutex],
  ['goroutine', fromRuntime.goroutine],
  ['heap', fromRuntime.heap],
  ['allocs', fromRuntime.allocs],
  ['threadcreate', fromRuntime.threadcreate],
  ['cpu with labels', fromRuntime.cpuLabels],
];

function load(file: string): Profile {
  return decodeProfile(readFileSync(file), file);
}

for (const [kind, file] of kinds) {
  describe(`${kind} profile matches go tool pprof`, () => {
    const profile = load(file);

    test('has samples', () => {
      assert.ok(profile.sampleTypes.length > 0);
      // Only runtime-internal events feed these two, which a quiet run may not have.
      if (file !== fromGoTest.mutex && file !== fromRuntime.threadcreate) {
        assert.ok(profile.sampleCount > 0, `${file} has no samples`);
      }
    });

    test('default sample type is the one pprof shows', () => {
      const text = pprof(['-top', '-nodecount=1', file]);
      const type = /^Type: (.*)$/m.exec(text)?.[1];
      assert.equal(profile.sampleTypes[profile.defaultSampleIndex].type, type);
    });

    profile.sampleTypes.forEach((sampleType, index) => {
      test(`${sampleType.type}/${sampleType.unit}: total and every function's flat and cum`, () => {
        const agg = aggregate(profile, index);
        const oracle = pprofTop(file, index, sampleType.unit);
        assert.equal(agg.total, oracle.total);
        assert.ok(oracle.rows.length > 0 || agg.total === 0);
        const ours = agg.rows.map((r) => ({ name: agg.functions[r.func].name, flat: r.flat, cum: r.cum }));
        assert.deepEqual(ours, oracle.rows);
      });

      test(`${sampleType.type}: the -top text is pprof's, line for line`, () => {
        const expected = pprof(['-top', '-nodefraction=0', `-sample_index=${index}`, file]);
        assert.equal(formatTop(profile, aggregate(profile, index)), expected);
      });

      test(`${sampleType.type}: every stack and value equals pprof -traces`, () => {
        const oracle = pprofTraces(file, index, sampleType.unit)
          .map((t) => `${t.value}|${t.frames.join(';')}`)
          .sort();
        assert.deepEqual(ourTraces(profile, index), oracle);
      });

      test(`${sampleType.type}: call tree totals add up and match the flat/cum rows`, () => {
        const agg = aggregate(profile, index);
        const t = agg.tree;
        // The root is the profile's total, as pprof counts it: samples with no
        // frames (a CPU profile has a few) add to the root's self and to no row.
        assert.equal(t.total[0], agg.total);
        assert.equal(t.self[0], agg.total - agg.rows.reduce((sum, r) => sum + r.flat, 0));
        const selfByFunc = new Map<number, number>();
        for (let k = 0; k < t.nodeCount; k++) {
          let children = 0;
          for (let c = t.firstChild[k]; c < t.firstChild[k] + t.childCount[k]; c++) {
            assert.equal(t.parent[c], k);
            assert.equal(t.depth[c], t.depth[k] + 1);
            children += t.total[c];
          }
          assert.equal(t.total[k], children + t.self[k], `node ${k}`);
          if (k > 0) selfByFunc.set(t.func[k], (selfByFunc.get(t.func[k]) ?? 0) + t.self[k]);
          const names = Array.from({ length: t.childCount[k] }, (_, i) => agg.functions[t.func[t.firstChild[k] + i]].name);
          assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        }
        for (const row of agg.rows) assert.equal(selfByFunc.get(row.func) ?? 0, row.flat);
      });
    });

    test('every sample\'s values and labels equal pprof -raw', () => {
      const oracle = pprofRawSamples(file).map((s) => `${s.values.join(' ')}|${s.labels.join(' ')}`);
      assert.deepEqual(ourRawSamples(profile), oracle.sort());
    });

    test('protobufjs reads the same samples, stacks, lines and metadata', () => {
      let bytes: Uint8Array = readFileSync(file);
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
      const ref = decodeWithProtobufjs(bytes);
      const str = (i: number | undefined) => ref.stringTable[i ?? 0];
      const fnName = new Map(ref.function!.map((f) => [String(f.id), str(f.name)]));
      const locFrames = new Map(
        ref.location!.map((l) => [String(l.id), (l.line ?? []).map((ln) => `${fnName.get(String(ln.functionId))}:${ln.line}`)]),
      );
      assert.equal(profile.sampleCount, ref.sample!.length);
      assert.equal(profile.locations.count, ref.location!.length);
      assert.equal(profile.functions.count, ref.function!.length);
      assert.deepEqual(profile.strings, ref.stringTable);
      assert.deepEqual(profile.sampleTypes, ref.sampleType!.map((t) => ({ type: str(t.type), unit: str(t.unit) })));
      assert.equal(String(profile.timeNanos), String(ref.timeNanos));
      assert.equal(String(profile.durationNanos), String(ref.durationNanos));
      assert.equal(String(profile.period), String(ref.period));
      assert.deepEqual(profile.periodType, { type: str(ref.periodType?.type), unit: str(ref.periodType?.unit) });
      assert.deepEqual(
        profile.mappings.map((m) => [String(m.id), String(m.memoryStart), String(m.memoryLimit), String(m.fileOffset), m.file, m.buildId, m.hasFunctions]),
        ref.mapping!.map((m) => [String(m.id), String(m.memoryStart), String(m.memoryLimit), String(m.fileOffset), str(m.filename as number), str(m.buildId as number), m.hasFunctions]),
      );
      const { samples, locations, functions, strings } = profile;
      const n = profile.sampleTypes.length;
      ref.sample!.forEach((rs, s) => {
        assert.deepEqual(Array.from(samples.values.subarray(s * n, (s + 1) * n)), rs.value!.map(Number));
        const ours: string[] = [];
        for (let i = samples.stackStart[s]; i < samples.stackEnd[s]; i++) {
          const loc = samples.stack[i];
          for (let j = locations.lineStart[loc]; j < locations.lineEnd[loc]; j++) {
            ours.push(`${strings[functions.name[locations.lineFunction[j]]]}:${locations.lineNumber[j]}`);
          }
        }
        assert.deepEqual(ours, rs.locationId!.flatMap((id) => locFrames.get(String(id))!));
      });
    });
  });
}
