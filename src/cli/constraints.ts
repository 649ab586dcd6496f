// `goperf constraints eval|check`: which .go files the go command builds for
// a target and why, and a lint of build constraint lines.
//
// Directory walks match `go list ./...` in module mode: they skip testdata,
// directories whose names begin with "_" or ".", vendor directories, and
// nested modules (directories below the root that have their own go.mod).
// Files whose names begin with "_" or "." are reported as excluded, since the
// go command ignores them.

import { execFile } from 'node:child_process';
import * as fsSync from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  analyzeGoFile,
  checkFile,
  evaluateFile,
  type BuildTarget,
  type ConstraintDiagnostic,
  type FileAnalysis,
  type FileVerdict,
  type Port,
} from '../core/constraints';

export interface Output {
  write(text: string): void;
}

export interface CommandIO {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly cwd: string;
  /** The go binary. */
  readonly go: string;
}

const defaultIO = (): CommandIO => ({
  stdout: { write: (t) => void process.stdout.write(t) },
  stderr: { write: (t) => void process.stderr.write(t) },
  cwd: process.cwd(),
  go: process.env.GOPERF_GO || 'go',
});

const USAGE = `usage:
  goperf constraints eval [--goos X] [--goarch Y] [--tags a,b] [--cgo|--no-cgo] [--json] <file|dir>...
  goperf constraints check [--json] <file|dir>...

eval   reports, for every .go file, whether the go command builds it for the target and why.
       The target defaults to what the go command would use (go env, GOFLAGS).
check  reports malformed, misplaced, contradictory or never-true build constraints;
       exits 1 when it finds errors.
Directories are walked like "go list ./...": testdata, _*, .*, vendor and nested modules are skipped.
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

function runTool(go: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(go, args, { cwd, env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${go} not found` : stderr.trim() || error.message;
        reject(new Error(`${go} ${args.join(' ')}: ${why}`));
      } else resolve(stdout);
    });
  });
}

export interface TargetRequest {
  readonly goos?: string;
  readonly goarch?: string;
  /** Comma-separated, as for -tags. */
  readonly tags?: string;
  readonly cgo?: boolean;
}

// Fields of the go command's build context, tab-separated (tags are never empty strings or contain tabs).
const CONTEXT_TEMPLATE = [
  '{{context.GOOS}}',
  '{{context.GOARCH}}',
  '{{context.CgoEnabled}}',
  '{{context.Compiler}}',
  '{{join context.BuildTags ","}}',
  '{{join context.ToolTags ","}}',
  '{{join context.ReleaseTags ","}}',
].join('\t');

/**
 * The target exactly as the go command sees it: GOOS/GOARCH/CGO_ENABLED from
 * the flags or the environment and go env, tool tags (architecture levels,
 * enabled experiments) and release tags of this toolchain.
 */
export async function resolveTarget(request: TargetRequest, go: string, cwd: string): Promise<BuildTarget> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (request.goos) env.GOOS = request.goos;
  if (request.goarch) env.GOARCH = request.goarch;
  if (request.cgo !== undefined) env.CGO_ENABLED = request.cgo ? '1' : '0';
  const args = ['list', '-e', '-f', CONTEXT_TEMPLATE];
  if (request.tags !== undefined) args.push('-tags', request.tags);
  args.push('unsafe');
  const out = (await runTool(go, args, cwd, env)).trim();
  const [goos, goarch, cgo, compiler, buildTags, toolTags, releaseTags] = out.split('\t');
  const list = (s: string | undefined) => (s ? s.split(',').filter(Boolean) : []);
  const minors = list(releaseTags).map((t) => Number(/^go1\.(\d+)$/.exec(t)?.[1] ?? NaN)).filter((n) => !Number.isNaN(n));
  if (!goos || !goarch || minors.length === 0) throw new Error(`unexpected output from go list: ${JSON.stringify(out)}`);
  return {
    goos,
    goarch,
    cgoEnabled: cgo === 'true',
    compiler: compiler || 'gc',
    buildTags: list(buildTags),
    toolTags: list(toolTags),
    goVersion: Math.max(...minors),
  };
}

/** The real ports of the toolchain, from `go tool dist list -json -broken`: ports marked broken still have code. */
export async function listPorts(go: string, cwd: string): Promise<Port[]> {
  const raw = JSON.parse(await runTool(go, ['tool', 'dist', 'list', '-json', '-broken'], cwd)) as Array<{
    GOOS: string;
    GOARCH: string;
    CgoSupported: boolean;
    FirstClass: boolean;
    Broken?: boolean;
  }>;
  return raw.map((p) => ({ goos: p.GOOS, goarch: p.GOARCH, cgoSupported: p.CgoSupported, firstClass: p.FirstClass, broken: p.Broken ?? false }));
}

const SKIPPED_DIR = (name: string) => name === 'testdata' || name === 'vendor' || name.startsWith('_') || name.startsWith('.');

/**
 * Source files under `root` (or `root` itself when it is a file), sorted, in
 * the directories `go list ./...` would visit from `root`.
 */
export async function collectFiles(root: string, wanted: (name: string) => boolean): Promise<string[]> {
  const stat = await fs.stat(root);
  if (!stat.isDirectory()) return [root];
  const out: string[] = [];
  const walk = async (dir: string, isRoot: boolean): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    if (!isRoot && entries.some((e) => e.name === 'go.mod' && !e.isDirectory())) return;
    const subdirs: string[] = [];
    for (const e of entries) {
      const full = path.join(dir, e.name);
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        // Like the go command: a symlink to a file is a file, a symlink to a directory is not walked.
        isFile = await fs.stat(full).then((s) => s.isFile(), () => false);
      }
      if (e.isDirectory()) {
        if (!SKIPPED_DIR(e.name)) subdirs.push(full);
      } else if (isFile && wanted(e.name)) {
        out.push(full);
      }
    }
    for (const d of subdirs) await walk(d, false);
  };
  await walk(root, true);
  return out.sort();
}

const FIRST_READ = 64 * 1024;
/** A header (leading comments, package clause, imports) larger than this is not read. */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;

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

export async function evaluatePaths(paths: readonly string[], target: BuildTarget, cwd: string): Promise<EvaluatedFile[]> {
  const files: string[] = [];
  for (const p of paths) {
    for (const f of await collectFiles(path.resolve(cwd, p), (n) => n.endsWith('.go'))) {
      files.push(path.join(p, path.relative(path.resolve(cwd, p), f)) || p);
    }
  }
  return files.map((f) => {
    try {
      return { path: f, verdict: evaluateFile(readAndAnalyze(path.resolve(cwd, f)), target) };
    } catch (e) {
      return { path: f, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

async function runEval(flags: Flags, io: CommandIO): Promise<number> {
  const target = await resolveTarget(flags, io.go, io.cwd);
  const results = await evaluatePaths(flags.paths, target, io.cwd);
  if (flags.json) {
    const files = results.map((r) =>
      r.verdict
        ? { path: r.path, included: r.verdict.included, reason: r.verdict.reason, ...(r.verdict.kind ? { kind: r.verdict.kind } : {}), ...(r.verdict.invalid ? { invalid: true } : {}) }
        : { path: r.path, included: false, reason: r.error, error: true },
    );
    io.stdout.write(JSON.stringify({ target, files }, null, 1) + '\n');
  } else {
    const tags = [...target.buildTags, target.cgoEnabled ? 'cgo' : 'no cgo'].join(', ');
    io.stdout.write(`target ${target.goos}/${target.goarch} (${tags}), go1.${target.goVersion}\n`);
    for (const r of results) {
      if (!r.verdict) io.stdout.write(`${r.path}: error: ${r.error}\n`);
      else if (r.verdict.included) io.stdout.write(`${r.path}: included (${r.verdict.kind}): ${r.verdict.reason}\n`);
      else io.stdout.write(`${r.path}: ${r.verdict.invalid ? 'invalid' : 'excluded'}: ${r.verdict.reason}\n`);
    }
  }
  return results.some((r) => r.error) ? 1 : 0;
}

/** Source kinds whose build constraints the go command reads (not .syso, which is binary). */
const CONSTRAINED_EXTENSIONS = new Set(['.go', '.s', '.S', '.sx', '.c', '.cc', '.cpp', '.cxx', '.h', '.hh', '.hpp', '.hxx', '.m', '.f', '.F', '.for', '.f90', '.swig', '.swigcxx']);

async function runCheck(flags: Flags, io: CommandIO): Promise<number> {
  const ports = await listPorts(io.go, io.cwd);
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
