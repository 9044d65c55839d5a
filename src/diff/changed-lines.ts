import type { LineSpan } from '../engine/types.js';

/**
 * The lines of a file's new side that a change added or modified, as sorted, disjoint,
 * 1-based inclusive spans. `ALL_LINES` stands for a file that is new or audited whole.
 */
export type ChangedLines = readonly LineSpan[] | typeof ALL_LINES;
export const ALL_LINES = 'all' as const;

export function isAllLines(changed: ChangedLines): changed is typeof ALL_LINES {
  return changed === ALL_LINES;
}

/** Sorts and merges spans that overlap or touch. */
export function normaliseSpans(spans: readonly LineSpan[]): LineSpan[] {
  const sorted = [...spans].filter((s) => s.end >= s.start).sort((a, b) => a.start - b.start);
  const merged: LineSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end + 1) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
    } else {
      merged.push({ start: span.start, end: span.end });
    }
  }
  return merged;
}

/** Spans from a sorted list of line numbers. */
export function spansFromLines(lines: readonly number[]): LineSpan[] {
  const spans: LineSpan[] = [];
  for (const line of lines) {
    const last = spans[spans.length - 1];
    if (last && line <= last.end + 1) {
      if (line > last.end) spans[spans.length - 1] = { start: last.start, end: line };
    } else {
      spans.push({ start: line, end: line });
    }
  }
  return spans;
}

export function containsLine(changed: ChangedLines, line: number): boolean {
  if (isAllLines(changed)) return true;
  let lo = 0;
  let hi = changed.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = changed[mid]!;
    if (line < span.start) hi = mid - 1;
    else if (line > span.end) lo = mid + 1;
    else return true;
  }
  return false;
}

export function intersects(changed: ChangedLines, span: LineSpan): boolean {
  if (isAllLines(changed)) return true;
  return firstChangedLineIn(changed, span) !== undefined;
}

/** The first changed line inside `span`, where an inline comment about it can be anchored. */
export function firstChangedLineIn(changed: ChangedLines, span: LineSpan): number | undefined {
  if (isAllLines(changed)) return span.start;
  for (const c of changed) {
    if (c.end < span.start) continue;
    if (c.start > span.end) return undefined;
    return Math.max(c.start, span.start);
  }
  return undefined;
}

export function countLines(changed: ChangedLines, totalLines: number): number {
  if (isAllLines(changed)) return totalLines;
  return changed.reduce((n, s) => n + s.end - s.start + 1, 0);
}
