import { describe, expect, it } from '@jest/globals';
import { containsLine, firstChangedLineIn, normaliseSpans } from '../../src/diff/changed-lines.js';
import { parseGitDiff, parsePatch } from '../../src/diff/patch.js';

describe('parsePatch', () => {
  it('reads added lines and hunk context on the new side', () => {
    const patch = ['@@ -1,3 +1,4 @@', ' a', '-b', '+B', '+c', ' d'].join('\n');
    const lines = parsePatch(patch);
    expect(lines.added).toEqual([{ start: 2, end: 3 }]);
    expect(lines.commentable).toEqual([{ start: 1, end: 4 }]);
  });

  it('handles several hunks and pure deletions', () => {
    const patch = ['@@ -1,2 +1,1 @@', ' keep', '-gone', '@@ -10,2 +9,3 @@', ' x', '+y', ' z'].join('\n');
    const lines = parsePatch(patch);
    expect(lines.added).toEqual([{ start: 10, end: 10 }]);
    expect(lines.commentable).toEqual([{ start: 1, end: 1 }, { start: 9, end: 11 }]);
  });

  it('ignores "no newline at end of file" markers', () => {
    const patch = ['@@ -1 +1 @@', '-old', '\\ No newline at end of file', '+new', '\\ No newline at end of file'].join('\n');
    expect(parsePatch(patch).added).toEqual([{ start: 1, end: 1 }]);
  });

  it('treats CRLF patches like LF ones', () => {
    const patch = ['@@ -1,2 +1,3 @@', ' a', '+b', ' c'].join('\r\n');
    expect(parsePatch(patch)).toEqual(parsePatch(patch.replace(/\r/g, '')));
    expect(parsePatch(patch).added).toEqual([{ start: 2, end: 2 }]);
  });

  it('reads hunk headers without counts and with section headings', () => {
    const patch = ['@@ -5 +5,2 @@ function handler() {', '-x', '+y', '+z'].join('\n');
    expect(parsePatch(patch).added).toEqual([{ start: 5, end: 6 }]);
  });

  it('returns nothing for an empty patch', () => {
    expect(parsePatch('')).toEqual({ added: [], commentable: [] });
  });
});

describe('parseGitDiff', () => {
  const diff = [
    'diff --git a/src/old.ts b/src/new.ts',
    'similarity index 90%',
    'rename from src/old.ts',
    'rename to src/new.ts',
    'index 1..2 100644',
    '--- a/src/old.ts',
    '+++ b/src/new.ts',
    '@@ -3,0 +4 @@',
    '+added()',
    'diff --git a/app.py b/app.py',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/app.py',
    '@@ -0,0 +1,2 @@',
    '+import os',
    '+print(1)',
    'diff --git a/gone.ts b/gone.ts',
    'deleted file mode 100644',
    '--- a/gone.ts',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-x',
    'diff --git a/logo.png b/logo.png',
    'Binary files a/logo.png and b/logo.png differ',
    'diff --git "a/sp ace.ts" "b/sp ace.ts"',
    '--- "a/sp ace.ts"',
    '+++ "b/sp ace.ts"',
    '@@ -1 +1 @@',
    '-a',
    '+b',
  ].join('\n');

  it('reads renames, additions, deletions, binaries and quoted paths', () => {
    const files = parseGitDiff(diff);
    expect(files.map((f) => [f.path, f.status, f.binary])).toEqual([
      ['src/new.ts', 'renamed', false],
      ['app.py', 'added', false],
      ['gone.ts', 'removed', false],
      ['logo.png', 'modified', true],
      ['sp ace.ts', 'modified', false],
    ]);
    expect(files[0]!.previousPath).toBe('src/old.ts');
    expect(files[0]!.lines.added).toEqual([{ start: 4, end: 4 }]);
    expect(files[1]!.lines.added).toEqual([{ start: 1, end: 2 }]);
  });
});

describe('changed lines', () => {
  const spans = normaliseSpans([{ start: 10, end: 12 }, { start: 1, end: 2 }, { start: 3, end: 4 }, { start: 11, end: 15 }]);
  it('merges touching and overlapping spans', () => {
    expect(spans).toEqual([{ start: 1, end: 4 }, { start: 10, end: 15 }]);
  });
  it('finds lines and the first changed line of a span', () => {
    expect(containsLine(spans, 4)).toBe(true);
    expect(containsLine(spans, 5)).toBe(false);
    expect(firstChangedLineIn(spans, { start: 6, end: 12 })).toBe(10);
    expect(firstChangedLineIn(spans, { start: 5, end: 9 })).toBeUndefined();
  });
});
