// The compiler's decision log, read back and compared with what the same
// compiler prints as text: -m=2 for inlining and escapes, the check_bce
// debug flag for bounds checks.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { collectDecisions, parseDecisionLog } from '../../src/core/go/buildDecisions';

const execFileAsync = promisify(execFile);
const repoRoot = join(__dirname, '..', '..');

/** `file:line:col: text` lines the compiler printed for a flag, with paths relative to `dir`. */
async function compilerText(dir: string, gcflags: string): Promise<{ line: number; column: number; text: string }[]> {
  // A cached compile replays its output, so this works on a warm cache too.
  const { stderr } = await execFileAsync('go', ['build', `-gcflags=${gcflags}`, '-o', '/dev/null', '.'], { cwd: dir });
  return stderr.split('\n').flatMap((line) => {
    const m = /^\.\/workload\.go:(\d+):(\d+): (.*)$/.exec(line);
    return m ? [{ line: Number(m[1]), column: Number(m[2]), text: m[3] }] : [];
  });
}

describe('compiler decisions (sample workload package)', () => {
  let work: string;
  let pkg: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'goperf-decisions-test-'));
    cpSync(join(repoRoot, 'sample'), work, { recursive: true, filter: (source) => !/\.(test|pprof|prof|out)$/.test(source) });
    pkg = join(work, 'workload');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('inlining and escape decisions sit where -m=2 reports them, with the same reasons', { timeout: 120_000 }, async () => {
    const result = await collectDecisions({ goPath: 'go', packageDir: pkg });
    assert.equal(result.outcome, 'ok');
    const file = join(pkg, 'workload.go');
    assert.ok(result.decisions.every((d) => d.file === file), 'every decision is in workload.go');
    const at = (line: number, column: number) => result.decisions.filter((d) => d.line === line && d.column === column);

    const text = await compilerText(pkg, '-m=2');
    let checked = 0;
    for (const printed of text) {
      const canInline = /^can inline (\S+) with cost (\d+)/.exec(printed.text);
      const cannotInline = /^cannot inline (\S+): (.*)$/.exec(printed.text);
      // The detailed form ("… in Func:"); the short summary line after it repeats the place without the expression.
      const escapes = /^(.+) escapes to heap in \S+:$/.exec(printed.text);
      if (canInline) {
        assert.ok(at(printed.line, printed.column).some((d) => d.code === 'canInlineFunction' && d.text === `can inline: cost: ${canInline[2]}`), printed.text);
      } else if (cannotInline) {
        assert.ok(at(printed.line, printed.column).some((d) => d.code === 'cannotInlineFunction' && d.text === `cannot inline: ${cannotInline[2]}`), printed.text);
      } else if (escapes) {
        assert.ok(at(printed.line, printed.column).some((d) => d.kind === 'escape' && d.text === `${escapes[1]} escapes to heap`), printed.text);
      } else continue;
      checked++;
    }
    assert.ok(checked >= 10, `only ${checked} decisions compared`);
    const escape = result.decisions.find((d) => d.kind === 'escape' && d.related.length > 0);
    assert.ok(escape?.related.some((r) => r.message.includes('flow:')), 'escapes carry their flow');
  });

  test('bounds checks sit where the check_bce debug output finds them', { timeout: 120_000 }, async () => {
    const result = await collectDecisions({ goPath: 'go', packageDir: pkg });
    const found = (await compilerText(pkg, '-d=ssa/check_bce/debug=1')).filter((p) => /^Found Is(Slice)?InBounds$/.test(p.text));
    assert.ok(found.length > 0, 'the sample has bounds checks');
    const ours = result.decisions.filter((d) => d.kind === 'bounds').map((d) => `${d.line}:${d.column}`).sort();
    assert.deepEqual(ours, found.map((p) => `${p.line}:${p.column}`).sort());
  });

  test('a package that does not compile gives its errors instead', { timeout: 120_000 }, async () => {
    const broken = mkdtempSync(join(tmpdir(), 'goperf-decisions-broken-'));
    try {
      writeFileSync(join(broken, 'go.mod'), 'module example.com/b\n\ngo 1.22\n');
      writeFileSync(join(broken, 'b.go'), 'package b\n\nfunc F() { g() }\n');
      const result = await collectDecisions({ goPath: 'go', packageDir: broken });
      assert.equal(result.outcome, 'failed');
      assert.deepEqual(result.errors.map((e) => [e.file, e.line, e.column, e.message]), [[join(broken, 'b.go'), 3, 12, 'undefined: g']]);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  test('a log of another version or a damaged line is named in the error', () => {
    assert.throws(() => parseDecisionLog('{"version":1,"file":"/x.go"}\n', '/logs/x.json'), /\/logs\/x\.json: unknown compiler log version 1/);
    assert.throws(() => parseDecisionLog('{"version":0,"file":"/x.go"}\n{oops\n', '/logs/x.json'), /\/logs\/x\.json:2: not a JSON diagnostic/);
  });
});
