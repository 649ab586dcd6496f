// Decides whether the go command builds a .go file for a target, in the order
// the go command's module index checks things (read errors and duplicate
// //go:build lines make a file invalid before its name is looked at; go/build,
// which the go command falls back to for files changed in the last two
// seconds, checks the name first), and says which rule or which terms of
// which constraint made the decision.

import { and, type Expr } from './expr';
import { baseName, fileNameConstraint, isIgnoredFileName, matchFileName, type FileNameConstraint } from './filename';
import { scanHeader, type ConstraintComment, type HeaderProblem, type HeaderScan } from './header';
import { tagTruth, targetName, type BuildTarget, type TagTruth } from './platform';

export interface FileAnalysis {
  readonly path: string;
  /** Base name. */
  readonly name: string;
  readonly isTest: boolean;
  readonly nameConstraint?: FileNameConstraint;
  readonly header: HeaderScan;
}

/** Target-independent facts about a Go file; evaluate them for any number of targets with evaluateFile. */
export function analyzeGoFile(path: string, bytes: Uint8Array, options: { truncated?: boolean } = {}): FileAnalysis {
  const name = baseName(path);
  return {
    path,
    name,
    isTest: name.endsWith('_test.go'),
    nameConstraint: fileNameConstraint(name),
    header: scanHeader(bytes, { goSource: true, truncated: options.truncated }),
  };
}

export type Decider = 'name-prefix' | 'invalid' | 'file-name' | 'go:build' | '+build' | 'documentation' | 'cgo' | 'none';
export type FileKind = 'go' | 'cgo' | 'test' | 'xtest';

/** One tag occurrence that helped decide, with the polarity it appears in. */
export interface TermFact {
  readonly tag: string;
  readonly negated: boolean;
  /** Whether the term (tag, or !tag when negated) is true. */
  readonly value: boolean;
  readonly because: string;
  /** Byte range in the file; for a file-name term, the suffix's place in the base name. */
  readonly start: number;
  readonly end: number;
  readonly line?: number;
}

export interface FileVerdict {
  readonly included: boolean;
  /** The go command reports the file in InvalidGoFiles and does not build it. */
  readonly invalid: boolean;
  readonly kind?: FileKind;
  readonly decidedBy: Decider;
  readonly reason: string;
  /** The terms that decided a constraint's value: for a false constraint, a small set that makes it false. */
  readonly terms: readonly TermFact[];
  /** Problems the go command reports while still listing the file (a test importing "C", imports that do not parse). */
  readonly problems: readonly HeaderProblem[];
}

export function evaluateFile(file: FileAnalysis, target: BuildTarget): FileVerdict {
  const { header } = file;
  if (header.incomplete) throw new Error(`${file.path}: evaluateFile needs the whole header; scan more of the file`);
  const verdict = (v: Omit<FileVerdict, 'terms' | 'problems' | 'invalid'> & Partial<FileVerdict>): FileVerdict => ({
    invalid: false,
    terms: [],
    problems: [],
    ...v,
  });
  const port = targetName(target);

  if (isIgnoredFileName(file.name)) {
    return verdict({ included: false, decidedBy: 'name-prefix', reason: 'file names beginning with "_" or "." are ignored by the go command' });
  }
  if (header.readError) {
    return verdict({ included: false, invalid: true, decidedBy: 'invalid', reason: header.readError.message });
  }
  if (header.goBuild.length > 1) {
    return verdict({ included: false, invalid: true, decidedBy: 'invalid', reason: `multiple //go:build comments (lines ${header.goBuild.map((c) => c.line + 1).join(', ')})` });
  }
  if (file.nameConstraint) {
    const match = matchFileName(file.nameConstraint, target);
    if (!match.ok) {
      const c = file.nameConstraint;
      const terms = [c.goos, c.goarch]
        .filter((t): t is string => t !== undefined)
        .map((t) => fact(t, false, tagTruth(target, t), c.start, c.end))
        .filter((t) => !t.value);
      return verdict({ included: false, decidedBy: 'file-name', reason: match.reason, terms });
    }
  }

  let constraintNote = 'no build constraints';
  const goBuild = header.goBuild[0];
  if (goBuild) {
    if (!goBuild.parse.ok) {
      return verdict({ included: false, invalid: true, decidedBy: 'invalid', reason: `parsing //go:build line: ${goBuild.parse.error.message}` });
    }
    const result = decide(goBuild.parse.expr, target, goBuild.line);
    if (!result.value) {
      return verdict({ included: false, decidedBy: 'go:build', reason: falseReason(goBuild, result.facts, port), terms: result.facts });
    }
    constraintNote = `${goBuild.text} is true for ${port}`;
  } else if (header.plusBuild.length > 0) {
    // +build lines that fail to parse (too complex) are skipped, as the go command does.
    for (const line of header.plusBuild) {
      if (!line.parse.ok) continue;
      const result = decide(line.parse.expr, target, line.line);
      if (!result.value) {
        return verdict({ included: false, decidedBy: '+build', reason: falseReason(line, result.facts, port), terms: result.facts });
      }
    }
    constraintNote = `${header.plusBuild.length === 1 ? header.plusBuild[0].text + ' is' : 'the +build lines are'} true for ${port}`;
  }

  if (header.packageName === 'documentation') {
    return verdict({ included: false, decidedBy: 'documentation', reason: 'files in package documentation are ignored by the go command' });
  }
  const problems: HeaderProblem[] = header.parseError ? [header.parseError] : [];
  const importC = header.imports.find((i) => i.path === 'C');
  if (file.isTest) {
    if (importC) problems.push({ message: `use of cgo in test ${file.name} not supported`, offset: importC.start });
    const xtest = header.packageName?.endsWith('_test') ?? false;
    return verdict({ included: true, kind: xtest ? 'xtest' : 'test', decidedBy: goBuild ? 'go:build' : 'none', reason: constraintNote, problems });
  }
  if (importC) {
    if (!target.cgoEnabled) {
      return verdict({ included: false, decidedBy: 'cgo', reason: 'the file imports "C" and cgo is disabled', problems });
    }
    return verdict({ included: true, kind: 'cgo', decidedBy: 'cgo', reason: `${constraintNote}; the file imports "C" and cgo is enabled`, problems });
  }
  return verdict({ included: true, kind: 'go', decidedBy: goBuild ? 'go:build' : header.plusBuild.length ? '+build' : 'none', reason: constraintNote, problems });
}

function fact(tag: string, negated: boolean, truth: TagTruth, start: number, end: number, line?: number): TermFact {
  return { tag, negated, value: negated ? !truth.value : truth.value, because: truth.because, start, end, line };
}

interface Decision {
  readonly value: boolean;
  readonly facts: readonly TermFact[];
}

/**
 * Evaluates and keeps the terms that matter: for a false AND the first false
 * operand, for a true OR the first true one, otherwise both sides.
 */
export function decide(x: Expr, target: BuildTarget, line?: number, negated = false): Decision {
  switch (x.kind) {
    case 'tag': {
      const truth = tagTruth(target, x.tag);
      return { value: truth.value, facts: [fact(x.tag, negated, truth, x.start, x.end, line)] };
    }
    case 'not': {
      const inner = decide(x.x, target, line, !negated);
      return { value: !inner.value, facts: inner.facts };
    }
    case 'and':
    case 'or': {
      const l = decide(x.x, target, line, negated);
      const r = decide(x.y, target, line, negated);
      const short = x.kind === 'and' ? false : true;
      if (l.value === short) return { value: short, facts: l.facts };
      if (r.value === short) return { value: short, facts: r.facts };
      return { value: !short, facts: [...l.facts, ...r.facts] };
    }
  }
}

export function describeTerms(facts: readonly TermFact[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const f of facts) {
    const text = `\`${f.negated ? '!' : ''}${f.tag}\` is ${f.value} (${f.because})`;
    if (!seen.has(text)) {
      seen.add(text);
      parts.push(text);
    }
  }
  return parts.join('; ');
}

function falseReason(line: ConstraintComment, facts: readonly TermFact[], port: string): string {
  return `${line.text} is false for ${port}: ${describeTerms(facts)}`;
}

/** The file's own constraint as the go command uses it: the //go:build line, else the AND of the +build lines. */
export function effectiveConstraint(header: HeaderScan): Expr | undefined {
  if (header.goBuild.length === 1) return header.goBuild[0].parse.ok ? header.goBuild[0].parse.expr : undefined;
  if (header.goBuild.length > 1) return undefined;
  const parsed = header.plusBuild.flatMap((c) => (c.parse.ok ? [c.parse.expr] : []));
  if (parsed.length === 0) return undefined;
  return parsed.reduce((acc, y) => and(acc, y));
}

