import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ALL_LINES } from '../diff/changed-lines.js';
import { parseGitDiff } from '../diff/patch.js';
import type { SourceFile } from '../engine/audit.js';
import { MAX_CONTEXT_BYTES, selectContextPaths } from '../engine/context-files.js';
import { languageForPath } from '../engine/languages.js';
import { binaryReason, vendoredReason } from '../engine/paths.js';
import type { SkippedFile } from '../engine/types.js';

/** The files of a local scan, read from disk (and git for `--base`). */
export interface Collected {
  readonly files: SourceFile[];
  readonly skipped: SkippedFile[];
}

/** Directories never worth walking into. */
const PRUNED = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'coverage', '.next', '.venv', 'venv', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache', 'bower_components']);

const MAX_BYTES = 5_000_000;

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-c', 'core.quotepath=off', ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

function isGitRepo(dir: string): boolean {
  try {
    return git(dir, ['rev-parse', '--is-inside-work-tree']).trim() === 'true';
  } catch {
    return false;
  }
}

function walk(root: string, dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!PRUNED.has(entry.name)) walk(root, full, out);
    } else if (entry.isFile()) {
      out.push(relative(root, full).split(sep).join('/'));
    }
  }
}

/** Text content of a file, or the reason it cannot be audited. */
export function readText(bytes: Buffer): { text: string } | { reason: string } {
  if (bytes.length > MAX_BYTES) return { reason: `too large to audit (${Math.round(bytes.length / 1024)} KB)` };
  const binary = binaryReason(bytes);
  if (binary) return { reason: binary };
  return { text: bytes.toString('utf8') };
}

function listPaths(dir: string): string[] {
  if (isGitRepo(dir)) {
    // Tracked and untracked-but-not-ignored files: what a PR of this tree would contain.
    return git(dir, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'])
      .split('\0')
      .filter(Boolean)
      .filter((p) => !p.split('/').some((segment) => PRUNED.has(segment)));
  }
  const out: string[] = [];
  walk(dir, dir, out);
  return out;
}

/** Every auditable file under `dir`, all lines counted as changed. */
export function collectAll(dir: string): Collected {
  const files: SourceFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const path of [...new Set(listPaths(dir))].sort()) {
    if (!languageForPath(path) || vendoredReason(path)) continue;
    const full = join(dir, path);
    if (!existsSync(full) || !statSync(full).isFile()) continue;
    const read = readText(readFileSync(full));
    if ('reason' in read) skipped.push({ path, reason: read.reason });
    else files.push({ path, content: read.text, status: 'added', changed: ALL_LINES });
  }
  return { files, skipped };
}

/** The files changed between `base` and the working tree, with their changed lines and base content. */
export function collectChanged(dir: string, base: string): Collected {
  if (!isGitRepo(dir)) throw new UsageError(`--base needs a git repository, and ${dir} is not one`);
  try {
    git(dir, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
  } catch {
    throw new UsageError(`--base ${base}: no such commit or branch`);
  }
  const diff = git(dir, ['diff', '--no-color', '--no-ext-diff', '-M', '--unified=0', '--relative', base, '--', '.']);
  const files: SourceFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const d of parseGitDiff(diff)) {
    if (d.status === 'removed' || !languageForPath(d.path)) continue;
    if (d.binary) {
      skipped.push({ path: d.path, reason: 'binary file' });
      continue;
    }
    const full = join(dir, d.path);
    if (!existsSync(full)) continue;
    const read = readText(readFileSync(full));
    if ('reason' in read) {
      skipped.push({ path: d.path, reason: read.reason });
      continue;
    }
    let baseContent: string | undefined;
    if (d.status !== 'added') {
      try {
        baseContent = git(dir, ['show', `${base}:./${d.previousPath ?? d.path}`]);
      } catch {
        baseContent = undefined;
      }
    }
    files.push({
      path: d.path,
      content: read.text,
      status: d.status === 'renamed' ? 'renamed' : d.status === 'added' ? 'added' : 'modified',
      changed: d.status === 'added' ? ALL_LINES : d.lines.added,
      ...(baseContent !== undefined ? { baseContent } : {}),
    });
  }
  // Untracked files are part of the working tree's change too.
  const untracked = git(dir, ['ls-files', '-z', '--others', '--exclude-standard', '--', '.']).split('\0').filter(Boolean);
  for (const path of untracked) {
    if (!languageForPath(path) || vendoredReason(path)) continue;
    const read = readText(readFileSync(join(dir, path)));
    if ('reason' in read) skipped.push({ path, reason: read.reason });
    else files.push({ path, content: read.text, status: 'added', changed: ALL_LINES });
  }
  files.push(...contextFiles(dir, files.map((f) => f.path)));
  return { files, skipped };
}

/** Unchanged model/schema/settings files, read for evidence only (no changed lines). */
function contextFiles(dir: string, changedPaths: readonly string[]): SourceFile[] {
  if (changedPaths.length === 0) return [];
  const tracked = git(dir, ['ls-files', '-z', '--', '.']).split('\0').filter(Boolean);
  const out: SourceFile[] = [];
  for (const path of selectContextPaths(tracked, changedPaths)) {
    const full = join(dir, path);
    if (!existsSync(full) || statSync(full).size > MAX_CONTEXT_BYTES) continue;
    const read = readText(readFileSync(full));
    if ('text' in read) out.push({ path, content: read.text, status: 'modified', changed: [], context: true });
  }
  return out;
}

export class UsageError extends Error {}
