// The wire format of Go execution traces before Go 1.22 ("v1"): headers
// "go 1.11 trace" (Go 1.11–1.18), "go 1.19 trace" (1.19, 1.20) and
// "go 1.21 trace". Older headers (1.5–1.10) are not read by Go's reader either.

export const V1_VERSIONS = [11, 19, 21] as const;

export const EvNone = 0;
export const EvBatch = 1;
export const EvFrequency = 2;
export const EvStack = 3;
export const EvGomaxprocs = 4;
export const EvProcStart = 5;
export const EvProcStop = 6;
export const EvGCStart = 7;
export const EvGCDone = 8;
export const EvSTWStart = 9;
export const EvSTWDone = 10;
export const EvGCSweepStart = 11;
export const EvGCSweepDone = 12;
export const EvGoCreate = 13;
export const EvGoStart = 14;
export const EvGoEnd = 15;
export const EvGoStop = 16;
export const EvGoSched = 17;
export const EvGoPreempt = 18;
export const EvGoSleep = 19;
export const EvGoBlock = 20;
export const EvGoUnblock = 21;
export const EvGoBlockSend = 22;
export const EvGoBlockRecv = 23;
export const EvGoBlockSelect = 24;
export const EvGoBlockSync = 25;
export const EvGoBlockCond = 26;
export const EvGoBlockNet = 27;
export const EvGoSysCall = 28;
export const EvGoSysExit = 29;
export const EvGoSysBlock = 30;
export const EvGoWaiting = 31;
export const EvGoInSyscall = 32;
export const EvHeapAlloc = 33;
export const EvHeapGoal = 34;
export const EvTimerGoroutine = 35;
export const EvFutileWakeup = 36;
export const EvString = 37;
export const EvGoStartLocal = 38;
export const EvGoUnblockLocal = 39;
export const EvGoSysExitLocal = 40;
export const EvGoStartLabel = 41;
export const EvGoBlockGC = 42;
export const EvGCMarkAssistStart = 43;
export const EvGCMarkAssistDone = 44;
export const EvUserTaskCreate = 45;
export const EvUserTaskEnd = 46;
export const EvUserRegion = 47;
export const EvUserLog = 48;
export const EvCPUSample = 49;
export const EvCount = 50;

/** Events of a goroutine that blocks (leaves its P for the waiting state) for a reason other than a syscall. */
export const BLOCKING_EVENTS: ReadonlySet<number> = new Set([
  EvGoSleep,
  EvGoBlock,
  EvGoBlockSend,
  EvGoBlockRecv,
  EvGoBlockSelect,
  EvGoBlockSync,
  EvGoBlockCond,
  EvGoBlockNet,
  EvGoBlockGC,
]);

export interface V1Spec {
  name: string;
  /** The first trace version that has the event. */
  minVersion: number;
  /** The last argument is a stack id. */
  stack: boolean;
  /** Arguments after the timestamp, without the stack. */
  nargs: number;
}

const s = (name: string, minVersion: number, stack: boolean, nargs: number): V1Spec => ({
  name,
  minVersion,
  stack,
  nargs,
});

export const V1_SPECS: (V1Spec | undefined)[] = [
  s('None', 5, false, 0),
  s('Batch', 5, false, 2),
  s('Frequency', 5, false, 1),
  s('Stack', 5, false, 2),
  s('Gomaxprocs', 5, true, 1),
  s('ProcStart', 5, false, 1),
  s('ProcStop', 5, false, 0),
  s('GCStart', 5, true, 1),
  s('GCDone', 5, false, 0),
  s('GCSTWStart', 5, false, 1),
  s('GCSTWDone', 5, false, 0),
  s('GCSweepStart', 5, true, 0),
  s('GCSweepDone', 5, false, 2),
  s('GoCreate', 5, true, 2),
  s('GoStart', 5, false, 2),
  s('GoEnd', 5, false, 0),
  s('GoStop', 5, true, 0),
  s('GoSched', 5, true, 0),
  s('GoPreempt', 5, true, 0),
  s('GoSleep', 5, true, 0),
  s('GoBlock', 5, true, 0),
  s('GoUnblock', 5, true, 2),
  s('GoBlockSend', 5, true, 0),
  s('GoBlockRecv', 5, true, 0),
  s('GoBlockSelect', 5, true, 0),
  s('GoBlockSync', 5, true, 0),
  s('GoBlockCond', 5, true, 0),
  s('GoBlockNet', 5, true, 0),
  s('GoSysCall', 5, true, 0),
  s('GoSysExit', 5, false, 3),
  s('GoSysBlock', 5, false, 0),
  s('GoWaiting', 5, false, 1),
  s('GoInSyscall', 5, false, 1),
  s('HeapAlloc', 5, false, 1),
  s('HeapGoal', 5, false, 1),
  s('TimerGoroutine', 5, false, 1),
  s('FutileWakeup', 5, false, 0),
  s('String', 7, false, 0),
  s('GoStartLocal', 7, false, 1),
  s('GoUnblockLocal', 7, true, 1),
  s('GoSysExitLocal', 7, false, 2),
  s('GoStartLabel', 8, false, 3),
  s('GoBlockGC', 8, true, 0),
  s('GCMarkAssistStart', 9, true, 0),
  s('GCMarkAssistDone', 9, false, 0),
  s('UserTaskCreate', 11, true, 3),
  s('UserTaskEnd', 11, true, 1),
  s('UserRegion', 11, true, 3),
  s('UserLog', 11, true, 2),
  s('CPUSample', 19, true, 3),
];

/** Pseudo-Ps the old format files events under. */
export const TimerP = 1000001;
export const NetpollP = 1000002;
export const SyscallP = 1000003;
export const GCP = 1000004;
export const ProfileP = 1000005;

/** Stop-the-world reasons, in the order of Go 1.21's enumeration; 0 is "unknown". */
export const STW_REASONS = [
  '',
  'GC mark termination',
  'GC sweep termination',
  'write heap dump',
  'goroutine profile',
  'goroutine profile cleanup',
  'all goroutine stack trace',
  'read mem stats',
  'AllThreadsSyscall',
  'GOMAXPROCS',
  'start trace',
  'stop trace',
  'CountPagesInUse (test)',
  'ReadMetricsSlow (test)',
  'ReadMemStatsSlow (test)',
  'PageCachePagesLeaked (test)',
  'ResetDebugLog (test)',
];

/** Index into STW_REASONS of a GCSTWStart's kind argument: before 1.21 only 0 (mark termination) and 1 (sweep termination). */
export function stwReason(version: number, kind: number): number {
  if (version < 21) return kind === 0 || kind === 1 ? kind + 1 : 0;
  return kind >= 0 && kind < STW_REASONS.length ? kind : 0;
}

/** Reasons the converter gives goroutines that stop or block, as the new format names them. */
export const BLOCK_REASONS = {
  forever: 'forever',
  preempted: 'preempted',
  gosched: 'runtime.Gosched',
  sleep: 'sleep',
  chanSend: 'chan send',
  chanRecv: 'chan receive',
  network: 'network',
  sync: 'sync',
  syncCond: 'sync.(*Cond).Wait',
  select: 'select',
  empty: '',
  markAssistWait: 'GC mark assist wait for work',
} as const;
