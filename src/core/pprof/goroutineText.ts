// Reads the text dump of net/http/pprof's goroutine?debug=2 (the format of
// runtime.Stack(all=true) and of a crashing program's traceback): one block
// per goroutine, its state, its frames and the goroutine that created it.

export interface StackFrame {
  function: string;
  file: string;
  line: number;
}

export interface DumpedGoroutine {
  id: number;
  /** "chan receive", "running", "IO wait", … */
  state: string;
  /** Minutes the goroutine has waited, when the dump says ("2 minutes"). */
  waitMinutes?: number;
  /** Leaf first, as printed. */
  frames: StackFrame[];
  createdBy?: StackFrame;
}

export class GoroutineDumpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoroutineDumpError';
  }
}

const HEADER = /^goroutine (\d+)(?: [^[]*)?\[([^\]]*)\]:$/;
const LOCATION = /^\t(.*):(\d+)(?: \+0x[0-9a-f]+)?(?: .*)?$/;
const CREATED_BY = /^created by (\S+)(?: in goroutine \d+)?$/;

/** Drops the argument list: "main.f(0xc000010000, ...)" → "main.f". */
function functionName(call: string): string {
  if (!call.endsWith(')')) return call;
  let depth = 0;
  for (let i = call.length - 1; i >= 0; i--) {
    if (call[i] === ')') depth++;
    else if (call[i] === '(' && --depth === 0) return call.slice(0, i);
  }
  return call;
}

export function parseGoroutineDump(text: string, fileName: string): DumpedGoroutine[] {
  const lines = text.split(/\r?\n/);
  const goroutines: DumpedGoroutine[] = [];
  let current: DumpedGoroutine | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') {
      current = undefined;
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      const [state, ...details] = header[2].split(', ');
      const minutes = details.map((d) => /^(\d+) minutes?$/.exec(d)).find(Boolean);
      current = { id: Number(header[1]), state, frames: [] };
      if (minutes) current.waitMinutes = Number(minutes[1]);
      goroutines.push(current);
      continue;
    }
    if (!current) {
      throw new GoroutineDumpError(
        `${fileName}:${i + 1}: expected "goroutine N [state]:", found ${JSON.stringify(line.slice(0, 80))}; is this a goroutine?debug=2 dump?`,
      );
    }
    // "...additional frames elided..." and frames without a location line.
    if (line.startsWith('...')) continue;
    const location = LOCATION.exec(lines[i + 1] ?? '');
    const created = CREATED_BY.exec(line);
    const frame: StackFrame = {
      function: created ? created[1] : functionName(line),
      file: location ? location[1] : '',
      line: location ? Number(location[2]) : 0,
    };
    if (location) i++;
    if (created) current.createdBy = frame;
    else current.frames.push(frame);
  }
  if (goroutines.length === 0) throw new GoroutineDumpError(`${fileName}: no goroutines found; is this a goroutine?debug=2 dump?`);
  return goroutines;
}
