// Messages between the extension host (or the standalone HTML page) and the
// profile webview. The webview decodes the bytes itself, off the host's thread.

export interface LoadProfileMessage {
  type: 'load';
  /** Display name of the file, used in every message about it. */
  fileName: string;
  bytes: Uint8Array;
}

export type HostToWebview = LoadProfileMessage;

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'openSource'; file: string; line: number; functionName: string }
  | { type: 'error'; message: string }
  | { type: 'rendered'; nodeCount: number; millis: number };
