import { containsLine, firstChangedLineIn, type ChangedLines } from '../diff/changed-lines.js';
import { SEVERITIES, type Finding, type LineSpan } from '../engine/types.js';
import { commentBody, groupedCommentBody, parseFingerprintMarkers } from '../report/markdown.js';
import type { RuleCatalog } from '../report/rule-docs.js';
import type { GitHub, PullRef } from './github-types.js';

/**
 * Inline review comments: which findings get one, where it is anchored, and the replies on
 * comments whose finding is gone. Planning is pure; posting is one review per audit (GitHub
 * limits content-creating requests, so comments are never posted one by one).
 */

/** A rule firing more often than this in one PR gets one comment listing the places. */
export const GROUP_THRESHOLD = 5;
/** Replies marking comments fixed, per audit; the rest wait for the next push. */
export const MAX_FIXED_REPLIES = 20;
const FIXED_MARKER = '<!-- shipgate:fixed -->';

/** A comment as `POST /repos/{owner}/{repo}/pulls/{n}/reviews` takes it. */
export interface ReviewComment {
  readonly path: string;
  readonly line: number;
  readonly side: 'RIGHT';
  readonly start_line?: number;
  readonly start_side?: 'RIGHT';
  readonly body: string;
}

export interface ReviewPlan {
  readonly comments: readonly ReviewComment[];
  /** Findings with a place to be commented but left to annotations by the comment limit. */
  readonly overLimit: readonly Finding[];
  /** Findings on lines GitHub does not show in the diff: annotations only. */
  readonly outsideDiff: readonly Finding[];
  /** Findings that already have a comment from an earlier push. */
  readonly alreadyCommented: readonly Finding[];
}

export interface DiffLines {
  /** Lines the PR added or modified. */
  readonly changed: ChangedLines;
  /** Lines inside a hunk of the diff GitHub shows (added or context). */
  readonly commentable: readonly LineSpan[];
}

function inSpans(spans: readonly LineSpan[], line: number): boolean {
  return containsLine(spans, line);
}

/**
 * Where a comment about `finding` goes: its own line when the PR changed it, else the first
 * changed line inside the finding's span; always a line inside the diff, or nowhere.
 */
export function anchorLine(finding: Finding, diff: DiffLines): number | undefined {
  const span = { start: finding.line, end: Math.max(finding.line, finding.endLine) };
  const candidate = containsLine(diff.changed, finding.line) ? finding.line : firstChangedLineIn(diff.changed, span);
  if (candidate === undefined) return undefined;
  return inSpans(diff.commentable, candidate) ? candidate : undefined;
}

/** The suggestion is kept only when every line it replaces is inside the diff. */
function suggestionFits(finding: Finding, diff: DiffLines): boolean {
  const s = finding.suggestion;
  if (!s) return false;
  for (let line = s.startLine; line <= s.endLine; line++) if (!inSpans(diff.commentable, line)) return false;
  return true;
}

function singleComment(finding: Finding, diff: DiffLines, catalog: RuleCatalog): ReviewComment | undefined {
  if (finding.suggestion && suggestionFits(finding, diff)) {
    const { startLine, endLine } = finding.suggestion;
    const body = commentBody(finding, catalog);
    return startLine < endLine
      ? { path: finding.path, line: endLine, side: 'RIGHT', start_line: startLine, start_side: 'RIGHT', body }
      : { path: finding.path, line: startLine, side: 'RIGHT', body };
  }
  const line = anchorLine(finding, diff);
  if (line === undefined) return undefined;
  const { suggestion: _dropped, ...withoutSuggestion } = finding;
  return { path: finding.path, line, side: 'RIGHT', body: commentBody(withoutSuggestion, catalog) };
}

interface Unit {
  readonly findings: readonly Finding[];
  readonly comment: ReviewComment;
}

const severityRank = (f: Finding): number => SEVERITIES.indexOf(f.severity);

export function planReview(
  findings: readonly Finding[],
  diffs: ReadonlyMap<string, DiffLines>,
  existingFingerprints: ReadonlySet<string>,
  maxComments: number,
  catalog: RuleCatalog,
): ReviewPlan {
  const alreadyCommented: Finding[] = [];
  const outsideDiff: Finding[] = [];
  const placeable: { finding: Finding; diff: DiffLines }[] = [];
  for (const finding of findings) {
    if (finding.preExisting) continue;
    if (existingFingerprints.has(finding.fingerprint)) {
      alreadyCommented.push(finding);
      continue;
    }
    const diff = diffs.get(finding.path);
    if (!diff || anchorLine(finding, diff) === undefined) outsideDiff.push(finding);
    else placeable.push({ finding, diff });
  }

  const byRule = new Map<string, { finding: Finding; diff: DiffLines }[]>();
  for (const p of placeable) {
    const list = byRule.get(p.finding.ruleId) ?? [];
    list.push(p);
    byRule.set(p.finding.ruleId, list);
  }
  const units: Unit[] = [];
  for (const list of byRule.values()) {
    if (list.length > GROUP_THRESHOLD) {
      const first = list[0]!;
      const line = anchorLine(first.finding, first.diff)!;
      units.push({
        findings: list.map((p) => p.finding),
        comment: { path: first.finding.path, line, side: 'RIGHT', body: groupedCommentBody(list.map((p) => p.finding), catalog) },
      });
    } else {
      for (const p of list) {
        const comment = singleComment(p.finding, p.diff, catalog);
        if (comment) units.push({ findings: [p.finding], comment });
      }
    }
  }
  // The most severe findings get the comments when there are more than the limit allows.
  units.sort((a, b) => {
    const fa = a.findings[0]!;
    const fb = b.findings[0]!;
    return severityRank(fa) - severityRank(fb) || (fa.path < fb.path ? -1 : fa.path > fb.path ? 1 : fa.line - fb.line);
  });
  const kept = units.slice(0, Math.max(0, maxComments));
  const overLimit = units.slice(kept.length).flatMap((u) => u.findings);
  // GitHub shows a review's comments in the order sent; file order reads best.
  const comments = kept
    .map((u) => u.comment)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
  return { comments, overLimit, outsideDiff, alreadyCommented };
}

/** A top-level Shipgate comment already on the PR, with the findings it is about. */
export interface ShipgateThread {
  readonly commentId: number;
  readonly path: string;
  readonly fingerprints: readonly string[];
  readonly markedFixed: boolean;
}

interface ListedComment {
  readonly id: number;
  readonly body: string;
  readonly path: string;
  readonly in_reply_to_id?: number | undefined;
  readonly user: { readonly type?: string } | null;
}

/** Shipgate's comments on the PR (a hidden fingerprint marker in a comment by a bot account). */
export async function listShipgateThreads(octokit: GitHub, pr: PullRef): Promise<ShipgateThread[]> {
  const comments = (await octokit.paginate(octokit.rest.pulls.listReviewComments, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.pullNumber,
    per_page: 100,
  })) as ListedComment[];
  return threadsFrom(comments);
}

export function threadsFrom(comments: readonly ListedComment[]): ShipgateThread[] {
  const fixedReplies = new Set<number>();
  for (const c of comments) {
    if (c.in_reply_to_id !== undefined && c.in_reply_to_id !== null && c.body.includes(FIXED_MARKER)) fixedReplies.add(c.in_reply_to_id);
  }
  const threads: ShipgateThread[] = [];
  for (const c of comments) {
    if (c.in_reply_to_id || c.user?.type !== 'Bot') continue;
    const fingerprints = parseFingerprintMarkers(c.body);
    if (fingerprints.length === 0) continue;
    threads.push({ commentId: c.id, path: c.path, fingerprints, markedFixed: fixedReplies.has(c.id) });
  }
  return threads;
}

/**
 * Threads whose findings are all gone from the files this audit read, and that were not marked
 * fixed yet. A file the audit could not read this time proves nothing, so its threads wait.
 */
export function fixedThreads(
  threads: readonly ShipgateThread[],
  currentFingerprints: ReadonlySet<string>,
  unreadPaths: ReadonlySet<string>,
): ShipgateThread[] {
  return threads.filter(
    (t) => !t.markedFixed && !unreadPaths.has(t.path) && t.fingerprints.every((fp) => !currentFingerprints.has(fp)),
  );
}

export function fixedReplyBody(headSha: string): string {
  return `✅ Fixed in ${headSha}.\n${FIXED_MARKER}`;
}

export async function postReview(
  octokit: GitHub,
  pr: PullRef,
  headSha: string,
  comments: readonly ReviewComment[],
  body: string,
): Promise<void> {
  await octokit.rest.pulls.createReview({
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.pullNumber,
    commit_id: headSha,
    event: 'COMMENT',
    body,
    comments: comments.map((c) => ({ ...c })),
  });
}

export async function replyFixed(octokit: GitHub, pr: PullRef, thread: ShipgateThread, headSha: string): Promise<void> {
  await octokit.rest.pulls.createReplyForReviewComment({
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.pullNumber,
    comment_id: thread.commentId,
    body: fixedReplyBody(headSha),
  });
}
