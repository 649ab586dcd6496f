// pprof's sample filters, applied to a decoded profile the way
// `go tool pprof` applies -focus, -ignore, -hide, -show, -show_from,
// -tagfocus and -tagignore (google/pprof profile/filter.go and
// internal/driver/driver_focus.go), so the numbers after filtering equal its.
//
// A frame (one line of a location) matches a regex when its function name or
// its file name does; a location also matches when its binary's path does.
// - focus: keep the samples with a matching location;
// - ignore: drop the samples with a matching location (wins over focus);
// - hide: remove the matching frames from every stack;
// - show: keep only the matching frames;
// - show_from: drop every frame above (towards the root) the outermost match,
//   and the samples without a match;
// - tagfocus / tagignore: keep / drop samples by label (see compileTagFilter).
// Focus and ignore look at the frames as they were before hide and show.
//
// Regexes are JavaScript's, unanchored like Go's MatchString. Go's RE2 syntax
// mostly carries over; leading flag groups such as (?i) are turned into JS
// flags, (?P<name>…) into (?<name>…), and POSIX classes like [[:alpha:]]
// are translated. What does not
// carry over (\z, \Q…\E, (?U), flag groups in the middle) is reported as an
// invalid regex rather than silently meaning something else.

import type { Profile, SampleTable, LocationTable } from './decode';
import { scaleValue } from './units';

export interface FilterOptions {
  focus?: string;
  ignore?: string;
  hide?: string;
  show?: string;
  showFrom?: string;
  tagFocus?: string;
  tagIgnore?: string;
}

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

export interface FilterResult {
  profile: Profile;
  /** pprof's "… expression matched no samples" warnings. */
  warnings: string[];
}

const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Compiles a Go (RE2) regex as JavaScript; `option` names the flag in errors. */
export function compileGoRegex(option: string, source: string): RegExp {
  let body = source;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    if (lead[1].includes('U')) throw new FilterError(`parsing ${option} regexp: (?U) is not supported: ${source}`);
    flags += lead[1];
    body = body.slice(lead[0].length);
  }
  if (/\\[zQE]|\(\?[imsU-]+[:)]/.test(body)) {
    throw new FilterError(`parsing ${option} regexp: ${source} uses Go syntax that JavaScript lacks (\\z, \\Q…\\E or inner flag groups)`);
  }
  body = body.replace(/\(\?P</g, '(?<');
  body = body.replace(/\[:(\^?)([a-z]+):\]/g, (whole, negate: string, name: string) => {
    const cls = posixClasses[name];
    if (cls === undefined) throw new FilterError(`parsing ${option} regexp: unknown class [:${name}:] in ${source}`);
    if (negate) throw new FilterError(`parsing ${option} regexp: negated class [:^${name}:] is not supported in ${source}`);
    return cls;
  });
  try {
    return new RegExp(body, flags);
  } catch (e) {
    throw new FilterError(`parsing ${option} regexp: ${(e as Error).message}`);
  }
}

export function hasFilters(opts: FilterOptions): boolean {
  return Object.values(opts).some((v) => v !== undefined && v !== '');
}

/**
 * What the filters decide per location, before any sample is looked at
 * (pprof decides focus/ignore/hide/show/show_from per location too). A
 * sample then passes through three stages, each on the survivors of the one
 * before: (1) when `marks` is set: no ignored location, some focused one,
 * and some location left after removing the `hidden` ones; (2) when
 * `showFrom` is set: some (not hidden) location matches, and the locations
 * above the outermost match go; (3) the tag filters.
 */
export interface FilterPlan {
  /** The profile's locations with the lines hide/show removed and show_from's cut applied. */
  locations: LocationTable;
  /** Per location: 1 focused, 2 ignored, 0 neither; undefined when focus/ignore/hide/show are all unset. */
  marks: Uint8Array | undefined;
  /** Per location: every line hidden (the location leaves the stack); undefined when nothing is. */
  hidden: Uint8Array | undefined;
  /** Per line of the profile's locations: 1 when hide and show keep it; undefined when both are unset. */
  keptLines: Uint8Array | undefined;
  /** Per location: matches show_from; undefined without show_from. */
  showFrom: Uint8Array | undefined;
  tagFocus: TagMatch | undefined;
  tagIgnore: TagMatch | undefined;
  /** Warnings known before looking at samples: the tag ranges and focus..show_from matching nothing. */
  warnings: string[];
}

export function planFilters(profile: Profile, opts: FilterOptions): FilterPlan {
  const regex = (option: string, value: string | undefined) =>
    value === undefined || value === '' ? undefined : compileGoRegex(option, value);
  const focus = regex('focus', opts.focus);
  const ignore = regex('ignore', opts.ignore);
  const hide = regex('hide', opts.hide);
  const show = regex('show', opts.show);
  const showFrom = regex('show_from', opts.showFrom);
  const numUnits = numLabelUnits(profile);
  const warnings: string[] = [];
  const tagFocus = compileTagFilter(profile, 'tagfocus', opts.tagFocus, numUnits, warnings);
  const tagIgnore = compileTagFilter(profile, 'tagignore', opts.tagIgnore, numUnits, warnings);
  const warnUnless = (matched: boolean, what: string) => {
    if (!matched) warnings.push(`${what} expression matched no samples`);
  };

  const { strings, functions: fns, locations: locs, mappings } = profile;
  // Per function and per mapping: does the regex match it?
  const functionMatches = (re: RegExp | undefined): Uint8Array | undefined => {
    if (!re) return undefined;
    const out = new Uint8Array(fns.count);
    for (let f = 0; f < fns.count; f++) {
      out[f] = re.test(strings[fns.name[f]]) || re.test(strings[fns.fileName[f]]) ? 1 : 0;
    }
    return out;
  };
  const mappingMatches = (re: RegExp | undefined): Uint8Array | undefined =>
    re ? Uint8Array.from(mappings, (m) => (re.test(m.file) ? 1 : 0)) : undefined;
  const mapped = (mm: Uint8Array | undefined, loc: number) => mm !== undefined && locs.mapping[loc] >= 0 && mm[locs.mapping[loc]] === 1;

  let lines = { start: locs.lineStart, end: locs.lineEnd, func: locs.lineFunction, number: locs.lineNumber, column: locs.lineColumn };
  let marks: Uint8Array | undefined;
  let hidden: Uint8Array | undefined;
  let keptLines: Uint8Array | undefined;
  let matchedLocation: Uint8Array | undefined;

  if (focus || ignore || hide || show) {
    const focusF = functionMatches(focus);
    const ignoreF = functionMatches(ignore);
    const hideF = functionMatches(hide);
    const showF = functionMatches(show);
    const focusM = mappingMatches(focus);
    const ignoreM = mappingMatches(ignore);
    const hideM = mappingMatches(hide);
    const showM = mappingMatches(show);
    const anyLine = (fm: Uint8Array, loc: number) => {
      for (let j = locs.lineStart[loc]; j < locs.lineEnd[loc]; j++) if (fm[locs.lineFunction[j]]) return true;
      return false;
    };
    // 0: neither, 1: focused, 2: ignored
    const focusOrIgnore = new Uint8Array(locs.count);
    const hiddenLocation = new Uint8Array(locs.count);
    let anyHidden = false;
    let fm = false;
    let im = false;
    let hm = false;
    let hnm = false;
    const keepLine = new Uint8Array(locs.lineFunction.length).fill(1);
    for (let l = 0; l < locs.count; l++) {
      if (ignoreF && (anyLine(ignoreF, l) || mapped(ignoreM, l))) {
        im = true;
        focusOrIgnore[l] = 2;
      } else if (!focusF || anyLine(focusF, l) || mapped(focusM, l)) {
        fm = true;
        focusOrIgnore[l] = 1;
      }
      let remaining = locs.lineEnd[l] - locs.lineStart[l];
      if (hideF && (anyLine(hideF, l) || mapped(hideM, l))) {
        hm = true;
        for (let j = locs.lineStart[l]; j < locs.lineEnd[l]; j++) {
          if (mapped(hideM, l) || hideF[locs.lineFunction[j]]) {
            if (keepLine[j]) remaining--;
            keepLine[j] = 0;
          }
        }
        if (remaining === 0) hiddenLocation[l] = 1;
      }
      if (showF) {
        if (!mapped(showM, l)) {
          for (let j = locs.lineStart[l]; j < locs.lineEnd[l]; j++) {
            if (!showF[locs.lineFunction[j]]) {
              if (keepLine[j]) remaining--;
              keepLine[j] = 0;
            }
          }
        }
        if (remaining === 0) hiddenLocation[l] = 1;
        else hnm = true;
      }
      if (hiddenLocation[l]) anyHidden = true;
    }
    if (hideF || showF) {
      lines = compactLines(locs, keepLine);
      keptLines = keepLine;
    }
    warnUnless(!focus || fm, 'Focus');
    warnUnless(!ignore || im, 'Ignore');
    warnUnless(!hide || hm, 'Hide');
    warnUnless(!show || hnm, 'Show');
    marks = focusOrIgnore;
    hidden = anyHidden ? hiddenLocation : undefined;
  }

  if (showFrom) {
    const fromF = functionMatches(showFrom)!;
    const fromM = mappingMatches(showFrom);
    matchedLocation = new Uint8Array(locs.count);
    const end = Int32Array.from(lines.end);
    let matched = false;
    for (let l = 0; l < locs.count; l++) {
      if (mapped(fromM, l)) {
        matchedLocation[l] = 1;
      } else {
        // The outermost matching line: the lines inlined into it stay, those it was inlined into go.
        for (let j = lines.end[l] - 1; j >= lines.start[l]; j--) {
          if (fromF[lines.func[j]]) {
            end[l] = j + 1;
            matchedLocation[l] = 1;
            break;
          }
        }
      }
      if (matchedLocation[l]) matched = true;
    }
    lines = { ...lines, end };
    warnUnless(matched, 'ShowFrom');
  }

  const locations: LocationTable = {
    ...locs,
    lineStart: lines.start,
    lineEnd: lines.end,
    lineFunction: lines.func,
    lineNumber: lines.number,
    lineColumn: lines.column,
  };
  return { locations, marks, hidden, keptLines, showFrom: matchedLocation, tagFocus, tagIgnore, warnings };
}

/** The warnings of the tag filters that matched no sample, given whether each matched one. */
export function tagWarnings(plan: FilterPlan, tagFocusMatched: boolean, tagIgnoreMatched: boolean): string[] {
  const out: string[] = [];
  if (plan.tagFocus && !tagFocusMatched) out.push('TagFocus expression matched no samples');
  if (plan.tagIgnore && !tagIgnoreMatched) out.push('TagIgnore expression matched no samples');
  return out;
}

/** A filtered copy of `profile`; the input is not changed. */
export function filterProfile(profile: Profile, opts: FilterOptions): FilterResult {
  const plan = planFilters(profile, opts);
  const { marks, hidden, showFrom: matchedLocation, tagFocus, tagIgnore } = plan;
  let samples = profile.samples;

  if (marks) {
    const current = samples;
    samples = selectSamples(current, (s, stack) => {
      let focused = false;
      for (let i = current.stackStart[s]; i < current.stackEnd[s]; i++) {
        const mark = marks[current.stack[i]];
        if (mark === 2) return false;
        if (mark === 1) focused = true;
      }
      if (!focused) return false;
      for (let i = current.stackStart[s]; i < current.stackEnd[s]; i++) {
        const loc = current.stack[i];
        if (!hidden || !hidden[loc]) stack.push(loc);
      }
      return stack.length > 0;
    });
  }

  if (matchedLocation) {
    const current = samples;
    samples = selectSamples(current, (s, stack) => {
      for (let i = current.stackEnd[s] - 1; i >= current.stackStart[s]; i--) {
        if (matchedLocation[current.stack[i]]) {
          for (let k = current.stackStart[s]; k <= i; k++) stack.push(current.stack[k]);
          return true;
        }
      }
      return false;
    });
  }

  let tfm = false;
  let tim = false;
  if (tagFocus || tagIgnore) {
    const current = samples;
    samples = selectSamples(current, (s, stack) => {
      const focused = tagFocus ? tagFocus(current, s) : true;
      const ignored = tagIgnore ? tagIgnore(current, s) : false;
      tfm ||= focused;
      tim ||= ignored;
      if (!focused || ignored) return false;
      for (let i = current.stackStart[s]; i < current.stackEnd[s]; i++) stack.push(current.stack[i]);
      return true;
    });
  }
  const warnings = [...plan.warnings, ...tagWarnings(plan, tfm, tim)];
  return { profile: { ...profile, samples, sampleCount: samples.count, locations: plan.locations }, warnings };
}

/** The line arrays without the lines whose keepLine is 0. */
function compactLines(locs: LocationTable, keepLine: Uint8Array) {
  let kept = 0;
  for (let j = 0; j < keepLine.length; j++) kept += keepLine[j];
  const start = new Int32Array(locs.count);
  const end = new Int32Array(locs.count);
  const func = new Int32Array(kept);
  const number = new Float64Array(kept);
  const column = new Float64Array(kept);
  let k = 0;
  for (let l = 0; l < locs.count; l++) {
    start[l] = k;
    for (let j = locs.lineStart[l]; j < locs.lineEnd[l]; j++) {
      if (!keepLine[j]) continue;
      func[k] = locs.lineFunction[j];
      number[k] = locs.lineNumber[j];
      column[k] = locs.lineColumn[j];
      k++;
    }
    end[l] = k;
  }
  return { start, end, func, number, column };
}

/**
 * The samples `keep` accepts, each with the stack it pushes (leaf first);
 * values and labels are carried over.
 */
function selectSamples(samples: SampleTable, keep: (s: number, stack: number[]) => boolean): SampleTable {
  const typeCount = samples.count > 0 ? samples.values.length / samples.count : 0;
  // Filters only shorten stacks, so the input's sizes bound the output's.
  const chosen = new Int32Array(samples.count);
  const stacks = new Int32Array(samples.stack.length);
  const stackStart = new Int32Array(samples.count);
  const stackEnd = new Int32Array(samples.count);
  const stack: number[] = [];
  let n = 0;
  let used = 0;
  for (let s = 0; s < samples.count; s++) {
    stack.length = 0;
    if (!keep(s, stack)) continue;
    chosen[n] = s;
    stackStart[n] = used;
    for (let k = 0; k < stack.length; k++) stacks[used++] = stack[k];
    stackEnd[n] = used;
    n++;
  }
  const count = n;
  const values = new Float64Array(count * typeCount);
  const labelStart = new Int32Array(count + 1);
  let labelCount = 0;
  for (let i = 0; i < count; i++) {
    const s = chosen[i];
    values.set(samples.values.subarray(s * typeCount, (s + 1) * typeCount), i * typeCount);
    labelStart[i] = labelCount;
    labelCount += samples.labelStart[s + 1] - samples.labelStart[s];
  }
  labelStart[count] = labelCount;
  const labelKey = new Int32Array(labelCount);
  const labelStr = new Int32Array(labelCount);
  const labelNum = new Float64Array(labelCount);
  const labelNumUnit = new Int32Array(labelCount);
  for (let i = 0; i < count; i++) {
    const s = chosen[i];
    const from = samples.labelStart[s];
    const n = samples.labelStart[s + 1] - from;
    const to = labelStart[i];
    labelKey.set(samples.labelKey.subarray(from, from + n), to);
    labelStr.set(samples.labelStr.subarray(from, from + n), to);
    labelNum.set(samples.labelNum.subarray(from, from + n), to);
    labelNumUnit.set(samples.labelNumUnit.subarray(from, from + n), to);
  }
  return {
    count,
    stackStart: stackStart.slice(0, count),
    stackEnd: stackEnd.slice(0, count),
    stack: stacks.slice(0, used),
    values,
    labelStart,
    labelKey,
    labelStr,
    labelNum,
    labelNumUnit,
  };
}

/**
 * The unit of each numeric label key, as pprof infers it: the first unit
 * a sample gives, else "bytes" for alignment/request, else the key itself.
 */
export function numLabelUnits(profile: Profile): Map<string, string> {
  const s = profile.samples;
  const units = new Map<string, string>();
  const keys = new Set<number>();
  for (let i = 0; i < s.labelKey.length; i++) {
    if (s.labelStr[i] !== 0) continue;
    keys.add(s.labelKey[i]);
    const key = profile.strings[s.labelKey[i]];
    const unit = profile.strings[s.labelNumUnit[i]];
    if (unit !== '' && !units.has(key)) units.set(key, unit);
  }
  for (const k of keys) {
    const key = profile.strings[k];
    if ((units.get(key) ?? '') === '') units.set(key, key === 'alignment' || key === 'request' ? 'bytes' : key);
  }
  return units;
}

export type TagMatch = (samples: SampleTable, s: number) => boolean;

/**
 * pprof's -tagfocus/-tagignore: `[key=]value`. A value that reads as a
 * number range with optional units ("64", "1kb:", ":2mb", "1kb:2mb") tests
 * numeric labels (of `key`, or of any key); otherwise it is a comma-separated
 * list of regexes, tested against the string values of `key` (any regex
 * matching any value), or without a key against "key:value" (every regex
 * matching some label).
 */
function compileTagFilter(
  profile: Profile,
  option: string,
  spec: string | undefined,
  units: Map<string, string>,
  warnings: string[],
): TagMatch | undefined {
  if (spec === undefined || spec === '') return undefined;
  const strings = profile.strings;
  const eq = spec.indexOf('=');
  const wantKey = eq >= 0 ? spec.slice(0, eq) : '';
  const value = eq >= 0 ? spec.slice(eq + 1) : spec;
  const range = parseTagRange(value);
  if (range) {
    warnings.push(`${option}:Interpreted '${value}' as range, not regexp`);
    return (samples, s) => {
      for (let i = samples.labelStart[s]; i < samples.labelStart[s + 1]; i++) {
        if (samples.labelStr[i] !== 0) continue;
        const key = strings[samples.labelKey[i]];
        if (wantKey !== '' && key !== wantKey) continue;
        if (range(samples.labelNum[i], units.get(key) ?? '')) return true;
      }
      return false;
    };
  }
  const regexes = value.split(',').map((r) => compileGoRegex(option, r));
  if (wantKey === '') {
    return (samples, s) =>
      regexes.every((re) => {
        for (let i = samples.labelStart[s]; i < samples.labelStart[s + 1]; i++) {
          if (samples.labelStr[i] === 0) continue;
          if (re.test(`${strings[samples.labelKey[i]]}:${strings[samples.labelStr[i]]}`)) return true;
        }
        return false;
      });
  }
  return (samples, s) => {
    for (let i = samples.labelStart[s]; i < samples.labelStart[s + 1]; i++) {
      if (samples.labelStr[i] === 0 || strings[samples.labelKey[i]] !== wantKey) continue;
      const v = strings[samples.labelStr[i]];
      if (regexes.some((re) => re.test(v))) return true;
    }
    return false;
  };
}

/** A numeric range as pprof reads it, or undefined when `filter` is not one. */
function parseTagRange(filter: string): ((value: number, unit: string) => boolean) | undefined {
  const parts = [...filter.matchAll(/([+-]?[0-9]+)([A-Za-z]+)?/g)].slice(0, 2);
  if (parts.length === 0) return undefined;
  const [low, lowUnitName] = scaleValue(Number(parts[0][1]), parts[0][2] ?? '', parts[0][2] ?? '');
  const scaled = (v: number, u: string): number | undefined => {
    const [sv, su] = scaleValue(v, u, lowUnitName);
    return su === lowUnitName ? sv : undefined;
  };
  if (parts.length === 1) {
    const match = parts[0][0];
    if (filter === match) return (v, u) => scaled(v, u) === low;
    if (filter === match + ':') return (v, u) => (scaled(v, u) ?? -Infinity) >= low;
    if (filter === ':' + match) return (v, u) => (scaled(v, u) ?? Infinity) <= low;
    return undefined;
  }
  if (filter !== `${parts[0][0]}:${parts[1][0]}`) return undefined;
  const [high, highUnit] = scaleValue(Number(parts[1][1]), parts[1][2] ?? '', lowUnitName);
  if (highUnit !== lowUnitName) return undefined;
  return (v, u) => {
    const sv = scaled(v, u);
    return sv !== undefined && sv >= low && sv <= high;
  };
}
