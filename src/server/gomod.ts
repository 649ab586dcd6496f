// The `go` directive of the module a file belongs to: the nearest go.mod
// upward from the file. It decides whether +build lines are still needed.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GoModule {
  readonly goModPath: string;
  /** Minor version of the `go 1.N` directive, undefined when there is none. */
  readonly goMinor?: number;
  readonly goVersion?: string;
}

const cache = new Map<string, { mtimeMs: number; module: GoModule }>();

export function findGoModule(file: string): GoModule | undefined {
  let dir = path.dirname(file);
  for (;;) {
    const candidate = path.join(dir, 'go.mod');
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(candidate);
    } catch {
      stat = undefined;
    }
    if (stat?.isFile()) return readGoMod(candidate, stat.mtimeMs);
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readGoMod(goModPath: string, mtimeMs: number): GoModule {
  const cached = cache.get(goModPath);
  if (cached && cached.mtimeMs === mtimeMs) return cached.module;
  let text = '';
  try {
    text = fs.readFileSync(goModPath, 'utf8');
  } catch {
    // Unreadable: treated as a module without a go directive.
  }
  const m = /^[ \t]*go[ \t]+(1\.(\d+)(?:\.\d+)?(?:rc\d+|beta\d+)?)[ \t]*(?:\/\/.*)?\r?$/m.exec(text);
  const module: GoModule = { goModPath, goVersion: m?.[1], goMinor: m ? Number(m[2]) : undefined };
  cache.set(goModPath, { mtimeMs, module });
  return module;
}
