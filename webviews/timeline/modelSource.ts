// Reads a trace into the timeline's model off the page's thread: in a Web
// Worker running this same bundle (../common/ownWorker.ts), or in the page
// when its CSP rules a worker out. The model's columns come back by
// transfer, not by copy. The reader keeps the trace's bytes, so the blocking
// profiles are made from them later without the host sending them again.

import { encodeProfile } from '../../src/core/pprof/encode';
import { blockingProfile, type BlockingKind } from '../../src/core/trace/blockingProfile';
import { TraceError } from '../../src/core/trace/index';
import { MMUCurve, mutatorUtilization } from '../../src/core/trace/mmu';
import { modelBuffers, readTraceModel, type TraceModel } from '../../src/core/trace/model';
import { startOwnWorker } from '../common/ownWorker';

export interface Modelled {
  model: TraceModel;
  millis: number;
  where: 'worker' | 'page';
}

export interface ModelSource {
  /** Rejects with an Error whose message names the file. */
  read(bytes: Uint8Array, fileName: string): Promise<Modelled>;
  /** The KIND blocking profile of the trace read last, as uncompressed pprof protobuf. */
  blockingProfile(kind: BlockingKind): Promise<Uint8Array>;
  /** The minimum mutator utilization curve of the trace read last, as go tool trace's /mmu page plots it. */
  mmu(): Promise<MMUPoint[]>;
}

export interface MMUPoint {
  window: number;
  mmu: number;
}

export function describeError(error: unknown, fileName: string): string {
  if (error instanceof TraceError) return error.message;
  const detail = error instanceof Error ? error.message : String(error);
  return detail.includes(fileName) ? detail : `${fileName}: ${detail}`;
}

function build(bytes: Uint8Array, fileName: string): { model: TraceModel; millis: number } {
  const start = performance.now();
  const model = readTraceModel(bytes, fileName);
  return { model, millis: performance.now() - start };
}

/** The trace read last, kept for the profiles asked of it. */
interface Kept {
  bytes: Uint8Array;
  fileName: string;
}

function encodedBlockingProfile(kept: Kept | undefined, kind: BlockingKind): Uint8Array {
  if (!kept) throw new Error('no trace has been read yet');
  return encodeProfile(blockingProfile(kept.bytes, kept.fileName, kind).profile);
}

function mmuCurve(kept: Kept | undefined): MMUPoint[] {
  if (!kept) throw new Error('no trace has been read yet');
  return new MMUCurve(mutatorUtilization(kept.bytes, kept.fileName).series).curve();
}

type Request =
  | { id: number; kind: 'model'; bytes: Uint8Array; fileName: string }
  | { id: number; kind: 'blocking'; blocking: BlockingKind }
  | { id: number; kind: 'mmu' };
type Reply =
  | { kind: 'ready' }
  | { id: number; kind: 'model'; model: TraceModel; millis: number }
  | { id: number; kind: 'profile'; bytes: Uint8Array }
  | { id: number; kind: 'mmu'; curve: MMUPoint[] }
  | { id: number; kind: 'failed'; message: string };

export interface WorkerScope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}

export function serveModels(scope: WorkerScope): void {
  let kept: Kept | undefined;
  scope.onmessage = (event) => {
    const request = event.data;
    const { id } = request;
    const fileName = request.kind === 'model' ? request.fileName : (kept?.fileName ?? 'trace');
    try {
      if (request.kind === 'model') {
        kept = { bytes: request.bytes, fileName };
        const { model, millis } = build(request.bytes, fileName);
        scope.postMessage({ id, kind: 'model', model, millis }, modelBuffers(model));
      } else if (request.kind === 'blocking') {
        const bytes = encodedBlockingProfile(kept, request.blocking);
        scope.postMessage({ id, kind: 'profile', bytes }, [bytes.buffer as ArrayBuffer]);
      } else {
        scope.postMessage({ id, kind: 'mmu', curve: mmuCurve(kept) });
      }
    } catch (error) {
      scope.postMessage({ id, kind: 'failed', message: describeError(error, fileName) });
    }
  };
  scope.postMessage({ kind: 'ready' });
}

class WorkerSource implements ModelSource {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();

  constructor(worker: Worker) {
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      if (!('id' in reply)) return;
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    };
    worker.onerror = (event) => {
      const error = new Error(`the trace reading worker failed: ${event.message || 'unknown error'}`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
  }

  private readonly worker: Worker;
  private fileName = 'trace';

  private request(request: Request, transfer: Transferable[] = []): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request, transfer);
    });
  }

  async read(bytes: Uint8Array, fileName: string): Promise<Modelled> {
    this.fileName = fileName;
    // The page has no further use for the bytes: hand them over instead of copying.
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const reply = await this.request({ id: this.nextId++, kind: 'model', bytes, fileName }, whole ? [bytes.buffer as ArrayBuffer] : []);
    if (reply.kind === 'model') return { model: reply.model, millis: reply.millis, where: 'worker' };
    throw new Error(reply.kind === 'failed' ? reply.message : `${fileName}: unexpected reply from the trace worker`);
  }

  async blockingProfile(kind: BlockingKind): Promise<Uint8Array> {
    const reply = await this.request({ id: this.nextId++, kind: 'blocking', blocking: kind });
    if (reply.kind === 'profile') return reply.bytes;
    throw new Error(reply.kind === 'failed' ? reply.message : `${this.fileName}: unexpected reply from the trace worker`);
  }

  async mmu(): Promise<MMUPoint[]> {
    const reply = await this.request({ id: this.nextId++, kind: 'mmu' });
    if (reply.kind === 'mmu') return reply.curve;
    throw new Error(reply.kind === 'failed' ? reply.message : `${this.fileName}: unexpected reply from the trace worker`);
  }
}

class PageSource implements ModelSource {
  private kept: Kept | undefined;

  async read(bytes: Uint8Array, fileName: string): Promise<Modelled> {
    this.kept = { bytes, fileName };
    try {
      return { ...build(bytes, fileName), where: 'page' };
    } catch (error) {
      throw new Error(describeError(error, fileName));
    }
  }

  async blockingProfile(kind: BlockingKind): Promise<Uint8Array> {
    try {
      return encodedBlockingProfile(this.kept, kind);
    } catch (error) {
      throw new Error(describeError(error, this.kept?.fileName ?? 'trace'));
    }
  }

  async mmu(): Promise<MMUPoint[]> {
    try {
      return mmuCurve(this.kept);
    } catch (error) {
      throw new Error(describeError(error, this.kept?.fileName ?? 'trace'));
    }
  }
}

export async function createModelSource(script: HTMLScriptElement | null): Promise<ModelSource> {
  const worker = await startOwnWorker(script, 'goperf trace reader');
  return worker ? new WorkerSource(worker) : new PageSource();
}
