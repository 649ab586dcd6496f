// Tasks of type "goperf": one per build preset, in the Build group, usable
// from tasks.json and as the default build task. The task runs the same
// build as the command (checks, temporary output, size history) in a
// terminal of its own; locations are printed with absolute paths, so the
// `$goperf-go` problem matcher finds the files whatever folder go ran in.
import * as vscode from 'vscode';
import { locationLine, type BuildPreset } from '../core/go/build';
import { GoNotFoundError } from '../core/go/runGo';
import { resolve } from 'node:path';
import type { BuildController } from './build';
import { moduleFolder, readPresets } from './buildSettings';

interface GoperfTaskDefinition extends vscode.TaskDefinition {
  readonly type: 'goperf';
  readonly preset: string;
}

function isDefinition(value: vscode.TaskDefinition): value is GoperfTaskDefinition {
  return value.type === 'goperf' && typeof value.preset === 'string';
}

export class BuildTaskProvider implements vscode.TaskProvider {
  constructor(private readonly controller: BuildController) {}

  provideTasks(): vscode.Task[] {
    // Restricted Mode: VS Code runs no tasks, and goperf offers none.
    if (!vscode.workspace.isTrusted) return [];
    const folder = moduleFolder();
    if (!folder) return [];
    return readPresets(folder, () => undefined).map((preset) => this.task({ type: 'goperf', preset: preset.name }, folder, preset));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    if (!isDefinition(task.definition)) return undefined;
    const scope = task.scope;
    const folder = typeof scope === 'object' && 'uri' in scope ? scope : moduleFolder();
    if (!folder) return undefined;
    // The definition object must be the one VS Code passed in.
    return this.task(task.definition, folder, undefined);
  }

  private task(definition: GoperfTaskDefinition, folder: vscode.WorkspaceFolder, preset: BuildPreset | undefined): vscode.Task {
    const task = new vscode.Task(
      definition,
      folder,
      definition.preset,
      'goperf',
      new vscode.CustomExecution(async () => new BuildTerminal(this.controller, definition.preset, folder)),
      ['$goperf-go'],
    );
    task.group = vscode.TaskGroup.Build;
    if (preset) task.detail = `go build ${[...preset.flags, ...preset.packages].join(' ')}${preset.output ? ` → ${preset.output}` : ''}`;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, clear: true };
    return task;
  }
}

/** Runs one preset build and shows go's output with absolute locations. */
class BuildTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private readonly abort = new AbortController();

  constructor(
    private readonly controller: BuildController,
    private readonly presetName: string,
    private readonly folder: vscode.WorkspaceFolder,
  ) {}

  open(): void {
    void this.run().then(
      (code) => this.finish(code),
      (error: unknown) => {
        this.print(error instanceof GoNotFoundError ? error.message : `The build could not start: ${(error as Error).message}`);
        this.finish(1);
      },
    );
  }

  /**
   * The workbench hands terminal data to the problem matcher asynchronously;
   * closing in the same tick as the last write can end the task before the
   * matcher has seen the error lines.
   */
  private finish(code: number): void {
    setTimeout(() => this.closed.fire(code), 250);
  }

  close(): void {
    this.abort.abort();
  }

  private print(text: string): void {
    this.written.fire(`${text.replace(/\r?\n/g, '\r\n')}\r\n`);
  }

  private async run(): Promise<number> {
    if (!vscode.workspace.isTrusted) {
      this.print('goperf does not build in Restricted Mode: trust this folder (Workspaces: Manage Workspace Trust) to build.');
      return 1;
    }
    const problems: string[] = [];
    const preset = readPresets(this.folder, (errors) => problems.push(...errors)).find((p) => p.name === this.presetName);
    if (!preset) {
      this.print(`No valid build preset named "${this.presetName}" in goperf.build.presets.${problems.length ? `\n${problems.join('\n')}` : ''}`);
      return 1;
    }
    const cwd = this.folder.uri.fsPath;
    const outcome = await this.controller.execute(preset, this.folder, {
      signal: this.abort.signal,
      onCommand: (line) => this.print(`${line}\n`),
      onLine: (line) => {
        const m = locationLine.exec(line);
        this.print(m ? `${resolve(cwd, m[1])}${line.slice(m[1].length)}` : line);
      },
    });
    if ('refused' in outcome) {
      this.print(outcome.refused.map((reason) => `refused: ${reason}`).join('\n'));
      return 1;
    }
    const { result, sizes } = outcome;
    this.print(['', result.message, ...sizes].join('\n'));
    return result.outcome === 'ok' ? 0 : 1;
  }
}
