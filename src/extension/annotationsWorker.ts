// Worker thread for source annotations: decoding and aggregating a large
// profile takes seconds, which must not block the extension host.
import { parentPort } from 'node:worker_threads';
import { decodeProfile, sampleIndexByName } from '../core/pprof/index';
import { lineCosts, type LineCostReport } from '../core/pprof/lineCosts';
import type { ValueType } from '../core/pprof/model';

export interface AnnotationRequest {
  bytes: Uint8Array;
  fileName: string;
  /** A sample type name, or '' for the profile's default. */
  sampleType: string;
}

export type AnnotationResponse =
  | { ok: true; report: LineCostReport; sampleTypes: ValueType[] }
  | { ok: false; message: string };

parentPort?.on('message', (request: AnnotationRequest) => {
  let response: AnnotationResponse;
  try {
    const profile = decodeProfile(request.bytes, request.fileName);
    const report = lineCosts(profile, sampleIndexByName(profile, request.sampleType));
    response = { ok: true, report, sampleTypes: profile.sampleTypes };
  } catch (error) {
    response = { ok: false, message: (error as Error).message };
  }
  parentPort!.postMessage(response);
});
