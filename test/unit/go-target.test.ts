import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isToolchainTag, listPorts, parseTagList, readHostInfo, withTagFlag } from '../../src/core/go/target';

const repoRoot = join(__dirname, '..', '..');

// The target model's go-facing parts, checked against the go command without an editor.
describe('build target model (against the go command)', () => {
  const go = (...args: string[]) => execFileSync('go', args, { cwd: repoRoot, encoding: 'utf8' });

  test('ports come from go tool dist list, first-class ones first', async () => {
    const ports = await listPorts('go', repoRoot);
    const listed = go('tool', 'dist', 'list').trim().split('\n').sort();
    assert.deepEqual(ports.map((p) => `${p.goos}/${p.goarch}`).sort(), listed);
    assert.ok(ports.every((p) => !p.broken));
    const firstNonFirstClass = ports.findIndex((p) => !p.firstClass);
    assert.ok(firstNonFirstClass > 0, 'some first-class ports come first');
    assert.ok(ports.slice(firstNonFirstClass).every((p) => !p.firstClass), 'no first-class port after the others');
  });

  test('includeBroken adds the ports go tool dist list -broken adds, marked broken', async () => {
    const all = await listPorts('go', repoRoot, { includeBroken: true });
    const working = new Set(go('tool', 'dist', 'list').trim().split('\n'));
    const everything = go('tool', 'dist', 'list', '-broken').trim().split('\n').sort();
    assert.deepEqual(all.map((p) => `${p.goos}/${p.goarch}`).sort(), everything);
    for (const p of all) assert.equal(p.broken, !working.has(`${p.goos}/${p.goarch}`), `${p.goos}/${p.goarch}`);
  });

  test('the host and its default target are what go env says', async () => {
    const host = await readHostInfo('go', repoRoot);
    const [goos, goarch, cgo, hostOS, hostArch] = go('env', 'GOOS', 'GOARCH', 'CGO_ENABLED', 'GOHOSTOS', 'GOHOSTARCH').trim().split('\n');
    assert.deepEqual(host, { defaultTarget: { goos, goarch, tags: [], cgoEnabled: cgo === '1' }, goos: hostOS, goarch: hostArch });
  });

  test('tags the toolchain sets are never offered as custom tags', () => {
    const context = go('list', '-f', '{{join context.ToolTags " "}} {{join context.ReleaseTags " "}}', 'unsafe').trim().split(' ');
    const names = go('tool', 'dist', 'list').trim().split('\n').flatMap((p) => p.split('/'));
    for (const tag of [...context, ...names, 'cgo', 'gc', 'gccgo', 'unix']) assert.ok(isToolchainTag(tag), tag);
    for (const tag of ['integration', 'purego', 'netgo', 'ignore', 'go1', 'go1.x']) assert.ok(!isToolchainTag(tag), tag);
  });

  test('typed tags are split like -tags and checked like constraint tags', () => {
    assert.deepEqual(parseTagList(' integration, purego  netgo,integration'), { tags: ['integration', 'netgo', 'purego'], invalid: [] });
    assert.deepEqual(parseTagList('ok a-b !x'), { tags: ['ok'], invalid: ['a-b', '!x'] });
  });

  test('the -tags flag of a flag list is replaced, other flags kept', () => {
    assert.deepEqual(withTagFlag(['-tags', 'old', '-race', '--tags=older', '-trimpath'], ['a', 'b']), ['-race', '-trimpath', '-tags=a,b']);
    assert.deepEqual(withTagFlag(['-tags=old', '-race'], []), ['-race']);
  });
});
