// Where constraints count, what the file name says, cgo, test files, broken
// and binary input: a module of crafted files is written to a temp dir and
// `go list -e` on it is the oracle for every file under several targets.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { collectFiles, readAndAnalyze } from '../../src/cli/constraints';
import { resolveTarget } from '../../src/core/go/target';
import { analyzeGoFile, checkFile, evaluateFile, findStrayConstraints, scanHeader, utf8Encode } from '../../src/core/constraints';
import { disagreement, expectedFor, GO, goListModule, label, type PortCase } from '../fixtures/constraints/golist';

/** One directory per case keeps go list's per-package errors from mixing; anchor.go keeps the package non-empty. */
const CASES: Record<string, Record<string, string | Uint8Array>> = {
  bom: { 'f.go': '\ufeff//go:build windows\n\npackage p\n' },
  crlf: { 'f.go': '//go:build windows\r\n\r\npackage p\r\n', 'g.go': '// +build windows\r\n\r\npackage p\r\n' },
  crOnly: { 'f.go': '//go:build windows\rpackage p\r' },
  plusNoBlankLine: { 'f.go': '// +build windows\npackage p\n' },
  plusThenDocThenBlank: { 'f.go': '// +build windows\n// Package p does things.\n\npackage p\n' },
  plusAfterBlockComment: { 'f.go': '/* note */\n// +build windows\n\npackage p\n' },
  goBuildAfterBlockComment: { 'f.go': '/* note */\n//go:build windows\n\npackage p\n' },
  goBuildInsideBlockComment: { 'f.go': '/*\n//go:build windows\n*/\n\npackage p\n' },
  goBuildAdjoiningPackage: { 'f.go': '//go:build windows\npackage p\n' },
  goBuildAfterPackage: { 'f.go': 'package p\n\n//go:build windows\n' },
  goBuildFoo: { 'f.go': '//go:buildfoo windows\n\npackage p\n' },
  spaceGoBuild: { 'f.go': '// go:build windows\n\npackage p\n' },
  indentedGoBuild: { 'f.go': '   \t//go:build windows\n\npackage p\n' },
  nbspAfterGoBuild: { 'f.go': '//go:build\u00a0windows\n\npackage p\n' },
  plusNoSpace: { 'f.go': '//+build windows\n\npackage p\n' },
  plusBang: { 'f.go': '// +build !\n\npackage p\n' },
  plusEmpty: { 'f.go': '// +build\n\npackage p\n' },
  plusLinesAnded: { 'f.go': '// +build linux windows\n// +build arm64\n\npackage p\n' },
  plusComplex: { 'f.go': '// +build linux,386 windows,!cgo android\n\npackage p\n' },
  goBuildWins: { 'f.go': '//go:build windows\n// +build linux\n\npackage p\n' },
  multipleGoBuild: { 'f.go': '//go:build linux\n//go:build amd64\n\npackage p\n', 'f_windows.go': '//go:build linux\n//go:build amd64\n\npackage p\n' },
  invalidGoBuild: { 'f.go': '//go:build linux &&\n\npackage p\n' },
  invalidGoBuildOtherOS: { 'f_windows.go': '//go:build linux &&\n\npackage p\n' },
  nulInHeader: { 'f.go': '//go:build linux\n\x00\npackage p\n', 'g.go': 'package p\n\nimport "fmt\x00"\n', 'h_windows.go': 'package p\n\x00\n' },
  nulAfterImports: { 'f.go': 'package p\n\nimport "fmt"\n\nvar _ = fmt.Sprint\n// \x00\n' },
  binary: { 'f.go': Uint8Array.from({ length: 4096 }, (_, i) => 1 + ((i * 7919 + 13) % 255)) },
  binaryWithNul: { 'f.go': Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) % 256) },
  cgo: { 'f.go': 'package p\n\nimport "C"\n', 'g.go': 'package p\n\nimport (\n\t"fmt"\n\t"C"\n)\n\nvar _ = fmt.Sprint\n' },
  cgoRawString: { 'f.go': 'package p\nimport `C`\n' },
  cgoEscaped: { 'f.go': 'package p\nimport "\\x43"\n' },
  cgoSemicolon: { 'f.go': 'package p; import "C"\n' },
  cgoBrokenClause: { 'f.go': 'package p import "C"\n' },
  cgoAfterComment: { 'f.go': 'package p\n/* doc */ import "C"\n' },
  cgoWithGoBuild: { 'f.go': '//go:build linux\n\npackage p\n\nimport "C"\n' },
  cgoTest: { 'f_test.go': 'package p\n\nimport "C"\n' },
  // Which import paths the go command accepts decides whether it sees the "C" beside them.
  importPaths: {
    'f.go': 'package p\n\nimport (\n\t"a:b"\n\t"C"\n)\n',
    'g.go': 'package p\n\nimport (\n\t"a b"\n\t"C"\n)\n',
    'h.go': 'package p\n\nimport (\n\t"é/x"\n\t"C"\n)\n',
    'i.go': 'package p\n\nimport (\n\t"a\u00a0b"\n\t"C"\n)\n',
    'j.go': 'package p\n\nimport (\n\t"a~b+c@d"\n\t"C"\n)\n',
    'k.go': 'package p\n\nimport (\n\t"a\\x7fb"\n\t"C"\n)\n',
  },
  documentation: { 'f.go': 'package documentation\n' },
  xtest: { 'f_test.go': 'package p_test\n', 'g_test.go': 'package p\n' },
  names: {
    'x_linux.pb.go': 'package p\n',
    'linux.go': 'package p\n',
    'x_amd64_linux.go': 'package p\n',
    'x_linux_amd64_test.go': 'package p\n',
    'x_test_linux.go': 'package p\n',
    'x_android.go': 'package p\n',
    'x_linux.go': 'package p\n',
    'x_solaris.go': 'package p\n',
    'x_unix.go': 'package p\n',
    'x_windows_test.go': 'package p\n',
    'x_windows_amd64.go': 'package p\n',
    'x_arm64.go': 'package p\n',
    '_x.go': 'package p\n',
    '.x.go': 'package p\n',
  },
  tags: {
    'custom.go': '//go:build custom\n\npackage p\n',
    'ignore.go': '//go:build ignore\n\npackage p\n',
    'unix.go': '//go:build unix\n\npackage p\n',
    'release.go': '//go:build go1.21 && !go1.999\n\npackage p\n',
    'level.go': '//go:build amd64.v1 || arm64.v8.0\n\npackage p\n',
    'compiler.go': '//go:build gc && !gccgo\n\npackage p\n',
    'cgotag.go': '//go:build cgo\n\npackage p\n',
  },
  largeHeader: { 'f.go': '// filler line for a long header\n'.repeat(6000) + '//go:build windows\n\npackage p\n' },
  largeBody: { 'f.go': 'package p\n\n' + 'var _ = 1\n'.repeat(50_000) + '//go:build windows\n' },
};

/** Files glued together from header fragments, some of them broken: the go command is the judge of each. */
function fragmentSoup(count: number, seed: number): Record<string, Record<string, Uint8Array>> {
  let state = seed;
  const rnd = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const pieces: Uint8Array[] = [
    ...[
      '//go:build linux\n', '//go:build windows\n', '//go:build !cgo\n', '// +build linux\n', '// +build !linux\n', '// +build cgo\n',
      '\n', '\n', '\n', '// text\n', '/* x */', '/*\n', '*/\n', 'package p\n', 'package p\n', 'package p_test\n', 'package documentation\n',
      'import "C"\n', 'import (\n\t"fmt"\n\t"C"\n)\n', 'import _ "os"\n', '"', '`', '\r\n', '\ufeff', '//go:build linux &&\n',
      'var x = 1\n', ';', ' ', '\t', 'import', '// go:build linux\n', '// é\n', 'π', '…',
    ].map(utf8Encode),
    // Bytes that are not UTF-8: Go's scanner rejects them even inside comments.
    Uint8Array.of(0xff),
    Uint8Array.of(0x2f, 0x2f, 0x20, 0xc3, 0x0a),
  ];
  const names = ['f.go', 'f_linux.go', 'f_test.go', 'f_windows_test.go', 'f_android.go'];
  const out: Record<string, Record<string, Uint8Array>> = {};
  for (let i = 0; i < count; i++) {
    const parts = Array.from({ length: 3 + Math.floor(rnd() * 8) }, () => pick(pieces));
    if (rnd() < 0.03) parts.push(Uint8Array.of(0));
    out[`soup${i}`] = { [pick(names)]: Uint8Array.from(parts.flatMap((p) => [...p])) };
  }
  return out;
}
Object.assign(CASES, fragmentSoup(300, 12345));

const TARGETS: readonly PortCase[] = [
  { goos: 'linux', goarch: 'amd64', cgo: true },
  { goos: 'linux', goarch: 'amd64', cgo: false },
  { goos: 'android', goarch: 'arm64' },
  { goos: 'windows', goarch: 'amd64', tags: 'custom' },
  { goos: 'illumos', goarch: 'amd64' },
];

let moduleDir = '';

before(async () => {
  moduleDir = mkdtempSync(path.join(tmpdir(), 'goperf-constraints-edge-'));
  await fs.writeFile(path.join(moduleDir, 'go.mod'), 'module example.com/edge\n\ngo 1.22\n');
  for (const [dir, files] of Object.entries(CASES)) {
    await fs.mkdir(path.join(moduleDir, dir));
    await fs.writeFile(path.join(moduleDir, dir, 'anchor.go'), 'package p\n');
    for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(moduleDir, dir, name), content);
  }
  // The go command reads directories with files changed in the last two seconds without its module
  // index, and the two readers disagree about invalid files; age the files to get the usual answer.
  const anHourAgo = new Date(Date.now() - 3600_000);
  for (const f of await collectFiles(moduleDir, () => true)) await fs.utimes(f, anHourAgo, anHourAgo);
});

after(() => rmSync(moduleDir, { recursive: true, force: true }));

test('crafted headers, names, cgo and broken files: same decisions as go list', async (t) => {
  const files = await collectFiles(moduleDir, (n) => n.endsWith('.go'));
  const expectedCount = Object.values(CASES).reduce((n, files) => n + Object.keys(files).length + 1, 0);
  assert.equal(files.length, expectedCount);
  const analyses = new Map(files.map((f) => [f, readAndAnalyze(f)] as const));
  const dirs = [...new Set(files.map((f) => path.dirname(f)))];
  for (const c of TARGETS) {
    const target = await resolveTarget(c, GO, moduleDir);
    const listed = await goListModule(moduleDir, c, dirs);
    const problems: string[] = [];
    let included = 0;
    for (const f of files) {
      const expected = expectedFor(listed.get(path.dirname(f)), path.basename(f));
      assert.ok(!('pseudo' in expected));
      const verdict = evaluateFile(analyses.get(f)!, target);
      if (verdict.included) included++;
      const d = disagreement(path.relative(moduleDir, f), expected, verdict);
      if (d) problems.push(d);
    }
    t.diagnostic(`${label(c)}: ${files.length - problems.length}/${files.length} agree, ${included} included`);
    assert.deepEqual(problems, [], label(c));
  }
});

test('verdicts explain themselves', async () => {
  const linux = await resolveTarget({ goos: 'linux', goarch: 'amd64', cgo: false }, GO, moduleDir);
  const verdict = (dir: string, name: string) => evaluateFile(analyses(dir, name), linux);
  const analyses = (dir: string, name: string) => analyzeGoFile(name, toBytes(CASES[dir][name]));

  const bom = verdict('bom', 'f.go');
  assert.equal(bom.decidedBy, 'go:build');
  assert.match(bom.reason, /^\/\/go:build windows is false for linux\/amd64: `windows` is false \(GOOS is linux\)$/);
  // The term's byte range points at "windows" in the file, after the 3-byte BOM.
  const text = CASES.bom['f.go'] as string;
  assert.equal(bom.terms[0].start, utf8Encode(text).indexOf(utf8Encode('windows')[0], 3));
  assert.equal(bom.terms[0].end - bom.terms[0].start, 'windows'.length);

  const name = verdict('names', 'x_windows_amd64.go');
  assert.equal(name.decidedBy, 'file-name');
  assert.equal(name.reason, 'file name suffix _windows_amd64 requires GOOS=windows and GOARCH=amd64, but GOOS is linux');

  const cgo = verdict('cgo', 'f.go');
  assert.equal(cgo.decidedBy, 'cgo');
  assert.equal(cgo.included, false);

  const complex = verdict('plusComplex', 'f.go');
  // (linux && 386) || (windows && !cgo) || android: the failing term of each alternative.
  assert.equal(complex.reason, '// +build linux,386 windows,!cgo android is false for linux/amd64: `386` is false (GOARCH is amd64); `windows` is false (GOOS is linux); `android` is false (GOOS is linux)');

  const invalid = verdict('invalidGoBuild', 'f.go');
  assert.equal(invalid.invalid, true);
  assert.equal(invalid.reason, 'parsing //go:build line: unexpected end of expression');

  const test_ = verdict('cgoTest', 'f_test.go');
  assert.equal(test_.included, true);
  assert.deepEqual(test_.problems.map((p) => p.message), ['use of cgo in test f_test.go not supported']);
});

function toBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? utf8Encode(content) : content;
}

test('random bytes and fragments never throw or hang', () => {
  let state = 99;
  const rnd = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const fragments = ['//go:build', ' linux', '&&', '||', '!', '(', ')', '// +build', '/*', '*/', '"', '`', "'", '\\', '\n', '\r', 'package', 'import', ' "C"', '\u00a0', '\ufeff', '\x00'].map(utf8Encode);
  const target = { goos: 'linux', goarch: 'amd64', cgoEnabled: true, compiler: 'gc', buildTags: [], toolTags: [], goVersion: 26 };
  const started = Date.now();
  for (let i = 0; i < 3000; i++) {
    const parts: Uint8Array[] = [];
    for (let k = 0; k < 1 + rnd() * 30; k++) {
      parts.push(rnd() < 0.7 ? fragments[Math.floor(rnd() * fragments.length)] : Uint8Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256)));
    }
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
    const name = i % 3 === 0 ? 'x_linux.go' : 'x.go';
    evaluateFile(analyzeGoFile(name, bytes), target);
    checkFile(name, bytes, { ports: [{ goos: 'linux', goarch: 'amd64', cgoSupported: true }] });
    const truncated = scanHeader(bytes.subarray(0, Math.floor(bytes.length / 2)), { truncated: true });
    assert.equal(typeof truncated.incomplete, 'boolean');
  }
  assert.ok(Date.now() - started < 20_000);
});

test('a header longer than the first read is read to its end', async () => {
  const file = path.join(moduleDir, 'largeHeader', 'f.go');
  const prefix = (await fs.readFile(file)).subarray(0, 64 * 1024);
  const partial = scanHeader(prefix, { truncated: true });
  assert.equal(partial.incomplete, true);
  const whole = readAndAnalyze(file);
  assert.equal(whole.header.incomplete, false);
  assert.equal(whole.header.goBuild.length, 1);
  assert.equal(whole.header.goBuild[0].line, 6000);
  // A large file with a short header needs only the first block.
  const body = scanHeader((await fs.readFile(path.join(moduleDir, 'largeBody', 'f.go'))).subarray(0, 64 * 1024), { truncated: true });
  assert.equal(body.incomplete, false);
  assert.equal(body.packageName, 'p');
});

test('constraint lines the build ignores are found with their positions', () => {
  const src = [
    '// Copyright',
    '// +build linux',
    'package p',
    '',
    'const s = "//go:build not a comment"',
    'var r = `',
    '//go:build inside a raw string',
    '`',
    '//go:build windows',
    '/*',
    '// +build darwin',
    '*/',
    '// go:build freebsd',
  ].join('\n');
  const bytes = utf8Encode(src);
  const header = scanHeader(bytes);
  assert.deepEqual(header.ignoredPlusBuild.map((c) => [c.line, c.why]), [[1, 'not-followed-by-blank-line']]);
  const stray = findStrayConstraints(bytes, header.commentRegionEnd);
  assert.deepEqual(
    stray.map((s) => [s.kind, s.line, s.text, s.inBlockComment]),
    [
      ['go:build', 8, '//go:build windows', false],
      ['+build', 10, '// +build darwin', true],
      ['malformed-go:build', 12, '// go:build freebsd', false],
    ],
  );
  assert.equal(src.slice(stray[0].start, stray[0].end), '//go:build windows');
});
