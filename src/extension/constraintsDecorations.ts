// Explorer decorations for Go files with build constraints: a badge and a
// tooltip on files restricted by their name (_windows, _arm64) or by
// constraint lines, and dimmed names for files the current target does not
// build. Only the file header is read, only when VS Code asks for the file,
// and the analysis is cached by modification time.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import {
  analyzeGoFile,
  evaluateFile,
  exprString,
  effectiveConstraint,
  type BuildTarget,
  type FileAnalysis,
  MAX_HEADER_BYTES,
} from '../core/constraints';
import type { TargetStore } from './target';

const firstRead = 64 * 1024;

/**
 * "⚙": the file has a build configuration of its own. One character that
 * reads as "settings/build" in every font the workbench uses, and unlike a
 * letter it cannot be mistaken for git's M/U/A/D/C badges next to it.
 */
const badge = '⚙';

interface CacheEntry {
  readonly mtimeMs: number;
  readonly size: number;
  readonly analysis: FileAnalysis;
}

async function analyze(path: string): Promise<FileAnalysis> {
  const handle = await fs.open(path, 'r');
  try {
    const buffer = Buffer.alloc(firstRead);
    const { bytesRead } = await handle.read(buffer, 0, firstRead, 0);
    const analysis = analyzeGoFile(path, buffer.subarray(0, bytesRead), { truncated: bytesRead === firstRead });
    if (!analysis.header.incomplete) return analysis;
    // Comments and imports longer than the first block: read on, but never an unbounded amount.
    const { size } = await handle.stat();
    if (size > MAX_HEADER_BYTES) throw new Error(`the header runs past ${MAX_HEADER_BYTES} bytes`);
    return analyzeGoFile(path, await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** What restricts the file, in a user's words ("builds only for windows", "//go:build linux && cgo"). */
export function restrictionSummary(analysis: FileAnalysis): string | undefined {
  const parts: string[] = [];
  const name = analysis.nameConstraint;
  if (name) {
    const port = [name.goos, name.goarch].filter(Boolean).join('/');
    parts.push(`builds only for ${port} (file name ${name.suffix})`);
  }
  const header = analysis.header;
  if (header.goBuild.length > 0) parts.push(header.goBuild.map((c) => c.text).join(', '));
  else if (header.plusBuild.length > 0) {
    const expr = effectiveConstraint(header);
    parts.push(header.plusBuild.map((c) => c.text).join(', ') + (expr ? ` (= ${exprString(expr)})` : ''));
  }
  return parts.length ? parts.join(' · ') : undefined;
}

export class ConstraintDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri | vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: TargetStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.go');
    const refresh = (uri: vscode.Uri) => {
      this.cache.delete(uri.fsPath);
      this.changed.fire(uri);
    };
    this.disposables.push(
      this.changed,
      watcher,
      watcher.onDidChange(refresh),
      watcher.onDidCreate(refresh),
      watcher.onDidDelete(refresh),
      // Saves inside the editor are seen here even where the watcher is slow or excluded.
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.uri.scheme === 'file' && d.uri.path.endsWith('.go')) refresh(d.uri);
      }),
      // Resolve the new target first, so files do not lose their decorations while go list runs.
      store.onDidChange(() => {
        void store.buildTarget().catch(() => undefined).then(() => this.changed.fire(undefined));
      }),
      vscode.window.registerFileDecorationProvider(this),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  async provideFileDecoration(uri: vscode.Uri, token: vscode.CancellationToken): Promise<vscode.FileDecoration | undefined> {
    if (uri.scheme !== 'file' || !uri.path.endsWith('.go')) return undefined;
    // Only files of the open folders: a stray .go file elsewhere has no target of ours.
    if (!vscode.workspace.getWorkspaceFolder(uri)) return undefined;
    let analysis: FileAnalysis;
    try {
      analysis = await this.analysis(uri.fsPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'EISDIR') {
        this.log.warn(`Build constraints of ${uri.fsPath} not read: ${error instanceof Error ? error.message : String(error)}`);
      }
      return undefined;
    }
    const summary = restrictionSummary(analysis);
    if (!summary || token.isCancellationRequested) return undefined;
    let target: BuildTarget;
    try {
      target = await this.store.buildTarget();
    } catch {
      // Without a resolved target the restriction is still worth showing.
      return new vscode.FileDecoration(badge, summary);
    }
    const verdict = evaluateFile(analysis, target);
    const port = `${target.goos}/${target.goarch}`;
    if (verdict.included) return new vscode.FileDecoration(badge, `${summary}\nbuilt for ${port}`);
    const decoration = new vscode.FileDecoration(
      badge,
      `${summary}\n${verdict.invalid ? 'invalid' : 'excluded'} for ${port}: ${verdict.reason}`,
      new vscode.ThemeColor('gitDecoration.ignoredResourceForeground'),
    );
    return decoration;
  }

  private async analysis(path: string): Promise<FileAnalysis> {
    const stat = await fs.stat(path);
    const cached = this.cache.get(path);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.analysis;
    const analysis = await analyze(path);
    this.cache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, analysis });
    return analysis;
  }
}
