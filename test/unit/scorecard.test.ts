import { describe, expect, it } from '@jest/globals';
import type { Finding, Severity } from '../../src/engine/types.js';
import { buildReport, gradeOf, scorecard, verdictOf } from '../../src/report/scorecard.js';

function finding(severity: Severity, category: Finding['category'] = 'Security', preExisting = false): Finding {
  return { ruleId: 'r', title: 't', severity, category, path: 'a.ts', line: 1, endLine: 1, column: 1, message: 'm', fingerprint: `${Math.random()}`, preExisting };
}

describe('scorecard', () => {
  it('scores 100 − 40·P0 − 15·P1 − 5·P2 − 1·P3, floored at 0', () => {
    const card = scorecard([finding('P1'), finding('P2'), finding('P3'), finding('P0', 'Reliability'), finding('P0', 'Reliability'), finding('P0', 'Reliability')]);
    const security = card.find((c) => c.category === 'Security')!;
    expect(security.score).toBe(79);
    expect(security.grade).toBe('C');
    expect(security.counts).toEqual({ P0: 0, P1: 1, P2: 1, P3: 1 });
    expect(card.find((c) => c.category === 'Reliability')!.score).toBe(0);
    expect(card.find((c) => c.category === 'Delivery')).toMatchObject({ score: 100, grade: 'A' });
    expect(card).toHaveLength(8);
  });

  it('grades at the boundaries', () => {
    expect([90, 89, 80, 79, 70, 60, 59].map(gradeOf)).toEqual(['A', 'B', 'B', 'C', 'C', 'D', 'F']);
  });
});

describe('verdict', () => {
  it('is NO-GO at or above failOn, CONDITIONAL GO with a P1, GO otherwise', () => {
    expect(verdictOf([finding('P0')], 'P0')).toBe('NO-GO');
    expect(verdictOf([finding('P1')], 'P0')).toBe('CONDITIONAL GO');
    expect(verdictOf([finding('P1')], 'P1')).toBe('NO-GO');
    expect(verdictOf([finding('P2')], 'P1')).toBe('GO');
    expect(verdictOf([finding('P0')], 'none')).toBe('CONDITIONAL GO');
    expect(verdictOf([finding('P2'), finding('P3')], 'none')).toBe('GO');
    expect(verdictOf([], 'P3')).toBe('GO');
  });

  it('leaves pre-existing findings out of counts and verdict', () => {
    const report = buildReport([finding('P0', 'Security', true), finding('P2')], 'P0');
    expect(report.verdict).toBe('GO');
    expect(report.counts).toEqual({ P0: 0, P1: 0, P2: 1, P3: 0 });
    expect(report.preExisting).toHaveLength(1);
  });
});
