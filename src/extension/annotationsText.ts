// What source annotations say: heat levels, end-of-line labels, CodeLens
// titles and hover text. No vscode import, so the wording is unit-tested.
import type { FunctionCost, LineCost, LineCostReport } from '../core/pprof/lineCosts';
import { formatPercent, formatValue } from '../core/pprof/units';

/** Share of the total (cum) at which a line reaches heat level 1, 2, 3, 4. */
const HEAT_THRESHOLDS = [0.005, 0.03, 0.1, 0.25];
export const HEAT_LEVELS = HEAT_THRESHOLDS.length + 1;

/** 0 (some cost) to HEAT_LEVELS - 1 (a quarter of the total or more). */
export function heatLevel(cost: LineCost, total: number): number {
  const share = total > 0 ? Math.abs(cost.cum) / total : 0;
  let level = 0;
  while (level < HEAT_THRESHOLDS.length && share >= HEAT_THRESHOLDS[level]) level++;
  return level;
}

/** Lines whose flat or cum reach this share of the total get end-of-line text. */
export function isHotLine(cost: LineCost, total: number, hotPercent: number): boolean {
  if (total <= 0) return false;
  return Math.max(Math.abs(cost.flat), Math.abs(cost.cum)) / total >= hotPercent / 100;
}

function value(report: LineCostReport, v: number): string {
  return formatValue(v, report.sampleType.unit);
}

/** "cpu 1.20s (12.00%), flat 10ms" — the end-of-line text. */
export function lineLabel(cost: LineCost, report: LineCostReport): string {
  const cum = `${report.sampleType.type} ${value(report, cost.cum)} (${formatPercent(cost.cum, report.total)})`;
  return cost.flat !== 0 ? `${cum}, flat ${value(report, cost.flat)}` : cum;
}

/** "cpu 1.20s, 12.00%" above a function, its cum like pprof's -top. */
export function lensTitle(fn: FunctionCost, report: LineCostReport): string {
  const flat = fn.flat !== 0 ? ` (flat ${value(report, fn.flat)})` : '';
  return `${report.sampleType.type} ${value(report, fn.cum)}, ${formatPercent(fn.cum, report.total)}${flat}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

const MAX_ROWS = 8;

/** The hover for one line: totals, the functions that ran there, and what it called. */
export function hoverMarkdown(cost: LineCost, report: LineCostReport, profileName: string): string {
  const pct = (v: number) => formatPercent(v, report.total);
  const out = [
    `**${escapeMarkdown(report.sampleType.type)}** at line ${cost.line} in ${escapeMarkdown(profileName)}`,
    '',
    `flat ${value(report, cost.flat)} (${pct(cost.flat)}) · cum ${value(report, cost.cum)} (${pct(cost.cum)})`,
    '',
  ];
  if (cost.frames.length > 1 || cost.frames.some((f) => f.inlined)) {
    out.push('| function | flat | cum |', '|---|---:|---:|');
    for (const frame of cost.frames.slice(0, MAX_ROWS)) {
      const name = escapeMarkdown(frame.function) + (frame.inlined ? ' *(inlined)*' : '');
      out.push(`| ${name} | ${value(report, frame.flat)} | ${value(report, frame.cum)} |`);
    }
    out.push('');
  }
  if (cost.callees.length > 0) {
    out.push('| calls | cum |', '|---|---:|');
    for (const callee of cost.callees.slice(0, MAX_ROWS)) {
      out.push(`| ${escapeMarkdown(callee.function)} | ${value(report, callee.value)} (${pct(callee.value)}) |`);
    }
    if (cost.callees.length > MAX_ROWS) out.push(`| … ${cost.callees.length - MAX_ROWS} more | |`);
  }
  return out.join('\n');
}
