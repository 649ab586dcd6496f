// Maps a file name recorded in a profile to a file on this machine. Profiles
// hold absolute paths from the machine that built the binary, or, when built
// with -trimpath, `module/path/file.go` for module code, `runtime/proc.go` for
// the standard library and `module@version/file.go` for dependencies. Looked
// up in order: the user's prefix map (goperf.sourceMap), the recorded path,
// GOROOT and the module cache (ours for another machine's), then the
// workspace by path suffix, which also finds vendored copies.
import { posix } from 'node:path';

export interface GoDirs {
  goroot?: string;
  gomodcache?: string;
}

function toSlashes(path: string): string {
  return path.replace(/\\/g, '/');
}

function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
}

/**
 * The module cache stores upper-case letters as `!` plus the lower-case
 * letter, so that paths stay distinct on case-insensitive file systems.
 */
export function escapeModulePath(path: string): string {
  return path.replace(/[A-Z]/g, (letter) => `!${letter.toLowerCase()}`);
}

/**
 * Places to look for the file outside the workspace, in order: the recorded
 * absolute path, then GOROOT and the module cache for trimmed paths.
 */
export function directCandidates(profilePath: string, dirs: GoDirs): string[] {
  const path = toSlashes(profilePath);
  const candidates: string[] = [];
  if (isAbsolutePath(profilePath)) candidates.push(profilePath);
  if (path.startsWith('$GOROOT/') && dirs.goroot) {
    candidates.push(posix.join(toSlashes(dirs.goroot), path.slice('$GOROOT/'.length)));
    return candidates;
  }
  if (isAbsolutePath(profilePath)) {
    // A GOROOT from another machine or installation: keep the part after /src/.
    const inGoroot = /\/go\/src\/(.+)$/.exec(path);
    if (inGoroot && dirs.goroot) candidates.push(posix.join(toSlashes(dirs.goroot), 'src', inGoroot[1]));
    // Another machine's module cache: the path below pkg/mod is already escaped.
    const inModCache = /\/pkg\/mod\/(.+@v[^/]+\/.+)$/.exec(path);
    if (inModCache && dirs.gomodcache) candidates.push(posix.join(toSlashes(dirs.gomodcache), inModCache[1]));
    return candidates;
  }
  const firstElement = path.split('/')[0];
  // Standard library import paths have no dot in their first element.
  if (!firstElement.includes('.') && !firstElement.includes('@') && dirs.goroot) {
    candidates.push(posix.join(toSlashes(dirs.goroot), 'src', path));
  }
  if (/@v[^/]+\//.test(path) && dirs.gomodcache) {
    candidates.push(posix.join(toSlashes(dirs.gomodcache), escapeModulePath(path)));
  }
  return candidates;
}

/**
 * A dependency's path without its `@version` (and the module cache's `!`
 * escapes): what a vendor directory holds, `vendor/github.com/Foo/bar/x.go`.
 */
function withoutVersions(profilePath: string): string {
  const path = toSlashes(profilePath);
  const inModCache = /\/pkg\/mod\/(.+@v[^/]+\/.+)$/.exec(path);
  const modulePath = inModCache ? inModCache[1].replace(/!([a-z])/g, (_, letter: string) => letter.toUpperCase()) : path;
  return modulePath.replace(/@v[^/]+\//, '/');
}

/**
 * The user's own prefix mapping (the goperf.sourceMap setting): the longest
 * matching prefix wins, `{"/build/src/": "/home/me/src/"}`.
 */
export function mappedCandidate(profilePath: string, sourceMap: Readonly<Record<string, string>>): string | undefined {
  const path = toSlashes(profilePath);
  let best: string | undefined;
  for (const prefix of Object.keys(sourceMap)) {
    const from = toSlashes(prefix);
    if (from === '' || !path.startsWith(from)) continue;
    if (best === undefined || from.length > toSlashes(best).length) best = prefix;
  }
  if (best === undefined) return undefined;
  const rest = path.slice(toSlashes(best).length);
  const to = toSlashes(sourceMap[best]);
  return to.endsWith('/') || rest.startsWith('/') || rest === '' ? to + rest : `${to}/${rest}`;
}

/**
 * A glob for the workspace search: the file with its parent directory, which
 * is specific enough to keep the result list short (`**\/workload/workload.go`).
 */
export function workspaceGlob(profilePath: string): string {
  const parts = withoutVersions(profilePath).split('/').filter(Boolean);
  return `**/${parts.slice(-2).join('/')}`;
}

function commonSuffixLength(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/**
 * The workspace file that shares the most trailing path elements with the
 * profile path; ties go to the shorter path (less nested, usually the module
 * itself rather than a vendored copy). Undefined when nothing shares the file name.
 */
export function bestSuffixMatch(profilePath: string, candidates: readonly string[]): string | undefined {
  const wanted = withoutVersions(profilePath).split('/').filter(Boolean);
  let best: string | undefined;
  let bestScore = 0;
  for (const candidate of candidates) {
    const parts = toSlashes(candidate).split('/').filter(Boolean);
    const score = commonSuffixLength(wanted, parts);
    if (score > bestScore || (score === bestScore && score > 0 && best !== undefined && candidate.length < best.length)) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
