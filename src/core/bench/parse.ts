// Reads the text `go test -bench` prints. The format is the one described by
// the Go benchmark data format (golang.org/design/14313-benchmark-format):
// `key: value` configuration lines, result lines of a name, an iteration
// count and value/unit pairs, plus the test runner's own status lines.

export interface BenchMeasurement {
  value: number;
  unit: string;
}

export interface BenchResult {
  /** Full name without the GOMAXPROCS suffix, e.g. `BenchmarkPipeline/lines=100`. */
  name: string;
  /** GOMAXPROCS the result was measured with (the `-N` suffix; 1 when absent). */
  procs: number;
  iterations: number;
  measurements: BenchMeasurement[];
  /** The `pkg:` configuration in effect when the line was read, if any. */
  pkg?: string;
  /** 1-based line number in the parsed text. */
  line: number;
}

/** A `--- PASS:` (tests, with -v), `--- FAIL:` or `--- SKIP:` report with the log lines that explain it. */
export interface BenchReport {
  name: string;
  kind: 'pass' | 'fail' | 'skip';
  messages: string[];
}

/** The summary line `go test` prints per package. */
export interface PackageStatus {
  pkg: string;
  ok: boolean;
  /** Text after the package path: `0.018s`, `[build failed]`, `[no test files]`, `(cached)`. */
  detail: string;
}

export interface BenchOutput {
  /** Configuration keys (goos, goarch, pkg, cpu, …); later values replace earlier ones. */
  config: Record<string, string>;
  results: BenchResult[];
  reports: BenchReport[];
  packages: PackageStatus[];
  /** First line of a panic, without the `panic: ` prefix. */
  panic?: string;
  /** The bare `PASS` / `FAIL` verdict of the last test binary, if printed. */
  verdict?: 'PASS' | 'FAIL';
}

// A result name has no spaces (the testing package turns them into `_`).
// The iteration count is followed by at least one value/unit pair.
const resultLine = /^(Benchmark\S*)\s+(\d+)\s+(\S.*)$/;
const bareNameLine = /^Benchmark\S*$/;
const interruptedLine = /^(Benchmark\S*)\s+(\S.*)$/;
const continuationLine = /^\s+(\d+)\s+(\S.*)$/;
const reportLine = /^--- (PASS|FAIL|SKIP|BENCH): (\S+)(?: \(.*\))?\s*$/;
// `go test -v` announces each test; its log lines follow until `--- PASS/FAIL`.
const testStartLine = /^=== (RUN|CONT|NAME)\s+(\S+)\s*$/;
const packageLine = /^(ok|FAIL|\?)\s+(\S+)(?:\s+(.*))?$/;
// The benchmark format allows any lower-case key without spaces; keys here
// are narrower (no `.` or `/`) so that `file.go:12: message` lines printed by
// a benchmark are not taken for configuration.
const configLine = /^([a-z][a-z0-9_-]*):\s*(.*)$/;
// The runtime, the testing package and the go command print messages shaped
// like configuration lines.
const notConfigKeys = new Set(['panic', 'testing', 'runtime', 'signal']);
// The testing package appends `-N` (fmt's %d, so no leading zero) only when
// GOMAXPROCS is not 1: a trailing `-1` is always part of the name
// (`b.Run("size-1", …)`), never a GOMAXPROCS suffix.
const procsSuffix = /^(.*)-([2-9]|[1-9]\d+)$/;

/**
 * Splits `BenchmarkX/sub-8` into the name and GOMAXPROCS. Without more
 * context a name that itself ends in `-N` (N ≥ 2) run at GOMAXPROCS 1 is
 * ambiguous; pass the exact name when it is known (`go test -v` prints it
 * bare before the result line) to settle it.
 */
export function splitProcs(fullName: string, knownName?: string): { name: string; procs: number } {
  if (knownName !== undefined) {
    if (fullName === knownName) return { name: fullName, procs: 1 };
    const rest = fullName.startsWith(`${knownName}-`) ? fullName.slice(knownName.length + 1) : '';
    if (/^[1-9]\d*$/.test(rest)) return { name: knownName, procs: Number(rest) };
  }
  const match = procsSuffix.exec(fullName);
  if (!match) return { name: fullName, procs: 1 };
  return { name: match[1], procs: Number(match[2]) };
}

/** Reads value/unit pairs; returns undefined when the text is not made of them. */
function parseMeasurements(text: string): BenchMeasurement[] | undefined {
  const fields = text.trim().split(/\s+/);
  if (fields.length % 2 !== 0) return undefined;
  const measurements: BenchMeasurement[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const value = Number(fields[i]);
    if (fields[i] === '' || !Number.isFinite(value)) return undefined;
    measurements.push({ value, unit: fields[i + 1] });
  }
  return measurements;
}

/**
 * Incremental parser: feed it lines as `go test` prints them and read
 * `output` at any time. Lines that are not part of the format (logs, build
 * errors, stack traces) are ignored.
 */
export class BenchOutputParser {
  readonly output: BenchOutput = { config: {}, results: [], reports: [], packages: [] };
  private lineNumber = 0;
  /** Where indented lines go: the messages of the last `--- …:` line (non-verbose output prints them after it). */
  private openMessages: string[] | undefined;
  /** With -v, log lines come after the bare name and before its `--- FAIL`. */
  private verboseName: string | undefined;
  private verboseLog: string[] = [];
  /** A name whose result line was broken by output of the benchmark itself. */
  private interruptedName: string | undefined;
  /** Names `-v` printed bare: exact, without the GOMAXPROCS suffix; -count repeats their results. */
  private readonly bareNames = new Set<string>();

  push(rawLine: string): void {
    this.lineNumber++;
    this.handle(rawLine.replace(/\r$/, ''));
  }

  /** Splits with the exact name when -v printed one that fits. */
  private split(fullName: string): { name: string; procs: number } {
    if (this.bareNames.has(fullName)) return { name: fullName, procs: 1 };
    return splitProcs(fullName);
  }

  private addResult(fullName: string, iterations: string, measurements: BenchMeasurement[]): void {
    const { name, procs } = this.split(fullName);
    this.output.results.push({
      name,
      procs,
      iterations: Number(iterations),
      measurements,
      pkg: this.output.config.pkg,
      line: this.lineNumber,
    });
    this.verboseName = undefined;
    this.interruptedName = undefined;
  }

  private handle(line: string): void {
    if (this.interruptedName) {
      const continued = continuationLine.exec(line);
      const measurements = continued && parseMeasurements(continued[2]);
      if (continued && measurements) {
        this.addResult(this.interruptedName, continued[1], measurements);
        return;
      }
    }

    if (/^\s/.test(line) && line.trim() !== '') {
      const message = line.trim();
      if (this.openMessages) this.openMessages.push(message);
      else if (this.verboseName) this.verboseLog.push(message);
      return;
    }
    this.openMessages = undefined;

    const result = resultLine.exec(line);
    const measurements = result && parseMeasurements(result[3]);
    if (result && measurements) {
      this.addResult(result[1], result[2], measurements);
      return;
    }

    if (bareNameLine.test(line)) {
      this.bareNames.add(line);
      this.verboseName = line;
      this.verboseLog = [];
      return;
    }

    // Without -v the name is printed before the benchmark runs; anything the
    // benchmark writes (a panic, fmt.Println) lands after it on the same line,
    // and the numbers follow on a line of their own.
    const interrupted = interruptedLine.exec(line);
    if (interrupted) {
      this.interruptedName = interrupted[1];
      this.handle(interrupted[2]);
      return;
    }

    const testStart = testStartLine.exec(line);
    if (testStart) {
      if (testStart[1] === 'RUN' || this.verboseName !== testStart[2]) this.verboseLog = [];
      this.verboseName = testStart[2];
      return;
    }

    const report = reportLine.exec(line);
    if (report) {
      const { name } = this.split(report[2]);
      if (report[1] === 'BENCH') {
        // Logs of a benchmark that passed: its indented lines are not failure messages.
        this.openMessages = [];
        return;
      }
      const entry: BenchReport = {
        name,
        kind: report[1] === 'FAIL' ? 'fail' : report[1] === 'PASS' ? 'pass' : 'skip',
        messages: name === this.verboseName ? [...this.verboseLog] : [],
      };
      this.output.reports.push(entry);
      this.openMessages = entry.messages;
      this.verboseName = undefined;
      return;
    }

    if (line === 'PASS' || line === 'FAIL') {
      this.output.verdict = line;
      return;
    }

    const pkg = packageLine.exec(line);
    if (pkg) {
      this.output.packages.push({ pkg: pkg[2], ok: pkg[1] === 'ok', detail: (pkg[3] ?? '').trim() });
      return;
    }

    if (line.startsWith('panic: ')) {
      this.output.panic ??= line.slice('panic: '.length);
      return;
    }

    const config = configLine.exec(line);
    if (config && !notConfigKeys.has(config[1])) {
      this.output.config[config[1]] = config[2].trim();
    }
  }
}

export function parseBenchOutput(text: string): BenchOutput {
  const parser = new BenchOutputParser();
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) parser.push(line);
  return parser.output;
}
