// The history of benchmark runs of a workspace, kept in one file of JSON
// lines: a header line with the schema version, then one line per run
// record. Records are only ever appended; a later line with the same run id
// replaces the earlier one (a run is recorded when it starts and again when
// it ends). A line that cannot be read (a crash mid-write, a hand edit) is
// skipped with a problem report, and the file is copied aside before it is
// ever rewritten, so no record is lost.
//
// No I/O here: the caller passes a StoreBackend (nodeFileBackend for a file).

import { formatSyntaxError, readBenchfmt, writeBenchfmt, type BenchfmtValue } from './benchfmt';
import { splitProcs, type BenchOutput } from './parse';
import { buildTables, type BenchTable, type TableOptions } from './stats';

export const STORE_FORMAT = 'goperf-bench-results';
export const STORE_SCHEMA_VERSION = 1;

export type RunStatus = 'running' | 'ok' | 'failed' | 'cancelled';

export interface StoredMeasurement {
  value: number;
  /** As `go test` printed it (ns/op, B/op, MB/s, custom units). */
  unit: string;
}

/** One result line of `go test -bench`. */
export interface StoredResult {
  /** Name without the GOMAXPROCS suffix, e.g. `BenchmarkPipeline/lines=100`. */
  name: string;
  procs: number;
  iterations: number;
  measurements: StoredMeasurement[];
  /** The package the line belongs to (`pkg:` in the output). */
  pkg?: string;
}

export interface ProfileFile {
  kind: string;
  path: string;
}

export interface RunRecord {
  id: string;
  /** ISO times. */
  startedAt: string;
  finishedAt?: string;
  status: RunStatus;
  /** What happened when the status is not ok (build error, panic, failure message, cancelled by the user). */
  message?: string;
  /** Package import path (directory when go test printed none) the run was for. */
  pkg: string;
  /** The package directory of a local run: how the editor finds a benchmark's runs. */
  packageDir?: string;
  /** The benchmark selection (function names or the -bench pattern). */
  benchmarks: string[];
  /** The `go test` arguments. */
  flags: string[];
  count?: number;
  git?: { commit: string; dirty: boolean };
  goVersion?: string;
  goos?: string;
  goarch?: string;
  cpu?: string;
  profiles: ProfileFile[];
  results: StoredResult[];
  /** For runs imported from benchfmt text: the file they came from. */
  importedFrom?: string;
}

export interface StoreBackend {
  /** The whole file, or undefined when it does not exist yet. */
  read(): Promise<string | undefined>;
  append(text: string): Promise<void>;
  /** Replaces the whole file. */
  replace(text: string): Promise<void>;
  /** Keeps a copy of the current content; returns where. */
  backup(text: string): Promise<string>;
}

export class StoreError extends Error {}

interface Header {
  format: string;
  version: number;
}

const headerLine = () => JSON.stringify({ format: STORE_FORMAT, version: STORE_SCHEMA_VERSION } satisfies Header) + '\n';

function isRecord(value: unknown): value is RunRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<RunRecord>;
  return (
    typeof r.id === 'string' &&
    typeof r.startedAt === 'string' &&
    typeof r.status === 'string' &&
    ['running', 'ok', 'failed', 'cancelled'].includes(r.status) &&
    typeof r.pkg === 'string' &&
    Array.isArray(r.benchmarks) &&
    Array.isArray(r.flags) &&
    Array.isArray(r.profiles) &&
    Array.isArray(r.results) &&
    r.results.every(
      (result) =>
        typeof result?.name === 'string' &&
        typeof result.procs === 'number' &&
        typeof result.iterations === 'number' &&
        Array.isArray(result.measurements) &&
        result.measurements.every((m) => typeof m?.value === 'number' && typeof m.unit === 'string'),
    )
  );
}

export class ResultsStore {
  private readonly records = new Map<string, RunRecord>();
  /** What was wrong with the file when it was opened, one sentence each. */
  readonly problems: string[] = [];
  /** Set when the file was written by a newer goperf: it is then only read. */
  readonly readOnlyReason?: string;
  private needsHeader: boolean;

  private constructor(
    private readonly backend: StoreBackend,
    private readonly name: string,
    text: string | undefined,
  ) {
    this.needsHeader = text === undefined || text.trim() === '';
    if (this.needsHeader) return;
    const lines = text!.split('\n');
    const complete = text!.endsWith('\n');
    let header: Header | undefined;
    try {
      const parsed = JSON.parse(lines[0]) as Header;
      if (parsed?.format === STORE_FORMAT && typeof parsed.version === 'number') header = parsed;
    } catch {
      // reported below
    }
    if (!header) {
      this.problems.push(`${name}: line 1 is not a ${STORE_FORMAT} header`);
    } else if (header.version > STORE_SCHEMA_VERSION) {
      this.readOnlyReason = `${name} was written with schema version ${header.version}; this goperf knows version ${STORE_SCHEMA_VERSION} and will not change the file`;
    }
    lines.forEach((line, index) => {
      if (index === 0 && header) return;
      if (line.trim() === '') return;
      const lineNumber = index + 1;
      const isLast = index === lines.length - 1;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        this.problems.push(
          isLast && !complete
            ? `${name}:${lineNumber}: the last record was cut off (the write did not finish)`
            : `${name}:${lineNumber}: not valid JSON`,
        );
        return;
      }
      if (!isRecord(value)) {
        if (index === 0) return; // already reported as a missing header
        this.problems.push(`${name}:${lineNumber}: not a run record`);
        return;
      }
      this.records.delete(value.id); // the latest version goes last in the order
      this.records.set(value.id, value);
    });
  }

  /** Opens the store; a damaged file is copied aside and rewritten with every readable record. */
  static async open(backend: StoreBackend, name = 'results store'): Promise<ResultsStore> {
    const text = await backend.read();
    const store = new ResultsStore(backend, name, text);
    if (store.problems.length > 0 && !store.readOnlyReason) {
      const copy = await backend.backup(text!);
      store.problems.push(`the damaged file was copied to ${copy}; readable records were kept`);
      await backend.replace(headerLine() + [...store.records.values()].map((r) => JSON.stringify(r) + '\n').join(''));
      store.needsHeader = false;
    }
    return store;
  }

  /** Runs in the order they started (by first record), latest version of each. */
  runs(): RunRecord[] {
    return [...this.records.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  get(id: string): RunRecord | undefined {
    return this.records.get(id);
  }

  /** Records a run, or a new version of a run with the same id. */
  async put(record: RunRecord): Promise<void> {
    if (this.readOnlyReason) throw new StoreError(this.readOnlyReason);
    if (!isRecord(record)) throw new StoreError(`not a valid run record: ${JSON.stringify(record).slice(0, 200)}`);
    const line = JSON.stringify(record) + '\n';
    await this.backend.append((this.needsHeader ? headerLine() : '') + line);
    this.needsHeader = false;
    this.records.delete(record.id);
    this.records.set(record.id, structuredClone(record));
  }

  /** Changes some fields of a recorded run (e.g. its status when it ends). */
  async update(id: string, changes: Partial<Omit<RunRecord, 'id'>>): Promise<RunRecord> {
    const current = this.records.get(id);
    if (!current) throw new StoreError(`no run with id ${id} in ${this.name}`);
    const next = { ...current, ...changes, id };
    await this.put(next);
    return next;
  }
}

/** The result lines of parsed `go test -bench` output, as stored. */
export function resultsFromOutput(output: BenchOutput): StoredResult[] {
  return output.results.map(({ name, procs, iterations, measurements, pkg }) => ({
    name,
    procs,
    iterations,
    measurements: measurements.map(({ value, unit }) => ({ value, unit })),
    ...(pkg !== undefined ? { pkg } : {}),
  }));
}

/** How the runner's outcome of a finished run is recorded. */
export function runStatus(outcome: string): RunStatus {
  if (outcome === 'cancelled') return 'cancelled';
  // A run whose profile is missing still measured everything.
  return outcome === 'ok' || outcome === 'no-profile' ? 'ok' : 'failed';
}

const interruptedMessage = 'goperf stopped before the run finished (the editor closed or reloaded); results printed until then are kept';

/** Runs still marked running in a store just opened: goperf ended while they ran. */
export function interruptedRuns(store: ResultsStore): RunRecord[] {
  return store.runs().filter((run) => run.status === 'running');
}

/** The record that closes an interrupted run. */
export function closeInterrupted(run: RunRecord, now: Date): RunRecord {
  return { ...run, status: 'cancelled', message: interruptedMessage, finishedAt: now.toISOString() };
}

/**
 * Benchfmt text of runs' results, readable by benchstat and by goperf
 * benchstat. Each run's results carry the configuration `go test` prints
 * (goos, goarch, pkg, cpu); with `withRunInfo`, also the commit, dirty flag,
 * Go version and run id (benchstat then makes a table per run).
 */
export function exportBenchfmt(runs: readonly RunRecord[], options: { withRunInfo?: boolean } = {}): string {
  const lines = runs.flatMap((run) =>
    run.results.map((result) => {
      const config: [string, string][] = [];
      if (run.goos) config.push(['goos', run.goos]);
      if (run.goarch) config.push(['goarch', run.goarch]);
      const pkg = result.pkg ?? run.pkg;
      if (pkg) config.push(['pkg', pkg]);
      if (run.cpu) config.push(['cpu', run.cpu]);
      if (options.withRunInfo) {
        if (run.git) config.push(['commit', run.git.commit], ['dirty', String(run.git.dirty)]);
        if (run.goVersion) config.push(['go', run.goVersion]);
        config.push(['run', run.id]);
      }
      const values: BenchfmtValue[] = result.measurements.map(({ value, unit }) => ({ value, unit }));
      const bareName = result.name.replace(/^Benchmark/, '');
      return { name: result.procs === 1 ? bareName : `${bareName}-${result.procs}`, iterations: result.iterations, values, config };
    }),
  );
  return writeBenchfmt(lines);
}

/**
 * benchstat's comparison of recorded runs: the first run is the baseline
 * column. The runs go through their benchfmt export, so names and units are
 * exactly what benchstat would see in exported files.
 */
export function compareRuns(runs: readonly RunRecord[], options: CompareOptions = {}): BenchTable[] {
  return buildTables(
    runs.map((run) => {
      const selected = options.select ? { ...run, results: run.results.filter(options.select) } : run;
      const file = readBenchfmt(exportBenchfmt([selected]), run.id);
      const ignored = options.ignoreKeys ?? [];
      const results = options.ignoreConfig
        ? file.results.map((result) => ({ ...result, config: [] }))
        : ignored.length > 0
          ? file.results.map((result) => ({ ...result, config: result.config.filter(([key]) => !ignored.includes(key)) }))
          : file.results;
      return { label: run.id, results, units: file.units };
    }),
    options,
  );
}

export interface CompareOptions extends TableOptions {
  /** Only these results take part. */
  select?: (result: StoredResult) => boolean;
  /**
   * Compare by name and unit alone, e.g. a local run against one imported
   * from CI on another machine (benchstat would split them into tables by
   * their cpu: line).
   */
  ignoreConfig?: boolean;
  /** Configuration keys left out of the grouping, as `benchstat -ignore` does. */
  ignoreKeys?: readonly string[];
}

/**
 * A run record of benchfmt text (a file from CI, saved `go test -bench`
 * output). Names get their `Benchmark` prefix back and values their
 * original units, so they compare with local runs; configuration lines
 * fill in the machine and package. Lines benchfmt cannot read are
 * returned as problems, `file:line: message`.
 */
export function importBenchfmt(text: string, fileName: string, id: string, now: Date): { record?: RunRecord; problems: string[] } {
  const file = readBenchfmt(text, fileName);
  const problems = file.errors.map(formatSyntaxError);
  if (file.results.length === 0) {
    problems.push(`${fileName}: no benchmark results (expected lines like "BenchmarkName-8  1000  123 ns/op")`);
    return { problems };
  }
  const first = (key: string) => {
    for (const result of file.results) {
      const value = result.config.find(([k]) => k === key)?.[1];
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const results: StoredResult[] = file.results.map((result) => {
    const { name, procs } = splitProcs(`Benchmark${result.name}`);
    const pkg = result.config.find(([k]) => k === 'pkg')?.[1];
    return {
      name,
      procs,
      iterations: result.iterations,
      measurements: result.values.map((v) => (v.origUnit === undefined ? { value: v.value, unit: v.unit } : { value: v.origValue!, unit: v.origUnit })),
      ...(pkg !== undefined ? { pkg } : {}),
    };
  });
  const commit = first('commit');
  const dirty = first('dirty');
  const record: RunRecord = {
    id,
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    status: 'ok',
    message: `imported from ${fileName}`,
    pkg: first('pkg') ?? '',
    benchmarks: [...new Set(results.map((r) => r.name.split('/')[0]))],
    flags: [],
    ...(commit ? { git: { commit, dirty: dirty === 'true' } } : {}),
    ...(first('go') ? { goVersion: first('go') } : {}),
    ...(first('goos') ? { goos: first('goos') } : {}),
    ...(first('goarch') ? { goarch: first('goarch') } : {}),
    ...(first('cpu') ? { cpu: first('cpu') } : {}),
    profiles: [],
    results,
    importedFrom: fileName,
  };
  return { record, problems };
}

interface FsPromises {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  appendFile(path: string, data: string, encoding: 'utf8'): Promise<void>;
  writeFile(path: string, data: string, encoding: 'utf8'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<string | undefined>;
}

/** A backend on a file, given Node's `fs/promises` (kept out of this module's imports so it stays usable in a browser). */
export function nodeFileBackend(fs: FsPromises, path: string): StoreBackend {
  const dir = path.replace(/[\\/][^\\/]*$/, '');
  return {
    async read() {
      try {
        return await fs.readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new StoreError(`cannot read ${path}: ${(e as Error).message}`);
      }
    },
    async append(text) {
      await fs.mkdir(dir, { recursive: true });
      await fs.appendFile(path, text, 'utf8');
    },
    async replace(text) {
      // Write then rename, so a crash leaves either the old or the new file.
      const temporary = `${path}.tmp-${Date.now()}`;
      await fs.writeFile(temporary, text, 'utf8');
      await fs.rename(temporary, path);
    },
    async backup(text) {
      const copy = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await fs.writeFile(copy, text, 'utf8');
      return copy;
    },
  };
}
