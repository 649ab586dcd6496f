// How long the flame graph takes to appear: from navigation start to the
// first painted flame graph, for a standalone page written by `goperf flame`.
// The webview stamps the moment after its first paint (performance.now(),
// which counts from navigation start) and the split of decode and aggregate
// time; this reads them back. Used by the webview tests and scripts/bench.mjs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser, requireBuild, standalonePageFromCli, waitForState } from './harness';

export interface FirstPaint {
  /** Navigation start to the first painted flame graph. */
  millis: number;
  decodeMillis: number;
  aggregateMillis: number;
  drawMillis: number;
  /** 'worker' when the page could decode off its main thread. */
  decodedIn: string;
  nodeCount: number;
}

export async function measureFirstPaint(
  profilePath: string,
  options: { browser?: Browser; width?: number; height?: number } = {},
): Promise<FirstPaint> {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'goperf-measure-'));
  const browser = options.browser ?? (await launchBrowser());
  try {
    const html = standalonePageFromCli(profilePath, join(dir, 'flame.html'));
    const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 } });
    try {
      await page.goto(pathToFileURL(html).href);
      const state = await waitForState(page, ['rendered', 'error'], 300_000);
      if (state !== 'rendered') {
        const message = await page.evaluate(() => document.querySelector('.message')?.textContent ?? '');
        throw new Error(`the flame graph page for ${profilePath} shows an error: ${message}`);
      }
      const hooks = await page.evaluate(() => window.__goperfFlame!.state());
      if (!hooks.timings) throw new Error('the page rendered without recording its timings');
      return {
        millis: hooks.timings.firstPaintMillis,
        decodeMillis: hooks.timings.decodeMillis,
        aggregateMillis: hooks.timings.aggregateMillis,
        drawMillis: hooks.timings.drawMillis,
        decodedIn: hooks.timings.decodedIn,
        nodeCount: hooks.nodeCount,
      };
    } finally {
      await page.close();
    }
  } finally {
    if (!options.browser) await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
