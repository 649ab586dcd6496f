// Hover on a constraint line: its value under the current target term by
// term, and the ports on which the file builds.

import { exprString, parseConstraintLine, tagNodes, tagTruth, type Expr } from '../core/constraints';
import { buildingPorts, type DocumentAnalysis } from './analysis';
import type { Position, Range } from './text';

/** Rows beyond this are summarised: a table of thousands of terms helps nobody. */
const MAX_ROWS = 40;
const MAX_PORTS_LISTED = 12;

export interface HoverResult {
  contents: { kind: 'markdown'; value: string };
  range: Range;
}

interface HoveredLine {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Why the go command does not read this line, when it does not. */
  readonly ignored?: string;
}

export function hoverAt(a: DocumentAnalysis, position: Position): HoverResult | undefined {
  const line = hoveredLine(a, position);
  if (!line) return undefined;
  const parsed = parseConstraintLine(line.text);
  const parts: string[] = [];
  const target = a.target;
  const port = target ? `${target.goos}/${target.goarch}` : undefined;
  const settings = target ? ` (tags: ${target.buildTags.join(', ') || 'none'}; cgo ${target.cgoEnabled ? 'on' : 'off'})` : '';
  if (line.ignored) parts.push(`**Ignored by the go command:** ${line.ignored}.`);
  if (!parsed) return undefined;
  if (!parsed.ok) {
    parts.push(`**Invalid ${parsed.kind === 'go:build' ? '//go:build' : '+build'} line:** ${parsed.error.message}`);
  } else if (target) {
    const value = evaluate(parsed.expr, target);
    parts.push(`\`${exprString(parsed.expr)}\` is **${value}** for ${port}${settings}`);
    parts.push(termTable(parsed.expr, target));
  } else {
    parts.push(`\`${exprString(parsed.expr)}\` (the build target is not known yet)`);
  }
  const building = buildingPorts(a);
  if (building) parts.push(portSummary(building.firstClass, building.others.length));
  return {
    contents: { kind: 'markdown', value: parts.join('\n\n') },
    range: a.snapshot.range(line.start, line.end),
  };
}

function hoveredLine(a: DocumentAnalysis, position: Position): HoveredLine | undefined {
  const { header } = a.file;
  const onLine = (c: { start: number; end: number }) => a.snapshot.position(c.start).line === position.line;
  for (const c of [...header.goBuild, ...header.plusBuild]) if (onLine(c)) return c;
  for (const c of header.ignoredPlusBuild) {
    if (onLine(c)) return { ...c, ignored: c.why === 'not-followed-by-blank-line' ? 'no blank line follows this +build line' : 'it is in or after a /* */ comment' };
  }
  for (const c of header.goBuildInBlockComment) if (onLine(c)) return { ...c, ignored: 'it is inside a /* */ comment' };
  for (const s of a.strays) {
    if (s.kind !== 'malformed-go:build' && onLine(s)) return { ...s, ignored: s.inBlockComment ? 'it is inside a /* */ comment' : 'it comes after the package clause' };
  }
  return undefined;
}

function evaluate(x: Expr, target: NonNullable<DocumentAnalysis['target']>): boolean {
  switch (x.kind) {
    case 'tag':
      return tagTruth(target, x.tag).value;
    case 'not':
      return !evaluate(x.x, target);
    case 'and':
      return evaluate(x.x, target) && evaluate(x.y, target);
    case 'or':
      return evaluate(x.x, target) || evaluate(x.y, target);
  }
}

function termTable(x: Expr, target: NonNullable<DocumentAnalysis['target']>): string {
  const tags = [...new Set(tagNodes(x).map((t) => t.tag))];
  const rows = tags.slice(0, MAX_ROWS).map((t) => {
    const truth = tagTruth(target, t);
    return `| \`${t}\` | ${truth.value} | ${truth.because} |`;
  });
  if (tags.length > MAX_ROWS) rows.push(`| … | | ${tags.length - MAX_ROWS} more terms |`);
  return ['| term | value | because |', '|:--|:--|:--|', ...rows].join('\n');
}

function portSummary(firstClass: readonly { goos: string; goarch: string }[], others: number): string {
  const names = firstClass.map((p) => `${p.goos}/${p.goarch}`);
  const listed = names.slice(0, MAX_PORTS_LISTED).join(', ') + (names.length > MAX_PORTS_LISTED ? `, … (${names.length - MAX_PORTS_LISTED} more)` : '');
  if (names.length === 0 && others === 0) return "With the target's tags and cgo setting, this file builds on no port.";
  const head = names.length > 0 ? `Builds on first-class ports: ${listed}` : 'Builds on no first-class port';
  return `${head}; also builds on ${others} other port${others === 1 ? '' : 's'} (with the target's tags and cgo setting).`;
}
