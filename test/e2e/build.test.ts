// End to end: build presets of the sample module in a real VS Code
// (code-server). A good preset leaves its binary where the preset says and
// shows its size (checked against the file itself and go version -m); a
// broken package puts the compiler's error in Problems and leaves the
// previous binary untouched.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchVsCode, type VsCodeSession } from './harness';

const execFileAsync = promisify(execFile);
const buildTimeoutMs = 120_000;

async function waitForNotification(vscode: VsCodeSession, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await vscode.notifications();
    const hit = seen.find((text) => pattern.test(text));
    if (hit) return hit;
    await new Promise((wake) => setTimeout(wake, 300));
  }
  throw new Error(`no notification matching ${pattern} within ${timeoutMs / 1000}s; shown: ${seen.join(' | ') || 'none'}`);
}

/**
 * Runs goperf: Build… and picks a preset. The settings file is written after
 * the workbench started, so until VS Code has read it Build… goes straight
 * to a new build: close that and ask again.
 */
async function buildPreset(vscode: VsCodeSession, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await vscode.runCommand('goperf: Build…');
    const preset = vscode.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name', { hasText: new RegExp(`^\\s*${name}\\s*$`) }).first();
    const newBuild = vscode.page.locator('.quick-input-widget .quick-input-title', { hasText: 'goperf: Build (1/3)' });
    await preset.or(newBuild).first().waitFor();
    if (await preset.isVisible()) return vscode.pickQuickItem(name);
    if (Date.now() > deadline) throw new Error('goperf: Build… never offered the presets of .vscode/settings.json');
    await vscode.page.keyboard.press('Escape');
    await new Promise((wake) => setTimeout(wake, 1000));
  }
}

/** "7.21MB" → bytes, in pprof's units (kB/MB = 2¹⁰/2²⁰ bytes). */
function parseSize(text: string): { bytes: number; precision: number } {
  const m = /^([\d.]+)(B|kB|MB|GB)$/.exec(text);
  assert.ok(m, `not a size: ${text}`);
  const scale = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[2] as 'B' | 'kB' | 'MB' | 'GB'];
  return { bytes: Number(m[1]) * scale, precision: 0.01 * scale };
}

describe('goperf build in VS Code (code-server)', { timeout: 6 * 60_000 }, () => {
  let vscode: VsCodeSession;
  const brokenSource = ['package main', '', 'func main() {', '\tundefinedThing()', '}', ''].join('\n');

  before(
    async () => {
      vscode = await launchVsCode({ name: 'build' });
      mkdirSync(join(vscode.workspace, 'broken'));
      writeFileSync(join(vscode.workspace, 'broken', 'main.go'), brokenSource);
      mkdirSync(join(vscode.workspace, 'bin'));
      writeFileSync(join(vscode.workspace, 'bin', 'broken'), 'the previous binary');
      mkdirSync(join(vscode.workspace, '.vscode'));
      writeFileSync(
        join(vscode.workspace, '.vscode', 'settings.json'),
        JSON.stringify({
          'goperf.build.presets': [
            { name: 'server release', packages: ['./cmd/server'], flags: ['-trimpath'], ldflags: ['-s', '-w'], ldflagsX: { 'main.version': 'v1 e2e' }, output: 'bin/server' },
            { name: 'broken', packages: ['./broken'], output: 'bin/broken' },
          ],
        }),
      );
    },
    { timeout: 5 * 60_000 },
  );

  after(() => vscode?.close(), { timeout: 60_000 });

  test('a preset builds the binary and shows its size, then its change', { timeout: 2 * buildTimeoutMs }, async () => {
    await vscode.step('run goperf: Build… and pick the preset', async () => {
      await buildPreset(vscode, 'server release');
    });
    const shown = await vscode.step(
      'the size is reported',
      () => waitForNotification(vscode, /built server release — /, buildTimeoutMs),
      buildTimeoutMs + 5_000,
    );
    const binary = join(vscode.workspace, 'bin', 'server');
    const m = /bin\/server: (\S+) \(first build of this preset for this target\)/.exec(shown);
    assert.ok(m, shown);
    const size = parseSize(m[1]);
    assert.ok(Math.abs(size.bytes - statSync(binary).size) <= size.precision, `shown ${m[1]}, file has ${statSync(binary).size} bytes`);
    const info = execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' });
    assert.match(info, /^\tpath\texample\.com\/goperf-sample\/cmd\/server$/m);
    assert.match(info, /^\tbuild\t-trimpath=true$/m);
    await vscode.screenshot('build-size');

    await vscode.clearNotifications();
    await vscode.step('goperf: Build Again', () => vscode.runCommand('goperf: Build Again'));
    const again = await vscode.step('the change is reported', () => waitForNotification(vscode, /built server release — /, buildTimeoutMs), buildTimeoutMs + 5_000);
    // The same sources and flags give the same binary (-trimpath keeps paths out).
    assert.match(again, /bin\/server: \S+ \(unchanged since the previous build\)/);
  });

  test('a failing preset puts the compiler error in Problems and keeps the previous binary', { timeout: buildTimeoutMs }, async () => {
    await vscode.clearNotifications();
    await vscode.step('run goperf: Build… and pick the broken preset', () => buildPreset(vscode, 'broken'));
    const shown = await vscode.step('the failure is reported', () => waitForNotification(vscode, /The build failed/, buildTimeoutMs), buildTimeoutMs + 5_000);
    assert.match(shown, /broken\/main\.go:4:2: undefined: undefinedThing/);
    await vscode.step('Problems lists the error at its line', async () => {
      await vscode.page.locator('.notification-toast .monaco-button', { hasText: 'Show Problems' }).first().click();
      const row = vscode.page.locator('.markers-panel .monaco-list-row', { hasText: 'undefined: undefinedThing' }).first();
      await row.waitFor();
      assert.match(await row.innerText(), /\[Ln 4, Col 2\]/);
      await vscode.page.locator('.markers-panel .monaco-list-row', { hasText: 'main.go' }).first().waitFor();
    });
    await vscode.screenshot('build-problems');
    assert.equal(readFileSync(join(vscode.workspace, 'bin', 'broken'), 'utf8'), 'the previous binary');
  });

  test('the preset as a goperf task: the $goperf-go problem matcher reports the error', { timeout: buildTimeoutMs }, async () => {
    await vscode.clearNotifications();
    await vscode.step('run the task goperf: broken', async () => {
      await vscode.runCommand('Tasks: Run Task');
      await vscode.pickQuickItem('goperf');
      await vscode.pickQuickItem('goperf: broken');
    });
    await vscode.step('Problems lists the matcher\'s error', async () => {
      // The command's error and the matcher's: two errors in the status bar once the task has ended.
      await vscode.page.locator('#status\\.problems', { hasText: /^\s*2\s/ }).waitFor();
      // A click, not keys: keys would go to the task's ended terminal and close it, and its problems with it.
      await vscode.page.locator('.part.panel .composite-bar .action-item', { hasText: /Problems/i }).first().click();
      // The matcher's problems carry the matcher's source ("go build"); the command's name the package.
      const row = vscode.page.locator('.markers-panel .monaco-list-row', { hasText: /undefined: undefinedThing\s*go build\s*\[Ln 4, Col 2\]/ }).first();
      await row.waitFor();
    });
    await vscode.screenshot('build-task-problems');
  });

  test('compiler decisions appear on their lines, as go build -gcflags=-m=2 reports them', { timeout: buildTimeoutMs }, async () => {
    const { stderr } = await execFileAsync('go', ['build', '-gcflags=-m=2', '-o', '/dev/null', '.'], { cwd: join(vscode.workspace, 'workload') });
    const m = /^\.\/workload\.go:(\d+):(\d+): cannot inline MakeLog: (.*)$/m.exec(stderr);
    assert.ok(m, stderr);
    await vscode.step('toggle the decisions for workload.go', async () => {
      await vscode.runCommand('View: Close All Editor Groups');
      await vscode.openFile('workload/workload.go');
      await vscode.runCommand('goperf: Toggle Compiler Decisions (Inlining, Escapes, Bounds Checks)');
    });
    await vscode.step('Problems lists the inlining decision at its place', async () => {
      await vscode.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      const text = `cannot inline: ${m[3]}`;
      const row = vscode.page.locator('.markers-panel .monaco-list-row', { hasText: text }).first();
      await row.waitFor();
      assert.match(await row.innerText(), new RegExp(`go compiler.*\\[Ln ${m[1]}, Col ${m[2]}\\]`, 's'));
    });
    await vscode.screenshot('build-compiler-decisions');
  });

  test('the multi-target check lists errors under their target, opens them on click, and names the target in Problems', { timeout: buildTimeoutMs }, async () => {
    const quickRow = (label: string) =>
      vscode.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: vscode.page.locator('.label-name', { hasText: new RegExp(`^\\s*${label}\\s*$`) }) }).first();
    const input = vscode.page.locator('.quick-input-widget .quick-input-box input');
    await vscode.clearNotifications();
    await vscode.step('check linux/amd64 only (the host port: its packages are cached)', async () => {
      await vscode.runCommand('goperf: Check Build for Several Targets…');
      // The picker opens with a few common ports ticked; untick all but linux/amd64.
      for (const port of ['windows/amd64', 'darwin/arm64']) {
        await input.fill(port);
        const row = quickRow(port);
        await row.waitFor();
        if ((await row.getAttribute('aria-checked')) === 'true') await row.click();
        assert.equal(await row.getAttribute('aria-checked'), 'false', port);
      }
      await input.fill('linux/amd64');
      assert.equal(await quickRow('linux/amd64').getAttribute('aria-checked'), 'true');
      await input.fill('');
      await vscode.page.keyboard.press('Enter');
      await vscode.pickQuickItem('go build');
    });
    await vscode.step('the check fails for linux/amd64', () => waitForNotification(vscode, /go build fails for linux\/amd64/, buildTimeoutMs), buildTimeoutMs + 5_000);
    await vscode.step('the view shows the error under its target; a click opens it at its line', async () => {
      const view = vscode.page.locator('.pane', { has: vscode.page.locator('.pane-header', { hasText: /goperf Build Check/i }) });
      await view.locator('.monaco-list-row', { hasText: /^\s*linux\/amd64/ }).first().waitFor();
      await vscode.screenshot('build-check-view');
      await view.locator('.monaco-list-row', { hasText: 'undefined: undefinedThing' }).first().click();
      await vscode.page.locator('.tab.active', { hasText: 'main.go' }).waitFor();
      // Column 2 after a tab: the status bar counts the tab as its width (Tab Size: 4).
      await vscode.page.locator('.statusbar-item', { hasText: /^Ln 4, Col 5/ }).waitFor();
    });
    await vscode.step('Problems names the target as the source', async () => {
      await vscode.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await vscode.page.locator('.markers-panel .monaco-list-row', { hasText: /undefined: undefinedThing\s*goperf build linux\/amd64.*\[Ln 4, Col 2\]/ }).first().waitFor();
    });
    await vscode.screenshot('build-check-problems');
  });

  test('the target button of Build… changes the shared target and the build goes on for it', { timeout: buildTimeoutMs }, async () => {
    const title = vscode.page.locator('.quick-input-widget .quick-input-title');
    await vscode.clearNotifications();
    await vscode.step('start a new build', async () => {
      await vscode.runCommand('goperf: Build…');
      await vscode.pickQuickItem('New build…');
      await title.filter({ hasText: 'goperf: Build (1/3): packages for' }).waitFor();
    });
    await vscode.step('the button opens the target picker; pick js/wasm', async () => {
      await vscode.page.locator('.quick-input-widget .quick-input-titlebar .codicon-target').click();
      await title.filter({ hasText: 'goperf: Build Target (1/2)' }).waitFor();
      await vscode.page.locator('.quick-input-widget .quick-input-box input').fill('js/wasm');
      await vscode.pickQuickItem('js/wasm');
      await title.filter({ hasText: 'goperf: Build Target (2/2): tags and cgo for js/wasm' }).waitFor();
      // The last row arrives once the workspace's tags are read.
      await vscode.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Other tags…' }).first().waitFor();
      await vscode.page.keyboard.press('Enter');
    });
    await vscode.step('the packages step comes back for js/wasm; the flags step warns about -race', async () => {
      await title.filter({ hasText: 'goperf: Build (1/3): packages for js/wasm' }).waitFor();
      await vscode.page.locator('.statusbar-item', { hasText: 'js/wasm' }).first().waitFor();
      // The packages of the new target are listed by go list; Enter before they arrive is ignored.
      const server = vscode.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: './cmd/server' }).first();
      await server.waitFor();
      // What was checked before the target changed comes back checked, unless the button was
      // pressed before the list arrived; either way the build needs a package.
      if ((await server.getAttribute('aria-checked')) !== 'true') await server.click();
      await vscode.page.keyboard.press('Enter');
      await title.filter({ hasText: 'goperf: Build (2/3): flags for js/wasm' }).waitFor();
      const race = vscode.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: '-race' }).first();
      assert.match(await race.innerText(), /-race is not supported on js\/wasm/);
      await race.click();
      await vscode.page.keyboard.press('Enter');
    });
    const refused = await vscode.step('-race is refused for the new target', () => waitForNotification(vscode, /-race is not supported on js\/wasm/, 10_000));
    assert.match(refused, /race detector runs on .*linux\/amd64/);
    await vscode.screenshot('build-target-refused');
    await vscode.runCommand("goperf: Reset Build Target to the go Command's Default");
  });
});
