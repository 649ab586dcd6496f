// The other go commands: clean caches, mod tidy/vendor, a package's
// dependencies, module upgrades (go get), install (with a GOBIN choice) and
// run (with arguments). Each shows its command line and output in the
// goperf channel, runs with progress and cancel, and puts compile errors in
// Problems.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parseBuildOutput, splitToolArgs } from '../core/go/build';
import { listPackages } from '../core/go/buildRun';
import { cacheKinds, cleanArgs, getArgs, parseDependencies, parseModuleUpgrades, runArgs } from '../core/go/buildTools';
import { formatCommandLine, runGo, type RunGoResult } from '../core/go/runGo';
import type { BuildController } from './build';
import { moduleFolder } from './buildSettings';
import { refuseUntrustedBuild } from './guards';
import { goPath } from './settings';

export class GoCommands {
  private abort: AbortController | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly controller: BuildController,
  ) {}

  stop(): void {
    this.abort?.abort();
  }

  async clean(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const picked = await vscode.window.showQuickPick(
      cacheKinds.map((c) => ({ label: c.label, description: `-${c.kind}`, detail: c.detail, cache: c })),
      { title: 'goperf: Clean Go Caches', placeHolder: 'Which cache to clean' },
    );
    if (!picked) return;
    if (picked.cache.destructive) {
      const yes = `Delete the ${picked.label}`;
      const answer = await vscode.window.showWarningMessage(`${picked.cache.detail}. Continue?`, { modal: true }, yes);
      if (answer !== yes) return;
    }
    await this.run(folder, cleanArgs(picked.cache.kind), `cleaned the ${picked.label.toLowerCase()}`);
  }

  async mod(command: 'tidy' | 'vendor'): Promise<void> {
    const folder = await this.folder();
    if (folder) await this.run(folder, ['mod', command], command === 'tidy' ? 'go.mod and go.sum are tidy' : 'vendored the dependencies');
  }

  async dependencies(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const pkg = await this.pickPackage(folder, false);
    if (!pkg) return;
    const result = await this.run(folder, ['list', '-deps', '-json', pkg.pattern], undefined, { quiet: true });
    if (!result) return;
    const deps = parseDependencies(result.stdout, pkg.importPath);
    this.log.info(`${pkg.importPath} depends on ${deps.length} packages:\n${deps.map((d) => `  ${d.importPath}${d.module ? ` (${d.module})` : ''}`).join('\n')}`);
    const picked = await vscode.window.showQuickPick(
      deps.map((d) => ({ label: d.importPath, description: d.standard ? 'standard library' : d.module, dep: d })),
      { title: `goperf: ${deps.length} dependencies of ${pkg.importPath}`, placeHolder: 'Open a dependency\'s source', matchOnDescription: true },
    );
    if (picked?.dep.firstFile) await vscode.window.showTextDocument(vscode.Uri.file(join(picked.dep.dir, picked.dep.firstFile)), { preview: true });
  }

  async upgrades(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const result = await this.run(folder, ['list', '-m', '-u', '-json', 'all'], undefined, { quiet: true });
    if (!result) return;
    const upgrades = parseModuleUpgrades(result.stdout);
    if (upgrades.length === 0) {
      void vscode.window.showInformationMessage('goperf: every module is at its newest version.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      upgrades.map((u) => ({ label: u.path, description: `${u.version} → ${u.update}${u.indirect ? ' · indirect' : ''}`, upgrade: u })),
      { title: `goperf: ${upgrades.length} module upgrades available`, placeHolder: 'Select the modules to upgrade with go get', canPickMany: true },
    );
    if (!picked?.length) return;
    await this.run(folder, getArgs(picked.map((p) => p.upgrade)), `upgraded ${picked.map((p) => `${p.upgrade.path}@${p.upgrade.update}`).join(', ')}`);
  }

  async install(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const pkg = await this.pickPackage(folder, true);
    if (!pkg) return;
    const env = await runGo(goPath(folder.uri), ['env', 'GOBIN', 'GOPATH'], { cwd: folder.uri.fsPath }).catch((error: unknown) => {
      this.controller.fail(error);
      return undefined;
    });
    if (!env) return;
    const [gobin, gopath] = env.stdout.split('\n');
    const defaultDir = gobin || join(gopath.split(process.platform === 'win32' ? ';' : ':')[0], 'bin');
    const choice = await vscode.window.showQuickPick(
      [
        { label: 'The default folder', description: defaultDir, dir: undefined as string | undefined },
        { label: 'Choose a folder…', description: 'sets GOBIN for this install', dir: '' },
      ],
      { title: `goperf: go install ${pkg.importPath}`, placeHolder: 'Where the binary goes' },
    );
    if (!choice) return;
    let gobinChoice = choice.dir;
    if (gobinChoice === '') {
      const chosen = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, openLabel: 'Install here' });
      if (!chosen?.[0]) return;
      gobinChoice = chosen[0].fsPath;
    }
    await this.run(folder, ['install', pkg.pattern], `installed ${pkg.importPath} into ${gobinChoice ?? defaultDir}`, gobinChoice ? { env: { GOBIN: gobinChoice } } : {});
  }

  async runPackage(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const pkg = await this.pickPackage(folder, true);
    if (!pkg) return;
    const typed = await vscode.window.showInputBox({
      title: `goperf: go run ${pkg.pattern}`,
      prompt: "The program's arguments, separated by spaces ('…' or \"…\" keeps spaces together)",
      validateInput: (text) => {
        try {
          splitToolArgs(text);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (typed === undefined) return;
    this.log.show(true);
    await this.run(folder, runArgs(pkg.pattern, splitToolArgs(typed)), `${pkg.importPath} exited`);
  }

  private async folder(): Promise<vscode.WorkspaceFolder | undefined> {
    if (await refuseUntrustedBuild()) return undefined;
    const folder = moduleFolder();
    if (!folder) void vscode.window.showErrorMessage('goperf: open a folder with a Go module first.');
    if (folder && this.abort) {
      void vscode.window.showWarningMessage('goperf: a go command is still running; cancel it from its notification first.');
      return undefined;
    }
    return folder;
  }

  private async pickPackage(folder: vscode.WorkspaceFolder, mainOnly: boolean): Promise<{ pattern: string; importPath: string } | undefined> {
    let packages;
    try {
      packages = await listPackages(goPath(folder.uri), folder.uri.fsPath);
    } catch (error) {
      this.controller.fail(error);
      return undefined;
    }
    const offered = packages.filter((p) => !mainOnly || p.isMain);
    if (offered.length === 0) {
      void vscode.window.showErrorMessage(`goperf: this module has no ${mainOnly ? 'main ' : ''}packages.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      offered.map((p) => {
        const rel = vscode.workspace.asRelativePath(p.dir, false);
        const pattern = p.dir === folder.uri.fsPath ? '.' : `./${rel}`;
        return { label: pattern, description: p.importPath, pattern, importPath: p.importPath };
      }),
      { placeHolder: mainOnly ? 'The main package' : 'The package' },
    );
    return picked && { pattern: picked.pattern, importPath: picked.importPath };
  }

  /**
   * Runs one go command with progress and cancel. Output streams to the
   * channel (unless quiet: then only stderr); compile errors go to Problems.
   */
  private async run(
    folder: vscode.WorkspaceFolder,
    args: string[],
    success: string | undefined,
    options: { env?: Record<string, string>; quiet?: boolean } = {},
  ): Promise<RunGoResult | undefined> {
    const go = goPath(folder.uri);
    const cwd = folder.uri.fsPath;
    const commandLine = [...Object.entries(options.env ?? {}).map(([k, v]) => formatCommandLine(`${k}=${v}`, [])), formatCommandLine(go, args)].join(' ');
    this.log.info(`In ${cwd}:\n${commandLine}`);
    const abort = new AbortController();
    this.abort = abort;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `goperf: go ${args.slice(0, 2).join(' ')}`, cancellable: true },
        (_, token) => {
          token.onCancellationRequested(() => abort.abort());
          return runGo(go, args, {
            cwd,
            env: options.env,
            signal: abort.signal,
            onLine: (line, stream) => {
              if (stream === 'stderr') this.log.warn(line);
              else if (!options.quiet) this.log.info(line);
            },
          });
        },
      );
      this.controller.showProblems(parseBuildOutput(result.stderr, cwd).diagnostics);
      if (result.cancelled) {
        void vscode.window.showInformationMessage(`goperf: ${commandLine} was cancelled.`);
        return undefined;
      }
      if (result.exitCode !== 0) {
        const reason = result.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${result.exitCode ?? result.signal}`;
        this.log.error(`go ${args[0]} failed: ${reason}`);
        const output = 'Show Output';
        void vscode.window.showErrorMessage(`goperf: go ${args[0]} failed: ${reason}`, output).then((choice) => {
          if (choice === output) this.log.show(true);
        });
        return undefined;
      }
      if (success) {
        this.log.info(`Done: ${success}`);
        vscode.window.setStatusBarMessage(`$(check) goperf: ${success}`, 10_000);
      }
      return result;
    } catch (error) {
      this.controller.fail(error);
      return undefined;
    } finally {
      if (this.abort === abort) this.abort = undefined;
    }
  }
}
