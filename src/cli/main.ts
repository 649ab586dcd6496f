// goperf: pprof reports from the command line, with the same decoder and
// flame graph as the VS Code extension.
//   goperf top <file> [--sample-index NAME] [--nodecount N] [--json] [pprof options]
//   goperf flame <file> [--sample-index NAME] -o out.html [pprof options]
//   goperf constraints eval|check …   (build constraints; see src/cli/constraints.ts,
//                                      loaded without this file: see goperf.ts)
//   goperf trace stats …               (execution traces; see src/cli/trace.ts)
//   goperf benchstat old.txt [new.txt] (benchmark statistics; see src/cli/benchstat.ts)

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { version } from '../../package.json';
import {
  decodeProfile,
  encodeProfile,
  FilterError,
  formatTop,
  GRANULARITIES,
  parseLabelKeys,
  ProfileError,
  sampleIndexByName,
  viewProfile,
  type Aggregate,
  type FilterOptions,
  type Granularity,
  type LabelFrameOptions,
  type Profile,
  type ViewOptions,
} from '../core/pprof/index';
import { renderProfilePageHtml } from '../core/webviewHtml';
import { runBenchstatCommand } from './benchstat';
import { runTraceCommand } from './trace';

const USAGE = `Usage:
  goperf top <profile> [--sample-index NAME] [--nodecount N] [--json] [pprof options]
  goperf flame <profile> [--sample-index NAME] -o <out.html> [pprof options]
  goperf constraints eval|check [options] <file|dir>…
  goperf trace stats <trace> [--json]
  goperf benchstat <old.txt> [<new.txt>] [--json|--csv]
  goperf --help | --version

Commands:
  top     Print every function's flat and cum values, heaviest flat first,
          in the format of \`go tool pprof -top -nodefraction=0\`.
  flame   Write one self-contained HTML page with the interactive flame graph.
  constraints
          Evaluate or check Go build constraints exactly as the go command
          does ("goperf constraints --help" for its options).
  trace   Read a Go execution trace (Go 1.22-1.26): event counts by kind,
          goroutines, procs, duration.
  benchstat
          Compare benchmark results like golang.org/x/perf/cmd/benchstat.

Options:
  --sample-index NAME  Sample type to show: a type name (e.g. alloc_space,
                       inuse_space, delay) or its index; default: the
                       profile's default sample type.
  --nodecount N        Show only the N heaviest functions (top).
  --json               Print {"sampleType","total","rows":[{"name","flat","cum"}]}
                       with exact integer values in the sample type's unit (top).
  -o, --output FILE    Where to write the HTML page (flame).

pprof options (top and flame), with the meanings of go tool pprof's
-focus, -ignore, ... so every number can be checked against it. REGEX is a
JavaScript regex, unanchored; it is tested against function names, source
file names and binary paths:
  --focus REGEX        Keep only samples whose stack has a matching frame.
  --ignore REGEX       Drop samples whose stack has a matching frame.
  --hide REGEX         Remove matching frames from the stacks.
  --show REGEX         Keep only matching frames in the stacks.
  --show-from REGEX    Drop the frames above the outermost matching frame.
  --tagfocus [KEY=]V   Keep samples with a matching label: V is a regex list
                       ("a,b") or a numeric range with units ("1kb:2mb", "64:").
  --tagignore [KEY=]V  Drop samples with a matching label.
  --tagroot KEYS       Group by labels: frames named by each sample's values of
                       the comma-separated label KEYS at the root of its
                       stack, the first key outermost (pprof's -tagroot).
  --tagleaf KEYS       The same at the leaf, the last key innermost.
  --granularity G      functions (default), filefunctions, files, lines, addresses.
  --base FILE          Subtract FILE (same profile type) from the profile;
                       percentages of the difference's total.
  --diff-base FILE     Compare with FILE: negated base samples kept apart;
                       percentages of the base's total.
  --normalize          Scale the profile to the base's total first.
  -h, --help           Show this help.
  -v, --version        Show the version.

A profile may be gzip-compressed or raw protobuf (pprof format).
Exit status: 0 on success, 1 when a profile cannot be read or written, 2 on usage errors.`;

class UsageError extends Error {}

/** A failure with a message for the user; exits 1. */
class Failure extends Error {}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'sample-index': { type: 'string' },
        nodecount: { type: 'string' },
        json: { type: 'boolean' },
        output: { type: 'string', short: 'o' },
        focus: { type: 'string' },
        ignore: { type: 'string' },
        hide: { type: 'string' },
        show: { type: 'string' },
        'show-from': { type: 'string' },
        tagfocus: { type: 'string' },
        tagignore: { type: 'string' },
        tagroot: { type: 'string' },
        tagleaf: { type: 'string' },
        granularity: { type: 'string' },
        base: { type: 'string' },
        'diff-base': { type: 'string' },
        normalize: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values.version) {
    process.stdout.write(`goperf ${version}\n`);
    return 0;
  }
  const [command, file, ...extra] = positionals;
  if (command === undefined) throw new UsageError('missing command');
  if (command !== 'top' && command !== 'flame') throw new UsageError(`unknown command "${command}"`);
  if (file === undefined) throw new UsageError(`${command}: missing profile file`);
  if (extra.length > 0) throw new UsageError(`${command}: unexpected argument "${extra[0]}"`);
  const options = pprofOptions(values);

  if (command === 'top') {
    if (values.output !== undefined) throw new UsageError('top: -o is only for flame');
    let nodeCount: number | undefined;
    if (values.nodecount !== undefined) {
      if (!/^\d+$/.test(values.nodecount) || Number(values.nodecount) < 1) {
        throw new UsageError(`top: --nodecount must be a positive integer, got "${values.nodecount}"`);
      }
      nodeCount = Number(values.nodecount);
    }
    const { profile, agg } = load(file, values['sample-index'], options);
    warnIfAllZero(profile, agg);
    if (values.json) process.stdout.write(topJson(agg, nodeCount) + '\n');
    else process.stdout.write(formatTop(profile, agg, { nodeCount, activeFilters: activeFilters(options.filters) }));
    return 0;
  }

  if (values.json || values.nodecount !== undefined) throw new UsageError('flame: --json and --nodecount are only for top');
  if (values.output === undefined || values.output === '') throw new UsageError('flame: missing -o <out.html>');
  writeFlamePage(file, values.output, values['sample-index'], options);
  return 0;
}

function readProfileFile(file: string): Uint8Array {
  try {
    if (statSync(file).isDirectory()) throw new Failure(`${file}: is a directory, not a profile`);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof Failure) throw e;
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new Failure(`${file}: cannot read the file (${reason})`);
  }
}

interface PprofOptions {
  filters: FilterOptions;
  labelFrames: LabelFrameOptions;
  granularity?: Granularity;
  base?: { file: string; mode: 'base' | 'diff_base'; normalize: boolean };
}

function pprofOptions(values: Record<string, string | boolean | undefined>): PprofOptions {
  const text = (name: string) => values[name] as string | undefined;
  const filters: FilterOptions = {
    focus: text('focus'),
    ignore: text('ignore'),
    hide: text('hide'),
    show: text('show'),
    showFrom: text('show-from'),
    tagFocus: text('tagfocus'),
    tagIgnore: text('tagignore'),
  };
  const granularity = text('granularity');
  if (granularity !== undefined && !GRANULARITIES.includes(granularity as Granularity)) {
    throw new UsageError(`--granularity must be one of ${GRANULARITIES.join(', ')}, got "${granularity}"`);
  }
  const base = text('base');
  const diffBase = text('diff-base');
  if (base !== undefined && diffBase !== undefined) throw new UsageError('--base and --diff-base cannot be used together');
  const baseFile = base ?? diffBase;
  if (values.normalize && baseFile === undefined) throw new UsageError('--normalize needs --base or --diff-base');
  return {
    filters,
    labelFrames: { root: parseLabelKeys(text('tagroot')), leaf: parseLabelKeys(text('tagleaf')) },
    granularity: granularity as Granularity | undefined,
    base: baseFile === undefined ? undefined : { file: baseFile, mode: base !== undefined ? 'base' : 'diff_base', normalize: values.normalize === true },
  };
}

/** The filters in pprof's order and spelling, for the report's header. */
function activeFilters(f: FilterOptions): string[] {
  const named: [string, string | undefined][] = [
    ['focus', f.focus],
    ['ignore', f.ignore],
    ['hide', f.hide],
    ['show', f.show],
    ['show_from', f.showFrom],
    ['tagfocus', f.tagFocus],
    ['tagignore', f.tagIgnore],
  ];
  return named.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${v}`);
}

function decodeFile(file: string): { profile: Profile; bytes: Uint8Array } {
  const bytes = readProfileFile(file);
  const profile = decodeProfile(bytes, file);
  for (const w of profile.warnings) process.stderr.write(`goperf: ${file}: ${w}\n`);
  return { profile, bytes };
}

function load(
  file: string,
  sampleIndexName: string | undefined,
  options: PprofOptions,
): { profile: Profile; agg: Aggregate; bytes: Uint8Array; changed: boolean } {
  const { profile, bytes } = decodeFile(file);
  // A valid profile, but nothing to report or draw: say so instead of printing an empty table.
  if (profile.sampleCount === 0 && !options.base) {
    throw new ProfileError('no-samples', `${file}: the profile has no samples (nothing was recorded)`);
  }
  let index: number;
  try {
    index = sampleIndexByName(profile, sampleIndexName ?? '');
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  const view: ViewOptions = { filters: options.filters, labelFrames: options.labelFrames, granularity: options.granularity, callTree: false };
  if (options.base) view.base = { profile: decodeFile(options.base.file).profile, mode: options.base.mode, normalize: options.base.normalize };
  let result;
  try {
    // Neither a table nor the page (which aggregates in the browser) needs the call tree here.
    result = viewProfile(profile, index, view);
  } catch (e) {
    if (e instanceof FilterError) throw new UsageError(e.message);
    throw e;
  }
  for (const w of result.warnings) process.stderr.write(`goperf: ${w}\n`);
  const changed = result.profile !== profile;
  return { profile: result.profile, agg: result.aggregate, bytes, changed };
}

function warnIfAllZero(profile: Profile, agg: Aggregate): void {
  if (agg.total === 0) {
    process.stderr.write(`goperf: ${profile.fileName}: every sample has ${agg.sampleType.type} 0\n`);
  }
}

function topJson(agg: Aggregate, nodeCount: number | undefined): string {
  const rows = nodeCount ? agg.rows.slice(0, nodeCount) : agg.rows;
  return JSON.stringify({
    sampleType: { type: agg.sampleType.type, unit: agg.sampleType.unit },
    total: agg.total,
    rows: rows.map((r) => ({ name: agg.functions[r.func].name, flat: r.flat, cum: r.cum })),
  });
}

/** The path a file would have once written, with symlinks in its directory resolved. */
function canonicalTarget(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs)) return realpathSync(abs);
  try {
    return join(realpathSync(dirname(abs)), basename(abs));
  } catch {
    throw new Failure(`${path}: cannot write there (the directory ${dirname(abs)} does not exist)`);
  }
}

function writeFlamePage(file: string, output: string, sampleIndexName: string | undefined, options: PprofOptions): void {
  const target = canonicalTarget(output);
  if (existsSync(file) && target === realpathSync(resolve(file))) {
    throw new UsageError(`flame: refusing to overwrite the input profile ${file} with the HTML page`);
  }
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new Failure(`${output}: is a directory; give the HTML file's path`);
  }
  const loaded = load(file, sampleIndexName, options);
  const { profile, agg } = loaded;
  warnIfAllZero(profile, agg);
  // The page draws the profile it embeds, so a diffed, filtered or
  // re-grained profile is written out as one (the page then needs no options).
  const bytes =
    loaded.changed || (options.granularity ?? 'functions') !== 'functions'
      ? encodeProfile(profile, { granularity: options.granularity })
      : loaded.bytes;
  const scriptPath = join(__dirname, 'webviews', 'flame.js');
  let script: string;
  try {
    script = readFileSync(scriptPath, 'utf8');
  } catch {
    throw new Failure(`the flame graph script ${scriptPath} is missing; run npm run build`);
  }
  const fileName = basename(file);
  const html = renderProfilePageHtml({
    nonce: randomBytes(18).toString('base64'),
    title: `${fileName} (${agg.sampleType.type}) - goperf`,
    inlineScript: script,
    embeddedProfile: {
      fileName,
      base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
      sampleType: agg.sampleType.type,
    },
  });
  try {
    writeFileSync(target, html);
  } catch (e) {
    throw new Failure(`${output}: cannot write the page (${(e as Error).message})`);
  }
  process.stdout.write(`Wrote ${output} (${(html.length / (1024 * 1024)).toFixed(1)} MB)\n`);
}

function run(): void {
  const argv = process.argv.slice(2);
  const subcommands: Record<string, (args: string[]) => Promise<number>> = {
    trace: runTraceCommand,
    benchstat: runBenchstatCommand,
  };
  const subcommand = Object.hasOwn(subcommands, argv[0] ?? '') ? subcommands[argv[0]] : undefined;
  if (subcommand) {
    subcommand(argv.slice(1)).then(
      (code) => (process.exitCode = code),
      (e: unknown) => {
        process.stderr.write(`goperf: internal error: ${(e as Error).stack ?? String(e)}\n`);
        process.exitCode = 1;
      },
    );
    return;
  }
  try {
    process.exitCode = main(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`goperf: ${e.message}\nRun "goperf --help" for usage.\n`);
      process.exitCode = 2;
    } else if (e instanceof ProfileError || e instanceof Failure) {
      process.stderr.write(`goperf: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`goperf: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  }
}

run();
