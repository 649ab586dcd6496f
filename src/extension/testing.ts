// The Testing view: benchmarks (and tests) of the workspace per package,
// file and function, with two run profiles: Run, and Profile, which writes
// any chosen set of CPU, memory, block, mutex profiles and an execution
// trace in the same `go test` run. Sub-benchmarks appear under their
// function once they have run. Every run is recorded in the benchmark
// history (results.ts), so the CodeLens shows it beside the code.
import { promises as fs } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { belongsTo } from '../core/bench/lens';
import type { BenchOutput } from '../core/bench/parse';
import { formatMeasurements, summarizeResults } from '../core/bench/summary';
import { profileKinds, runGoTest, type GoTestRunResult, type ProfileKind } from '../core/go/bench';
import { findTestingFunctions, isGoTestFile } from '../core/go/benchmarks';
import type { BenchState } from './benchCodeLens';
import { targetRunOptions, withTagArgs } from './benchCommands';
import { reportGoNotFound } from './guards';
import { profileEditorViewType } from './profileEditor';
import type { BenchResults } from './results';
import { benchSettings, goPath } from './settings';
import type { TargetStore } from './target';

export const testControllerId = 'goperf';

type ItemData =
  | { type: 'package'; dir: string }
  | { type: 'file'; dir: string; uri: vscode.Uri }
  | { type: 'function'; dir: string; uri: vscode.Uri; kind: 'benchmark' | 'test'; name: string }
  | { type: 'sub'; parent: vscode.TestItem };

export interface BenchTesting {
  /** Cancels running go test processes and waits until they are gone. */
  stop(): Promise<void>;
}

/**
 * vscode-go lists tests in its own Testing view tree when it is installed
 * and enabled (it activates in the same Go workspaces goperf does) and its
 * `go.testExplorer.enable` is not false; goperf then lists only benchmarks,
 * which its Run/Profile profiles add to (several profiles in one run).
 */
export function goExtensionListsTests(): boolean {
  const goExtension = vscode.extensions.getExtension('golang.go');
  return goExtension !== undefined && vscode.workspace.getConfiguration('go').get<boolean>('testExplorer.enable', true) !== false;
}

function chosenProfiles(scope?: vscode.Uri): ProfileKind[] {
  const configured = vscode.workspace.getConfiguration('goperf', scope).get<string[]>('bench.profiles', ['cpu', 'mem']);
  const kinds = profileKinds.filter((kind) => configured.includes(kind));
  return kinds.length > 0 ? kinds : ['cpu'];
}

interface PackageRun {
  dir: string;
  uri: vscode.Uri;
  benchmarks: Map<string, vscode.TestItem>;
  tests: Map<string, vscode.TestItem>;
}

class TestingController implements BenchTesting, vscode.Disposable {
  private readonly controller = vscode.tests.createTestController(testControllerId, 'goperf benchmarks');
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly disposables: vscode.Disposable[] = [];
  private discovered = false;
  private showTests = !goExtensionListsTests();
  private readonly running = new Set<{ abort: AbortController; done: Promise<void> }>();
  private readonly profileProfile: vscode.TestRunProfile;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly state: BenchState,
    private readonly target: TargetStore,
    private readonly results: BenchResults,
    private readonly storageDir: vscode.Uri,
  ) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discoverAll();
    };
    this.controller.refreshHandler = async () => {
      this.discovered = false;
      await this.discoverAll();
    };
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token, false), true);
    this.profileProfile = this.controller.createRunProfile(
      this.profileLabel(),
      vscode.TestRunProfileKind.Run,
      (request, token) => this.run(request, token, true),
      false,
    );
    this.profileProfile.configureHandler = () => void this.chooseProfiles();

    const watcher = vscode.workspace.createFileSystemWatcher('**/*_test.go');
    const reread = (uri: vscode.Uri) => {
      if (this.discovered) void this.readFile(uri);
    };
    this.disposables.push(
      this.controller,
      watcher,
      watcher.onDidCreate(reread),
      watcher.onDidChange(reread),
      watcher.onDidDelete((uri) => this.discovered && this.updateFile(uri, '')),
      // Open test files are listed at once (gutter buttons, Run Test at Cursor); the
      // whole workspace only when the Testing view asks.
      vscode.workspace.onDidOpenTextDocument((document) => this.readDocument(document)),
      vscode.workspace.onDidChangeTextDocument(({ document }) => this.readDocument(document)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('goperf.bench.profiles')) this.profileProfile.label = this.profileLabel();
        if (event.affectsConfiguration('go.testExplorer.enable')) this.reconsiderTests();
      }),
      vscode.extensions.onDidChange(() => this.reconsiderTests()),
    );
    for (const document of vscode.workspace.textDocuments) this.readDocument(document);
  }

  private readDocument(document: vscode.TextDocument): void {
    if (document.uri.scheme === 'file' && isGoTestFile(document.uri.path)) this.updateFile(document.uri, document.getText());
  }

  private profileLabel(): string {
    return `Profile (${chosenProfiles().join(', ')})`;
  }

  private async chooseProfiles(): Promise<void> {
    const current = chosenProfiles();
    const descriptions: Record<ProfileKind, string> = {
      cpu: '-cpuprofile: where CPU time goes',
      mem: '-memprofile: allocations',
      block: '-blockprofile: where goroutines wait on channels and locks',
      mutex: '-mutexprofile: contended mutexes',
      trace: '-trace: execution trace',
    };
    const picked = await vscode.window.showQuickPick(
      profileKinds.map((kind) => ({ label: kind, description: descriptions[kind], picked: current.includes(kind) })),
      { canPickMany: true, placeHolder: 'What the Profile run captures (all in one go test run)' },
    );
    if (!picked || picked.length === 0) return;
    await vscode.workspace.getConfiguration('goperf').update(
      'bench.profiles',
      picked.map((item) => item.label),
      vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
    );
  }

  private reconsiderTests(): void {
    const showTests = !goExtensionListsTests();
    if (showTests === this.showTests) return;
    this.showTests = showTests;
    this.controller.items.replace([]);
    for (const document of vscode.workspace.textDocuments) this.readDocument(document);
    if (this.discovered) {
      this.discovered = false;
      void this.discoverAll();
    }
  }

  private async discoverAll(): Promise<void> {
    if (this.discovered) return;
    this.discovered = true;
    const files = await vscode.workspace.findFiles('**/*_test.go', '**/{vendor,node_modules,testdata,.git}/**', 10_000);
    await Promise.all(files.map((uri) => this.readFile(uri)));
  }

  private async readFile(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    try {
      text = open ? open.getText() : await fs.readFile(uri.fsPath, 'utf8');
    } catch {
      text = ''; // deleted meanwhile
    }
    this.updateFile(uri, text);
  }

  private packageItem(dir: string): vscode.TestItem {
    const id = `pkg:${dir}`;
    let item = this.controller.items.get(id);
    if (!item) {
      const uri = vscode.Uri.file(dir);
      const label = vscode.workspace.asRelativePath(uri, true);
      item = this.controller.createTestItem(id, label === dir ? basename(dir) : label, uri);
      this.data.set(item, { type: 'package', dir });
      this.controller.items.add(item);
    }
    return item;
  }

  /** Replaces the functions listed for a file; an empty text removes it. */
  private updateFile(uri: vscode.Uri, text: string): void {
    const dir = dirname(uri.fsPath);
    const functions = findTestingFunctions(text).filter((f) => f.kind === 'benchmark' || this.showTests);
    const packageId = `pkg:${dir}`;
    const existingPackage = this.controller.items.get(packageId);
    if (functions.length === 0) {
      existingPackage?.children.delete(uri.toString());
      if (existingPackage && existingPackage.children.size === 0) this.controller.items.delete(packageId);
      return;
    }
    const pkg = this.packageItem(dir);
    let file = pkg.children.get(uri.toString());
    if (!file) {
      file = this.controller.createTestItem(uri.toString(), basename(uri.fsPath), uri);
      this.data.set(file, { type: 'file', dir, uri });
      pkg.children.add(file);
    }
    const items = functions.map(({ name, line, kind }) => {
      const id = `${uri.toString()}#${name}`;
      // Keep an existing item: it holds the sub-benchmarks found by earlier runs.
      const item = file.children.get(id) ?? this.controller.createTestItem(id, name, uri);
      item.range = new vscode.Range(line, 0, line, 0);
      this.data.set(item, { type: 'function', dir, uri, kind, name });
      return item;
    });
    file.children.replace(items);
  }

  /** The selected functions, grouped by package: go test takes profile flags for one package at a time. */
  private collect(request: vscode.TestRunRequest): PackageRun[] {
    const excluded = new Set((request.exclude ?? []).map((item) => item.id));
    const packages = new Map<string, PackageRun>();
    const add = (item: vscode.TestItem) => {
      if (excluded.has(item.id)) return;
      const data = this.data.get(item);
      if (!data) return;
      if (data.type === 'sub') return add(data.parent);
      if (data.type !== 'function') {
        item.children.forEach(add);
        return;
      }
      let group = packages.get(data.dir);
      if (!group) packages.set(data.dir, (group = { dir: data.dir, uri: data.uri, benchmarks: new Map(), tests: new Map() }));
      (data.kind === 'benchmark' ? group.benchmarks : group.tests).set(data.name, item);
    };
    if (request.include) request.include.forEach(add);
    else this.controller.items.forEach(add);
    return [...packages.values()];
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken, withProfiles: boolean): Promise<void> {
    await this.discoverAll();
    const groups = this.collect(request);
    if (groups.length === 0) return;
    const busy = this.state.runningLabel();
    if (busy) {
      void vscode.window.showWarningMessage(`${busy} is still running; benchmarks run one at a time so their timings do not disturb each other.`);
      return;
    }
    const target = await targetRunOptions(this.target);
    if (!target) return;
    // go test reads the files on disk.
    await Promise.all(
      vscode.workspace.textDocuments.filter((d) => d.isDirty && isGoTestFile(d.uri.path) && groups.some((g) => dirname(d.uri.fsPath) === g.dir)).map((d) => d.save()),
    );

    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    const run = this.controller.createTestRun(request);
    let finish!: () => void;
    const entry = { abort, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.running.add(entry);
    const first = groups[0];
    const label = `${groups.length === 1 ? vscode.workspace.asRelativePath(first.dir) : `${groups.length} packages`} (Testing view)`;
    this.state.setRunning(first.uri, first.benchmarks.keys().next().value ?? '', label, () => abort.abort());
    let opened = false;
    try {
      for (const group of groups) for (const item of [...group.benchmarks.values(), ...group.tests.values()]) run.enqueued(item);
      for (const group of groups) {
        const items = [...group.benchmarks.values(), ...group.tests.values()];
        if (abort.signal.aborted) {
          for (const item of items) run.skipped(item);
          continue;
        }
        for (const item of items) run.started(item);
        const result = await this.runPackage(run, group, withProfiles ? chosenProfiles(group.uri) : [], target, abort.signal);
        if (!result) {
          for (const item of items) run.errored(item, new vscode.TestMessage('go test could not start; see the goperf output'));
          continue;
        }
        this.report(run, group, result);
        if (!opened && withProfiles) opened = await this.openProfile(result);
      }
    } finally {
      run.end();
      cancel.dispose();
      this.state.clearRunning();
      this.running.delete(entry);
      finish();
    }
  }

  private async runPackage(
    run: vscode.TestRun,
    group: PackageRun,
    profiles: ProfileKind[],
    target: { env?: Record<string, string>; tagArgs: string[] },
    signal: AbortSignal,
  ): Promise<GoTestRunResult | undefined> {
    const settings = withTagArgs(benchSettings(group.uri), target.tagArgs);
    const benchmarks = [...group.benchmarks.keys()];
    const tests = [...group.tests.keys()];
    const go = goPath(group.uri);
    const runId = benchmarks.length > 0 ? await this.results.begin({ packageDir: group.dir, benchmarks, count: settings.count, goPath: go, env: target.env }) : undefined;
    const label = benchmarks.length + tests.length === 1 ? [...benchmarks, ...tests][0] : basename(group.dir);
    try {
      const result = await runGoTest({
        goPath: go,
        packageDir: group.dir,
        storageDir: this.storageDir.fsPath,
        benchmarks,
        tests,
        profiles,
        label,
        ...settings,
        env: target.env,
        signal,
        onCommand: (commandLine) => {
          this.log.info(`Running in ${group.dir}: ${commandLine}`);
          run.appendOutput(`$ ${commandLine}\r\n`);
        },
        onLine: (line) => run.appendOutput(`${line}\r\n`),
      });
      await this.results.finish(runId, result);
      if (result.message) run.appendOutput(`goperf: ${result.message}\r\n`);
      for (const profile of result.profiles) run.appendOutput(`goperf: ${profile.kind} ${profile.kind === 'trace' ? 'trace' : 'profile'} written to ${profile.path}\r\n`);
      return result;
    } catch (error) {
      await this.results.finish(runId, { error: error as Error });
      const message = (error as Error).message;
      run.appendOutput(`goperf: ${message}\r\n`);
      if (!reportGoNotFound(error, this.log)) this.log.error(message);
      return undefined;
    }
  }

  private subItem(parent: vscode.TestItem, fullName: string, functionName: string): vscode.TestItem {
    const id = `${parent.id}/${fullName.slice(functionName.length + 1)}`;
    let child = parent.children.get(id);
    if (!child) {
      child = this.controller.createTestItem(id, fullName.slice(functionName.length + 1), parent.uri);
      child.range = parent.range;
      this.data.set(child, { type: 'sub', parent });
      parent.children.add(child);
    }
    return child;
  }

  /** Each item's verdict from the parsed output; the run's own failure for those without one. */
  private report(run: vscode.TestRun, group: PackageRun, result: GoTestRunResult): void {
    const { output } = result;
    const location = (item: vscode.TestItem) => (item.uri && item.range ? new vscode.Location(item.uri, item.range) : undefined);
    const failureOf = (item: vscode.TestItem) => {
      const message = new vscode.TestMessage(result.message || `go test ended: ${result.outcome}`);
      const where = location(item);
      if (where) message.location = where;
      return message;
    };
    const verdict = (item: vscode.TestItem, name: string, output: BenchOutput): boolean => {
      const report = output.reports.find((r) => r.name === name);
      if (!report) return false;
      if (report.kind === 'pass') run.passed(item);
      else if (report.kind === 'skip') run.skipped(item);
      else {
        const message = new vscode.TestMessage(report.messages.join('\n') || `${name} failed`);
        const where = location(item);
        if (where) message.location = where;
        run.failed(item, message);
      }
      return true;
    };
    const unresolved = (item: vscode.TestItem) => (result.outcome === 'cancelled' ? run.skipped(item) : run.errored(item, failureOf(item)));

    for (const [name, item] of group.benchmarks) {
      const own = output.results.filter((r) => belongsTo(r, name));
      const subs = [...new Set(own.map((r) => r.name).filter((n) => n !== name))];
      for (const sub of subs) {
        const child = this.subItem(item, sub, name);
        if (!verdict(child, sub, output)) run.passed(child);
      }
      for (const summary of summarizeResults(own)) {
        run.appendOutput(`goperf: ${summary.label}: ${formatMeasurements(summary.measurements)}\r\n`, location(item), item);
      }
      if (verdict(item, name, output)) continue;
      // A failed sub-benchmark fails its function too (go test prints a --- FAIL for both).
      if (own.length > 0) run.passed(item);
      else unresolved(item);
    }
    for (const [name, item] of group.tests) {
      if (!verdict(item, name, output)) unresolved(item);
    }
  }

  /** Opens the first pprof profile of the run beside the code; traces are listed in the output. */
  private async openProfile(result: GoTestRunResult): Promise<boolean> {
    const profile = result.profiles.find((p) => p.kind !== 'trace');
    if (!profile) return false;
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(profile.path), profileEditorViewType, vscode.ViewColumn.Beside);
    return true;
  }

  async stop(): Promise<void> {
    const entries = [...this.running];
    for (const entry of entries) entry.abort.abort();
    await Promise.all(entries.map((entry) => entry.done));
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** The controller exists only in trusted workspaces: in Restricted Mode nothing is listed or run. */
export function registerTesting(
  context: vscode.ExtensionContext,
  deps: { log: vscode.LogOutputChannel; state: BenchState; target: TargetStore; results: BenchResults },
): BenchTesting {
  let testing: TestingController | undefined;
  const create = () => {
    testing ??= new TestingController(deps.log, deps.state, deps.target, deps.results, context.storageUri ?? context.globalStorageUri);
    context.subscriptions.push(testing);
  };
  if (vscode.workspace.isTrusted) create();
  else context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(create));
  return { stop: async () => testing?.stop() };
}
