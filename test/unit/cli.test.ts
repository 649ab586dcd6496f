// The goperf CLI (dist/cli.js, built by npm test) on real profiles, with
// `go tool pprof` as the oracle for `top` and the bundled webview script as
// the expected content of `flame` pages.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { env, goTestProfiles, makeTempDir, pprof, pprofTop, repoRoot, runtimeProfiles } from '../fixtures/real-profiles';

const cli = join(repoRoot, 'dist', 'cli.js');
const tmp = makeTempDir('goperf-cli-');
after(() => tmp.remove());
const fromGoTest = goTestProfiles(tmp.dir);
const fromRuntime = runtimeProfiles(tmp.dir);

function goperf(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
}

function usageError(args: string[], message: RegExp): void {
  const run = goperf(...args);
  assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, message);
  assert.match(run.stderr, /Run "goperf --help" for usage\./);
}

describe('goperf top', () => {
  for (const [name, file, sampleIndex] of [
    ['cpu', fromGoTest.cpu, undefined],
    ['allocs, alloc_objects', fromGoTest.mem, 'alloc_objects'],
    ['heap, inuse_space (default)', fromRuntime.heap, undefined],
    ['block, contentions', fromGoTest.block, '0'],
    ['goroutine', fromRuntime.goroutine, undefined],
  ] as const) {
    test(`${name}: prints what go tool pprof -top -nodefraction=0 prints`, () => {
      const args = sampleIndex ? ['--sample-index', sampleIndex] : [];
      const run = goperf('top', file, ...args);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, '');
      const pprofArgs = sampleIndex ? [`-sample_index=${sampleIndex}`] : [];
      assert.equal(run.stdout, pprof(['-top', '-nodefraction=0', ...pprofArgs, file]));
    });
  }

  test('--nodecount N prints the heaviest N like pprof -nodecount=N', () => {
    const run = goperf('top', fromGoTest.cpu, '--nodecount', '7');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, pprof(['-top', '-nodefraction=0', '-nodecount=7', fromGoTest.cpu]));
    assert.match(run.stdout, /^Showing top 7 nodes out of \d+$/m);
  });

  test('--json: exact integers for every function, sorted like pprof', () => {
    for (const [file, sampleIndex, index] of [
      [fromGoTest.cpu, 'cpu', 1],
      [fromRuntime.heap, 'alloc_space', 1],
      [fromRuntime.heap, 'inuse_objects', 2],
      [fromGoTest.mutex, 'delay', 1],
    ] as const) {
      const run = goperf('top', file, '--json', '--sample-index', sampleIndex);
      assert.equal(run.status, 0, run.stderr);
      const json = JSON.parse(run.stdout);
      assert.deepEqual(Object.keys(json), ['sampleType', 'total', 'rows']);
      const unit = sampleIndex === 'cpu' || sampleIndex === 'delay' ? 'nanoseconds' : sampleIndex === 'alloc_space' ? 'bytes' : 'count';
      assert.deepEqual(json.sampleType, { type: sampleIndex, unit });
      const oracle = pprofTop(file, index, unit);
      assert.equal(json.total, oracle.total);
      assert.deepEqual(json.rows, oracle.rows);
      for (const row of json.rows) assert.deepEqual(Object.keys(row), ['name', 'flat', 'cum']);
    }
  });

  test('--json --nodecount 3 keeps the first three rows', () => {
    const all = JSON.parse(goperf('top', fromGoTest.cpu, '--json').stdout);
    const three = JSON.parse(goperf('top', fromGoTest.cpu, '--json', '--nodecount', '3').stdout);
    assert.deepEqual(three, { ...all, rows: all.rows.slice(0, 3) });
  });

  test('a sample index the profile does not have is a usage error listing the types', () =>
    usageError(['top', fromGoTest.cpu, '--sample-index', 'alloc_space'], /sample index "alloc_space" must be one of: samples, cpu/));

  test('a missing file fails with its name', () => {
    const missing = join(tmp.dir, 'nope.pprof');
    const run = goperf('top', missing);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `goperf: ${missing}: cannot read the file (no such file)\n`);
  });

  test('a directory fails with its name', () => {
    const run = goperf('top', tmp.dir);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `goperf: ${tmp.dir}: is a directory, not a profile\n`);
  });
});

describe('goperf flame', () => {
  test('writes one self-contained page: the webview script, the profile, a strict CSP', () => {
    const out = join(tmp.dir, 'cpu.html');
    const run = goperf('flame', fromGoTest.cpu, '-o', out);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Wrote .*cpu\.html \(\d+\.\d MB\)\n$/);
    const html = readFileSync(out, 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.ok(csp, 'the page has a CSP');
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, `CSP with a script nonce: ${csp}`);
    assert.ok(csp.startsWith("default-src 'none'; "), csp);
    assert.ok(!/unsafe-inline|unsafe-eval|https?:|\*/.test(csp), `nothing loosens the CSP: ${csp}`);
    const scripts = [...html.matchAll(/<script nonce="([^"]+)">([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 2);
    for (const s of scripts) assert.equal(s[1], nonce);
    const embedded = /^window\.__GOPERF_PROFILE__ = (.*);$/.exec(scripts[0][2]);
    assert.ok(embedded);
    const profile = JSON.parse(embedded[1]);
    assert.equal(profile.fileName, 'cpu.pprof');
    assert.equal(profile.sampleType, 'cpu');
    assert.deepEqual(Buffer.from(profile.base64, 'base64'), readFileSync(fromGoTest.cpu));
    const bundle = readFileSync(join(repoRoot, 'dist', 'webviews', 'flame.js'), 'utf8');
    // Escaped forwards: the bundle itself may hold "<\/script" (esbuild writes it so in strings).
    const escaped = bundle.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
    assert.ok(scripts[1][2] === escaped, 'the page inlines dist/webviews/flame.js, escaped only where the HTML parser would stop');
  });

  test('--sample-index picks the type the page shows first', () => {
    const out = join(tmp.dir, 'heap.html');
    assert.equal(goperf('flame', fromRuntime.heap, '--sample-index', 'alloc_objects', '-o', out).status, 0);
    assert.ok(readFileSync(out, 'utf8').includes('"sampleType":"alloc_objects"'));
  });

  test('refuses to overwrite the input profile', () => {
    const copy = join(tmp.dir, 'keep.pprof');
    writeFileSync(copy, readFileSync(fromGoTest.cpu));
    usageError(['flame', copy, '-o', copy], /refusing to overwrite the input profile/);
    assert.deepEqual(readFileSync(copy), readFileSync(fromGoTest.cpu));
  });

  test('an output directory that does not exist fails without writing anything', () => {
    const out = join(tmp.dir, 'no', 'such', 'dir', 'page.html');
    const run = goperf('flame', fromGoTest.cpu, '-o', out);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /page\.html: cannot write there \(the directory .*dir does not exist\)/);
    assert.equal(existsSync(join(tmp.dir, 'no')), false);
  });

  test('-o naming a directory fails', () => {
    const dir = join(tmp.dir, 'adir');
    mkdirSync(dir);
    const run = goperf('flame', fromGoTest.cpu, '-o', dir);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /adir: is a directory; give the HTML file's path/);
    assert.ok(statSync(dir).isDirectory());
  });

  test('a bad profile writes no page', () => {
    const bad = join(tmp.dir, 'bad.pprof');
    writeFileSync(bad, 'not a profile at all, just words\n');
    const out = join(tmp.dir, 'bad.html');
    const run = goperf('flame', bad, '-o', out);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /bad\.pprof: this is text/);
    assert.equal(existsSync(out), false);
  });
});

describe('goperf usage', () => {
  test('--help prints the usage', () => {
    const run = goperf('--help');
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^Usage:\n {2}goperf top <profile>/);
    assert.match(run.stdout, /goperf flame <profile> \[--sample-index NAME\] -o <out\.html>/);
  });

  test('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    assert.equal(goperf('--version').stdout, `goperf ${version}\n`);
  });

  test('mistakes are usage errors (exit 2)', () => {
    usageError([], /missing command/);
    usageError(['frobnicate'], /unknown command "frobnicate"/);
    usageError(['top'], /top: missing profile file/);
    usageError(['top', fromGoTest.cpu, 'extra'], /unexpected argument "extra"/);
    usageError(['top', fromGoTest.cpu, '--nodecount', 'ten'], /--nodecount must be a positive integer, got "ten"/);
    usageError(['top', fromGoTest.cpu, '--nodecount', '0'], /--nodecount must be a positive integer/);
    usageError(['top', fromGoTest.cpu, '--frobnicate'], /Unknown option '--frobnicate'/);
    usageError(['top', fromGoTest.cpu, '-o', 'x.html'], /-o is only for flame/);
    usageError(['flame', fromGoTest.cpu], /flame: missing -o <out\.html>/);
    usageError(['flame', fromGoTest.cpu, '-o', 'x.html', '--json'], /--json and --nodecount are only for top/);
  });
});
