// The page side of the trace timeline webview: trace bytes arrive in a
// 'load' message after we post 'ready'.

import type { HostToWebview } from '../../src/core/protocol';
import { asBytes, connectHost, installStyles } from '../common/page';
import { TimelineApp, type TimelineTestHooks } from './app';
import { createModelSource } from './modelSource';
import styles from './timeline.css';

declare global {
  interface Window {
    __goperfTimeline?: TimelineTestHooks;
  }
}

/** `script` is the <script> element this bundle came from (read while it was running). */
export function startPage(script: HTMLScriptElement | null): void {
  installStyles(styles, script?.nonce || undefined);
  const host = connectHost();
  const app = new TimelineApp(host, createModelSource(script));
  Object.defineProperty(window, '__goperfTimeline', { value: Object.freeze(app.hooks()), writable: false, configurable: false });

  window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
    const message = event.data;
    if (!message || message.type !== 'load') return;
    const fileName = typeof message.fileName === 'string' && message.fileName ? message.fileName : 'trace';
    const bytes = asBytes(message.bytes);
    if (!bytes) {
      app.fail(`The editor sent no trace data for ${fileName}.`);
      return;
    }
    void app.load(fileName, bytes);
  });

  if (host.connected) {
    app.showWaiting('Waiting for the trace…');
    host.post({ type: 'ready' });
  } else {
    app.showWaiting('This page shows Go execution traces opened in VS Code with goperf.');
  }
}
