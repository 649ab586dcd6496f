// Messages between the extension host (or the standalone HTML page) and the
// profile webview. The webview decodes the bytes itself, off the host's thread.

import type { BlockingKind } from './trace/blockingProfile';

export interface LoadProfileMessage {
  type: 'load';
  /** Display name of the file, used in every message about it. */
  fileName: string;
  bytes: Uint8Array;
}

/**
 * A base profile to compare the loaded one with, as `go tool pprof
 * -base|-diff_base FILE [-normalize]`: the webview then draws a differential
 * flame graph (source minus base) and a table of deltas. The base must have
 * the same sample types as the loaded profile, else the webview says why and
 * keeps showing the profile alone. Send it after 'load' (or again to change
 * the base or the mode); 'clearBase' returns to the profile alone.
 */
export interface LoadBaseMessage {
  type: 'loadBase';
  fileName: string;
  bytes: Uint8Array;
  /** 'diff_base': percentages of the base's total; 'base': of the merged profile's. */
  mode: 'base' | 'diff_base';
  /** Scale the profile so that its total equals the base's (pprof's -normalize). */
  normalize: boolean;
}

export type HostToWebview = LoadProfileMessage | LoadBaseMessage | { type: 'clearBase' };

/** What the webview can export; the host asks where to save `text`. */
export type ExportFormat = 'svg' | 'html' | 'markdown' | 'csv';

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'openSource'; file: string; line: number; functionName: string }
  | { type: 'error'; message: string }
  | { type: 'rendered'; nodeCount: number; millis: number }
  /** The user switched the profile page to this sample type; source annotations follow it. */
  | { type: 'sampleTypeShown'; sampleType: string }
  /** Save `text` (UTF-8) to a file the user picks, `suggestedName` proposed. */
  | { type: 'save'; format: ExportFormat; suggestedName: string; text: string }
  /**
   * A blocking profile of the trace shown (`go tool trace -pprof=KIND`), made
   * in the page's worker as uncompressed pprof protobuf; the host saves it and
   * opens it as a flame graph.
   */
  | { type: 'blockingProfile'; kind: BlockingKind; bytes: Uint8Array };
