// How the flame graph performs: from navigation start to the first painted
// flame graph, for a standalone page written by `goperf flame`, and then the
// time each frame's drawing takes while the user zooms and scrolls.
// The webview stamps the moment after its first paint (performance.now(),
// which counts from navigation start) and the split of decode and aggregate
// time; this reads them back. Used by the webview tests and scripts/bench.mjs:
//   node --import tsx test/webview/measure.ts PROFILE   (prints JSON)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
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

export interface FrameTimes {
  /** Frames drawn during the session (the first paint is not one of them). */
  frames: number;
  drawP50: number;
  drawP95: number;
  drawMax: number;
}

interface MeasureOptions {
  browser?: Browser;
  width?: number;
  height?: number;
}

/**
 * The flame graph's animation-frame callbacks, timed from inside the page:
 * only those that draw it (they call drawNow), so the measuring's own frame
 * waits do not dilute the percentiles.
 */
function timeDrawCallbacks(): void {
  const raw = window.requestAnimationFrame.bind(window);
  const times: number[] = [];
  Object.assign(window, { __drawTimes: times, __rawAnimationFrame: raw });
  window.requestAnimationFrame = (callback) => {
    const draws = callback.toString().includes('drawNow');
    return raw((at) => {
      const start = performance.now();
      callback(at);
      if (draws) times.push(performance.now() - start);
    });
  };
}

async function withFlamePage<T>(
  profilePath: string,
  options: MeasureOptions & { timeDraws?: boolean },
  use: (page: Page, firstPaint: FirstPaint) => Promise<T>,
): Promise<T> {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'goperf-measure-'));
  const browser = options.browser ?? (await launchBrowser());
  try {
    const html = standalonePageFromCli(profilePath, join(dir, 'flame.html'));
    const page = await browser.newPage({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 } });
    try {
      if (options.timeDraws) await page.addInitScript(timeDrawCallbacks);
      await page.goto(pathToFileURL(html).href);
      const state = await waitForState(page, ['rendered', 'error'], 300_000);
      if (state !== 'rendered') {
        const message = await page.evaluate(() => document.querySelector('.message')?.textContent ?? '');
        throw new Error(`the flame graph page for ${profilePath} shows an error: ${message}`);
      }
      const hooks = await page.evaluate(() => window.__goperfFlame!.state());
      if (!hooks.timings) throw new Error('the page rendered without recording its timings');
      const firstPaint: FirstPaint = {
        millis: hooks.timings.firstPaintMillis,
        decodeMillis: hooks.timings.decodeMillis,
        aggregateMillis: hooks.timings.aggregateMillis,
        drawMillis: hooks.timings.drawMillis,
        decodedIn: hooks.timings.decodedIn,
        nodeCount: hooks.nodeCount,
      };
      return await use(page, firstPaint);
    } finally {
      await page.close();
    }
  } finally {
    if (!options.browser) await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function measureFirstPaint(profilePath: string, options: MeasureOptions = {}): Promise<FirstPaint> {
  return withFlamePage(profilePath, options, async (_page, firstPaint) => firstPaint);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * The first paint, then a scripted session with real mouse and keyboard
 * input: click frames at many depths to zoom in, scroll the graph down and
 * up (a draw only when it can scroll), step back with Escape; each step
 * waits for the frame to be drawn.
 */
export async function measureFlameSession(
  profilePath: string,
  options: MeasureOptions & { rounds?: number } = {},
): Promise<{ firstPaint: FirstPaint; draws: FrameTimes }> {
  const rounds = options.rounds ?? 30;
  return withFlamePage(profilePath, { ...options, timeDraws: true }, async (page, firstPaint) => {
    const nextFrame = () =>
      page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            const raw = (window as unknown as { __rawAnimationFrame: typeof requestAnimationFrame }).__rawAnimationFrame;
            raw(() => raw(() => resolve()));
          }),
      );
    const viewport = page.viewportSize()!;
    for (let round = 0; round < rounds; round++) {
      // A visible frame wide enough to click, picked pseudo-randomly; three zooms in
      // for every two steps back, so the session works its way down the tree.
      const frames = await page.evaluate(() => window.__goperfFlame!.frames());
      const candidates = frames.filter((f) => !f.ancestor && f.width >= 8 && f.y > 40 && f.y + f.height < viewport.height - 10 && f.depth > 0);
      if (candidates.length > 0) {
        const frame = candidates[(round * 7919) % candidates.length];
        await page.mouse.click(frame.x + frame.width / 2, frame.y + frame.height / 2);
        await nextFrame();
      }
      await page.mouse.move(viewport.width / 2, viewport.height / 2);
      await page.mouse.wheel(0, 600);
      await nextFrame();
      await page.mouse.wheel(0, -300);
      await nextFrame();
      if (round % 3 === 2) {
        for (let back = 0; back < 2; back++) {
          await page.keyboard.press('Escape');
          await nextFrame();
        }
      }
    }
    const times = await page.evaluate(() => (window as unknown as { __drawTimes: number[] }).__drawTimes);
    if (times.length === 0) throw new Error('the session drew no frame');
    return {
      firstPaint,
      draws: { frames: times.length, drawP50: percentile(times, 50), drawP95: percentile(times, 95), drawMax: Math.max(...times) },
    };
  });
}

/** First paints of `runs` fresh pages (the median) and the drawing session of the last one. */
async function main(file: string, runs: number): Promise<void> {
  const browser = await launchBrowser();
  try {
    const paints: number[] = [];
    for (let i = 1; i < runs; i++) paints.push((await measureFirstPaint(file, { browser })).millis);
    const { firstPaint, draws } = await measureFlameSession(file, { browser });
    paints.push(firstPaint.millis);
    console.log(JSON.stringify({ firstPaintMillis: percentile(paints, 50), paints, firstPaint, draws }));
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  const file = process.argv[2];
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
  if (!file) {
    console.error('usage: node --import tsx test/webview/measure.ts PROFILE [--runs N]');
    process.exitCode = 2;
  } else {
    main(file, runs).catch((error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    });
  }
}
