import { describe, expect, it } from '@jest/globals';
import { ALL_LINES } from '../../src/diff/changed-lines.js';
import type { Finding, RuleMeta, Severity } from '../../src/engine/types.js';
import { planFile } from '../../src/github/pr-files.js';
import { anchorLine, fixedThreads, planReview, threadsFrom, type DiffLines } from '../../src/github/review.js';
import type { RuleCatalog } from '../../src/report/rule-docs.js';

/** Where comments go and which findings get one: the rules GitHub and the product set. */

function finding(over: Partial<Finding> & { line: number }): Finding {
  return {
    ruleId: 'secret-in-log',
    title: 'Secret written to the log',
    severity: 'P0',
    category: 'Security',
    path: 'src/a.ts',
    endLine: over.line,
    column: 1,
    message: 'm',
    fingerprint: `fp${over.line}${over.ruleId ?? ''}${over.path ?? ''}`,
    preExisting: false,
    ...over,
  };
}

const meta = (id: string, severity: Severity = 'P0'): RuleMeta => ({
  id,
  title: id,
  severity,
  category: 'Security',
  languages: ['ts'],
  docs: { why: 'why', fix: 'fix', example: { bad: 'bad', good: 'good' } },
});
const catalog: RuleCatalog = new Map([
  ['secret-in-log', meta('secret-in-log')],
  ['http-no-timeout', meta('http-no-timeout', 'P1')],
  ['empty-catch', meta('empty-catch', 'P2')],
]);

// Lines 10-12 added, 7-9 and 13-15 context: a hunk from 7 to 15.
const diff: DiffLines = { changed: [{ start: 10, end: 12 }], commentable: [{ start: 7, end: 15 }] };
const diffs = new Map([['src/a.ts', diff]]);

describe('anchorLine', () => {
  it('uses the finding line when the PR changed it', () => {
    expect(anchorLine(finding({ line: 11 }), diff)).toBe(11);
  });
  it('uses the first changed line inside a multi-line finding that starts on an unchanged line', () => {
    expect(anchorLine(finding({ line: 8, endLine: 13 }), diff)).toBe(10);
  });
  it('never anchors outside the diff', () => {
    expect(anchorLine(finding({ line: 3 }), diff)).toBeUndefined();
    expect(anchorLine(finding({ line: 14 }), diff)).toBeUndefined();
  });
  it('never anchors on a file whose diff GitHub does not show', () => {
    expect(anchorLine(finding({ line: 5 }), { changed: ALL_LINES, commentable: [] })).toBeUndefined();
  });
});

describe('planReview', () => {
  it('comments new findings inside the diff on the RIGHT side, and leaves the rest to annotations', () => {
    const plan = planReview([finding({ line: 11 }), finding({ line: 30 }), finding({ line: 12, preExisting: true })], diffs, new Set(), 25, catalog);
    expect(plan.comments).toEqual([expect.objectContaining({ path: 'src/a.ts', line: 11, side: 'RIGHT' })]);
    expect(plan.outsideDiff.map((f) => f.line)).toEqual([30]);
  });

  it('does not comment a finding whose fingerprint already has a comment', () => {
    const plan = planReview([finding({ line: 11, fingerprint: 'seen' }), finding({ line: 12 })], diffs, new Set(['seen']), 25, catalog);
    expect(plan.comments.map((c) => c.line)).toEqual([12]);
    expect(plan.alreadyCommented.map((f) => f.fingerprint)).toEqual(['seen']);
  });

  it('keeps the most severe findings when the comment limit is reached', () => {
    const findings = [
      finding({ line: 10, ruleId: 'empty-catch', severity: 'P2' }),
      finding({ line: 11, ruleId: 'http-no-timeout', severity: 'P1' }),
      finding({ line: 12, ruleId: 'secret-in-log', severity: 'P0' }),
    ];
    const plan = planReview(findings, diffs, new Set(), 2, catalog);
    expect(plan.comments.map((c) => c.line)).toEqual([11, 12]);
    expect(plan.overLimit.map((f) => f.ruleId)).toEqual(['empty-catch']);
  });

  it('groups a rule firing more than five times into one comment that carries every fingerprint', () => {
    const wide: DiffLines = { changed: [{ start: 1, end: 40 }], commentable: [{ start: 1, end: 40 }] };
    const findings = Array.from({ length: 6 }, (_, i) => finding({ line: 5 + i * 5 }));
    const plan = planReview(findings, new Map([['src/a.ts', wide]]), new Set(), 25, catalog);
    expect(plan.comments).toHaveLength(1);
    expect(plan.comments[0]!.line).toBe(5);
    expect(plan.comments[0]!.body.match(/shipgate:fingerprint=/g)).toHaveLength(6);
  });

  it('places a multi-line suggestion on its lines when they are all in the diff, and drops it otherwise', () => {
    const fits = finding({ line: 10, endLine: 11, suggestion: { startLine: 10, endLine: 11, replacement: 'fixed();' } });
    const spills = finding({ line: 12, endLine: 16, fingerprint: 'spill', suggestion: { startLine: 12, endLine: 16, replacement: 'x();' } });
    const plan = planReview([fits, spills], diffs, new Set(), 25, catalog);
    const [first, second] = plan.comments;
    expect(first).toMatchObject({ start_line: 10, start_side: 'RIGHT', line: 11 });
    expect(first!.body).toContain('```suggestion');
    expect(second).toMatchObject({ line: 12 });
    expect(second!.start_line).toBeUndefined();
    expect(second!.body).not.toContain('```suggestion');
  });
});

describe('fixed comments', () => {
  const bot = { type: 'Bot' };
  const comments = [
    { id: 1, path: 'src/a.ts', body: 'x <!-- shipgate:fingerprint=aaaaaaaaaa -->', user: bot },
    { id: 2, path: 'src/a.ts', body: 'y <!-- shipgate:fingerprint=bbbbbbbbbb -->', user: bot },
    { id: 3, path: 'src/a.ts', body: '✅ Fixed in abc.\n<!-- shipgate:fixed -->', user: bot, in_reply_to_id: 2 },
    { id: 4, path: 'src/b.ts', body: 'z <!-- shipgate:fingerprint=cccccccccc -->', user: bot },
    { id: 5, path: 'src/a.ts', body: 'copied <!-- shipgate:fingerprint=dddddddddd -->', user: { type: 'User' } },
  ];

  it("finds Shipgate's threads, knows which were marked fixed, and ignores markers in people's comments", () => {
    expect(threadsFrom(comments)).toEqual([
      { commentId: 1, path: 'src/a.ts', fingerprints: ['aaaaaaaaaa'], markedFixed: false },
      { commentId: 2, path: 'src/a.ts', fingerprints: ['bbbbbbbbbb'], markedFixed: true },
      { commentId: 4, path: 'src/b.ts', fingerprints: ['cccccccccc'], markedFixed: false },
    ]);
  });

  it('marks fixed only threads whose findings are gone from files this audit read, once', () => {
    const threads = threadsFrom(comments);
    expect(fixedThreads(threads, new Set(), new Set()).map((t) => t.commentId)).toEqual([1, 4]);
    expect(fixedThreads(threads, new Set(['aaaaaaaaaa']), new Set()).map((t) => t.commentId)).toEqual([4]);
    expect(fixedThreads(threads, new Set(), new Set(['src/b.ts'])).map((t) => t.commentId)).toEqual([1]);
  });
});

describe('planFile', () => {
  const file = { filename: 'src/a.ts', status: 'modified', sha: 'abc', additions: 1, deletions: 0, changes: 1 };

  it('turns a patch into changed and commentable lines', () => {
    const plan = planFile({ ...file, patch: '@@ -1,2 +1,3 @@\n a\n+b\n c' }, undefined);
    expect(plan).toMatchObject({ kind: 'audit', changed: [{ start: 2, end: 2 }], commentable: [{ start: 1, end: 3 }], basePath: 'src/a.ts' });
  });

  it('audits every line of a file whose diff is too large to show, with nowhere to comment', () => {
    expect(planFile({ ...file, additions: 5000, changes: 5000 }, undefined)).toMatchObject({ kind: 'audit', changed: ALL_LINES, commentable: [], wholeFile: true });
  });

  it('skips removed, binary, vendored, generated and ignored files with a reason, and ignores what no rule reads', () => {
    const reason = (over: object, ignored?: (p: string) => boolean): unknown => {
      const plan = planFile({ ...file, ...over }, ignored);
      return plan.kind === 'skip' ? plan.skipped.reason : plan.kind;
    };
    expect(reason({ status: 'removed' })).toBe('removed in this pull request');
    expect(reason({ additions: 0, changes: 0 })).toBe('binary file');
    expect(reason({ filename: 'vendor/lib.js', patch: '@@ -0,0 +1 @@\n+x' })).toBe('vendored dependency');
    expect(reason({ filename: 'dist/app.js', patch: '@@ -0,0 +1 @@\n+x' })).toBe('generated or build output');
    expect(reason({ patch: '@@ -0,0 +1 @@\n+x' }, () => true)).toBe('ignored by config');
    expect(reason({ filename: 'docs/logo.png' })).toBe('ignore');
    expect(reason({ status: 'renamed', previous_filename: 'src/old.ts', additions: 0, changes: 0 })).toBe('ignore');
  });

  it('reads the base version of a renamed file from its old path', () => {
    const plan = planFile({ ...file, status: 'renamed', previous_filename: 'src/old.ts', patch: '@@ -1 +1 @@\n-a\n+b' }, undefined);
    expect(plan).toMatchObject({ kind: 'audit', status: 'renamed', basePath: 'src/old.ts' });
  });
});
