// The "Build for <port>" quick fix sets GOOS/GOARCH, so the port gets the go
// command's CGO_ENABLED default: the request must carry what `go env` reports
// for that port, and the file must build there with it (go list decides).

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultCgoEnabled, listPorts, readHostInfo, resolveTarget, type GoPort, type HostInfo } from '../../src/core/go/target';
import { analyzeDocument } from '../../src/server/analysis';
import { codeActionsFor, SET_TARGET_COMMAND } from '../../src/server/codeActions';
import { computeDiagnostics } from '../../src/server/diagnostics';
import type { TargetRequest } from '../../src/server/target';
import { GO, runGo } from '../fixtures/constraints/golist';

/** The environment a target switch leaves to the go command: GOOS/GOARCH set, CGO_ENABLED and CC not. */
function switchEnv(goos: string, goarch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOOS: goos, GOARCH: goarch, GOFLAGS: '' };
  delete env.CGO_ENABLED;
  delete env.CC;
  return env;
}

let ports: GoPort[] = [];
let host: HostInfo;

before(async () => {
  [ports, host] = await Promise.all([listPorts(GO, process.cwd(), { includeBroken: true }), readHostInfo(GO, process.cwd())]);
});

test('the CGO_ENABLED default for a port is what go env reports when only GOOS/GOARCH are set', async () => {
  const env = { ...process.env };
  delete env.CGO_ENABLED;
  const sample = ports.filter((p) => !p.broken && (p.firstClass || (p.goos === host.goos && p.goarch === host.goarch) || p.goos === 'android'));
  assert.ok(sample.some((p) => p.goos === host.goos && p.goarch === host.goarch), 'the host port is among them');
  for (const port of sample) {
    const fromGo = (await runGo(['env', 'CGO_ENABLED'], process.cwd(), switchEnv(port.goos, port.goarch))).trim() === '1';
    assert.equal(defaultCgoEnabled(port, host, env), fromGo, `${port.goos}/${port.goarch}`);
  }
  // An explicit CGO_ENABLED wins, cross-compiling or not.
  const windows = ports.find((p) => p.goos === 'windows' && p.goarch === 'amd64')!;
  assert.equal(defaultCgoEnabled(windows, host, { ...env, CGO_ENABLED: '1' }), true);
  assert.equal(defaultCgoEnabled(windows, host, { ...env, CGO_ENABLED: '0' }), false);
});

test('"Build for <port>" asks for the go command\'s cgo default there, and the file builds with it', async (t) => {
  const hostCgo = (await runGo(['env', 'CGO_ENABLED'], process.cwd(), switchEnv(host.goos, host.goarch))).trim() === '1';
  if (!hostCgo) {
    t.skip('cgo is off on this host (no C compiler), so a switch away cannot turn it off');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'goperf-server-cgo-'));
  try {
    await fs.writeFile(path.join(dir, 'go.mod'), 'module example.com/cgo\n\ngo 1.21\n');
    await fs.writeFile(path.join(dir, 'p.go'), 'package p\n');
    const text = '//go:build windows || darwin\n\npackage p\n';
    await fs.writeFile(path.join(dir, 'w.go'), text);
    // The host target with cgo on, as go env reports it here.
    const target = await resolveTarget({ goos: host.goos, goarch: host.goarch, cgo: true }, GO, dir);
    const file = path.join(dir, 'w.go');
    const a = analyzeDocument(`file://${file}`, 1, file, text, { target, ports, host, onDisk: true });
    const excluded = computeDiagnostics(a, { misspelledTags: true }).filter((d) => d.code === 'excluded');
    assert.equal(excluded.length, 1);
    const requests = codeActionsFor(a, excluded).flatMap((x) => (x.command?.command === SET_TARGET_COMMAND ? [x.command.arguments![0] as TargetRequest] : []));
    assert.ok(requests.length > 0);
    for (const r of requests) {
      const env = switchEnv(r.goos, r.goarch);
      assert.equal(r.cgoEnabled, (await runGo(['env', 'CGO_ENABLED'], dir, env)).trim() === '1', `${r.goos}/${r.goarch}`);
      assert.equal(r.cgoEnabled, false, `${r.goos}/${r.goarch} is a cross-compile`);
      const goFiles = (await runGo(['list', '-e', '-f', '{{join .GoFiles " "}}', '.'], dir, { ...env, CGO_ENABLED: r.cgoEnabled ? '1' : '0' })).trim().split(' ');
      assert.ok(goFiles.includes('w.go'), `${r.goos}/${r.goarch}: ${goFiles.join(' ')}`);
    }

    // A file that needs cgo elsewhere: cross-compiling turns cgo off, so no switch of GOOS/GOARCH alone builds it.
    const needsCgo = '//go:build (windows || darwin) && cgo\n\npackage p\n';
    const b = analyzeDocument(`file://${file}`, 2, file, needsCgo, { target, ports, host, onDisk: true });
    const bExcluded = computeDiagnostics(b, { misspelledTags: true }).filter((d) => d.code === 'excluded');
    const bRequests = codeActionsFor(b, bExcluded).filter((x) => x.command?.command === SET_TARGET_COMMAND);
    assert.deepEqual(bRequests.map((x) => x.title), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
