// Finds benchmark functions in the text of a Go test file, for CodeLens and
// the benchmark picker. A full Go parser is not needed: gofmt puts top-level
// `func` at column 0, so a line-anchored pattern on the text with comments and
// string literals blanked out is exact for formatted code.

export interface BenchmarkFunction {
  name: string;
  /** 0-based line of the `func` keyword. */
  line: number;
}

/**
 * Replaces the contents of comments and string/rune literals with spaces,
 * keeping newlines, so offsets and line numbers stay valid.
 */
export function blankCommentsAndStrings(source: string): string {
  const out = source.split('');
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      const stop = end === -1 ? source.length : end + 1;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < source.length && source[k] !== c && source[k] !== '\n') k += source[k] === '\\' ? 2 : 1;
      const stop = Math.min(k + 1, source.length);
      blank(i, stop);
      i = stop;
    } else {
      i++;
    }
  }
  return out.join('');
}

// `func BenchmarkXxx(b *testing.B)`: a top-level function (a method would have
// a receiver in parentheses after `func`), any parameter name, the parameter
// list possibly split over lines, and a name that the testing package
// accepts: `Benchmark` alone or followed by a character that is not a
// lower-case letter.
const benchmarkFunc =
  /^func[ \t]+(Benchmark(?:(?!\p{Ll})[\p{L}\p{N}_]+)?)\s*\(\s*[\p{L}_][\p{L}\p{N}_]*\s+\*\s*testing\.B\s*,?\s*\)/gmu;

export function findBenchmarks(source: string): BenchmarkFunction[] {
  const text = blankCommentsAndStrings(source);
  const found: BenchmarkFunction[] = [];
  let lineStart = 0;
  let line = 0;
  for (const match of text.matchAll(benchmarkFunc)) {
    for (; lineStart < match.index; lineStart++) if (text[lineStart] === '\n') line++;
    found.push({ name: match[1], line });
  }
  return found;
}

export function isGoTestFile(path: string): boolean {
  return /_test\.go$/.test(path);
}
