// How the trace timeline performs on a large real trace in headless
// Chromium, in the page the extension gives its webview: open → first
// painted timeline (reading in the Web Worker included), then a scripted
// session of zooming and panning at many levels, with the time each frame's
// drawing took and the interval between animation frames.
// Used by scripts/bench.mjs:  node --import tsx test/webview/timelineMeasure.ts [trace]
// (default: the ≥ 50 MB trace of test/fixtures/trace/busy), prints JSON.

import { statSync } from 'node:fs';
import { largeTrace } from '../fixtures/trace/traces';
import { darkModern, launchBrowser, ResourceServer, sendLoad, vscodeHostPageHtml } from './harness';

export interface TimelineMeasurement {
  traceFile: string;
  traceBytes: number;
  spans: number;
  goroutines: number;
  /** Sending the bytes to the page → the first timeline drawn. */
  firstPaintMillis: number;
  /**
   * Of that, the harness getting the bytes into the page (base64 through the
   * DevTools protocol, decoded by a loop in the page): a cost of the test,
   * not of the timeline; VS Code posts the bytes as binary.
   */
  deliverMillis: number;
  readMillis: number;
  where: string;
  frames: number;
  drawP50: number;
  drawP95: number;
  drawMax: number;
  /** Between consecutive animation frames while moving (headless Chromium caps it at ~16.7 ms). */
  frameIntervalP95: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function measureTimeline(traceFile: string): Promise<TimelineMeasurement> {
  const server = new ResourceServer();
  await server.start();
  server.setPage(vscodeHostPageHtml(server.origin, darkModern, 'vscode-dark', 'timeline.js'));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(server.origin + '/');
    await page.waitForFunction(() => window.__posted?.some((m) => m.type === 'ready'));
    const sent = await page.evaluate(() => {
      window.addEventListener('message', (event) => {
        if ((event.data as { type?: string } | null)?.type === 'load') (window as { loadArrived?: number }).loadArrived = performance.now();
      });
      return performance.now();
    });
    await sendLoad(page, traceFile);
    await page.waitForFunction(() => ['rendered', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 600_000 });
    const loaded = await page.evaluate(() => window.__goperfTimeline!.state());
    const arrived = await page.evaluate(() => (window as { loadArrived?: number }).loadArrived ?? NaN);
    if (loaded.state !== 'rendered') throw new Error(`the timeline of ${traceFile} ended in state ${loaded.state}`);
    // Open the busiest goroutine group too, so goroutine lanes are drawn as well.
    await page.mouse.click(60, 22 + 18 + 44 + 32 + 26 + 20 * loaded.procs + 10 + 40);
    const intervals = await page.evaluate(async () => {
      const keys = ['w', 'd', 'd', 'w', 'a', 'w', 'd', 'w', 'w', 'a', 'd', 'd', 's', 'a', 's', 'd', 's', 's', 'a', 'w'];
      const gaps: number[] = [];
      let last = performance.now();
      for (let round = 0; round < 10; round++) {
        for (const key of keys) {
          window.dispatchEvent(new KeyboardEvent('keydown', { key }));
          await new Promise((resolve) => requestAnimationFrame(resolve));
          const now = performance.now();
          gaps.push(now - last);
          last = now;
        }
      }
      return gaps;
    });
    const draws = await page.evaluate(() => window.__goperfTimeline!.frameTimes());
    // The first draw is the first paint; the rest are the session's.
    const moving = draws.slice(1);
    return {
      traceFile,
      traceBytes: statSync(traceFile).size,
      spans: loaded.spans,
      goroutines: loaded.goroutines,
      firstPaintMillis: loaded.firstPaintMillis - sent,
      deliverMillis: arrived - sent,
      readMillis: loaded.readMillis,
      where: loaded.where,
      frames: moving.length,
      drawP50: percentile(moving, 50),
      drawP95: percentile(moving, 95),
      drawMax: Math.max(...moving),
      frameIntervalP95: percentile(intervals.slice(1), 95),
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (require.main === module) {
  const file = process.argv[2] ?? largeTrace();
  measureTimeline(file).then(
    (m) => console.log(JSON.stringify(m)),
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
