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
import { defaultCacheDir, EvalCache, statFiles, statInto, under, type FileStats, type WalkedDirs } from './constraintsCache';

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
eval caches the headers it read, the walk and its last answer, checked against the size, mtime,
ctime and inode of every file and directory, in $GOPERF_CACHE_DIR, else ~/.cache/goperf;
GOPERF_CACHE_DIR=off disables the cache.
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

/** `record` gets each directory read, stat'ed before reading it, for the eval cache. */
function collectFilesSync(root: string, wanted: (name: string) => boolean, record?: WalkedDirs): string[] {
  if (!fsSync.statSync(root).isDirectory()) return [root];
  const out: string[] = [];
  const top = path.resolve(root);
  const rootLength = top.endsWith(path.sep) ? top.length : top.length + 1;
  // Plain concatenation: path.join normalizes every time, and these paths are normal already.
  const walk = (dir: string, isRoot: boolean): void => {
    if (record) {
      statInto(record.stats, record.names.length, dir);
      record.names.push(isRoot ? '' : dir.slice(rootLength));
    }
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
      if (e.isSymbolicLink() && record) record.cacheable = false;
      // Like the go command: a symlink to a file is a file, a symlink to a directory is not walked.
      if (e.isFile() || (e.isSymbolicLink() && isFileTarget(full))) out.push(full);
    }
    for (const d of subdirs) walk(d, false);
  };
  walk(top, true);
  return out.sort();
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

/** One path given to eval: its source files, as walked, with their stats. */
interface WalkedPath {
  readonly arg: string;
  /** Absolute paths, sorted. */
  readonly files: readonly string[];
  /** Relative to the walked directory ("" when the path is a file): the cache's keys. */
  readonly names: readonly string[];
  /** Only when there is a cache. */
  readonly stats: FileStats;
  /** The directories the walk read (or would have), when there is a cache. */
  readonly dirs?: WalkedDirs;
  readonly cache?: EvalCache;
  /** Every file is the one the cache saw last time. */
  readonly unchanged: boolean;
}

function walkPath(arg: string, cwd: string, cacheDir: string | undefined): WalkedPath {
  const root = path.resolve(cwd, arg);
  const cache = cacheDir ? new EvalCache(cacheDir, root) : undefined;
  const fromCache = cache?.walked(root);
  const dirs: WalkedDirs | undefined = fromCache?.dirs ?? (cache ? { names: [], stats: [], cacheable: true } : undefined);
  const files = fromCache?.files ?? collectFilesSync(root, (n) => n.endsWith('.go'), dirs);
  const isDir = files.length !== 1 || files[0] !== root;
  const rootLength = root.endsWith(path.sep) ? root.length : root.length + 1;
  const names = files.map((full) => (isDir ? full.slice(rootLength) : ''));
  const stats = cache ? statFiles(files) : new Float64Array(0);
  return { arg, files, names, stats, dirs, cache, unchanged: cache?.unchanged(names, stats) ?? false };
}

interface Analyzed {
  readonly analysis?: FileAnalysis;
  readonly error?: string;
}

/** Each file's header analysis: from the cache when its stat is unchanged, else read. */
function analyzeWalked(walked: WalkedPath): Analyzed[] {
  return walked.files.map((full, i) => {
    const cached = walked.cache?.header(walked.names[i], walked.stats, i);
    if (cached) {
      const name = baseName(full);
      return { analysis: { path: full, name, isTest: name.endsWith('_test.go'), nameConstraint: fileNameConstraint(name), header: cached } };
    }
    try {
      return { analysis: readAndAnalyze(full) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  });
}

function evaluateAnalyzed(walked: WalkedPath, analyzed: readonly Analyzed[], target: BuildTarget): EvaluatedFile[] {
  // What path.join(arg, name) gives, without normalizing every path: the walk's paths are normal.
  const prefix = path.join(walked.arg, 'x').slice(0, -1);
  return analyzed.map(({ analysis, error }, i) => {
    const name = walked.names[i];
    const shown = name === '' ? path.join(walked.arg, '') || walked.arg : prefix + name;
    if (!analysis) return { path: shown, error };
    try {
      return { path: shown, verdict: evaluateFile(analysis, target) };
    } catch (e) {
      return { path: shown, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

/**
 * The --json output's entries for these files, each as JSON.stringify(…, null, 1)
 * prints it inside {"files": [...]}, joined by ",\n": written by hand so answers
 * from several paths, some from the cache, join into one document.
 */
function jsonEntries(results: readonly EvaluatedFile[]): string {
  return results
    .map((r) => {
      const reason = r.verdict ? r.verdict.reason : r.error;
      let entry = `  {\n   "path": ${JSON.stringify(r.path)},\n   "included": ${r.verdict?.included ?? false},\n   "reason": ${JSON.stringify(reason)}`;
      if (!r.verdict) entry += ',\n   "error": true';
      else {
        if (r.verdict.kind) entry += `,\n   "kind": ${JSON.stringify(r.verdict.kind)}`;
        if (r.verdict.invalid) entry += ',\n   "invalid": true';
      }
      return entry + '\n  }';
    })
    .join(',\n');
}

function textLines(results: readonly EvaluatedFile[]): string {
  return results
    .map((r) => {
      if (!r.verdict) return `${r.path}: error: ${r.error}`;
      if (r.verdict.included) return `${r.path}: included (${r.verdict.kind}): ${r.verdict.reason}`;
      return `${r.path}: ${r.verdict.invalid ? 'invalid' : 'excluded'}: ${r.verdict.reason}`;
    })
    .join('\n');
}

async function runEval(flags: Flags, io: CommandIO): Promise<number> {
  // go list runs in its own process while this one walks and reads.
  const resolving = resolveTarget(flags, io.go, io.cwd);
  resolving.catch(() => undefined);
  const paths: Array<{ walked: WalkedPath; analyzed?: Analyzed[] }> = [];
  try {
    for (const arg of flags.paths) {
      const walked = walkPath(arg, io.cwd, io.cacheDir);
      // Reading what changed does not need the target, so it overlaps go list.
      paths.push({ walked, analyzed: walked.unchanged ? undefined : analyzeWalked(walked) });
    }
  } catch (e) {
    await resolving.catch(() => undefined);
    throw e;
  }
  const target = await resolving;
  let failed = false;
  const parts = paths.map(({ walked, analyzed }) => {
    const key = JSON.stringify([target, flags.json, walked.arg]);
    const stored = walked.unchanged ? walked.cache?.answer(key) : undefined;
    if (stored !== undefined) return stored;
    const analyses = analyzed ?? analyzeWalked(walked);
    const results = evaluateAnalyzed(walked, analyses, target);
    const text = flags.json ? jsonEntries(results) : textLines(results);
    const errors = results.some((r) => r.error);
    failed ||= errors;
    walked.cache?.save(
      walked.names,
      walked.stats,
      analyses.map((a) => a.analysis?.header),
      walked.dirs,
      errors ? undefined : { key, text },
    );
    return text;
  });
  const body = parts.filter((p) => p !== '');
  if (flags.json) {
    const files = body.length ? `[\n${body.join(',\n')}\n ]` : '[]';
    io.stdout.write(`{\n "target": ${JSON.stringify(target, null, 1).replaceAll('\n', '\n ')},\n "files": ${files}\n}\n`);
  } else {
    const tags = [...target.buildTags, target.cgoEnabled ? 'cgo' : 'no cgo'].join(', ');
    io.stdout.write([`target ${target.goos}/${target.goarch} (${tags}), go1.${target.goVersion}`, ...body].join('\n') + '\n');
  }
  return failed ? 1 : 0;
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
