import type { LineSpan } from '../engine/types.js';
import { spansFromLines } from './changed-lines.js';

/**
 * Unified diffs → the lines a change touched on the new side. GitHub's `files[].patch` is the
 * hunks of one file; `git diff` output is headers plus hunks for many files. Both are parsed
 * here so the App and the CLI agree on what "changed" means.
 */

export interface PatchLines {
  /** New-side lines added or modified (a modification is a `-`/`+` pair: the `+` side counts). */
  readonly added: readonly LineSpan[];
  /** New-side lines inside a hunk (added or context): GitHub accepts review comments only there. */
  readonly commentable: readonly LineSpan[];
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function parsePatch(patch: string): PatchLines {
  const added: number[] = [];
  const commentable: number[] = [];
  let newLine = 0;
  let inHunk = false;
  for (const raw of patch.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const hunk = HUNK.exec(line);
    if (hunk) {
      newLine = Number(hunk[3]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    const marker = line[0];
    if (marker === '+') {
      added.push(newLine);
      commentable.push(newLine);
      newLine++;
    } else if (marker === ' ' || (marker === undefined && raw !== '')) {
      commentable.push(newLine);
      newLine++;
    } else if (marker === '-' || marker === '\\') {
      // Removed lines have no new-side line; "\ No newline at end of file" is not a line.
    } else if (line === '') {
      // A context line whose only content was stripped by a tool: still a line of the hunk.
      // GitHub never emits it, `git diff` never does either; tolerate a trailing newline.
    } else {
      inHunk = false;
    }
  }
  return { added: spansFromLines(added), commentable: spansFromLines(commentable) };
}

export type DiffStatus = 'added' | 'modified' | 'renamed' | 'removed';

export interface FileDiff {
  readonly path: string;
  /** The path before the change, for renames. */
  readonly previousPath?: string;
  readonly status: DiffStatus;
  readonly binary: boolean;
  readonly lines: PatchLines;
}

/** Parses `git diff` output (any number of files), with `core.quotepath=off` paths. */
export function parseGitDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  const chunks = text.split(/^diff --git /m).slice(1);
  for (const chunk of chunks) {
    const body = chunk.split('\n');
    let oldPath: string | undefined;
    let newPath: string | undefined;
    let status: DiffStatus = 'modified';
    let binary = false;
    let renameFrom: string | undefined;
    let renameTo: string | undefined;
    let hunkStart = body.length;
    for (let i = 1; i < body.length; i++) {
      const line = body[i]!;
      if (line.startsWith('@@')) {
        hunkStart = i;
        break;
      }
      if (line.startsWith('new file mode')) status = 'added';
      else if (line.startsWith('deleted file mode')) status = 'removed';
      else if (line.startsWith('rename from ')) renameFrom = unquote(line.slice('rename from '.length));
      else if (line.startsWith('rename to ')) renameTo = unquote(line.slice('rename to '.length));
      else if (line.startsWith('Binary files ') || line.startsWith('GIT binary patch')) binary = true;
      else if (line.startsWith('--- ')) oldPath = stripPrefix(line.slice(4));
      else if (line.startsWith('+++ ')) newPath = stripPrefix(line.slice(4));
    }
    if (renameTo) status = status === 'modified' ? 'renamed' : status;
    const header = headerPaths(body[0]!);
    const path = newPath ?? renameTo ?? header?.[1];
    const before = oldPath ?? renameFrom ?? header?.[0];
    if (!path && !before) continue;
    const lines = parsePatch(body.slice(hunkStart).join('\n'));
    files.push({
      path: (status === 'removed' ? before : path) ?? before!,
      ...(status === 'renamed' && before ? { previousPath: before } : {}),
      status,
      binary,
      lines,
    });
  }
  return files;
}

function stripPrefix(path: string): string | undefined {
  const p = unquote(path.replace(/\t.*$/, ''));
  if (p === '/dev/null') return undefined;
  return p.replace(/^[abciow]\//, '');
}

/** `a/x b/y` from the `diff --git` line (used when a header has no ---/+++ lines). */
function headerPaths(line: string): [string, string] | undefined {
  const m = /^"?a\/(.+?)"? "?b\/(.+?)"?$/.exec(line.trim());
  return m ? [m[1]!, m[2]!] : undefined;
}

/** Git C-quotes unusual paths ("a\tb"); unquote the common escapes. */
function unquote(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"')) return path;
  return path
    .slice(1, -1)
    .replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    .replace(/\\(["\\tn])/g, (_, c: string) => ({ t: '\t', n: '\n' })[c] ?? c);
}
