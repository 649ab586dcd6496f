// Page plumbing shared by the goperf webviews: the stylesheet under a strict
// CSP, the channel to the extension host, and bytes arriving in messages.

import type { WebviewToHost } from '../../src/core/protocol';

export interface Host {
  /** False on a standalone HTML page, where nothing listens to messages. */
  readonly connected: boolean;
  post(message: WebviewToHost): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare global {
  interface Window {
    acquireVsCodeApi?: () => VsCodeApi;
  }
}

/**
 * Adds the page's stylesheet without an inline <style> where possible:
 * constructed stylesheets are not subject to the CSP's style-src, and the
 * nonce of this script covers the <style> fallback.
 */
export function installStyles(styles: string, nonce: string | undefined): void {
  if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(styles);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = styles;
  document.head.append(style);
}

export function connectHost(): Host {
  if (typeof window.acquireVsCodeApi === 'function') {
    const api = window.acquireVsCodeApi();
    return { connected: true, post: (message: WebviewToHost) => api.postMessage(message) };
  }
  return { connected: false, post: () => {} };
}

export function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return undefined;
}
