// Downloads a profile or trace from a server's net/http/pprof handlers, with
// a deadline, a size limit and cancellation, and refuses what is not one (an
// HTML page, an error text). No vscode import: tested against real servers.

export type CaptureKind = 'profile' | 'trace' | 'goroutine-text';

export interface CaptureEndpoint {
  /** The path below /debug/pprof/. */
  path: string;
  label: string;
  description: string;
  kind: CaptureKind;
  /** Endpoints that record for a while take `seconds`; this is the default. */
  defaultSeconds?: number;
  query?: string;
}

/** Every endpoint of net/http/pprof that returns a profile or a trace. */
export const CAPTURE_ENDPOINTS: readonly CaptureEndpoint[] = [
  { path: 'profile', label: 'profile', description: 'CPU profile over N seconds', kind: 'profile', defaultSeconds: 30 },
  { path: 'heap', label: 'heap', description: 'live memory (inuse) and allocations since start', kind: 'profile' },
  { path: 'allocs', label: 'allocs', description: 'all allocations since start', kind: 'profile' },
  { path: 'goroutine', label: 'goroutine', description: 'stacks of all goroutines', kind: 'profile' },
  {
    path: 'goroutine',
    query: 'debug=2',
    label: 'goroutine (debug=2 text)',
    description: 'every goroutine with its state and wait time',
    kind: 'goroutine-text',
  },
  { path: 'block', label: 'block', description: 'where goroutines blocked (needs runtime.SetBlockProfileRate)', kind: 'profile' },
  { path: 'mutex', label: 'mutex', description: 'contended mutexes (needs runtime.SetMutexProfileFraction)', kind: 'profile' },
  { path: 'threadcreate', label: 'threadcreate', description: 'stacks that created OS threads', kind: 'profile' },
  { path: 'trace', label: 'trace', description: 'execution trace over N seconds (.trace)', kind: 'trace', defaultSeconds: 5 },
];

export class CaptureError extends Error {
  constructor(
    readonly code: 'bad-url' | 'refused' | 'timeout' | 'cancelled' | 'http' | 'html' | 'not-a-profile' | 'too-large' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

/**
 * The /debug/pprof/ folder of a server from what a user types:
 * "localhost:6060", "http://host:6060", or any URL below /debug/pprof/.
 */
export function pprofBaseUrl(input: string): URL {
  let text = input.trim();
  if (text === '') throw new CaptureError('bad-url', 'Enter the address of a server that serves net/http/pprof, e.g. http://127.0.0.1:6060');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CaptureError('bad-url', `"${input.trim()}" is not a URL; expected something like http://127.0.0.1:6060`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CaptureError('bad-url', `${url.href}: only http and https URLs can be captured from`);
  }
  const at = url.pathname.indexOf('/debug/pprof');
  const prefix = at >= 0 ? url.pathname.slice(0, at) : url.pathname.replace(/\/+$/, '');
  return new URL(`${url.origin}${prefix}/debug/pprof/`);
}

export function endpointUrl(base: URL, endpoint: CaptureEndpoint, seconds?: number): URL {
  const url = new URL(endpoint.path, base);
  if (endpoint.query) url.search = endpoint.query;
  if (endpoint.defaultSeconds !== undefined) url.searchParams.set('seconds', String(seconds ?? endpoint.defaultSeconds));
  return url;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "heap-127.0.0.1_6060-20261127-201503.pb.gz": sorts by time, says what and where from. */
export function captureFileName(endpoint: CaptureEndpoint, url: URL, date: Date): string {
  const stamp = `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  const host = url.host.replace(/[^A-Za-z0-9.-]+/g, '_');
  const extension = endpoint.kind === 'trace' ? 'trace' : endpoint.kind === 'goroutine-text' ? 'txt' : 'pb.gz';
  const name = endpoint.kind === 'goroutine-text' ? 'goroutine-debug2' : endpoint.path;
  return `${name}-${host}-${stamp}.${extension}`;
}

export interface FetchOptions {
  /** Cancels the download (the user pressed Cancel). */
  signal?: AbortSignal;
  /** Deadline for the whole answer, beyond any recording time the URL asks for. */
  timeoutMs: number;
  maxBytes: number;
  onBytes?: (received: number) => void;
}

export function describeBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** A printable excerpt of what came back, for messages. */
function excerpt(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 400));
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
  const plain = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return plain.length > 120 ? `${plain.slice(0, 120)}…` : plain;
}

function looksLikeHtml(bytes: Uint8Array, contentType: string): boolean {
  if (/html/i.test(contentType)) return true;
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<body');
}

function checkContent(url: URL, kind: CaptureKind, bytes: Uint8Array, contentType: string): void {
  if (bytes.length === 0) throw new CaptureError('not-a-profile', `${url.href} returned an empty body, not a ${kind === 'trace' ? 'trace' : 'profile'}`);
  if (looksLikeHtml(bytes, contentType)) {
    throw new CaptureError(
      'html',
      `${url.href} returned an HTML page (“${excerpt(bytes)}”), not a ${kind === 'trace' ? 'trace' : 'profile'}. Is this the address of net/http/pprof?`,
    );
  }
  const ok =
    kind === 'profile'
      ? bytes[0] === 0x1f && bytes[1] === 0x8b
      : kind === 'trace'
        ? new TextDecoder().decode(bytes.subarray(0, 5)) === 'go 1.'
        : new TextDecoder().decode(bytes.subarray(0, 10)) === 'goroutine ';
  if (!ok) {
    const what = kind === 'profile' ? 'a gzip-compressed pprof profile' : kind === 'trace' ? 'a Go execution trace' : 'a goroutine dump';
    throw new CaptureError('not-a-profile', `${url.href} returned ${describeBytes(bytes.length)} that are not ${what}: “${excerpt(bytes)}”`);
  }
}

function networkMessage(url: URL, error: unknown): CaptureError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') {
    return new CaptureError('refused', `Could not connect to ${url.host}: connection refused. Is the server running and serving net/http/pprof?`);
  }
  if (cause?.code === 'ENOTFOUND') return new CaptureError('network', `Could not find the host ${url.hostname}`);
  const detail = cause?.message ?? (error as Error).message;
  return new CaptureError('network', `Could not download ${url.href}: ${detail}`);
}

/** Downloads `url` and checks that it holds what `kind` promises. */
export async function fetchCapture(url: URL, kind: CaptureKind, options: FetchOptions): Promise<Uint8Array> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const stopped = (): CaptureError =>
    options.signal?.aborted
      ? new CaptureError('cancelled', `Capture from ${url.href} cancelled`)
      : new CaptureError('timeout', `${url.href} did not answer within ${Math.round(options.timeoutMs / 1000)} s`);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'follow' });
    } catch (error) {
      if (signal.aborted) throw stopped();
      throw networkMessage(url, error);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > options.maxBytes) {
      await response.body?.cancel();
      throw new CaptureError(
        'too-large',
        `${url.href} announced ${describeBytes(declared)}, more than the ${describeBytes(options.maxBytes)} allowed (goperf.capture.maxSizeMB)`,
      );
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    try {
      const reader = response.body?.getReader();
      for (;;) {
        if (!reader) break;
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > options.maxBytes) {
          await reader.cancel();
          throw new CaptureError(
            'too-large',
            `${url.href} sent more than the ${describeBytes(options.maxBytes)} allowed (goperf.capture.maxSizeMB); the download was stopped`,
          );
        }
        chunks.push(value);
        options.onBytes?.(received);
      }
    } catch (error) {
      if (error instanceof CaptureError) throw error;
      if (signal.aborted) throw stopped();
      throw networkMessage(url, error);
    }
    const bytes = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    if (!response.ok) {
      throw new CaptureError(
        looksLikeHtml(bytes, response.headers.get('content-type') ?? '') ? 'html' : 'http',
        `${url.href} answered ${response.status} ${response.statusText}${bytes.length > 0 ? `: “${excerpt(bytes)}”` : ''}`,
      );
    }
    checkContent(url, kind, bytes, response.headers.get('content-type') ?? '');
    return bytes;
  } finally {
    clearTimeout(timer);
  }
}
