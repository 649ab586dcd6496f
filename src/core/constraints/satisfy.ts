// Can a constraint be true at all, and where? Tags the toolchain derives from
// the port (GOOS, GOARCH, unix, architecture levels) follow the port; tags a
// build may choose (cgo where the port supports it, the compiler, the Go
// version, goexperiment.*, anything for -tags) are searched over. The search
// is exact: it splits on one free tag at a time and simplifies, with a step
// budget after which the answer is "unknown" rather than a guess.

import { and, not, or, tagNames, type Expr } from './expr';
import { IMPLIED_OS, KNOWN_ARCH, KNOWN_OS, releaseTagMinor, UNIX_OS } from './platform';

export interface Port {
  readonly goos: string;
  readonly goarch: string;
  readonly cgoSupported: boolean;
  readonly firstClass?: boolean;
  readonly broken?: boolean;
}

/** How the `<goarch>.<level>` tool tags of an architecture behave. */
interface LevelTable {
  /** cumulative: every level up to the chosen one is set (amd64.v1 … amd64.v3); exclusive: exactly one is set. */
  readonly kind: 'cumulative' | 'exclusive' | 'always';
  readonly levels: readonly string[];
}

/** Architecture-level tool tags (internal/buildcfg). arm64's v8.x/v9.x scheme is left free. */
export const ARCH_LEVELS: Readonly<Record<string, LevelTable>> = {
  amd64: { kind: 'cumulative', levels: ['v1', 'v2', 'v3', 'v4'] },
  arm: { kind: 'cumulative', levels: ['5', '6', '7'] },
  ppc64: { kind: 'cumulative', levels: ['power8', 'power9', 'power10'] },
  ppc64le: { kind: 'cumulative', levels: ['power8', 'power9', 'power10'] },
  riscv64: { kind: 'cumulative', levels: ['rva20u64', 'rva22u64', 'rva23u64'] },
  '386': { kind: 'exclusive', levels: ['sse2', 'softfloat'] },
  mips: { kind: 'exclusive', levels: ['hardfloat', 'softfloat'] },
  mipsle: { kind: 'exclusive', levels: ['hardfloat', 'softfloat'] },
  mips64: { kind: 'exclusive', levels: ['hardfloat', 'softfloat'] },
  mips64le: { kind: 'exclusive', levels: ['hardfloat', 'softfloat'] },
  wasm: { kind: 'always', levels: ['satconv', 'signext'] },
};

/** The level tags a table sets when level `index` is chosen. */
export function levelTags(goarch: string, index: number): string[] {
  const table = ARCH_LEVELS[goarch];
  if (!table) return [];
  const chosen = table.kind === 'cumulative' ? table.levels.slice(0, index + 1) : table.kind === 'exclusive' ? [table.levels[index]] : table.levels;
  return chosen.map((l) => `${goarch}.${l}`);
}

type Residual = Expr | boolean;

/** Replaces known tags by constants and folds; `value` returns undefined for tags that stay free. */
export function substitute(x: Expr, value: (tag: string) => boolean | undefined): Residual {
  switch (x.kind) {
    case 'tag': {
      const v = value(x.tag);
      return v === undefined ? x : v;
    }
    case 'not': {
      const inner = substitute(x.x, value);
      return typeof inner === 'boolean' ? !inner : inner === x.x ? x : not(inner);
    }
    case 'and':
    case 'or': {
      const absorbing = x.kind === 'or';
      const l = substitute(x.x, value);
      if (l === absorbing) return absorbing;
      const r = substitute(x.y, value);
      if (r === absorbing) return absorbing;
      if (typeof l === 'boolean') return r;
      if (typeof r === 'boolean') return l;
      if (l === x.x && r === x.y) return x;
      return x.kind === 'and' ? and(l, r) : or(l, r);
    }
  }
}

function firstTag(x: Expr): string {
  while (x.kind !== 'tag') x = x.x;
  return x.tag;
}

export type Assignment = Record<string, boolean>;
/** A satisfying assignment of the free tags that matter, null when none exists, 'unknown' when the budget ran out. */
export type SolveResult = Assignment | null | 'unknown';

export const DEFAULT_BUDGET = 200_000;

export function solve(x: Residual, budget = { steps: DEFAULT_BUDGET }): SolveResult {
  if (x === true) return {};
  if (x === false) return null;
  if (--budget.steps < 0) return 'unknown';
  const name = firstTag(x);
  let sawUnknown = false;
  for (const v of [true, false]) {
    const sub = solve(
      substitute(x, (t) => (t === name ? v : undefined)),
      budget,
    );
    if (sub === 'unknown') sawUnknown = true;
    else if (sub) return { [name]: v, ...sub };
  }
  return sawUnknown ? 'unknown' : null;
}

export type Equivalence = { equivalent: true } | { equivalent: false; witness: Assignment } | { equivalent: 'unknown' };

/** Logical equivalence with every tag free; a witness is an assignment where the two differ. */
export function equivalent(a: Expr, b: Expr, budget = { steps: DEFAULT_BUDGET }): Equivalence {
  const differ = or(and(a, not(b)), and(not(a), b));
  const r = solve(differ, budget);
  if (r === 'unknown') return { equivalent: 'unknown' };
  if (r === null) return { equivalent: true };
  return { equivalent: false, witness: r };
}

type TagClass =
  | { kind: 'os' }
  | { kind: 'unix' }
  | { kind: 'arch' }
  | { kind: 'cgo' }
  | { kind: 'compiler' }
  | { kind: 'release'; minor: number }
  | { kind: 'level'; goarch: string; index: number }
  | { kind: 'free' };

function classify(name: string): TagClass {
  if (KNOWN_OS.has(name)) return { kind: 'os' };
  if (name === 'unix') return { kind: 'unix' };
  if (KNOWN_ARCH.has(name)) return { kind: 'arch' };
  if (name === 'cgo') return { kind: 'cgo' };
  if (name === 'gc' || name === 'gccgo') return { kind: 'compiler' };
  const minor = releaseTagMinor(name);
  if (minor !== undefined) return { kind: 'release', minor };
  const dot = name.indexOf('.');
  if (dot > 0) {
    const goarch = name.slice(0, dot);
    const index = ARCH_LEVELS[goarch]?.levels.indexOf(name.slice(dot + 1)) ?? -1;
    if (index >= 0) return { kind: 'level', goarch, index };
  }
  return { kind: 'free' };
}

/** The build settings a witness chose besides the port: cgo on/off, compiler, Go version, arch level, and free tags. */
export interface PortWitness {
  readonly port: Port;
  readonly cgo?: boolean;
  readonly compiler?: string;
  /** A Go 1.x minor version that works, when the constraint mentions release tags. */
  readonly goVersion?: number;
  readonly levelTags?: readonly string[];
  /** Free tags that the constraint needs set (true) or unset (false). */
  readonly tags: Assignment;
}

export interface PortSearch {
  readonly satisfiable: readonly PortWitness[];
  readonly unsatisfiable: readonly Port[];
  /** Ports where the step budget ran out. */
  readonly unknown: readonly Port[];
}

export interface SearchOptions {
  /** Pin the Go version instead of searching over all versions. */
  readonly goVersion?: number;
  readonly budget?: number;
}

/** For each port, whether some choice of build settings and tags makes `x` true. */
export function searchPorts(x: Expr, ports: readonly Port[], options: SearchOptions = {}): PortSearch {
  const names = tagNames(x);
  const classes = new Map(names.map((n) => [n, classify(n)] as const));
  const budget = { steps: options.budget ?? DEFAULT_BUDGET };
  const mentioned = (kind: TagClass['kind']) => names.filter((n) => classes.get(n)!.kind === kind);
  const osTags = [...mentioned('os'), ...mentioned('unix')];
  const archTags = mentioned('arch');
  const usesCgo = classes.has('cgo');
  const usesCompiler = mentioned('compiler').length > 0;
  const minors = [...new Set(names.flatMap((n) => { const c = classes.get(n)!; return c.kind === 'release' ? [c.minor] : []; }))].sort((a, b) => a - b);
  // Versions between two mentioned release tags behave alike; one representative each.
  const versions = options.goVersion !== undefined ? [options.goVersion] : minors.length ? [minors[0] - 1, ...minors] : [undefined];
  const levelArchs = new Set(names.flatMap((n) => { const c = classes.get(n)!; return c.kind === 'level' ? [c.goarch] : []; }));

  const osValue = (goos: string, t: string) => (t === 'unix' ? UNIX_OS.has(goos) : t === goos || IMPLIED_OS[goos] === t);
  const memo = new Map<string, PortWitness | null | 'unknown'>();
  const satisfiable: PortWitness[] = [];
  const unsatisfiable: Port[] = [];
  const unknown: Port[] = [];

  for (const port of ports) {
    // Ports that agree on every port-derived tag of the expression have the same answer.
    const key = [
      osTags.map((t) => (osValue(port.goos, t) ? 1 : 0)).join(''),
      archTags.map((t) => (t === port.goarch ? 1 : 0)).join(''),
      usesCgo && port.cgoSupported ? 'cgo' : '',
      levelArchs.has(port.goarch) ? port.goarch : '',
    ].join('|');
    let found = memo.get(key);
    if (found === undefined) {
      found = searchOnePort(port);
      memo.set(key, found);
    }
    if (found === 'unknown') unknown.push(port);
    else if (found === null) unsatisfiable.push(port);
    else satisfiable.push({ ...found, port });
  }
  return { satisfiable, unsatisfiable, unknown };

  function searchOnePort(port: Port): PortWitness | null | 'unknown' {
    const table = levelArchs.has(port.goarch) ? ARCH_LEVELS[port.goarch] : undefined;
    const levelChoices = table && table.kind !== 'always' ? table.levels.map((_, i) => i) : [undefined];
    const cgoChoices = usesCgo && port.cgoSupported ? [true, false] : [usesCgo ? false : undefined];
    const compilerChoices = usesCompiler ? ['gc', 'gccgo'] : [undefined];
    let sawUnknown = false;
    for (const cgo of cgoChoices) {
      for (const compiler of compilerChoices) {
        for (const version of versions) {
          for (const level of levelChoices) {
            const setLevels = level !== undefined ? levelTags(port.goarch, level) : table ? levelTags(port.goarch, 0) : [];
            const value = (t: string): boolean | undefined => {
              const c = classes.get(t)!;
              switch (c.kind) {
                case 'os':
                case 'unix':
                  return osValue(port.goos, t);
                case 'arch':
                  return t === port.goarch;
                case 'cgo':
                  return cgo;
                case 'compiler':
                  return t === compiler;
                case 'release':
                  return version === undefined ? undefined : c.minor <= version;
                case 'level':
                  return c.goarch === port.goarch ? setLevels.includes(t) : false;
                case 'free':
                  return undefined;
              }
            };
            const r = solve(substitute(x, value), budget);
            if (r === 'unknown') sawUnknown = true;
            else if (r) {
              return {
                port,
                cgo,
                compiler,
                goVersion: version,
                levelTags: level !== undefined ? setLevels : undefined,
                tags: r,
              };
            }
          }
        }
      }
    }
    return sawUnknown ? 'unknown' : null;
  }
}

/** Every combination of the GOOS and GOARCH names the go command knows, real port or not, with cgo possible. */
export function allKnownSystems(): Port[] {
  const out: Port[] = [];
  for (const goos of KNOWN_OS) for (const goarch of KNOWN_ARCH) out.push({ goos, goarch, cgoSupported: true });
  return out;
}

/** Names the systems in a list compactly: "GOARCH=armbe|arm64be" when any GOOS works, otherwise a few GOOS/GOARCH pairs. */
export function describeSystems(ports: readonly Port[], limit = 4): string {
  const oses = [...new Set(ports.map((p) => p.goos))];
  const archs = [...new Set(ports.map((p) => p.goarch))];
  if (ports.length === oses.length * archs.length) {
    const anyOs = oses.length === KNOWN_OS.size;
    const anyArch = archs.length === KNOWN_ARCH.size;
    if (anyOs && anyArch) return 'any GOOS/GOARCH';
    if (anyOs) return `GOARCH=${archs.join('|')} (any GOOS)`;
    if (anyArch) return `GOOS=${oses.join('|')} (any GOARCH)`;
    if (oses.length * archs.length > 1) return `GOOS=${oses.join('|')} with GOARCH=${archs.join('|')}`;
  }
  const pairs = ports.slice(0, limit).map((p) => `${p.goos}/${p.goarch}`);
  return pairs.join(', ') + (ports.length > limit ? ` and ${ports.length - limit} more` : '');
}
