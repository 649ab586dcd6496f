// Finds benchmark and test functions in the text of a Go test file, for
// CodeLens, the benchmark picker and the Testing view. A full Go parser is not needed: gofmt puts top-level
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

// `func BenchmarkXxx(b *testing.B)` and `func TestXxx(t *testing.T)`: a
// top-level function (a method would have a receiver in parentheses after
// `func`), any parameter name, the parameter list possibly split over
// lines, and a name that the testing package accepts: the prefix alone or
// followed by a character that is not a lower-case letter.
const testingFunc =
  /^func[ \t]+((Benchmark|Test)(?:(?!\p{Ll})[\p{L}\p{N}_]+)?)\s*\(\s*[\p{L}_][\p{L}\p{N}_]*\s+\*\s*testing\.([BT])\s*,?\s*\)/gmu;

export interface TestingFunction extends BenchmarkFunction {
  kind: 'benchmark' | 'test';
}

/** Benchmark and test functions in source order. */
export function findTestingFunctions(source: string): TestingFunction[] {
  const text = blankCommentsAndStrings(source);
  const found: TestingFunction[] = [];
  let lineStart = 0;
  let line = 0;
  for (const match of text.matchAll(testingFunc)) {
    const kind = match[2] === 'Benchmark' ? 'benchmark' : 'test';
    // TestMain(m *testing.M) never matches; a Test with *testing.B (or the reverse) is not run by go test.
    if ((kind === 'benchmark') !== (match[3] === 'B')) continue;
    for (; lineStart < match.index; lineStart++) if (text[lineStart] === '\n') line++;
    found.push({ name: match[1], line, kind });
  }
  return found;
}

export function findBenchmarks(source: string): BenchmarkFunction[] {
  return findTestingFunctions(source)
    .filter((f) => f.kind === 'benchmark')
    .map(({ name, line }) => ({ name, line }));
}

export function isGoTestFile(path: string): boolean {
  return /_test\.go$/.test(path);
}
