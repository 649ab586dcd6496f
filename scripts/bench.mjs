// npm run bench [-- --runs N] [-- --no-browser] [-- --only pprof|stages|constraints|trace|timeline]
// (`stages` is the in-process part of `pprof` alone, for quick checks.)
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
//   5. the `goperf flame` page in headless Chromium: open → first paint, the
//      p95 draw time while zooming/scrolling, and the ratio of first paint to
//      `go tool pprof -http` answering its first /ui/flamegraph request;
//   6. `goperf constraints eval` vs `go list -e ./...` over GOROOT/src, with
//      `node -e 0` as the floor of any process per run, the in-process
//      evaluation on a target change, and the language server's didChange →
//      publishDiagnostics latency;
//   7. reading a large real trace (≥ 50 MB, test/fixtures/trace/busy): our
//      reader's throughput against golang.org/x/exp/trace's over all events,
//      and the memory the timeline's model keeps, against the file's size;
//   8. the trace timeline webview on that trace: open → first paint, the p95
//      of frame draw times while zooming and panning, and the ratio of first
//      paint to `go tool trace` serving its first page.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const withBrowser = !args.includes('--no-browser');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const section = (name) => !only || only.includes(name);
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
// The base for diffs: the same program's first 40,000 walks (its walks are a
// fixed sequence), so most stacks are shared and their values differ.
const BASE_WALKS = 40000;

/** The large profile and a base for diffing it, made once with the real Go toolchain and cached. */
function ensureLargeProfile() {
  const goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  const hash = createHash('sha256');
  for (const file of ['go.mod', join('large', 'main.go')]) hash.update(readFileSync(join(genDir, file)));
  hash.update(`${goVersion}\nwalks=${WALKS}\n`);
  const dir = join(cacheDir, 'large-profile', hash.digest('hex').slice(0, 16));
  const profile = join(dir, 'allocs.pb.gz');
  const base = join(dir, `allocs-${BASE_WALKS}.pb.gz`);
  if (existsSync(profile) && existsSync(base)) return { profile, base };
  log(`making the large profile in ${dir} (once; cached) ...`);
  const work = join(dir, 'work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = performance.now();
  execFileSync('go', ['run', './large', '-src', join(work, 'src')], { cwd: genDir, stdio: 'inherit' });
  execFileSync('go', ['build', '-o', join(work, 'large'), '.'], { cwd: join(work, 'src'), stdio: 'inherit' });
  for (const [walks, file] of [[WALKS, profile], [BASE_WALKS, base]]) {
    execFileSync(join(work, 'large'), ['-o', join(work, 'out.pb.gz'), '-walks', String(walks)], { stdio: 'inherit' });
    renameSync(join(work, 'out.pb.gz'), file);
  }
  rmSync(work, { recursive: true, force: true });
  log(`made them in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { profile, base };
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
 * same tree. Both answer which files build for the host target, both with
 * their caches warm (go list: its module index in GOCACHE; goperf: its cache
 * of file headers and of its last answer, validated by each file's stat);
 * goperf is also timed without its cache. Every goperf run is a new process,
 * so `node -e 0` is timed as the floor no per-process CLI on node can go
 * under. node starts without NODE_EXTRA_CA_CERTS: the CLI makes no TLS
 * connections, yet with it set node parses the CA file at every start
 * (~70 ms of CPU), a cost of this machine's setup rather than of goperf.
 */
function compareConstraints() {
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const src = join(goroot, 'src');
  const nodeEnv = { ...process.env, GOPERF_CACHE_DIR: join(cacheDir, 'bench', 'goperf-cache') };
  delete nodeEnv.NODE_EXTRA_CA_CERTS;
  const eval_ = (env) => () => execFileSync(process.execPath, [cli, 'constraints', 'eval', '--json', src], { env, maxBuffer: 1 << 30 });
  const ours = eval_(nodeEnv);
  const cold = eval_({ ...nodeEnv, GOPERF_CACHE_DIR: 'off' });
  const floor = () => execFileSync(process.execPath, ['-e', '0'], { env: nodeEnv });
  const theirs = () => execFileSync('go', ['list', '-e', './...'], { cwd: src, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  const same = ours().equals(cold());
  theirs();
  log(`timing goperf constraints eval (cached, uncached), node -e 0 and go list -e ./... over ${src}, ${runs} runs each ...`);
  return {
    ours: timeRuns(runs, ours),
    cold: timeRuns(runs, cold),
    floor: timeRuns(runs, floor),
    theirs: timeRuns(runs, theirs),
    same,
    files: JSON.parse(ours().toString()).files.length,
  };
}

/**
 * What the language server and the explorer decorations do when the target
 * changes: evaluateFile on header analyses they already hold, in a process
 * that is already running. Timed over every .go file of GOROOT/src, switching
 * between the host target and windows/arm64, after one pass to warm up.
 */
async function measureInProcessEvaluation() {
  const { collectFiles, readAndAnalyze } = await loadBundle('constraintsCli', 'src', 'cli', 'constraints.ts');
  const { evaluateFile } = await loadBundle('constraints', 'src', 'core', 'constraints', 'index.ts');
  const { resolveTarget } = await loadBundle('target', 'src', 'core', 'go', 'target.ts');
  const src = join(execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim(), 'src');
  const analyses = (await collectFiles(src, (n) => n.endsWith('.go'))).map(readAndAnalyze);
  const targets = [await resolveTarget({}, 'go', src), await resolveTarget({ goos: 'windows', goarch: 'arm64' }, 'go', src)];
  let included = 0;
  const pass = (target) => {
    for (const a of analyses) if (evaluateFile(a, target).included) included++;
  };
  pass(targets[1]);
  let i = 0;
  const millis = timeRuns(Math.max(runs, 10), () => pass(targets[i++ % 2]));
  return { millis, files: analyses.length, included };
}

/**
 * The language server's answer to an edit: time from sending didChange until
 * publishDiagnostics for that version arrives (the server debounces edits by
 * 25 ms), over stdio as an editor talks to it, on a real GOROOT file.
 */
async function measureDiagnosticsLatency() {
  const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const file = join(goroot, 'src', 'os', 'exec_posix.go');
  const text = readFileSync(file, 'utf8');
  const proc = spawn(process.execPath, [join(root, 'dist', 'server.js'), '--stdio'], { cwd: join(goroot, 'src'), stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiting = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    waiting.get(p.version)?.(performance.now());
    waiting.delete(p.version);
  });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  const uri = pathToFileURL(file).href;
  const published = (version) => new Promise((resolve) => waiting.set(version, resolve));
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(join(goroot, 'src')).href, capabilities: {} });
    await conn.sendNotification('initialized', {});
    const opened = published(1);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1, text } });
    await opened;
    // Let the server finish asking go for the target and the ports, as it would while the user reads the file.
    await new Promise((r) => setTimeout(r, 3000));
    const times = [];
    const edits = Math.max(20, runs * 4);
    const line0 = text.split('\n').findIndex((l) => l.startsWith('//go:build'));
    for (let version = 2; version <= edits + 1; version++) {
      // Alternately break and restore the constraint's first tag: every edit changes the diagnostics.
      const newText = version % 2 === 0 ? 'unix_typo' : 'unix';
      const start = { line: line0, character: '//go:build '.length };
      const oldLength = version % 2 === 0 ? 'unix'.length : 'unix_typo'.length;
      const done = published(version);
      const sent = performance.now();
      await conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start, end: { line: line0, character: start.character + oldLength } }, text: newText }],
      });
      times.push((await done) - sent);
    }
    return { median: median(times), max: Math.max(...times), edits, file };
  } finally {
    conn.dispose();
    proc.kill();
  }
}

// ---- 4. in-process stages and protobufjs ---------------------------------------

/** A module of ours (TypeScript, `src/…`) bundled for timing in this process. */
async function loadBundle(name, ...entry) {
  const esbuild = await import('esbuild');
  const out = join(cacheDir, 'bench', `${name}.cjs`);
  await esbuild.build({
    entryPoints: [join(root, ...entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  return require(out);
}

/** Like timeRuns, with `prepare()`'s result passed to each run and not timed. */
function timeFresh(n, prepare, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const input = prepare();
    const start = performance.now();
    fn(input);
    times.push(performance.now() - start);
  }
  return median(times);
}

function stages(core, profile, baseFile) {
  const gz = readFileSync(profile);
  const raw = gunzipSync(gz);
  const decoded = core.decodeProfile(raw, profile);
  const fresh = () => core.decodeProfile(raw, profile);
  const base = core.decodeProfile(readFileSync(baseFile), baseFile);
  let fresher = 0;
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
    // The call tree's structures are built once per profile (and per stack
    // filter); "first" runs get a freshly decoded profile, decoded untimed.
    ['call tree, first (builds the stack trie)', timeFresh(n, fresh, (p) => core.aggregate(p)), stackM],
    ['call tree, again', timeRuns(n, () => core.aggregate(decoded)), stackM],
    // Issue 6's interactions after load, each to be under 200 ms.
    ['switch sample type (call tree of type 0)', timeRuns(n, () => core.aggregate(decoded, 0)), stackM],
    ['filter --focus/--hide + call tree', timeRuns(n, () => core.viewProfile(decoded, decoded.defaultSampleIndex, { filters: { focus: 'main\\.', hide: 'runtime\\.' } })), stackM],
    ['  a new --focus regex each time', timeRuns(n, () => core.viewProfile(decoded, decoded.defaultSampleIndex, { filters: { focus: `main\\.|x${++fresher}` } })), stackM],
    ['  a new --hide regex each time', timeRuns(n, () => core.viewProfile(decoded, decoded.defaultSampleIndex, { filters: { hide: `runtime\\.|x${++fresher}` } })), stackM],
    ['  a new --show regex each time', timeRuns(n, () => core.viewProfile(decoded, decoded.defaultSampleIndex, { filters: { show: `main\\.|x${++fresher}` } })), stackM],
    [`diff (--diff-base, the first ${BASE_WALKS} walks) + call tree, first`, timeFresh(n, fresh, (p) => core.viewProfile(p, p.defaultSampleIndex, { base: { profile: base, mode: 'diff_base' } })), stackM],
    // "After load": both profiles were decoded and drawn (as the flame graph draws them:
    // viewProfile, which keeps their call trees) before the base is chosen.
    [
      '  first, both profiles loaded and drawn before',
      timeFresh(
        n,
        () => {
          const p = fresh();
          core.viewProfile(p, p.defaultSampleIndex);
          core.viewProfile(base, base.defaultSampleIndex);
          return p;
        },
        (p) => core.viewProfile(p, p.defaultSampleIndex, { base: { profile: base, mode: 'diff_base' } }),
      ),
      stackM,
    ],
    ['  again: another sample type of that diff', timeRuns(n, () => core.viewProfile(decoded, ++fresher % 2, { base: { profile: base, mode: 'diff_base' } })), stackM],
    [
      '  a new --focus regex on that diff',
      timeRuns(n, () => core.viewProfile(decoded, decoded.defaultSampleIndex, { base: { profile: base, mode: 'diff_base' }, filters: { focus: `main\\.|x${++fresher}` } })),
      stackM,
    ],
    // Hide and show need the merged samples' own call-tree structures, built the first time.
    [
      '  the first --hide regex on a drawn diff',
      timeFresh(
        n,
        () => {
          const p = fresh();
          core.viewProfile(p, p.defaultSampleIndex, { base: { profile: base, mode: 'diff_base' } });
          return p;
        },
        (p) => core.viewProfile(p, p.defaultSampleIndex, { base: { profile: base, mode: 'diff_base' }, filters: { hide: 'runtime\\.' } }),
      ),
      stackM,
    ],
    [
      '  then a new --hide regex each time',
      timeRuns(n, () => core.viewProfile(decoded, decoded.defaultSampleIndex, { base: { profile: base, mode: 'diff_base' }, filters: { hide: `runtime\\.|x${++fresher}` } })),
      stackM,
    ],
    [
      '-base (merged samples), first, both profiles drawn before',
      timeFresh(
        n,
        () => {
          const p = fresh();
          core.viewProfile(p, p.defaultSampleIndex);
          return p;
        },
        (p) => core.viewProfile(p, p.defaultSampleIndex, { base: { profile: base, mode: 'base' } }),
      ),
      stackM,
    ],
    ['  again: another sample type of that -base', timeRuns(n, () => core.viewProfile(decoded, ++fresher % 2, { base: { profile: base, mode: 'base' } })), stackM],
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

// ---- 5. the flame graph in Chromium, and go tool pprof -http ---------------------

/**
 * test/webview/measure.ts on the `goperf flame` page of the profile: open →
 * first paint (median of a few fresh pages), then the draw time of each frame
 * while zooming and scrolling the call tree with real input.
 */
function measureFlame(profile) {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'test', 'webview', 'measure.ts'), profile, '--runs', String(Math.min(runs, 3))],
    { cwd: root, encoding: 'utf8', timeout: 30 * 60_000 },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

/**
 * `go tool pprof -http` from its start until its first /ui/flamegraph answer
 * has been read in full: what its user waits for before a flame graph can
 * appear (their browser still has to draw it; not counted).
 */
async function pprofHttpFirstFlameGraph(profile) {
  // pprof prints the address it was given, so the port is chosen here (":0" would print as is).
  const port = await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
  const started = performance.now();
  const proc = spawn('go', ['tool', 'pprof', '-no_browser', `-http=127.0.0.1:${port}`, profile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`go tool pprof -http exited (${proc.exitCode}) before answering: ${stderr}`);
      if (performance.now() - started > 300_000) throw new Error('go tool pprof -http did not answer within 5 minutes');
      let response;
      try {
        response = await fetch(`http://127.0.0.1:${port}/ui/flamegraph`);
      } catch {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const body = await response.text();
      if (!response.ok || body.length === 0) throw new Error(`go tool pprof -http answered /ui/flamegraph with ${response.status}`);
      return performance.now() - started;
    }
  } finally {
    proc.kill();
  }
}

async function comparePprofHttp(profile) {
  const n = Math.min(runs, 3);
  log(`timing go tool pprof -http up to its first /ui/flamegraph answer, ${n} runs ...`);
  const times = [];
  for (let i = 0; i < n; i++) times.push(await pprofHttpFirstFlameGraph(profile));
  return median(times);
}

// ---- 7, 8. traces ------------------------------------------------------------------

/**
 * `go tool trace FILE` from its start until its main page has been read in
 * full. It listens first, then reads and splits the whole trace, then prints
 * its address and serves. BROWSER=true stands in for the browser it opens
 * (else it would start this machine's chromium), and returns at once.
 */
async function goToolTraceFirstPage(traceFile) {
  const started = performance.now();
  const proc = spawn('go', ['tool', 'trace', '-http=127.0.0.1:0', traceFile], {
    env: { ...process.env, BROWSER: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: go runs the tool as a child, and both are stopped together.
    detached: true,
  });
  let stderr = '';
  try {
    const address = await new Promise((resolveAddress, reject) => {
      const timer = setTimeout(() => reject(new Error('go tool trace did not serve within 15 minutes')), 15 * 60_000);
      proc.stderr.on('data', (chunk) => {
        stderr += chunk;
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolveAddress(m[1]);
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`go tool trace exited (${code}) before serving: ${stderr}`));
      });
    });
    const response = await fetch(`${address}/`);
    const body = await response.text();
    if (!response.ok || !body.includes('View trace')) throw new Error(`go tool trace answered / with ${response.status}`);
    return performance.now() - started;
  } finally {
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function measureTraceReading() {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'test', 'fixtures', 'trace', 'throughput.ts'), '--runs', String(Math.min(runs, 3))],
    { cwd: root, encoding: 'utf8', timeout: 30 * 60_000 },
  );
  return JSON.parse(out.trim().split('\n').pop());
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
console.log(`\n(load average before measuring: ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
if (section('pprof')) {
  const { profile, base } = ensureLargeProfile();
  const core = await loadBundle('core', 'src', 'core', 'pprof', 'index.ts');
  const { rows: stageRows, info } = stages(core, profile, base);
  const top = compareTop(profile);
  const flame = withBrowser ? measureFlame(profile) : undefined;
  const pprofHttp = withBrowser ? await comparePprofHttp(profile) : undefined;

  console.log(`\nLarge profile: ${profile}`);
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
  if (flame !== undefined) {
    console.log('');
    console.log(
      table([
        [`flame page in Chromium (call tree of ${flame.firstPaint.nodeCount} nodes)`, 'time'],
        [`open -> first paint (median of ${flame.paints.length})`, ms(flame.firstPaintMillis)],
        [`  of which decoding (in the ${flame.firstPaint.decodedIn})`, ms(flame.firstPaint.decodeMillis)],
        ['  of which the call tree', ms(flame.firstPaint.aggregateMillis)],
        ['go tool pprof -http: start -> first /ui/flamegraph answer', ms(pprofHttp)],
        ['ratio first paint / pprof -http (target <= 0.33)', (flame.firstPaintMillis / pprofHttp).toFixed(2)],
        [`draw while zooming/scrolling, p50 (${flame.draws.frames} frames)`, `${flame.draws.drawP50.toFixed(1)} ms`],
        ['draw while zooming/scrolling, p95 (target < 16 ms)', `${flame.draws.drawP95.toFixed(1)} ms`],
        ['draw while zooming/scrolling, max', `${flame.draws.drawMax.toFixed(1)} ms`],
      ]),
    );
  }
  if (!top.same) process.exitCode = 1;
}
if (only?.includes('stages') && !section('pprof')) {
  const core = await loadBundle('core', 'src', 'core', 'pprof', 'index.ts');
  const { profile, base } = ensureLargeProfile();
  const { rows: stageRows } = stages(core, profile, base);
  console.log(table([['stage (in process)', 'median', 'throughput'], ...stageRows.map(([name, t, rate]) => [name, ms(t), rate(t)])]));
}
if (section('constraints')) {
  const constraints = compareConstraints();
  const inProcess = await measureInProcessEvaluation();
  const latency = await measureDiagnosticsLatency();
  const ratio = (ms_) => `${(constraints.theirs / ms_).toFixed(1)}x`;
  console.log('');
  console.log(
    table([
      [`build constraints over GOROOT/src (${constraints.files} .go files)`, `median of ${runs}`],
      ['go list -e ./... (module index warm)', ms(constraints.theirs)],
      ['goperf constraints eval --json, a process per run (cache warm)', ms(constraints.ours)],
      ['goperf constraints eval --json, a process per run (no cache)', ms(constraints.cold)],
      ['node -e 0 (the start of any node process)', ms(constraints.floor)],
      [`evaluateFile on all ${inProcess.files} files for a new target, in process (warm)`, `${inProcess.millis.toFixed(1)} ms`],
      ['go list / CLI, cache warm (target >= 10x)', ratio(constraints.ours)],
      ['go list / CLI, no cache', ratio(constraints.cold)],
      ['go list / in-process evaluation on a target change', ratio(inProcess.millis)],
      ['go list / node -e 0 (the best any node CLI could do)', ratio(constraints.floor)],
      ['cached and uncached output the same', constraints.same ? 'yes' : 'NO'],
    ]),
  );
  console.log('');
  console.log(
    table([
      [`language server, didChange -> publishDiagnostics (${latency.edits} edits)`, 'time'],
      ['median (target <= 50 ms)', ms(latency.median)],
      ['max', ms(latency.max)],
    ]),
  );
  if (!constraints.same) process.exitCode = 1;
}
if (section('trace')) {
  log('reading the large trace: goperf against golang.org/x/exp/trace, then the model\'s memory ...');
  const r = measureTraceReading();
  const x = (v) => `${v.toFixed(2)}x`;
  console.log('');
  console.log(
    table([
      [`reading a large real trace (${r.megabytes} MB, ${r.events} events), best of ${r.runs}`, 'wall', 'CPU', 'throughput'],
      ['golang.org/x/exp/trace, every event', ms(r.go.wallMs), ms(r.go.cpuMs), `${r.go.MBps} MB/s`],
      ['goperf readTrace (bundled), every event', ms(r.ours.wallMs), ms(r.ours.cpuMs), `${r.ours.MBps} MB/s`],
      ['ratio goperf / Go throughput (target >= 0.5)', x(r.throughputRatioWall), x(r.throughputRatioCpu), ''],
      ['goperf readTraceModel (the timeline model)', ms(r.model.modelMillis), '', ''],
    ]),
  );
  console.log('');
  console.log(
    table([
      ['memory, per byte of the file', 'x file'],
      ['timeline model retained: heap + ArrayBuffers, file dropped (target <= 5)', x(r.model.retainedPerFileByte)],
      ['  of which the model\'s typed arrays', x(r.model.modelBuffersPerFileByte)],
      ['peak RSS while reading the model (node and the file included)', x(r.model.peakRssPerFileByte)],
      ['golang.org/x/exp/trace peak RSS, reading every event', x(r.go.maxRssPerFileByte)],
    ]),
  );
}
if (section('timeline') && withBrowser) {
  // test/webview/timelineMeasure.ts: the ≥ 50 MB busy trace in the timeline webview.
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'webview', 'timelineMeasure.ts')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  const t = JSON.parse(out.trim().split('\n').pop());
  // It takes minutes on a large trace; one run is enough for a ratio this size.
  log('timing go tool trace up to its first page, 1 run ...');
  const goTrace = await goToolTraceFirstPage(t.traceFile);
  console.log('');
  console.log(
    table([
      [`trace timeline in Chromium (${mb(t.traceBytes)}, ${t.spans} P-lane slices, ${t.goroutines} goroutines)`, 'time'],
      [`open -> first paint (read in the ${t.where})`, ms(t.firstPaintMillis)],
      ['  of which the test harness getting the bytes into the page', ms(t.deliverMillis)],
      ['  of which reading into the model (in the worker)', ms(t.readMillis)],
      ['go tool trace: start -> its first page served', ms(goTrace)],
      ['ratio first paint / go tool trace (target <= 0.33)', (t.firstPaintMillis / goTrace).toFixed(2)],
      [`draw while zooming/panning, p50 (${t.frames} frames)`, `${t.drawP50.toFixed(1)} ms`],
      ['draw while zooming/panning, p95 (target < 16 ms)', `${t.drawP95.toFixed(1)} ms`],
      ['draw while zooming/panning, max', `${t.drawMax.toFixed(1)} ms`],
      ['animation frame interval, p95', `${t.frameIntervalP95.toFixed(1)} ms`],
    ]),
  );
}
console.log(`\n(load average after measuring: ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
