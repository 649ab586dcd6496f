// `go build` as goperf runs it: presets checked with clear messages, the
// argument array (never a shell line), what a port supports, and the
// compiler's output turned into diagnostics with absolute paths. Pure: the
// process and the file moves are in buildRun.ts.
import { isAbsolute, resolve } from 'node:path';
import { isValidTag, normalizeTags, type GoPort, type TargetSpec } from './target';
import { formatValue } from '../pprof/units';
import { formatCommandLine } from './runGo';

/** A named build as `goperf.build.presets` holds it, after validation. */
export interface BuildPreset {
  readonly name: string;
  /** Package patterns as `go build` takes them (`.`, `./cmd/server`, `./...`). */
  readonly packages: readonly string[];
  /** Each unset field follows the workspace's build target. */
  readonly goos?: string;
  readonly goarch?: string;
  readonly tags?: readonly string[];
  readonly cgo?: boolean;
  /** go build flags other than -o, -tags, -ldflags and -gcflags, one element each (`-race`, `-buildmode=pie`). */
  readonly flags: readonly string[];
  /** Linker arguments, one per element; the first may start with a package pattern (`all=`). */
  readonly ldflags: readonly string[];
  /** `-X importpath.name=value` definitions. */
  readonly ldflagsX: Readonly<Record<string, string>>;
  /** Compiler arguments, one per element; the first may start with a package pattern (`all=-N`). */
  readonly gcflags: readonly string[];
  /** The binary (or a directory when it ends in `/`), relative to the module folder. */
  readonly output?: string;
  readonly env: Readonly<Record<string, string>>;
}

export type PresetCheck = { preset: BuildPreset; errors: [] } | { preset?: undefined; errors: string[] };

/** Flags whose values have their own preset fields. */
const ownFields: Record<string, string> = {
  o: 'output',
  tags: 'tags',
  ldflags: 'ldflags',
  gcflags: 'gcflags',
};

const booleanFlags = new Set(['a', 'n', 'race', 'msan', 'asan', 'cover', 'trimpath', 'v', 'x', 'work', 'linkshared', 'modcacherw', 'json']);

/** Flags that take a value, with a check of the value where go accepts only some. */
const valueFlags: Record<string, ((value: string) => string | undefined) | undefined> = {
  buildmode: oneOf(['archive', 'c-archive', 'c-shared', 'default', 'exe', 'pie', 'plugin', 'shared']),
  pgo: (value) => (value === '' ? 'needs auto, off or a profile file' : undefined),
  mod: oneOf(['readonly', 'vendor', 'mod']),
  covermode: oneOf(['set', 'count', 'atomic']),
  compiler: oneOf(['gc', 'gccgo']),
  buildvcs: oneOf(['true', 'false', 'auto']),
  p: (value) => (/^[1-9]\d*$/.test(value) ? undefined : 'needs a positive whole number'),
  coverpkg: undefined,
  asmflags: undefined,
  gccgoflags: undefined,
  installsuffix: undefined,
  modfile: undefined,
  overlay: undefined,
  pkgdir: undefined,
  toolexec: undefined,
};

/** Flags as they are offered in the Build quick pick (the shape a preset stores them in). */
export const commonBuildFlags: readonly { flag: string; detail: string }[] = [
  { flag: '-race', detail: 'race detector (needs cgo on most ports)' },
  { flag: '-trimpath', detail: 'remove file system paths from the binary' },
  { flag: '-msan', detail: 'memory sanitizer (clang, cgo)' },
  { flag: '-asan', detail: 'address sanitizer (cgo)' },
  { flag: '-cover', detail: 'coverage instrumentation' },
  { flag: '-buildmode=pie', detail: 'position-independent executable' },
  { flag: '-buildmode=c-shared', detail: 'C shared library' },
  { flag: '-buildmode=c-archive', detail: 'C archive' },
  { flag: '-buildmode=plugin', detail: 'Go plugin' },
  { flag: '-pgo=auto', detail: 'profile-guided optimisation from default.pgo' },
  { flag: '-pgo=off', detail: 'no profile-guided optimisation' },
  { flag: '-a', detail: 'rebuild everything' },
  { flag: '-v', detail: 'print package names as they build' },
  { flag: '-x', detail: 'print the commands' },
  { flag: '-work', detail: 'keep the work directory' },
  { flag: '-mod=vendor', detail: 'use the vendor directory' },
];

/** ldflags and gcflags offered as presets in the quick pick. */
export const stripLdflags: readonly string[] = ['-s', '-w'];
export const gcflagsChoices: readonly { label: string; gcflags: readonly string[]; detail: string }[] = [
  { label: '-gcflags=-m', gcflags: ['-m'], detail: 'print the optimisation decisions (inlining, escapes)' },
  { label: '-gcflags=all=-N -l', gcflags: ['all=-N', '-l'], detail: 'no optimisation or inlining (for debuggers)' },
  { label: '-gcflags=-B', gcflags: ['-B'], detail: 'no bounds checks' },
];

function oneOf(values: readonly string[]): (value: string) => string | undefined {
  return (value) => (values.includes(value) ? undefined : `must be one of ${values.join(', ')}`);
}

function splitFlag(text: string): { name: string; value?: string } | undefined {
  const m = /^--?([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(text);
  return m ? { name: m[1], value: m[2] } : undefined;
}

/** Problems with one element of a preset's `flags`, or undefined when go build accepts it. */
export function checkFlag(text: string): string | undefined {
  const flag = splitFlag(text);
  if (!flag) return `"${text}" is not a go build flag (flags start with -; one flag per element)`;
  const field = ownFields[flag.name];
  if (field) return `-${flag.name} has its own field: use "${field}" instead of putting it in "flags"`;
  if (booleanFlags.has(flag.name)) {
    if (flag.value !== undefined && flag.value !== 'true' && flag.value !== 'false') return `-${flag.name} takes no value (or =true/=false)`;
    return undefined;
  }
  if (flag.name in valueFlags) {
    if (flag.value === undefined) return `-${flag.name} needs a value in the same element: -${flag.name}=…`;
    const problem = valueFlags[flag.name]?.(flag.value);
    return problem && `-${flag.name}=${flag.value}: ${problem}`;
  }
  return `-${flag.name} is not a go build flag (see go help build)`;
}

function enabled(flags: readonly string[], name: string): boolean {
  let on = false;
  for (const text of flags) {
    const flag = splitFlag(text);
    if (flag?.name === name) on = flag.value === undefined || flag.value === 'true';
  }
  return on;
}

function flagValue(flags: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (const text of flags) {
    const flag = splitFlag(text);
    if (flag?.name === name) value = flag.value;
  }
  return value;
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const targetEnvNames: Record<string, string> = { GOOS: 'goos', GOARCH: 'goarch', CGO_ENABLED: 'cgo' };

function stringArray(value: unknown, field: string, errors: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    errors.push(`"${field}" must be a list of strings`);
    return [];
  }
  return value;
}

function stringMap(value: unknown, field: string, errors: string[]): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    errors.push(`"${field}" must be an object of string values`);
    return {};
  }
  return value as Record<string, string>;
}

const knownFields = new Set(['name', 'packages', 'goos', 'goarch', 'tags', 'cgo', 'flags', 'ldflags', 'ldflagsX', 'gcflags', 'output', 'env']);

/** Checks one entry of `goperf.build.presets`; errors name the field and what is wrong with it. */
export function checkPreset(raw: unknown): PresetCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { errors: ['a preset must be an object with at least a "name"'] };
  const entry = raw as Record<string, unknown>;
  const errors: string[] = [];
  const name = typeof entry.name === 'string' ? entry.name.trim() : '';
  if (!name) errors.push('"name" is missing or empty');
  for (const key of Object.keys(entry)) if (!knownFields.has(key)) errors.push(`unknown field "${key}"`);

  const packages = stringArray(entry.packages, 'packages', errors);
  for (const pattern of packages) {
    if (pattern.trim() === '') errors.push('"packages" has an empty pattern');
    else if (pattern.startsWith('-')) errors.push(`"packages": "${pattern}" looks like a flag; put flags in "flags"`);
  }
  for (const field of ['goos', 'goarch'] as const) {
    const value = entry[field];
    if (value !== undefined && (typeof value !== 'string' || !/^[a-z0-9]+$/.test(value))) {
      errors.push(`"${field}" must be a ${field.toUpperCase()} name such as ${field === 'goos' ? 'linux' : 'amd64'}`);
    }
  }
  const tags = entry.tags === undefined ? undefined : stringArray(entry.tags, 'tags', errors);
  for (const tag of tags ?? []) if (!isValidTag(tag)) errors.push(`"tags": "${tag}" is not a build tag (letters, digits, _ and .)`);
  if (entry.cgo !== undefined && typeof entry.cgo !== 'boolean') errors.push('"cgo" must be true or false');

  const flags = stringArray(entry.flags, 'flags', errors);
  for (const flag of flags) {
    const problem = checkFlag(flag);
    if (problem) errors.push(`"flags": ${problem}`);
  }
  const ldflags = stringArray(entry.ldflags, 'ldflags', errors);
  const gcflags = stringArray(entry.gcflags, 'gcflags', errors);
  const ldflagsX = stringMap(entry.ldflagsX, 'ldflagsX', errors);
  for (const [symbol, value] of Object.entries(ldflagsX)) {
    if (!/^[^\s=]+\.[^\s.=]+$/.test(symbol)) errors.push(`"ldflagsX": "${symbol}" is not importpath.name (e.g. main.version)`);
    if (value.includes("'") && value.includes('"')) errors.push(`"ldflagsX": the value of ${symbol} has both ' and ", which the go command cannot pass on`);
  }
  for (const [field, args] of [['ldflags', ldflags], ['gcflags', gcflags]] as const) {
    for (const arg of args) {
      if (arg.includes("'") && arg.includes('"')) errors.push(`"${field}": "${arg}" has both ' and ", which the go command cannot pass on`);
    }
  }

  let output: string | undefined;
  if (entry.output !== undefined) {
    if (typeof entry.output !== 'string' || entry.output.trim() === '') errors.push('"output" must be a path (a directory when it ends in /)');
    else output = entry.output;
  }
  const env = stringMap(entry.env, 'env', errors);
  for (const key of Object.keys(env)) {
    if (!envName.test(key)) errors.push(`"env": "${key}" is not an environment variable name`);
    else if (targetEnvNames[key]) errors.push(`"env": set ${key} with the "${targetEnvNames[key]}" field`);
  }

  if (errors.length > 0) return { errors };
  return {
    preset: {
      name,
      packages: packages.length ? packages : ['.'],
      ...(typeof entry.goos === 'string' ? { goos: entry.goos } : {}),
      ...(typeof entry.goarch === 'string' ? { goarch: entry.goarch } : {}),
      ...(tags ? { tags: normalizeTags(tags) } : {}),
      ...(typeof entry.cgo === 'boolean' ? { cgo: entry.cgo } : {}),
      flags,
      ldflags,
      ldflagsX,
      gcflags,
      ...(output !== undefined ? { output } : {}),
      env,
    },
    errors: [],
  };
}

/** All presets of the setting: the valid ones, and one message per invalid one (named by its name or position). */
export function checkPresets(raw: unknown): { presets: BuildPreset[]; errors: string[] } {
  if (raw === undefined || raw === null) return { presets: [], errors: [] };
  if (!Array.isArray(raw)) return { presets: [], errors: ['goperf.build.presets must be a list of presets'] };
  const presets: BuildPreset[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  raw.forEach((entry, index) => {
    const check = checkPreset(entry);
    const label = check.preset?.name ?? (typeof (entry as { name?: unknown })?.name === 'string' ? (entry as { name: string }).name : `#${index + 1}`);
    if (!check.preset) {
      errors.push(`preset "${label}": ${check.errors.join('; ')}`);
    } else if (seen.has(check.preset.name)) {
      errors.push(`preset "${label}": another preset already has this name`);
    } else {
      seen.add(check.preset.name);
      presets.push(check.preset);
    }
  });
  return { presets, errors };
}

/** The target a preset builds for: its own fields over the workspace's target. */
export function presetTarget(preset: BuildPreset, workspaceTarget: TargetSpec): TargetSpec {
  const samePort = (preset.goos ?? workspaceTarget.goos) === workspaceTarget.goos && (preset.goarch ?? workspaceTarget.goarch) === workspaceTarget.goarch;
  return {
    goos: preset.goos ?? workspaceTarget.goos,
    goarch: preset.goarch ?? workspaceTarget.goarch,
    tags: preset.tags ?? workspaceTarget.tags,
    // Another port with cgo unset: off, as the go command defaults it when cross-compiling.
    cgoEnabled: preset.cgo ?? (samePort ? workspaceTarget.cgoEnabled : false),
  };
}

// The sanitizer tables of the go command (src/internal/platform/supported.go, Go 1.26).
export function raceSupported(goos: string, goarch: string): boolean {
  switch (goos) {
    case 'linux':
      return ['amd64', 'arm64', 'loong64', 'ppc64le', 'riscv64', 's390x'].includes(goarch);
    case 'darwin':
      return goarch === 'amd64' || goarch === 'arm64';
    case 'freebsd':
    case 'netbsd':
    case 'windows':
      return goarch === 'amd64';
    default:
      return false;
  }
}

export function msanSupported(goos: string, goarch: string): boolean {
  if (goos === 'linux') return ['amd64', 'arm64', 'loong64'].includes(goarch);
  return goos === 'freebsd' && goarch === 'amd64';
}

export function asanSupported(goos: string, goarch: string): boolean {
  return goos === 'linux' && ['arm64', 'amd64', 'loong64', 'riscv64', 'ppc64le'].includes(goarch);
}

const sanitizers = [
  { name: 'race', supported: raceSupported, what: 'the race detector' },
  { name: 'msan', supported: msanSupported, what: 'the memory sanitizer' },
  { name: 'asan', supported: asanSupported, what: 'the address sanitizer' },
] as const;

/**
 * Flag/target pairs the go command would refuse, found before anything runs:
 * unknown ports, sanitizers where they do not exist or without cgo,
 * sanitizers together.
 */
export function checkFlagsForTarget(flags: readonly string[], target: TargetSpec, ports?: readonly GoPort[]): string[] {
  const errors: string[] = [];
  const port = `${target.goos}/${target.goarch}`;
  const known = ports?.find((p) => p.goos === target.goos && p.goarch === target.goarch);
  if (ports && !known) errors.push(`${port} is not a port of this go toolchain (go tool dist list)`);
  const on = sanitizers.filter((s) => enabled(flags, s.name));
  for (const s of on) {
    if (!s.supported(target.goos, target.goarch)) {
      const where = (ports ?? []).filter((p) => s.supported(p.goos, p.goarch)).map((p) => `${p.goos}/${p.goarch}`);
      errors.push(`-${s.name} is not supported on ${port}${where.length ? `; ${s.what} runs on ${where.join(', ')}` : ''}`);
    } else if (!target.cgoEnabled && (s.name !== 'race' || target.goos !== 'darwin')) {
      errors.push(`-${s.name} needs cgo (CGO_ENABLED=1) on ${port}; turn cgo on in the build target or the preset`);
    }
  }
  if (on.length > 1) errors.push(`-${on[0].name} and -${on[1].name} cannot be used together`);
  const covermode = flagValue(flags, 'covermode');
  if (enabled(flags, 'race') && covermode !== undefined && covermode !== 'atomic') {
    errors.push(`-covermode must be atomic with -race, not ${covermode}`);
  }
  return errors;
}

/**
 * Joins arguments into one -ldflags/-gcflags value the way the go command
 * splits it again (cmd/internal/quoted): an argument with a space is wrapped
 * in the quote it does not contain.
 */
export function joinToolArgs(args: readonly string[]): string {
  return args
    .map((arg) => {
      const needsQuotes = arg === '' || /[ \t\n\r'"]/.test(arg);
      if (!needsQuotes) return arg;
      if (!arg.includes("'")) return `'${arg}'`;
      if (!arg.includes('"')) return `"${arg}"`;
      throw new Error(`${arg} contains both ' and " and cannot be passed to the go command`);
    })
    .join(' ');
}

/** A per-package flag value: an optional `pattern=` on the first argument stays outside the quoting. */
function perPackageValue(args: readonly string[]): string {
  const pattern = args.length > 0 ? /^([^-'"=][^=]*)=(.*)$/s.exec(args[0]) : null;
  if (!pattern) return joinToolArgs(args);
  const rest = pattern[2] === '' ? args.slice(1) : [pattern[2], ...args.slice(1)];
  return `${pattern[1]}=${joinToolArgs(rest)}`;
}

export interface BuildPlan {
  /** The module folder the command runs in; relative paths in output resolve against it. */
  readonly cwd: string;
  readonly target: TargetSpec;
  /** Only the variables goperf sets; the process gets them over its own environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Everything after `go` up to (not including) `-o` and the packages. */
  readonly flagArgs: readonly string[];
  readonly packages: readonly string[];
  /** Absolute; a directory when `outputIsDir`. Unset: go decides (and discards results of several packages). */
  readonly output?: string;
  readonly outputIsDir: boolean;
}

/** Builds the plan of one preset for a module folder and the workspace target; no value passes through a shell. */
export function planBuild(preset: BuildPreset, workspaceTarget: TargetSpec, cwd: string): BuildPlan {
  const target = presetTarget(preset, workspaceTarget);
  const flagArgs = ['build', ...preset.flags];
  if (target.tags.length > 0) flagArgs.push('-tags', target.tags.join(','));
  const ldflags = [...preset.ldflags];
  for (const [symbol, value] of Object.entries(preset.ldflagsX)) ldflags.push('-X', `${symbol}=${value}`);
  if (ldflags.length > 0) flagArgs.push('-ldflags', perPackageValue(ldflags));
  if (preset.gcflags.length > 0) flagArgs.push('-gcflags', perPackageValue(preset.gcflags));
  const output = preset.output === undefined ? undefined : isAbsolute(preset.output) ? preset.output : resolve(cwd, preset.output);
  return {
    cwd,
    target,
    env: { ...preset.env, GOOS: target.goos, GOARCH: target.goarch, CGO_ENABLED: target.cgoEnabled ? '1' : '0' },
    flagArgs,
    packages: preset.packages,
    output,
    outputIsDir: preset.output !== undefined && /[/\\]$/.test(preset.output),
  };
}

/** The full argument list with the binary written to `outputPath` (a directory path ends in `/`). */
export function buildArgs(plan: BuildPlan, outputPath: string | undefined): string[] {
  return [...plan.flagArgs, ...(outputPath !== undefined ? ['-o', outputPath] : []), ...plan.packages];
}

/** `GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build …`, shell-quoted to copy into a terminal. */
export function formatBuildCommand(goPath: string, plan: BuildPlan): string {
  const output = plan.output && (plan.outputIsDir ? `${plan.output.replace(/[/\\]$/, '')}/` : plan.output);
  const env = Object.entries(plan.env).map(([key, value]) => formatCommandLine(`${key}=${value}`, []));
  return [...env, formatCommandLine(goPath, buildArgs(plan, output))].join(' ');
}

/** The name go gives a main package's binary: the last path element, skipping a `/vN` major-version suffix. */
export function defaultBinaryName(importPath: string, goos: string): string {
  const parts = importPath.split('/');
  let name = parts[parts.length - 1];
  if (parts.length > 1 && /^v[2-9]\d*$/.test(name)) name = parts[parts.length - 2];
  return goos === 'windows' ? `${name}.exe` : name;
}

export interface GoDiagnostic {
  /** Absolute path. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based; unset when go gives only the line. */
  readonly column?: number;
  readonly message: string;
  /** From the `# import/path` line that heads the package's errors. */
  readonly package?: string;
}

/**
 * A compiler (or go command) message with a location: `file:line[:col]: text`.
 * The file has a source extension, so link and go-command lines that merely
 * contain colons are not taken for locations. The same pattern is the
 * `$goperf-go` problem matcher's in package.json.
 */
export const locationLine = /^((?:[A-Za-z]:)?[^\s:#][^:]*?\.(?:go|s|S|c|h|cc|cpp|cxx|hh|hpp|m|f|F|mod|work|sum)):(\d+)(?::(\d+))?: (.*)$/;

export interface ParsedBuildOutput {
  readonly diagnostics: GoDiagnostic[];
  /** Lines that are neither a location nor its continuation nor a package header (go: …, link errors). */
  readonly other: string[];
}

/**
 * Parses what `go build` prints on stderr. Paths are relative to the
 * directory go ran in (`./x.go`, `../lib/y.go`) unless absolute; they are
 * made absolute against `cwd`. Tab-indented lines continue the message above
 * (have/want lists).
 */
export function parseBuildOutput(text: string, cwd: string): ParsedBuildOutput {
  const diagnostics: GoDiagnostic[] = [];
  const other: string[] = [];
  let pkg: string | undefined;
  let last: { file: string; line: number; column?: number; message: string; package?: string } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line === '') continue;
    const header = /^# (\S+)/.exec(line);
    if (header) {
      pkg = header[1].replace(/^\[|\]$/g, '');
      last = undefined;
      continue;
    }
    if (/^\s/.test(raw) && last) {
      last.message += `\n${line.trim()}`;
      continue;
    }
    const m = locationLine.exec(line);
    if (m) {
      const file = isAbsolute(m[1]) || /^[A-Za-z]:[\\/]/.test(m[1]) ? m[1] : resolve(cwd, m[1]);
      last = { file, line: Number(m[2]), ...(m[3] ? { column: Number(m[3]) } : {}), message: m[4], ...(pkg ? { package: pkg } : {}) };
      diagnostics.push(last);
      continue;
    }
    last = undefined;
    if (/^too many errors$/.test(line)) continue;
    other.push(line);
  }
  return { diagnostics, other };
}

export interface SizeRecord {
  readonly bytes: number;
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** `linux/amd64`, so a size is compared only with builds for the same port. */
  readonly port: string;
}

/** The last builds of a preset, newest last, bounded. */
export function appendSize(history: readonly SizeRecord[], record: SizeRecord, keep = 20): SizeRecord[] {
  return [...history, record].slice(-keep);
}

/** The newest earlier build for the same port, to compare a new size with. */
export function previousSize(history: readonly SizeRecord[], port: string): SizeRecord | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i].port === port) return history[i];
  return undefined;
}

/** `4.52MB (+12KB, +0.26% since the previous build)`, in pprof's units (MB = 2²⁰ bytes). */
export function describeSize(bytes: number, previous?: number): string {
  const size = formatValue(bytes, 'bytes');
  if (previous === undefined) return `${size} (first build of this preset for this target)`;
  const delta = bytes - previous;
  if (delta === 0) return `${size} (unchanged since the previous build)`;
  const sign = delta > 0 ? '+' : '−';
  const percent = previous > 0 ? `, ${sign}${((Math.abs(delta) / previous) * 100).toFixed(2)}%` : '';
  return `${size} (${sign}${formatValue(Math.abs(delta), 'bytes')}${percent} since the previous build)`;
}

/**
 * Splits typed text into arguments as the go command splits -gcflags and
 * -ldflags values (cmd/internal/quoted): spaces separate, '…' or "…" around
 * a whole argument keep it together, nothing is unescaped.
 */
export function splitToolArgs(text: string): string[] {
  const args: string[] = [];
  let rest = text;
  for (;;) {
    rest = rest.replace(/^[ \t\n\r]+/, '');
    if (rest === '') return args;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const end = rest.indexOf(quote, 1);
      if (end < 0) throw new Error(`unterminated ${quote} string in ${text}`);
      args.push(rest.slice(1, end));
      rest = rest.slice(end + 1);
    } else {
      const word = /^[^ \t\n\r]+/.exec(rest)![0];
      args.push(word);
      rest = rest.slice(word.length);
    }
  }
}

const gitDescribeVariable = '${gitDescribe}';

export function usesGitDescribe(preset: BuildPreset): boolean {
  return Object.values(preset.ldflagsX).some((value) => value.includes(gitDescribeVariable));
}

/** The preset with `${gitDescribe}` in its -X values replaced by what `git describe` printed. */
export function withGitDescribe(preset: BuildPreset, description: string): BuildPreset {
  const ldflagsX = Object.fromEntries(Object.entries(preset.ldflagsX).map(([symbol, value]) => [symbol, value.split(gitDescribeVariable).join(description)]));
  return { ...preset, ldflagsX };
}
