// The implicit constraint of a file name (go/build goodOSArchFile):
// name_$GOOS, name_$GOARCH and name_$GOOS_$GOARCH, each optionally followed
// by _test, before the first dot.

import { and, tag, type Expr } from './expr';
import { KNOWN_ARCH, KNOWN_OS, tagTruth, type BuildTarget } from './platform';

export interface FileNameConstraint {
  readonly goos?: string;
  readonly goarch?: string;
  /** The suffix as written, e.g. "_linux_amd64". */
  readonly suffix: string;
  /** Where the suffix is in the base name (string indices). */
  readonly start: number;
  readonly end: number;
}

export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 ? path.slice(cut + 1) : path;
}

/** The go command skips these names before looking at their contents. */
export function isIgnoredFileName(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}

export function fileNameConstraint(fileName: string): FileNameConstraint | undefined {
  const name = baseName(fileName);
  const dot = name.indexOf('.');
  const stem = dot >= 0 ? name.slice(0, dot) : name;
  // Everything before the first '_' is the free part of the name: "linux.go" is not constrained.
  const underscore = stem.indexOf('_');
  if (underscore < 0) return undefined;
  const parts = stem.slice(underscore).split('_');
  let n = parts.length;
  let end = stem.length;
  if (parts[n - 1] === 'test') {
    n--;
    end -= '_test'.length;
  }
  if (n >= 2 && KNOWN_OS.has(parts[n - 2]) && KNOWN_ARCH.has(parts[n - 1])) {
    const start = end - parts[n - 1].length - parts[n - 2].length - 2;
    return { goos: parts[n - 2], goarch: parts[n - 1], suffix: name.slice(start, end), start, end };
  }
  if (n >= 1 && (KNOWN_OS.has(parts[n - 1]) || KNOWN_ARCH.has(parts[n - 1]))) {
    const start = end - parts[n - 1].length - 1;
    const word = parts[n - 1];
    const which = KNOWN_OS.has(word) ? { goos: word } : { goarch: word };
    return { ...which, suffix: name.slice(start, end), start, end };
  }
  return undefined;
}

/** The file-name constraint as an expression, to combine with the file's own constraint. */
export function fileNameExpr(c: FileNameConstraint): Expr {
  const os = c.goos !== undefined ? tag(c.goos, c.start, c.end) : undefined;
  const arch = c.goarch !== undefined ? tag(c.goarch, c.start, c.end) : undefined;
  if (os && arch) return and(os, arch);
  return (os ?? arch)!;
}

export interface FileNameMatch {
  readonly ok: boolean;
  readonly reason: string;
}

/** Tags named by a file suffix are matched like any tag, so _linux is fine on android and with -tags linux. */
export function matchFileName(c: FileNameConstraint, target: BuildTarget): FileNameMatch {
  const requirements: string[] = [];
  const failures: string[] = [];
  for (const [variable, value] of [['GOOS', c.goos], ['GOARCH', c.goarch]] as const) {
    if (value === undefined) continue;
    requirements.push(`${variable}=${value}`);
    const truth = tagTruth(target, value);
    if (!truth.value) failures.push(truth.because);
  }
  const needs = `file name suffix ${c.suffix} requires ${requirements.join(' and ')}`;
  return failures.length === 0
    ? { ok: true, reason: `${needs}, which holds` }
    : { ok: false, reason: `${needs}, but ${failures.join(' and ')}` };
}
