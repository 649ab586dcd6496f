// Sources of dependencies, from a real -trimpath heap profile of a program
// that allocates inside a module from the module cache
// (github.com/aclements/go-moremath, which the benchstat fixture already
// needs): the trimmed `module@version/file.go` names resolve to the module
// cache, and, after `go mod vendor`, to the vendored copy in the workspace.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { goDirs } from '../../src/core/go/goEnv';
import { bestSuffixMatch, directCandidates } from '../../src/core/go/sourcePath';
import { decodeProfile, sampleIndexByName } from '../../src/core/pprof/index';
import { lineCosts } from '../../src/core/pprof/lineCosts';
import { env, makeTempDir, repoRoot } from '../fixtures/real-profiles';

const module = 'github.com/aclements/go-moremath';
const tmp = makeTempDir('goperf-deps-');
after(() => tmp.remove());

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

test('trimmed dependency paths resolve in the module cache and in vendor/', async () => {
  const version = /go-moremath (v\S+) h1:/.exec(readFileSync(join(repoRoot, 'test/fixtures/benchstat/go.sum'), 'utf8'))![1];
  writeFileSync(join(tmp.dir, 'go.mod'), `module example.com/deps\n\ngo 1.22\n\nrequire ${module} ${version}\n`);
  writeFileSync(
    join(tmp.dir, 'go.sum'),
    readFileSync(join(repoRoot, 'test/fixtures/benchstat/go.sum'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith(`${module} `))
      .join('\n') + '\n',
  );
  writeFileSync(
    join(tmp.dir, 'main.go'),
    `package main

import (
	"os"
	"runtime"
	"runtime/pprof"

	"${module}/stats"
)

var kept []*stats.Sample

func main() {
	runtime.MemProfileRate = 1
	for i := 0; i < 1000; i++ {
		kept = append(kept, stats.Sample{Xs: make([]float64, 64)}.Copy())
	}
	runtime.GC()
	f, _ := os.Create(os.Args[1])
	pprof.Lookup("allocs").WriteTo(f, 0)
	f.Close()
}
`,
  );
  const goEnv = { ...env, GOFLAGS: '-mod=mod', GOPROXY: 'off' };
  const profilePath = join(tmp.dir, 'allocs.pb.gz');
  execFileSync('go', ['run', '-trimpath', '.', profilePath], { cwd: tmp.dir, env: goEnv, stdio: ['ignore', 'ignore', 'pipe'] });

  const profile = decodeProfile(readFileSync(profilePath), profilePath);
  const report = lineCosts(profile, sampleIndexByName(profile, 'alloc_space'));
  const depFiles = report.files.map((f) => f.file).filter((file) => file.startsWith(`${module}@`));
  assert.ok(depFiles.includes(`${module}@${version}/stats/sample.go`), report.files.map((f) => f.file).join(', '));

  const dirs = await goDirs('go', tmp.dir);
  for (const file of depFiles) {
    const found = directCandidates(file, dirs).find((candidate) => existsSync(candidate));
    assert.equal(found, join(dirs.gomodcache!, file), file);
  }

  execFileSync('go', ['mod', 'vendor'], { cwd: tmp.dir, env: { ...goEnv, GOFLAGS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const workspaceFiles = listFiles(tmp.dir);
  for (const file of depFiles) {
    const vendored = join(tmp.dir, 'vendor', module, file.slice(file.indexOf('/', module.length) + 1));
    assert.ok(existsSync(vendored), vendored);
    assert.equal(bestSuffixMatch(file, workspaceFiles), vendored, file);
  }
});
