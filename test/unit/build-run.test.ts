// Real builds with the go command: binaries land where asked with go's own
// record of how they were built (go version -m), compile errors become
// diagnostics at the positions written into the broken source, the
// `$goperf-go` problem matcher of package.json reads the same lines, and a
// failed or cancelled build leaves the previous binary untouched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkPreset, locationLine, parseBuildOutput, planBuild, type BuildPreset } from '../../src/core/go/build';
import { listPackages, runBuild } from '../../src/core/go/buildRun';
import type { TargetSpec } from '../../src/core/go/target';

const repoRoot = join(__dirname, '..', '..');
const host: TargetSpec = {
  goos: execFileSync('go', ['env', 'GOOS'], { encoding: 'utf8' }).trim(),
  goarch: execFileSync('go', ['env', 'GOARCH'], { encoding: 'utf8' }).trim(),
  tags: [],
  cgoEnabled: false,
};

function preset(raw: Record<string, unknown>): BuildPreset {
  const check = checkPreset({ name: 'test', ...raw });
  assert.deepEqual(check.errors, []);
  return check.preset!;
}

/** `go version -m`: the module path and the build settings go recorded in the binary. */
function buildInfo(binary: string): { path: string; settings: Map<string, string> } {
  const out = execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' });
  const path = /^\tpath\t(\S+)$/m.exec(out)?.[1] ?? '';
  const settings = new Map<string, string>();
  for (const m of out.matchAll(/^\tbuild\t([^=]+)=(.*)$/gm)) settings.set(m[1], m[2]);
  return { path, settings };
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('.goperf-build-'));
}

describe('go build runs (sample module copy)', () => {
  let work: string;
  let sample: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'goperf-build-run-'));
    sample = join(work, 'sample module');
    cpSync(join(repoRoot, 'sample'), sample, { recursive: true, filter: (source) => !/\.(test|pprof|prof|out)$/.test(source) });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('a preset build writes the binary with the flags go recorded, and reports its size', { timeout: 180_000 }, async () => {
    const plan = planBuild(
      preset({
        packages: ['./cmd/server'],
        flags: ['-buildvcs=false'],
        ldflags: ['-s', '-w'],
        ldflagsX: { 'main.version': 'v1.2 beta' },
        output: 'out dir/server',
      }),
      host,
      sample,
    );
    let shown = '';
    const result = await runBuild({ goPath: 'go', plan, onCommand: (line) => (shown = line) });
    assert.equal(result.outcome, 'ok', result.message);
    const binary = join(sample, 'out dir', 'server');
    assert.deepEqual(result.artifacts, [{ path: binary, bytes: statSync(binary).size }]);
    const info = buildInfo(binary);
    assert.equal(info.path, 'example.com/goperf-sample/cmd/server');
    // (go leaves -ldflags out of the record under -trimpath, so this preset does not trim.)
    assert.equal(info.settings.get('-ldflags'), `"-s -w -X 'main.version=v1.2 beta'"`);
    assert.equal(info.settings.get('CGO_ENABLED'), '0');
    assert.equal(info.settings.get('GOOS'), host.goos);
    assert.match(shown, /^GOOS=\S+ GOARCH=\S+ CGO_ENABLED=0 go build -buildvcs=false -ldflags .* -o '.*\/out dir\/server' \.\/cmd\/server$/);
    assert.deepEqual(leftovers(join(sample, 'out dir')), []);
  });

  test('without an output, one main package lands where go puts it: its name in the module folder', { timeout: 180_000 }, async () => {
    const result = await runBuild({ goPath: 'go', plan: planBuild(preset({ packages: ['./cmd/server'] }), host, sample) });
    assert.equal(result.outcome, 'ok', result.message);
    assert.deepEqual(result.artifacts.map((a) => a.path), [join(sample, 'server')]);
    assert.ok(statSync(join(sample, 'server')).size > 1_000_000);
    rmSync(join(sample, 'server'));
  });

  test('an output directory receives every main package; libraries only get checked', { timeout: 180_000 }, async () => {
    const result = await runBuild({ goPath: 'go', plan: planBuild(preset({ packages: ['./...'], output: 'bin/' }), host, sample) });
    assert.equal(result.outcome, 'ok', result.message);
    assert.deepEqual(result.artifacts.map((a) => a.path), [join(sample, 'bin', 'server')]);
    const packages = await listPackages('go', sample);
    assert.deepEqual(packages.map((p) => `${p.importPath} ${p.isMain}`).sort(), [
      'example.com/goperf-sample/cmd/server true',
      'example.com/goperf-sample/workload false',
    ]);
  });

  test('a cancelled build stops go and leaves the previous binary as it was', { timeout: 120_000 }, async () => {
    const binDir = join(sample, 'keep');
    mkdirSync(binDir, { recursive: true });
    const binary = join(binDir, 'server');
    writeFileSync(binary, 'the previous binary');
    const abort = new AbortController();
    // -a rebuilds the standard library too, so the build is still running when cancelled.
    const plan = planBuild(preset({ packages: ['./cmd/server'], flags: ['-a'], output: 'keep/server' }), host, sample);
    let started = false;
    const result = await runBuild({
      goPath: 'go',
      plan,
      signal: abort.signal,
      onCommand: () => {
        started = true;
        setTimeout(() => abort.abort(), 1500);
      },
    });
    assert.ok(started);
    assert.equal(result.outcome, 'cancelled', result.message);
    assert.equal(readFileSync(binary, 'utf8'), 'the previous binary');
    assert.deepEqual(leftovers(binDir), []);
  });
});

describe('compile errors (a broken module written by the test)', () => {
  let module: string;
  const libSource = ['package lib', '', 'func F() int {', '\treturn "x"', '}', '', 'func G(a int) string { return a }', ''].join('\n');
  const mainSource = ['package main', '', 'import "example.com/broken/lib"', '', 'func main() {', '\tlib.F(1)', '}', ''].join('\n');

  /** 1-based line and column of the first `needle` in `source`. */
  function position(source: string, needle: string): { line: number; column: number } {
    const lines = source.split('\n');
    const line = lines.findIndex((text) => text.includes(needle));
    assert.ok(line >= 0, needle);
    return { line: line + 1, column: lines[line].indexOf(needle) + 1 };
  }

  before(() => {
    module = mkdtempSync(join(tmpdir(), 'goperf-broken-'));
    mkdirSync(join(module, 'lib'));
    mkdirSync(join(module, 'cmd', 'app'), { recursive: true });
    writeFileSync(join(module, 'go.mod'), 'module example.com/broken\n\ngo 1.22\n');
    writeFileSync(join(module, 'lib', 'lib.go'), libSource);
    writeFileSync(join(module, 'cmd', 'app', 'main.go'), mainSource);
  });
  after(() => rmSync(module, { recursive: true, force: true }));

  test('errors become diagnostics at the source positions, with absolute paths', { timeout: 120_000 }, async () => {
    const output = join(module, 'bin', 'app');
    mkdirSync(join(module, 'bin'));
    writeFileSync(output, 'the previous binary');
    const plan = planBuild(preset({ packages: ['./cmd/app'], output: 'bin/app' }), host, module);
    const result = await runBuild({ goPath: 'go', plan });
    assert.equal(result.outcome, 'failed');
    const lib = join(module, 'lib', 'lib.go');
    assert.deepEqual(
      result.diagnostics.map(({ file, line, column, package: pkg }) => ({ file, line, column, pkg })),
      [
        { file: lib, ...position(libSource, '"x"'), pkg: 'example.com/broken/lib' },
        { file: lib, ...position(libSource, 'a }'), pkg: 'example.com/broken/lib' },
      ],
    );
    assert.match(result.diagnostics[0].message, /^cannot use "x" \(untyped string constant\) as int value/);
    assert.match(result.message, /^The build failed: .*lib\.go:4:9: cannot use "x".* \(and 1 more\)$/);
    assert.equal(readFileSync(output, 'utf8'), 'the previous binary');
    assert.deepEqual(leftovers(join(module, 'bin')), []);
  });

  test('paths go prints relative to a package folder are resolved against that folder; have/want lines stay with their error', { timeout: 120_000 }, async () => {
    writeFileSync(join(module, 'lib', 'lib.go'), 'package lib\n\nfunc F() int { return 1 }\n');
    const appDir = join(module, 'cmd', 'app');
    const result = await runBuild({ goPath: 'go', plan: planBuild(preset({}), host, appDir) });
    assert.equal(result.outcome, 'failed');
    assert.equal(result.diagnostics.length, 1, JSON.stringify(result.diagnostics));
    const [diagnostic] = result.diagnostics;
    assert.equal(diagnostic.file, join(appDir, 'main.go'));
    assert.deepEqual({ line: diagnostic.line, column: diagnostic.column }, position(mainSource, '1)'));
    assert.match(diagnostic.message, /^too many arguments in call to lib\.F\n\s*have \(number\)\n\s*want \(\)$/);
    writeFileSync(join(module, 'lib', 'lib.go'), libSource);
  });

  test('the $goperf-go problem matcher in package.json matches the same lines and files', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const matcher = pkg.contributes.problemMatchers.find((m: { name: string }) => m.name === 'goperf-go');
    assert.equal(matcher.pattern.regexp, locationLine.source, 'the matcher uses the parser\'s pattern');
    const regexp = new RegExp(matcher.pattern.regexp);
    let stderr = '';
    try {
      execFileSync('go', ['build', './...'], { cwd: module, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      stderr = (error as { stderr: string }).stderr;
    }
    const matched = stderr.split('\n').flatMap((line) => {
      const m = regexp.exec(line);
      return m ? [{ file: resolve(module, m[matcher.pattern.file]), line: Number(m[matcher.pattern.line]), column: Number(m[matcher.pattern.column]), message: m[matcher.pattern.message] }] : [];
    });
    assert.ok(matched.length >= 2, stderr);
    assert.deepEqual(matched, parseBuildOutput(stderr, module).diagnostics.map(({ file, line, column, message }) => ({ file, line, column, message })));
    // The go command's own lines without a position are not taken for problems.
    assert.equal(regexp.test('go: cannot find main module, but found .git/config in /x'), false);
    assert.equal(regexp.test('# example.com/broken/lib'), false);
  });

  test('a go.mod error has a line but no column, and go messages without a place are kept as such', () => {
    const parsed = parseBuildOutput(
      ['go: errors parsing go.mod:', '/m/go.mod:3: unknown directive: foo', 'C:\\m\\x.go:1:2: on windows'].join('\n'),
      '/m',
    );
    assert.deepEqual(parsed.diagnostics, [
      { file: '/m/go.mod', line: 3, message: 'unknown directive: foo' },
      { file: 'C:\\m\\x.go', line: 1, column: 2, message: 'on windows' },
    ]);
    assert.deepEqual(parsed.other, ['go: errors parsing go.mod:']);
  });

  test('no go at the configured path is reported as such', async () => {
    await assert.rejects(
      runBuild({ goPath: join(module, 'no-such-go'), plan: planBuild(preset({ output: 'x' }), host, module) }),
      /go was not found at ".*no-such-go"; check the goperf.goPath setting/,
    );
    assert.equal(existsSync(join(module, 'x')), false);
    assert.deepEqual(leftovers(module), []);
  });
});
