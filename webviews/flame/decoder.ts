// Decoding and aggregation, either in a Web Worker (so a large profile never
// freezes the page, and in VS Code never stalls the window hosting it) or,
// when the page's CSP or the way the script was loaded rules a worker out,
// right in the page.
//
// The worker runs this same bundle: main.ts notices it has no document and
// serves decode requests instead of building the page. Its code comes from a
// blob: URL made from the script's own text, which needs `worker-src blob:`
// in the CSP and either an inline script (the standalone page) or a CSP
// `connect-src` that lets the page fetch its script URL.

import { aggregate, decodeProfile, ProfileError, sampleIndexByName } from '../../src/core/pprof/index';
import type { Aggregate, CallTree, Profile, ValueType } from '../../src/core/pprof/index';

export interface ProfileSummary {
  sampleTypes: ValueType[];
  defaultSampleIndex: number;
  sampleCount: number;
}

export interface Decoded {
  summary: ProfileSummary;
  /** The sample type to show first. */
  firstIndex: number;
  millis: number;
}

export interface Aggregated {
  aggregate: Aggregate;
  millis: number;
}

export interface Decoder {
  readonly where: 'worker' | 'page';
  /** Rejects with an Error whose message is ready for the user (it names the file). */
  decode(bytes: Uint8Array, fileName: string, sampleType?: string): Promise<Decoded>;
  aggregate(sampleIndex: number): Promise<Aggregated>;
}

export function describeError(error: unknown, fileName: string): string {
  if (error instanceof ProfileError) return error.message;
  const detail = error instanceof Error ? error.message : String(error);
  return detail.includes(fileName) ? detail : `${fileName}: ${detail}`;
}

/** Holds one decoded profile and answers for it; shared by both decoders. */
class ProfileSession {
  private profile: Profile | undefined;
  private fileName = '';

  decode(bytes: Uint8Array, fileName: string, sampleType?: string): Decoded {
    this.fileName = fileName;
    this.profile = undefined;
    const start = performance.now();
    const profile = decodeProfile(bytes, fileName);
    const firstIndex = sampleType ? sampleIndexByName(profile, sampleType) : profile.defaultSampleIndex;
    this.profile = profile;
    const summary = {
      sampleTypes: profile.sampleTypes,
      defaultSampleIndex: profile.defaultSampleIndex,
      sampleCount: profile.sampleCount,
    };
    return { summary, firstIndex, millis: performance.now() - start };
  }

  aggregate(sampleIndex: number): Aggregated {
    if (!this.profile) throw new Error(`${this.fileName || 'the profile'} is not decoded`);
    const start = performance.now();
    const result = aggregate(this.profile, sampleIndex);
    return { aggregate: result, millis: performance.now() - start };
  }

  get currentFile(): string {
    return this.fileName;
  }
}

class PageDecoder implements Decoder {
  readonly where = 'page';
  private readonly session = new ProfileSession();

  async decode(bytes: Uint8Array, fileName: string, sampleType?: string): Promise<Decoded> {
    try {
      return this.session.decode(bytes, fileName, sampleType);
    } catch (error) {
      throw new Error(describeError(error, fileName));
    }
  }

  async aggregate(sampleIndex: number): Promise<Aggregated> {
    try {
      return this.session.aggregate(sampleIndex);
    } catch (error) {
      throw new Error(describeError(error, this.session.currentFile));
    }
  }
}

// ---- worker side ------------------------------------------------------------

type Request =
  | { id: number; kind: 'decode'; bytes: Uint8Array; fileName: string; sampleType?: string }
  | { id: number; kind: 'aggregate'; sampleIndex: number };

type Reply =
  | { kind: 'ready' }
  | { id: number; kind: 'decoded'; result: Decoded }
  | { id: number; kind: 'aggregated'; result: Aggregated }
  | { id: number; kind: 'failed'; message: string };

/** The parts of a dedicated worker's global scope used here (the DOM typings lack them). */
export interface WorkerScope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}

function treeBuffers(tree: CallTree): Transferable[] {
  const arrays = [tree.parent, tree.func, tree.depth, tree.line, tree.inlined, tree.total, tree.self, tree.firstChild, tree.childCount];
  // Arrays may share one buffer; each buffer can be listed only once.
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}

export function serveDecoding(scope: WorkerScope): void {
  const session = new ProfileSession();
  scope.onmessage = (event) => {
    const request = event.data;
    try {
      if (request.kind === 'decode') {
        const result = session.decode(request.bytes, request.fileName, request.sampleType);
        scope.postMessage({ id: request.id, kind: 'decoded', result });
      } else {
        const result = session.aggregate(request.sampleIndex);
        scope.postMessage({ id: request.id, kind: 'aggregated', result }, treeBuffers(result.aggregate.tree));
      }
    } catch (error) {
      const fileName = request.kind === 'decode' ? request.fileName : session.currentFile;
      scope.postMessage({ id: request.id, kind: 'failed', message: describeError(error, fileName) });
    }
  };
  scope.postMessage({ kind: 'ready' });
}

// ---- page side of the worker -------------------------------------------------

class WorkerDecoder implements Decoder {
  readonly where = 'worker';
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      if (!('id' in reply)) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiter?.resolve(reply);
    };
    worker.onerror = (event) => {
      const error = new Error(`the decoding worker failed: ${event.message || 'unknown error'}`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
  }

  async decode(bytes: Uint8Array, fileName: string, sampleType?: string): Promise<Decoded> {
    // Copied, not transferred: the caller keeps its bytes.
    const reply = await this.request({ id: 0, kind: 'decode', bytes, fileName, sampleType });
    if (reply.kind === 'decoded') return reply.result;
    throw new Error(reply.kind === 'failed' ? reply.message : `${fileName}: unexpected reply from the decoding worker`);
  }

  async aggregate(sampleIndex: number): Promise<Aggregated> {
    const reply = await this.request({ id: 0, kind: 'aggregate', sampleIndex });
    if (reply.kind === 'aggregated') return reply.result;
    throw new Error(reply.kind === 'failed' ? reply.message : 'unexpected reply from the decoding worker');
  }

  private request(request: Request): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }
}

/** Reads the page's CSP from its <meta> tag: directive name -> source list. */
function pagePolicy(): Map<string, string[]> {
  const policy = new Map<string, string[]>();
  const meta = document.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy" i]');
  for (const directive of (meta?.content ?? '').split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    // Browsers obey the first of repeated directives and ignore the rest.
    if (name && !policy.has(name.toLowerCase())) policy.set(name.toLowerCase(), sources);
  }
  return policy;
}

function allows(policy: Map<string, string[]>, directives: string[], source: string): boolean {
  // Without a CSP meta tag nothing restricts the page (a bare test page).
  if (policy.size === 0) return true;
  for (const name of directives) {
    const sources = policy.get(name);
    if (sources) return sources.includes(source) || sources.includes('*');
  }
  return false;
}

async function ownSource(script: HTMLScriptElement | null, policy: Map<string, string[]>): Promise<string | undefined> {
  if (!script) return undefined;
  if (!script.src) return script.textContent || undefined;
  const connect = policy.get('connect-src') ?? policy.get('default-src');
  if (policy.size > 0 && (!connect || connect.includes("'none'"))) return undefined;
  try {
    const response = await fetch(script.src);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

function startWorker(source: string): Promise<Worker | undefined> {
  let worker: Worker;
  let url: string;
  try {
    url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    worker = new Worker(url, { name: 'goperf profile decoder' });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    worker.onmessage = (event: MessageEvent<Reply>) => {
      if (event.data.kind !== 'ready') return;
      URL.revokeObjectURL(url);
      resolve(worker);
    };
    worker.onerror = () => {
      URL.revokeObjectURL(url);
      worker.terminate();
      resolve(undefined);
    };
  });
}

/**
 * A decoder in a worker when this page may start one from its own script,
 * otherwise one that decodes in the page.
 */
export async function createDecoder(script: HTMLScriptElement | null): Promise<Decoder> {
  const policy = pagePolicy();
  if (typeof Worker === 'function' && allows(policy, ['worker-src', 'child-src', 'script-src', 'default-src'], 'blob:')) {
    const source = await ownSource(script, policy);
    const worker = source ? await startWorker(source) : undefined;
    if (worker) return new WorkerDecoder(worker);
  }
  return new PageDecoder();
}
