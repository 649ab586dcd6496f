// A cache of file header analyses for `goperf constraints eval`, like the go
// command's module index: one file per walked root, entries keyed by each
// source file's size, mtime, ctime and inode, so an edit, a replacement or a
// `touch` misses. As the go command does, a file changed in the last two
// seconds is not cached: a second change within the clock's resolution could
// leave its stat unchanged. Any problem with the cache only costs speed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileAnalysis, HeaderScan } from '../core/constraints';

const FORMAT = 3;
const RECENT_MS = 2000;
const MAX_CACHED_LINE = 4096;

/**
 * The parts of a header evaluateFile reads, empty lists left out (most files
 * have no constraints): imports other than "C" do not change a verdict.
 */
type CachedHeader = Partial<Pick<HeaderScan, 'goBuild' | 'plusBuild' | 'packageName' | 'imports' | 'parseError' | 'readError'>>;

interface CacheFile {
  readonly format: number;
  /** The program that wrote it: another build may analyse differently. */
  readonly tool: string;
  readonly files: Record<string, [size: number, mtimeMs: number, ctimeMs: number, ino: number, header: CachedHeader]>;
}

function unchanged(entry: CacheFile['files'][string] | undefined, st: fs.Stats): boolean {
  return entry !== undefined && entry[0] === st.size && entry[1] === st.mtimeMs && entry[2] === st.ctimeMs && entry[3] === st.ino;
}

/** Identifies this build of goperf by its own bundle's size and mtime (cheaper than hashing it). */
function toolIdentity(): string {
  try {
    const st = fs.statSync(__filename);
    return `${FORMAT}:${st.size}:${st.mtimeMs}`;
  } catch {
    return `${FORMAT}:unknown`;
  }
}

/** 64-bit FNV-1a of the root path, for the cache file's name (node:crypto would cost more to load than this whole run's hashing). */
function fnv1a(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

export class HeaderCache {
  private readonly file: string;
  private readonly tool = toolIdentity();
  private readonly old: CacheFile['files'];
  private readonly next: CacheFile['files'] = {};
  private changed = false;
  private readonly now = Date.now();

  constructor(cacheDir: string, root: string) {
    this.file = path.join(cacheDir, `constraints-${fnv1a(path.resolve(root))}.json`);
    let old: CacheFile['files'] = {};
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<CacheFile>;
      if (parsed.format === FORMAT && parsed.tool === this.tool && parsed.files && typeof parsed.files === 'object') old = parsed.files;
    } catch {
      // Missing or unreadable: start empty.
    }
    this.old = old;
  }

  /** The cached analysis when the file is unchanged; otherwise `analyze`'s, remembered for next time. */
  analysis(file: string, name: string, base: () => Omit<FileAnalysis, 'header'>, analyze: () => FileAnalysis): FileAnalysis {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return analyze();
    }
    const hit = this.old[name];
    if (unchanged(hit, st)) {
      this.next[name] = hit;
      return { ...base(), header: restore(hit[4]) };
    }
    const analysis = analyze();
    // Deeply nested expressions could overflow JSON.stringify; such files are rare enough to re-read.
    const huge = analysis.header.goBuild.some((c) => c.text.length > MAX_CACHED_LINE) || analysis.header.plusBuild.some((c) => c.text.length > MAX_CACHED_LINE);
    if (!huge && this.now - st.mtimeMs > RECENT_MS && this.now - st.ctimeMs > RECENT_MS) {
      this.next[name] = [st.size, st.mtimeMs, st.ctimeMs, st.ino, slim(analysis.header)];
    }
    this.changed = true;
    return analysis;
  }

  /** Writes the entries seen in this run (dropping files that are gone), atomically. */
  save(): void {
    if (!this.changed && Object.keys(this.next).length === Object.keys(this.old).length) return;
    const data: CacheFile = { format: FORMAT, tool: this.tool, files: this.next };
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify(data));
      fs.renameSync(tmp, this.file);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}

function slim(h: HeaderScan): CachedHeader {
  const out: { -readonly [K in keyof CachedHeader]: CachedHeader[K] } = {};
  if (h.goBuild.length) out.goBuild = h.goBuild;
  if (h.plusBuild.length) out.plusBuild = h.plusBuild;
  if (h.packageName !== undefined) out.packageName = h.packageName;
  const importC = h.imports.filter((i) => i.path === 'C');
  if (importC.length) out.imports = importC;
  if (h.parseError) out.parseError = h.parseError;
  if (h.readError) out.readError = h.readError;
  return out;
}

const NONE: readonly never[] = [];

/** Every field set, in one order: one object shape for all files keeps evaluateFile's property reads fast. */
function restore(c: CachedHeader): HeaderScan {
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
