// The cache of `goperf constraints eval` (src/cli/constraintsCache.ts): a
// stored answer or header is given back only for the same files with the same
// size, mtime, ctime and inode, and nothing derived from a file changed in the
// last two seconds is kept.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readAndAnalyze } from '../../src/cli/constraints';
import { EvalCache, statFiles, statInto, type WalkedDirs } from '../../src/cli/constraintsCache';
import { evaluateFile, type BuildTarget } from '../../src/core/constraints';

let root = '';
let cacheDir = '';
const NAMES = ['a.go', 'b_test.go', 'c.go'];
const TEXTS = ['//go:build linux && !cgo\n\npackage a\n', 'package a_test\n\nimport "C"\n', '// +build windows,386\n\npackage a\n'];

before(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'goperf-cache-root-'));
  cacheDir = mkdtempSync(path.join(tmpdir(), 'goperf-cache-dir-'));
  for (const [i, name] of NAMES.entries()) await fs.writeFile(path.join(root, name), TEXTS[i]);
  await fs.mkdir(path.join(root, 'sub'));
  // Only files unchanged for two seconds are cached.
  await new Promise((r) => setTimeout(r, 2100));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

const files = () => NAMES.map((n) => path.join(root, n));

test('a stored answer and headers come back only for the same files with the same stats', () => {
  const stats = statFiles(files());
  const analyses = files().map(readAndAnalyze);
  new EvalCache(cacheDir, root).save(NAMES, stats, analyses.map((a) => a.header), undefined, { key: 'linux', text: 'the answer' });

  const cache = new EvalCache(cacheDir, root);
  assert.equal(cache.unchanged(NAMES, stats), true);
  assert.equal(cache.answer('linux'), 'the answer');
  assert.equal(cache.answer('windows'), undefined);
  // Cached headers decide exactly as freshly read ones.
  const targets: BuildTarget[] = [
    { goos: 'linux', goarch: 'amd64', cgoEnabled: false, compiler: 'gc', buildTags: [], toolTags: [], goVersion: 26 },
    { goos: 'linux', goarch: 'amd64', cgoEnabled: true, compiler: 'gc', buildTags: [], toolTags: [], goVersion: 26 },
    { goos: 'windows', goarch: '386', cgoEnabled: false, compiler: 'gc', buildTags: [], toolTags: [], goVersion: 26 },
  ];
  for (const [i, a] of analyses.entries()) {
    const header = cache.header(NAMES[i], stats, i);
    assert.ok(header, NAMES[i]);
    for (const t of targets) assert.deepEqual(evaluateFile({ ...a, header }, t), evaluateFile(a, t), `${NAMES[i]} for ${t.goos}`);
  }

  // Each stat field on its own invalidates the file.
  for (let field = 0; field < 4; field++) {
    const changed = stats.slice();
    changed[1 * 4 + field] += 1;
    assert.equal(cache.unchanged(NAMES, changed), false, `field ${field}`);
    assert.equal(cache.header(NAMES[1], changed, 1), undefined, `field ${field}`);
    assert.ok(cache.header(NAMES[0], changed, 0));
  }
  // Another set of files: one gone, one more, or a file that could not be stat'ed.
  assert.equal(cache.unchanged(NAMES.slice(1), stats.slice(4)), false);
  assert.equal(cache.unchanged([...NAMES, 'd.go'], Float64Array.from([...stats, 1, 2, 3, 4])), false);
  const missing = stats.slice();
  missing.fill(NaN, 0, 4);
  assert.equal(cache.unchanged(NAMES, missing), false);
});

test('the walk is answered from the cache only while every directory it read has the same stat', async () => {
  const dirs = (cacheable = true): WalkedDirs => {
    const d: WalkedDirs = { names: ['', 'sub'], stats: [], cacheable };
    d.names.forEach((name, i) => statInto(d.stats, i, path.join(root, name)));
    return d;
  };
  const save = (walked: WalkedDirs) => new EvalCache(cacheDir, root).save(NAMES, statFiles(files()), files().map((f) => readAndAnalyze(f).header), walked);
  save(dirs());
  const fromCache = new EvalCache(cacheDir, root).walked(root);
  assert.deepEqual(fromCache?.files, files());
  // Saved again (another target's answer), from the cached walk: still cached.
  save(fromCache!.dirs);
  assert.deepEqual(new EvalCache(cacheDir, root).walked(root)?.files, files());
  // A directory with a symlinked source is read every time: the link's target can change on its own.
  save(dirs(false));
  assert.equal(new EvalCache(cacheDir, root).walked(root), undefined);

  save(dirs());
  await fs.writeFile(path.join(root, 'sub', 'new.go'), 'package sub\n');
  assert.equal(new EvalCache(cacheDir, root).walked(root), undefined, 'a file added to a subdirectory');
  // A directory changed in the last two seconds is not trusted.
  save(dirs());
  assert.equal(new EvalCache(cacheDir, root).walked(root), undefined);
  await fs.rm(path.join(root, 'sub', 'new.go'));
});

test('nothing derived from a file changed in the last two seconds is kept', async () => {
  const fresh = path.join(root, 'fresh.go');
  await fs.writeFile(fresh, 'package a\n');
  const all = [...files(), fresh];
  const names = [...NAMES, 'fresh.go'];
  const stats = statFiles(all);
  new EvalCache(cacheDir, root).save(names, stats, all.map((f) => readAndAnalyze(f).header), undefined, { key: 'linux', text: 'the answer' });

  const cache = new EvalCache(cacheDir, root);
  assert.equal(cache.unchanged(names, stats), false);
  assert.equal(cache.header('fresh.go', stats, names.length - 1), undefined);
  assert.ok(cache.header(NAMES[0], stats, 0), 'older files are still cached');
  await fs.rm(fresh);
});

test('a damaged or foreign cache file is ignored', async () => {
  const stats = statFiles(files());
  new EvalCache(cacheDir, root).save(NAMES, stats, files().map((f) => readAndAnalyze(f).header), undefined, { key: 'linux', text: 'the answer' });
  const [file] = await fs.readdir(cacheDir);
  const bytes = await fs.readFile(path.join(cacheDir, file));
  const lineEnd = bytes.indexOf(0x0a);
  const meta = bytes.toString('utf8', 0, lineEnd);
  const withMeta = (text: string) => Buffer.concat([Buffer.from(text), bytes.subarray(lineEnd)]);
  const damagedFiles = [
    bytes.subarray(0, 20),
    bytes.subarray(0, bytes.length - 1),
    withMeta(meta.replace('"format":', '"format":1,"x":')),
    withMeta(meta.replace(/"tool":"[^"]*"/, '"tool":"other"')),
    withMeta(meta.replace(/"count":\d+/, '"count":2')),
    Buffer.alloc(0),
  ];
  for (const damaged of damagedFiles) {
    await fs.writeFile(path.join(cacheDir, file), damaged);
    const cache = new EvalCache(cacheDir, root);
    assert.equal(cache.unchanged(NAMES, stats), false);
    assert.equal(cache.header(NAMES[0], stats, 0), undefined);
  }
});
