// `goperf constraints eval|check` end to end on modules written to a temp dir:
// check must report what `go vet -buildtag` reports (same file, line and
// column) plus its own findings; eval's JSON must match `go list`.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { collectFiles, runConstraintsCommand, type CommandIO } from '../../src/cli/constraints';
import { GO, goListModule, runGo } from '../fixtures/constraints/golist';

let dir = '';

/** Package vet can load: every file is valid Go and none is rejected by go list. */
const VET_PACKAGE: Record<string, string> = {
  'a.go': '// +build linux\npackage p\n',
  'b.go': 'package p\n\n//go:build linux\n',
  'e.go': '//go:build linux && amd64\n// +build linux\n\npackage p\n',
  'f.go': '//go:build go1.21.1\n\npackage p\n',
  'g.go': '// +build !!linux a-b\n\npackage p\n',
  'l.go': '/*\n//go:build linux\n*/\n\npackage p\n',
  'h_windows.go': '//go:build linux\n\npackage p\n',
  'i.go': '//go:build linux && windows\n\npackage p\n',
  'j.go': '//go:build linux && amd46\n\npackage p\n',
  'k.go': '//go:build zos\n\npackage p\n',
  'm.go': '// Package p.\n//\n// go:build linux\npackage p\n',
  'ok.go': '//go:build linux || windows\n\npackage p\n',
};

/** Files go list rejects, so vet cannot load their package. */
const BROKEN_PACKAGE: Record<string, string> = {
  'd.go': '//go:build linux\n//go:build amd64\n\npackage q\n',
  's.go': '//go:build linux &&\n\npackage q\n',
  'x.go': 'package q\n',
};

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'goperf-constraints-cli-'));
  await fs.writeFile(path.join(dir, 'go.mod'), 'module example.com/vt\n\ngo 1.22\n');
  for (const [pkg, files] of [['p', VET_PACKAGE], ['q', BROKEN_PACKAGE], ['clean', { 'c.go': '//go:build linux\n\npackage clean\n' }]] as const) {
    await fs.mkdir(path.join(dir, pkg));
    for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, pkg, name), text);
  }
  // Skipped like go list ./... skips them.
  for (const skipped of ['testdata', '_hidden', 'vendor/x', 'nested']) {
    await fs.mkdir(path.join(dir, skipped), { recursive: true });
    await fs.writeFile(path.join(dir, skipped, 'z.go'), '//go:build linux &&\n\npackage z\n');
  }
  await fs.writeFile(path.join(dir, 'nested', 'go.mod'), 'module example.com/nested\n');
  // Files changed in the last two seconds bypass the go command's module index; age them for its usual answers.
  const anHourAgo = new Date(Date.now() - 3600_000);
  for (const f of await collectFiles(dir, () => true)) await fs.utimes(f, anHourAgo, anHourAgo);
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env?: Record<string, string>, cacheDir?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: { write: (t) => void (stdout += t) }, stderr: { write: (t) => void (stderr += t) }, cwd: dir, go: GO, cacheDir };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return { code: await runConstraintsCommand(args, io), stdout, stderr };
  } finally {
    process.env = saved;
  }
}

const VET_TO_CODE: Array<[RegExp, string]> = [
  [/^misplaced \+build comment$/, 'misplaced-plus-build'],
  [/^misplaced \/\/go:build comment$/, 'misplaced-go-build'],
  [/^\+build lines do not match \/\/go:build condition$/, 'plus-build-mismatch'],
  [/^invalid go version/, 'bad-go-version'],
  [/^invalid (double negative|non-alphanumeric)/, 'plus-build-term'],
];

test('check reports everything go vet -buildtag reports, at the same place', async () => {
  let vetOutput = '';
  try {
    await runGo(['vet', '-buildtag', './p'], dir);
  } catch (e) {
    vetOutput = (e as Error).message;
  }
  const vet = [...vetOutput.matchAll(/^(?:.*?: )?p\/([\w.]+):(\d+):(\d+): (.*)$/gm)].map((m) => {
    const code = VET_TO_CODE.find(([re]) => re.test(m[4]))?.[1] ?? `unmapped: ${m[4]}`;
    // vet puts every finding at the comment's start; we point bad version tags at the tag itself, so compare lines.
    return `${m[1]}:${m[2]} ${code}`;
  });
  assert.equal(vet.length, 7, `vet output:\n${vetOutput}`);

  const { code, stdout } = await run(['check', '--json', 'p']);
  assert.equal(code, 1);
  const ours = (JSON.parse(stdout) as { diagnostics: Array<{ path: string; line: number; column: number; code: string; severity: string; message: string }> }).diagnostics;
  const vetCodes = new Set(VET_TO_CODE.map(([, c]) => c));
  const oursComparable = ours.filter((d) => vetCodes.has(d.code)).map((d) => `${path.basename(d.path)}:${d.line} ${d.code}`);
  assert.deepEqual(oursComparable.sort(), vet.sort());
  assert.deepEqual(
    ours.filter((d) => vetCodes.has(d.code)).map((d) => d.column),
    ours.filter((d) => vetCodes.has(d.code)).map((d) => (d.code === 'bad-go-version' ? '//go:build '.length + 1 : 1)),
  );

  // What vet does not report.
  const extra = ours.filter((d) => !vetCodes.has(d.code)).map((d) => `${path.basename(d.path)}:${d.line}:${d.column} ${d.severity} ${d.code}`);
  assert.deepEqual(extra.sort(), [
    'g.go:1:1 warning plus-build-only',
    'h_windows.go:1:1 error name-contradiction',
    'i.go:1:1 error never-true',
    'j.go:1:21 warning unknown-tag',
    'k.go:1:1 warning no-real-port',
    'm.go:3:1 error malformed-go-build',
  ]);
  const byCode = (c: string) => ours.find((d) => d.code === c)!.message;
  assert.match(byCode('unknown-tag'), /"amd46" is not a known GOOS or GOARCH; did you mean the GOARCH "amd64"\?/);
  assert.match(byCode('name-contradiction'), /^file name suffix _windows requires GOOS=windows, where \/\/go:build linux is never true/);
  assert.match(byCode('no-real-port'), /could only hold for GOOS=zos \(any GOARCH\)$/);
  assert.match(byCode('plus-build-mismatch'), /with tags \{linux\} only, \/\/go:build linux && amd64 is false but the \+build lines \(linux\) are true/);
});

test('check: text output, syntax errors with their column, exit codes', async () => {
  const broken = await run(['check', 'q']);
  assert.equal(broken.code, 1);
  const lines = broken.stdout.trim().split('\n');
  assert.deepEqual(lines, [
    'q/d.go:2:1: unexpected extra //go:build line (the first is on line 1); the go command rejects the file [multiple-go-build]',
    // "//go:build linux &&": the expression ends at byte 19, column 20.
    'q/s.go:1:20: invalid //go:build line: unexpected end of expression [syntax]',
  ]);
  assert.match(broken.stderr, /^2 errors, 0 warnings in 3 files$/m);

  const clean = await run(['check', 'clean']);
  assert.deepEqual([clean.code, clean.stdout], [0, '']);
  // The whole tree: testdata, _hidden, vendor and the nested module are skipped, so only p and q count.
  const all = await run(['check', '.']);
  assert.equal(all.code, 1);
  assert.doesNotMatch(all.stdout, /testdata|_hidden|vendor|nested/);
  assert.match(all.stderr, / in 16 files$/m);
});

test('eval --json agrees with go list for another GOOS, and explains', async () => {
  const { code, stdout } = await run(['eval', '--json', '--goos', 'windows', '--goarch', 'arm64', '--tags', 'extra', '.']);
  assert.equal(code, 0);
  const out = JSON.parse(stdout) as { target: { goos: string; goarch: string; buildTags: string[] }; files: Array<{ path: string; included: boolean; reason: string; invalid?: boolean }> };
  assert.deepEqual([out.target.goos, out.target.goarch, out.target.buildTags], ['windows', 'arm64', ['extra']]);
  const files = out.files.map((f) => f.path);
  assert.equal(files.length, 16);
  assert.ok(files.every((f) => /^(p|q|clean)\//.test(f)), files.join(' '));

  const listed = await goListModule(dir, { goos: 'windows', goarch: 'arm64', tags: 'extra' }, [path.join(dir, 'p'), path.join(dir, 'q'), path.join(dir, 'clean')]);
  for (const f of out.files) {
    const pkg = listed.get(path.join(dir, path.dirname(f.path)))!;
    const name = path.basename(f.path);
    const included = [pkg.GoFiles, pkg.CgoFiles, pkg.TestGoFiles, pkg.XTestGoFiles].some((l) => l?.includes(name));
    assert.equal(f.included, included, `${f.path}: ${f.reason}`);
  }
  const h = out.files.find((f) => f.path === 'p/h_windows.go')!;
  assert.equal(h.reason, '//go:build linux is false for windows/arm64: `linux` is false (GOOS is windows)');
  const e = out.files.find((f) => f.path === 'p/e.go')!;
  assert.equal(e.reason, '//go:build linux && amd64 is false for windows/arm64: `linux` is false (GOOS is windows)');
  const s = out.files.find((f) => f.path === 'q/s.go')!;
  assert.deepEqual([s.included, s.invalid], [false, true]);
});

test('eval: defaults from the go command, text output, single files, errors', async () => {
  const goos = (await runGo(['env', 'GOOS'], dir)).trim();
  const goarch = (await runGo(['env', 'GOARCH'], dir)).trim();
  const text = await run(['eval', 'p/ok.go', 'p/k.go']);
  assert.equal(text.code, 0);
  const [header, ...lines] = text.stdout.trim().split('\n');
  assert.match(header, new RegExp(`^target ${goos}/${goarch} \\(`));
  assert.equal(lines.length, 2);
  assert.match(lines[0], new RegExp(`^p/ok.go: ${['linux', 'windows'].includes(goos) ? 'included \\(go\\)' : 'excluded'}: `));
  assert.match(lines[1], /^p\/k.go: excluded: \/\/go:build zos is false for .*: `zos` is false \(GOOS is \w+\)$/);

  const noCgo = await run(['eval', '--json', '--no-cgo', 'p/ok.go']);
  assert.equal(JSON.parse(noCgo.stdout).target.cgoEnabled, false);
  // GOFLAGS=-tags reaches the target like it reaches the go command.
  const flagged = await run(['eval', '--json', 'clean'], { GOFLAGS: '-tags=fromgoflags' });
  assert.deepEqual(JSON.parse(flagged.stdout).target.buildTags, ['fromgoflags']);

  const missing = await run(['eval', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope/);
  const usage = await run(['eval', '--bogus', 'p']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown flag --bogus/);
  assert.equal((await run(['frobnicate'])).code, 2);
  assert.equal((await run(['check', '--goos', 'linux', 'p'])).code, 2);
});

test('eval --json prints what JSON.stringify(…, null, 1) prints, over several paths, with and without the cache', async () => {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'goperf-constraints-cache-'));
  await fs.mkdir(path.join(dir, 'empty'), { recursive: true });
  try {
    for (const paths of [['p', 'clean/c.go', 'q'], ['empty'], ['empty', 'clean']]) {
      for (const cache of [undefined, cacheDir, cacheDir]) {
        const { stdout } = await run(['eval', '--json', ...paths], undefined, cache);
        assert.equal(stdout, JSON.stringify(JSON.parse(stdout), null, 1) + '\n', paths.join(' '));
      }
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(path.join(dir, 'empty'), { recursive: true, force: true });
  }
});

test('eval: answers from the cache equal fresh ones; edits, new and removed files and other targets are seen', async () => {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'goperf-constraints-cache-'));
  const file = path.join(dir, 'clean', 'c.go');
  const added = path.join(dir, 'clean', 'added.go');
  const original = await fs.readFile(file, 'utf8');
  const { mtime, ctimeMs } = await fs.stat(file);
  try {
    // Files changed in the last two seconds are not cached (see constraintsCache.ts).
    await new Promise((r) => setTimeout(r, Math.max(0, 2100 - (Date.now() - ctimeMs))));
    const args = ['eval', '--json', '--goos', 'linux', '--goarch', 'amd64', '.'];
    const windows = ['eval', '--json', '--goos', 'windows', '--goarch', 'amd64', '.'];
    const fresh = await run(args);
    const first = await run(args, undefined, cacheDir);
    assert.equal((await fs.readdir(cacheDir)).length, 1);
    const second = await run(args, undefined, cacheDir);
    assert.equal(first.stdout, fresh.stdout);
    assert.equal(second.stdout, fresh.stdout);
    const included = (stdout: string, name = 'clean/c.go') => (JSON.parse(stdout) as { files: Array<{ path: string; included: boolean }> }).files.find((f) => f.path === name)?.included;
    assert.equal(included(second.stdout), true);
    // Another target, the text form, then the first again: each as a fresh run prints it.
    assert.equal((await run(windows, undefined, cacheDir)).stdout, (await run(windows)).stdout);
    assert.equal((await run(['eval', '.'], undefined, cacheDir)).stdout, (await run(['eval', '.'])).stdout);
    assert.equal((await run(args, undefined, cacheDir)).stdout, fresh.stdout);

    // Same size, same mtime, other content: the inode's change time still tells.
    await fs.writeFile(file, original.replace('linux', 'plan9'));
    await fs.utimes(file, mtime, mtime);
    const edited = await run(args, undefined, cacheDir);
    assert.equal(edited.stdout, (await run(args)).stdout);
    assert.equal(included(edited.stdout), false);

    // A new file, then its removal.
    await fs.writeFile(added, 'package clean\n');
    await fs.utimes(added, mtime, mtime);
    const withAdded = await run(args, undefined, cacheDir);
    assert.equal(included(withAdded.stdout, 'clean/added.go'), true);
    assert.equal(withAdded.stdout, (await run(args)).stdout);
    await fs.rm(added);
    assert.equal((await run(args, undefined, cacheDir)).stdout, edited.stdout);

    // A damaged cache only costs time.
    for (const f of await fs.readdir(cacheDir)) await fs.writeFile(path.join(cacheDir, f), '{"format":');
    assert.equal((await run(args, undefined, cacheDir)).stdout, edited.stdout);
  } finally {
    await fs.rm(added, { force: true });
    await fs.writeFile(file, original);
    await fs.utimes(file, mtime, mtime);
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
