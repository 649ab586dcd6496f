// The gopls/vscode-go sync writes only the target's keys into the user's
// settings and takes out only what it wrote.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TargetSpec } from '../../src/core/go/target';
import { settingsForTarget, settingsWithoutTarget } from '../../src/extension/targetSettings';

const windows: TargetSpec = { goos: 'windows', goarch: 'arm64', tags: ['integration', 'purego'], cgoEnabled: false };

const userSettings = {
  gopls: {
    'ui.semanticTokens': true,
    'build.env': { GOFLAGS: '-mod=mod', GOOS: 'linux', GOPRIVATE: 'example.com/*' },
    'build.buildFlags': ['-race', '-tags', 'old', '--tags=older', '-tags=oldest', '-trimpath'],
    'build.directoryFilters': ['-node_modules'],
  },
  toolsEnvVars: { GOPRIVATE: 'example.com/*', GOARCH: 'amd64' },
  buildTags: 'old',
};

test('writing the target keeps every other key and flag', () => {
  const next = settingsForTarget(userSettings, windows);
  assert.deepEqual(next.gopls, {
    'ui.semanticTokens': true,
    'build.env': { GOFLAGS: '-mod=mod', GOOS: 'windows', GOPRIVATE: 'example.com/*', GOARCH: 'arm64' },
    'build.buildFlags': ['-race', '-trimpath', '-tags=integration,purego'],
    'build.directoryFilters': ['-node_modules'],
  });
  assert.deepEqual(next.toolsEnvVars, { GOPRIVATE: 'example.com/*', GOARCH: 'arm64', GOOS: 'windows' });
  assert.equal(next.buildTags, 'integration,purego');
  // The user's objects are not modified in place (VS Code compares old and new values).
  assert.deepEqual(userSettings.gopls['build.env'], { GOFLAGS: '-mod=mod', GOOS: 'linux', GOPRIVATE: 'example.com/*' });
});

test('writing into empty or malformed settings starts from nothing', () => {
  for (const current of [{}, { gopls: 'x', toolsEnvVars: ['GOOS=linux'], buildTags: 3 }, { gopls: { 'build.env': null, 'build.buildFlags': '-tags=a' } }]) {
    const next = settingsForTarget(current, { ...windows, tags: [] });
    assert.deepEqual(next.gopls['build.env'], { GOOS: 'windows', GOARCH: 'arm64' });
    assert.deepEqual(next.gopls['build.buildFlags'], []);
    assert.deepEqual(next.toolsEnvVars, { GOOS: 'windows', GOARCH: 'arm64' });
    assert.equal(next.buildTags, '');
  }
});

test('turning the sync off takes out only what was written and is still there', () => {
  const written = settingsForTarget(userSettings, windows);
  const reverted = settingsWithoutTarget(written, windows);
  assert.deepEqual(reverted.gopls, {
    'ui.semanticTokens': true,
    'build.env': { GOFLAGS: '-mod=mod', GOPRIVATE: 'example.com/*' },
    'build.buildFlags': ['-race', '-trimpath'],
    'build.directoryFilters': ['-node_modules'],
  });
  assert.deepEqual(reverted.toolsEnvVars, { GOPRIVATE: 'example.com/*' });
  assert.equal(reverted.buildTags, null);

  // Values the user changed after the sync wrote them are theirs now.
  const edited = {
    gopls: { ...written.gopls, 'build.env': { ...(written.gopls['build.env'] as object), GOOS: 'darwin' } },
    toolsEnvVars: { ...written.toolsEnvVars, GOARCH: 'amd64' },
    buildTags: 'mine',
  };
  const kept = settingsWithoutTarget(edited, windows);
  assert.deepEqual(kept.gopls?.['build.env'], { GOFLAGS: '-mod=mod', GOPRIVATE: 'example.com/*', GOOS: 'darwin' });
  assert.deepEqual(kept.toolsEnvVars, { GOPRIVATE: 'example.com/*', GOARCH: 'amd64' });
  assert.equal(kept.buildTags, undefined);

  // Nothing there: nothing to write.
  assert.deepEqual(settingsWithoutTarget({}, windows), { gopls: undefined, toolsEnvVars: undefined, buildTags: undefined });
});
