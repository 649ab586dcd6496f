// The build-constraint language server end to end: the bundled
// dist/server.js is started as its own process and spoken to over stdio with
// vscode-jsonrpc, as an editor would. Which files are excluded, and what the
// quick fixes leave behind, is judged by the go command (go list, gofmt, go vet)
// on temporary modules.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { CodeAction, Command, Diagnostic as ProtocolDiagnostic, Hover, PublishDiagnosticsParams as ProtocolPublish, Range } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GO, runGo } from '../fixtures/constraints/golist';

const ROOT = path.resolve(__dirname, '../..');
const SERVER = path.join(ROOT, 'dist/server.js');

/** Our server's messages are plain strings. */
type Diagnostic = ProtocolDiagnostic & { message: string };
type PublishDiagnosticsParams = ProtocolPublish & { diagnostics: Diagnostic[] };

interface TargetRequest {
  goos: string;
  goarch: string;
  tags: string[];
  cgoEnabled: boolean;
}

/** Rebuilds dist/server.js when a source it bundles is newer, so the test never talks to a stale server. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  const built = (() => {
    try {
      return statSync(SERVER).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (built >= Math.max(newest(path.join(ROOT, 'src/server')), newest(path.join(ROOT, 'src/core/constraints')), newest(path.join(ROOT, 'src/cli')))) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(r.status, 0, 'node scripts/build.mjs failed');
}

class LspClient {
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: Array<() => void> = [];
  settings: Record<string, unknown> = { constraints: { misspelledTags: true } };
  private versions = new Map<string, number>();

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
  ) {
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.latest.set(p.uri, p);
      for (const w of this.waiters.splice(0)) w();
    });
    conn.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map((i) => (i.section === 'goperf' ? this.settings : null)));
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onNotification('window/logMessage', () => undefined);
  }

  capabilities: Record<string, unknown> = {};

  static async start(rootDir: string, target?: TargetRequest, options: Record<string, unknown> = {}): Promise<LspClient> {
    const proc = spawn(process.execPath, [SERVER, '--stdio'], { cwd: rootDir, stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new LspClient(proc, conn);
    conn.listen();
    const result = await conn.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootDir).href,
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
      initializationOptions: { ...(target ? { target } : {}), ...options },
    });
    client.capabilities = result.capabilities;
    await conn.sendNotification('initialized', {});
    return client;
  }

  open(file: string, text: string): string {
    const uri = pathToFileURL(file).href;
    this.versions.set(uri, 1);
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1, text } });
    return uri;
  }

  change(uri: string, range: Range, text: string): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** Resolves with the first published diagnostics (the latest ones included) that satisfy `ok`. */
  diagnostics(uri: string, ok: (d: Diagnostic[], p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 60_000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.latest.get(uri)?.diagnostics)}`)), timeoutMs);
      const check = () => {
        const p = this.latest.get(uri);
        if (p && ok(p.diagnostics, p)) {
          clearTimeout(timer);
          resolve(p.diagnostics);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Diagnostics for the document's current version. */
  current(uri: string, ok: (d: Diagnostic[]) => boolean = () => true): Promise<Diagnostic[]> {
    return this.diagnostics(uri, (d, p) => p.version === this.version(uri) && ok(d));
  }

  hover(uri: string, line: number, character: number): Promise<Hover | null> {
    return this.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  codeActions(uri: string, diagnostic: Diagnostic): Promise<Array<CodeAction | Command>> {
    return this.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.conn.dispose();
  }
}

let work = '';
const clients: LspClient[] = [];
async function startClient(rootDir: string, target?: TargetRequest, options?: Record<string, unknown>): Promise<LspClient> {
  const c = await LspClient.start(rootDir, target, options);
  clients.push(c);
  return c;
}

async function writeModule(name: string, goVersion: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(work, name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'go.mod'), `module example.com/${name}\n\ngo ${goVersion}\n`);
  for (const [f, text] of Object.entries(files)) await fs.writeFile(path.join(dir, f), text);
  return dir;
}

function envFor(t: TargetRequest): NodeJS.ProcessEnv {
  return { ...process.env, GOOS: t.goos, GOARCH: t.goarch, CGO_ENABLED: t.cgoEnabled ? '1' : '0', GOFLAGS: '' };
}

async function goList(dir: string, t: TargetRequest, field: 'IgnoredGoFiles' | 'IgnoredOtherFiles' | 'GoFiles'): Promise<string[]> {
  const tags = t.tags.length ? ['-tags', t.tags.join(',')] : [];
  const out = await runGo(['list', '-e', '-f', `{{join .${field} " "}}`, ...tags, '.'], dir, envFor(t));
  return out.trim().split(/\s+/).filter(Boolean).sort();
}

function apply(text: string, action: CodeAction, uri: string): string {
  const edits = action.edit?.changes?.[uri];
  assert.ok(edits, `action "${action.title}" has no edits for ${uri}`);
  return TextDocument.applyEdits(TextDocument.create(uri, 'go', 1, text), edits);
}

const byCode = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code);
const isAction = (x: CodeAction | Command): x is CodeAction => 'kind' in x || 'edit' in x || 'diagnostics' in x;

before(() => {
  ensureBuilt();
  work = mkdtempSync(path.join(tmpdir(), 'goperf-server-'));
});

after(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  rmSync(work, { recursive: true, force: true });
});

test('excluded files match go list under each target, set by initializationOptions and goperf/setTarget', async () => {
  const files: Record<string, string> = {
    'p.go': 'package p\n',
    'a_windows.go': 'package p\n',
    'b.go': '//go:build windows || darwin\n\npackage p\n',
    'c.go': '//go:build linux\n\npackage p\n',
    'd.go': '//go:build integration && !windows\n\npackage p\n',
    'e_amd64.go': 'package p\n',
    'f.go': '// +build linux,386\n\npackage p\n',
    'g.go': '//go:build cgo\n\npackage p\n',
    'h.go': 'package p\n\nimport "C"\n',
    // Constraints apply to the other source kinds too; go list reports those it skips in IgnoredOtherFiles.
    'asm_windows.s': '#include "textflag.h"\n',
    'k.s': '//go:build linux && 386\n\n#include "textflag.h"\n',
    'z.h': '//go:build ignore\n\nint x;\n',
    'w.c': '// +build linux\n\nint y;\n',
    // Opened last: its diagnostic names the target, and arrives after the others' for the same target.
    'zz.go': '//go:build goperf_sentinel\n\npackage p\n',
  };
  const dir = await writeModule('targets', '1.21', files);
  const targets: TargetRequest[] = [
    { goos: 'linux', goarch: 'amd64', tags: [], cgoEnabled: false },
    { goos: 'windows', goarch: 'arm64', tags: ['integration'], cgoEnabled: false },
    { goos: 'linux', goarch: '386', tags: ['integration'], cgoEnabled: true },
  ];
  const client = await startClient(dir, targets[0]);
  // VS Code's extension implements the quick fixes' commands; the server must not claim them there.
  assert.equal(client.capabilities.executeCommandProvider, undefined);
  const uris = new Map(Object.entries(files).map(([f, text]) => [f, client.open(path.join(dir, f), text)]));
  const sentinel = uris.get('zz.go')!;

  for (const [i, target] of targets.entries()) {
    if (i > 0) void client.conn.sendNotification('goperf/setTarget', target);
    const port = `${target.goos}/${target.goarch}`;
    await client.diagnostics(sentinel, (d) => d.some((x) => x.code === 'excluded' && x.message.startsWith(`excluded for ${port}`)));
    const excluded: string[] = [];
    for (const [f, uri] of uris) {
      const ds = await client.diagnostics(uri);
      const ex = byCode(ds, 'excluded');
      assert.ok(ex.length <= 1, `${f}: ${JSON.stringify(ex)}`);
      if (ex.length) {
        assert.ok(ex[0].message.startsWith(`excluded for ${port}`), ex[0].message);
        assert.equal(ex[0].severity, 3);
        excluded.push(f);
      }
    }
    const ignored = [...(await goList(dir, target, 'IgnoredGoFiles')), ...(await goList(dir, target, 'IgnoredOtherFiles'))];
    assert.deepEqual(excluded.sort(), ignored.sort(), `target ${port}`);
  }

  // The message names the term that is false; the range is the constraint line.
  void client.conn.sendNotification('goperf/setTarget', targets[0]);
  await client.diagnostics(sentinel, (d) => d.some((x) => x.message.startsWith('excluded for linux/amd64')));
  const [b] = byCode(await client.diagnostics(uris.get('b.go')!), 'excluded');
  assert.match(b.message, /^excluded for linux\/amd64: `windows` is false \(GOOS is linux\); `darwin` is false \(GOOS is linux\)$/);
  assert.deepEqual(b.range, { start: { line: 0, character: 0 }, end: { line: 0, character: '//go:build windows || darwin'.length } });
  const [a] = byCode(await client.diagnostics(uris.get('a_windows.go')!), 'excluded');
  assert.match(a.message, /_windows requires GOOS=windows, but GOOS is linux/);
});

test('hover: the value term by term, and the ports go list builds the file on', async () => {
  const dir = await writeModule('hover', '1.21', { 'p.go': 'package p\n', 'c.go': '//go:build linux && !cgo\n\npackage p\n' });
  const target: TargetRequest = { goos: 'linux', goarch: 'amd64', tags: [], cgoEnabled: false };
  const client = await startClient(dir, target);
  const uri = client.open(path.join(dir, 'c.go'), '//go:build linux && !cgo\n\npackage p\n');
  const ports = JSON.parse(await runGo(['tool', 'dist', 'list', '-json'], dir)) as Array<{ GOOS: string; GOARCH: string; FirstClass: boolean }>;
  const builds: Array<{ name: string; firstClass: boolean }> = [];
  const queue = [...ports];
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const files = await goList(dir, { goos: p.GOOS, goarch: p.GOARCH, tags: [], cgoEnabled: false }, 'GoFiles');
        if (files.includes('c.go')) builds.push({ name: `${p.GOOS}/${p.GOARCH}`, firstClass: p.FirstClass });
      }
    }),
  );
  const firstClass = builds.filter((b) => b.firstClass).map((b) => b.name);
  const others = builds.filter((b) => !b.firstClass).length;
  assert.ok(firstClass.length > 0 && others > 0, JSON.stringify(builds));

  // The hover waits for nothing, so ask until the ports are known.
  let value = '';
  for (let tries = 0; tries < 200 && !value.includes('Builds on'); tries++) {
    const h = await client.hover(uri, 0, 12);
    value = (h?.contents as { value: string } | undefined)?.value ?? '';
    if (!value.includes('Builds on')) await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(value, /`linux && !cgo` is \*\*true\*\* for linux\/amd64/);
  assert.match(value, /\| `linux` \| true \| GOOS is linux \|/);
  assert.match(value, /\| `cgo` \| false \| cgo is disabled \|/);
  const listed = /Builds on first-class ports: ([^;]*);/.exec(value)?.[1].split(', ').sort();
  assert.deepEqual(listed, firstClass.sort());
  assert.match(value, new RegExp(`also builds on ${others} other ports`));
  assert.equal(await client.hover(uri, 2, 3), null, 'no hover on the package clause');
});

test('syntax errors at their exact column, misspelled tags, CRLF and BOM, the setting that silences them, the host target by default', async () => {
  const dir = await writeModule('syntax', '1.21', { 'p.go': 'package p\n' });
  const client = await startClient(dir);
  const cases: Array<[string, string, string, number, number, RegExp]> = [
    ['s1.go', '//go:build linux && || amd64\n\npackage p\n', 'syntax', 20, 21, /^invalid \/\/go:build line: unexpected token \|\|$/],
    // é is two bytes but one UTF-16 unit: LSP columns count UTF-16 units. An error at the end of the line is an empty range there.
    ['s2.go', '//go:build é && (linux ||\n\npackage p\n', 'syntax', 25, 25, /missing close paren/],
    ['s3.go', '//go:build linux && amd46\n\npackage p\n', 'unknown-tag', 20, 25, /^unknown GOARCH `amd46`; did you mean `amd64`\?$/],
    ['s4.go', '\ufeff//go:build windwos || darwin\r\n\r\npackage p\r\n', 'unknown-tag', 11, 18, /^unknown GOOS `windwos`; did you mean `windows`\?$/],
  ];
  const uris: string[] = [];
  for (const [file, text, code, start, end, message] of cases) {
    const uri = client.open(path.join(dir, file), text);
    uris.push(uri);
    const ds = byCode(await client.diagnostics(uri, (d) => byCode(d, code).length > 0), code);
    assert.equal(ds.length, 1, file);
    assert.deepEqual(ds[0].range, { start: { line: 0, character: start }, end: { line: 0, character: end } }, file);
    assert.match(ds[0].message, message, file);
    assert.equal(ds[0].source, 'goperf');
  }
  // Real names are never taken for misspellings.
  const real = client.open(path.join(dir, 'real.go'), '//go:build (linux && amd64) || (darwin && arm64) || wasip1 || loong64 || unix\n\npackage p\n');
  assert.deepEqual(byCode(await client.diagnostics(real), 'unknown-tag'), []);

  client.settings = { constraints: { misspelledTags: false } };
  void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  await client.diagnostics(uris[2], (d) => byCode(d, 'unknown-tag').length === 0);

  // No target given: the go command's default for this machine.
  const env = (await runGo(['env', 'GOOS', 'GOARCH'], dir)).trim().split('\n');
  const other = env[0] === 'windows' ? 'linux' : 'windows';
  await fs.writeFile(path.join(dir, 'x.go'), `//go:build ${other}\n\npackage p\n`);
  const excluded = client.open(path.join(dir, 'x.go'), `//go:build ${other}\n\npackage p\n`);
  const [ex] = await client.diagnostics(excluded, (d) => byCode(d, 'excluded').length > 0);
  assert.equal(ex.message, `excluded for ${env[0]}/${env[1]}: \`${other}\` is false (GOOS is ${env[0]})`);

  // A target in the settings pushed with didChangeConfiguration.
  const target: TargetRequest = { goos: other, goarch: 'amd64', tags: [], cgoEnabled: false };
  void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { goperf: { target } } });
  await client.diagnostics(excluded, (d) => byCode(d, 'excluded').length === 0);
  assert.ok((await goList(dir, target, 'GoFiles')).includes('x.go'));
});

test('misplaced, contradicting, never-true and obsolete constraints are reported in words of their own', async () => {
  const dir = await writeModule('lint', '1.21', { 'p.go': 'package p\n' });
  const client = await startClient(dir, { goos: 'linux', goarch: 'amd64', tags: [], cgoEnabled: false });
  const expect = async (file: string, text: string, code: string, line: number, message: RegExp) => {
    const uri = client.open(path.join(dir, file), text);
    const ds = byCode(await client.diagnostics(uri, (d) => byCode(d, code).length > 0), code);
    assert.equal(ds[0].range.start.line, line, `${file}: ${JSON.stringify(ds)}`);
    assert.match(ds[0].message, message, file);
    return ds[0];
  };
  await expect('m1.go', 'package p\n\n//go:build windows\n', 'misplaced-go-build', 2, /^ignored by the go command, silently: constraints must come before the package clause$/);
  await expect('m2.go', '// +build windows\npackage p\n', 'misplaced-plus-build', 0, /a blank line follows them/);
  await expect('m3.go', '/*\n//go:build windows\n*/\n\npackage p\n', 'misplaced-go-build', 1, /inside \/\* \*\/ comments/);
  await expect('foo_windows.go', '//go:build linux\n\npackage p\n', 'name-contradiction', 0, /^this file can never build: its name restricts it to windows/);
  await expect('n.go', '//go:build linux && windows\n\npackage p\n', 'never-true', 0, /can never be true/);
  await expect('z.go', '//go:build zos\n\npackage p\n', 'no-real-port', 0, /false on every port of this Go toolchain/);
  const hint = await expect('o.go', '//go:build linux\n// +build linux\n\npackage p\n', 'plus-build-obsolete', 1, /go\.mod says go 1\.21/);
  assert.deepEqual(hint.tags, [1]);
  await expect('mm.go', '//go:build linux && amd64\n// +build linux\n\npackage p\n', 'plus-build-mismatch', 1, /do not match/);
});

test('quick fixes leave text the go command accepts, with the effect go list shows', async () => {
  const old = await writeModule('fix116', '1.16', { 'p.go': 'package p\n' });
  const modern = await writeModule('fix121', '1.21', { 'p.go': 'package p\n' });
  const linux: TargetRequest = { goos: 'linux', goarch: 'amd64', tags: [], cgoEnabled: false };
  const client = await startClient(modern, linux);

  const fix = async (dir: string, file: string, text: string, code: string, title: RegExp) => {
    const uri = client.open(path.join(dir, file), text);
    const [d] = byCode(await client.diagnostics(uri, (ds) => byCode(ds, code).length > 0), code);
    const actions = (await client.codeActions(uri, d)).filter(isAction);
    const action = actions.find((a) => title.test(a.title));
    assert.ok(action, `${file}: no action ${title} among ${actions.map((a) => a.title).join(' | ')}`);
    const fixed = apply(text, action, uri);
    await fs.writeFile(path.join(dir, file), fixed);
    return fixed;
  };
  const gofmtClean = (dir: string) => {
    const r = spawnSync('gofmt', ['-l', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '', `gofmt -l lists ${r.stdout}`);
  };
  const vetClean = async (dir: string) => {
    await runGo(['vet', './...'], dir, envFor(linux));
  };

  // +build only, module at go 1.16: add the //go:build line, keep the +build lines.
  const converted = await fix(old, 'a.go', '// +build linux,amd64 windows\n\npackage p\n', 'plus-build-only', /^Add the \/\/go:build line/);
  assert.match(converted, /^\/\/go:build \(linux && amd64\) \|\| windows\n\/\/ \+build linux,amd64 windows\n\npackage p\n$/);
  gofmtClean(old);
  await vetClean(old);

  // At go 1.21 the +build lines can go.
  const replaced = await fix(modern, 'b.go', '// +build linux,amd64 windows\n\npackage p\n', 'plus-build-only', /^Replace the \+build lines/);
  assert.doesNotMatch(replaced, /\+build/);
  const removed = await fix(modern, 'c.go', '//go:build linux\n// +build linux\n\npackage p\n', 'plus-build-obsolete', /^Remove the obsolete/);
  assert.doesNotMatch(removed, /\+build/);
  gofmtClean(modern);
  await vetClean(modern);
  assert.deepEqual(await goList(modern, { ...linux, goarch: '386' }, 'IgnoredGoFiles'), ['b.go']);

  // Misplaced lines start to count once fixed: go list then ignores the files for linux.
  await fs.writeFile(path.join(modern, 'm.go'), 'package p\n\n//go:build windows\n');
  await fs.writeFile(path.join(modern, 'n.go'), '// +build windows\npackage p\n');
  assert.deepEqual(await goList(modern, linux, 'IgnoredGoFiles'), []);
  await fix(modern, 'm.go', 'package p\n\n//go:build windows\n', 'misplaced-go-build', /^Move the constraint/);
  await fix(modern, 'n.go', '// +build windows\npackage p\n', 'misplaced-plus-build', /^Add the blank line/);
  assert.deepEqual(await goList(modern, linux, 'IgnoredGoFiles'), ['m.go', 'n.go']);
  gofmtClean(path.join(modern, 'm.go'));

  // The misspelled GOARCH: once corrected the file builds for linux/amd64.
  await fs.writeFile(path.join(modern, 'j.go'), '//go:build linux && amd46\n\npackage p\n');
  assert.ok((await goList(modern, linux, 'IgnoredGoFiles')).includes('j.go'));
  const corrected = await fix(modern, 'j.go', '//go:build linux && amd46\n\npackage p\n', 'unknown-tag', /^Change `amd46` to `amd64`$/);
  assert.equal(corrected, '//go:build linux && amd64\n\npackage p\n');
  assert.ok((await goList(modern, linux, 'GoFiles')).includes('j.go'));
});

test('excluded files offer a port where go list builds them, and the missing tag', async () => {
  const dir = await writeModule('commands', '1.21', { 'p.go': 'package p\n' });
  const linux: TargetRequest = { goos: 'linux', goarch: 'amd64', tags: [], cgoEnabled: false };
  const client = await startClient(dir, linux);
  const files = {
    'w.go': '//go:build windows || darwin\n\npackage p\n',
    'i.go': '//go:build integration && !windows\n\npackage p\n',
    // Builds on no port with the target's tags: the suggestions add the tag.
    'x.go': '//go:build (windows || darwin) && integration\n\npackage p\n',
  };
  for (const [f, text] of Object.entries(files)) await fs.writeFile(path.join(dir, f), text);
  const i = client.open(path.join(dir, 'i.go'), files['i.go']);

  for (const f of ['w.go', 'x.go']) {
    const uri = client.open(path.join(dir, f), files[f as keyof typeof files]);
    // The port suggestions need the port list, which arrives after the first diagnostics.
    let commands: Command[] = [];
    for (let tries = 0; tries < 200 && commands.length === 0; tries++) {
      const [d] = byCode(await client.diagnostics(uri, (ds) => byCode(ds, 'excluded').length > 0), 'excluded');
      commands = (await client.codeActions(uri, d)).filter(isAction).flatMap((a) => (a.command?.command === 'goperf.setTarget' ? [a.command] : []));
      if (commands.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(commands.length > 0, f);
    for (const c of commands) {
      const request = c.arguments![0] as TargetRequest;
      assert.deepEqual(Object.keys(request).sort(), ['cgoEnabled', 'goarch', 'goos', 'tags']);
      assert.ok((await goList(dir, request, 'GoFiles')).includes(f), `${f}: ${JSON.stringify(request)}`);
    }
  }

  const [d] = byCode(await client.diagnostics(i, (ds) => byCode(ds, 'excluded').length > 0), 'excluded');
  const addTag = (await client.codeActions(i, d)).filter(isAction).find((a) => a.command?.command === 'goperf.addTag');
  assert.deepEqual(addTag?.command?.arguments, ['integration']);
  assert.ok((await goList(dir, { ...linux, tags: ['integration'] }, 'GoFiles')).includes('i.go'));
});

test('for editors without client commands (Neovim, Helix) the server runs goperf.addTag and goperf.setTarget itself', async () => {
  const dir = await writeModule('servercommands', '1.21', { 'p.go': 'package p\n', 'i.go': '//go:build integration && !windows\n\npackage p\n' });
  const linux: TargetRequest = { goos: 'linux', goarch: 'amd64', tags: [], cgoEnabled: false };
  const client = await startClient(dir, linux, { executeCommands: true });
  assert.deepEqual(client.capabilities.executeCommandProvider, { commands: ['goperf.setTarget', 'goperf.addTag'] });
  const uri = client.open(path.join(dir, 'i.go'), '//go:build integration && !windows\n\npackage p\n');
  const [d] = byCode(await client.diagnostics(uri, (ds) => byCode(ds, 'excluded').length > 0), 'excluded');
  const addTag = (await client.codeActions(uri, d)).filter(isAction).find((a) => a.command?.command === 'goperf.addTag')!;
  await client.conn.sendRequest('workspace/executeCommand', { command: addTag.command!.command, arguments: addTag.command!.arguments });
  await client.diagnostics(uri, (ds) => byCode(ds, 'excluded').length === 0);
  assert.ok((await goList(dir, { ...linux, tags: ['integration'] }, 'GoFiles')).includes('i.go'));

  const windows: TargetRequest = { goos: 'windows', goarch: 'amd64', tags: ['integration'], cgoEnabled: false };
  await client.conn.sendRequest('workspace/executeCommand', { command: 'goperf.setTarget', arguments: [windows] });
  const [ex] = byCode(await client.diagnostics(uri, (ds) => byCode(ds, 'excluded').length > 0), 'excluded');
  assert.equal(ex.message, 'excluded for windows/amd64 (tags integration): `!windows` is false (GOOS is windows)');
  assert.ok((await goList(dir, windows, 'IgnoredGoFiles')).includes('i.go'));
});

test('without a working go command the server still reports what needs no target', async () => {
  const dir = await writeModule('nogo', '1.21', { 'p.go': 'package p\n' });
  const client = await startClient(dir, undefined, { goPath: path.join(dir, 'no-such-go') });
  const uri = client.open(path.join(dir, 'a.go'), '//go:build linux && amd46\n\npackage p\n');
  assert.equal(byCode(await client.diagnostics(uri, (d) => byCode(d, 'unknown-tag').length > 0), 'unknown-tag').length, 1);
  const hover = await client.hover(uri, 0, 12);
  assert.match((hover?.contents as { value: string }).value, /the build target is not known yet/);
});

test('huge, binary and pathological documents get an answer, and edits are re-checked quickly', async () => {
  const dir = await writeModule('stress', '1.21', { 'p.go': 'package p\n' });
  const client = await startClient(dir, { goos: 'linux', goarch: 'amd64', tags: [], cgoEnabled: false });

  const terms = Array.from({ length: 10_000 }, (_, k) => `t${k}`);
  const big = client.open(path.join(dir, 'big.go'), `//go:build ${terms.join(' || ')}\n\npackage p\n`);
  const [tooLarge] = byCode(await client.diagnostics(big, (d) => byCode(d, 'syntax').length > 0), 'syntax');
  assert.match(tooLarge.message, /build expression too large/);
  assert.ok(await client.hover(big, 0, 5));
  const plus = client.open(path.join(dir, 'plus.go'), `// +build ${terms.join(' ')}\n\npackage p\n`);
  assert.ok((await client.diagnostics(plus)).length > 0);
  assert.ok(await client.hover(plus, 0, 5));

  const binary = new Uint8Array(4096).map((_, k) => (k * 7919 + 13) % 256);
  const bin = client.open(path.join(dir, 'bin.go'), String.fromCharCode(0, ...binary));
  assert.deepEqual(byCode(await client.diagnostics(bin), 'nul').length, 1);
  const asm = client.open(path.join(dir, 'bin_amd64.s'), String.fromCharCode(...binary));
  await client.diagnostics(asm);

  // 50 MB: only the header is analysed.
  const body = 'func f() { println("filler line of a very large generated file") }\n';
  const huge = '//go:build linux && amd46\n\npackage p\n\n' + body.repeat(Math.ceil((50 << 20) / body.length));
  const hugeUri = client.open(path.join(dir, 'huge.go'), huge);
  const opened = Date.now();
  const [misspelled] = byCode(await client.diagnostics(hugeUri, (d) => byCode(d, 'unknown-tag').length > 0, 120_000), 'unknown-tag');
  const openMillis = Date.now() - opened;
  assert.equal(misspelled.range.start.character, 20);
  assert.ok(await client.hover(hugeUri, 0, 12));

  // An edit to the huge file: fix the tag, then the diagnostic must go.
  let started = Date.now();
  client.change(hugeUri, { start: { line: 0, character: 20 }, end: { line: 0, character: 25 } }, 'amd64');
  await client.current(hugeUri, (d) => byCode(d, 'unknown-tag').length === 0);
  const hugeEditMillis = Date.now() - started;

  // Small file: the round trip of one keystroke.
  const small = client.open(path.join(dir, 'small.go'), '//go:build linux && amd64\n\npackage p\n');
  await client.current(small);
  const latencies: number[] = [];
  for (let k = 0; k < 10; k++) {
    started = Date.now();
    client.change(small, { start: { line: 0, character: 20 }, end: { line: 0, character: 25 } }, k % 2 === 0 ? 'amd46' : 'amd64');
    await client.current(small, (d) => byCode(d, 'unknown-tag').length === (k % 2 === 0 ? 1 : 0));
    latencies.push(Date.now() - started);
  }
  latencies.sort((x, y) => x - y);
  console.log(`server: 50 MB open→diagnostics ${openMillis} ms, 50 MB edit→diagnostics ${hugeEditMillis} ms, small edit→diagnostics median ${latencies[5]} ms, max ${latencies[9]} ms`);
  assert.ok(latencies[5] < 1000, `median edit latency ${latencies[5]} ms`);
});
