// Starts goperf's build-constraint language server (dist/server.js) when the
// first Go file opens, and keeps it told about the build target.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { TargetSpec } from '../core/go/target';
import { goPath } from './settings';
import type { TargetStore } from './target';

/** Source kinds whose build constraints the go command reads, besides .go (not .syso, which is binary). */
const otherConstrainedFiles = '**/*.{s,S,sx,c,cc,cpp,cxx,h,hh,hpp,hxx,m,f,F,for,f90,swig,swigcxx}';

/** The payload of `goperf/setTarget` and of initializationOptions.target. */
function wireTarget(spec: TargetSpec): { goos: string; goarch: string; tags: string[]; cgoEnabled: boolean } {
  return { goos: spec.goos, goarch: spec.goarch, tags: [...spec.tags], cgoEnabled: spec.cgoEnabled };
}

function enabled(): boolean {
  return vscode.workspace.getConfiguration('goperf').get<boolean>('constraints.enabled', true);
}

export class ConstraintsClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: TargetStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const isConstrained = (d: vscode.TextDocument) =>
      d.languageId === 'go' || vscode.languages.match({ scheme: 'file', pattern: otherConstrainedFiles }, d) > 0;
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (isConstrained(d)) this.startIfEnabled();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('goperf.constraints.enabled')) return;
        if (enabled() && vscode.workspace.textDocuments.some(isConstrained)) this.startIfEnabled();
        else if (!enabled()) void this.stop();
      }),
      store.onDidChange((spec) => {
        if (this.client?.isRunning()) {
          void this.client.sendNotification('goperf/setTarget', wireTarget(spec)).catch((e: unknown) => this.report(e));
        }
      }),
    );
    if (vscode.workspace.textDocuments.some(isConstrained)) this.startIfEnabled();
  }

  private report(error: unknown): void {
    this.log.error(`Build-constraint language server: ${error instanceof Error ? error.message : String(error)}`);
  }

  private startIfEnabled(): void {
    if (!enabled() || this.client || this.starting) return;
    this.starting = this.start()
      .catch((error: unknown) => {
        this.report(error);
        this.client = undefined;
      })
      .finally(() => {
        this.starting = undefined;
      });
  }

  private async start(): Promise<void> {
    const module = vscode.Uri.joinPath(this.extensionUri, 'dist', 'server.js').fsPath;
    // TransportKind.stdio makes the client pass --stdio, which the server expects.
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio },
      debug: { module, transport: TransportKind.stdio },
    };
    let target: TargetSpec | undefined;
    try {
      target = await this.store.get();
    } catch (error) {
      // Without go the server still checks syntax and placement; it learns the target later.
      this.report(error);
    }
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { language: 'go', scheme: 'file' },
        { language: 'go', scheme: 'untitled' },
        { scheme: 'file', pattern: otherConstrainedFiles },
      ],
      synchronize: { configurationSection: 'goperf' },
      initializationOptions: { goPath: goPath(), ...(target ? { target: wireTarget(target) } : {}) },
      outputChannel: this.log,
    };
    const client = new LanguageClient('goperf.constraints', 'goperf Build Constraints', serverOptions, clientOptions);
    this.client = client;
    await client.start();
    // The target may have changed while the server started.
    const now = this.store.peek();
    if (now && target && now !== target) await client.sendNotification('goperf/setTarget', wireTarget(now));
  }

  async stop(): Promise<void> {
    await this.starting;
    const client = this.client;
    this.client = undefined;
    if (client?.isRunning()) await client.stop();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.stop();
  }
}
