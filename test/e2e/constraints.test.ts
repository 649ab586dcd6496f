// End to end: build constraints in a real VS Code (code-server). The build
// target in the status bar and its quick pick, explorer decorations that
// follow the target, highlighting of constraint lines, and the language
// server's diagnostics and quick fixes. The highlighting grammar is also
// checked token by token with the TextMate engine code-server itself uses.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { launchVsCode, repoRoot, type VsCodeSession } from './harness';

const codeServerVscode = join(process.env.GOPERF_CODE_SERVER_DIR ?? join(repoRoot, '.cache', 'code-server'), 'node_modules', 'code-server', 'lib', 'vscode');
const grammarPath = join(repoRoot, 'media', 'syntaxes', 'go-build-constraints.tmLanguage.json');

// The parts of vscode-textmate and vscode-oniguruma used here; both are loaded
// from code-server's own copy, which this project does not depend on.
interface TextMateToken {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface TextMateGrammar {
  tokenizeLine(line: string, stack: unknown): { tokens: TextMateToken[]; ruleStack: unknown };
}
interface TextMate {
  INITIAL: unknown;
  parseRawGrammar(content: string, path: string): unknown;
  Registry: new (options: {
    onigLib: Promise<{ createOnigScanner(sources: string[]): unknown; createOnigString(text: string): unknown }>;
    loadGrammar(scopeName: string): Promise<unknown>;
    getInjections(scopeName: string): string[] | undefined;
  }) => { loadGrammar(scopeName: string): Promise<TextMateGrammar | null> };
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (sources: string[]) => unknown;
  OnigString: new (text: string) => unknown;
}

describe('build-constraint grammar (vscode-textmate, as VS Code runs it)', () => {
  const modules = join(codeServerVscode, 'node_modules');
  const goGrammarPath = join(codeServerVscode, 'extensions', 'go', 'syntaxes', 'go.tmLanguage.json');
  const available = existsSync(join(modules, 'vscode-textmate')) && existsSync(goGrammarPath);

  type Token = { text: string; scopes: string[] };
  let tokenize: (lines: string[]) => Token[][];

  before(async () => {
    if (!available) return;
    const load = createRequire(join(modules, 'noop.js'));
    const textmate = load('vscode-textmate') as TextMate;
    const oniguruma = load('vscode-oniguruma') as Oniguruma;
    const wasm = readFileSync(join(modules, 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
      loadGrammar: async (scopeName) => {
        const path = scopeName === 'source.go' ? goGrammarPath : scopeName === 'source.go.build-constraints' ? grammarPath : undefined;
        return path ? textmate.parseRawGrammar(readFileSync(path, 'utf8'), path) : null;
      },
      // What package.json's injectTo declares.
      getInjections: (scopeName) => (scopeName === 'source.go' ? ['source.go.build-constraints'] : undefined),
    });
    const grammar = await registry.loadGrammar('source.go');
    assert.ok(grammar, 'the Go grammar loads');
    const go = grammar;
    tokenize = (lines) => {
      let stack = textmate.INITIAL;
      return lines.map((line) => {
        const result = go.tokenizeLine(line, stack);
        stack = result.ruleStack;
        return result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
      });
    };
  });

  /** The innermost scope of each non-blank token, as "text=scope". */
  const innermost = (tokens: Token[]) => tokens.filter((t) => t.text.trim()).map((t) => `${t.text}=${t.scopes[t.scopes.length - 1]}`);

  test('a //go:build line gets a scope for each kind of term', { skip: !available && 'code-server is not installed (scripts/e2e-setup.sh)' }, () => {
    const [line] = tokenize(['//go:build (linux || ios) && !amd64 && amd64.v3 && go1.21 && cgo && integration']);
    assert.deepEqual(innermost(line), [
      '//=punctuation.definition.comment.go',
      'go:build=keyword.control.directive.build.go-build-constraint',
      '(=keyword.operator.logical.go-build-constraint',
      'linux=entity.name.type.goos.go-build-constraint',
      '||=keyword.operator.logical.go-build-constraint',
      'ios=entity.name.type.goos.go-build-constraint',
      ')=keyword.operator.logical.go-build-constraint',
      '&&=keyword.operator.logical.go-build-constraint',
      '!=keyword.operator.logical.go-build-constraint',
      'amd64=constant.language.goarch.go-build-constraint',
      '&&=keyword.operator.logical.go-build-constraint',
      'amd64.v3=support.function.toolchain-tag.go-build-constraint',
      '&&=keyword.operator.logical.go-build-constraint',
      'go1.21=constant.numeric.version.go-build-constraint',
      '&&=keyword.operator.logical.go-build-constraint',
      'cgo=support.function.toolchain-tag.go-build-constraint',
      '&&=keyword.operator.logical.go-build-constraint',
      'integration=variable.other.tag.go-build-constraint',
    ]);
    // Every token of the line stays inside a Go line comment, so themes that only know comments still grey it out.
    for (const t of line) assert.ok(t.scopes.includes('comment.line.double-slash.go'), `${t.text} is in a comment`);
  });

  test('+build lines: commas and ! are operators, fields are tags', { skip: !available && 'code-server is not installed' }, () => {
    const [line] = tokenize(['// +build linux,!cgo darwin,arm64 gccgo']);
    assert.deepEqual(innermost(line), [
      '//=punctuation.definition.comment.go',
      '+build=keyword.control.directive.build.go-build-constraint',
      'linux=entity.name.type.goos.go-build-constraint',
      ',=keyword.operator.logical.go-build-constraint',
      '!=keyword.operator.logical.go-build-constraint',
      'cgo=support.function.toolchain-tag.go-build-constraint',
      'darwin=entity.name.type.goos.go-build-constraint',
      ',=keyword.operator.logical.go-build-constraint',
      'arm64=constant.language.goarch.go-build-constraint',
      'gccgo=support.function.toolchain-tag.go-build-constraint',
    ]);
  });

  test('lines the go command does not read as constraints stay plain comments or code', { skip: !available && 'code-server is not installed' }, () => {
    const lines = tokenize([
      '// go:build linux', // malformed: a space after //
      '//go:buildlinux', // not a //go:build line
      'x := 1 // +build linux', // not at the start of a line
      '/*',
      '//go:build linux', // inside a block comment
      '*/',
      'var linuxamd64 = "//go:build linux"',
    ]);
    for (const [i, tokens] of lines.entries()) {
      for (const t of tokens) {
        assert.ok(!t.scopes.some((s) => s.endsWith('go-build-constraint')), `line ${i + 1}: "${t.text}" got ${t.scopes.join(' ')}`);
      }
    }
  });
});

// ---------------------------------------------------------------------------

const files: Record<string, string> = {
  'workload/foo_windows.go': 'package workload\n\n// WindowsOnly exists only on windows.\nconst WindowsOnly = true\n',
  'workload/misspelled.go': '//go:build linux && amd46\n\npackage workload\n',
  // The +build line needs a blank line before the package clause; without it the go command ignores it.
  'workload/legacy.go': '// +build linux\npackage workload\n',
  'workload/highlight.go': '//go:build (linux || windows) && amd64 && go1.21 && !integration\n\n// A plain comment.\npackage workload\n',
};

async function expandFolder(vscode: VsCodeSession, name: string): Promise<void> {
  const row = explorerRow(vscode, name);
  await row.waitFor();
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await vscode.page.waitForFunction(
    (label) =>
      [...document.querySelectorAll('.explorer-folders-view .monaco-list-row')].some(
        (r) => r.querySelector('.label-name')?.textContent?.trim() === label && r.getAttribute('aria-expanded') === 'true',
      ),
    name,
  );
}

function explorerRow(vscode: VsCodeSession, name: string): Locator {
  return vscode.page
    .locator('.explorer-folders-view .monaco-list-row')
    .filter({ has: vscode.page.locator('.label-name', { hasText: new RegExp(`^\\s*${name.replace(/\./g, '\\.')}\\s*$`) }) })
    .first();
}

interface RowLook {
  color: string;
  badge: string;
}

/** The file name's colour and the decoration badge VS Code draws after it. */
async function rowLook(row: Locator): Promise<RowLook> {
  return row.locator('.monaco-icon-label').first().evaluate((label) => {
    const name = label.querySelector('.label-name') ?? label;
    const badge = getComputedStyle(label, '::after').content;
    return { color: getComputedStyle(name).color, badge: badge === 'none' || badge === 'normal' ? '' : badge.replace(/^"|"$/g, '') };
  });
}

async function waitForLook(row: Locator, wanted: (look: RowLook) => boolean, what: string, timeoutMs = 20_000): Promise<RowLook> {
  const deadline = Date.now() + timeoutMs;
  let look = await rowLook(row);
  while (!wanted(look)) {
    if (Date.now() > deadline) throw new Error(`${what}: the explorer row looks like ${JSON.stringify(look)}`);
    await new Promise((wake) => setTimeout(wake, 200));
    look = await rowLook(row);
  }
  return look;
}

/**
 * Colour of the editor token whose text is `text` (exactly, or matching) on
 * the line starting with `lineStart`. Monaco draws spaces as U+00A0.
 */
async function tokenColor(vscode: VsCodeSession, lineStart: string, text: string | RegExp): Promise<string> {
  const pattern = typeof text === 'string' ? { exact: text } : { source: text.source };
  // The editor draws lines before the grammar has tokenised them: ask until the token is there.
  const deadline = Date.now() + 15_000;
  let color: string | undefined;
  while (!color && Date.now() < deadline) {
    color = await vscode.page.evaluate(
      // No named functions in here: tsx would wrap them in a helper the page does not have.
      ({ lineStart, pattern }) => {
        const lines = [...document.querySelectorAll('.editor-group-container.active .monaco-editor .view-line')];
        const line = lines.find((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ').startsWith(lineStart));
        const token = [...(line?.querySelectorAll('span > span') ?? [])].find((span) => {
          const text = (span.textContent ?? '').replace(/\u00a0/g, ' ').trim();
          return pattern.exact !== undefined ? text === pattern.exact : new RegExp(pattern.source).test(text);
        });
        return token ? getComputedStyle(token).color : undefined;
      },
      { lineStart, pattern },
    );
    if (!color) await new Promise((wake) => setTimeout(wake, 250));
  }
  if (!color) throw new Error(`no token ${String(text)} on the editor line starting with ${lineStart}`);
  return color;
}

/** Opens the quick fixes of a line (asking again until the server has answered) and runs the one whose title matches. */
async function applyQuickFix(vscode: VsCodeSession, line: number, title: RegExp, screenshotName: string): Promise<void> {
  await vscode.goToLine(line);
  const fix = vscode.page.getByRole('option', { name: title }).first();
  const deadline = Date.now() + 45_000;
  for (;;) {
    await vscode.page.keyboard.press('Control+.');
    if (await fix.waitFor({ timeout: 3000 }).then(() => true, () => false)) break;
    await vscode.page.keyboard.press('Escape');
    if (Date.now() > deadline) {
      const menu = await vscode.page.locator('.context-view').first().innerHTML().catch(() => 'no .context-view');
      throw new Error(`no quick fix ${title} offered on line ${line}; the menu holds: ${menu.slice(0, 2000)}`);
    }
  }
  await vscode.screenshot(screenshotName);
  // Clicking a row does not reach the action list in code-server: move the focus to it and press Enter.
  const focused = vscode.page.locator('.monaco-list-row.focused', { hasText: title }).first();
  for (let moves = 0; !(await focused.isVisible()); moves++) {
    if (moves > 20) throw new Error(`could not focus the quick fix ${title}`);
    await vscode.page.keyboard.press('ArrowDown');
  }
  await vscode.page.keyboard.press('Enter');
}

describe('build constraints in VS Code (code-server)', { timeout: 10 * 60_000 }, () => {
  let vscode: VsCodeSession;

  before(
    async () => {
      vscode = await launchVsCode({ name: 'constraints' });
      for (const [path, text] of Object.entries(files)) writeFileSync(join(vscode.workspace, path), text);
    },
    { timeout: 5 * 60_000 },
  );
  after(() => vscode?.close(), { timeout: 60_000 });

  test('switching the build target changes which files are dimmed in the explorer', { timeout: 3 * 60_000 }, async () => {
    await vscode.step('expand workload in the explorer', () => expandFolder(vscode, 'workload'));
    const windowsRow = explorerRow(vscode, 'foo_windows.go');
    const plainRow = explorerRow(vscode, 'workload.go');
    await vscode.step('files appear', () => windowsRow.waitFor());
    const plain = await rowLook(plainRow);
    assert.equal(plain.badge, '', 'a file without constraints has no badge');

    const host = execFileSync('go', ['env', 'GOOS', 'GOARCH'], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(host, ['linux', 'amd64'], 'this test expects a linux/amd64 machine (the default target)');
    const dimmed = await vscode.step('foo_windows.go is dimmed under linux/amd64', () =>
      waitForLook(windowsRow, (l) => l.badge !== '' && l.color !== plain.color, 'foo_windows.go should be dimmed with a badge'),
    );
    await vscode.step('status bar shows the default target', () =>
      vscode.page.locator('.statusbar-item', { hasText: 'linux/amd64' }).first().waitFor(),
    );
    await vscode.step('the hover of foo_windows.go says why it is dimmed', async () => {
      await windowsRow.locator('.label-name').hover();
      await vscode.page
        .locator('.workbench-hover, .monaco-hover', { hasText: /builds only for windows.*[\s\S]*excluded for linux\/amd64/ })
        .first()
        .waitFor({ timeout: 15_000 });
    });
    await vscode.screenshot('constraints-target-linux');
    await vscode.page.mouse.move(900, 600);

    await vscode.step('pick windows/amd64 in "Select Build Target…"', async () => {
      await vscode.runCommand('goperf: Select Build Target…');
      await vscode.pickQuickItem('windows/amd64');
      // Second step: tags and cgo. The offered tags come from the workspace's constraint lines.
      await vscode.page.locator('.quick-input-widget .quick-input-list .label-name', { hasText: /^integration$/ }).first().waitFor();
      await vscode.screenshot('constraints-target-tags');
      await vscode.page.keyboard.press('Enter');
    });
    await vscode.step('status bar shows windows/amd64', () =>
      vscode.page.locator('.statusbar-item', { hasText: 'windows/amd64' }).first().waitFor(),
    );
    const undimmed = await vscode.step('foo_windows.go is no longer dimmed', () =>
      // While the new target resolves, VS Code may briefly show no decoration at all: wait for the badge too.
      waitForLook(windowsRow, (l) => l.color === plain.color && l.badge !== '', 'foo_windows.go should look like a normal file, with its badge'),
    );
    assert.equal(undimmed.badge, dimmed.badge, 'the badge stays: the file is still restricted to windows');
    await vscode.step('highlight.go (linux || windows) stays undimmed', () =>
      waitForLook(explorerRow(vscode, 'highlight.go'), (l) => l.color === plain.color && l.badge !== '', 'highlight.go undimmed, with its badge'),
    );
    await vscode.step('misspelled.go (linux && amd46) is dimmed under windows/amd64', () =>
      waitForLook(explorerRow(vscode, 'misspelled.go'), (l) => l.color === dimmed.color, 'misspelled.go should be dimmed'),
    );
    await vscode.screenshot('constraints-target-windows');

    await vscode.step('reset the target', async () => {
      await vscode.runCommand("goperf: Reset Build Target to the go Command's Default");
      await vscode.page.locator('.statusbar-item', { hasText: 'linux/amd64' }).first().waitFor();
      await waitForLook(windowsRow, (l) => l.color === dimmed.color, 'foo_windows.go dimmed again after the reset');
    });
  });

  test('constraint lines are coloured term by term in Dark Modern and Light Modern', { timeout: 2 * 60_000 }, async () => {
    await vscode.step('open highlight.go', () => vscode.openFile('workload/highlight.go'));
    const readColors = async () => ({
      comment: await tokenColor(vscode, '// A plain comment', /plain comment/),
      keyword: await tokenColor(vscode, '//go:build', 'go:build'),
      goos: await tokenColor(vscode, '//go:build', 'linux'),
      goarch: await tokenColor(vscode, '//go:build', 'amd64'),
      version: await tokenColor(vscode, '//go:build', 'go1.21'),
      custom: await tokenColor(vscode, '//go:build', 'integration'),
      operator: await tokenColor(vscode, '//go:build', '&&'),
    });
    const kinds = ['keyword', 'goos', 'goarch', 'version', 'custom', 'operator'] as const;
    const check = (theme: string, colors: Awaited<ReturnType<typeof readColors>>) => {
      for (const kind of kinds) assert.notEqual(colors[kind], colors.comment, `${theme}: ${kind} is coloured unlike a comment: ${JSON.stringify(colors)}`);
      assert.equal(new Set(kinds.map((k) => colors[k])).size, kinds.length, `${theme}: each kind of term has its own colour: ${JSON.stringify(colors)}`);
    };
    check('Dark Modern', await vscode.step('read token colours (Dark Modern)', readColors));
    await vscode.screenshot('constraints-highlighting');

    const switchTheme = async (label: string, workbenchClass: string) => {
      await vscode.runCommand('Preferences: Color Theme');
      await vscode.pickQuickItem(label);
      await vscode.page.locator(`.monaco-workbench.${workbenchClass}`).waitFor();
    };
    await vscode.step('switch to Light Modern', () => switchTheme('Light Modern', 'vs'));
    try {
      check('Light Modern', await vscode.step('read token colours (Light Modern)', readColors));
      await vscode.screenshot('constraints-highlighting-light');
    } finally {
      await vscode.step('back to Dark Modern', () => switchTheme('Dark Modern', 'vs-dark'));
    }
  });

  test('a misspelled GOARCH shows in Problems with the likely name', { timeout: 2 * 60_000 }, async () => {
    await vscode.step('open misspelled.go', () => vscode.openFile('workload/misspelled.go'));
    await vscode.step('Problems lists "did you mean amd64"', async () => {
      await vscode.runCommand('Problems: Focus on Problems View');
      await vscode.page
        .locator('.markers-panel .monaco-list-row', { hasText: /unknown GOARCH .amd46.; did you mean .amd64./ })
        .first()
        .waitFor({ timeout: 45_000 });
    });
    await vscode.screenshot('constraints-problems');
  });

  test('the quick fix adds the blank line a +build line needs', { timeout: 2 * 60_000 }, async () => {
    await vscode.step('open legacy.go', () => vscode.openFile('workload/legacy.go'));
    await vscode.step('apply "Add the blank line…" from the quick fixes of line 1', () =>
      applyQuickFix(vscode, 1, /Add the blank line/, 'constraints-quickfix'),
    );
    await vscode.step('save; the file now has the blank line', async () => {
      await vscode.runCommand('File: Save');
      const path = join(vscode.workspace, 'workload', 'legacy.go');
      const deadline = Date.now() + 20_000;
      while (readFileSync(path, 'utf8') !== '// +build linux\n\npackage workload\n') {
        if (Date.now() > deadline) throw new Error(`legacy.go after the fix: ${JSON.stringify(readFileSync(path, 'utf8'))}`);
        await new Promise((wake) => setTimeout(wake, 200));
      }
    });
  });

  test('the quick fix "Build for windows/…" on an excluded file switches the build target', { timeout: 2 * 60_000 }, async () => {
    await vscode.step('status bar shows linux/amd64', () => vscode.page.locator('.statusbar-item', { hasText: 'linux/amd64' }).first().waitFor());
    await vscode.step('open foo_windows.go', () => vscode.openFile('workload/foo_windows.go'));
    await vscode.step('apply "Build for windows/…"', () => applyQuickFix(vscode, 1, /Build for windows\//, 'constraints-quickfix-target'));
    await vscode.step('status bar and explorer follow the new target', async () => {
      await vscode.page.locator('.statusbar-item', { hasText: /windows\// }).first().waitFor();
      const plain = await rowLook(explorerRow(vscode, 'workload.go'));
      await waitForLook(explorerRow(vscode, 'foo_windows.go'), (l) => l.color === plain.color && l.badge !== '', 'foo_windows.go undimmed');
    });
    await vscode.step('the language server evaluates for the new target', () =>
      vscode.page.locator('.markers-panel .monaco-list-row', { hasText: /excluded for windows\/amd64/ }).first().waitFor({ timeout: 30_000 }),
    );
    await vscode.screenshot('constraints-after-target-fix');
  });

  test('benchmarks are refused for a target this machine cannot run', { timeout: 2 * 60_000 }, async () => {
    await vscode.step('status bar shows windows/', () => vscode.page.locator('.statusbar-item', { hasText: /windows\// }).first().waitFor());
    await vscode.clearNotifications();
    await vscode.step('open workload_test.go at BenchmarkFib', async () => {
      await vscode.openFile('workload/workload_test.go');
      const source = readFileSync(join(vscode.workspace, 'workload', 'workload_test.go'), 'utf8');
      const line = source.split('\n').findIndex((text) => text.startsWith('func BenchmarkFib('));
      assert.ok(line >= 0, 'BenchmarkFib not found in the sample');
      await vscode.goToLine(line + 1);
    });
    await vscode.step('click "run" above BenchmarkFib', () => vscode.clickCodeLens('BenchmarkFib(', 'run'));
    await vscode.step('an error names the target and offers to change it', async () => {
      const toast = vscode.page.locator('.notifications-toasts .notification-toast', { hasText: /benchmarks cannot run for the build target windows\// }).first();
      await toast.waitFor();
      await toast.locator('.monaco-button', { hasText: 'Change Build Target' }).waitFor();
    });
    await vscode.screenshot('constraints-bench-foreign-target');
    // Nothing was run: go test would have left a line in the output, and no CodeLens shows a running benchmark.
    assert.equal(await vscode.page.locator('.codelens-decoration a', { hasText: 'running…' }).count(), 0);
  });
});
