// Runs the packaged extension in a real VS Code: code-server (installed by
// scripts/e2e-setup.sh) serving the workbench to headless Debian Chromium,
// driven with playwright-core. Each session gets its own temp folder holding a
// copy of sample/ as the workspace, the user data, the extensions dir and the
// server log, so tests never touch the repo or the user's own VS Code.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

const execFileAsync = promisify(execFile);

export const repoRoot = resolve(dirname(__filename), '..', '..');
export const screenshotDir = join(repoRoot, 'test-results', 'e2e');
const codeServerDir = process.env.GOPERF_CODE_SERVER_DIR ?? join(repoRoot, '.cache', 'code-server');
const codeServerBin = join(codeServerDir, 'node_modules', '.bin', 'code-server');
const chromiumPath = process.env.GOPERF_CHROMIUM ?? '/usr/bin/chromium';
const extensionId = 'goperf.goperf';

/** Upper bound for one user-visible step (a click and what it sets off). */
export const stepTimeoutMs = 60_000;

export interface VsCodeSession {
  page: Page;
  /** The workspace folder: a throwaway copy of sample/. */
  workspace: string;
  /** VS Code's user data dir; extension storage lives under User/workspaceStorage. */
  userDataDir: string;
  /** Runs a command palette entry by its exact title (category included). */
  runCommand(title: string): Promise<void>;
  /** Picks the quick-pick entry whose label is exactly `label`. */
  pickQuickItem(label: string): Promise<void>;
  /** Opens a workspace file in an editor through quick open. */
  openFile(relativePath: string): Promise<void>;
  /** Moves the cursor of the active editor to a 1-based line, scrolling it into view. */
  goToLine(line: number): Promise<void>;
  /** Clicks the CodeLens titled `title` that sits above the editor line containing `lineText`. */
  clickCodeLens(lineText: string, title: string): Promise<void>;
  screenshot(name: string): Promise<string>;
  /** The content document of the visible webview contributed by this extension. */
  visibleWebview(): FrameLocator;
  /**
   * Runs one step of a test under a time limit; when it fails, saves a
   * screenshot and prints what the workbench and the server logged.
   */
  step<T>(name: string, action: () => Promise<T>, timeoutMs?: number): Promise<T>;
  /** Text of the notification toasts currently shown, for failure messages. */
  notifications(): Promise<string[]>;
  /** Dismisses all notifications, e.g. so they do not cover a screenshot. */
  clearNotifications(): Promise<void>;
  close(): Promise<void>;
}

let packagedVsix: Promise<string> | undefined;

/** Builds goperf.vsix once per test process with the project's own script. */
export function packageExtension(): Promise<string> {
  packagedVsix ??= (async () => {
    try {
      await execFileAsync('npm', ['run', 'package'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run package failed:\n${tail(stdout + stderr, 40)}`);
    }
    const vsix = join(repoRoot, 'goperf.vsix');
    if (!existsSync(vsix)) throw new Error(`npm run package succeeded but wrote no ${vsix}`);
    return vsix;
  })();
  return packagedVsix;
}

/** `workspaceSettings` go into the workspace's .vscode/settings.json before VS Code starts, so the first command already sees them. */
export async function launchVsCode(options: { name: string; workspaceSettings?: Record<string, unknown> }): Promise<VsCodeSession> {
  if (!existsSync(codeServerBin)) {
    throw new Error(`code-server not found at ${codeServerBin}; run scripts/e2e-setup.sh first`);
  }
  const vsix = await packageExtension();

  const root = mkdtempSync(join(tmpdir(), `goperf-e2e-${options.name}-`));
  const workspace = join(root, 'workspace');
  const userData = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const serverLogPath = join(root, 'code-server.log');
  // code-server keeps its own config and logs under XDG_DATA_HOME and a config
  // file; both are pointed into the session folder. XDG_CONFIG_HOME stays, as
  // the go command reads its settings (GOFLAGS, GOTOOLCHAIN…) from there.
  const env = { ...process.env, XDG_DATA_HOME: join(root, 'data') };
  const configFile = join(root, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');

  try {
    cpSync(join(repoRoot, 'sample'), workspace, {
      recursive: true,
      filter: (source) => !/\.(test|pprof|prof|out)$/.test(source),
    });
    if (options.workspaceSettings) {
      mkdirSync(join(workspace, '.vscode'), { recursive: true });
      writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(options.workspaceSettings, null, 2));
    }
    writeUserSettings(userData);
    await execFileAsync(
      codeServerBin,
      ['--config', configFile, '--user-data-dir', userData, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
      { env, timeout: stepTimeoutMs },
    );
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`preparing the code-server session failed: ${(error as Error).message}\n${tail(stdout + stderr, 20)}`);
  }

  const port = await freePort();
  const logFd = openSync(serverLogPath, 'a');
  // detached: the server gets its own process group, so closing the session
  // can end it together with the extension host and everything it started.
  const server = spawn(
    codeServerBin,
    [
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir', userData,
      '--extensions-dir', extensionsDir,
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const killOnExit = () => killGroup(server, 'SIGKILL');
  process.once('exit', killOnExit);

  let browser: Browser | undefined;
  let closed = false;
  const readServerLog = () => (existsSync(serverLogPath) ? readFileSync(serverLogPath, 'utf8') : '');

  const close = async () => {
    if (closed) return;
    closed = true;
    await browser?.close().catch(() => undefined);
    await stopServer(server);
    process.removeListener('exit', killOnExit);
    if (process.env.GOPERF_E2E_KEEP) console.log(`e2e session files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };

  try {
    await waitForServer(server, port, readServerLog);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(stepTimeoutMs);
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    // The theme class shows the user settings were applied, so screenshots
    // are not taken of the light default.
    await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: stepTimeoutMs });
    // The explorer lists the folder once the remote file system answers.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: stepTimeoutMs });

    const session: VsCodeSession = {
      page,
      workspace,
      userDataDir: userData,
      runCommand: (title) => runCommand(page, title),
      pickQuickItem: (label) => pickQuickItem(page, label),
      openFile: (relativePath) => openFile(page, relativePath),
      goToLine: (line) => goToLine(page, line),
      clickCodeLens: (lineText, title) => clickCodeLens(page, lineText, title),
      screenshot: (name) => screenshot(page, name),
      visibleWebview: () => visibleWebview(page),
      notifications: () => notifications(page),
      clearNotifications: () => runCommand(page, 'Notifications: Clear All Notifications'),
      step: async (name, action, timeoutMs = stepTimeoutMs) => {
        try {
          return await withTimeout(name, action(), timeoutMs);
        } catch (error) {
          await reportFailure(name, page, userData, readServerLog(), consoleErrors);
          throw error;
        }
      },
      close,
    };
    return session;
  } catch (error) {
    console.error(`code-server log (tail):\n${tail(readServerLog(), 40)}`);
    await close();
    throw error;
  }
}

function writeUserSettings(userData: string): void {
  const settings = {
    // Benchmarks only run in trusted folders; the throwaway copy is trusted
    // without the modal dialog.
    'security.workspace.trust.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'chat.commandCenter.enabled': false,
    'window.commandCenter': false,
    'editor.minimap.enabled': false,
  };
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

async function quickInput(page: Page): Promise<Locator> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  return input;
}

async function openPalette(page: Page): Promise<Locator> {
  // F1 reaches the workbench in Chromium, where Ctrl+Shift+P and Ctrl+P can
  // be taken by the browser.
  await page.keyboard.press('F1');
  return quickInput(page);
}

function exactRow(page: Page, label: string): Locator {
  return page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
    .first();
}

async function runCommand(page: Page, title: string): Promise<void> {
  const input = await openPalette(page);
  await input.fill(`>${title}`);
  await exactRow(page, title).click();
}

async function pickQuickItem(page: Page, label: string): Promise<void> {
  await quickInput(page);
  await exactRow(page, label).click();
}

async function openFile(page: Page, relativePath: string): Promise<void> {
  const input = await openPalette(page);
  // Without the leading '>' the palette searches files (quick open).
  await input.fill(relativePath);
  const fileName = relativePath.split('/').pop()!;
  const row = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(fileName)}\\s*$`) }) })
    .filter({ has: page.locator('.label-description', { hasText: relativePath.split('/').slice(0, -1).join('/') }) })
    .first();
  await row.click();
  await page.locator(`.editor-group-container.active .tab.active[data-resource-name="${fileName}"]`).waitFor();
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor();
}

async function goToLine(page: Page, line: number): Promise<void> {
  const input = await openPalette(page);
  await input.fill(`:${line}`);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: `line ${line}` }).waitFor();
  await input.press('Enter');
  await page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${line}, Col`) }).waitFor();
}

async function clickCodeLens(page: Page, lineText: string, title: string): Promise<void> {
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  await editor.locator('.view-line', { hasText: lineText }).first().waitFor();
  await editor.locator('.codelens-decoration a', { hasText: title }).filter({ visible: true }).first().waitFor();
  // Lenses are drawn in view zones above their line, so the one for this line is
  // the lowest lens that still ends above it. Lenses resolving and sticky scroll
  // move lines after they appear, so the point is taken once it holds still and
  // clicked with the mouse at once (a locator re-resolved at click time could
  // be another benchmark's lens by then).
  const where = () =>
    editor.evaluate(
      (root, { lineText, title }) => {
        // The editor draws spaces as no-break spaces. (No named helper here: the
        // test runner's transform would wrap it in a function the page lacks.)
        const line = [...root.querySelectorAll<HTMLElement>('.view-line')].find((el) => (el.textContent ?? '').replace(/\u00a0/g, ' ').includes(lineText));
        if (!line) return undefined;
        const lineTop = line.getBoundingClientRect().top;
        let best: { box: DOMRect } | undefined;
        for (const link of root.querySelectorAll<HTMLElement>('.codelens-decoration a')) {
          if (!(link.textContent ?? '').replace(/\u00a0/g, ' ').includes(title) || link.offsetParent === null) continue;
          const box = link.getBoundingClientRect();
          if (box.bottom <= lineTop + 1 && (!best || box.bottom > best.box.bottom)) best = { box };
        }
        return best && { x: best.box.left + best.box.width / 2, y: best.box.top + best.box.height / 2 };
      },
      { lineText, title },
    );
  let previous = await where();
  for (let tries = 0; tries < 20; tries++) {
    await new Promise((wake) => setTimeout(wake, 250));
    const now = await where();
    if (now && previous && now.x === previous.x && now.y === previous.y) {
      await page.mouse.click(now.x, now.y);
      return;
    }
    previous = now;
  }
  throw new Error(`no steady "${title}" CodeLens above the line containing "${lineText}"`);
}

async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

function visibleWebview(page: Page): FrameLocator {
  // A webview is an iframe (class "webview") hosting VS Code's own page, which
  // loads the extension's HTML into a nested iframe#active-frame. Hidden
  // webviews keep their iframes, so only the visible one counts.
  return page
    .locator(`iframe.webview.ready[src*="extensionId=${extensionId}"]`)
    .filter({ visible: true })
    .first()
    .contentFrame()
    .locator('iframe#active-frame')
    .contentFrame();
}

async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts();
}

async function reportFailure(step: string, page: Page, userData: string, serverLog: string, consoleErrors: string[]) {
  const safeName = step.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const shot = await screenshot(page, `failed-${safeName}`).catch(() => 'none');
  const toasts = await notifications(page).catch(() => []);
  const lines = [
    `e2e step "${step}" failed; screenshot: ${shot}`,
    `notifications: ${toasts.length ? toasts.join(' | ') : 'none'}`,
    `browser console errors (last 10):\n${consoleErrors.slice(-10).join('\n') || 'none'}`,
    `code-server log (tail):\n${tail(serverLog, 30)}`,
  ];
  for (const log of findLogs(join(userData, 'logs'))) {
    lines.push(`${relative(userData, log)} (tail):\n${tail(readFileSync(log, 'utf8'), 30)}`);
  }
  console.error(lines.join('\n\n'));
}

/** The extension host log and this extension's output channels. */
function findLogs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findLogs(path));
    else if (name === 'remoteexthost.log' || (/goperf/i.test(name) && name.endsWith('.log'))) found.push(path);
  }
  return found;
}

async function withTimeout<T>(name: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`e2e step "${name}" took longer than ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitForServer(server: ChildProcess, port: number, readLog: () => string): Promise<void> {
  const deadline = Date.now() + stepTimeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before serving:\n${tail(readLog(), 30)}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
  throw new Error(`code-server did not answer on port ${port} within ${stepTimeoutMs / 1000}s:\n${tail(readLog(), 30)}`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  // The group outlives its leader when the extension host or a go process
  // it started is still running, so it is signalled even after the exit.
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopServer(server: ChildProcess): Promise<void> {
  const running = server.exitCode === null && server.signalCode === null;
  const exited = running ? new Promise<void>((done) => server.once('exit', () => done())) : Promise.resolve();
  killGroup(server, 'SIGTERM');
  await Promise.race([exited, new Promise((wake) => setTimeout(wake, 5000))]);
  killGroup(server, 'SIGKILL');
  await exited;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The first file called `name` below `dir` (files the extension wrote to its storage, say). */
export function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry === name) {
      return path;
    }
  }
  return undefined;
}
