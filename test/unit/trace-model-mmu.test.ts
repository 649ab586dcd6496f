// Minimum mutator utilization against `go tool trace`'s own /mmu page: the
// tool serves the curve it plots as JSON (`/mmu?mode=plot&flags=…`), which is
// read here from the real tool, run on traces Go writes during the test.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_UTIL_FLAGS, MMUCurve, mutatorUtilization, type UtilFlags } from '../../src/core/trace/mmu';
import { env, fixtureBinary } from '../fixtures/trace/traces';

const tmp = mkdtempSync(join(tmpdir(), 'goperf-trace-mmu-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const files = { gcheavy: join(tmp, 'gcheavy.trace'), netload: join(tmp, 'netload.trace') };
before(() => {
  for (const [name, file] of Object.entries(files)) execFileSync(fixtureBinary(name), [file], { cwd: tmp, env, stdio: 'ignore', timeout: 120_000 });
});

/** The /mmu plot data of `go tool trace` for `file`, asked with the page's flag names. */
async function goMMUPlot(file: string, flags: string): Promise<{ curve: [number, number][] }> {
  // BROWSER=true: the tool "opens" its page with /bin/true instead of a browser.
  const tool = spawn('go', ['tool', 'trace', '-http=127.0.0.1:0', file], { env: { ...env, BROWSER: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`go tool trace did not start serving:\n${text}`)), 120_000);
      tool.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      tool.on('exit', (code) => reject(new Error(`go tool trace exited with ${code}:\n${text}`)));
    });
    const response = await fetch(`${address}/mmu?mode=plot&flags=${encodeURIComponent(flags)}`);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { curve: [number, number][] };
  } finally {
    tool.kill('SIGINT');
  }
}

const pageFlags = (f: UtilFlags) =>
  (Object.keys(f) as (keyof UtilFlags)[])
    .filter((k) => f[k])
    .join('|');

describe('minimum mutator utilization', () => {
  const cases: [keyof typeof files, UtilFlags][] = [
    ['gcheavy', DEFAULT_UTIL_FLAGS],
    ['gcheavy', { stw: true, background: true, assist: true, sweep: true, perProc: true }],
    ['netload', DEFAULT_UTIL_FLAGS],
  ];
  for (const [name, flags] of cases) {
    test(`the ${name} trace's curve with ${pageFlags(flags)} equals go tool trace's`, async () => {
      const file = files[name];
      const { series, problem } = mutatorUtilization(readFileSync(file), file, flags);
      assert.equal(problem, undefined);
      const ours = new MMUCurve(series).curve();
      const { curve } = await goMMUPlot(file, pageFlags(flags));
      assert.equal(ours.length, curve.length);
      for (let i = 0; i < curve.length; i++) {
        const [window, mmu] = curve[i];
        assert.equal(ours[i].window, window, `window ${i}`);
        assert.ok(Math.abs(ours[i].mmu - mmu) < 1e-9, `MMU at ${window} ns: ours ${ours[i].mmu}, Go's ${mmu}`);
      }
      // A GC-heavy program loses the whole machine for its shortest windows and little over the whole run.
      assert.ok(curve.some(([, mmu]) => mmu < 0.5) && curve[curve.length - 1][1] > 0, JSON.stringify(curve.slice(0, 3)));
    });
  }
});
