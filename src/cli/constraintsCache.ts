// A cache for `goperf constraints eval`, like the go command's module index:
// one file per walked root holding each source file's header analysis, keyed
// by the file's size, mtime, ctime and inode, so an edit, a replacement or a
// `touch` misses. It also keeps the last printed answer for that root with the
// target and output form it was for: when the walk finds the same files with
// the same stats, that answer is printed again without reading or evaluating
// anything. As the go command does, a file changed in the last two seconds is
// not cached (a second change within the clock's resolution could leave its
// stat unchanged), and then neither is the answer. Any problem with the cache
// only costs speed.
//
// The walk itself is cached too: a directory's mtime changes whenever an entry
// is added, removed or renamed in it, so when every directory the last walk
// read has the same stat, the walk would find the same files. Directories with
// symlinked sources are not cached this way (a link's target can change
// without its directory), nor are directories changed in the last two seconds.
//
// The file is laid out so that a run that only checks stats parses almost
// nothing: a JSON line {format, tool, counts, the sections' lengths,
// answerKey}, the directories' names (joined by NUL, which no file name
// contains) and stats (raw float64s), the files' names and stats, the
// answer's text, and last the headers as JSON (aligned with the names), read
// only when some file has to be evaluated again.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HeaderScan } from '../core/constraints';

const FORMAT = 5;
const RECENT_MS = 2000;
const MAX_CACHED_LINE = 4096;
const STAT_FIELDS = 4;

/**
 * The parts of a header evaluateFile reads, empty lists left out (most files
 * have no constraints): imports other than "C" do not change a verdict. A
 * header that has only a package name is stored as that name.
 */
type CachedHeader = string | Partial<Pick<HeaderScan, 'goBuild' | 'plusBuild' | 'packageName' | 'imports' | 'parseError' | 'readError'>>;

interface Meta {
  readonly format: number;
  /** The program that wrote it: another build may analyse differently. */
  readonly tool: string;
  readonly count: number;
  /** Directories read by the walk; 0 when its listing was not stored. */
  readonly dirCount: number;
  /** Byte lengths of the sections after the first line. */
  readonly dirNamesLength: number;
  readonly namesLength: number;
  readonly headersLength: number;
  readonly answerLength: number;
  /** What the stored answer was printed for; none when it was not stored. */
  readonly answerKey?: string;
}

/**
 * size, mtimeMs, ctimeMs and ino of each file, flat; NaN where the file could
 * not be stat'ed. Numbers rather than fs.Stats objects: thousands of those
 * (four Dates each) kept alive cost more in garbage collection than the stat
 * calls themselves.
 */
export type FileStats = Float64Array;

export function statFiles(files: readonly string[]): FileStats {
  const stats = new Float64Array(files.length * STAT_FIELDS);
  for (let i = 0; i < files.length; i++) statInto(stats, i, files[i]);
  return stats;
}

/** Stats `file` into entry `i` of `stats`. */
export function statInto(stats: FileStats | number[], i: number, file: string): void {
  const at = i * STAT_FIELDS;
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    // Left NaN, like a missing file.
  }
  stats[at] = st ? st.size : NaN;
  stats[at + 1] = st ? st.mtimeMs : NaN;
  stats[at + 2] = st ? st.ctimeMs : NaN;
  stats[at + 3] = st ? st.ino : NaN;
}

/** The directories a walk read, each stat'ed just before reading it. */
export interface WalkedDirs {
  /** Relative to the root ("" for the root). */
  readonly names: string[];
  readonly stats: number[];
  /** Whether the listings depend on nothing but the directories themselves (no symlinked sources). */
  cacheable: boolean;
}

/** Identifies this build of goperf by its own bundle's size and mtime (cheaper than hashing it). */
function toolIdentity(): string {
  // The stats are stored in this machine's byte order.
  const order = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'le' : 'be';
  try {
    const st = fs.statSync(__filename);
    return `${FORMAT}:${order}:${st.size}:${st.mtimeMs}`;
  } catch {
    return `${FORMAT}:${order}:unknown`;
  }
}

/** 64-bit FNV-1a of the root path, for the cache file's name (node:crypto would cost more to load than this whole run's hashing). */
function fnv1a(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

const NEWLINE = 0x0a;
const SEPARATOR = '\0';

interface Sections {
  readonly meta: Meta;
  /** Everything before the headers, which only a run that re-reads some file needs. */
  readonly prefix: Buffer;
  readonly dirNames: Buffer;
  readonly dirStats: Buffer;
  readonly names: Buffer;
  readonly stats: Buffer;
  readonly answer: Buffer;
  /** Where the headers start; they run to the end of the file. */
  readonly headersAt: number;
}

/** The first block holds the meta line (its size is bounded by the answer key's). */
const FIRST_BLOCK = 64 * 1024;

/** Reads all but the headers. */
function readSections(file: string): Sections | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const first = Buffer.allocUnsafe(FIRST_BLOCK);
    const got = fs.readSync(fd, first, 0, FIRST_BLOCK, 0);
    const end = first.subarray(0, got).indexOf(NEWLINE);
    if (end < 0) return undefined;
    const meta = JSON.parse(first.toString('utf8', 0, end)) as Partial<Meta>;
    const { count, dirCount, dirNamesLength, namesLength, headersLength, answerLength } = meta;
    if (![count, dirCount, dirNamesLength, namesLength, headersLength, answerLength].every((n) => Number.isSafeInteger(n) && n! >= 0)) return undefined;
    const dirStatsAt = end + 1 + dirNamesLength!;
    const namesAt = dirStatsAt + dirCount! * STAT_FIELDS * 8;
    const statsAt = namesAt + namesLength!;
    const answerAt = statsAt + count! * STAT_FIELDS * 8;
    const headersAt = answerAt + answerLength!;
    if (fs.fstatSync(fd).size !== headersAt + headersLength!) return undefined;
    const prefix = Buffer.allocUnsafe(headersAt);
    first.copy(prefix, 0, 0, Math.min(got, headersAt));
    for (let at = Math.min(got, headersAt); at < headersAt; ) {
      const n = fs.readSync(fd, prefix, at, headersAt - at, at);
      if (n === 0) return undefined;
      at += n;
    }
    return {
      meta: meta as Meta,
      prefix,
      dirNames: prefix.subarray(end + 1, dirStatsAt),
      dirStats: prefix.subarray(dirStatsAt, namesAt),
      names: prefix.subarray(namesAt, statsAt),
      stats: prefix.subarray(statsAt, answerAt),
      answer: prefix.subarray(answerAt, headersAt),
      headersAt,
    };
  } finally {
    fs.closeSync(fd);
  }
}

export class EvalCache {
  private readonly file: string;
  private readonly tool = toolIdentity();
  private readonly stored: Sections | undefined;
  private headersByName: Map<string, { at: number; header: CachedHeader }> | undefined;
  private storedStats: Float64Array | undefined;
  private readonly now = Date.now();

  constructor(cacheDir: string, root: string) {
    this.file = path.join(cacheDir, `constraints-${fnv1a(path.resolve(root))}.cache`);
    try {
      const stored = readSections(this.file);
      if (stored?.meta.format === FORMAT && stored.meta.tool === this.tool) this.stored = stored;
    } catch {
      // Missing or unreadable: start empty.
    }
  }

  /**
   * The files the last walk of `root` found, when every directory it read
   * has the same stat now; otherwise the tree must be walked again.
   */
  walked(root: string): { files: string[]; dirs: WalkedDirs } | undefined {
    const stored = this.stored;
    if (!stored || stored.meta.dirCount === 0) return undefined;
    const names = stored.dirNames.toString('utf8').split(SEPARATOR);
    if (names.length !== stored.meta.dirCount) return undefined;
    const stats = new Float64Array(names.length * STAT_FIELDS);
    for (let i = 0; i < names.length; i++) statInto(stats, i, names[i] === '' ? root : under(root, names[i]));
    if (!stored.dirStats.equals(new Uint8Array(stats.buffer))) return undefined;
    const files = stored.meta.count === 0 ? [] : stored.names.toString('utf8').split(SEPARATOR).map((name) => under(root, name));
    return { files, dirs: { names, stats: Array.from(stats), cacheable: true } };
  }

  /** Whether the files are exactly those of the last run, in the same order, each with the same stat. */
  unchanged(names: readonly string[], stats: FileStats): boolean {
    const stored = this.stored;
    if (!stored || stored.meta.count !== names.length) return false;
    // Equal bytes are equal numbers here: stored stats are never NaN.
    if (!stored.stats.equals(new Uint8Array(stats.buffer, stats.byteOffset, stats.byteLength))) return false;
    return names.join(SEPARATOR) === stored.names.toString('utf8');
  }

  /** The stored answer, when it was printed for `key`; only meaningful when `unchanged` said so. */
  answer(key: string): string | undefined {
    if (this.stored === undefined || this.stored.meta.answerKey !== key) return undefined;
    return this.stored.answer.toString('utf8');
  }

  /** The cached header of file `i` (named `name`) when its stat is unchanged. */
  header(name: string, stats: FileStats, i: number): HeaderScan | undefined {
    const entry = this.headers().get(name);
    if (!entry || !sameStat(this.storedStats!, entry.at, stats, i)) return undefined;
    return restore(entry.header);
  }

  private headers(): Map<string, { at: number; header: CachedHeader }> {
    if (this.headersByName) return this.headersByName;
    this.headersByName = new Map();
    const stored = this.stored;
    if (!stored || stored.meta.count === 0) return this.headersByName;
    try {
      // Read again for the headers: usable only if the file is still the one read first.
      const bytes = fs.readFileSync(this.file);
      if (!bytes.subarray(0, stored.headersAt).equals(stored.prefix)) return this.headersByName;
      const headers = JSON.parse(bytes.toString('utf8', stored.headersAt)) as CachedHeader[];
      const names = stored.names.toString('utf8').split(SEPARATOR);
      if (headers.length !== stored.meta.count || names.length !== stored.meta.count) return this.headersByName;
      // A copy: the section need not be aligned for a Float64Array.
      this.storedStats = new Float64Array(new Uint8Array(stored.stats).buffer);
      names.forEach((name, at) => this.headersByName!.set(name, { at, header: headers[at] }));
    } catch {
      this.headersByName.clear();
    }
    return this.headersByName;
  }

  /** Entry `i` was stat'ed and has not changed in the last two seconds. */
  private settled(stats: FileStats | readonly number[], i: number): boolean {
    const at = i * STAT_FIELDS;
    return !Number.isNaN(stats[at]) && this.now - stats[at + 1] > RECENT_MS && this.now - stats[at + 2] > RECENT_MS;
  }

  /**
   * Stores the entries seen in this run (dropping files that are gone) and,
   * when every file could be stored, the directories the walk read and the
   * answer printed for `answer.key`. Written atomically.
   */
  save(names: readonly string[], stats: FileStats, headers: ReadonlyArray<HeaderScan | undefined>, dirs: WalkedDirs | undefined, answer?: { key: string; text: string }): void {
    const kept: string[] = [];
    const keptStats: number[] = [];
    const keptHeaders: CachedHeader[] = [];
    names.forEach((name, i) => {
      const header = headers[i];
      const at = i * STAT_FIELDS;
      // Deeply nested expressions could overflow JSON.stringify; such files are rare enough to re-read.
      const huge = header && (header.goBuild.some((c) => c.text.length > MAX_CACHED_LINE) || header.plusBuild.some((c) => c.text.length > MAX_CACHED_LINE));
      if (!header || huge || !this.settled(stats, i)) return;
      kept.push(name);
      keptStats.push(stats[at], stats[at + 1], stats[at + 2], stats[at + 3]);
      keptHeaders.push(slim(header));
    });
    const complete = kept.length === names.length;
    const keepDirs = complete && dirs !== undefined && dirs.cacheable && dirs.names.every((_, i) => this.settled(dirs.stats, i));
    const dirNamesBytes = Buffer.from(keepDirs ? dirs.names.join(SEPARATOR) : '', 'utf8');
    const namesBytes = Buffer.from(kept.join(SEPARATOR), 'utf8');
    const headersBytes = Buffer.from(JSON.stringify(keptHeaders), 'utf8');
    const answerBytes = Buffer.from(answer && complete ? answer.text : '', 'utf8');
    const meta: Meta = {
      format: FORMAT,
      tool: this.tool,
      count: kept.length,
      dirCount: keepDirs ? dirs.names.length : 0,
      dirNamesLength: dirNamesBytes.length,
      namesLength: namesBytes.length,
      headersLength: headersBytes.length,
      answerLength: answerBytes.length,
      ...(answer && complete ? { answerKey: answer.key } : {}),
    };
    const parts = [
      Buffer.from(JSON.stringify(meta) + '\n', 'utf8'),
      dirNamesBytes,
      new Uint8Array(Float64Array.from(keepDirs ? dirs.stats : []).buffer),
      namesBytes,
      new Uint8Array(Float64Array.from(keptStats).buffer),
      answerBytes,
      headersBytes,
    ];
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, Buffer.concat(parts));
      fs.renameSync(tmp, this.file);
      // The JSON file earlier versions kept for the same root.
      fs.rmSync(this.file.replace(/\.cache$/, '.json'), { force: true });
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}

/** path.join for a normal directory path and a name (the root may end in a separator: "/"). */
export function under(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

function sameStat(cached: Float64Array, i: number, stats: FileStats, j: number): boolean {
  const a = i * STAT_FIELDS;
  const b = j * STAT_FIELDS;
  return cached[a] === stats[b] && cached[a + 1] === stats[b + 1] && cached[a + 2] === stats[b + 2] && cached[a + 3] === stats[b + 3];
}

function slim(h: HeaderScan): CachedHeader {
  const out: { -readonly [K in keyof Exclude<CachedHeader, string>]: Exclude<CachedHeader, string>[K] } = {};
  if (h.goBuild.length) out.goBuild = h.goBuild;
  if (h.plusBuild.length) out.plusBuild = h.plusBuild;
  if (h.packageName !== undefined) out.packageName = h.packageName;
  const importC = h.imports.filter((i) => i.path === 'C');
  if (importC.length) out.imports = importC;
  if (h.parseError) out.parseError = h.parseError;
  if (h.readError) out.readError = h.readError;
  const keys = Object.keys(out);
  return keys.length === 1 && out.packageName !== undefined ? out.packageName : out;
}

const NONE: readonly never[] = [];

/** Every field set, in one order: one object shape for all files keeps evaluateFile's property reads fast. */
function restore(cached: CachedHeader): HeaderScan {
  const c = typeof cached === 'string' ? { packageName: cached } : cached;
  return {
    bomLength: 0,
    commentRegionEnd: 0,
    goBuild: c.goBuild ?? NONE,
    plusBuild: c.plusBuild ?? NONE,
    ignoredPlusBuild: NONE,
    goBuildInBlockComment: NONE,
    malformedGoBuild: NONE,
    packageName: c.packageName,
    imports: c.imports ?? NONE,
    parseError: c.parseError,
    readError: c.readError,
    incomplete: false,
  };
}

/** Where the CLI keeps its caches: $GOPERF_CACHE_DIR ("off" disables), else the user's cache directory. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.GOPERF_CACHE_DIR;
  if (configured === 'off') return undefined;
  if (configured) return configured;
  const home = env.HOME || env.USERPROFILE;
  const base = env.XDG_CACHE_HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : process.platform === 'darwin' && home ? path.join(home, 'Library', 'Caches') : home && path.join(home, '.cache'));
  return base ? path.join(base, 'goperf') : undefined;
}
