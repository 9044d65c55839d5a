import type { LineSpan } from '../src/engine/types.js';
import type { SourceFile } from '../src/engine/audit.js';
import { normaliseSpans } from '../src/diff/changed-lines.js';
import type { CorpusFile } from './corpus.js';
import type { Random } from './random.js';

/**
 * Synthetic pull requests over the corpus: every file is "modified", its changed lines are one
 * to three contiguous spans covering ~10% of the file, and its base version is the same file
 * without those lines — so the lines look added by the PR and the engine's pre-existing
 * comparison (re-reading the base of files with findings) runs as it would on GitHub.
 */

export const CHANGED_FRACTION = 0.1;

export interface SyntheticPr {
  readonly files: SourceFile[];
  readonly changedLines: number;
  readonly totalLines: number;
}

function changedSpans(lineCount: number, random: Random): LineSpan[] {
  const target = Math.max(1, Math.round(lineCount * CHANGED_FRACTION));
  const pieces = Math.min(target, random.int(1, 3));
  const spans: LineSpan[] = [];
  let left = target;
  for (let i = 0; i < pieces; i++) {
    const length = i === pieces - 1 ? left : Math.max(1, Math.round(left / (pieces - i)));
    left -= length;
    const start = random.int(1, Math.max(1, lineCount - length + 1));
    spans.push({ start, end: Math.min(lineCount, start + length - 1) });
  }
  return normaliseSpans(spans);
}

function withoutLines(lines: readonly string[], spans: readonly LineSpan[]): string {
  const kept: string[] = [];
  let span = 0;
  for (let n = 1; n <= lines.length; n++) {
    while (span < spans.length && spans[span]!.end < n) span++;
    const s = spans[span];
    if (s && n >= s.start && n <= s.end) continue;
    kept.push(lines[n - 1]!);
  }
  return kept.join('\n');
}

/** `size` files drawn with replacement from `pool`; a file drawn twice gets a distinct path. */
export function syntheticPr(pool: readonly CorpusFile[], size: number, random: Random): SyntheticPr {
  const files: SourceFile[] = [];
  const drawn = new Map<string, number>();
  let changedLines = 0;
  let totalLines = 0;
  for (let i = 0; i < size; i++) {
    const file = random.pick(pool);
    const copy = drawn.get(file.path) ?? 0;
    drawn.set(file.path, copy + 1);
    const lines = file.content.split('\n');
    const spans = changedSpans(lines.length, random);
    changedLines += spans.reduce((n, s) => n + s.end - s.start + 1, 0);
    totalLines += lines.length;
    files.push({
      path: copy === 0 ? file.path : `copy-${copy}/${file.path}`,
      content: file.content,
      status: 'modified',
      changed: spans,
      baseContent: withoutLines(lines, spans),
    });
  }
  return { files, changedLines, totalLines };
}
