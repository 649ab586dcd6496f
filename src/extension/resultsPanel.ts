// The results panel: the recorded benchmark history in a webview (table and
// chart, webviews/results), refreshed whenever a run is recorded.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { historyRows, type ResultsFromWebview, type ResultsToWebview } from '../core/bench/history';
import { renderProfilePageHtml } from '../core/webviewHtml';
import type { BenchResults } from './results';

export const resultsPanelViewType = 'goperf.results';

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly results: BenchResults,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = results.onDidChange(() => void this.post());
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const webviewRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webviews');
    const panel = vscode.window.createWebviewPanel(resultsPanelViewType, 'Benchmark Results', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [webviewRoot],
    });
    this.panel = panel;
    panel.onDidDispose(() => (this.panel = undefined));
    panel.webview.onDidReceiveMessage((message: ResultsFromWebview) => {
      if (message?.type === 'ready') void this.post();
    });
    panel.webview.html = renderProfilePageHtml({
      nonce: randomBytes(16).toString('base64'),
      title: 'Benchmark Results',
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'results.js')).toString(),
    });
  }

  private async post(): Promise<void> {
    if (!this.panel) return;
    try {
      const store = await this.results.store();
      const data = historyRows(store.runs());
      data.baselineRuns = await this.results.baselineRunIds();
      const message: ResultsToWebview = { type: 'history', data };
      await this.panel.webview.postMessage(message);
    } catch (error) {
      this.log.error(`results panel: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.panel?.dispose();
  }
}
