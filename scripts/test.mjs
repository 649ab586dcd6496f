// Runs every test suite with Node's test runner: unit (Node), webview (headless
// Chromium) and end-to-end (code-server). `npm test -- unit` runs one suite.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const suites = ['unit', 'webview', 'e2e'];
const wanted = process.argv.slice(2).filter((a) => suites.includes(a));
const run = wanted.length ? wanted : suites;

function findTests(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

const build = spawnSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = run.flatMap((suite) => findTests(join('test', suite)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// One process runs the files one after another: the webview and e2e suites
// start browsers and servers that should not compete for the two cores.
const result = spawnSync(
  'node',
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
