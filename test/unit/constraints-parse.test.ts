// Parser, printer, evaluator and +build conversion checked against Go's own
// go/build/constraint (test/fixtures/constraints/oracle/main.go, built and run
// here) on the grammar's edge cases and on a few thousand generated lines.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  evalExpr,
  exprString,
  goBuildLineFromPlusBuild,
  isGoBuildLine,
  isPlusBuildLine,
  parseConstraintLine,
  plusBuildLines,
  type Expr,
} from '../../src/core/constraints';
import { seededRandom } from '../fixtures/random';

interface OracleLine {
  isGoBuild: boolean;
  isPlusBuild: boolean;
  ok: boolean;
  expr?: string;
  err?: string;
  offset: number;
  plusLines?: string[];
  plusErr?: string;
  evals: boolean[];
}
interface OracleResponse {
  lines: OracleLine[];
  groups: string[];
}

const GO = process.env.GOPERF_GO || 'go';
const ORACLE_DIR = path.resolve('test/fixtures/constraints/oracle');
let oracleBinary = '';
let workDir = '';

before(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'goperf-constraints-'));
  oracleBinary = path.join(workDir, 'oracle');
  execFileSync(GO, ['build', '-o', oracleBinary, 'main.go'], { cwd: ORACLE_DIR, stdio: 'pipe' });
  process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
});

function askOracle(lines: Array<{ line: string; tagSets: string[][] }>, plusBuildGroups: string[][] = []): Promise<OracleResponse> {
  return new Promise((resolve, reject) => {
    const child = execFile(oracleBinary, [], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`oracle failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as OracleResponse);
    });
    child.stdin!.end(JSON.stringify({ lines, plusBuildGroups }));
  });
}

/** Compares our answer for one line with Go's; returns a description of the first difference. */
function compareLine(line: string, tagSets: string[][], go: OracleLine): string | undefined {
  const show = JSON.stringify(line.length > 120 ? line.slice(0, 120) + '…' : line);
  if (isGoBuildLine(line) !== go.isGoBuild) return `${show}: IsGoBuild go=${go.isGoBuild}`;
  if (isPlusBuildLine(line) !== go.isPlusBuild) return `${show}: IsPlusBuild go=${go.isPlusBuild}`;
  const ours = parseConstraintLine(line);
  if (!go.ok) {
    if (go.err === 'not a build constraint') return ours === undefined ? undefined : `${show}: go says not a constraint, we parsed it`;
    if (!ours || ours.ok) return `${show}: go error ${JSON.stringify(go.err)}, we ${ours ? 'parsed ' + exprString(ours.expr) : 'saw no constraint'}`;
    if (ours.error.message !== go.err) return `${show}: error message go=${JSON.stringify(go.err)} ours=${JSON.stringify(ours.error.message)}`;
    if (go.offset >= 0 && ours.error.exprOffset !== go.offset) return `${show}: error offset go=${go.offset} ours=${ours.error.exprOffset}`;
    return undefined;
  }
  if (!ours || !ours.ok) return `${show}: go parsed ${go.expr}, we ${ours ? 'failed: ' + ours.error.message : 'saw no constraint'}`;
  if (exprString(ours.expr) !== go.expr) return `${show}: String go=${go.expr} ours=${exprString(ours.expr)}`;
  const plus = plusBuildLines(ours.expr);
  if (go.plusErr !== undefined) {
    if (plus.ok) return `${show}: PlusBuildLines go error ${go.plusErr}, ours ${plus.lines.join(' | ')}`;
    if (plus.error !== go.plusErr) return `${show}: PlusBuildLines error go=${go.plusErr} ours=${plus.error}`;
  } else if (!plus.ok || JSON.stringify(plus.lines) !== JSON.stringify(go.plusLines)) {
    return `${show}: PlusBuildLines go=${JSON.stringify(go.plusLines)} ours=${JSON.stringify(plus.ok ? plus.lines : plus.error)}`;
  }
  for (let i = 0; i < tagSets.length; i++) {
    const v = evalExpr(ours.expr, (t) => tagSets[i].includes(t));
    if (v !== go.evals[i]) return `${show}: Eval with {${tagSets[i].join(',')}} go=${go.evals[i]} ours=${v}`;
  }
  return undefined;
}

/** Lines that exercise the rules in the reference notes, with what Go's rules say they mean. */
const EDGE_CASES: Array<{ line: string; expect: string }> = [
  { line: '//go:build !!x', expect: 'error: double negation not allowed @1' },
  { line: '//go:build !(!x)', expect: 'expr: !!x' },
  { line: '//go:build a & b', expect: 'error: invalid syntax at & @2' },
  { line: '//go:build a | b', expect: 'error: invalid syntax at | @2' },
  { line: '//go:build a &', expect: 'error: invalid syntax at & @2' },
  { line: '//go:build', expect: 'error: unexpected end of expression @0' },
  { line: '//go:build x && (', expect: 'error: missing close paren @6' },
  { line: '//go:build (x && y', expect: 'error: missing close paren @0' },
  { line: '//go:build x y', expect: 'error: unexpected token y @2' },
  { line: '//go:build αx²', expect: 'error: invalid syntax at ² @3' },
  { line: '//go:build linux && amd64.v2 || go1.21', expect: 'expr: (linux && amd64.v2) || go1.21' },
  { line: '//go:build\tlinux', expect: 'expr: linux' },
  { line: '//go:build linux\r', expect: 'expr: linux' },
  { line: '//go:build linux\n', expect: 'expr: linux' },
  { line: '//go:build linux\nx', expect: 'none' },
  { line: '//go:buildfoo', expect: 'none' },
  { line: '// go:build linux', expect: 'none' },
  { line: ' //go:build linux', expect: 'none' },
  { line: '//+build linux', expect: 'expr: linux' },
  { line: '//   +build linux,!cgo windows', expect: 'expr: (linux && !cgo) || windows' },
  { line: '// +buildfoo', expect: 'none' },
  { line: '// +build', expect: 'expr: ignore' },
  { line: '// +build !', expect: 'expr: ignore' },
  { line: '// +build !!x', expect: 'expr: ignore' },
  { line: '// +build a,,b', expect: 'expr: a && ignore && b' },
  { line: '// +build !a-b', expect: 'expr: !ignore' },
  { line: '//go:build ' + Array.from({ length: 1000 }, (_, i) => `t${i}`).join(' || '), expect: 'ok' },
  { line: '//go:build ' + Array.from({ length: 1001 }, (_, i) => `t${i}`).join(' || '), expect: 'error: build expression too large' },
  { line: '//go:build ' + '('.repeat(1001) + 'x' + ')'.repeat(1001), expect: 'error: build expression too large' },
  { line: '// +build ' + Array.from({ length: 101 }, (_, i) => `t${i}`).join(' '), expect: 'ok' },
  { line: '// +build ' + Array.from({ length: 102 }, (_, i) => `t${i}`).join(' '), expect: 'error: expression too complex for // +build lines' },
];

test('grammar edge cases mean what the rules say, and Go agrees byte for byte', async () => {
  const tagSets = [[], ['x'], ['linux', 'amd64.v2'], ['go1.21'], ['linux', 'windows']];
  const go = await askOracle(EDGE_CASES.map((c) => ({ line: c.line, tagSets })));
  EDGE_CASES.forEach((c, i) => {
    const ours = parseConstraintLine(c.line);
    if (c.expect === 'none') assert.equal(ours, undefined, c.line);
    else if (c.expect === 'ok') assert.ok(ours?.ok, c.line.slice(0, 60));
    else if (c.expect.startsWith('expr: ')) {
      assert.ok(ours?.ok, c.line);
      assert.equal(exprString(ours.expr), c.expect.slice(6), c.line);
    } else {
      assert.ok(ours && !ours.ok, c.line.slice(0, 60));
      const [message, offset] = c.expect.slice(7).split(' @');
      assert.equal(ours.error.message, message, c.line.slice(0, 60));
      if (offset !== undefined) assert.equal(ours.error.exprOffset, Number(offset), c.line);
    }
    assert.equal(compareLine(c.line, tagSets, go.lines[i]), undefined);
  });
});

test('errors carry file-ready offsets: expression offset plus the prefix', () => {
  const r = parseConstraintLine('//go:build   linux && ', { base: 100 });
  assert.ok(r && !r.ok);
  // The expression is trimmed ("linux &&"), so the end is at 8.
  assert.equal(r.error.exprOffset, 8);
  // 100 (base) + 13 ("//go:build" and three spaces) + 8
  assert.equal(r.error.offset, 121);
  const ok = parseConstraintLine('//go:build linux && !cgo', { base: 10 });
  assert.ok(ok?.ok);
  const tags: Array<[string, number, number]> = [];
  const walk = (x: Expr): void => {
    if (x.kind === 'tag') tags.push([x.tag, x.start, x.end]);
    else if (x.kind === 'not') walk(x.x);
    else {
      walk(x.x);
      walk(x.y);
    }
  };
  walk(ok.expr);
  assert.deepEqual(tags, [['linux', 21, 26], ['cgo', 31, 34]]);
  const plus = parseConstraintLine('// +build linux,!cgo', { base: 0 });
  assert.ok(plus?.ok);
  assert.equal(plus.exprStart, 10);
});


const POOL = ['a', 'b', 'c', 'linux', 'cgo', 'go1.21', 'amd64.v2', 'αx', '_x', '386'];

function generateLines(count: number, seed: number): string[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const validExpr = (depth: number): string => {
    const r = rnd();
    if (depth > 3 || r < 0.25) return pick(POOL);
    if (r < 0.5) return '!' + (rnd() < 0.5 ? pick(POOL) : `(${validExpr(depth + 1)})`);
    if (r < 0.6) return `(${validExpr(depth + 1)})`;
    return `${validExpr(depth + 1)}${pick([' && ', '&&', ' || ', '||', '\t&& '])}${validExpr(depth + 1)}`;
  };
  const junkTokens = ['&&', '||', '!', '(', ')', '&', '|', '~', '²', ' ', '\t', '\u00a0', ...POOL];
  const junkExpr = () => Array.from({ length: 1 + Math.floor(rnd() * 7) }, () => pick(junkTokens)).join(pick(['', ' ']));
  const plusTerm = () => pick(['', '!', '!!', '!!x', 'a-b', '!a-b']) || (rnd() < 0.3 ? '!' : '') + pick(POOL);
  const plusField = () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, plusTerm).join(',');
  const prefixes = ['//go:build ', '//go:build ', '//go:build ', '//go:build\t', '//go:build  ', '//go:build', '// go:build ', '//go:buildx ', ' //go:build '];
  const plusPrefixes = ['// +build ', '// +build ', '//+build ', '//   +build ', '// +build\t', '// +buildx ', '/* +build '];
  const suffixes = ['', '', '', '', '', ' ', '\r', '\n', '\nfoo', '\u00a0'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rnd();
    if (kind < 0.1) out.push(`//go:build ${pick(POOL)} || (${pick(POOL)} && (${validExpr(2)} || ${validExpr(2)}))`);
    else if (kind < 0.45) out.push(pick(prefixes) + validExpr(0) + pick(suffixes));
    else if (kind < 0.7) out.push(pick(prefixes) + junkExpr() + pick(suffixes));
    else out.push(pick(plusPrefixes) + Array.from({ length: Math.floor(rnd() * 4) }, plusField).join(pick([' ', '  ', '\t'])) + pick(suffixes));
  }
  return out;
}

test('generated lines: parse, errors and offsets, String, Eval and PlusBuildLines all match Go', async () => {
  const lines = generateLines(4000, 20240601);
  const rnd = seededRandom(7);
  const tagSets = lines.map(() => Array.from({ length: 4 }, () => POOL.filter(() => rnd() < 0.4)));
  const go = await askOracle(lines.map((line, i) => ({ line, tagSets: tagSets[i] })));
  const problems = lines.map((l, i) => compareLine(l, tagSets[i], go.lines[i])).filter((p): p is string => p !== undefined);
  assert.deepEqual(problems.slice(0, 10), [], `${problems.length} of ${lines.length} lines differ from Go`);
  // The generator must reach every outcome, or this test would prove little.
  const outcomes = {
    goBuild: go.lines.filter((l) => l.ok && l.isGoBuild).length,
    plusBuild: go.lines.filter((l) => l.ok && l.isPlusBuild).length,
    syntaxErrors: go.lines.filter((l) => !l.ok && l.err !== 'not a build constraint').length,
    notConstraints: go.lines.filter((l) => l.err === 'not a build constraint').length,
    tooComplexForPlusBuild: go.lines.filter((l) => l.plusErr).length,
  };
  for (const [what, n] of Object.entries(outcomes)) assert.ok(n >= 100, `only ${n} lines of kind ${what}: ${JSON.stringify(outcomes)}`);
});

test('gofmt derives the same //go:build line from +build lines', async () => {
  const rnd = seededRandom(99);
  const plusLines = generateLines(3000, 5).filter((l) => isPlusBuildLine(l) && !l.includes('\n'));
  const groups = Array.from({ length: 300 }, () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => plusLines[Math.floor(rnd() * plusLines.length)]));
  const go = await askOracle([], groups);
  groups.forEach((group, i) => {
    const exprs = group.map((l) => parseConstraintLine(l)).flatMap((p) => (p?.ok ? [p.expr] : []));
    const ours = exprs.length === group.length ? goBuildLineFromPlusBuild(exprs) : '';
    assert.equal(ours ?? '', go.groups[i], JSON.stringify(group));
  });
});
