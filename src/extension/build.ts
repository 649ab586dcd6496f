// goperf: Build…, Build Again and Save Last Build as Preset: the quick picks,
// presets from settings, the run with progress and cancel, compile errors in
// Problems, and each binary's size against the previous build of its preset.
import { stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import {
  checkFlag,
  checkFlagsForTarget,
  checkPreset,
  commonBuildFlags,
  describeSize,
  gcflagsChoices,
  planBuild,
  previousSize,
  appendSize,
  splitToolArgs,
  stripLdflags,
  usesGitDescribe,
  withGitDescribe,
  type BuildPreset,
  type GoDiagnostic,
  type SizeRecord,
} from '../core/go/build';
import { gitDescribe, listPackages, runBuild, type BuildRunResult } from '../core/go/buildRun';
import { parseNmSizes, sizeByPackage } from '../core/go/buildTools';
import { formatValue } from '../core/pprof/units';
import { runGo, type OutputStream } from '../core/go/runGo';
import { describeTarget, targetEnv, type TargetSpec } from '../core/go/target';
import { goPath } from './settings';
import type { TargetStore } from './target';
import { BuildTaskProvider } from './buildTasks';
import { CompilerDecisions } from './buildDecisions';
import { BuildCheck } from './buildCheck';
import { GoCommands } from './buildTools';
import { moduleFolder, readPresets } from './buildSettings';
import { refuseUntrustedBuild, reportGoNotFound } from './guards';

const lastBuildKey = 'goperf.build.last';
const sizesKey = 'goperf.build.sizes';
const customName = 'custom build';

/** What Build Again repeats: the preset as it was run (a copy, so later edits of settings do not change it). */
interface LastBuild {
  readonly preset: unknown;
  readonly folder: string;
}

export interface BuildOutcome {
  readonly result: BuildRunResult;
  /** One line per binary: path and size with its change. */
  readonly sizes: string[];
}

export class BuildController implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('goperf-build');
  private abort: AbortController | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    private readonly target: TargetStore,
  ) {}

  dispose(): void {
    // The go process group was started detached: stop it with the extension.
    this.abort?.abort();
    this.diagnostics.dispose();
  }

  get running(): boolean {
    return this.abort !== undefined;
  }

  reportPresetErrors = (errors: string[]): void => {
    for (const error of errors) this.log.error(`goperf.build.presets: ${error}`);
    const open = 'Open Settings';
    void vscode.window
      .showErrorMessage(`goperf: ${errors.length === 1 ? errors[0] : `${errors.length} build presets are invalid: ${errors.join(' | ')}`}`, open)
      .then((choice) => {
        if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'goperf.build.presets');
      });
  };

  /** goperf: Build… — a preset, or a new build chosen step by step. */
  async build(): Promise<void> {
    if (await refuseUntrustedBuild()) return;
    const folder = this.folderOrComplain();
    if (!folder) return;
    const presets = readPresets(folder, this.reportPresetErrors);
    let preset: BuildPreset | undefined;
    if (presets.length > 0) {
      type Item = vscode.QuickPickItem & { preset?: BuildPreset };
      for (;;) {
        const target = await this.currentTarget();
        if (!target) return;
        const quickPick = vscode.window.createQuickPick<Item>();
        quickPick.title = `goperf: Build for ${describeTarget(target)}`;
        quickPick.placeholder = 'A preset from goperf.build.presets, or a new build';
        quickPick.items = [
          ...presets.map((p) => ({ label: p.name, description: presetSummary(p), detail: p.output ? `→ ${p.output}` : undefined, preset: p })),
          { label: '', kind: vscode.QuickPickItemKind.Separator },
          { label: '$(add) New build…', description: 'choose packages, flags and output' },
        ];
        const step = await showStep(quickPick, target);
        if (step?.changeTarget) {
          await this.changeTarget();
          continue;
        }
        if (!step?.items.length) return;
        preset = step.items[0].preset;
        break;
      }
    }
    preset ??= await this.pickNewBuild(folder);
    if (!preset) return;
    await this.runWithUi(preset, folder);
  }

  /** goperf: Build Again — the last build, as it was run. */
  async buildAgain(): Promise<void> {
    if (await refuseUntrustedBuild()) return;
    const last = this.state.get<LastBuild>(lastBuildKey);
    const check = last ? checkPreset(last.preset) : undefined;
    const folder = last && vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === last.folder);
    if (!check?.preset || !folder) return this.build();
    // A preset is run as the settings define it now; a custom build as it was.
    const current = readPresets(folder, this.reportPresetErrors).find((p) => p.name === check.preset.name);
    await this.runWithUi(current ?? check.preset, folder);
  }

  /** goperf: Save Last Build as Preset… — into the workspace settings. */
  async saveLastAsPreset(): Promise<void> {
    const last = this.state.get<LastBuild>(lastBuildKey);
    const check = last ? checkPreset(last.preset) : undefined;
    if (!check?.preset) {
      void vscode.window.showInformationMessage('goperf: nothing built yet; run goperf: Build… first.');
      return;
    }
    const config = vscode.workspace.getConfiguration('goperf');
    const existing = config.get<unknown[]>('build.presets') ?? [];
    const names = new Set(existing.flatMap((p) => (typeof (p as { name?: unknown })?.name === 'string' ? [(p as { name: string }).name] : [])));
    const name = await vscode.window.showInputBox({
      title: 'goperf: Save Build Preset',
      prompt: 'A name for the preset (shown in goperf: Build… and as a task)',
      value: check.preset.name === customName ? '' : check.preset.name,
      validateInput: (text) => (text.trim() === '' ? 'Give the preset a name' : names.has(text.trim()) ? 'A preset with this name exists' : undefined),
    });
    if (name === undefined) return;
    const saved = { ...(last!.preset as object), name: name.trim() };
    await config.update('build.presets', [...existing, saved], vscode.ConfigurationTarget.Workspace);
    await this.state.update(lastBuildKey, { ...last, preset: saved });
    void vscode.window.showInformationMessage(`goperf: saved the build preset "${name.trim()}" in the workspace settings.`);
  }

  /** goperf: Compare Build Sizes… — the latest size of every preset's binaries; one opens its largest packages and symbols. */
  async compareSizes(): Promise<void> {
    // go tool nm runs the go command in the folder (a go.mod can name another toolchain to fetch and run).
    if (await refuseUntrustedBuild()) return;
    const folder = moduleFolder();
    const history = this.state.get<Record<string, SizeRecord[]>>(sizesKey, {});
    type Item = vscode.QuickPickItem & { path: string; bytes: number };
    const items: Item[] = Object.entries(history).flatMap(([key, records]) => {
      const latest = records.at(-1);
      if (!latest || !folder) return [];
      const [name, rel] = key.split('\u0000');
      const previous = previousSize(records.slice(0, -1), latest.port);
      return [
        {
          label: name,
          description: `${rel} · ${latest.port}`,
          detail: `${describeSize(latest.bytes, previous?.bytes)} · built ${new Date(latest.at).toLocaleString()}`,
          path: join(folder.uri.fsPath, rel),
          bytes: latest.bytes,
        },
      ];
    });
    if (items.length === 0) {
      void vscode.window.showInformationMessage('goperf: no build sizes yet; build a preset with goperf: Build… first.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      items.sort((a, b) => b.bytes - a.bytes),
      { title: 'goperf: Build Sizes', placeHolder: 'The latest build of each preset, largest first; pick one for its largest packages and symbols', matchOnDescription: true },
    );
    if (!picked || !folder) return;
    try {
      const run = await runGo(goPath(folder.uri), ['tool', 'nm', '-size', '-sort', 'size', picked.path], { cwd: folder.uri.fsPath });
      if (run.exitCode !== 0) throw new Error(`go tool nm ${picked.path} failed: ${run.stderr.trim() || `exit ${run.exitCode}`}`);
      const symbols = parseNmSizes(run.stdout);
      const width = 12;
      const row = (size: number, text: string) => `${formatValue(size, 'bytes').padStart(width)}  ${text}`;
      const report = [
        `${picked.path} (${picked.label}): ${formatValue((await stat(picked.path)).size, 'bytes')} on disk`,
        'Sizes from go tool nm -size -sort size (in memory: bss included, so they may add up to more than the file).',
        '',
        'Largest packages',
        ...sizeByPackage(symbols).slice(0, 30).map((p) => row(p.size, `${p.name} (${p.symbols} symbols)`)),
        '',
        'Largest symbols',
        ...symbols.slice(0, 50).map((sym) => row(sym.size, `${sym.type} ${sym.name}`)),
      ].join('\n');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: report, language: 'plaintext' }), { preview: true });
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Runs a preset: checks it against its target first, then builds. Used by
   * the commands and the task terminal; `onLine` receives go's output.
   */
  async execute(
    preset: BuildPreset,
    folder: vscode.WorkspaceFolder,
    hooks: { onCommand?: (line: string) => void; onLine?: (line: string, stream: OutputStream) => void; signal?: AbortSignal },
  ): Promise<BuildOutcome | { refused: string[] }> {
    const cwd = folder.uri.fsPath;
    if (usesGitDescribe(preset)) preset = withGitDescribe(preset, await gitDescribe(cwd));
    const workspaceTarget = await this.target.get();
    const plan = planBuild(preset, workspaceTarget, cwd);
    const ports = await this.target.ports().catch(() => undefined);
    const refused = checkFlagsForTarget(preset.flags, plan.target, ports);
    if (refused.length) return { refused };
    const result = await runBuild({ goPath: goPath(folder.uri), plan, signal: hooks.signal, onCommand: hooks.onCommand, onLine: hooks.onLine });
    const sizes: string[] = [];
    if (result.outcome === 'ok') {
      const history = { ...this.state.get<Record<string, SizeRecord[]>>(sizesKey, {}) };
      const port = `${plan.target.goos}/${plan.target.goarch}`;
      for (const artifact of result.artifacts) {
        const key = `${preset.name}\u0000${relative(cwd, artifact.path)}`;
        const previous = previousSize(history[key] ?? [], port);
        history[key] = appendSize(history[key] ?? [], { bytes: artifact.bytes, at: Date.now(), port });
        sizes.push(`${relative(cwd, artifact.path) || basename(artifact.path)}: ${describeSize(artifact.bytes, previous?.bytes)}`);
      }
      await this.state.update(sizesKey, history);
    }
    return { result, sizes };
  }

  private folderOrComplain(): vscode.WorkspaceFolder | undefined {
    const folder = moduleFolder();
    if (!folder) void vscode.window.showErrorMessage('goperf: open a folder with a Go module to build.');
    return folder;
  }

  private async runWithUi(preset: BuildPreset, folder: vscode.WorkspaceFolder): Promise<void> {
    if (this.abort) {
      void vscode.window.showWarningMessage('goperf: a build is already running; cancel it from its notification first.');
      return;
    }
    const abort = new AbortController();
    this.abort = abort;
    await this.state.update(lastBuildKey, { preset: presetToSetting(preset), folder: folder.uri.fsPath } satisfies LastBuild);
    try {
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `goperf: Building ${preset.name}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          progress.report({ message: 'compiling…' });
          return this.execute(preset, folder, {
            signal: abort.signal,
            onCommand: (line) => this.log.info(`Build "${preset.name}" in ${folder.uri.fsPath}:\n${line}`),
            onLine: (line, stream) => {
              if (stream === 'stderr') this.log.warn(line);
              else this.log.info(line);
              const header = /^# (\S+)/.exec(line);
              if (header) progress.report({ message: header[1] });
            },
          });
        },
      );
      if ('refused' in outcome) {
        for (const reason of outcome.refused) this.log.error(`Build "${preset.name}" refused: ${reason}`);
        const change = 'Change Build Target';
        void vscode.window.showErrorMessage(`goperf: cannot build "${preset.name}": ${outcome.refused.join('; ')}`, change).then((choice) => {
          if (choice === change) void vscode.commands.executeCommand('goperf.selectTarget');
        });
        return;
      }
      this.showResult(preset, outcome);
    } catch (error) {
      this.fail(error);
    } finally {
      if (this.abort === abort) this.abort = undefined;
    }
  }

  private showResult(preset: BuildPreset, { result, sizes }: BuildOutcome): void {
    this.showProblems(result.diagnostics);
    if (result.outcome === 'cancelled') {
      this.log.info(result.message);
      void vscode.window.showInformationMessage(`goperf: ${result.message}`);
      return;
    }
    if (result.outcome === 'failed') {
      this.log.error(result.message);
      const problems = 'Show Problems';
      const output = 'Show Output';
      const actions = result.diagnostics.length ? [problems, output] : [output];
      void vscode.window.showErrorMessage(`goperf: ${result.message}`, ...actions).then((choice) => {
        if (choice === problems) void vscode.commands.executeCommand('workbench.actions.view.problems');
        if (choice === output) this.log.show(true);
      });
      return;
    }
    for (const line of sizes) this.log.info(line);
    const summary = sizes.length ? sizes.join('; ') : result.message;
    this.log.info(`Build "${preset.name}" done. ${result.message}`);
    vscode.window.setStatusBarMessage(`$(tools) ${preset.name}: ${summary}`, 30_000);
    const copy = 'Copy Command Line';
    void vscode.window.showInformationMessage(`goperf: built ${preset.name} — ${summary}`, copy).then((choice) => {
      if (choice === copy) void vscode.env.clipboard.writeText(result.commandLine);
    });
  }

  /** Replaces the build problems with these compile errors. */
  showProblems(diagnostics: readonly GoDiagnostic[]): void {
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of diagnostics) {
      const position = new vscode.Position(Math.max(0, d.line - 1), Math.max(0, (d.column ?? 1) - 1));
      // An empty range: the editor underlines the word at the position.
      const diagnostic = new vscode.Diagnostic(new vscode.Range(position, position), d.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = d.package ? `go build ${d.package}` : 'go build';
      const list = byFile.get(d.file) ?? [];
      list.push(diagnostic);
      byFile.set(d.file, list);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  fail(error: unknown): void {
    if (reportGoNotFound(error, this.log)) return;
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(`Build failed to start: ${message}`);
    void vscode.window.showErrorMessage(`goperf: the build could not start: ${message}`);
  }

  /** The workspace's build target, or undefined after saying why it could not be read (no go, say). */
  private async currentTarget(): Promise<TargetSpec | undefined> {
    try {
      return await this.target.get();
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** The shared target picker (goperf.selectTarget); the build steps continue with whatever it leaves. */
  private async changeTarget(): Promise<void> {
    await vscode.commands.executeCommand('goperf.selectTarget');
  }

  /** The New build steps: packages, flags (with -X, extras), output; each step can change the shared target first. */
  private async pickNewBuild(folder: vscode.WorkspaceFolder): Promise<BuildPreset | undefined> {
    const cwd = folder.uri.fsPath;
    let packages: { patterns: string[]; mainNames: string[] } | undefined;
    let keptPackages: readonly string[] | undefined;
    let keptFlags: readonly string[] | undefined;
    for (;;) {
      const target = await this.currentTarget();
      if (!target) return undefined;
      if (!packages) {
        const step = await this.pickPackages(cwd, target, keptPackages);
        if (step === undefined) return undefined;
        if ('changeTarget' in step) {
          keptPackages = step.changeTarget;
          await this.changeTarget();
          continue;
        }
        packages = step;
      }
      const step = await this.pickFlags(target, keptFlags);
      if (step === undefined) return undefined;
      if ('changeTarget' in step) {
        keptFlags = step.changeTarget;
        await this.changeTarget();
        continue;
      }
      return this.pickOutput(packages, step.flags);
    }
  }

  /** The last step: where the binary goes; then the choices are checked as a preset. */
  private async pickOutput(packages: { patterns: string[]; mainNames: string[] }, flags: Record<string, unknown>): Promise<BuildPreset | undefined> {
    const raw: Record<string, unknown> = { name: customName, packages: packages.patterns, ...flags };
    const output = await vscode.window.showInputBox({
      title: 'goperf: Build (3/3): output',
      prompt: 'Where the binary goes, relative to the module folder (a folder when it ends in /). Empty: go\'s default.',
      value: packages.mainNames.length === 1 ? `bin/${packages.mainNames[0]}` : packages.mainNames.length > 1 ? 'bin/' : '',
    });
    if (output === undefined) return undefined;
    if (output.trim()) raw.output = output.trim();
    const check = checkPreset(raw);
    if (!check.preset) {
      void vscode.window.showErrorMessage(`goperf: ${check.errors.join('; ')}`);
      return undefined;
    }
    return check.preset;
  }

  /** The packages step; `keep` re-selects patterns picked before the target changed. */
  private async pickPackages(
    cwd: string,
    target: TargetSpec,
    keep: readonly string[] | undefined,
  ): Promise<{ patterns: string[]; mainNames: string[] } | { changeTarget: string[] } | undefined> {
    type Item = vscode.QuickPickItem & { pattern: string; mainName?: string };
    const quickPick = vscode.window.createQuickPick<Item>();
    quickPick.title = `goperf: Build (1/3): packages for ${describeTarget(target)}`;
    quickPick.placeholder = 'Packages to build (go list ./...)';
    quickPick.canSelectMany = true;
    let step: { items: readonly Item[]; changeTarget: boolean } | undefined;
    try {
      step = await showStep(quickPick, target, async () => {
        // The target's GOOS/GOARCH/tags decide which packages exist.
        const listed = await listPackages(goPath(vscode.Uri.file(cwd)), cwd, targetEnv(target));
        const activeDir = vscode.window.activeTextEditor ? dirname(vscode.window.activeTextEditor.document.uri.fsPath) : undefined;
        const items: Item[] = [
          { label: './...', description: 'every package of the module', pattern: './...' },
          ...listed
            .sort((a, b) => Number(b.isMain) - Number(a.isMain) || a.importPath.localeCompare(b.importPath))
            .map((p) => {
              const rel = relative(cwd, p.dir);
              const pattern = rel === '' ? '.' : `./${rel.split(sep).join('/')}`;
              return {
                label: pattern,
                description: p.importPath,
                detail: p.isMain ? '$(run) main package' : undefined,
                pattern,
                ...(p.isMain ? { mainName: basename(p.importPath) } : {}),
              };
            }),
        ];
        quickPick.items = items;
        if (keep) {
          quickPick.selectedItems = items.filter((i) => keep.includes(i.pattern));
          return;
        }
        const preferred =
          items.find((i) => activeDir && i.pattern !== './...' && activeDir === (i.pattern === '.' ? cwd : `${cwd}${sep}${i.pattern.slice(2)}`)) ??
          items.find((i) => i.mainName);
        quickPick.selectedItems = preferred ? [preferred] : [];
      }, 'Pick at least one package (Space checks it), then Enter');
    } catch (error) {
      this.fail(error);
      return undefined;
    }
    if (step?.changeTarget) return { changeTarget: step.items.map((i) => i.pattern) };
    if (!step?.items.length) return undefined;
    return { patterns: step.items.map((i) => i.pattern), mainNames: step.items.flatMap((i) => (i.mainName ? [i.mainName] : [])) };
  }

  /** The flags step; `keep` re-selects labels picked before the target changed. Refuses flags the target does not support. */
  private async pickFlags(
    target: TargetSpec,
    keep: readonly string[] | undefined,
  ): Promise<{ flags: Record<string, unknown> } | { changeTarget: string[] } | undefined> {
    type Item = vscode.QuickPickItem & { flag?: string; strip?: true; stamp?: true; gcflags?: readonly string[]; extras?: true };
    const unsupported = (flag: string) => checkFlagsForTarget([flag], target).find((e) => e.includes('not supported') || e.includes('needs cgo'));
    const items: Item[] = [
      ...commonBuildFlags.map(({ flag, detail }) => {
        const problem = unsupported(flag);
        return { label: flag, description: problem ? `$(warning) ${problem}` : detail, flag };
      }),
      { label: 'linker and compiler', kind: vscode.QuickPickItemKind.Separator },
      { label: '-ldflags=-s -w', description: 'strip the symbol table and DWARF', strip: true },
      { label: '-ldflags=-X importpath.name=value', description: 'stamp a variable (e.g. a version from git describe)', stamp: true },
      ...gcflagsChoices.map((c) => ({ label: c.label, description: c.detail, gcflags: c.gcflags })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: 'Other flags…', description: 'type more go build flags', extras: true },
    ];
    const quickPick = vscode.window.createQuickPick<Item>();
    quickPick.title = `goperf: Build (2/3): flags for ${describeTarget(target)}`;
    quickPick.placeholder = 'Select flags; Enter to accept (none is fine)';
    quickPick.canSelectMany = true;
    const step = await showStep(quickPick, target, () => {
      quickPick.items = items;
      if (keep) quickPick.selectedItems = items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator && keep.includes(i.label));
    });
    if (step?.changeTarget) return { changeTarget: step.items.map((i) => i.label) };
    if (!step) return undefined;
    const picked = step.items;
    const flags = picked.flatMap((i) => (i.flag ? [i.flag] : []));
    // With the port list the refusal can say where the sanitizer does run.
    const refused = checkFlagsForTarget(flags, target, await this.target.ports().catch(() => undefined));
    if (refused.length) {
      void vscode.window.showErrorMessage(`goperf: ${refused.join('; ')}`);
      return undefined;
    }
    const ldflags = picked.some((i) => i.strip) ? [...stripLdflags] : [];
    const gcflags = picked.flatMap((i) => i.gcflags ?? []);
    const ldflagsX: Record<string, string> = {};
    if (picked.some((i) => i.stamp)) {
      const description = await gitDescribe(moduleFolder()?.uri.fsPath ?? '.').catch(() => 'dev');
      const typed = await vscode.window.showInputBox({
        title: 'goperf: -X importpath.name=value',
        prompt: 'The string variable to set and its value (one definition)',
        value: `main.version=${description}`,
        validateInput: (text) => (/^[^\s=]+\.[^\s.=]+=/.test(text.trim()) ? undefined : 'Write importpath.name=value, e.g. main.version=1.2.0'),
      });
      if (typed === undefined) return undefined;
      const at = typed.trim().indexOf('=');
      ldflagsX[typed.trim().slice(0, at)] = typed.trim().slice(at + 1);
    }
    if (picked.some((i) => i.extras)) {
      const typed = await vscode.window.showInputBox({
        title: 'goperf: more go build flags',
        prompt: "Flags separated by spaces, values as -name=value ('…' keeps spaces together)",
        validateInput: (text) => {
          try {
            return splitToolArgs(text).map(checkFlag).find(Boolean);
          } catch (error) {
            return (error as Error).message;
          }
        },
      });
      if (typed === undefined) return undefined;
      flags.push(...splitToolArgs(typed));
    }
    return { flags: { flags, ldflags, ldflagsX, gcflags } };
  }
}

/**
 * Shows one step of goperf: Build… with a button that changes the shared
 * build target. Resolves the accepted items, the items selected when the
 * button was pressed (`changeTarget`), or undefined when dismissed; `load`
 * fills the list while the step shows as busy. With `required` (what to
 * say), an empty choice is not accepted.
 */
async function showStep<T extends vscode.QuickPickItem>(
  quickPick: vscode.QuickPick<T>,
  target: TargetSpec,
  load: () => Promise<void> | void = () => undefined,
  required?: string,
): Promise<{ items: readonly T[]; changeTarget: boolean } | undefined> {
  quickPick.buttons = [{ iconPath: new vscode.ThemeIcon('target'), tooltip: `Change the build target (${describeTarget(target)})` }];
  // A step in a series: looking elsewhere (or focus moving as the target changes) must not end the build.
  quickPick.ignoreFocusOut = true;
  // Listening before the list arrives: Escape or the button while loading end the step too.
  const result = new Promise<{ items: readonly T[]; changeTarget: boolean } | undefined>((resolve) => {
    quickPick.onDidTriggerButton(() => {
      resolve({ items: quickPick.selectedItems, changeTarget: true });
      quickPick.hide();
    });
    // Enter while the list still loads would accept an empty choice and end the build silently.
    // So would an empty choice where one is required; VS Code can even hand the step shown next
    // the Enter that closed the previous picker, with an empty selection.
    quickPick.onDidAccept(() => {
      if (quickPick.busy) return;
      if (required && quickPick.selectedItems.length === 0) {
        quickPick.placeholder = required;
        return;
      }
      resolve({ items: quickPick.selectedItems, changeTarget: false });
    });
    quickPick.onDidHide(() => resolve(undefined));
  });
  quickPick.busy = true;
  quickPick.show();
  try {
    await load();
    quickPick.busy = false;
    return await result;
  } finally {
    quickPick.dispose();
  }
}

/** `linux/arm64 · -race -trimpath`, for the preset list. */
function presetSummary(preset: BuildPreset): string {
  const parts: string[] = [];
  if (preset.goos || preset.goarch) parts.push(`${preset.goos ?? '(target)'}/${preset.goarch ?? '(target)'}`);
  parts.push(preset.packages.join(' '));
  if (preset.flags.length) parts.push(preset.flags.join(' '));
  if (preset.ldflags.length || Object.keys(preset.ldflagsX).length) parts.push('-ldflags');
  if (preset.gcflags.length) parts.push('-gcflags');
  return parts.join(' · ');
}

/** The preset in the shape of the setting, without empty fields. */
function presetToSetting(preset: BuildPreset): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(preset).filter(([, value]) => !(Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0)),
  );
}

export function registerBuild(context: vscode.ExtensionContext, services: { log: vscode.LogOutputChannel; target: TargetStore }): void {
  const controller = new BuildController(context.workspaceState, services.log, services.target);
  const decisions = new CompilerDecisions(services.log, services.target);
  const goCommands = new GoCommands(services.log, controller);
  const check = new BuildCheck(context.workspaceState, services.log, services.target, (error) => controller.fail(error));
  context.subscriptions.push(
    controller,
    decisions,
    check,
    vscode.window.registerTreeDataProvider('goperf.buildCheck', check),
    vscode.commands.registerCommand('goperf.checkTargets', () => check.run()),
    { dispose: () => goCommands.stop() },
    vscode.commands.registerCommand('goperf.goClean', () => goCommands.clean()),
    vscode.commands.registerCommand('goperf.modTidy', () => goCommands.mod('tidy')),
    vscode.commands.registerCommand('goperf.modVendor', () => goCommands.mod('vendor')),
    vscode.commands.registerCommand('goperf.listDependencies', () => goCommands.dependencies()),
    vscode.commands.registerCommand('goperf.moduleUpgrades', () => goCommands.upgrades()),
    vscode.commands.registerCommand('goperf.goInstall', () => goCommands.install()),
    vscode.commands.registerCommand('goperf.goRun', () => goCommands.runPackage()),
    vscode.commands.registerCommand('goperf.toggleCompilerDecisions', () => decisions.toggle()),
    vscode.commands.registerCommand('goperf.build', () => controller.build()),
    vscode.commands.registerCommand('goperf.buildAgain', () => controller.buildAgain()),
    vscode.commands.registerCommand('goperf.saveBuildPreset', () => controller.saveLastAsPreset()),
    vscode.commands.registerCommand('goperf.compareBuildSizes', () => controller.compareSizes()),
    vscode.tasks.registerTaskProvider('goperf', new BuildTaskProvider(controller)),
  );
}
