// Mapping file names recorded in profiles to files on this machine, checked
// with the file names of a real -trimpath CPU profile of the sample.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bestSuffixMatch, directCandidates, escapeModulePath, workspaceGlob } from '../../src/core/go/sourcePath';
import { goDirs } from '../../src/core/go/goEnv';

const sampleDir = join(__dirname, '..', '..', 'sample');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

describe('source paths from a -trimpath profile', () => {
  test('module files resolve in the workspace, standard library files in GOROOT', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'goperf-trim-'));
    try {
      const profile = join(scratch, 'cpu.pprof');
      execFileSync(
        'go',
        ['test', '-trimpath', '-run', '^$', '-bench', '^BenchmarkSort$', '-benchtime', '200ms', '-cpuprofile', profile, '-o', `${scratch}/`, '.'],
        { cwd: join(sampleDir, 'workload'), stdio: 'ignore' },
      );
      const raw = execFileSync('go', ['tool', 'pprof', '-raw', profile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const files = [...new Set([...raw.matchAll(/ (\S+\.go):\d+/g)].map((m) => m[1]))];
      assert.ok(files.includes('example.com/goperf-sample/workload/workload.go'), files.join(', '));
      assert.ok(files.some((file) => file.startsWith('runtime/')), files.join(', '));

      const dirs = await goDirs('go', sampleDir);
      assert.ok(dirs.goroot && existsSync(dirs.goroot));
      const workspaceFiles = listFiles(sampleDir);
      for (const file of files) {
        const isModuleFile = file.startsWith('example.com/goperf-sample/');
        if (isModuleFile) {
          assert.equal(bestSuffixMatch(file, workspaceFiles), join(sampleDir, file.slice('example.com/goperf-sample/'.length)));
        } else {
          const found = directCandidates(file, dirs).find((candidate) => existsSync(candidate));
          assert.equal(found, join(dirs.goroot, 'src', file), `${file} in GOROOT`);
        }
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('source path rules (synthetic paths)', () => {
  const dirs = { goroot: '/opt/go', gomodcache: '/home/u/go/pkg/mod' };

  test('absolute paths come first; another GOROOT maps to ours', () => {
    assert.deepEqual(directCandidates('/build/go/src/runtime/proc.go', dirs), ['/build/go/src/runtime/proc.go', '/opt/go/src/runtime/proc.go']);
    assert.deepEqual(directCandidates('/home/x/proj/main.go', dirs), ['/home/x/proj/main.go']);
  });

  test('$GOROOT prefix and module cache paths', () => {
    assert.deepEqual(directCandidates('$GOROOT/src/fmt/print.go', dirs), ['/opt/go/src/fmt/print.go']);
    assert.deepEqual(directCandidates('github.com/BurntSushi/toml@v1.3.2/decode.go', dirs), [
      '/home/u/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go',
    ]);
    assert.deepEqual(directCandidates('example.com/m/pkg/a.go', dirs), []);
  });

  test('case escaping of module paths', () => {
    assert.equal(escapeModulePath('github.com/Azure/SDK'), 'github.com/!azure/!s!d!k');
  });

  test('workspace search: glob and the longest common suffix', () => {
    assert.equal(workspaceGlob('example.com/goperf-sample/workload/workload.go'), '**/workload/workload.go');
    const candidates = ['/w/vendor/example.com/other/workload/workload.go', '/w/workload/workload.go', '/w/x/goperf-sample/workload/workload.go'];
    assert.equal(bestSuffixMatch('example.com/goperf-sample/workload/workload.go', candidates), '/w/x/goperf-sample/workload/workload.go');
    assert.equal(bestSuffixMatch('a/b/workload/workload.go', candidates), '/w/workload/workload.go');
    assert.equal(bestSuffixMatch('a/b/other.go', candidates), undefined);
    assert.equal(bestSuffixMatch('C:\\src\\proj\\workload\\workload.go', ['/w/workload/workload.go']), '/w/workload/workload.go');
  });
});
