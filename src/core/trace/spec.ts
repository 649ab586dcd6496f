// The wire format of Go execution traces, Go 1.22 onwards ("v2"). Event type
// numbers are shared by every v2 version; newer versions only append types.

export const SUPPORTED_VERSIONS = [22, 23, 25, 26] as const;
/** With the pre-1.22 format (v1/), whose headers say go 1.11, 1.19 or 1.21. */
export const SUPPORTED_RANGE = 'go1.11–go1.26';

export const EvEventBatch = 1;
export const EvStacks = 2;
export const EvStack = 3;
export const EvStrings = 4;
export const EvString = 5;
export const EvCPUSamples = 6;
export const EvCPUSample = 7;
export const EvFrequency = 8;
export const EvProcsChange = 9;
export const EvProcStart = 10;
export const EvProcStop = 11;
export const EvProcSteal = 12;
export const EvProcStatus = 13;
export const EvGoCreate = 14;
export const EvGoCreateSyscall = 15;
export const EvGoStart = 16;
export const EvGoDestroy = 17;
export const EvGoDestroySyscall = 18;
export const EvGoStop = 19;
export const EvGoBlock = 20;
export const EvGoUnblock = 21;
export const EvGoSyscallBegin = 22;
export const EvGoSyscallEnd = 23;
export const EvGoSyscallEndBlocked = 24;
export const EvGoStatus = 25;
export const EvSTWBegin = 26;
export const EvSTWEnd = 27;
export const EvGCActive = 28;
export const EvGCBegin = 29;
export const EvGCEnd = 30;
export const EvGCSweepActive = 31;
export const EvGCSweepBegin = 32;
export const EvGCSweepEnd = 33;
export const EvGCMarkAssistActive = 34;
export const EvGCMarkAssistBegin = 35;
export const EvGCMarkAssistEnd = 36;
export const EvHeapAlloc = 37;
export const EvHeapGoal = 38;
export const EvGoLabel = 39;
export const EvUserTaskBegin = 40;
export const EvUserTaskEnd = 41;
export const EvUserRegionBegin = 42;
export const EvUserRegionEnd = 43;
export const EvUserLog = 44;
export const EvGoSwitch = 45;
export const EvGoSwitchDestroy = 46;
export const EvGoCreateBlocked = 47;
export const EvGoStatusStack = 48;
export const EvExperimentalBatch = 49;
export const EvSync = 50;
export const EvClockSnapshot = 51;
export const EvEndOfGeneration = 52;
/** Experimental events (AllocFree experiment) live in 128..136. */
export const EvFirstExperimental = 128;
export const EvLastExperimental = 136;
/** Not a wire type: the reader's own Sync event, emitted once per generation and once at the end. */
export const EvSyncMarker = 256;

/** Same names and order as golang.org/x/exp/trace EventKind (minus EventBad). */
export const EVENT_KINDS = [
  'Bad',
  'Sync',
  'Metric',
  'Label',
  'StackSample',
  'RangeBegin',
  'RangeActive',
  'RangeEnd',
  'TaskBegin',
  'TaskEnd',
  'RegionBegin',
  'RegionEnd',
  'Log',
  'StateTransition',
  'Experimental',
] as const;
export type EventKindName = (typeof EVENT_KINDS)[number];

export enum Kind {
  Bad = 0,
  Sync,
  Metric,
  Label,
  StackSample,
  RangeBegin,
  RangeActive,
  RangeEnd,
  TaskBegin,
  TaskEnd,
  RegionBegin,
  RegionEnd,
  Log,
  StateTransition,
  Experimental,
}

interface Spec {
  name: string;
  /** Arguments after the timestamp delta. */
  nargs: number;
  kind: Kind;
  /** For End/Active events: the Begin event of the range. */
  startEv?: number;
  /** Argument indices (0-based, after dt) that are stack ids / string ids. */
  stackArgs?: number[];
  stringArgs?: number[];
}

const specs: (Spec | undefined)[] = [];
function def(type: number, spec: Spec): void {
  specs[type] = spec;
}
const ST = Kind.StateTransition;
def(EvProcsChange, { name: 'ProcsChange', nargs: 2, kind: Kind.Metric, stackArgs: [1] });
def(EvProcStart, { name: 'ProcStart', nargs: 2, kind: ST });
def(EvProcStop, { name: 'ProcStop', nargs: 0, kind: ST });
def(EvProcSteal, { name: 'ProcSteal', nargs: 3, kind: ST });
def(EvProcStatus, { name: 'ProcStatus', nargs: 2, kind: ST });
def(EvGoCreate, { name: 'GoCreate', nargs: 3, kind: ST, stackArgs: [2, 1] });
def(EvGoCreateSyscall, { name: 'GoCreateSyscall', nargs: 1, kind: ST });
def(EvGoStart, { name: 'GoStart', nargs: 2, kind: ST });
def(EvGoDestroy, { name: 'GoDestroy', nargs: 0, kind: ST });
def(EvGoDestroySyscall, { name: 'GoDestroySyscall', nargs: 0, kind: ST });
def(EvGoStop, { name: 'GoStop', nargs: 2, kind: ST, stackArgs: [1], stringArgs: [0] });
def(EvGoBlock, { name: 'GoBlock', nargs: 2, kind: ST, stackArgs: [1], stringArgs: [0] });
def(EvGoUnblock, { name: 'GoUnblock', nargs: 3, kind: ST, stackArgs: [2] });
def(EvGoSyscallBegin, { name: 'GoSyscallBegin', nargs: 2, kind: ST, stackArgs: [1] });
def(EvGoSyscallEnd, { name: 'GoSyscallEnd', nargs: 0, kind: ST, startEv: EvGoSyscallBegin });
def(EvGoSyscallEndBlocked, { name: 'GoSyscallEndBlocked', nargs: 0, kind: ST, startEv: EvGoSyscallBegin });
def(EvGoStatus, { name: 'GoStatus', nargs: 3, kind: ST });
def(EvSTWBegin, { name: 'STWBegin', nargs: 2, kind: Kind.RangeBegin, stackArgs: [1], stringArgs: [0] });
def(EvSTWEnd, { name: 'STWEnd', nargs: 0, kind: Kind.RangeEnd, startEv: EvSTWBegin });
def(EvGCActive, { name: 'GCActive', nargs: 1, kind: Kind.RangeActive, startEv: EvGCBegin });
def(EvGCBegin, { name: 'GCBegin', nargs: 2, kind: Kind.RangeBegin, stackArgs: [1] });
def(EvGCEnd, { name: 'GCEnd', nargs: 1, kind: Kind.RangeEnd, startEv: EvGCBegin });
def(EvGCSweepActive, { name: 'GCSweepActive', nargs: 1, kind: Kind.RangeActive, startEv: EvGCSweepBegin });
def(EvGCSweepBegin, { name: 'GCSweepBegin', nargs: 1, kind: Kind.RangeBegin, stackArgs: [0] });
def(EvGCSweepEnd, { name: 'GCSweepEnd', nargs: 2, kind: Kind.RangeEnd, startEv: EvGCSweepBegin });
def(EvGCMarkAssistActive, {
  name: 'GCMarkAssistActive',
  nargs: 1,
  kind: Kind.RangeActive,
  startEv: EvGCMarkAssistBegin,
});
def(EvGCMarkAssistBegin, { name: 'GCMarkAssistBegin', nargs: 1, kind: Kind.RangeBegin, stackArgs: [0] });
def(EvGCMarkAssistEnd, { name: 'GCMarkAssistEnd', nargs: 0, kind: Kind.RangeEnd, startEv: EvGCMarkAssistBegin });
def(EvHeapAlloc, { name: 'HeapAlloc', nargs: 1, kind: Kind.Metric });
def(EvHeapGoal, { name: 'HeapGoal', nargs: 1, kind: Kind.Metric });
def(EvGoLabel, { name: 'GoLabel', nargs: 1, kind: Kind.Label, stringArgs: [0] });
def(EvUserTaskBegin, { name: 'UserTaskBegin', nargs: 4, kind: Kind.TaskBegin, stackArgs: [3], stringArgs: [2] });
def(EvUserTaskEnd, { name: 'UserTaskEnd', nargs: 2, kind: Kind.TaskEnd, stackArgs: [1] });
def(EvUserRegionBegin, {
  name: 'UserRegionBegin',
  nargs: 3,
  kind: Kind.RegionBegin,
  stackArgs: [2],
  stringArgs: [1],
});
def(EvUserRegionEnd, {
  name: 'UserRegionEnd',
  nargs: 3,
  kind: Kind.RegionEnd,
  startEv: EvUserRegionBegin,
  stackArgs: [2],
  stringArgs: [1],
});
def(EvUserLog, { name: 'UserLog', nargs: 4, kind: Kind.Log, stackArgs: [3], stringArgs: [1, 2] });
def(EvGoSwitch, { name: 'GoSwitch', nargs: 2, kind: ST });
def(EvGoSwitchDestroy, { name: 'GoSwitchDestroy', nargs: 2, kind: ST });
def(EvGoCreateBlocked, { name: 'GoCreateBlocked', nargs: 3, kind: ST, stackArgs: [2, 1] });
def(EvGoStatusStack, { name: 'GoStatusStack', nargs: 4, kind: ST, stackArgs: [3] });
def(EvClockSnapshot, { name: 'ClockSnapshot', nargs: 3, kind: Kind.Bad });
const EX = Kind.Experimental;
def(128, { name: 'Span', nargs: 3, kind: EX });
def(129, { name: 'SpanAlloc', nargs: 3, kind: EX });
def(130, { name: 'SpanFree', nargs: 1, kind: EX });
def(131, { name: 'HeapObject', nargs: 2, kind: EX });
def(132, { name: 'HeapObjectAlloc', nargs: 2, kind: EX });
def(133, { name: 'HeapObjectFree', nargs: 1, kind: EX });
def(134, { name: 'GoroutineStack', nargs: 2, kind: EX });
def(135, { name: 'GoroutineStackAlloc', nargs: 2, kind: EX });
def(136, { name: 'GoroutineStackFree', nargs: 1, kind: EX });

/**
 * Events with a timestamp, which a per-M batch cursor can read. ClockSnapshot
 * belongs in sync batches; like Go, the ordering (not the cursor) rejects it elsewhere.
 */
export function timedSpec(type: number): Spec | undefined {
  return specs[type];
}

export function eventName(type: number): string {
  if (type === EvSyncMarker) return 'Sync';
  return specs[type]?.name ?? `Invalid(${type})`;
}

export function eventKind(type: number): Kind {
  if (type === EvSyncMarker) return Kind.Sync;
  return specs[type]?.kind ?? Kind.Bad;
}

export function rangeStart(type: number): number {
  return specs[type]?.startEv ?? type;
}

export function stackArgs(type: number): number[] | undefined {
  return specs[type]?.stackArgs;
}

export function stringArgs(type: number): number[] | undefined {
  return specs[type]?.stringArgs;
}

// Wire statuses.
export const GoStatusRunnable = 1;
export const GoStatusRunning = 2;
export const GoStatusSyscall = 3;
export const GoStatusWaiting = 4;
export const ProcStatusRunning = 1;
export const ProcStatusIdle = 2;
export const ProcStatusSyscall = 3;
export const ProcStatusSyscallAbandoned = 4;

// States as the reader reports them in state transitions (x/exp/trace GoState, ProcState).
export enum GoState {
  Undetermined = 0,
  NotExist,
  Runnable,
  Running,
  Waiting,
  Syscall,
}
export const GO_STATE_NAMES = ['Undetermined', 'NotExist', 'Runnable', 'Running', 'Waiting', 'Syscall'];
export enum ProcState {
  Undetermined = 0,
  NotExist,
  Running,
  Idle,
}
export const PROC_STATE_NAMES = ['Undetermined', 'NotExist', 'Running', 'Idle'];

/** Wire GoStatus → GoState. */
export const GO_STATUS_TO_STATE = [GoState.Undetermined, GoState.Runnable, GoState.Running, GoState.Syscall, GoState.Waiting];
/** Wire ProcStatus → ProcState (a P in a syscall still runs; an abandoned one is idle). */
export const PROC_STATUS_TO_STATE = [
  ProcState.Undetermined,
  ProcState.Running,
  ProcState.Idle,
  ProcState.Running,
  ProcState.Idle,
];

/** Go's NoGoroutine, NoProc, NoThread, NoTask: all "-1" as signed 64-bit ids. */
export const NONE = -1;

export const MAX_BATCH_SIZE = 64 << 10;
export const MAX_FRAMES_PER_STACK = 128;
export const MAX_STRING_SIZE = 1 << 10;
