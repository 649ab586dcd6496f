// goperf: pprof reports from the command line, with the same decoder and
// flame graph as the VS Code extension.
//   goperf top <file> [--sample-index NAME] [--nodecount N] [--json]
//   goperf flame <file> [--sample-index NAME] -o out.html
//   goperf constraints eval|check …   (build constraints; see src/cli/constraints.ts)

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { version } from '../../package.json';
import {
  aggregate,
  decodeProfile,
  formatTop,
  ProfileError,
  sampleIndexByName,
  type Aggregate,
  type Profile,
} from '../core/pprof/index';
import { renderProfilePageHtml } from '../core/webviewHtml';
import { runConstraintsCommand } from './constraints';

const USAGE = `Usage:
  goperf top <profile> [--sample-index NAME] [--nodecount N] [--json]
  goperf flame <profile> [--sample-index NAME] -o <out.html>
  goperf constraints eval|check [options] <file|dir>…
  goperf --help | --version

Commands:
  top     Print every function's flat and cum values, heaviest flat first,
          in the format of \`go tool pprof -top -nodefraction=0\`.
  flame   Write one self-contained HTML page with the interactive flame graph.
  constraints
          Evaluate or check Go build constraints exactly as the go command
          does ("goperf constraints --help" for its options).

Options:
  --sample-index NAME  Sample type to show: a type name (e.g. alloc_space,
                       inuse_space, delay) or its index; default: the
                       profile's default sample type.
  --nodecount N        Show only the N heaviest functions (top).
  --json               Print {"sampleType","total","rows":[{"name","flat","cum"}]}
                       with exact integer values in the sample type's unit (top).
  -o, --output FILE    Where to write the HTML page (flame).
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

  if (command === 'top') {
    if (values.output !== undefined) throw new UsageError('top: -o is only for flame');
    let nodeCount: number | undefined;
    if (values.nodecount !== undefined) {
      if (!/^\d+$/.test(values.nodecount) || Number(values.nodecount) < 1) {
        throw new UsageError(`top: --nodecount must be a positive integer, got "${values.nodecount}"`);
      }
      nodeCount = Number(values.nodecount);
    }
    const { profile, agg } = load(file, values['sample-index']);
    warnIfAllZero(profile, agg);
    if (values.json) process.stdout.write(topJson(agg, nodeCount) + '\n');
    else process.stdout.write(formatTop(profile, agg, { nodeCount }));
    return 0;
  }

  if (values.json || values.nodecount !== undefined) throw new UsageError('flame: --json and --nodecount are only for top');
  if (values.output === undefined || values.output === '') throw new UsageError('flame: missing -o <out.html>');
  writeFlamePage(file, values.output, values['sample-index']);
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

function load(file: string, sampleIndexName: string | undefined): { profile: Profile; agg: Aggregate; bytes: Uint8Array } {
  const bytes = readProfileFile(file);
  const profile = decodeProfile(bytes, file);
  for (const w of profile.warnings) process.stderr.write(`goperf: ${file}: ${w}\n`);
  // A valid profile, but nothing to report or draw: say so instead of printing an empty table.
  if (profile.sampleCount === 0) {
    throw new ProfileError('no-samples', `${file}: the profile has no samples (nothing was recorded)`);
  }
  let index: number;
  try {
    index = sampleIndexByName(profile, sampleIndexName ?? '');
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  // Neither a table nor the page (which aggregates in the browser) needs the call tree here.
  return { profile, agg: aggregate(profile, index, { callTree: false }), bytes };
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

function writeFlamePage(file: string, output: string, sampleIndexName: string | undefined): void {
  const target = canonicalTarget(output);
  if (existsSync(file) && target === realpathSync(resolve(file))) {
    throw new UsageError(`flame: refusing to overwrite the input profile ${file} with the HTML page`);
  }
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new Failure(`${output}: is a directory; give the HTML file's path`);
  }
  const { profile, agg, bytes } = load(file, sampleIndexName);
  warnIfAllZero(profile, agg);
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
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // A closed pipe (goperf top x | head) is not an error worth reporting.
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const argv = process.argv.slice(2);
  if (argv[0] === 'constraints') {
    runConstraintsCommand(argv.slice(1)).then(
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
