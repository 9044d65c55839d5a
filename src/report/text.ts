import { SEVERITIES, type Finding, type Severity, type SkippedFile } from '../engine/types.js';
import type { Report } from './scorecard.js';

/** Terminal output: grouped by file, severities coloured when the output is a terminal. */

const COLOUR: Record<Severity, string> = { P0: '\x1b[1;31m', P1: '\x1b[33m', P2: '\x1b[36m', P3: '\x1b[2m' };
const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';

export function renderText(report: Report, all: readonly Finding[], skipped: readonly SkippedFile[], colour: boolean): string {
  const paint = (code: string, text: string): string => (colour ? `${code}${text}${RESET}` : text);
  const lines: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of all) {
    const list = byFile.get(f.path) ?? [];
    list.push(f);
    byFile.set(f.path, list);
  }
  for (const [path, findings] of byFile) {
    lines.push(paint(BOLD, path));
    for (const f of findings) {
      const where = `${f.line}:${f.column}`.padEnd(8);
      const tag = paint(COLOUR[f.severity], f.severity);
      lines.push(`  ${where} ${tag}  ${f.message}  ${paint('\x1b[2m', f.ruleId + (f.preExisting ? ' (pre-existing)' : ''))}`);
    }
    lines.push('');
  }
  if (skipped.length) {
    lines.push(paint(BOLD, 'Not audited'));
    for (const s of skipped) lines.push(`  ${s.path}: ${s.reason}`);
    lines.push('');
  }
  const counts = SEVERITIES.map((s) => `${paint(COLOUR[s], s)} ${report.counts[s]}`).join('  ');
  const pre = report.preExisting.length ? `  (${report.preExisting.length} pre-existing, not counted)` : '';
  lines.push(`${paint(BOLD, report.verdict)}  ${counts}${pre}`);
  const grades = report.scorecard.map((c) => `${c.category} ${c.grade}`).join(' · ');
  lines.push(grades);
  return lines.join('\n') + '\n';
}
