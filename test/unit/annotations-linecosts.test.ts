// Per-line costs for source annotations, checked against `go tool pprof` on
// real profiles of the sample: every line's flat and cum equal the sum of
// pprof's -lines nodes at that file and line, and a function's lines equal
// what `go tool pprof -list` prints for it; each line's calls equal pprof's
// -peek edges; and the editor's texts print values as -list does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { decodeProfile, sampleIndexByName } from '../../src/core/pprof/index';
import { lineCosts } from '../../src/core/pprof/lineCosts';
import { formatPercent, formatValue } from '../../src/core/pprof/units';
import { heatLevel, hoverMarkdown, isHotLine, lensTitle, lineLabel } from '../../src/extension/annotationsText';
import { goTestProfiles, makeTempDir, pprof, pprofTop } from '../fixtures/real-profiles';

const tmp = makeTempDir('goperf-lines-');
after(() => tmp.remove());
const profiles = goTestProfiles(tmp.dir);

/** pprof's -top -lines rows summed per "file:line". */
function pprofLineTotals(file: string, sampleIndex: string, unit: string): Map<string, { flat: number; cum: number }> {
  const totals = new Map<string, { flat: number; cum: number }>();
  for (const row of pprofTop(file, sampleIndex, unit, ['-lines']).rows) {
    const m = /^.* (\S+:\d+)$/.exec(row.name);
    if (!m) continue; // frames without a line (unsymbolized)
    const sum = totals.get(m[1]) ?? { flat: 0, cum: 0 };
    sum.flat += row.flat;
    sum.cum += row.cum;
    totals.set(m[1], sum);
  }
  return totals;
}

/** `go tool pprof -list REGEX` as printed: "file:line" → [flat, cum] of each routine listing it. */
function pprofListText(file: string, regex: string, flags: string[] = []): Map<string, [string, string][]> {
  const out = pprof(['-list', regex, ...flags, file]);
  const rows = new Map<string, [string, string][]>();
  let source = '';
  for (const line of out.split('\n')) {
    const routine = /^ROUTINE =+ .* in (\S+)$/.exec(line);
    if (routine) {
      source = routine[1];
      continue;
    }
    const m = /^\s*(\S+)\s+(\S+)\s+(\d+):/.exec(line);
    if (m && source) rows.set(`${source}:${m[3]}`, [...(rows.get(`${source}:${m[3]}`) ?? []), [m[1], m[2]]]);
  }
  return rows;
}

/** The same with exact values (-unit set to the sample unit), summed over routines. */
function pprofList(file: string, regex: string, sampleIndex: string, unit: string): Map<string, { flat: number; cum: number }> {
  const value = (text: string) => (text === '.' ? 0 : Number(/^(-?\d+)/.exec(text)![1]));
  const rows = pprofListText(file, regex, [`-unit=${unit}`, `-sample_index=${sampleIndex}`]);
  return new Map(
    [...rows].map(([key, listed]) => [
      key,
      { flat: listed.reduce((sum, [flat]) => sum + value(flat), 0), cum: listed.reduce((sum, [, cum]) => sum + value(cum), 0) },
    ]),
  );
}

const cases: [string, string, string, string][] = [
  ['cpu', profiles.cpu, 'cpu', 'ns'],
  ['alloc_space', profiles.mem, 'alloc_space', 'B'],
  ['alloc_objects', profiles.mem, 'alloc_objects', ''],
];

for (const [name, file, sampleType, unit] of cases) {
  describe(`line costs of the ${name} profile`, () => {
    const profile = decodeProfile(readFileSync(file), file);
    const report = lineCosts(profile, sampleIndexByName(profile, sampleType));
    const ours = new Map<string, { flat: number; cum: number }>();
    for (const f of report.files) for (const l of f.lines) ours.set(`${f.file}:${l.line}`, { flat: l.flat, cum: l.cum });

    test('every line equals go tool pprof -top -lines', () => {
      const theirs = pprofLineTotals(file, sampleType, unit || 'count');
      assert.ok(theirs.size > 10, `pprof printed only ${theirs.size} lines`);
      const nonZero = new Map([...theirs].filter(([, v]) => v.flat !== 0 || v.cum !== 0));
      assert.deepEqual(new Map([...ours].sort()), new Map([...nonZero].sort()));
    });

    test('the sample functions equal go tool pprof -list', () => {
      const listed = pprofList(file, 'goperf-sample/workload\\.', sampleType, unit || 'count');
      assert.ok(listed.size > 20, `pprof listed only ${listed.size} lines`);
      // No other function shares a line with the sample's functions in these profiles.
      for (const [key, value] of listed) assert.deepEqual(ours.get(key) ?? { flat: 0, cum: 0 }, value, key);
    });

    test('function costs sit at their start lines with pprof cum', () => {
      const top = pprofTop(file, sampleType, unit || 'count');
      const byName = new Map(top.rows.map((r) => [r.name, r]));
      let checked = 0;
      for (const f of report.files) {
        for (const fn of f.functions) {
          const row = byName.get(fn.name);
          assert.ok(row, `${fn.name} not in pprof -top`);
          assert.equal(fn.cum, row.cum, fn.name);
          assert.equal(fn.flat, row.flat, fn.name);
          assert.ok(fn.startLine > 0, `${fn.name} has a start line`);
          checked++;
        }
      }
      assert.ok(checked > 5);
    });

    test('percentages are relative to pprof total', () => {
      assert.equal(report.total, pprofTop(file, sampleType, unit || 'count').total);
    });
  });
}

/** `go tool pprof -peek REGEX -lines`: for each line node, its callees summed per function name. */
function pprofPeekCallees(file: string, regex: string, unit: string): Map<string, Map<string, number>> {
  const out = pprof(['-peek', regex, '-lines', `-unit=${unit}`, file]);
  const result = new Map<string, Map<string, number>>();
  for (const block of out.split(/^-+\+-+$/m).slice(2)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const self = lines.findIndex((l) => /^\s*\S+\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+\| /.test(l));
    if (self < 0) continue;
    const node = /\| (.*) (\S+:\d+)$/.exec(lines[self])!;
    const calls = new Map<string, number>();
    for (const line of lines.slice(self + 1)) {
      const m = /^\s*(-?\d+)\S*\s+\S+%\s+\|\s+(.*) \S+:\d+(?: \(inline\))?$/.exec(line);
      if (m) calls.set(m[2], (calls.get(m[2]) ?? 0) + Number(m[1]));
    }
    result.set(`${node[1]} ${node[2]}`, calls);
  }
  return result;
}

describe('what the editor shows, as pprof prints it', () => {
  const profile = decodeProfile(readFileSync(profiles.cpu), profiles.cpu);
  const report = lineCosts(profile);
  const sampleFiles = report.files.filter((f) => f.file.includes('/sample/workload/'));

  test('CodeLens titles carry -top -unit=auto: cum, its share, flat', () => {
    const out = pprof(['-top', '-unit=auto', '-nodefraction=0', profiles.cpu]);
    const rows = new Map<string, [string, string, string]>();
    for (const m of out.matchAll(/^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+(\S+%)  (.*?)(?: \((?:partial-)?inline\))?$/gm)) rows.set(m[4], [m[1], m[2], m[3]]);
    let checked = 0;
    for (const f of report.files) {
      for (const fn of f.functions) {
        const row = rows.get(fn.name);
        assert.ok(row, `${fn.name} is not in pprof -top:\n${out}`);
        const [flat, cum, share] = row;
        const flatPart = flat === '0' ? '' : ` (flat ${flat})`;
        assert.equal(lensTitle(fn, report), `cpu ${cum}, ${share}${flatPart}`);
        checked++;
      }
    }
    assert.ok(checked >= 20, `checked ${checked} functions`);
  });

  test('end-of-line labels carry the -list columns', () => {
    const rows = pprofListText(profiles.cpu, 'goperf-sample/workload\\.');
    let checked = 0;
    for (const f of sampleFiles) {
      for (const cost of f.lines) {
        const listed = rows.get(`${f.file}:${cost.line}`)!;
        if (listed.length !== 1) continue; // lines shared by routines print per routine
        const [[flat, cum]] = listed;
        const label = lineLabel(cost, report);
        assert.ok(label.startsWith(`cpu ${cum} (`), `${label} vs ${cum}`);
        assert.equal(label.endsWith(`, flat ${flat}`), flat !== '.', `${label} vs flat ${flat}`);
        checked++;
      }
    }
    assert.ok(checked > 10);
  });

  test("each line's callees equal pprof -peek edges", () => {
    const peek = pprofPeekCallees(profiles.cpu, 'goperf-sample/workload\\.', 'ns');
    let checked = 0;
    for (const f of sampleFiles) {
      for (const cost of f.lines) {
        if (cost.frames.length !== 1) continue;
        const theirs = peek.get(`${cost.frames[0].function} ${f.file}:${cost.line}`);
        if (!theirs) continue;
        assert.deepEqual(new Map(cost.callees.map((c) => [c.function, c.value])), theirs, `${f.file}:${cost.line}`);
        if (theirs.size > 0) checked++;
      }
    }
    assert.ok(checked > 5, `checked ${checked} lines with calls`);
  });

  test('hover shows the totals, inlined frames and calls; heat rises with cost', () => {
    const hottest = sampleFiles.flatMap((f) => f.lines).sort((a, b) => b.cum - a.cum)[0];
    const markdown = hoverMarkdown(hottest, report, 'cpu.pprof');
    assert.match(markdown, /^\*\*cpu\*\* at line \d+ in cpu\\\.pprof\n/);
    assert.ok(markdown.includes(`cum ${formatValue(hottest.cum, 'nanoseconds')} (${formatPercent(hottest.cum, report.total)})`));
    if (hottest.callees.length > 0) assert.match(markdown, /\| calls \| cum \|/);
    const inlinedLine = report.files.flatMap((f) => f.lines).find((l) => l.frames.some((fr) => fr.inlined));
    assert.ok(inlinedLine, 'the sample has inlined frames');
    assert.match(hoverMarkdown(inlinedLine, report, 'p'), /\*\(inlined\)\*/);
    const levels = report.files.flatMap((f) => f.lines).map((l) => [Math.abs(l.cum), heatLevel(l, report.total)]);
    for (const [cum, level] of levels) for (const [cum2, level2] of levels) if (cum < cum2) assert.ok(level <= level2);
    assert.ok(isHotLine(hottest, report.total, 1));
  });
});
