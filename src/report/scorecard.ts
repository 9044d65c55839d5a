import type { FailOn } from '../config/config.js';
import { CATEGORIES, SEVERITIES, type Category, type Finding, type Severity } from '../engine/types.js';

export type Counts = Record<Severity, number>;
export type Verdict = 'GO' | 'CONDITIONAL GO' | 'NO-GO';
export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

export interface CategoryScore {
  readonly category: Category;
  readonly score: number;
  readonly grade: Grade;
  readonly counts: Counts;
}

const PENALTY: Record<Severity, number> = { P0: 40, P1: 15, P2: 5, P3: 1 };

export function emptyCounts(): Counts {
  return { P0: 0, P1: 0, P2: 0, P3: 0 };
}

export function countBySeverity(findings: readonly Finding[]): Counts {
  const counts = emptyCounts();
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function gradeOf(score: number): Grade {
  return score >= 90 ? 'A' : score >= 80 ? 'B' : score >= 70 ? 'C' : score >= 60 ? 'D' : 'F';
}

/** Score per category over the PR's new findings: 100 − 40·P0 − 15·P1 − 5·P2 − 1·P3, floor 0. */
export function scorecard(findings: readonly Finding[]): CategoryScore[] {
  return CATEGORIES.map((category) => {
    const counts = countBySeverity(findings.filter((f) => f.category === category));
    const score = Math.max(0, 100 - SEVERITIES.reduce((n, s) => n + PENALTY[s] * counts[s], 0));
    return { category, score, grade: gradeOf(score), counts };
  });
}

/** Whether `severity` is at or above the threshold. */
export function meetsThreshold(severity: Severity, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(failOn);
}

/**
 * NO-GO with any finding at or above `failOn`; CONDITIONAL GO with any P1 (or a P0 that a
 * relaxed `failOn` lets through: it is never better than a P1); GO otherwise.
 */
export function verdictOf(findings: readonly Finding[], failOn: FailOn): Verdict {
  if (findings.some((f) => meetsThreshold(f.severity, failOn))) return 'NO-GO';
  if (findings.some((f) => f.severity === 'P0' || f.severity === 'P1')) return 'CONDITIONAL GO';
  return 'GO';
}

export interface Report {
  readonly verdict: Verdict;
  readonly failOn: FailOn;
  /** Counts over new findings only: pre-existing ones never gate a PR. */
  readonly counts: Counts;
  readonly scorecard: readonly CategoryScore[];
  readonly newFindings: readonly Finding[];
  readonly preExisting: readonly Finding[];
}

export function buildReport(findings: readonly Finding[], failOn: FailOn): Report {
  const newFindings = findings.filter((f) => !f.preExisting);
  return {
    verdict: verdictOf(newFindings, failOn),
    failOn,
    counts: countBySeverity(newFindings),
    scorecard: scorecard(newFindings),
    newFindings,
    preExisting: findings.filter((f) => f.preExisting),
  };
}
