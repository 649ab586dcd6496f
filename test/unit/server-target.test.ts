// Which client payloads the language server takes for a build target.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTargetRequest } from '../../src/server/target';

test('a target needs GOOS and GOARCH; the settings section goperf.target with other keys is not one', () => {
  assert.equal(isTargetRequest({ goos: 'linux', goarch: 'amd64', tags: ['a'], cgoEnabled: true }), true);
  assert.equal(isTargetRequest({ goos: 'linux', goarch: 'amd64' }), true);
  assert.equal(isTargetRequest({ syncGopls: true }), false);
  assert.equal(isTargetRequest({ goos: 'linux' }), false);
  assert.equal(isTargetRequest({ goos: 'linux', goarch: 'amd64', tags: 'a,b' }), false);
  assert.equal(isTargetRequest({ goos: '', goarch: '' }), false);
  assert.equal(isTargetRequest(null), false);
});
