// Shared pieces of the webview tests: real profiles from the sample module,
// go tool pprof as the oracle, pages that host the bundled webview the way
// the CLI (standalone file) and VS Code (webview with a host script) do, and
// a headless Chromium to load them in.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { WebviewToHost } from '../../src/core/protocol';
import { renderProfilePageHtml } from '../../src/core/webviewHtml';

/** What the test page's stand-in for the VS Code API collected from the page's postMessage calls. */
declare global {
  interface Window {
    __posted: WebviewToHost[];
  }
}

export const repoRoot = resolve(__dirname, '..', '..');
export const sampleDir = join(repoRoot, 'sample');
export const flameScript = join(repoRoot, 'dist', 'webviews', 'flame.js');
export const cliScript = join(repoRoot, 'dist', 'cli.js');
export const resultsDir = join(repoRoot, 'test-results', 'webview');

export function requireBuild(): void {
  if (!existsSync(flameScript)) {
    throw new Error(`${flameScript} is missing: run \`npm run build\` (npm test does it) before the webview tests`);
  }
}

// ---- profiles and the go tool pprof oracle -------------------------------

export function runGo(args: string[], cwd = sampleDir): string {
  return execFileSync('go', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

export function makeCpuProfile(dir: string): string {
  const profile = join(dir, 'cpu.pprof');
  runGo(['test', '-run', '^$', '-bench', 'BenchmarkFib|BenchmarkParse', '-benchtime', '300ms',
    '-cpuprofile', profile, '-o', join(dir, 'workload.test'), './workload']);
  return profile;
}

export function makeMemProfile(dir: string): string {
  const profile = join(dir, 'mem.pprof');
  // A low sampling rate gives the heap profile enough stacks to differ per sample type.
  runGo(['test', '-run', '^$', '-bench', 'BenchmarkBuildTree|BenchmarkParse', '-benchtime', '200ms',
    '-memprofile', profile, '-memprofilerate', '512', '-o', join(dir, 'workload.test'), './workload']);
  return profile;
}

/** pprof's printed values: "380000000ns" with -unit=ns, "1234B" with -unit=B, plain counts; the unit is dropped. */
function parseValue(text: string): number {
  const match = /^(-?[\d.]+(?:e[+-]?\d+)?)([a-zA-Z]*)$/.exec(text);
  if (!match) throw new Error(`unexpected pprof value ${JSON.stringify(text)}`);
  return Number(match[1]);
}

/** 'ns' and 'B' print raw values; 'auto' scales each value on its own (pprof's default scales a whole table alike). */
type PprofUnit = 'ns' | 'B' | 'auto';

function rawUnitFlag(unit: PprofUnit | undefined): string[] {
  return unit ? [`-unit=${unit}`] : [];
}

export interface PprofTopRow {
  flat: number;
  cum: number;
  name: string;
  /** The columns as pprof printed them. */
  text: { flat: string; flatPercent: string; cum: string; cumPercent: string };
}

export interface PprofTop {
  /** The sample type shown ("Type:" line), the profile's default unless -sample_index chose one. */
  type: string;
  total: number;
  rows: PprofTopRow[];
}

/** `go tool pprof -top` with raw values, every function (no node count limit). */
export function pprofTop(file: string, options: { sampleIndex?: string; cum?: boolean; unit?: PprofUnit } = {}): PprofTop {
  const args = ['tool', 'pprof', '-top', '-nodecount=1000000', '-nodefraction=0', '-edgefraction=0', ...rawUnitFlag(options.unit)];
  if (options.sampleIndex) args.push(`-sample_index=${options.sampleIndex}`);
  if (options.cum) args.push('-cum');
  args.push(file);
  const output = runGo(args);
  const totalMatch = /of (\S+) total/.exec(output);
  const typeMatch = /^Type: (\S+)$/m.exec(output);
  if (!totalMatch || !typeMatch) throw new Error(`no type or total in go tool pprof output:\n${output}`);
  const rows: PprofTopRow[] = [];
  for (const line of output.split('\n')) {
    const match = /^\s*(\S+)\s+(\S+%)\s+\S+%\s+(\S+)\s+(\S+%)\s+(.+?)(?: \((?:partial-)?inline\))?$/.exec(line);
    if (!match) continue;
    const [, flat, flatPercent, cum, cumPercent, name] = match;
    rows.push({ flat: parseValue(flat), cum: parseValue(cum), name, text: { flat, flatPercent, cum, cumPercent } });
  }
  return { type: typeMatch[1], total: parseValue(totalMatch[1]), rows };
}

export interface PprofTrace {
  value: number;
  /** Root first (pprof prints leaf first; reversed here to read like the flame graph). */
  stack: string[];
}

/** `go tool pprof -traces`: every sample's stack and raw value. */
export function pprofTraces(file: string, options: { sampleIndex?: string; unit?: 'ns' | 'B' } = {}): PprofTrace[] {
  const args = ['tool', 'pprof', '-traces', ...rawUnitFlag(options.unit)];
  if (options.sampleIndex) args.push(`-sample_index=${options.sampleIndex}`);
  args.push(file);
  const blocks = runGo(args).split(/^-+\+-+$/m).slice(1);
  const traces: PprofTrace[] = [];
  for (const block of blocks) {
    let value: number | undefined;
    const frames: string[] = [];
    for (const line of block.split('\n')) {
      if (!line.trim()) continue;
      if (value === undefined) {
        const head = /^\s*(\S+)\s{2,}(.+)$/.exec(line);
        // Label lines ("bytes:  16B") come before the value line.
        if (!head || head[1].endsWith(':')) continue;
        value = parseValue(head[1]);
        frames.push(head[2].trim());
      } else {
        frames.push(line.trim());
      }
    }
    if (value === undefined || value === 0) continue;
    traces.push({ value, stack: frames.map((f) => f.replace(/ \((?:partial-)?inline\)$/, '')).reverse() });
  }
  return traces;
}

/**
 * Follows the heaviest branch from the root through the traces: at each
 * depth, the frame whose traces (sharing the path so far) sum highest.
 * Returns the path with each step's value and its runner-up sibling's value.
 */
export function heaviestPath(traces: PprofTrace[], depth: number): { name: string; value: number; runnerUp: number }[] {
  const path: { name: string; value: number; runnerUp: number }[] = [];
  let current = traces;
  for (let level = 0; level < depth; level++) {
    const sums = new Map<string, number>();
    for (const trace of current) {
      const frame = trace.stack[level];
      if (frame !== undefined) sums.set(frame, (sums.get(frame) ?? 0) + trace.value);
    }
    if (sums.size === 0) break;
    const ranked = [...sums].sort((a, b) => b[1] - a[1]);
    const [name, value] = ranked[0];
    path.push({ name, value, runnerUp: ranked[1]?.[1] ?? 0 });
    current = current.filter((trace) => trace.stack[level] === name);
  }
  return path;
}

// ---- pages ---------------------------------------------------------------

function nonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The page the extension gives its webview (src/core/webviewHtml.ts, script
 * from the resource origin), plus what VS Code itself adds before the page's
 * scripts run: the theme variables on <html> (set by script, as VS Code does)
 * and acquireVsCodeApi, which here records every message the webview posts.
 */
export function vscodeHostPageHtml(resourceOrigin: string, theme: Record<string, string>, bodyClass: string, script = 'flame.js'): string {
  const n = nonce();
  const html = renderProfilePageHtml({
    nonce: n,
    title: 'goperf flame graph',
    cspSource: resourceOrigin,
    scriptUri: `${resourceOrigin}/${script}`,
  });
  const setup = `
    window.__posted = [];
    window.acquireVsCodeApi = () => ({
      postMessage: (message) => window.__posted.push(message),
      getState: () => undefined,
      setState: () => {},
    });
    const theme = ${JSON.stringify(theme)};
    for (const [name, value] of Object.entries(theme)) document.documentElement.style.setProperty(name, value);
    document.body.className = ${JSON.stringify(bodyClass)};
  `;
  const withHost = html.replace('<body>\n', `<body>\n<script nonce="${n}">${setup}</script>\n`);
  if (withHost === html) throw new Error('the webview page template has no <body> line to add the host script after');
  return withHost;
}

/** Rewrites directives of a page's Content-Security-Policy; an empty value removes the directive. */
export function withPolicy(html: string, changes: Record<string, string>): string {
  const pattern = /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/;
  const match = pattern.exec(html);
  if (!match) throw new Error('the page has no Content-Security-Policy meta tag');
  const directives = new Map<string, string>();
  for (const directive of match[2].split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name && !directives.has(name)) directives.set(name, sources.join(' '));
  }
  for (const [name, sources] of Object.entries(changes)) {
    if (sources) directives.set(name, sources);
    else directives.delete(name);
  }
  const policy = [...directives].map(([name, sources]) => `${name} ${sources}`).join('; ');
  return html.replace(pattern, `$1${policy}$3`);
}

/** VS Code's Dark Modern theme colours (the variables a webview receives), trimmed to what matters here. */
export const darkModern: Record<string, string> = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-errorForeground': '#f85149',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-editorWidget-border': '#313131',
  '--vscode-editorHoverWidget-background': '#202020',
  '--vscode-editorHoverWidget-foreground': '#cccccc',
  '--vscode-editorHoverWidget-border': '#454545',
  '--vscode-widget-shadow': 'rgba(0, 0, 0, 0.36)',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-button-secondaryHoverBackground': '#3c3c3c',
  '--vscode-input-background': '#313131',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-input-placeholderForeground': '#989898',
  '--vscode-settings-textInputBackground': '#313131',
  '--vscode-settings-textInputForeground': '#cccccc',
  '--vscode-settings-textInputBorder': '#3c3c3c',
  '--vscode-settings-dropdownBackground': '#313131',
  '--vscode-settings-dropdownForeground': '#cccccc',
  '--vscode-settings-dropdownBorder': '#3c3c3c',
  '--vscode-settings-dropdownListBorder': '#454545',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-list-activeSelectionBackground': '#04395e',
  '--vscode-list-activeSelectionForeground': '#ffffff',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-badge-background': '#616161',
  '--vscode-badge-foreground': '#f8f8f8',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
};

/** Serves the webview script like VS Code's resource origin, plus one HTML page. */
export class ResourceServer {
  private server: Server | undefined;
  origin = '';
  private page = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const bundle = /^\/(flame|timeline)\.js$/.exec(request.url ?? '');
      if (bundle) {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        response.end(readFileSync(join(repoRoot, 'dist', 'webviews', `${bundle[1]}.js`)));
      } else if (request.url === '/' || request.url === '/index.html') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(this.page);
      } else if (request.url === '/favicon.ico') {
        response.writeHead(204).end();
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolveListen) => this.server!.listen(0, '127.0.0.1', resolveListen));
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
  }

  setPage(html: string): void {
    this.page = html;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolveClose) => this.server?.close(() => resolveClose()));
  }
}

/** Sends a profile to a host-emulation page the way the extension does. */
export async function sendLoad(page: Page, file: string, fileName = basename(file)): Promise<void> {
  const base64 = readFileSync(file).toString('base64');
  await page.evaluate(
    ({ fileName, base64 }) => {
      const binary = atob(base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      window.postMessage({ type: 'load', fileName, bytes }, '*');
    },
    { fileName, base64 },
  );
}

// ---- browser -------------------------------------------------------------

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Collects console errors and CSP violations so a test can assert there were none. */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

export async function waitForState(page: Page, states: string[] = ['rendered', 'error'], timeout = 60_000): Promise<string> {
  await page.waitForFunction((wanted) => wanted.includes(document.body?.dataset.state ?? ''), states, { timeout });
  return page.evaluate(() => document.body.dataset.state ?? '');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export function standalonePageFromCli(profile: string, out: string, sampleIndex?: string): string {
  const args = [cliScript, 'flame', profile, '-o', out];
  if (sampleIndex) args.push('--sample-index', sampleIndex);
  execFileSync(process.execPath, args, { encoding: 'utf8' });
  return out;
}
