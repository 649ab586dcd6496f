// End to end: in a real VS Code, capture a heap profile from the sample's
// server (started here, with net/http/pprof) through "Capture Profile from
// Server…", then see its costs in the source: a CodeLens above the hottest
// function of workload.go whose text is what `go tool pprof` prints for the
// saved file, and the end-of-line costs; a sample type picked in the flame
// graph becomes the annotations' one; the capture is listed in the Profiles view.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { freePort, launchVsCode, type VsCodeSession } from './harness';
import { makeTempDir } from '../fixtures/real-profiles';

const execFileAsync = promisify(execFile);
const goEnv = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };

function findCaptures(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findCaptures(path));
    else if (/^heap-127\.0\.0\.1_\d+-\d{8}-\d{6}\.pb\.gz$/.test(name)) found.push(path);
  }
  return found;
}

describe('live capture and source annotations in VS Code (code-server)', { timeout: 6 * 60_000 }, () => {
  let vscode: VsCodeSession;
  let server: ChildProcess;
  let serverUrl: string;
  const tmp = makeTempDir('goperf-e2e-server-');

  before(
    async () => {
      vscode = await launchVsCode({ name: 'capture' });
      // Built from the workspace copy, so the profile's file names are the workspace's.
      const binary = join(tmp.dir, 'server');
      execFileSync('go', ['build', '-o', binary, './cmd/server'], { cwd: vscode.workspace, env: goEnv, stdio: ['ignore', 'ignore', 'pipe'] });
      const port = await freePort();
      serverUrl = `http://127.0.0.1:${port}`;
      server = spawn(binary, ['-addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
      // Work for the heap profile to record: each request parses, sorts and hashes a log.
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`${serverUrl}/work`)).ok) break;
        } catch {
          if (i > 100) throw new Error(`the sample server did not answer on ${serverUrl}`);
          await new Promise((wake) => setTimeout(wake, 100));
        }
      }
      for (let i = 0; i < 300; i++) await (await fetch(`${serverUrl}/work`)).text();
    },
    { timeout: 4 * 60_000 },
  );
  after(
    async () => {
      await vscode?.close();
      server?.kill('SIGKILL');
      tmp.remove();
    },
    { timeout: 60_000 },
  );

  test('a captured heap profile opens and annotates workload.go as pprof reports it', { timeout: 4 * 60_000 }, async () => {
    const page = vscode.page;
    await vscode.step('capture heap from the server', async () => {
      await vscode.runCommand('goperf: Capture Profile from Server…');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      await input.fill(serverUrl);
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: serverUrl }).first().waitFor();
      await input.press('Enter');
      await vscode.pickQuickItem('heap');
      await page.locator('.tab.active', { hasText: /^heap-127\.0\.0\.1_\d+-\d{8}-\d{6}\.pb\.gz/ }).waitFor();
      // Until its page has drawn, the new editor's webview can take the focus, which closes a quick pick opened meanwhile.
      await vscode.visibleWebview().locator('body[data-state="rendered"]').waitFor();
    });

    const [saved] = findCaptures(vscode.userDataDir);
    assert.ok(saved, 'the capture is saved in the extension storage');
    assert.equal(readFileSync(saved)[0], 0x1f);

    // The hottest top-level function of workload.go by allocated bytes, as pprof prints it.
    const { stdout } = await execFileAsync('go', ['tool', 'pprof', '-top', '-unit=auto', '-sample_index=alloc_space', saved], { env: goEnv });
    const rows = [...stdout.matchAll(/^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+(\S+%)  example\.com\/goperf-sample\/workload\.(\w+)$/gm)];
    const source = readFileSync(join(vscode.workspace, 'workload', 'workload.go'), 'utf8').split('\n');
    const hottest = rows.find((row) => source.some((line) => line.startsWith(`func ${row[4]}(`)));
    assert.ok(hottest, `no workload.go function in the heap profile:\n${stdout}`);
    const [, flat, cum, share, name] = hottest;
    const title = `alloc_space ${cum}, ${share}${flat === '0' ? '' : ` (flat ${flat})`}`;

    await vscode.step('annotate with alloc_space', async () => {
      await vscode.runCommand('goperf: Choose Sample Type for Source Annotations…');
      await vscode.pickQuickItem('alloc_space');
      await page.locator('.statusbar-item', { hasText: 'alloc_space' }).waitFor();
    });

    await vscode.step(`open workload.go at ${name}`, async () => {
      await vscode.openFile('workload/workload.go');
      await vscode.goToLine(source.findIndex((line) => line.startsWith(`func ${name}(`)) + 1);
    });

    await vscode.step(`the CodeLens above ${name} reads "${title}"`, async () => {
      const editor = page.locator('.editor-group-container.active .monaco-editor').first();
      const lenses = editor.locator('.codelens-decoration');
      let seen: string[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await page.waitForTimeout(250)) {
        seen = (await lenses.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
        if (seen.includes(title)) break;
      }
      assert.ok(seen.includes(title), `CodeLenses shown: ${JSON.stringify(seen)}`);
      // Hot lines end with their cost, drawn as ::after content of a decoration.
      const endOfLine = await editor
        .locator('.view-lines span')
        .evaluateAll((spans) => spans.map((span) => getComputedStyle(span, '::after').content).filter((c) => c.includes('alloc_space')));
      assert.ok(endOfLine.some((text) => /alloc_space \S+B \(\d/.test(text)), `end-of-line texts: ${JSON.stringify(endOfLine)}`);
    });
    await vscode.screenshot('capture-annotations');

    await vscode.step('hovering a hot line shows its breakdown', async () => {
      const line = source.findIndex((text) => text.includes('fmt.Fprintf(&b')) + 1;
      await vscode.goToLine(line);
      await page.locator('.editor-group-container.active .view-line', { hasText: 'fmt.Fprintf(&b' }).first().hover({ position: { x: 120, y: 8 } });
      const hover = page.locator('.monaco-hover', { hasText: `alloc_space at line ${line} in heap-` }).filter({ visible: true }).first();
      await hover.waitFor();
      // The line's calls, as pprof -peek draws its edges.
      await hover.locator('td', { hasText: 'fmt.Fprintf' }).first().waitFor();
    });
    await page.waitForTimeout(500); // the hover fades in
    await vscode.screenshot('capture-hover');

    await vscode.step('switching the flame graph to alloc_objects switches the annotations to it', async () => {
      await page.locator('.tab', { hasText: /^heap-127\.0\.0\.1_\d+-\d{8}-\d{6}\.pb\.gz/ }).first().click();
      const flame = vscode.visibleWebview();
      await flame.locator('vscode-single-select').click();
      await flame.getByRole('option', { name: 'alloc_objects', exact: true }).click();
      await page.locator('.statusbar-item', { hasText: 'alloc_objects' }).waitFor();
    });

    await vscode.step('the capture is listed in the Profiles view', async () => {
      await vscode.runCommand('Explorer: Focus on goperf Profiles View');
      await page
        .locator('.pane-body .monaco-list-row', { hasText: /heap-127\.0\.0\.1_\d+-\d{8}-\d{6}\.pb\.gz/ })
        .first()
        .waitFor();
    });
    await vscode.screenshot('capture-profiles-view');
  });
});
