// npm run bench [-- --runs N] [-- --no-browser]
//
// Times goperf against `go tool pprof` on a large real profile, in the same
// run on the same machine:
//   1. builds dist/ if a source is newer than dist/cli.js;
//   2. makes the large profile with test/fixtures/gen/large (a real allocs
//      profile from the Go runtime, ~6 MB gzipped, ~375k distinct stacks),
//      cached under .cache/large-profile/<hash of the generator and Go version>;
//   3. `goperf top` vs `go tool pprof -top -nodefraction=0` (same output,
//      checked), median of N runs each, and their ratio;
//   4. in-process throughput of each stage (inflate, decode, aggregate...),
//      and the same bytes decoded by protobufjs for comparison;
//   5. open → first paint of the `goperf flame` page in headless Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const withBrowser = !args.includes('--no-browser');
const cli = join(root, 'dist', 'cli.js');
const genDir = join(root, 'test', 'fixtures', 'gen');
const cacheDir = join(root, '.cache');

function log(message) {
  process.stderr.write(`${message}\n`);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeRuns(n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}

// ---- 1. build ---------------------------------------------------------------

function buildIfNeeded() {
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'webviews')));
  if (built >= sources && existsSync(join(root, 'dist', 'webviews', 'flame.js'))) return;
  log('building dist/ ...');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}

// ---- 2. the large profile ------------------------------------------------------

const WALKS = 45000;

function ensureLargeProfile() {
  const goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  const hash = createHash('sha256');
  for (const file of ['go.mod', join('large', 'main.go')]) hash.update(readFileSync(join(genDir, file)));
  hash.update(`${goVersion}\nwalks=${WALKS}\n`);
  const dir = join(cacheDir, 'large-profile', hash.digest('hex').slice(0, 16));
  const profile = join(dir, 'allocs.pb.gz');
  if (existsSync(profile)) return profile;
  log(`making the large profile in ${dir} (once; cached) ...`);
  const work = join(dir, 'work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = performance.now();
  execFileSync('go', ['run', './large', '-src', join(work, 'src')], { cwd: genDir, stdio: 'inherit' });
  execFileSync('go', ['build', '-o', join(work, 'large'), '.'], { cwd: join(work, 'src'), stdio: 'inherit' });
  execFileSync(join(work, 'large'), ['-o', join(work, 'allocs.pb.gz'), '-walks', String(WALKS)], { stdio: 'inherit' });
  renameSync(join(work, 'allocs.pb.gz'), profile);
  rmSync(work, { recursive: true, force: true });
  log(`made it in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return profile;
}

// ---- 3. goperf top vs go tool pprof -top --------------------------------------

function compareTop(profile) {
  const env = { ...process.env, TZ: 'UTC' };
  const goperf = () => execFileSync(process.execPath, [cli, 'top', profile], { env, maxBuffer: 1 << 30 });
  const pprof = () =>
    execFileSync('go', ['tool', 'pprof', '-top', '-nodefraction=0', profile], {
      env,
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  const same = goperf().equals(pprof());
  log(`timing goperf top and go tool pprof -top, ${runs} runs each ...`);
  const ours = timeRuns(runs, goperf);
  const theirs = timeRuns(runs, pprof);
  return { ours, theirs, same };
}

/**
 * `goperf constraints eval` over GOROOT/src against `go list -e ./...` on the
 * same tree. Both answer which files build for the host target; go list also
 * loads packages, so it is the bar to beat.
 */
function compareConstraints() {
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const src = join(goroot, 'src');
  const ours = () => execFileSync(process.execPath, [cli, 'constraints', 'eval', '--json', src], { maxBuffer: 1 << 30 });
  const theirs = () => execFileSync('go', ['list', '-e', './...'], { cwd: src, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  ours();
  theirs();
  log(`timing goperf constraints eval and go list -e ./... over ${src}, ${runs} runs each ...`);
  return { ours: timeRuns(runs, ours), theirs: timeRuns(runs, theirs) };
}

// ---- 4. in-process stages and protobufjs ---------------------------------------

async function loadCore() {
  const esbuild = await import('esbuild');
  const out = join(cacheDir, 'bench', 'core.cjs');
  await esbuild.build({
    entryPoints: [join(root, 'src', 'core', 'pprof', 'index.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  return require(out);
}

function stages(core, profile) {
  const gz = readFileSync(profile);
  const raw = gunzipSync(gz);
  const decoded = core.decodeProfile(raw, profile);
  // Warm up every path once so the medians measure optimized code.
  core.aggregate(decoded);
  const protobuf = require('protobufjs');
  const Profile = protobuf.loadSync(join(root, 'test', 'fixtures', 'profile.proto')).lookupType('perftools.profiles.Profile');
  const n = Math.max(3, runs);
  const entries = decoded.samples.stack.length;
  const perSecond = (amount, unit) => (t) => `${(amount / (t / 1000)).toFixed(1)} ${unit}`;
  const inputMB = (bytes) => perSecond(bytes / (1024 * 1024), 'MB/s');
  const stackM = perSecond(entries / 1e6, 'M stack entries/s');
  const rows = [
    ['decode (gzip: pako inflate + parse)', timeRuns(n, () => core.decodeProfile(gz, profile)), inputMB(gz.length)],
    ['  parse only (raw protobuf)', timeRuns(n, () => core.decodeProfile(raw, profile)), inputMB(raw.length)],
    ['  protobufjs Profile.decode (same raw bytes)', timeRuns(n, () => Profile.decode(raw)), inputMB(raw.length)],
    ['aggregate, rows only (top)', timeRuns(n, () => core.aggregate(decoded, undefined, { callTree: false })), stackM],
    ['aggregate with call tree (flame)', timeRuns(n, () => core.aggregate(decoded)), stackM],
    // Issue 6's interactions after load, each to be under 200 ms.
    ['switch sample type (call tree of type 0)', timeRuns(n, () => core.aggregate(decoded, 0)), stackM],
    ['filter --focus/--hide + call tree', timeRuns(n, () => core.viewProfile(decoded, decoded.defaultSampleIndex, { filters: { focus: 'main\\.', hide: 'runtime\\.' } })), stackM],
    ['diff (--diff-base itself) + call tree', timeRuns(n, () => core.viewProfile(decoded, decoded.defaultSampleIndex, { base: { profile: decoded, mode: 'diff_base' } })), stackM],
  ];
  const agg = core.aggregate(decoded);
  return {
    rows,
    info: {
      gz: gz.length,
      raw: raw.length,
      samples: decoded.sampleCount,
      locations: decoded.locations.count,
      functions: agg.functions.length,
      frames: decoded.samples.stack.length,
      treeNodes: agg.tree.nodeCount,
      type: agg.sampleType.type,
    },
  };
}

// ---- 5. open → first paint in Chromium ----------------------------------------

/** Wall time from navigating to the `goperf flame` page until the flame graph is drawn. */
async function measureFirstPaint(profile) {
  const page = join(cacheDir, 'bench', 'large-flame.html');
  execFileSync(process.execPath, [cli, 'flame', profile, '-o', page], { stdio: 'ignore' });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const times = [];
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const started = performance.now();
      await tab.goto(`file://${page}`);
      await tab.waitForFunction(() => ['rendered', 'error'].includes(document.body.dataset.state ?? ''), null, {
        timeout: 300_000,
      });
      times.push(performance.now() - started);
      const state = await tab.evaluate(() => document.body.dataset.state);
      if (state !== 'rendered') throw new Error(`the flame page ended in state ${state}`);
      await tab.close();
    }
    return median(times);
  } finally {
    await browser.close();
  }
}

// ---- report ----------------------------------------------------------------------

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '))
    .join('\n');
}

const ms = (v) => `${v.toFixed(0)} ms`;
const mb = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

buildIfNeeded();
const profile = ensureLargeProfile();
const core = await loadCore();
const { rows: stageRows, info } = stages(core, profile);
const top = compareTop(profile);
const paint = withBrowser ? await measureFirstPaint(profile) : undefined;
const constraints = compareConstraints();

console.log(`\nLarge profile: ${profile}`);
console.log(`  (load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
console.log(
  `  ${mb(info.gz)} gzipped, ${mb(info.raw)} raw; ${info.samples} samples (distinct stacks), ${info.frames} stack entries, ` +
    `${info.locations} locations, ${info.functions} functions; call tree of ${info.treeNodes} nodes (${info.type})\n`,
);
console.log(
  table([
    ['command', `median of ${runs}`],
    ['goperf top', ms(top.ours)],
    ['go tool pprof -top -nodefraction=0', ms(top.theirs)],
    ['ratio goperf / pprof (target <= 0.5)', (top.ours / top.theirs).toFixed(2)],
    ['same output', top.same ? 'yes' : 'NO'],
  ]),
);
console.log('');
console.log(
  table([
    ['stage (in process)', 'median', 'throughput'],
    ...stageRows.map(([name, t, rate]) => [name, ms(t), rate(t)]),
  ]),
);
if (paint !== undefined) {
  console.log('');
  console.log(table([['flame page in Chromium', 'median'], ['open -> first paint', ms(paint)]]));
}
console.log('');
console.log(
  table([
    ['build constraints over GOROOT/src', `median of ${runs}`],
    ['goperf constraints eval --json', ms(constraints.ours)],
    ['go list -e ./...', ms(constraints.theirs)],
    ['speed-up over go list (target >= 10)', (constraints.theirs / constraints.ours).toFixed(2)],
  ]),
);
if (!top.same) process.exitCode = 1;
