// Entry point of the flame graph webview, bundled to dist/webviews/flame.js.
// In a page it builds the flame graph; started as a Web Worker (from its own
// text, see decoder.ts) it decodes profiles for that page. The page code is
// imported lazily so that the worker never evaluates the UI components,
// which need a document.

import { serveDecoding, type WorkerScope } from './decoder';

if (typeof document === 'undefined') {
  serveDecoding(self as unknown as WorkerScope);
} else {
  // Only readable while this script is being evaluated.
  const script = document.currentScript as HTMLScriptElement | null;
  void import('./page').then((page) => page.startPage(script));
}
