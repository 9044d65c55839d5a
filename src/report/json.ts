import type { Finding, SkippedFile } from '../engine/types.js';
import { VERSION } from '../version.js';
import type { Report } from './scorecard.js';

/** The CLI's `--format json` document; its shape is a public interface, keep it stable. */
export function renderJson(report: Report, all: readonly Finding[], skipped: readonly SkippedFile[]): string {
  return JSON.stringify({
    tool: { name: 'shipgate', version: VERSION },
    verdict: report.verdict,
    counts: report.counts,
    scorecard: report.scorecard.map((c) => ({ category: c.category, score: c.score, grade: c.grade, counts: c.counts })),
    findings: all.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      category: f.category,
      path: f.path,
      line: f.line,
      endLine: f.endLine,
      column: f.column,
      message: f.message,
      fingerprint: f.fingerprint,
      preExisting: f.preExisting,
    })),
    skipped: skipped.map((s) => ({ path: s.path, reason: s.reason })),
  });
}
