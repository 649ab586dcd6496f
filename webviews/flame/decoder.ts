// Decoding and aggregation, either in a Web Worker (so a large profile never
// freezes the page, and in VS Code never stalls the window hosting it) or,
// when the page's CSP or the way the script was loaded rules a worker out,
// right in the page. The worker runs this same bundle (../common/ownWorker.ts).

import {
  decodeProfile,
  encodeProfile,
  incompatibility,
  ProfileError,
  profileLabelKeys,
  releaseScratch,
  sampleIndexByName,
  viewProfile,
} from '../../src/core/pprof/index';
import type { Aggregate, CallTree, FilterOptions, Granularity, LabelFrameOptions, Profile, ValueType } from '../../src/core/pprof/index';
import { startOwnWorker } from '../common/ownWorker';

export interface ProfileSummary {
  sampleTypes: ValueType[];
  defaultSampleIndex: number;
  sampleCount: number;
  /** The samples' label keys, to group by (pprof's -tagroot). */
  labelKeys: string[];
}

export interface Decoded {
  summary: ProfileSummary;
  /** The sample type to show first. */
  firstIndex: number;
  millis: number;
}

/** What to show: pprof's options, applied in pprof's order (diff, filters, granularity). */
export interface ViewRequest {
  sampleIndex: number;
  filters: FilterOptions;
  /** Label values as frames (pprof's -tagroot/-tagleaf), before the filters. */
  labelFrames?: LabelFrameOptions;
  granularity: Granularity;
  collapseRecursion: boolean;
  /** Subtract the base given to setBase (ignored when there is none). */
  diff: boolean;
}

export interface BaseInfo {
  fileName: string;
  mode: 'base' | 'diff_base';
  normalize: boolean;
}

export interface Aggregated {
  aggregate: Aggregate;
  /** pprof's "Showing nodes accounting for": the value left after the filters. */
  shownTotal: number;
  /** pprof's "… expression matched no samples" warnings. */
  warnings: string[];
  /** Set when the view is a diff against this base. */
  base: BaseInfo | undefined;
  millis: number;
}

export interface Decoder {
  readonly where: 'worker' | 'page';
  /** Rejects with an Error whose message is ready for the user (it names the file). */
  decode(bytes: Uint8Array, fileName: string, sampleType?: string): Promise<Decoded>;
  view(request: ViewRequest): Promise<Aggregated>;
  /** Decodes a base profile to diff against; rejects (naming both files) when it cannot be compared. */
  setBase(bytes: Uint8Array, info: BaseInfo): Promise<void>;
  clearBase(): Promise<void>;
  /** The profile as the view shows it (diffed, filtered, re-grained), as pprof protobuf bytes. */
  encodeView(request: ViewRequest): Promise<Uint8Array>;
}

export function describeError(error: unknown, fileName: string): string {
  if (error instanceof ProfileError) return error.message;
  const detail = error instanceof Error ? error.message : String(error);
  return detail.includes(fileName) ? detail : `${fileName}: ${detail}`;
}

/** Holds one decoded profile (and an optional base) and answers for it; shared by both decoders. */
class ProfileSession {
  private profile: Profile | undefined;
  private base: { profile: Profile; info: BaseInfo } | undefined;
  private fileName = '';

  decode(bytes: Uint8Array, fileName: string, sampleType?: string): Decoded {
    this.fileName = fileName;
    this.profile = undefined;
    this.base = undefined;
    const start = performance.now();
    const profile = decodeProfile(bytes, fileName);
    const firstIndex = sampleType ? sampleIndexByName(profile, sampleType) : profile.defaultSampleIndex;
    this.profile = profile;
    const summary = {
      sampleTypes: profile.sampleTypes,
      defaultSampleIndex: profile.defaultSampleIndex,
      sampleCount: profile.sampleCount,
      labelKeys: profileLabelKeys(profile),
    };
    return { summary, firstIndex, millis: performance.now() - start };
  }

  setBase(bytes: Uint8Array, info: BaseInfo): void {
    const source = this.decoded();
    const base = decodeProfile(bytes, info.fileName);
    const why = incompatibility(source, base);
    if (why) throw new Error(`cannot compare ${this.fileName} with ${info.fileName}: ${why}`);
    this.base = { profile: base, info };
  }

  clearBase(): void {
    this.base = undefined;
  }

  view(request: ViewRequest): Aggregated {
    const start = performance.now();
    const diff = request.diff ? this.base : undefined;
    const { aggregate, warnings } = this.viewOf(request, true);
    let shownTotal = 0;
    for (const row of aggregate.rows) shownTotal += row.flat;
    return { aggregate, shownTotal, warnings, base: diff?.info, millis: performance.now() - start };
  }

  encodeView(request: ViewRequest): Uint8Array {
    const { profile } = this.viewOf(request, false);
    return encodeProfile(profile, { granularity: request.granularity });
  }

  private viewOf(request: ViewRequest, callTree: boolean) {
    const diff = request.diff ? this.base : undefined;
    return viewProfile(this.decoded(), request.sampleIndex, {
      filters: request.filters,
      labelFrames: request.labelFrames,
      granularity: request.granularity,
      collapseRecursion: request.collapseRecursion,
      callTree,
      base: diff ? { profile: diff.profile, mode: diff.info.mode, normalize: diff.info.normalize } : undefined,
      magnitude: diff !== undefined,
    });
  }

  private decoded(): Profile {
    if (!this.profile) throw new Error(`${this.fileName || 'the profile'} is not decoded`);
    return this.profile;
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

  view(request: ViewRequest): Promise<Aggregated> {
    return this.answer(() => this.session.view(request));
  }

  setBase(bytes: Uint8Array, info: BaseInfo): Promise<void> {
    return this.answer(() => this.session.setBase(bytes, info), info.fileName);
  }

  clearBase(): Promise<void> {
    return this.answer(() => this.session.clearBase());
  }

  encodeView(request: ViewRequest): Promise<Uint8Array> {
    return this.answer(() => this.session.encodeView(request));
  }

  private async answer<T>(work: () => T, fileName = this.session.currentFile): Promise<T> {
    try {
      return work();
    } catch (error) {
      throw new Error(describeError(error, fileName));
    }
  }
}

// ---- worker side ------------------------------------------------------------

type Request =
  | { id: number; kind: 'decode'; bytes: Uint8Array; fileName: string; sampleType?: string }
  | { id: number; kind: 'view'; request: ViewRequest }
  | { id: number; kind: 'setBase'; bytes: Uint8Array; info: BaseInfo }
  | { id: number; kind: 'clearBase' }
  | { id: number; kind: 'encodeView'; request: ViewRequest };

type Reply =
  | { kind: 'ready' }
  | { id: number; kind: 'done'; result: unknown }
  | { id: number; kind: 'failed'; message: string };

/** The parts of a dedicated worker's global scope used here (the DOM typings lack them). */
export interface WorkerScope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}

function treeBuffers(tree: CallTree): Transferable[] {
  const arrays = [tree.parent, tree.func, tree.depth, tree.line, tree.inlined, tree.total, tree.self, tree.firstChild, tree.childCount];
  if (tree.magnitude) arrays.push(tree.magnitude);
  // Arrays may share one buffer; each buffer can be listed only once.
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}

/** How long the worker keeps its scratch arrays after the last request: a user exploring reuses them, an idle page lets them go. */
const scratchKeptMillis = 20_000;

export function serveDecoding(scope: WorkerScope): void {
  const session = new ProfileSession();
  let release: ReturnType<typeof setTimeout> | undefined;
  scope.onmessage = (event) => {
    const request = event.data;
    clearTimeout(release);
    release = setTimeout(releaseScratch, scratchKeptMillis);
    const done = (result: unknown, transfer: Transferable[] = []) => scope.postMessage({ id: request.id, kind: 'done', result }, transfer);
    try {
      switch (request.kind) {
        case 'decode':
          done(session.decode(request.bytes, request.fileName, request.sampleType));
          break;
        case 'view': {
          const result = session.view(request.request);
          done(result, treeBuffers(result.aggregate.tree));
          break;
        }
        case 'setBase':
          done(session.setBase(request.bytes, request.info));
          break;
        case 'clearBase':
          done(session.clearBase());
          break;
        case 'encodeView': {
          const bytes = session.encodeView(request.request);
          done(bytes, [bytes.buffer as ArrayBuffer]);
          break;
        }
      }
    } catch (error) {
      const fileName =
        request.kind === 'decode' ? request.fileName : request.kind === 'setBase' ? request.info.fileName : session.currentFile;
      scope.postMessage({ id: request.id, kind: 'failed', message: describeError(error, fileName) });
    }
  };
  scope.postMessage({ kind: 'ready' });
}

// ---- page side of the worker -------------------------------------------------

/** A request without its id, which the page side assigns. */
type Unnumbered<R> = R extends { id: number } ? Omit<R, 'id'> : never;

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

  decode(bytes: Uint8Array, fileName: string, sampleType?: string): Promise<Decoded> {
    // Copied, not transferred: the caller keeps its bytes.
    return this.request({ kind: 'decode', bytes, fileName, sampleType });
  }

  view(request: ViewRequest): Promise<Aggregated> {
    return this.request({ kind: 'view', request });
  }

  setBase(bytes: Uint8Array, info: BaseInfo): Promise<void> {
    return this.request({ kind: 'setBase', bytes, info });
  }

  clearBase(): Promise<void> {
    return this.request({ kind: 'clearBase' });
  }

  encodeView(request: ViewRequest): Promise<Uint8Array> {
    return this.request({ kind: 'encodeView', request });
  }

  private async request<T>(request: Unnumbered<Request>): Promise<T> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
    if (reply.kind === 'done') return reply.result as T;
    throw new Error(reply.kind === 'failed' ? reply.message : 'unexpected reply from the decoding worker');
  }
}

/**
 * A decoder in a worker when this page may start one from its own script,
 * otherwise one that decodes in the page.
 */
export async function createDecoder(script: HTMLScriptElement | null): Promise<Decoder> {
  const worker = await startOwnWorker(script, 'goperf profile decoder');
  return worker ? new WorkerDecoder(worker) : new PageDecoder();
}
