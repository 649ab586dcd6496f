/** A pprof string table being built: entry 0 is "", equal strings share one index. */
export function stringTable(): { strings: string[]; intern: (s: string) => number } {
  const strings: string[] = [''];
  const index = new Map<string, number>([['', 0]]);
  const intern = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  return { strings, intern };
}
