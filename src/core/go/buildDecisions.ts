// The compiler's optimisation decisions for one package: inlining, escapes,
// leaking parameters, bounds and nil checks. The compiler writes them itself
// as LSP diagnostics (`-gcflags=-json=0,<dir>`, one file per source file,
// the format gopls reads for its "compiler optimization details"), which is
// sturdier than scraping `-m=2` text.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseBuildOutput, type GoDiagnostic } from './build';
import { runGo, type RunGoResult } from './runGo';

export type DecisionKind = 'inline' | 'escape' | 'bounds' | 'nil' | 'other';

export interface DecisionPlace {
  readonly file: string;
  /** 1-based, as the compiler writes them. */
  readonly line: number;
  readonly column: number;
}

export interface CompilerDecision extends DecisionPlace {
  readonly code: string;
  readonly kind: DecisionKind;
  /** What an editor shows: `cannot inline: function too complex: cost 138 exceeds budget 80`. */
  readonly text: string;
  /** The escape flow or inlining chain behind the decision. */
  readonly related: readonly (DecisionPlace & { message: string })[];
}

const labels: Record<string, { kind: DecisionKind; label?: string }> = {
  canInlineFunction: { kind: 'inline', label: 'can inline' },
  cannotInlineFunction: { kind: 'inline', label: 'cannot inline' },
  inlineCall: { kind: 'inline', label: 'inlined call' },
  cannotInlineCall: { kind: 'inline', label: 'call not inlined' },
  escape: { kind: 'escape' },
  escapes: { kind: 'escape' },
  leak: { kind: 'escape' },
  isInBounds: { kind: 'bounds', label: 'bounds check' },
  isSliceInBounds: { kind: 'bounds', label: 'slice bounds check' },
  nilcheck: { kind: 'nil', label: 'nil check' },
};

interface LspPosition {
  line: number;
  character: number;
}
interface LspDiagnostic {
  range?: { start?: LspPosition };
  code?: string;
  message?: string;
  relatedInformation?: { location?: { uri?: string; range?: { start?: LspPosition } }; message?: string }[];
}

function fileOf(uri: string | undefined, fallback: string): string {
  if (!uri?.startsWith('file:')) return fallback;
  try {
    return fileURLToPath(uri);
  } catch {
    return fallback;
  }
}

/**
 * One log file: a header line naming the source file, then one diagnostic
 * per line. `logPath` names the log in error messages.
 */
export function parseDecisionLog(text: string, logPath: string): { file: string; decisions: CompilerDecision[] } {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return { file: '', decisions: [] };
  let header: { version?: unknown; file?: unknown };
  try {
    header = JSON.parse(lines[0]) as typeof header;
  } catch {
    throw new Error(`${logPath}: the first line is not the compiler's JSON header`);
  }
  if (header.version !== 0 || typeof header.file !== 'string') {
    throw new Error(`${logPath}: unknown compiler log version ${JSON.stringify(header.version)} (goperf reads version 0)`);
  }
  const file = header.file;
  const decisions: CompilerDecision[] = [];
  lines.slice(1).forEach((line, index) => {
    let entry: LspDiagnostic;
    try {
      entry = JSON.parse(line) as LspDiagnostic;
    } catch {
      throw new Error(`${logPath}:${index + 2}: not a JSON diagnostic`);
    }
    const start = entry.range?.start;
    if (!start || typeof entry.code !== 'string') return;
    const message = entry.message ?? '';
    const known = labels[entry.code];
    // The escape log repeats each escaping value once without a message.
    if (known?.kind === 'escape' && message === '') return;
    const text = known?.label ? (message ? `${known.label}: ${message}` : known.label) : message || entry.code;
    decisions.push({
      file,
      line: start.line,
      column: start.character,
      code: entry.code,
      kind: known?.kind ?? 'other',
      text,
      related: (entry.relatedInformation ?? []).flatMap((info) => {
        const at = info.location?.range?.start;
        return at ? [{ file: fileOf(info.location?.uri, file), line: at.line, column: at.character, message: info.message ?? '' }] : [];
      }),
    });
  });
  return { file, decisions };
}

async function logFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await logFiles(path)));
    else if (entry.name.endsWith('.json')) found.push(path);
  }
  return found;
}

export interface DecisionsResult {
  readonly outcome: 'ok' | 'failed' | 'cancelled';
  readonly decisions: CompilerDecision[];
  /** Compile errors when the package does not build. */
  readonly errors: GoDiagnostic[];
  readonly run: RunGoResult;
}

/**
 * Compiles the package in `packageDir` (not its dependencies) with the
 * compiler's decision log on and reads it back. A fresh log folder changes
 * the flags, so the build cache cannot skip the compile that writes it.
 */
export async function collectDecisions(options: {
  goPath: string;
  packageDir: string;
  env?: Readonly<Record<string, string>>;
  tagArgs?: readonly string[];
  signal?: AbortSignal;
}): Promise<DecisionsResult> {
  const logDir = await mkdtemp(join(tmpdir(), 'goperf-decisions-'));
  try {
    const sink = process.platform === 'win32' ? 'NUL' : '/dev/null';
    const args = ['build', ...(options.tagArgs ?? []), `-gcflags=-json=0,${pathToFileURL(logDir).href}`, '-o', sink, '.'];
    const run = await runGo(options.goPath, args, { cwd: options.packageDir, env: options.env, signal: options.signal });
    if (run.cancelled) return { outcome: 'cancelled', decisions: [], errors: [], run };
    if (run.exitCode !== 0) return { outcome: 'failed', decisions: [], errors: parseBuildOutput(run.stderr, options.packageDir).diagnostics, run };
    const decisions: CompilerDecision[] = [];
    for (const path of await logFiles(logDir)) decisions.push(...parseDecisionLog(await readFile(path, 'utf8'), path).decisions);
    return { outcome: 'ok', decisions, errors: [], run };
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
}
