// `goperf constraints eval|check`: which .go files the go command builds for
// a target and why, and a lint of build constraint lines.
//
// Directory walks match `go list ./...` in module mode: they skip testdata,
// directories whose names begin with "_" or ".", vendor directories, and
// nested modules (directories below the root that have their own go.mod).
// Files whose names begin with "_" or "." are reported as excluded, since the
// go command ignores them.

import * as fsSync from 'node:fs';
import * as path from 'node:path';
import {
  analyzeGoFile,
  baseName,
  checkFile,
  evaluateFile,
  fileNameConstraint,
  type BuildTarget,
  type ConstraintDiagnostic,
  type FileAnalysis,
  type FileVerdict,
  MAX_HEADER_BYTES,
} from '../core/constraints';
import { listPorts, resolveTarget } from '../core/go/target';
import { defaultCacheDir, HeaderCache } from './constraintsCache';

export interface Output {
  write(text: string): void;
}

export interface CommandIO {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly cwd: string;
  /** The go binary. */
  readonly go: string;
  /** Where eval may cache file headers between runs; no cache when undefined. */
  readonly cacheDir?: string;
}

const defaultIO = (): CommandIO => ({
  stdout: { write: (t) => void process.stdout.write(t) },
  stderr: { write: (t) => void process.stderr.write(t) },
  cwd: process.cwd(),
  go: process.env.GOPERF_GO || 'go',
  cacheDir: defaultCacheDir(),
});

const USAGE = `usage:
  goperf constraints eval [--goos X] [--goarch Y] [--tags a,b] [--cgo|--no-cgo] [--json] <file|dir>...
  goperf constraints check [--json] <file|dir>...

eval   reports, for every .go file, whether the go command builds it for the target and why.
       The target defaults to what the go command would use (go env, GOFLAGS).
check  reports malformed, misplaced, contradictory or never-true build constraints;
       exits 1 when it finds errors.
Directories are walked like "go list ./...": testdata, _*, .*, vendor and nested modules are skipped.
eval caches file headers (by size, mtime, ctime and inode) in $GOPERF_CACHE_DIR, else
~/.cache/goperf; GOPERF_CACHE_DIR=off disables the cache.
`;

class UsageError extends Error {}

interface Flags {
  goos?: string;
  goarch?: string;
  tags?: string;
  cgo?: boolean;
  json: boolean;
  paths: string[];
}

function parseFlags(args: readonly string[], allowTarget: boolean): Flags {
  const flags: Flags = { json: false, paths: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-') || arg === '-') {
      flags.paths.push(arg);
      continue;
    }
    if (arg === '--') {
      flags.paths.push(...args.slice(i + 1));
      break;
    }
    const [name, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2);
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= args.length) throw new UsageError(`flag --${name} needs a value`);
      return args[++i];
    };
    switch (name) {
      case 'json':
        flags.json = true;
        break;
      case 'goos':
      case 'goarch':
      case 'tags':
        if (!allowTarget) throw new UsageError(`flag --${name} is only for eval`);
        flags[name] = value();
        break;
      case 'cgo':
      case 'no-cgo':
        if (!allowTarget) throw new UsageError(`flag --${name} is only for eval`);
        flags.cgo = name === 'cgo';
        break;
      default:
        throw new UsageError(`unknown flag ${arg}`);
    }
  }
  if (flags.paths.length === 0) throw new UsageError('no files or directories given');
  return flags;
}

export async function runConstraintsCommand(args: string[], io: CommandIO = defaultIO()): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'eval':
        return await runEval(parseFlags(rest, true), io);
      case 'check':
        return await runCheck(parseFlags(rest, false), io);
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        io.stdout.write(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown subcommand "${sub}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`goperf constraints: ${e.message}\n${USAGE}`);
      return 2;
    }
    io.stderr.write(`goperf constraints: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

const SKIPPED_DIR = (name: string) => name === 'testdata' || name === 'vendor' || name.startsWith('_') || name.startsWith('.');

/**
 * Source files under `root` (or `root` itself when it is a file), sorted, in
 * the directories `go list ./...` would visit from `root`. The walk is
 * synchronous: for thousands of directories it is several times faster than
 * promise-based readdir.
 */
export async function collectFiles(root: string, wanted: (name: string) => boolean): Promise<string[]> {
  return collectFilesSync(root, wanted);
}

function collectFilesSync(root: string, wanted: (name: string) => boolean): string[] {
  if (!fsSync.statSync(root).isDirectory()) return [root];
  const out: string[] = [];
  // Plain concatenation: path.join normalizes every time, and these paths are normal already.
  const walk = (dir: string, isRoot: boolean): void => {
    const entries = fsSync.readdirSync(dir, { withFileTypes: true });
    if (!isRoot && entries.some((e) => e.name === 'go.mod' && !e.isDirectory())) return;
    const subdirs: string[] = [];
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIPPED_DIR(e.name)) subdirs.push(under(dir, e.name));
        continue;
      }
      if (!wanted(e.name)) continue;
      const full = under(dir, e.name);
      // Like the go command: a symlink to a file is a file, a symlink to a directory is not walked.
      if (e.isFile() || (e.isSymbolicLink() && isFileTarget(full))) out.push(full);
    }
    for (const d of subdirs) walk(d, false);
  };
  walk(path.resolve(root), true);
  return out.sort();
}

/** path.join for a normal directory path and a name (the root may end in a separator: "/"). */
function under(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

function isFileTarget(file: string): boolean {
  try {
    return fsSync.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Most headers (comments, package clause, imports) fit in the first block; a longer one is read whole. */
const FIRST_READ = 16 * 1024;

const scratch = Buffer.alloc(FIRST_READ);

/**
 * Reads as little of the file as the header needs: one block, then the whole
 * file only if the header goes on. Synchronous on purpose: for thousands of
 * small reads, open/read/close without promises is several times faster.
 */
export function readAndAnalyze(file: string): FileAnalysis {
  const fd = fsSync.openSync(file, 'r');
  try {
    const bytesRead = fsSync.readSync(fd, scratch, 0, FIRST_READ, 0);
    // The analysis keeps no reference to the bytes, so the scratch buffer can be reused.
    const analysis = analyzeGoFile(file, new Uint8Array(scratch.buffer, scratch.byteOffset, bytesRead), { truncated: bytesRead === FIRST_READ });
    if (!analysis.header.incomplete) return analysis;
    const size = fsSync.fstatSync(fd).size;
    if (size > MAX_HEADER_BYTES) {
      throw new Error(`${file}: the comments and imports at the top of the file run past ${MAX_HEADER_BYTES} bytes; not scanned`);
    }
    const all = fsSync.readFileSync(fd);
    return analyzeGoFile(file, new Uint8Array(all.buffer, all.byteOffset, all.length));
  } finally {
    fsSync.closeSync(fd);
  }
}

export interface EvaluatedFile {
  readonly path: string;
  readonly verdict?: FileVerdict;
  /** The file could not be read. */
  readonly error?: string;
}

/**
 * Every .go file under `paths`, with the header analysis its verdict needs
 * (from the cache when the file is unchanged). Independent of the target, so
 * it runs while `go list` resolves the target.
 */
export function analyzePaths(paths: readonly string[], cwd: string, cacheDir?: string): Array<{ path: string; analysis?: FileAnalysis; error?: string }> {
  const out: Array<{ path: string; analysis?: FileAnalysis; error?: string }> = [];
  for (const p of paths) {
    const root = path.resolve(cwd, p);
    const cache = cacheDir ? new HeaderCache(cacheDir, root) : undefined;
    const files = collectFilesSync(root, (n) => n.endsWith('.go'));
    const isDir = files.length !== 1 || files[0] !== root;
    // What path.join(p, relative) gives, without normalizing every path: the walk's paths are normal.
    const prefix = path.join(p, 'x').slice(0, -1);
    for (const full of files) {
      const relative = isDir ? full.slice(root.endsWith(path.sep) ? root.length : root.length + 1) : '';
      const shown = relative === '' ? path.join(p, '') || p : prefix + relative;
      const read = () => readAndAnalyze(full);
      try {
        const analysis = cache
          ? cache.analysis(full, relative, () => {
              const name = baseName(full);
              return { path: full, name, isTest: name.endsWith('_test.go'), nameConstraint: fileNameConstraint(name) };
            }, read)
          : read();
        out.push({ path: shown, analysis });
      } catch (e) {
        out.push({ path: shown, error: e instanceof Error ? e.message : String(e) });
      }
    }
    cache?.save();
  }
  return out;
}

function evaluateAnalyzed(analyzed: ReturnType<typeof analyzePaths>, target: BuildTarget): EvaluatedFile[] {
  return analyzed.map(({ path: p, analysis, error }) => {
    if (!analysis) return { path: p, error };
    try {
      return { path: p, verdict: evaluateFile(analysis, target) };
    } catch (e) {
      return { path: p, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

async function runEval(flags: Flags, io: CommandIO): Promise<number> {
  // go list runs in its own process while this one walks and reads.
  const resolving = resolveTarget(flags, io.go, io.cwd);
  resolving.catch(() => undefined);
  let analyzed: ReturnType<typeof analyzePaths>;
  try {
    analyzed = analyzePaths(flags.paths, io.cwd, io.cacheDir);
  } catch (e) {
    await resolving.catch(() => undefined);
    throw e;
  }
  const target = await resolving;
  const results = evaluateAnalyzed(analyzed, target);
  if (flags.json) {
    const files = results.map((r) =>
      r.verdict
        ? { path: r.path, included: r.verdict.included, reason: r.verdict.reason, ...(r.verdict.kind ? { kind: r.verdict.kind } : {}), ...(r.verdict.invalid ? { invalid: true } : {}) }
        : { path: r.path, included: false, reason: r.error, error: true },
    );
    io.stdout.write(JSON.stringify({ target, files }, null, 1) + '\n');
  } else {
    const tags = [...target.buildTags, target.cgoEnabled ? 'cgo' : 'no cgo'].join(', ');
    const lines = [`target ${target.goos}/${target.goarch} (${tags}), go1.${target.goVersion}`];
    for (const r of results) {
      if (!r.verdict) lines.push(`${r.path}: error: ${r.error}`);
      else if (r.verdict.included) lines.push(`${r.path}: included (${r.verdict.kind}): ${r.verdict.reason}`);
      else lines.push(`${r.path}: ${r.verdict.invalid ? 'invalid' : 'excluded'}: ${r.verdict.reason}`);
    }
    io.stdout.write(lines.join('\n') + '\n');
  }
  return results.some((r) => r.error) ? 1 : 0;
}

/** Source kinds whose build constraints the go command reads (not .syso, which is binary). */
const CONSTRAINED_EXTENSIONS = new Set(['.go', '.s', '.S', '.sx', '.c', '.cc', '.cpp', '.cxx', '.h', '.hh', '.hpp', '.hxx', '.m', '.f', '.F', '.for', '.f90', '.swig', '.swigcxx']);

async function runCheck(flags: Flags, io: CommandIO): Promise<number> {
  const ports = await listPorts(io.go, io.cwd, { includeBroken: true });
  const files: string[] = [];
  for (const p of flags.paths) {
    const root = path.resolve(io.cwd, p);
    for (const f of await collectFiles(root, (n) => CONSTRAINED_EXTENSIONS.has(path.extname(n)) && !n.startsWith('_') && !n.startsWith('.'))) {
      files.push(path.join(p, path.relative(root, f)) || p);
    }
  }
  const checked = files.map((f) => {
    let bytes: Buffer;
    try {
      bytes = fsSync.readFileSync(path.resolve(io.cwd, f));
    } catch (e) {
      return { path: f, diagnostics: [] as ConstraintDiagnostic[], problem: `cannot read: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (bytes.length > MAX_HEADER_BYTES) return { path: f, diagnostics: [] as ConstraintDiagnostic[], problem: `larger than ${MAX_HEADER_BYTES} bytes; not checked` };
    return { path: f, diagnostics: checkFile(f, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), { ports }) };
  });
  let errors = 0;
  let warnings = 0;
  const all: Array<ConstraintDiagnostic & { path: string }> = [];
  for (const c of checked) {
    if (c.problem) {
      io.stderr.write(`${c.path}: ${c.problem}\n`);
      errors++;
    }
    for (const d of c.diagnostics) {
      all.push({ ...d, path: c.path });
      if (d.severity === 'error') errors++;
      else warnings++;
    }
  }
  if (flags.json) {
    io.stdout.write(JSON.stringify({ diagnostics: all.map((d) => ({ path: d.path, line: d.line + 1, column: d.column + 1, severity: d.severity, code: d.code, message: d.message })) }, null, 1) + '\n');
  } else {
    for (const d of all) {
      io.stdout.write(`${d.path}:${d.line + 1}:${d.column + 1}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message} [${d.code}]\n`);
    }
    io.stderr.write(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files.length} files\n`);
  }
  return errors > 0 ? 1 : 0;
}
