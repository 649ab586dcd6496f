// Reads a trace into the timeline's model off the page's thread: in a Web
// Worker running this same bundle (../common/ownWorker.ts), or in the page
// when its CSP rules a worker out. The model's columns come back by
// transfer, not by copy.

import { TraceError } from '../../src/core/trace/index';
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

type Request = { id: number; bytes: Uint8Array; fileName: string };
type Reply =
  | { kind: 'ready' }
  | { id: number; kind: 'model'; model: TraceModel; millis: number }
  | { id: number; kind: 'failed'; message: string };

export interface WorkerScope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}

export function serveModels(scope: WorkerScope): void {
  scope.onmessage = (event) => {
    const { id, bytes, fileName } = event.data;
    try {
      const { model, millis } = build(bytes, fileName);
      scope.postMessage({ id, kind: 'model', model, millis }, modelBuffers(model));
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

  async read(bytes: Uint8Array, fileName: string): Promise<Modelled> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The page has no further use for the bytes: hand them over instead of copying.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      this.worker.postMessage({ id, bytes, fileName }, whole ? [bytes.buffer as ArrayBuffer] : []);
    });
    if (reply.kind === 'model') return { model: reply.model, millis: reply.millis, where: 'worker' };
    throw new Error(reply.kind === 'failed' ? reply.message : `${fileName}: unexpected reply from the trace worker`);
  }
}

class PageSource implements ModelSource {
  async read(bytes: Uint8Array, fileName: string): Promise<Modelled> {
    try {
      return { ...build(bytes, fileName), where: 'page' };
    } catch (error) {
      throw new Error(describeError(error, fileName));
    }
  }
}

export async function createModelSource(script: HTMLScriptElement | null): Promise<ModelSource> {
  const worker = await startOwnWorker(script, 'goperf trace reader');
  return worker ? new WorkerSource(worker) : new PageSource();
}
