// Bundles the extension host code, the CLI and the webviews with esbuild.
// `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// A production build starts clean so no stale source maps end up in the package.
if (production) rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

// `import svg from 'codicon:zoom-in'` is that codicon as an <svg> string, cut from
// the package's sprite at build time, so a webview carries the few icons it
// shows instead of the whole icon font.
const codicons = {
  name: 'codicons',
  setup(build) {
    build.onResolve({ filter: /^codicon:/ }, (args) => ({ path: args.path.slice('codicon:'.length), namespace: 'codicon' }));
    build.onLoad({ filter: /.*/, namespace: 'codicon' }, (args) => {
      const sprite = readFileSync(new URL('../node_modules/@vscode/codicons/dist/codicon.svg', import.meta.url), 'utf8');
      const symbol = new RegExp(`<symbol ([^>]*)id="${args.path}"[^>]*>(.*?)</symbol>`).exec(sprite);
      if (!symbol) return { errors: [{ text: `@vscode/codicons has no icon named ${args.path}` }] };
      const viewBox = /viewBox="([^"]*)"/.exec(symbol[1])?.[1] ?? '0 0 16 16';
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${viewBox}" width="16" height="16" fill="currentColor" aria-hidden="true">${symbol[2]}</svg>`;
      return { contents: svg, loader: 'text' };
    });
  },
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/goperf.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // What dist/cli.js loads for each command (see src/cli/goperf.ts).
    ...common,
    entryPoints: { cliMain: 'src/cli/main.ts', cliConstraints: 'src/cli/constraintsMain.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { annotationsWorker: 'src/extension/annotationsWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { server: 'src/server/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: { flame: 'webviews/flame/main.ts' },
    outdir: 'dist/webviews',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text', '.ttf': 'dataurl' },
  },
  {
    ...common,
    entryPoints: { timeline: 'webviews/timeline/main.ts' },
    outdir: 'dist/webviews',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
    plugins: [codicons],
  },
  {
    ...common,
    entryPoints: { results: 'webviews/results/main.ts' },
    outdir: 'dist/webviews',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
