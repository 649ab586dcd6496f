// Live capture: goperf.captureProfile downloads a profile or trace from a
// running server's net/http/pprof into the extension's storage and opens it;
// goperf.findGoroutineLeaks takes goroutine profiles some seconds apart and
// shows the stacks that piled up.
import { mkdir, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { decodeProfile } from '../core/pprof/decode';
import { parseGoroutineDump } from '../core/pprof/goroutineText';
import { compareGoroutineSnapshots, leakReportMarkdown, snapshotFromDump, snapshotFromProfile, type GoroutineSnapshot } from '../core/pprof/leaks';
import {
  CAPTURE_ENDPOINTS,
  CaptureError,
  captureFileName,
  endpointUrl,
  fetchCapture,
  pprofBaseUrl,
  type CaptureEndpoint,
} from './captureFetch';
import { profileEditorViewType } from './profileEditor';

const RECENT_URLS_KEY = 'goperf.capture.recentUrls';
const MAX_RECENT_URLS = 10;
const LEAK_SCHEME = 'goperf-leaks';

function captureSettings(): { timeoutMs: number; maxBytes: number } {
  const config = vscode.workspace.getConfiguration('goperf');
  const timeout = config.get<number>('capture.timeoutSeconds', 30);
  const size = config.get<number>('capture.maxSizeMB', 256);
  return { timeoutMs: (timeout > 0 ? timeout : 30) * 1000, maxBytes: (size > 0 ? size : 256) * 1024 * 1024 };
}

export class Capture implements vscode.Disposable {
  private readonly leakReports = new Map<string, string>();
  private readonly leakChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly savedEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with every file saved under the profiles folder. */
  readonly onDidSave = this.savedEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.leakChanged, this.savedEmitter];

  constructor(
    private readonly state: vscode.Memento,
    readonly profilesDir: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(LEAK_SCHEME, {
        onDidChange: this.leakChanged.event,
        provideTextDocumentContent: (uri) => this.leakReports.get(uri.toString()) ?? '',
      }),
    );
  }

  /** Asks for the server, remembering the last ones; typing a new address works too. */
  private async pickServer(): Promise<URL | undefined> {
    const recent = this.state.get<string[]>(RECENT_URLS_KEY, []);
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
    pick.title = 'goperf: server with net/http/pprof';
    pick.placeholder = 'Address of the server, e.g. http://127.0.0.1:6060';
    const recentItems = recent.map((url) => ({ label: url, description: 'recent' }));
    pick.items = recentItems.length > 0 ? recentItems : [{ label: 'http://127.0.0.1:6060', description: 'the usual address' }];
    pick.onDidChangeValue((value) => {
      const typed = value.trim();
      pick.items = typed && !recent.includes(typed) ? [{ label: typed, description: 'new address' }, ...recentItems] : recentItems;
    });
    const chosen = await new Promise<string | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]?.label ?? (pick.value.trim() || undefined)));
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
    pick.dispose();
    if (!chosen) return undefined;
    let base: URL;
    try {
      base = pprofBaseUrl(chosen);
    } catch (error) {
      void vscode.window.showErrorMessage(`goperf: ${(error as Error).message}`);
      return undefined;
    }
    const remembered = [base.origin + base.pathname.replace(/debug\/pprof\/$/, ''), ...recent]
      .map((url) => url.replace(/\/$/, ''))
      .filter((url, i, all) => all.indexOf(url) === i)
      .slice(0, MAX_RECENT_URLS);
    await this.state.update(RECENT_URLS_KEY, remembered);
    return base;
  }

  private async pickSeconds(endpoint: CaptureEndpoint): Promise<number | undefined> {
    if (endpoint.defaultSeconds === undefined) return 0;
    const text = await vscode.window.showInputBox({
      title: `goperf: record ${endpoint.label} for how many seconds?`,
      value: String(endpoint.defaultSeconds),
      validateInput: (value) => (/^\d+$/.test(value.trim()) && Number(value) >= 1 ? undefined : 'A whole number of seconds, 1 or more'),
    });
    return text === undefined ? undefined : Number(text.trim());
  }

  /**
   * Downloads one endpoint with a countdown for the timed ones; Cancel stops
   * the request. Returns the bytes, or undefined after telling the user why not.
   */
  private async download(url: URL, endpoint: CaptureEndpoint, seconds: number, title: string): Promise<Uint8Array | undefined> {
    const { timeoutMs, maxBytes } = captureSettings();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let left = seconds;
        const tick = () => progress.report({ message: left > 0 ? `${left} s left` : 'waiting for the server…' });
        tick();
        const countdown = setInterval(() => {
          left = Math.max(0, left - 1);
          progress.report({ message: left > 0 ? `${left} s left` : 'waiting for the server…', increment: seconds > 0 ? 100 / seconds : 0 });
        }, 1000);
        try {
          return await fetchCapture(url, endpoint.kind, {
            signal: controller.signal,
            timeoutMs: seconds * 1000 + timeoutMs,
            maxBytes,
            onBytes: (received) => progress.report({ message: `${Math.round(received / 1024)} KB received` }),
          });
        } catch (error) {
          if (error instanceof CaptureError && error.code === 'cancelled') {
            this.log.info(error.message);
            return undefined;
          }
          this.log.error(`Capture failed: ${(error as Error).message}`);
          void vscode.window.showErrorMessage(`goperf: ${(error as Error).message}`);
          return undefined;
        } finally {
          clearInterval(countdown);
        }
      },
    );
  }

  private async save(name: string, bytes: Uint8Array): Promise<vscode.Uri> {
    await mkdir(this.profilesDir.fsPath, { recursive: true });
    const uri = vscode.Uri.joinPath(this.profilesDir, name);
    await writeFile(uri.fsPath, bytes);
    this.savedEmitter.fire(uri);
    return uri;
  }

  async captureProfile(): Promise<void> {
    const base = await this.pickServer();
    if (!base) return;
    const picked = await vscode.window.showQuickPick(
      CAPTURE_ENDPOINTS.map((endpoint) => ({ label: endpoint.label, description: endpoint.description, endpoint })),
      { title: `goperf: what to capture from ${base.host}` },
    );
    if (!picked) return;
    const { endpoint } = picked;
    const seconds = await this.pickSeconds(endpoint);
    if (seconds === undefined) return;
    const url = endpointUrl(base, endpoint, seconds || undefined);
    this.log.info(`Capturing ${url.href}`);
    const bytes = await this.download(url, endpoint, seconds, `goperf: capturing ${endpoint.label} from ${base.host}`);
    if (!bytes) return;
    const uri = await this.save(captureFileName(endpoint, url, new Date()), bytes);
    this.log.info(`Saved ${bytes.length} bytes from ${url.href} to ${uri.fsPath}`);
    if (endpoint.kind === 'profile') {
      await vscode.commands.executeCommand('vscode.openWith', uri, profileEditorViewType);
    } else if (endpoint.kind === 'goroutine-text') {
      await vscode.window.showTextDocument(uri, { preview: false });
    } else {
      // *.trace opens in the goperf.trace editor.
      await vscode.commands.executeCommand('vscode.open', uri);
    }
  }

  /** Goroutine snapshots some seconds apart from a server, or two or more saved files, compared. */
  async findGoroutineLeaks(): Promise<void> {
    const source = await vscode.window.showQuickPick(
      [
        { label: 'From a server…', description: 'take goroutine profiles some seconds apart', server: true },
        { label: 'From files…', description: 'goroutine profiles or goroutine?debug=2 dumps, oldest first', server: false },
      ],
      { title: 'goperf: find goroutine leaks' },
    );
    if (!source) return;
    const snapshots = source.server ? await this.snapshotsFromServer() : await this.snapshotsFromFiles();
    if (!snapshots) return;
    let markdown: string;
    try {
      markdown = leakReportMarkdown(compareGoroutineSnapshots(snapshots.list), snapshots.source);
    } catch (error) {
      void vscode.window.showErrorMessage(`goperf: ${(error as Error).message}`);
      return;
    }
    const uri = vscode.Uri.from({ scheme: LEAK_SCHEME, path: `/goroutine leaks ${new Date().toLocaleTimeString()}.md` });
    this.leakReports.set(uri.toString(), markdown);
    this.leakChanged.fire(uri);
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  }

  private async snapshotsFromServer(): Promise<{ list: GoroutineSnapshot[]; source: string } | undefined> {
    const base = await this.pickServer();
    if (!base) return undefined;
    const interval = await vscode.window.showInputBox({
      title: 'goperf: seconds between goroutine snapshots (three are taken)',
      value: '10',
      validateInput: (value) => (/^\d+$/.test(value.trim()) && Number(value) >= 1 ? undefined : 'A whole number of seconds, 1 or more'),
    });
    if (interval === undefined) return undefined;
    const seconds = Number(interval.trim());
    const endpoint = CAPTURE_ENDPOINTS.find((e) => e.kind === 'goroutine-text')!;
    const url = endpointUrl(base, endpoint);
    const list: GoroutineSnapshot[] = [];
    const { timeoutMs, maxBytes } = captureSettings();
    const completed = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `goperf: goroutines of ${base.host}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        try {
          for (let i = 0; i < 3; i++) {
            if (i > 0) {
              for (let left = seconds; left > 0 && !token.isCancellationRequested; left--) {
                progress.report({ message: `snapshot ${i + 1} of 3 in ${left} s` });
                await new Promise((resolve) => setTimeout(resolve, 1000));
              }
              if (token.isCancellationRequested) return false;
            }
            progress.report({ message: `taking snapshot ${i + 1} of 3`, increment: 33 });
            const bytes = await fetchCapture(url, 'goroutine-text', { signal: controller.signal, timeoutMs, maxBytes });
            const label = new Date().toLocaleTimeString();
            const saved = await this.save(captureFileName(endpoint, url, new Date()), bytes);
            list.push(snapshotFromDump(parseGoroutineDump(new TextDecoder().decode(bytes), saved.fsPath), label));
          }
          return true;
        } catch (error) {
          if (error instanceof CaptureError && error.code === 'cancelled') return false;
          this.log.error(`Goroutine snapshots failed: ${(error as Error).message}`);
          void vscode.window.showErrorMessage(`goperf: ${(error as Error).message}`);
          return false;
        }
      },
    );
    return completed ? { list, source: `${url.href}, ${seconds} s apart` } : undefined;
  }

  private async snapshotsFromFiles(): Promise<{ list: GoroutineSnapshot[]; source: string } | undefined> {
    const files = await vscode.window.showOpenDialog({
      canSelectMany: true,
      defaultUri: this.profilesDir,
      openLabel: 'Compare',
      title: 'goperf: two or more goroutine profiles or debug=2 dumps',
      filters: { 'Goroutine profiles and dumps': ['gz', 'pprof', 'prof', 'txt'], 'All files': ['*'] },
    });
    if (!files) return undefined;
    if (files.length < 2) {
      void vscode.window.showErrorMessage('goperf: pick at least two goroutine profiles or dumps to compare.');
      return undefined;
    }
    // File names from captures carry their time, so name order is time order.
    const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
    const list: GoroutineSnapshot[] = [];
    for (const uri of sorted) {
      const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        const isText = new TextDecoder().decode(bytes.subarray(0, 10)) === 'goroutine ';
        list.push(
          isText
            ? snapshotFromDump(parseGoroutineDump(new TextDecoder().decode(bytes), name), name)
            : snapshotFromProfile(decodeProfile(bytes, name), name),
        );
      } catch (error) {
        void vscode.window.showErrorMessage(`goperf: ${(error as Error).message}`);
        return undefined;
      }
    }
    return { list, source: sorted.map((uri) => uri.path.slice(uri.path.lastIndexOf('/') + 1)).join(', ') };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function registerCapture(context: vscode.ExtensionContext, deps: { log: vscode.LogOutputChannel }): Capture {
  const storage = context.storageUri ?? context.globalStorageUri;
  const capture = new Capture(context.globalState, vscode.Uri.joinPath(storage, 'profiles'), deps.log);
  context.subscriptions.push(
    capture,
    vscode.commands.registerCommand('goperf.captureProfile', () => capture.captureProfile()),
    vscode.commands.registerCommand('goperf.findGoroutineLeaks', () => capture.findGoroutineLeaks()),
  );
  return capture;
}
