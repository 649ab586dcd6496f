// Everything the server knows about one version of a document: the header
// scan, the lint findings of the constraints core, the module's go version
// and, once a target is known, the verdict for it. Hovers and code actions
// reuse the analysis the last diagnostics were computed from.

import {
  baseName,
  checkFile,
  evaluateFile,
  fileNameConstraint,
  findStrayConstraints,
  scanHeader,
  type BuildTarget,
  type ConstraintDiagnostic,
  type FileAnalysis,
  type FileVerdict,
  type HeaderScan,
  type Port,
  type StrayComment,
} from '../core/constraints';
import type { HostInfo } from '../core/go/target';
import { findGoModule, type GoModule } from './gomod';
import { forPort } from './target';
import { TextSnapshot } from './text';

/** File kinds whose build constraints the go command reads; .syso files are binary and have none. */
export const CONSTRAINED_EXTENSIONS: ReadonlySet<string> = new Set([
  '.go', '.s', '.S', '.sx', '.c', '.cc', '.cpp', '.cxx', '.h', '.hh', '.hpp', '.hxx', '.m', '.f', '.F', '.for', '.f90', '.swig', '.swigcxx',
]);

export function isConstrainedFile(fsPath: string): boolean {
  const name = baseName(fsPath);
  const dot = name.lastIndexOf('.');
  return dot > 0 && CONSTRAINED_EXTENSIONS.has(name.slice(dot));
}

export interface DocumentAnalysis {
  readonly uri: string;
  readonly version: number;
  /** File system path, or the URI's path for documents not on disk. */
  readonly path: string;
  readonly goSource: boolean;
  readonly snapshot: TextSnapshot;
  readonly file: FileAnalysis;
  readonly lint: readonly ConstraintDiagnostic[];
  /** Constraint lines after the package clause (Go files only); computed on first use, as few documents have any. */
  readonly strays: readonly StrayComment[];
  readonly module?: GoModule;
  readonly target?: BuildTarget;
  readonly verdict?: FileVerdict;
  readonly ports?: readonly Port[];
  readonly host?: HostInfo;
}

export interface AnalysisInputs {
  readonly target?: BuildTarget;
  readonly ports?: readonly Port[];
  readonly host?: HostInfo;
  /** Look up go.mod on disk (false for untitled documents). */
  readonly onDisk: boolean;
}

export function analyzeDocument(uri: string, version: number, path: string, text: string, inputs: AnalysisInputs): DocumentAnalysis {
  const snapshot = new TextSnapshot(text);
  const goSource = path.endsWith('.go');
  const header: HeaderScan = scanHeader(snapshot.bytes, { goSource, truncated: snapshot.truncated });
  const name = baseName(path);
  const file: FileAnalysis = { path, name, isTest: name.endsWith('_test.go'), nameConstraint: fileNameConstraint(name), header };
  const lint = checkFile(path, snapshot.bytes, { ports: inputs.ports, goSource });
  let verdict: FileVerdict | undefined;
  if (inputs.target && !header.incomplete) verdict = evaluateFile(file, inputs.target);
  let strays: StrayComment[] | undefined;
  return {
    uri,
    version,
    path,
    goSource,
    snapshot,
    file,
    lint,
    get strays() {
      strays ??= goSource ? findStrayConstraints(snapshot.bytes, header.commentRegionEnd) : [];
      return strays;
    },
    module: inputs.onDisk ? findGoModule(path) : undefined,
    target: inputs.target,
    verdict,
    ports: inputs.ports,
    host: inputs.host,
  };
}

/** The module's go version makes +build lines redundant from Go 1.17 on: every toolchain it admits reads //go:build. */
export function plusBuildObsolete(a: DocumentAnalysis): boolean {
  return a.module?.goMinor !== undefined && a.module.goMinor >= 17;
}

export interface BuildingPorts {
  readonly firstClass: readonly Port[];
  readonly others: readonly Port[];
}

/**
 * The working ports on which the file builds with the target's tags and, by
 * default, its cgo setting (cgo only where the port supports it). Undefined
 * until the target and the ports are known.
 */
export function buildingPorts(a: DocumentAnalysis, cgoFor?: (port: Port) => boolean): BuildingPorts | undefined {
  const { target, ports } = a;
  if (!target || !ports || a.file.header.incomplete) return undefined;
  const firstClass: Port[] = [];
  const others: Port[] = [];
  for (const port of ports) {
    if (port.broken) continue;
    const same = port.goos === target.goos && port.goarch === target.goarch;
    const t = same ? target : forPort(target, port, cgoFor?.(port));
    if (!evaluateFile(a.file, t).included) continue;
    (port.firstClass ? firstClass : others).push(port);
  }
  return { firstClass, others };
}
