// Runs the go command without a shell, streams its output line by line and
// can stop it together with every process it started: `go test` runs the
// compiled `pkg.test` binary as a child, and killing only `go` would leave
// that binary running the benchmark.

// execa is ESM-only, and this module is loaded as CommonJS both in the bundled
// extension and under tsx in the tests; a dynamic import works in both.
const loadExeca = () => import('execa');

export type OutputStream = 'stdout' | 'stderr';

export interface RunGoOptions {
  cwd: string;
  env?: Readonly<Partial<Record<string, string>>>;
  onLine?: (line: string, stream: OutputStream) => void;
  /** Called with the process id of `go`, which is also the id of its process group (except on Windows). */
  onSpawn?: (pid: number) => void;
  /** Aborting stops the whole process tree (SIGINT, then SIGKILL after `killGraceMillis`). */
  signal?: AbortSignal;
  killGraceMillis?: number;
}

export interface RunGoResult {
  exitCode: number | undefined;
  /** Set when the process was ended by a signal. */
  signal: string | undefined;
  cancelled: boolean;
  stdout: string;
  stderr: string;
}

export class GoNotFoundError extends Error {
  constructor(readonly goPath: string) {
    super(
      goPath === 'go'
        ? 'go was not found on PATH; set goperf.goPath to the go binary'
        : `go was not found at "${goPath}"; check the goperf.goPath setting`,
    );
    this.name = 'GoNotFoundError';
  }
}

/** Quotes arguments for display (logs, error messages) only; nothing is ever run through a shell. */
export function formatCommandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

async function killProcessTree(pid: number, graceMillis: number, exited: Promise<unknown>): Promise<void> {
  if (process.platform === 'win32') {
    // Windows has no process groups; taskkill /T walks the child tree.
    const { execa } = await loadExeca();
    await execa('taskkill', ['/pid', String(pid), '/T', '/F'], { reject: false });
    return;
  }
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch (error) {
      // ESRCH: the group is already gone.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  // SIGINT is what Ctrl-C in a terminal sends: `go` ignores it and waits
  // while the test binary exits, then reaps it. With SIGTERM `go` would die
  // first and leave the binary an orphan.
  signalGroup('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMillis);
  });
  await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  // A binary that handles SIGINT itself may keep running: SIGKILL the group in
  // every case so no `pkg.test` survives. ESRCH when it is already empty.
  signalGroup('SIGKILL');
}

export async function runGo(goPath: string, args: readonly string[], options: RunGoOptions): Promise<RunGoResult> {
  const { onLine, signal } = options;
  if (signal?.aborted) return { exitCode: undefined, signal: undefined, cancelled: true, stdout: '', stderr: '' };
  const lineTap = (stream: OutputStream) =>
    // execa hands generator transforms one line at a time (without the newline).
    function* (line: unknown) {
      onLine?.(String(line), stream);
      yield line;
    };
  const { execa } = await loadExeca();
  const subprocess = execa(goPath, args, {
    cwd: options.cwd,
    env: options.env,
    // A new process group, so cancelling can signal `go` and `pkg.test` together.
    detached: process.platform !== 'win32',
    reject: false,
    stdin: 'ignore',
    stdout: lineTap('stdout'),
    stderr: lineTap('stderr'),
    // Leave termination to killProcessTree; execa's own timer would only kill `go`.
    forceKillAfterDelay: false,
  });

  if (subprocess.pid !== undefined) options.onSpawn?.(subprocess.pid);
  let cancelled = false;
  let killing: Promise<void> | undefined;
  const onAbort = () => {
    if (cancelled || subprocess.pid === undefined) return;
    cancelled = true;
    killing = killProcessTree(subprocess.pid, options.killGraceMillis ?? 2000, subprocess.catch(() => undefined));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await subprocess;
    if (killing) await killing;
    if (result.failed && (result as { code?: string }).code === 'ENOENT' && result.exitCode === undefined) {
      throw new GoNotFoundError(goPath);
    }
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      cancelled,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
