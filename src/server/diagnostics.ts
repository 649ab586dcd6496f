// LSP diagnostics for build constraints, with the codes of the constraints
// core's lint (src/core/constraints/lint.ts) plus three of the server's own:
// `plus-build-obsolete`, `excluded` and `header-too-long`. Source "goperf".
//
// What vet's buildtag analyzer already reports through gopls is left out when
// our text would say nothing more: `multiple-go-build` ("unexpected extra
// //go:build line"), `malformed-go-build` ("malformed //go:build line"),
// `plus-build-term` (double negative / non-alphanumeric) and `bad-go-version`
// carry the same message as vet's. Kept although vet has them too:
// - `syntax`: vet puts every error at the start of the comment; we put it at
//   the byte the parser stopped at, with the parser's own message.
// - `misplaced-go-build` / `misplaced-plus-build`: vet only says "misplaced";
//   we say that the build silently ignores the line and why (after the package
//   clause, no blank line after +build, inside /* */), and offer a fix.
// - `plus-build-mismatch`: vet says the lines differ; we name a set of tags
//   on which they disagree and the +build lines gofmt would write.
// Everything else (misspelled GOOS/GOARCH, file name contradicting the
// constraint, never true on a real port, excluded under the current target,
// +build lines obsolete for the module's go version) is reported by nobody else.

import { misspelledTag, type ConstraintDiagnostic } from '../core/constraints';
import type { DocumentAnalysis } from './analysis';
import { plusBuildObsolete } from './analysis';
import type { Range } from './text';

export const SOURCE = 'goperf';

/** LSP DiagnosticSeverity values. */
const ERROR = 1;
const WARNING = 2;
const INFORMATION = 3;
const HINT = 4;
type Severity = typeof ERROR | typeof WARNING | typeof INFORMATION | typeof HINT;
/** LSP DiagnosticTag.Unnecessary: editors fade the text. */
const UNNECESSARY = 1;

export interface LspDiagnostic {
  range: Range;
  severity: Severity;
  code: string;
  source: string;
  message: string;
  tags?: (typeof UNNECESSARY)[];
}

export interface DiagnosticSettings {
  /** goperf.constraints.misspelledTags */
  readonly misspelledTags: boolean;
}

const LEFT_TO_VET = new Set(['multiple-go-build', 'malformed-go-build', 'plus-build-term', 'bad-go-version']);

export function computeDiagnostics(a: DocumentAnalysis, settings: DiagnosticSettings): LspDiagnostic[] {
  const out: LspDiagnostic[] = [];
  const { snapshot } = a;
  const push = (severity: Severity, code: string, message: string, start: number, end: number, tags?: (typeof UNNECESSARY)[]) =>
    out.push({ range: snapshot.range(start, end), severity, code, source: SOURCE, message, ...(tags ? { tags } : {}) });

  for (const d of a.lint) {
    if (LEFT_TO_VET.has(d.code)) continue;
    if (d.code === 'unknown-tag' && !settings.misspelledTags) continue;
    push(d.severity === 'error' ? ERROR : WARNING, d.code, messageFor(a, d), d.start, d.end);
  }

  const { header } = a.file;
  if (header.incomplete) {
    push(WARNING, 'header-too-long', `the comments and imports at the top of this file run past its first ${snapshot.bytes.length} bytes; its build constraints were not checked`, 0, 0);
  }

  if (plusBuildObsolete(a) && header.goBuild.length === 1 && header.plusBuild.length > 0 && !a.lint.some((d) => d.code === 'plus-build-mismatch')) {
    for (const c of header.plusBuild) {
      push(HINT, 'plus-build-obsolete', `+build line is no longer needed: go.mod says go ${a.module!.goVersion}, and since Go 1.17 the //go:build line alone decides`, c.start, c.end, [UNNECESSARY]);
    }
  }

  const excluded = exclusionDiagnostic(a);
  if (excluded) out.push(excluded);
  return out.sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
}

function messageFor(a: DocumentAnalysis, d: ConstraintDiagnostic): string {
  const source = () => new TextDecoder().decode(a.snapshot.bytes.subarray(d.start, d.end));
  switch (d.code) {
    case 'unknown-tag': {
      const tag = source();
      const guess = misspelledTag(tag);
      return guess ? `unknown ${guess.what} \`${tag}\`; did you mean \`${guess.near}\`?` : d.message;
    }
    case 'name-contradiction': {
      const c = a.file.nameConstraint!;
      const where = c.goos && c.goarch ? `${c.goos}/${c.goarch}` : (c.goos ?? c.goarch)!;
      return `this file can never build: its name restricts it to ${where}, where \`${source()}\` is never true`;
    }
    case 'misplaced-go-build':
    case 'misplaced-plus-build':
      return `ignored by the go command, silently: ${misplacedReason(a, d)}`;
    case 'plus-build-only':
      return plusBuildObsolete(a) ? `${d.message}; go.mod says go ${a.module!.goVersion}, so the //go:build line can replace the +build lines` : d.message;
    default:
      return d.message;
  }
}

function misplacedReason(a: DocumentAnalysis, d: ConstraintDiagnostic): string {
  const { header } = a.file;
  const ignored = header.ignoredPlusBuild.find((c) => c.start === d.start);
  if (ignored) {
    switch (ignored.why) {
      case 'not-followed-by-blank-line':
        return '+build lines count only when a blank line follows them before the package clause';
      case 'in-block-comment':
        return 'constraints inside /* */ comments are not read';
      case 'after-block-comment':
        return 'constraints after a /* */ comment are not read';
    }
  }
  if (header.goBuildInBlockComment.some((c) => c.start === d.start)) return 'constraints inside /* */ comments are not read';
  const stray = a.strays.find((s) => s.start === d.start);
  if (stray?.inBlockComment) return 'constraints inside /* */ comments are not read';
  return 'constraints must come before the package clause';
}

function exclusionDiagnostic(a: DocumentAnalysis): LspDiagnostic | undefined {
  const v = a.verdict;
  if (!v || v.included || v.invalid || !a.target) return undefined;
  const port = `${a.target.goos}/${a.target.goarch}`;
  const { header } = a.file;
  let why: string;
  let start = 0;
  let end = 0;
  switch (v.decidedBy) {
    case 'go:build':
    case '+build': {
      const falseTerms = v.terms.filter((t) => !t.value);
      why = falseTerms.length > 0 ? describeFalse(falseTerms) : v.reason;
      const line = v.decidedBy === 'go:build' ? header.goBuild[0] : header.plusBuild.find((c) => c.line === v.terms[0]?.line) ?? header.plusBuild[0];
      if (line) [start, end] = [line.start, line.end];
      break;
    }
    case 'file-name':
      why = v.reason;
      end = firstLineEnd(a);
      break;
    case 'cgo': {
      why = 'the file imports "C" and cgo is disabled';
      const importC = header.imports.find((i) => i.path === 'C');
      if (importC) [start, end] = [importC.start, importC.end];
      break;
    }
    default:
      why = v.reason;
      end = firstLineEnd(a);
  }
  return {
    range: a.snapshot.range(start, end),
    severity: INFORMATION,
    code: 'excluded',
    source: SOURCE,
    message: `excluded for ${port}${a.target.buildTags.length ? ` (tags ${a.target.buildTags.join(',')})` : ''}: ${why}`,
  };
}

function describeFalse(terms: readonly { tag: string; negated: boolean; because: string }[]): string {
  const unique = new Map(terms.map((t) => [`${t.negated ? '!' : ''}${t.tag}`, t.because]));
  return [...unique].map(([text, because]) => `\`${text}\` is false (${because})`).join('; ');
}

function firstLineEnd(a: DocumentAnalysis): number {
  const nl = a.snapshot.bytes.indexOf(0x0a);
  const end = nl < 0 ? a.snapshot.bytes.length : nl;
  return end > 0 && a.snapshot.bytes[end - 1] === 0x0d ? end - 1 : end;
}
