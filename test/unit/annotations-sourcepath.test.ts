// Source lookup rules added for annotations: the user's prefix map, another
// machine's module cache, and vendored copies of trimmed dependency paths.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bestSuffixMatch, directCandidates, mappedCandidate, workspaceGlob } from '../../src/core/go/sourcePath';

describe('goperf.sourceMap prefixes', () => {
  const map = { '/build/src/': '/home/me/src/', '/build/src/vendor': '/opt/vendored', 'example.com/m': '/w/m' };

  test('the longest matching prefix wins', () => {
    assert.equal(mappedCandidate('/build/src/app/main.go', map), '/home/me/src/app/main.go');
    assert.equal(mappedCandidate('/build/src/vendor/x/y.go', map), '/opt/vendored/x/y.go');
  });

  test('a prefix without a trailing slash still joins with one', () => {
    assert.equal(mappedCandidate('example.com/m/pkg/a.go', map), '/w/m/pkg/a.go');
  });

  test('no prefix, no candidate; backslashes count as slashes', () => {
    assert.equal(mappedCandidate('/elsewhere/a.go', map), undefined);
    assert.equal(mappedCandidate('C:\\build\\a.go', { 'C:/build/': '/home/me/' }), '/home/me/a.go');
  });
});

describe('dependencies', () => {
  const dirs = { goroot: '/opt/go', gomodcache: '/home/u/go/pkg/mod' };

  test("another machine's module cache maps to ours", () => {
    assert.deepEqual(directCandidates('/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go', dirs), [
      '/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go',
      '/home/u/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go',
    ]);
  });

  test('vendored copies are found by the workspace search without the version', () => {
    assert.equal(workspaceGlob('github.com/BurntSushi/toml@v1.3.2/decode.go'), '**/toml/decode.go');
    const files = ['/w/decode.go', '/w/vendor/github.com/BurntSushi/toml/decode.go'];
    assert.equal(bestSuffixMatch('github.com/BurntSushi/toml@v1.3.2/decode.go', files), files[1]);
    // An absolute module cache path unescapes to the vendor spelling.
    assert.equal(bestSuffixMatch('/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go', files), files[1]);
  });
});
