import picomatch from 'picomatch';
import { ALL_LINES, type ChangedLines } from '../diff/changed-lines.js';
import { parsePatch } from '../diff/patch.js';
import type { SourceFile } from '../engine/audit.js';
import { MAX_CONTEXT_BYTES, selectContextPaths } from '../engine/context-files.js';
import { languageForPath } from '../engine/languages.js';
import { binaryReason, generatedPathReason, vendoredReason } from '../engine/paths.js';
import type { FileStatus, LineSpan, SkippedFile } from '../engine/types.js';
import { httpStatus, type GitHub, type PullRef } from './github-types.js';

/**
 * A PR's files as the engine reads them: the file list (paginated, GitHub stops at 3000), each
 * patch turned into changed lines, head and base contents fetched. Files that cannot or should
 * not be audited are skipped with a reason the check summary shows.
 */

/** GitHub lists at most 3000 files of a pull request. */
export const MAX_PR_FILES = 3000;
const FETCH_CONCURRENCY = 8;

/** One entry of `GET /repos/{owner}/{repo}/pulls/{n}/files`. */
export interface PullFile {
  readonly filename: string;
  readonly status: string;
  readonly sha: string | null;
  readonly additions: number;
  readonly deletions: number;
  readonly changes: number;
  readonly patch?: string | undefined;
  readonly previous_filename?: string | undefined;
}

export interface PullFileList {
  readonly files: readonly PullFile[];
  /** More files than GitHub lists: the audit saw only the first 3000. */
  readonly truncated: boolean;
}

export async function listPullFiles(octokit: GitHub, pr: PullRef, changedFiles?: number): Promise<PullFileList> {
  let seen = 0;
  const files = await octokit.paginate(
    octokit.rest.pulls.listFiles,
    { owner: pr.owner, repo: pr.repo, pull_number: pr.pullNumber, per_page: 100 },
    (response, done) => {
      seen += response.data.length;
      if (seen >= MAX_PR_FILES) done();
      return response.data;
    },
  );
  const listed = files.slice(0, MAX_PR_FILES) as PullFile[];
  return { files: listed, truncated: (changedFiles ?? listed.length) > listed.length || seen > MAX_PR_FILES };
}

/** What to do with one listed file, decided from the listing alone (before any download). */
export type FilePlan =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'skip'; readonly skipped: SkippedFile }
  | {
      readonly kind: 'audit';
      readonly path: string;
      readonly status: FileStatus;
      /** Where the file was on the base side, for modified and renamed files. */
      readonly basePath: string | undefined;
      readonly changed: ChangedLines;
      /** Lines a review comment may be placed on (inside a hunk of the diff GitHub shows). */
      readonly commentable: readonly LineSpan[];
      /** GitHub sent no patch (diff too large): every line is audited, findings go to annotations. */
      readonly wholeFile: boolean;
    };

export function planFile(file: PullFile, ignored: ((path: string) => boolean) | undefined): FilePlan {
  const path = file.filename;
  // Files no rule reads (images, Markdown, lockfiles) are not worth a line in the summary.
  if (!languageForPath(path)) return { kind: 'ignore' };
  if (file.status === 'removed') return { kind: 'skip', skipped: { path, reason: 'removed in this pull request' } };
  if (file.status === 'unchanged') return { kind: 'ignore' };
  const reason = (ignored?.(path) ? 'ignored by config' : undefined) ?? vendoredReason(path) ?? generatedPathReason(path);
  if (reason) return { kind: 'skip', skipped: { path, reason } };

  const status: FileStatus = file.status === 'added' ? 'added' : file.status === 'renamed' ? 'renamed' : 'modified';
  const basePath = status === 'added' ? undefined : (file.previous_filename ?? path);
  if (file.patch === undefined) {
    // No patch and no line counts: a binary file or a pure rename; with counts: a diff too large to show.
    if (file.changes === 0 && file.additions === 0 && file.deletions === 0) {
      return status === 'renamed' ? { kind: 'ignore' } : { kind: 'skip', skipped: { path, reason: 'binary file' } };
    }
    return { kind: 'audit', path, status, basePath, changed: ALL_LINES, commentable: [], wholeFile: true };
  }
  const lines = parsePatch(file.patch);
  if (lines.added.length === 0) return { kind: 'ignore' };
  const changed = status === 'added' ? ALL_LINES : lines.added;
  return { kind: 'audit', path, status, basePath, changed, commentable: lines.commentable, wholeFile: false };
}

export type FileContent =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'missing' };

/** A file's text at a commit: the contents API, the blob API for files over 1 MB, refused above `maxBytes`. */
export async function fetchFileText(
  octokit: GitHub,
  at: { owner: string; repo: string; path: string; ref: string },
  maxBytes: number,
): Promise<FileContent> {
  let data: unknown;
  try {
    ({ data } = await octokit.rest.repos.getContent({ owner: at.owner, repo: at.repo, path: at.path, ref: at.ref }));
  } catch (error) {
    if (httpStatus(error) === 404) return { kind: 'missing' };
    throw error;
  }
  if (Array.isArray(data) || typeof data !== 'object' || data === null || (data as { type?: string }).type !== 'file') {
    return { kind: 'skip', reason: 'not a regular file (symlink or submodule)' };
  }
  const file = data as { size: number; sha: string; content?: string; encoding?: string };
  if (file.size > maxBytes) {
    return { kind: 'skip', reason: `too large to audit (${Math.round(file.size / 1024)} KB, limit ${Math.round(maxBytes / 1024)} KB)` };
  }
  let base64 = '';
  const inline = file.encoding === 'base64' && file.content !== undefined && file.content !== '';
  if (inline) {
    base64 = file.content!;
  } else if (file.size > 0) {
    // Over 1 MB the contents API answers `encoding: none` and no content.
    const { data: blob } = await octokit.rest.git.getBlob({ owner: at.owner, repo: at.repo, file_sha: file.sha });
    if (blob.encoding !== 'base64') return { kind: 'skip', reason: `unexpected blob encoding ${blob.encoding}` };
    base64 = blob.content;
  }
  const bytes = Buffer.from(base64, 'base64');
  const binary = binaryReason(bytes);
  if (binary) return { kind: 'skip', reason: binary };
  return { kind: 'text', text: bytes.toString('utf8') };
}

export interface CollectedFiles {
  /** Head contents; base contents are attached later, only where a finding needs them. */
  readonly sources: SourceFile[];
  readonly skipped: SkippedFile[];
  /** Per audited path: lines a review comment may be placed on. */
  readonly commentable: ReadonlyMap<string, readonly LineSpan[]>;
  /** Per audited path: lines the PR added or modified. */
  readonly changed: ReadonlyMap<string, ChangedLines>;
  /** Per modified or renamed path: where the file was on the base side. */
  readonly basePaths: ReadonlyMap<string, string>;
  readonly notes: string[];
}

/** Downloads the head contents of every file worth auditing. */
export async function collectSourceFiles(
  octokit: GitHub,
  repo: { owner: string; repo: string },
  headSha: string,
  files: readonly PullFile[],
  options: { ignorePaths: readonly string[]; maxFileBytes: number },
): Promise<CollectedFiles> {
  const ignored = options.ignorePaths.length ? picomatch([...options.ignorePaths], { dot: true }) : undefined;
  const skipped: SkippedFile[] = [];
  const notes: string[] = [];
  const plans: Extract<FilePlan, { kind: 'audit' }>[] = [];
  for (const file of files) {
    const plan = planFile(file, ignored);
    if (plan.kind === 'skip') skipped.push(plan.skipped);
    else if (plan.kind === 'audit') plans.push(plan);
  }

  const fetched = await mapLimit(plans, FETCH_CONCURRENCY, async (plan) => ({
    plan,
    head: await fetchFileText(octokit, { ...repo, path: plan.path, ref: headSha }, options.maxFileBytes),
  }));

  const sources: SourceFile[] = [];
  const commentable = new Map<string, readonly LineSpan[]>();
  const changed = new Map<string, ChangedLines>();
  const basePaths = new Map<string, string>();
  for (const { plan, head } of fetched) {
    if (head.kind === 'missing') {
      skipped.push({ path: plan.path, reason: 'not found at the head commit' });
      continue;
    }
    if (head.kind === 'skip') {
      skipped.push({ path: plan.path, reason: head.reason });
      continue;
    }
    if (plan.wholeFile) {
      notes.push(`\`${plan.path}\`: the diff is too large for GitHub to show, so every line was audited and findings appear as annotations only`);
    }
    sources.push({ path: plan.path, content: head.text, status: plan.status, changed: plan.changed });
    commentable.set(plan.path, plan.commentable);
    changed.set(plan.path, plan.changed);
    if (plan.basePath !== undefined) basePaths.set(plan.path, plan.basePath);
  }
  return { sources, skipped, commentable, changed, basePaths, notes };
}

/**
 * Base contents of the given head paths (read from their base-side paths), for telling new
 * findings from pre-existing ones. Files missing, binary or too large at base are left out:
 * their findings count as new.
 */
export async function fetchBaseContents(
  octokit: GitHub,
  repo: { owner: string; repo: string },
  baseSha: string,
  paths: ReadonlyMap<string, string>,
  maxFileBytes: number,
): Promise<Map<string, string>> {
  const entries = [...paths];
  const texts = await mapLimit(entries, FETCH_CONCURRENCY, ([, basePath]) =>
    fetchFileText(octokit, { ...repo, path: basePath, ref: baseSha }, maxFileBytes),
  );
  const out = new Map<string, string>();
  entries.forEach(([path], i) => {
    const text = texts[i]!;
    if (text.kind === 'text') out.set(path, text.text);
  });
  return out;
}

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface ContextFiles {
  /** Unchanged files read for evidence only: no changed lines, never skipped, commented or counted. */
  readonly sources: SourceFile[];
  readonly notes: string[];
}

/**
 * The head commit's model/schema/settings files the PR does not change, so a one-route change
 * is judged against the schema it queries (the CLI reads the same files from the work tree).
 * One trees call lists the head commit; a truncated listing (huge repositories) is used as far
 * as it goes. Failing to read context never fails the audit: it only costs evidence.
 */
export async function fetchContextFiles(
  octokit: GitHub,
  repo: { owner: string; repo: string },
  headSha: string,
  changedPaths: readonly string[],
  maxFileBytes: number,
): Promise<ContextFiles> {
  if (changedPaths.length === 0) return { sources: [], notes: [] };
  const maxBytes = Math.min(maxFileBytes, MAX_CONTEXT_BYTES);
  let entries: readonly { path?: string; type?: string; size?: number }[];
  try {
    const { data } = await octokit.rest.git.getTree({ owner: repo.owner, repo: repo.repo, tree_sha: headSha, recursive: '1' });
    entries = data.tree;
  } catch (error) {
    return { sources: [], notes: [`Unchanged model and schema files could not be listed (${contextFailure(error)}); rules that read them judged this change on its own.`] };
  }
  const blobs = entries.filter(
    (e): e is { path: string; type: string; size?: number } =>
      e.type === 'blob' && typeof e.path === 'string' && (e.size === undefined || e.size <= maxBytes),
  );
  const paths = selectContextPaths(blobs.map((e) => e.path), changedPaths);
  let failed = 0;
  const texts = await mapLimit(paths, FETCH_CONCURRENCY, async (path) => {
    try {
      return await fetchFileText(octokit, { ...repo, path, ref: headSha }, maxBytes);
    } catch {
      failed++;
      return undefined;
    }
  });
  const sources: SourceFile[] = [];
  paths.forEach((path, i) => {
    const text = texts[i];
    if (text?.kind === 'text') sources.push({ path, content: text.text, status: 'modified', changed: [], context: true });
  });
  const notes = failed > 0 ? [`${failed} unchanged model or schema file(s) could not be read; rules that read them judged this change without them.`] : [];
  return { sources, notes };
}

function contextFailure(error: unknown): string {
  const status = httpStatus(error);
  return status !== undefined ? `GitHub answered ${status}` : (error as Error).message.split('\n')[0]!;
}
