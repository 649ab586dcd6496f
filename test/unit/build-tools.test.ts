// clean, list, get and run as goperf runs them, against the go command. The
// module upgrade test runs offline: its dependency comes from a module proxy
// written into a temp folder (GOPROXY=file://…), with its own module cache.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { cleanArgs, getArgs, parseDependencies, parseJsonStream, parseModuleUpgrades, parseNmSizes, runArgs, sizeByPackage, symbolPackage } from '../../src/core/go/buildTools';
import { runGo } from '../../src/core/go/runGo';

const repoRoot = join(__dirname, '..', '..');

/** A zip archive with stored (uncompressed) entries, as a module proxy serves modules. */
function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
const sample = join(repoRoot, 'sample');

describe('go list output', () => {
  test('the values of go list -json are split as go printed them', () => {
    const text = execFileSync('go', ['list', '-json', './...'], { cwd: sample, encoding: 'utf8' });
    const listed = execFileSync('go', ['list', './...'], { cwd: sample, encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(parseJsonStream(text, 'go list').map((p) => (p as { ImportPath: string }).ImportPath), listed);
    assert.throws(() => parseJsonStream('{"a":1} oops', 'go list'), /go list printed something that is not JSON at offset 8: oops/);
    assert.throws(() => parseJsonStream('{"a":"}', 'go list'), /go list printed JSON that ends early/);
  });

  test('a package\'s dependencies are what go list -deps lists, itself excluded, its module named', () => {
    const pkg = 'example.com/goperf-sample/cmd/server';
    const deps = parseDependencies(execFileSync('go', ['list', '-deps', '-json', './cmd/server'], { cwd: sample, encoding: 'utf8' }), pkg);
    const expected = execFileSync('go', ['list', '-deps', '-f', '{{.ImportPath}}', './cmd/server'], { cwd: sample, encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((p) => p !== pkg);
    assert.deepEqual(deps.map((d) => d.importPath).sort(), expected.sort());
    const workload = deps.find((d) => d.importPath === 'example.com/goperf-sample/workload');
    assert.deepEqual(workload && { standard: workload.standard, module: workload.module, dir: workload.dir, file: workload.firstFile }, {
      standard: false,
      module: 'example.com/goperf-sample',
      dir: join(sample, 'workload'),
      file: 'workload.go',
    });
    assert.equal(deps[0].importPath, 'example.com/goperf-sample/workload', 'the module\'s own packages before the standard library');
  });
});

describe('module upgrades from an offline proxy', () => {
  let root: string;
  let module: string;
  let env: Record<string, string>;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'goperf-tools-'));
    const versions = join(root, 'proxy', 'example.com', 'dep', '@v');
    mkdirSync(versions, { recursive: true });
    writeFileSync(join(versions, 'list'), 'v1.0.0\nv1.1.0\n');
    for (const [version, time] of [['v1.0.0', '2024-01-01'], ['v1.1.0', '2024-06-01']]) {
      writeFileSync(join(versions, `${version}.info`), JSON.stringify({ Version: version, Time: `${time}T00:00:00Z` }));
      writeFileSync(join(versions, `${version}.mod`), 'module example.com/dep\n\ngo 1.22\n');
      writeFileSync(join(versions, `${version}.zip`), storedZip({ [`example.com/dep@${version}/go.mod`]: 'module example.com/dep\n\ngo 1.22\n' }));
    }
    module = join(root, 'main');
    mkdirSync(module);
    writeFileSync(join(module, 'go.mod'), 'module example.com/main\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n');
    writeFileSync(join(module, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() { fmt.Println(len(os.Args[1:]), os.Args[1:]) }\n');
    env = {
      GOPROXY: pathToFileURL(join(root, 'proxy')).href,
      GOSUMDB: 'off',
      GOFLAGS: '-mod=mod',
      GOMODCACHE: join(root, 'modcache'),
      GOTOOLCHAIN: 'local',
    };
  });

  after(async () => {
    // The module cache is read-only by design: go clean -modcache is how it goes.
    if (existsSync(join(root, 'modcache'))) await runGo('go', cleanArgs('modcache'), { cwd: module, env });
    rmSync(root, { recursive: true, force: true });
  });

  test('upgrades are listed, go get applies one, go clean -modcache empties the cache', { timeout: 60_000 }, async () => {
    const listed = await runGo('go', ['list', '-m', '-u', '-json', 'all'], { cwd: module, env });
    assert.equal(listed.exitCode, 0, listed.stderr);
    assert.deepEqual(parseModuleUpgrades(listed.stdout), [{ path: 'example.com/dep', version: 'v1.0.0', update: 'v1.1.0', indirect: false }]);

    const got = await runGo('go', getArgs(parseModuleUpgrades(listed.stdout)), { cwd: module, env });
    assert.equal(got.exitCode, 0, got.stderr);
    const now = execFileSync('go', ['list', '-m', 'example.com/dep'], { cwd: module, env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
    assert.equal(now, 'example.com/dep v1.1.0');
    assert.deepEqual(parseModuleUpgrades((await runGo('go', ['list', '-m', '-u', '-json', 'all'], { cwd: module, env })).stdout), []);

    assert.ok(readdirSync(join(root, 'modcache')).length > 0, 'the module cache has content');
    const cleaned = await runGo('go', cleanArgs('modcache'), { cwd: module, env });
    assert.equal(cleaned.exitCode, 0, cleaned.stderr);
    assert.ok(!existsSync(join(root, 'modcache')) || readdirSync(join(root, 'modcache')).length === 0, 'go clean -modcache emptied it');
  });

  test('go run passes each program argument as one, spaces included', { timeout: 60_000 }, async () => {
    const run = await runGo('go', runArgs('.', ['a b', '', "it's"]), { cwd: module, env });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout.trimEnd(), "3 [a b  it's]");
  });
});

describe('go tool nm sizes', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'goperf-nm-'));
    execFileSync('go', ['build', '-o', join(dir, 'server'), './cmd/server'], { cwd: sample, env: { ...process.env, CGO_ENABLED: '0' } });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every line of go tool nm -size -sort size is one symbol, in its order, and sums per package add up', () => {
    const text = execFileSync('go', ['tool', 'nm', '-size', '-sort', 'size', join(dir, 'server')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const lines = text.trim().split('\n');
    const symbols = parseNmSizes(text);
    assert.equal(symbols.length, lines.length);
    // Columns: address (absent for undefined symbols), size, type letter, name (which may hold spaces).
    const sizeColumn = (fields: string[]) => (/^\d+$/.test(fields[1]) && fields[2]?.length === 1 ? fields[1] : fields[0]);
    assert.deepEqual(symbols.map((s) => s.size), lines.map((l) => Number(sizeColumn(l.trim().split(/\s+/)))));
    assert.ok(symbols.every((s, i) => i === 0 || s.size <= symbols[i - 1].size), 'sorted by size');
    const main = symbols.find((s) => s.name === 'main.main');
    assert.ok(main && main.type === 'T' && main.size > 0);
    const packages = sizeByPackage(symbols);
    assert.equal(packages.reduce((sum, p) => sum + p.size, 0), symbols.filter((s) => s.type !== 'U').reduce((sum, s) => sum + s.size, 0));
    for (const name of ['runtime', 'net/http', 'main', 'example.com/goperf-sample/workload']) assert.ok(packages.some((p) => p.name === name), name);
  });

  test('symbol names map to their packages', () => {
    assert.equal(symbolPackage('net/http.(*Server).Serve'), 'net/http');
    assert.equal(symbolPackage('example.com/goperf-sample/workload.Fib'), 'example.com/goperf-sample/workload');
    assert.equal(symbolPackage('type:*net/http.Server'), 'type:');
    assert.equal(symbolPackage('go:func.*'), 'go:');
    assert.equal(symbolPackage('gopkg.in/yaml%2ev3.(*parser).parse'), 'gopkg.in/yaml.v3');
    assert.equal(symbolPackage('crypto/internal/entropy/v1%2e0%2e0.Samples'), 'crypto/internal/entropy/v1.0.0');
    assert.equal(symbolPackage('sync/atomic.(*Pointer[go.shape.struct { a int }]).Load'), 'sync/atomic');
  });
});
