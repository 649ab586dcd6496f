// The results panel: the recorded benchmark history in a webview (table and
// chart, webviews/results), refreshed whenever a run is recorded, and the
// benchstat comparison of two runs the user picked.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { historyRows, type ResultsFromWebview, type ResultsToWebview } from '../core/bench/history';
import { renderProfilePageHtml } from '../core/webviewHtml';
import type { BenchResults } from './results';

export const resultsPanelViewType = 'goperf.results';

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subscription: vscode.Disposable;
  /** The two runs the panel compares, kept across history refreshes. */
  private compared: { oldRunId: string; newRunId: string } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly results: BenchResults,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = results.onDidChange(() => void this.post());
  }

  /** Opens the panel on the comparison of two runs. */
  showComparison(oldRunId: string, newRunId: string): void {
    this.compared = { oldRunId, newRunId };
    if (this.panel) void this.postComparison();
    this.show();
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
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.compared = undefined;
    });
    panel.webview.onDidReceiveMessage((message: ResultsFromWebview) => {
      switch (message?.type) {
        case 'ready':
          void this.post();
          break;
        case 'compare':
          this.compared = { oldRunId: message.oldRunId, newRunId: message.newRunId };
          void this.postComparison();
          break;
        case 'closeComparison':
          this.compared = undefined;
          break;
        case 'openDiff':
          if (this.compared) {
            const { oldRunId, newRunId } = this.compared;
            this.results.openRunProfiles(oldRunId, newRunId, message.kind).catch((error: Error) => {
              this.log.error(`results panel: ${error.message}`);
              void vscode.window.showErrorMessage(`goperf: ${error.message}`);
            });
          }
          break;
      }
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
    await this.postComparison();
  }

  private async postComparison(): Promise<void> {
    if (!this.panel || !this.compared) return;
    let message: ResultsToWebview;
    try {
      message = { type: 'comparison', ...(await this.results.comparison(this.compared.oldRunId, this.compared.newRunId)) };
    } catch (error) {
      message = { type: 'comparisonError', message: (error as Error).message };
    }
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.subscription.dispose();
    this.panel?.dispose();
  }
}
