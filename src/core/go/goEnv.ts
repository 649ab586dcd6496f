// Asks the go command for its directories (GOROOT for standard library
// sources, GOMODCACHE for dependencies).
import { runGo } from './runGo';
import type { GoDirs } from './sourcePath';

export async function goDirs(goPath: string, cwd: string): Promise<GoDirs> {
  const run = await runGo(goPath, ['env', '-json', 'GOROOT', 'GOMODCACHE'], { cwd });
  if (run.exitCode !== 0) {
    throw new Error(`go env failed (exit ${run.exitCode ?? run.signal}): ${run.stderr.trim() || run.stdout.trim()}`);
  }
  const parsed = JSON.parse(run.stdout) as { GOROOT?: string; GOMODCACHE?: string };
  return { goroot: parsed.GOROOT || undefined, gomodcache: parsed.GOMODCACHE || undefined };
}
