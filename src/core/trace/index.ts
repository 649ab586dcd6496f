export { stateTransition, TraceEvent, type StateTransition } from './event';
export { GenerationTables, type Frame } from './generation';
export { readTrace, readTraceVersion, TraceError, type ReadTraceOptions, type TraceProblem, type TraceReadResult } from './reader';
export {
  EVENT_KINDS,
  eventName,
  GO_STATE_NAMES,
  GoState,
  Kind,
  PROC_STATE_NAMES,
  ProcState,
  SUPPORTED_RANGE,
  type EventKindName,
} from './spec';
export { traceStats, type GoroutineSummary, type TraceStats } from './summary';
