// Entry point of the trace timeline webview, bundled to dist/webviews/timeline.js.
// In a page it builds the timeline; started as a Web Worker (from its own
// text, see modelSource.ts) it reads traces into models for that page.

import { serveModels, type WorkerScope } from './modelSource';

if (typeof document === 'undefined') {
  serveModels(self as unknown as WorkerScope);
} else {
  // Only readable while this script is being evaluated.
  const script = document.currentScript as HTMLScriptElement | null;
  void import('./page').then((page) => page.startPage(script));
}
