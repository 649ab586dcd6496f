// The page side of the flame graph webview. It serves the VS Code webview
// (profile bytes arrive in a 'load' message after we post 'ready') and the
// standalone page written by `goperf flame` (bytes embedded as
// window.__GOPERF_PROFILE__).

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-split-layout/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { HostToWebview, WebviewToHost } from '../../src/core/protocol';
import type { EmbeddedProfile } from '../../src/core/webviewHtml';
import { ownScriptText } from '../common/ownWorker';
import { asBytes, connectHost, installStyles } from '../common/page';
import { FlameApp, type FlameTestHooks } from './app';
import { createDecoder } from './decoder';
import styles from './flame.css';

declare global {
  interface Window {
    __GOPERF_PROFILE__?: EmbeddedProfile;
    __goperfFlame?: FlameTestHooks;
  }
}

function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `script` is the <script> element this bundle came from (read while it was running). */
export function startPage(script: HTMLScriptElement | null): void {
  installStyles(styles, script?.nonce || undefined);
  const host = connectHost();
  if (!host.connected) document.documentElement.classList.add('standalone');
  const app = new FlameApp(host, createDecoder(script), () => ownScriptText(script));
  Object.defineProperty(window, '__goperfFlame', {
    value: Object.freeze({
      frames: () => app.frames(),
      sandwichFrames: (which: 'callers' | 'callees') => app.sandwichFrames(which),
      state: () => app.state(),
    }),
    writable: false,
    configurable: false,
  });

  window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
    const message = event.data;
    if (!message) return;
    if (message.type === 'clearBase') {
      void app.clearBase();
      return;
    }
    if (message.type === 'loadBase') {
      const baseName = typeof message.fileName === 'string' && message.fileName ? message.fileName : 'base profile';
      const baseBytes = asBytes(message.bytes);
      if (baseBytes) void app.setBase({ fileName: baseName, bytes: baseBytes, mode: message.mode, normalize: message.normalize });
      return;
    }
    if (message.type !== 'load') return;
    const fileName = typeof message.fileName === 'string' && message.fileName ? message.fileName : 'profile';
    const bytes = asBytes(message.bytes);
    if (!bytes) {
      app.fail(`The editor sent no profile data for ${fileName}.`);
      return;
    }
    void app.load(fileName, bytes);
  });

  const embedded = window.__GOPERF_PROFILE__;
  if (embedded) {
    const fileName = embedded.fileName || 'profile';
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(embedded.base64);
    } catch {
      app.fail(`${fileName}: the profile embedded in this page is not valid base64.`);
      return;
    }
    void app.load(fileName, bytes, embedded.sampleType);
  } else if (host.connected) {
    app.showWaiting('Waiting for the profile…');
    host.post({ type: 'ready' });
  } else {
    app.showWaiting('This page has no profile embedded. Create it with `goperf flame <profile> -o page.html`.');
  }
}
