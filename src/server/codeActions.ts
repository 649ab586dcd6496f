// Quick fixes for the server's diagnostics. Edits produce what gofmt would
// write; target changes are returned as commands the client implements
// (`goperf.setTarget` with a TargetRequest, `goperf.addTag` with a tag).

import {
  effectiveConstraint,
  exprString,
  goBuildLineFromPlusBuild,
  KNOWN_ARCH,
  KNOWN_OS,
  misspelledTag,
  parseConstraintLine,
  releaseTagMinor,
  type Expr,
  type Port,
  type StrayComment,
} from '../core/constraints';
import { defaultCgoEnabled } from '../core/go/target';
import { buildingPorts, plusBuildObsolete, type DocumentAnalysis } from './analysis';
import type { LspDiagnostic } from './diagnostics';
import { SOURCE } from './diagnostics';
import type { TargetRequest } from './target';
import type { Range } from './text';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Command {
  title: string;
  command: string;
  arguments?: unknown[];
}

export interface CodeAction {
  title: string;
  kind: 'quickfix';
  diagnostics: LspDiagnostic[];
  isPreferred?: boolean;
  edit?: { changes: Record<string, TextEdit[]> };
  command?: Command;
}

export const SET_TARGET_COMMAND = 'goperf.setTarget';
export const ADD_TAG_COMMAND = 'goperf.addTag';

/** Suggesting every port would bury the useful ones. */
const MAX_PORT_SUGGESTIONS = 3;

export function codeActionsFor(a: DocumentAnalysis, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== SOURCE) continue;
    const edit = (title: string, edits: TextEdit[], isPreferred = false) =>
      out.push({ title, kind: 'quickfix', diagnostics: [d], isPreferred, edit: { changes: { [a.uri]: edits } } });
    switch (d.code) {
      case 'plus-build-only':
        convertPlusBuild(a, edit);
        break;
      case 'plus-build-obsolete':
        edit('Remove the obsolete +build lines', a.file.header.plusBuild.map((c) => ({ range: a.snapshot.wholeLine(c.start), newText: '' })), true);
        break;
      case 'misplaced-plus-build':
      case 'misplaced-go-build':
        fixMisplaced(a, d, edit);
        break;
      case 'unknown-tag': {
        const start = a.snapshot.offset(d.range.start);
        const end = a.snapshot.offset(d.range.end);
        if (start === undefined || end === undefined) break;
        const tag = new TextDecoder().decode(a.snapshot.bytes.subarray(start, end));
        const guess = misspelledTag(tag);
        if (guess) edit(`Change \`${tag}\` to \`${guess.near}\``, [{ range: d.range, newText: guess.near }], true);
        break;
      }
      case 'excluded':
        out.push(...targetActions(a, d));
        break;
    }
  }
  return out;
}

type EditAction = (title: string, edits: TextEdit[], isPreferred?: boolean) => void;

function convertPlusBuild(a: DocumentAnalysis, edit: EditAction): void {
  const { plusBuild } = a.file.header;
  const exprs = plusBuild.flatMap((c) => (c.parse.ok ? [c.parse.expr] : []));
  const line = goBuildLineFromPlusBuild(exprs);
  if (!line || exprs.length !== plusBuild.length) return;
  const first = a.snapshot.wholeLine(plusBuild[0].start).start;
  const obsolete = plusBuildObsolete(a);
  // gofmt puts the //go:build line just above the first +build line.
  edit('Add the //go:build line gofmt would write', [{ range: { start: first, end: first }, newText: line + a.snapshot.eol }], !obsolete);
  if (obsolete) {
    const edits = plusBuild.map((c, i) => ({ range: a.snapshot.wholeLine(c.start), newText: i === 0 ? line + a.snapshot.eol : '' }));
    edit('Replace the +build lines with a //go:build line', edits, true);
  }
}

function fixMisplaced(a: DocumentAnalysis, d: LspDiagnostic, edit: EditAction): void {
  const { header } = a.file;
  const start = a.snapshot.offset(d.range.start);
  const missingBlank = header.ignoredPlusBuild.filter((c) => c.why === 'not-followed-by-blank-line');
  if (missingBlank.some((c) => c.start === start)) {
    const after = a.snapshot.wholeLine(missingBlank[missingBlank.length - 1].start).end;
    edit('Add the blank line the +build lines need', [{ range: { start: after, end: after }, newText: a.snapshot.eol }], true);
    return;
  }
  const stray = a.strays.find((s) => s.start === start && !s.inBlockComment && s.kind !== 'malformed-go:build');
  // Moving a line next to existing constraints would change their meaning too; the user decides then.
  if (!stray || header.goBuild.length > 0 || header.plusBuild.length > 0) return;
  const goBuild = goBuildLineFor(stray);
  if (!goBuild) return;
  const top = a.snapshot.position(header.bomLength);
  edit(
    'Move the constraint above the package clause',
    [{ range: { start: top, end: top }, newText: goBuild + a.snapshot.eol + a.snapshot.eol }, { range: removalRange(a, stray), newText: '' }],
    true,
  );
}

function goBuildLineFor(stray: StrayComment): string | undefined {
  const parsed = parseConstraintLine(stray.text);
  if (!parsed || !parsed.ok) return undefined;
  return `//go:build ${exprString(parsed.expr)}`;
}

/** The stray comment, with its line when nothing else is on it, and one of two blank lines it would leave behind. */
function removalRange(a: DocumentAnalysis, stray: StrayComment): Range {
  const { snapshot } = a;
  const line = snapshot.lineOf(stray.start);
  const lineStart = snapshot.lineStart(line);
  const before = new TextDecoder().decode(snapshot.bytes.subarray(lineStart, stray.start));
  if (before.trim() !== '') return snapshot.range(stray.start, stray.end);
  const blank = (n: number) => n >= 0 && n < snapshot.lineCount && lineText(a, n).trim() === '';
  const from = blank(line - 1) && (blank(line + 1) || line + 1 >= snapshot.lineCount - 1) ? line - 1 : line;
  return { start: { line: from, character: 0 }, end: { line: line + 1, character: 0 } };
}

function lineText(a: DocumentAnalysis, line: number): string {
  const { snapshot } = a;
  const start = snapshot.lineStart(line);
  const end = line + 1 < snapshot.lineCount ? snapshot.lineStart(line + 1) : snapshot.bytes.length;
  return new TextDecoder().decode(snapshot.bytes.subarray(start, end));
}

/** A tag only -tags can set, and not a misspelling of a name that -tags would not fix. */
function isCustomTag(tag: string): boolean {
  return (
    !KNOWN_OS.has(tag) &&
    !KNOWN_ARCH.has(tag) &&
    !['unix', 'cgo', 'gc', 'gccgo'].includes(tag) &&
    releaseTagMinor(tag) === undefined &&
    !tag.includes('.') &&
    misspelledTag(tag) === undefined
  );
}

function targetActions(a: DocumentAnalysis, d: LspDiagnostic): CodeAction[] {
  const target = a.target;
  if (!target) return [];
  const out: CodeAction[] = [];
  const command = (title: string, name: string, args: unknown[]) => out.push({ title, kind: 'quickfix', diagnostics: [d], command: { title, command: name, arguments: args } });

  // The constraint's custom tags that are unset and appear un-negated: setting one can only help.
  const own = effectiveConstraint(a.file.header);
  const unsetTags = own ? [...new Set(positiveTags(own).filter((t) => isCustomTag(t) && !target.buildTags.includes(t)))] : [];
  const decisive = new Set(a.verdict?.terms.filter((t) => !t.value && !t.negated).map((t) => t.tag));
  for (const tag of unsetTags.filter((t) => decisive.has(t))) command(`Add tag \`${tag}\` to the build target`, ADD_TAG_COMMAND, [tag]);

  // A switch sets GOOS/GOARCH only, so the port gets the go command's CGO_ENABLED default for it:
  // off when cross-compiling. Until go env has answered, off promises nothing that needs cgo.
  const cgoFor = (port: Port) =>
    port.goos === target.goos && port.goarch === target.goarch ? target.cgoEnabled : a.host ? defaultCgoEnabled(port, a.host) : false;
  // Ports where the file builds with the target's tags; failing that, with the constraint's tags added.
  let tags = [...target.buildTags];
  let ports = buildingPorts(a, cgoFor);
  if (ports && ports.firstClass.length + ports.others.length === 0 && unsetTags.length > 0) {
    tags = [...tags, ...unsetTags];
    ports = buildingPorts({ ...a, target: { ...target, buildTags: tags } }, cgoFor);
  }
  if (!ports) return out;
  // Ports close to the current one first: same GOOS, then same GOARCH.
  const closeness = (p: { goos: string; goarch: string }) => (p.goos === target.goos ? 0 : p.goarch === target.goarch ? 1 : 2);
  const candidates = [...ports.firstClass].sort((x, y) => closeness(x) - closeness(y));
  if (candidates.length === 0) candidates.push(...ports.others);
  const withTags = tags.length > target.buildTags.length ? ` with tags ${tags.join(',')}` : '';
  for (const port of candidates.slice(0, MAX_PORT_SUGGESTIONS)) {
    const request: TargetRequest = { goos: port.goos, goarch: port.goarch, tags, cgoEnabled: cgoFor(port) };
    command(`Build for ${port.goos}/${port.goarch}${withTags}, where this file builds`, SET_TARGET_COMMAND, [request]);
  }
  return out;
}

function positiveTags(x: Expr, negated = false, out: string[] = []): string[] {
  switch (x.kind) {
    case 'tag':
      if (!negated) out.push(x.tag);
      break;
    case 'not':
      positiveTags(x.x, !negated, out);
      break;
    default:
      positiveTags(x.x, negated, out);
      positiveTags(x.y, negated, out);
  }
  return out;
}
