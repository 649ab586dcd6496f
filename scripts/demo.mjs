// The main job on the bundled sample module: runs its benchmarks with CPU and
// memory profiles, prints goperf's top tables and writes flame graph pages.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const out = resolve('demo-out');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function run(command, args, options = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`${command} failed with exit code ${result.status ?? result.signal}`);
    process.exit(1);
  }
}

run('node', ['scripts/build.mjs']);
run(
  'go',
  [
    'test', '-run', '^$', '-bench', '.', '-benchmem', '-benchtime', '500ms',
    '-cpuprofile', `${out}/cpu.pprof`, '-memprofile', `${out}/mem.pprof`,
    '-o', `${out}/workload.test`, './workload',
  ],
  { cwd: 'sample' },
);
const cli = 'dist/cli.js';
run('node', [cli, 'top', `${out}/cpu.pprof`, '--nodecount', '15']);
run('node', [cli, 'top', `${out}/mem.pprof`, '--sample-index', 'alloc_space', '--nodecount', '15']);
run('node', [cli, 'flame', `${out}/cpu.pprof`, '-o', `${out}/cpu.html`]);
run('node', [cli, 'flame', `${out}/mem.pprof`, '--sample-index', 'alloc_space', '-o', `${out}/mem.html`]);
console.log(`\nFlame graphs: ${out}/cpu.html and ${out}/mem.html (open them in a browser).`);
