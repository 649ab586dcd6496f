// The status bar item showing the build target, the quick pick that changes
// it, and the commands the language server's code actions call.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { misspelledTag, scanHeader, tagNames } from '../core/constraints';
import {
  describeTarget,
  isToolchainTag,
  isValidTag,
  normalizeTags,
  parseTagList,
  type GoPort,
  type TargetSpec,
} from '../core/go/target';
import type { TargetStore } from './target';

const headerBytes = 64 * 1024;
/** Enough to find the tags a project uses without reading a monorepo. */
const maxScannedFiles = 2000;
const excludedFromScan = '{**/vendor/**,**/testdata/**,**/node_modules/**,**/.git/**}';

async function readHead(uri: vscode.Uri): Promise<Uint8Array> {
  if (uri.scheme !== 'file') return (await vscode.workspace.fs.readFile(uri)).subarray(0, headerBytes);
  const handle = await fs.open(uri.fsPath, 'r');
  try {
    const buffer = Buffer.alloc(headerBytes);
    const { bytesRead } = await handle.read(buffer, 0, headerBytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Custom tags named in the constraint lines of the workspace's Go files, with how many files use each. */
export async function findWorkspaceTags(token?: vscode.CancellationToken): Promise<Map<string, number>> {
  const files = await vscode.workspace.findFiles('**/*.go', excludedFromScan, maxScannedFiles, token);
  const counts = new Map<string, number>();
  const countTags = async (uri: vscode.Uri) => {
    let bytes: Uint8Array;
    try {
      bytes = await readHead(uri);
    } catch {
      return; // deleted or unreadable since the search: it names no tags.
    }
    const header = scanHeader(bytes, { goSource: false, truncated: bytes.length === headerBytes });
    const names = new Set<string>();
    for (const line of [...header.goBuild, ...header.plusBuild]) {
      if (line.parse.ok) for (const name of tagNames(line.parse.expr)) names.add(name);
    }
    for (const name of names) if (!isToolchainTag(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  };
  // A few reads at a time: each holds a 64 KB buffer.
  const queue = [...files];
  const worker = async () => {
    for (let uri = queue.pop(); uri; uri = queue.pop()) {
      if (token?.isCancellationRequested) return;
      await countTags(uri);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return counts;
}

interface PortItem extends vscode.QuickPickItem {
  port?: GoPort;
  reset?: true;
}

interface TagItem extends vscode.QuickPickItem {
  tag?: string;
  cgo?: true;
  other?: true;
}

export class TargetPicker implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: TargetStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item = vscode.window.createStatusBarItem('goperf.target', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'goperf Build Target';
    this.item.command = 'goperf.selectTarget';
    this.render(store.peek());
    this.disposables.push(
      this.item,
      store.onDidChange((spec) => this.render(spec)),
      vscode.commands.registerCommand('goperf.selectTarget', () => this.select()),
      vscode.commands.registerCommand('goperf.setTarget', (args?: Partial<TargetSpec>) => this.setFromArgs(args)),
      vscode.commands.registerCommand('goperf.addTag', (tag?: string) => this.addTag(tag)),
      vscode.commands.registerCommand('goperf.resetTarget', () => this.store.reset().catch((e) => this.fail(e))),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private render(spec: TargetSpec | undefined): void {
    // Before go env has been asked, say so rather than guess the host.
    this.item.text = `$(target) ${spec ? describeTarget(spec) : 'go default target'}`;
    this.item.tooltip = new vscode.MarkdownString(
      spec
        ? `**Build target** for goperf (benchmarks, builds, build constraints)\n\n` +
            `GOOS=${spec.goos} GOARCH=${spec.goarch} CGO_ENABLED=${spec.cgoEnabled ? 1 : 0}` +
            (spec.tags.length ? ` -tags=${spec.tags.join(',')}` : '') +
            `\n\n${this.store.isChosen() ? 'Chosen for this workspace' : 'The go command\'s default here'} — click to change`
        : '**Build target**: what the go command uses here, until you pick one — click to choose',
    );
    this.item.show();
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(message);
    void vscode.window.showErrorMessage(`goperf: ${message}`);
  }

  async select(): Promise<void> {
    try {
      const [current, host] = await Promise.all([this.store.get(), this.store.host()]);
      const port = await this.pickPort(current, host.goos, host.goarch);
      if (!port) return;
      if (port === 'reset') {
        await this.store.reset();
        return;
      }
      const picked = await this.pickTagsAndCgo(current, port);
      if (!picked) return;
      await this.store.set({ goos: port.goos, goarch: port.goarch, ...picked });
    } catch (error) {
      this.fail(error);
    }
  }

  private async pickPort(current: TargetSpec, hostOS: string, hostArch: string): Promise<GoPort | 'reset' | undefined> {
    const quickPick = vscode.window.createQuickPick<PortItem>();
    quickPick.title = 'goperf: Build Target (1/2): GOOS/GOARCH';
    quickPick.placeholder = `Current: ${current.goos}/${current.goarch} — type to filter ports`;
    quickPick.matchOnDescription = true;
    quickPick.busy = true;
    // Listening before the ports arrive: Escape while loading must end the pick too.
    const choice = new Promise<PortItem | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
      quickPick.onDidHide(() => resolve(undefined));
    });
    quickPick.show();
    try {
      const ports = await this.store.ports();
      const describe = (p: GoPort) =>
        [
          p.goos === hostOS && p.goarch === hostArch ? '(this machine)' : '',
          p.goos === current.goos && p.goarch === current.goarch ? 'current' : '',
          p.cgoSupported ? '' : 'no cgo',
        ]
          .filter(Boolean)
          .join(' · ');
      const firstClass = ports.filter((p) => p.firstClass);
      const others = ports.filter((p) => !p.firstClass);
      const items: PortItem[] = [
        { label: 'Use the go command\'s default', description: 'forget the chosen target', reset: true },
        { label: 'first-class ports', kind: vscode.QuickPickItemKind.Separator },
        ...firstClass.map((port) => ({ label: `${port.goos}/${port.goarch}`, description: describe(port), port })),
        { label: 'other ports', kind: vscode.QuickPickItemKind.Separator },
        ...others.map((port) => ({ label: `${port.goos}/${port.goarch}`, description: describe(port), port })),
      ];
      quickPick.items = items;
      quickPick.activeItems = items.filter((i) => i.port?.goos === current.goos && i.port.goarch === current.goarch);
    } catch (error) {
      quickPick.dispose();
      throw error;
    } finally {
      quickPick.busy = false;
    }
    const chosen = await choice;
    quickPick.dispose();
    if (!chosen) return undefined;
    return chosen.reset ? 'reset' : chosen.port;
  }

  private async pickTagsAndCgo(current: TargetSpec, port: GoPort): Promise<Pick<TargetSpec, 'tags' | 'cgoEnabled'> | undefined> {
    const quickPick = vscode.window.createQuickPick<TagItem>();
    quickPick.title = `goperf: Build Target (2/2): tags and cgo for ${port.goos}/${port.goarch}`;
    quickPick.placeholder = 'Select the custom tags to set (found in this workspace); Enter to accept';
    quickPick.canSelectMany = true;
    quickPick.busy = true;
    const accepted = new Promise<readonly TagItem[] | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems));
      quickPick.onDidHide(() => resolve(undefined));
    });
    quickPick.show();
    const samePort = port.goos === current.goos && port.goarch === current.goarch;
    // Closing the picker while the workspace is scanned stops the scan.
    const scan = new vscode.CancellationTokenSource();
    const hidden = quickPick.onDidHide(() => scan.cancel());
    try {
      const found = await findWorkspaceTags(scan.token);
      const tags = normalizeTags([...found.keys(), ...current.tags]);
      const cgoItem: TagItem[] = port.cgoSupported
        ? [{ label: 'cgo', description: 'CGO_ENABLED=1', detail: 'Build files that import "C"; needs a C compiler for the target', cgo: true }]
        : [];
      const tagItems: TagItem[] = tags.map((tag) => {
        const uses = found.get(tag);
        const guess = misspelledTag(tag);
        return {
          label: tag,
          description: [
            uses ? `used in ${uses} file${uses === 1 ? '' : 's'}` : 'not used in this workspace',
            guess ? `looks like a misspelled ${guess.what} (${guess.near}?)` : '',
          ]
            .filter(Boolean)
            .join(' · '),
          tag,
        };
      });
      const items: TagItem[] = [
        ...cgoItem,
        { label: 'custom tags (-tags)', kind: vscode.QuickPickItemKind.Separator },
        ...tagItems,
        { label: 'Other tags…', description: 'type tags that are not listed', other: true },
      ];
      quickPick.items = items;
      // Cross-compiling turns cgo off by default, as the go command does.
      const cgoOn = port.cgoSupported && (samePort ? current.cgoEnabled : false);
      quickPick.selectedItems = items.filter((i) => (i.cgo && cgoOn) || (i.tag !== undefined && current.tags.includes(i.tag)));
    } catch (error) {
      quickPick.dispose();
      throw error;
    } finally {
      hidden.dispose();
      scan.dispose();
      quickPick.busy = false;
    }
    const picked = await accepted;
    quickPick.dispose();
    if (!picked) return undefined;
    const tags = picked.flatMap((i) => (i.tag !== undefined ? [i.tag] : []));
    if (picked.some((i) => i.other)) {
      const typed = await vscode.window.showInputBox({
        title: 'goperf: more build tags',
        prompt: 'Tags separated by commas or spaces (letters, digits, _ and .)',
        validateInput: (text) => {
          const { invalid } = parseTagList(text);
          return invalid.length ? `Not a build tag: ${invalid.join(', ')}` : undefined;
        },
      });
      if (typed === undefined) return undefined;
      tags.push(...parseTagList(typed).tags);
    }
    return { tags: normalizeTags(tags), cgoEnabled: picked.some((i) => i.cgo) };
  }

  /** From a code action: switch to a port where the file builds, keeping tags; cgo as the go command would default it. */
  private async setFromArgs(args?: Partial<TargetSpec>): Promise<void> {
    if (typeof args?.goos !== 'string' || typeof args.goarch !== 'string') return this.select();
    try {
      const [current, host] = await Promise.all([this.store.get(), this.store.host()]);
      const samePort = args.goos === current.goos && args.goarch === current.goarch;
      const isHost = args.goos === host.defaultTarget.goos && args.goarch === host.defaultTarget.goarch;
      const cgoEnabled =
        typeof args.cgoEnabled === 'boolean' ? args.cgoEnabled : samePort ? current.cgoEnabled : isHost && host.defaultTarget.cgoEnabled;
      const tags = Array.isArray(args.tags) ? args.tags.filter((t) => typeof t === 'string' && isValidTag(t)) : current.tags;
      await this.store.set({ goos: args.goos, goarch: args.goarch, tags, cgoEnabled });
      void vscode.window.setStatusBarMessage(`goperf: build target is now ${args.goos}/${args.goarch}`, 5000);
    } catch (error) {
      this.fail(error);
    }
  }

  private async addTag(tag?: string): Promise<void> {
    try {
      if (typeof tag !== 'string') {
        tag = await vscode.window.showInputBox({
          title: 'goperf: add a build tag to the target',
          validateInput: (text) => (isValidTag(text.trim()) ? undefined : 'A build tag is letters, digits, _ and .'),
        });
        if (tag === undefined) return;
        tag = tag.trim();
      }
      if (!isValidTag(tag)) throw new Error(`"${tag}" is not a build tag`);
      const current = await this.store.get();
      await this.store.set({ ...current, tags: [...current.tags, tag] });
    } catch (error) {
      this.fail(error);
    }
  }
}
