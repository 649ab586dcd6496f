// Satisfiability over ports. The search is checked against brute force that
// evaluates with tagTruth (the evaluator the GOROOT oracle test verifies), the
// architecture-level model against the tool tags the go command reports, and
// the ports come from `go tool dist list`.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { listPorts } from '../../src/core/go/target';
import {
  ARCH_LEVELS,
  KNOWN_ARCH,
  KNOWN_OS,
  allKnownSystems,
  equivalent,
  evalExpr,
  exprString,
  levelTags,
  parseGoBuildExpression,
  searchPorts,
  tagNames,
  tagTruth,
  type BuildTarget,
  type Expr,
  type Port,
} from '../../src/core/constraints';
import { GO, runGo } from '../fixtures/constraints/golist';
import { seededRandom } from '../fixtures/random';

let ports: Port[] = [];

before(async () => {
  ports = await listPorts(GO, process.cwd(), { includeBroken: true });
});

function parse(text: string): Expr {
  const r = parseGoBuildExpression(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return r.expr;
}

test('architecture levels: the model sets the tool tags the go command sets', async () => {
  const settings: Array<[goarch: string, variable: string, values: string[], goos?: string]> = [
    ['amd64', 'GOAMD64', ['v1', 'v2', 'v3', 'v4']],
    ['arm', 'GOARM', ['5', '6', '7']],
    ['ppc64', 'GOPPC64', ['power8', 'power9', 'power10']],
    ['ppc64le', 'GOPPC64', ['power8', 'power9', 'power10']],
    ['riscv64', 'GORISCV64', ['rva20u64', 'rva22u64', 'rva23u64']],
    ['386', 'GO386', ['sse2', 'softfloat']],
    ['mips', 'GOMIPS', ['hardfloat', 'softfloat']],
    ['mipsle', 'GOMIPS', ['hardfloat', 'softfloat']],
    ['mips64', 'GOMIPS64', ['hardfloat', 'softfloat']],
    ['mips64le', 'GOMIPS64', ['hardfloat', 'softfloat']],
    ['wasm', 'GOWASM', [''], 'js'],
  ];
  assert.deepEqual(settings.map((s) => s[0]).sort(), Object.keys(ARCH_LEVELS).sort());
  for (const [goarch, variable, values, goos = 'linux'] of settings) {
    for (const [index, value] of values.entries()) {
      const env = { ...process.env, GOOS: goos, GOARCH: goarch, [variable]: value };
      const out = await runGo(['list', '-f', '{{join context.ToolTags " "}}', 'unsafe'], process.cwd(), env);
      const fromGo = out.trim().split(' ').filter((t) => t.startsWith(goarch + '.')).sort();
      assert.deepEqual(levelTags(goarch, index).sort(), fromGo, `${goarch} ${variable}=${value}`);
    }
  }
});


const POOL = ['linux', 'android', 'windows', 'darwin', 'ios', 'unix', 'js', 'amd64', 'arm64', 'wasm', 'cgo', 'gc', 'gccgo', 'go1.18', 'go1.21', 'amd64.v2', 'amd64.v3', 'arm.7', 'purego', 'netgo', 'ignore'];

function randomExpr(rnd: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const r = rnd();
  if (depth > 3 || r < 0.3) return pick(POOL);
  if (r < 0.45) return `!${depth < 3 && rnd() < 0.4 ? `(${randomExpr(rnd, depth + 1)})` : pick(POOL)}`;
  return `(${randomExpr(rnd, depth + 1)} ${rnd() < 0.5 ? '&&' : '||'} ${randomExpr(rnd, depth + 1)})`;
}

/** Every build of `port` the model allows, spelled as BuildTargets and evaluated by tagTruth. */
function bruteForce(x: Expr, port: Port): boolean {
  // Tags the model leaves to the build: everything but names the port, the compiler or the toolchain decides.
  const free = tagNames(x).filter((t) => !/^(go1\.\d+|cgo|gc|gccgo|unix)$/.test(t) && !t.includes('.') && !KNOWN_OS.has(t) && !KNOWN_ARCH.has(t));
  const levelChoices = ARCH_LEVELS[port.goarch] ? ARCH_LEVELS[port.goarch].levels.map((_, i) => levelTags(port.goarch, i)) : [[]];
  for (const cgoEnabled of port.cgoSupported ? [true, false] : [false]) {
    for (const compiler of ['gc', 'gccgo']) {
      for (const goVersion of [10, 18, 21, 30]) {
        for (const toolTags of levelChoices) {
          for (let mask = 0; mask < 1 << free.length; mask++) {
            const buildTags = free.filter((_, i) => mask & (1 << i));
            const target: BuildTarget = { goos: port.goos, goarch: port.goarch, cgoEnabled, compiler, buildTags, toolTags, goVersion };
            if (evalExpr(x, (t) => (free.includes(t) && !buildTags.includes(t) ? false : tagTruth(target, t).value))) return true;
          }
        }
      }
    }
  }
  return false;
}

test('port search agrees with brute force over every build setting', () => {
  const rnd = seededRandom(42);
  const somePorts = ports.filter((p) => ['linux/amd64', 'android/arm64', 'ios/arm64', 'windows/arm64', 'js/wasm', 'linux/arm', 'plan9/386', 'darwin/amd64'].includes(`${p.goos}/${p.goarch}`));
  assert.equal(somePorts.length, 8);
  let satisfiableSeen = 0;
  let unsatisfiableSeen = 0;
  for (let i = 0; i < 400; i++) {
    const x = parse(randomExpr(rnd));
    const search = searchPorts(x, somePorts);
    assert.equal(search.unknown.length, 0);
    const found = new Set(search.satisfiable.map((w) => `${w.port.goos}/${w.port.goarch}`));
    for (const port of somePorts) {
      const expected = bruteForce(x, port);
      assert.equal(found.has(`${port.goos}/${port.goarch}`), expected, `${exprString(x)} on ${port.goos}/${port.goarch}`);
      if (expected) satisfiableSeen++;
      else unsatisfiableSeen++;
    }
    // The witness is a real build: evaluating with it gives true.
    for (const w of search.satisfiable) {
      const target: BuildTarget = {
        goos: w.port.goos,
        goarch: w.port.goarch,
        cgoEnabled: w.cgo ?? false,
        compiler: w.compiler ?? 'gc',
        buildTags: Object.entries(w.tags).filter(([, v]) => v).map(([t]) => t),
        toolTags: w.levelTags ?? [],
        goVersion: w.goVersion ?? 26,
      };
      assert.ok(evalExpr(x, (t) => tagTruth(target, t).value), `witness for ${exprString(x)}: ${JSON.stringify(w)}`);
    }
  }
  assert.ok(satisfiableSeen > 300 && unsatisfiableSeen > 300, `${satisfiableSeen}/${unsatisfiableSeen}`);
});

test('contradictions the toolchain rules out are found', () => {
  const never = ['linux && windows', 'android && !linux', 'ios && !darwin', 'illumos && !solaris', 'linux && !unix', 'amd64.v3 && !amd64.v2', '386.sse2 && 386.softfloat', 'go1.21 && !go1.20', 'gc && gccgo', 'wasm && !wasm.signext', '!gc && !gccgo'];
  for (const text of never) assert.equal(searchPorts(parse(text), allKnownSystems()).satisfiable.length, 0, text);
  const possible = ['linux && !android', 'purego && !purego_x', 'ignore', '!go1.18', 'cgo && linux', 'amd64.v4'];
  for (const text of possible) assert.ok(searchPorts(parse(text), allKnownSystems()).satisfiable.length > 0, text);
  // cgo needs a port that supports it.
  const cgoWasm = searchPorts(parse('cgo && js'), ports);
  assert.equal(cgoWasm.satisfiable.length, 0);
  assert.ok(ports.some((p) => p.goos === 'js' && !p.cgoSupported));
  // zos is a known GOOS but no port of this toolchain.
  assert.equal(searchPorts(parse('zos'), ports).satisfiable.length, 0);
  assert.ok(searchPorts(parse('zos'), allKnownSystems()).satisfiable.length > 0);
});

test('equivalence with every tag free matches a truth table', () => {
  const rnd = seededRandom(3);
  const small = ['a', 'b', 'c', 'd'];
  const gen = (depth: number): string => {
    const r = rnd();
    if (depth > 2 || r < 0.3) return small[Math.floor(rnd() * 4)];
    if (r < 0.45) return `!(${gen(depth + 1)})`;
    return `(${gen(depth + 1)} ${rnd() < 0.5 ? '&&' : '||'} ${gen(depth + 1)})`;
  };
  let equalSeen = 0;
  for (let i = 0; i < 500; i++) {
    const aText = gen(0);
    const a = parse(aText);
    // Pairs that are often equivalent (a doubly negated) or unrelated.
    const b = rnd() < 0.5 ? parse(`!(!(${aText}))`) : parse(gen(0));
    let same = true;
    for (let mask = 0; mask < 16 && same; mask++) {
      const set = (t: string) => (mask & (1 << small.indexOf(t))) !== 0;
      if (evalExpr(a, set) !== evalExpr(b, set)) same = false;
    }
    const eq = equivalent(a, b);
    assert.equal(eq.equivalent, same, `${exprString(a)} vs ${exprString(b)}`);
    if (eq.equivalent === false) {
      const w = eq.witness;
      const set = (t: string) => w[t] ?? false;
      assert.notEqual(evalExpr(a, set), evalExpr(b, set));
    } else equalSeen++;
  }
  assert.ok(equalSeen > 100);
});

test('a budget turns a hopeless search into "unknown", not a wrong answer', () => {
  // Six pigeons in five holes: unsatisfiable, and needs many splits to prove it.
  const p = (i: number, h: number) => `p${i}h${h}`;
  const clauses: string[] = [];
  for (let i = 0; i < 6; i++) clauses.push(`(${[0, 1, 2, 3, 4].map((h) => p(i, h)).join(' || ')})`);
  for (let h = 0; h < 5; h++) for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) clauses.push(`(!${p(i, h)} || !${p(j, h)})`);
  const x = parse(clauses.join(' && '));
  const cut = searchPorts(x, ports.slice(0, 1), { budget: 10 });
  assert.deepEqual([cut.unknown.length, cut.satisfiable.length, cut.unsatisfiable.length], [1, 0, 0]);
  const full = searchPorts(x, ports.slice(0, 1));
  assert.deepEqual([full.unknown.length, full.satisfiable.length, full.unsatisfiable.length], [0, 0, 1]);
});
