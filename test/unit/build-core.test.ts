// Build presets, argument construction and the port tables, checked against
// the go command: the flags it refuses, how it splits -ldflags, where its
// race detector exists.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  asanSupported,
  buildArgs,
  checkFlag,
  checkFlagsForTarget,
  checkPreset,
  checkPresets,
  commonBuildFlags,
  defaultBinaryName,
  describeSize,
  formatBuildCommand,
  joinToolArgs,
  msanSupported,
  planBuild,
  raceSupported,
  splitToolArgs,
  withGitDescribe,
  type BuildPreset,
} from '../../src/core/go/build';
import { listPorts, type TargetSpec } from '../../src/core/go/target';

const execFileAsync = promisify(execFile);
const linux: TargetSpec = { goos: 'linux', goarch: 'amd64', tags: [], cgoEnabled: true };

function preset(raw: Record<string, unknown>): BuildPreset {
  const check = checkPreset({ name: 'p', ...raw });
  assert.deepEqual(check.errors, []);
  return check.preset!;
}

describe('build presets', () => {
  test('a minimal preset builds the current package for the workspace target', () => {
    const p = preset({});
    assert.deepEqual(p.packages, ['.']);
    const plan = planBuild(p, { ...linux, tags: ['integration'] }, '/m');
    assert.deepEqual(buildArgs(plan, undefined), ['build', '-tags', 'integration', '.']);
    assert.deepEqual(plan.env, { GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '1' });
  });

  test('preset fields override the target; another port turns cgo off unless asked', () => {
    const plan = planBuild(preset({ goos: 'windows', goarch: 'arm64', tags: ['b', 'a'] }), { ...linux, tags: ['x'] }, '/m');
    assert.deepEqual(plan.target, { goos: 'windows', goarch: 'arm64', tags: ['a', 'b'], cgoEnabled: false });
    assert.deepEqual(plan.env, { GOOS: 'windows', GOARCH: 'arm64', CGO_ENABLED: '0' });
    assert.equal(planBuild(preset({ goarch: 'arm64', cgo: true }), linux, '/m').env.CGO_ENABLED, '1');
  });

  test('every element stays one argument: flags, -X values with spaces, outputs with spaces', () => {
    const plan = planBuild(
      preset({
        packages: ['./cmd/my server'],
        flags: ['-trimpath', '-buildmode=pie'],
        ldflags: ['-s', '-w'],
        ldflagsX: { 'main.version': 'v1.2 beta' },
        gcflags: ['all=-N', '-l'],
        output: 'out dir/app',
        env: { GOAMD64: 'v3' },
      }),
      linux,
      '/m',
    );
    assert.deepEqual(buildArgs(plan, plan.output), [
      'build', '-trimpath', '-buildmode=pie',
      '-ldflags', "-s -w -X 'main.version=v1.2 beta'",
      '-gcflags', 'all=-N -l',
      '-o', '/m/out dir/app', './cmd/my server',
    ]);
    assert.equal(
      formatBuildCommand('go', plan),
      "GOAMD64=v3 GOOS=linux GOARCH=amd64 CGO_ENABLED=1 go build -trimpath -buildmode=pie -ldflags '-s -w -X '\\''main.version=v1.2 beta'\\''' -gcflags 'all=-N -l' -o '/m/out dir/app' './cmd/my server'",
    );
  });

  test('the shell-quoted command line runs as built when pasted into sh', () => {
    const plan = planBuild(preset({ ldflagsX: { 'main.v': `it's 1`, 'main.w': 'say "hi"' }, output: 'a b/' }), linux, '/m');
    const echoed = execFileSync('sh', ['-c', `printf '%s\\n' ${formatBuildCommand('go', plan).replace(/^(\S+=\S+ )+/, '')}`], { encoding: 'utf8' });
    assert.deepEqual(echoed.trimEnd().split('\n'), ['go', ...buildArgs(plan, '/m/a b/')]);
  });

  test('bad presets are refused field by field', () => {
    const check = checkPreset({
      name: '',
      packages: ['-race'],
      goos: 'Linux',
      tags: ['ok', 'not-a-tag'],
      cgo: 'yes',
      flags: ['-o=x', '-tags', 'race', '-buildmode', '-buildmode=exe2', '-p=0', '-frobnicate', '-race=maybe'],
      ldflagsX: { version: '1', 'main.v': `'"` },
      env: { GOOS: 'linux', 'A B': 'x' },
      outptu: 'typo',
    });
    assert.equal(check.preset, undefined);
    assert.deepEqual(check.errors, [
      '"name" is missing or empty',
      'unknown field "outptu"',
      '"packages": "-race" looks like a flag; put flags in "flags"',
      '"goos" must be a GOOS name such as linux',
      '"tags": "not-a-tag" is not a build tag (letters, digits, _ and .)',
      '"cgo" must be true or false',
      '"flags": -o has its own field: use "output" instead of putting it in "flags"',
      '"flags": -tags has its own field: use "tags" instead of putting it in "flags"',
      '"flags": "race" is not a go build flag (flags start with -; one flag per element)',
      '"flags": -buildmode needs a value in the same element: -buildmode=…',
      '"flags": -buildmode=exe2: must be one of archive, c-archive, c-shared, default, exe, pie, plugin, shared',
      '"flags": -p=0: needs a positive whole number',
      '"flags": -frobnicate is not a go build flag (see go help build)',
      '"flags": -race takes no value (or =true/=false)',
      '"ldflagsX": "version" is not importpath.name (e.g. main.version)',
      `"ldflagsX": the value of main.v has both ' and ", which the go command cannot pass on`,
      '"env": set GOOS with the "goos" field',
      '"env": "A B" is not an environment variable name',
    ]);
  });

  test('the preset list names each bad entry and duplicate names', () => {
    const { presets, errors } = checkPresets([{ name: 'a' }, { name: 'a' }, 42, { name: 'b', flags: '-race' }]);
    assert.deepEqual(presets.map((p) => p.name), ['a']);
    assert.deepEqual(errors, [
      'preset "a": another preset already has this name',
      'preset "#3": a preset must be an object with at least a "name"',
      'preset "b": "flags" must be a list of strings',
    ]);
    assert.deepEqual(checkPresets({}).errors, ['goperf.build.presets must be a list of presets']);
  });

  test('the package.json schema of goperf.build.presets names the same fields', () => {
    const pkg = JSON.parse(execFileSync('cat', [join(__dirname, '..', '..', 'package.json')], { encoding: 'utf8' }));
    const schema = pkg.contributes.configuration.properties['goperf.build.presets'];
    const fields = Object.keys(schema.items.properties).sort();
    assert.deepEqual(fields, ['cgo', 'env', 'flags', 'gcflags', 'goarch', 'goos', 'ldflags', 'ldflagsX', 'name', 'output', 'packages', 'tags']);
    assert.equal(schema.items.additionalProperties, false);
    // Every flag the quick pick offers is one a preset accepts.
    for (const { flag } of commonBuildFlags) assert.equal(checkFlag(flag), undefined, flag);
  });

  test('binary names follow go: last element, /vN skipped, .exe on windows', () => {
    assert.equal(defaultBinaryName('example.com/goperf-sample/cmd/server', 'linux'), 'server');
    assert.equal(defaultBinaryName('example.com/tool/v2', 'windows'), 'tool.exe');
    assert.equal(defaultBinaryName('hello', 'linux'), 'hello');
  });

  test('sizes are described with the change since the previous build', () => {
    assert.equal(describeSize(2 * 1024 * 1024), '2MB (first build of this preset for this target)');
    assert.equal(describeSize(2 * 1024 * 1024, 2 * 1024 * 1024), '2MB (unchanged since the previous build)');
    assert.equal(describeSize(2 * 1024 * 1024 + 10240, 2 * 1024 * 1024), '2.01MB (+10kB, +0.49% since the previous build)');
    assert.equal(describeSize(1000, 2000), '1000B (−1000B, −50.00% since the previous build)');
  });
});

describe('against the go command', () => {
  let module: string;

  before(() => {
    module = mkdtempSync(join(tmpdir(), 'goperf-build-core-'));
    writeFileSync(join(module, 'go.mod'), 'module example.com/flags\n\ngo 1.22\n');
    writeFileSync(
      join(module, 'main.go'),
      'package main\n\nimport "fmt"\n\nvar version, note = "dev", "none"\n\nfunc main() { fmt.Printf("%s|%s\\n", version, note) }\n',
    );
  });
  after(() => rmSync(module, { recursive: true, force: true }));

  test('-ldflags as joined here reaches the linker as separate arguments: -X values with spaces and quotes', async () => {
    const plan = planBuild(
      preset({ ldflags: ['-s'], ldflagsX: { 'main.version': 'v1.2 beta', 'main.note': 'say "hi" & $HOME' }, output: 'out dir/app' }),
      { goos: process.platform === 'darwin' ? 'darwin' : 'linux', goarch: process.arch === 'arm64' ? 'arm64' : 'amd64', tags: [], cgoEnabled: false },
      module,
    );
    await execFileAsync('go', buildArgs(plan, plan.output), { cwd: module, env: { ...process.env, ...plan.env } });
    const { stdout } = await execFileAsync(join(module, 'out dir', 'app'));
    assert.equal(stdout, 'v1.2 beta|say "hi" & $HOME\n');
  });

  test('joinToolArgs round-trips through the go command\'s own splitting of -gcflags', async () => {
    const args = ['-D', 'a b', "c'd", 'e"f', '', 'plain'];
    // -n prints the compile command without running it, each argument quoted with Go syntax where needed.
    const { stdout, stderr } = await execFileAsync('go', ['build', '-a', '-n', '-gcflags', joinToolArgs(args), '.'], { cwd: module });
    const compile = (stdout + stderr).split('\n').find((line) => line.includes('/compile ') && line.includes(' -p main '));
    assert.ok(compile, 'go build -n printed the compile line of package main');
    assert.ok(compile.includes(` -D "a b" c'd "e\\"f" "" plain `), compile);
  });

  test('typed -gcflags text is split like the go command splits it', async () => {
    const typed = `-D 'a b'  "c'd" 'e"f' '' plain`;
    const { stdout, stderr } = await execFileAsync('go', ['build', '-a', '-n', '-gcflags', typed, '.'], { cwd: module });
    const compile = (stdout + stderr).split('\n').find((line) => line.includes('/compile ') && line.includes(' -p main '))!;
    assert.deepEqual(splitToolArgs(typed), ['-D', 'a b', "c'd", 'e"f', '', 'plain']);
    assert.ok(compile.includes(` -D "a b" c'd "e\\"f" "" plain `), compile);
    assert.throws(() => splitToolArgs("-D 'open"), /unterminated ' string/);
  });

  test('${gitDescribe} in an -X value becomes the description', () => {
    const p = withGitDescribe(preset({ ldflagsX: { 'main.version': '${gitDescribe}+local' } }), 'v1.0.0-3-gabc');
    assert.deepEqual(buildArgs(planBuild(p, linux, '/m'), undefined), ['build', '-ldflags', '-X main.version=v1.0.0-3-gabc+local', '.']);
  });

  test('-race, -msan and -asan are refused on exactly the ports where go refuses them', { timeout: 120_000 }, async () => {
    const ports = await listPorts('go', module);
    const tables = { race: raceSupported, msan: msanSupported, asan: asanSupported };
    const mismatches: string[] = [];
    // go list runs the same flag checks as go build and finishes in milliseconds.
    for (const port of ports) {
      for (const [flag, supported] of Object.entries(tables)) {
        const env = { ...process.env, GOOS: port.goos, GOARCH: port.goarch, CGO_ENABLED: '1' };
        const refused = await execFileAsync('go', ['list', `-${flag}`, '.'], { cwd: module, env }).then(
          () => false,
          (error: { stderr?: string }) => (error.stderr ?? '').includes(`-${flag} is not supported on ${port.goos}/${port.goarch}`),
        );
        const ours = checkFlagsForTarget([`-${flag}`], { ...port, tags: [], cgoEnabled: true }, ports).some((e) => e.includes('is not supported'));
        if (refused !== ours || refused === supported(port.goos, port.goarch)) mismatches.push(`-${flag} on ${port.goos}/${port.goarch}: go refuses ${refused}, goperf ${ours}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  test('-race without cgo: refused like go does, except on darwin', async () => {
    const refusal = await execFileAsync('go', ['list', '-race', '.'], { cwd: module, env: { ...process.env, GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' } }).then(
      () => '',
      (error: { stderr?: string }) => error.stderr ?? '',
    );
    assert.match(refusal, /-race requires cgo/);
    assert.deepEqual(checkFlagsForTarget(['-race'], { ...linux, cgoEnabled: false }), [
      '-race needs cgo (CGO_ENABLED=1) on linux/amd64; turn cgo on in the build target or the preset',
    ]);
    await execFileAsync('go', ['list', '-race', '.'], { cwd: module, env: { ...process.env, GOOS: 'darwin', GOARCH: 'arm64', CGO_ENABLED: '0' } });
    assert.deepEqual(checkFlagsForTarget(['-race'], { goos: 'darwin', goarch: 'arm64', tags: [], cgoEnabled: false }), []);
  });

  test('conflicting sanitizers and unknown ports are named', async () => {
    const ports = await listPorts('go', module);
    assert.deepEqual(checkFlagsForTarget(['-race', '-msan'], linux, ports), ['-race and -msan cannot be used together']);
    assert.deepEqual(checkFlagsForTarget([], { ...linux, goos: 'plan10' }, ports), ['plan10/amd64 is not a port of this go toolchain (go tool dist list)']);
    const refused = checkFlagsForTarget(['-race'], { goos: 'linux', goarch: '386', tags: [], cgoEnabled: true }, ports)[0];
    assert.match(refused, /^-race is not supported on linux\/386; the race detector runs on .*linux\/amd64/);
  });
});
