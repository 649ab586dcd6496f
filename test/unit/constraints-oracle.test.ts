// The go command is the oracle: for a spread of ports, our decision for every
// .go file under $(go env GOROOT)/src (the std and cmd modules, vendored code
// included) must equal what `go list -e` reports. Included means GoFiles,
// CgoFiles, TestGoFiles or XTestGoFiles (and the kind must match), excluded
// means IgnoredGoFiles, invalid means only InvalidGoFiles.
//
// go list output is cached in .cache/constraints-oracle/ keyed by the go
// version, GOROOT, port and tags, so re-runs only pay for our side.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { collectFiles, readAndAnalyze } from '../../src/cli/constraints';
import { resolveTarget } from '../../src/core/go/target';
import { evaluateFile, type FileAnalysis } from '../../src/core/constraints';
import { disagreement, expectedFor, GO, goListModule, label, listedNames, runGo, type PortCase } from '../fixtures/constraints/golist';

const CASES: readonly PortCase[] = [
  { goos: 'linux', goarch: 'amd64', cgo: true },
  { goos: 'linux', goarch: 'amd64', cgo: false },
  { goos: 'windows', goarch: 'amd64' },
  { goos: 'darwin', goarch: 'arm64' },
  { goos: 'js', goarch: 'wasm' },
  { goos: 'wasip1', goarch: 'wasm' },
  { goos: 'aix', goarch: 'ppc64' },
  { goos: 'android', goarch: 'arm64' },
  { goos: 'ios', goarch: 'arm64' },
  { goos: 'illumos', goarch: 'amd64' },
  { goos: 'plan9', goarch: '386' },
  { goos: 'linux', goarch: 'amd64', cgo: true, tags: 'purego,netgo' },
];

const CACHE_DIR = path.resolve('.cache', 'constraints-oracle');

test('file inclusion matches go list for every .go file in GOROOT/src on a spread of ports', { timeout: 15 * 60_000 }, async (t) => {
  const started = Date.now();
  const goroot = (await runGo(['env', 'GOROOT'], process.cwd())).trim();
  const goVersion = (await runGo(['version'], process.cwd())).trim();
  const roots = [path.join(goroot, 'src'), path.join(goroot, 'src', 'cmd')];

  // Our side reads every file once; the analysis is the same for all targets.
  const analyses = new Map<string, FileAnalysis>();
  const filesByRoot = new Map<string, string[]>();
  for (const root of roots) {
    const isGo = (n: string) => n.endsWith('.go');
    const files = [...(await collectFiles(root, isGo)), ...(await collectFiles(path.join(root, 'vendor'), isGo))];
    filesByRoot.set(root, files);
    for (const f of files) analyses.set(f, readAndAnalyze(f));
  }
  t.diagnostic(`read and scanned ${analyses.size} files in ${Date.now() - started} ms`);

  const skipped = new Set<string>();
  for (const c of CASES) {
    const target = await resolveTarget({ goos: c.goos, goarch: c.goarch, cgo: c.cgo, tags: c.tags }, GO, process.cwd());
    const disagreements: string[] = [];
    let compared = 0;
    let included = 0;
    let evalMillis = 0;
    for (const root of roots) {
      const files = filesByRoot.get(root)!;
      const dirs = [...new Set(files.map((f) => path.dirname(f)))].sort();
      const listed = await goListModule(root, c, dirs, { vendor: true, cacheDir: CACHE_DIR, cacheKey: goVersion });
      const evalStart = performance.now();
      for (const f of files) {
        const expected = expectedFor(listed.get(path.dirname(f)), path.basename(f));
        if ('pseudo' in expected) {
          skipped.add(path.relative(goroot, f));
          continue;
        }
        const verdict = evaluateFile(analyses.get(f)!, target);
        compared++;
        if (verdict.included) included++;
        const d = disagreement(path.relative(goroot, f), expected, verdict);
        if (d) disagreements.push(d);
      }
      evalMillis += performance.now() - evalStart;
      // Nothing go list knows about may be missing from our walk.
      const ours = new Set(files);
      for (const pkg of listed.values()) {
        for (const n of listedNames(pkg)) {
          const f = path.join(pkg.Dir, n);
          if (!ours.has(f)) disagreements.push(`${path.relative(goroot, f)}: listed by go list but not found by our directory walk`);
        }
      }
    }
    t.diagnostic(`${label(c)}: ${compared - disagreements.length}/${compared} files agree (${included} included; evaluated in ${evalMillis.toFixed(0)} ms)`);
    assert.equal(
      disagreements.length,
      0,
      `${label(c)}: ${disagreements.length} disagreements with go list; first ones:\n  ${disagreements.slice(0, 15).join('\n  ')}`,
    );
  }
  t.diagnostic(`not compared (go list refuses the pseudo-package): ${[...skipped].join(', ')}`);
  assert.deepEqual([...skipped], [path.join('src', 'builtin', 'builtin.go')]);
  t.diagnostic(`total ${Date.now() - started} ms`);
});
