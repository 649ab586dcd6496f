// The other go commands of a developer's day, as argument arrays and parsers
// of what they print: clean, mod tidy/vendor, list (dependencies, module
// upgrades), get, install, run.

export type CacheKind = 'cache' | 'testcache' | 'fuzzcache' | 'modcache';

export const cacheKinds: readonly { kind: CacheKind; label: string; detail: string; destructive: boolean }[] = [
  { kind: 'cache', label: 'Build cache', detail: 'go clean -cache: every build starts from scratch once', destructive: false },
  { kind: 'testcache', label: 'Test results', detail: 'go clean -testcache: tests run again instead of (cached)', destructive: false },
  { kind: 'fuzzcache', label: 'Fuzzing corpus', detail: 'go clean -fuzzcache: the generated fuzz inputs', destructive: true },
  { kind: 'modcache', label: 'Module cache', detail: 'go clean -modcache: every dependency downloads again', destructive: true },
];

export function cleanArgs(kind: CacheKind): string[] {
  return ['clean', `-${kind}`];
}

/**
 * Splits the JSON values the go command prints one after another
 * (`go list -json`, `go list -m -json`) without a surrounding array.
 */
export function parseJsonStream(text: string, what: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) {
        try {
          values.push(JSON.parse(text.slice(start, i + 1)));
        } catch (error) {
          throw new Error(`${what} printed JSON that does not parse: ${(error as Error).message}`);
        }
      } else if (depth < 0) {
        throw new Error(`${what} printed unbalanced JSON at offset ${i}`);
      }
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new Error(`${what} printed something that is not JSON at offset ${i}: ${text.slice(i, i + 40)}`);
    }
  }
  if (depth !== 0) throw new Error(`${what} printed JSON that ends early`);
  return values;
}

export interface ModuleUpgrade {
  readonly path: string;
  readonly version: string;
  readonly update: string;
  readonly indirect: boolean;
}

/** The modules with a newer version, from `go list -m -u -json all`. */
export function parseModuleUpgrades(text: string): ModuleUpgrade[] {
  return parseJsonStream(text, 'go list -m -u -json all').flatMap((value) => {
    const m = value as { Path?: unknown; Version?: unknown; Update?: { Version?: unknown }; Indirect?: unknown; Main?: unknown };
    if (m.Main === true || typeof m.Path !== 'string' || typeof m.Version !== 'string' || typeof m.Update?.Version !== 'string') return [];
    return [{ path: m.Path, version: m.Version, update: m.Update.Version, indirect: m.Indirect === true }];
  });
}

export interface PackageDependency {
  readonly importPath: string;
  readonly dir: string;
  readonly standard: boolean;
  /** The module providing it; unset for the standard library. */
  readonly module?: string;
  readonly firstFile?: string;
}

/** `go list -deps -json <pkg>`: the package's dependencies (not itself), standard library last. */
export function parseDependencies(text: string, importPath: string): PackageDependency[] {
  const deps = parseJsonStream(text, 'go list -deps -json').flatMap((value) => {
    const p = value as { ImportPath?: unknown; Dir?: unknown; Standard?: unknown; Module?: { Path?: unknown }; GoFiles?: unknown };
    if (typeof p.ImportPath !== 'string' || p.ImportPath === importPath) return [];
    const files = Array.isArray(p.GoFiles) ? p.GoFiles.filter((f): f is string => typeof f === 'string') : [];
    return [
      {
        importPath: p.ImportPath,
        dir: typeof p.Dir === 'string' ? p.Dir : '',
        standard: p.Standard === true,
        ...(typeof p.Module?.Path === 'string' ? { module: p.Module.Path } : {}),
        ...(files[0] ? { firstFile: files[0] } : {}),
      },
    ];
  });
  return deps.sort((a, b) => Number(a.standard) - Number(b.standard) || a.importPath.localeCompare(b.importPath));
}

export function getArgs(upgrades: readonly Pick<ModuleUpgrade, 'path' | 'update'>[]): string[] {
  return ['get', ...upgrades.map((u) => `${u.path}@${u.update}`)];
}

/** `go run pkg args…`: the program's arguments follow the package, each one element. */
export function runArgs(pkg: string, programArgs: readonly string[]): string[] {
  return ['run', pkg, ...programArgs];
}

export interface NmSymbol {
  readonly size: number;
  /** go tool nm's letter: T text, R read-only data, D data, B bss (lower case: static), U undefined. */
  readonly type: string;
  readonly name: string;
}

/** `go tool nm -size -sort size <binary>`: address (absent for U), size, type, name (which may hold spaces). */
export function parseNmSizes(text: string): NmSymbol[] {
  return text.split('\n').flatMap((line) => {
    const m = /^\s*(?:[0-9a-f]+\s+)?(\d+)\s+([A-Za-z_])\s+(.+)$/.exec(line);
    return m ? [{ size: Number(m[1]), type: m[2], name: m[3] }] : [];
  });
}

/**
 * The package a symbol belongs to: the import path before the first dot
 * after the last slash (`net/http.(*Server).Serve` → `net/http`); linker
 * groups such as `type:` and `go:` stand for themselves.
 */
export function symbolPackage(name: string): string {
  const group = /^(type|go|go\.\w+):/.exec(name);
  if (group) return `${group[1]}:`;
  const head = name.split(/[([]/, 1)[0];
  const dot = head.indexOf('.', head.lastIndexOf('/') + 1);
  // The linker writes dots (and % and ") of the last path element as %2e…: gopkg.in/yaml%2ev3.
  return (dot > 0 ? head.slice(0, dot) : name).replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Sizes summed per package, largest first; undefined (U) symbols take no space. */
export function sizeByPackage(symbols: readonly NmSymbol[]): { name: string; size: number; symbols: number }[] {
  const totals = new Map<string, { size: number; symbols: number }>();
  for (const s of symbols) {
    if (s.type === 'U') continue;
    const key = symbolPackage(s.name);
    const total = totals.get(key) ?? { size: 0, symbols: 0 };
    total.size += s.size;
    total.symbols++;
    totals.set(key, total);
  }
  return [...totals].map(([name, t]) => ({ name, ...t })).sort((a, b) => b.size - a.size || a.name.localeCompare(b.name));
}
