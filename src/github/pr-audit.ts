import type { Logger } from 'pino';
import { CONFIG_PATH, parseConfig, toAuditSettings, type ParsedConfig } from '../config/config.js';
import type { Engine } from '../engine/audit.js';
import type { SkippedFile } from '../engine/types.js';
import { toAnnotations } from '../report/annotations.js';
import { checkTitle, renderCheckSummary } from '../report/markdown.js';
import type { RuleCatalog } from '../report/rule-docs.js';
import { buildReport, type Report } from '../report/scorecard.js';
import { completeCheckRun, type CheckConclusion, type CheckTarget } from './check-run.js';
import { httpStatus, type GitHub, type PullRef } from './github-types.js';
import { collectSourceFiles, fetchBaseContents, fetchContextFiles, fetchFileText, listPullFiles, MAX_PR_FILES } from './pr-files.js';
import {
  fixedThreads,
  listShipgateThreads,
  MAX_FIXED_REPLIES,
  planReview,
  postReview,
  replyFixed,
  type DiffLines,
  type ReviewPlan,
} from './review.js';

/**
 * The audit job: one pull request at one head commit, from the file list to the concluded check
 * run. It is safe to run twice (the queue is at-least-once): comments already posted are found
 * by their fingerprint markers, and the check run is updated, never created here.
 */

export interface AuditJob {
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly pullNumber: number;
  readonly headSha: string;
  readonly checkRunId: number;
}

export interface AuditDeps {
  readonly engine: Engine;
  readonly catalog: RuleCatalog;
  readonly log: Logger;
}

export interface AuditOutcome {
  readonly conclusion: CheckConclusion;
  readonly title: string;
  readonly comments: number;
  readonly fixedReplies: number;
}

const CONFIG_MAX_BYTES = 1024 * 1024;

export async function auditPullRequest(octokit: GitHub, job: AuditJob, deps: AuditDeps): Promise<AuditOutcome> {
  const ref: PullRef = { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber };
  const check: CheckTarget = { owner: job.owner, repo: job.repo, checkRunId: job.checkRunId };
  const conclude = async (conclusion: CheckConclusion, title: string, summary: string): Promise<AuditOutcome> => {
    await completeCheckRun(octokit, check, { conclusion, title, summary });
    return { conclusion, title, comments: 0, fixedReplies: 0 };
  };

  const { data: pr } = await octokit.rest.pulls.get({ owner: job.owner, repo: job.repo, pull_number: job.pullNumber });
  if (pr.state !== 'open') {
    return conclude('neutral', 'Pull request closed', 'The pull request was closed before the audit ran; nothing was audited.');
  }
  if (pr.head.sha !== job.headSha) {
    return conclude(
      'neutral',
      'Superseded by a newer commit',
      `A newer commit (${pr.head.sha}) was pushed before this audit ran; the audit of that commit is the one that counts.`,
    );
  }

  const parsed = await readConfig(octokit, job.owner, job.repo, pr.base.sha, new Set(deps.engine.rules.map((r) => r.meta.id)));
  const { config } = parsed;
  if (pr.draft && config.drafts === 'skip') {
    return conclude(
      'skipped',
      'Draft pull request: not audited',
      `\`${CONFIG_PATH}\` sets \`drafts: skip\`; the audit runs when the pull request is marked ready for review.`,
    );
  }

  const settings = toAuditSettings(config);
  const base = await mergeBase(octokit, job.owner, job.repo, pr.base.sha, pr.head.sha);
  const listing = await listPullFiles(octokit, ref, pr.changed_files);
  const repo = { owner: job.owner, repo: job.repo };
  const collected = await collectSourceFiles(octokit, repo, job.headSha, listing.files, {
    ignorePaths: settings.ignorePaths,
    maxFileBytes: settings.maxFileBytes,
  });
  // Unchanged model/schema/settings files, read for evidence only (no changed lines, no findings).
  const context =
    collected.sources.length > 0
      ? await fetchContextFiles(octokit, repo, job.headSha, listing.files.map((f) => f.filename), settings.maxFileBytes)
      : { sources: [], notes: [] };
  // Base versions are fetched only for files with findings (an API call per file saved
  // elsewhere); the engine then reads only those again, and marks the findings already there
  // as pre-existing.
  const result = await deps.engine.auditAsync([...collected.sources, ...context.sources], settings, {
    baseContents: async (paths) => {
      const needBase = new Map<string, string>();
      for (const path of paths) {
        const basePath = collected.basePaths.get(path);
        if (basePath !== undefined) needBase.set(path, basePath);
      }
      return needBase.size > 0 ? fetchBaseContents(octokit, repo, base, needBase, settings.maxFileBytes) : new Map<string, string>();
    },
  });
  const report = buildReport(result.findings, config.failOn);
  const skipped: SkippedFile[] = [...collected.skipped, ...result.skipped];
  const notes = [...collected.notes, ...context.notes];
  if (listing.truncated) {
    notes.push(`This pull request changes ${pr.changed_files} files; GitHub lists only the first ${MAX_PR_FILES}, and only those were audited.`);
  }
  for (const error of result.errors) notes.push(error);

  // Review comments: new findings without a comment yet, inside the diff, up to the limit.
  const threads = await listShipgateThreads(octokit, ref);
  const commented = new Set(threads.flatMap((t) => t.fingerprints));
  const diffs = new Map<string, DiffLines>();
  for (const [path, changed] of collected.changed) diffs.set(path, { changed, commentable: collected.commentable.get(path) ?? [] });
  const plan = planReview(report.newFindings, diffs, commented, config.maxComments, deps.catalog);
  let posted = 0;
  if (plan.comments.length > 0) {
    // A push while this audit ran makes its comments stale, and the newer audit may be reading
    // the comment list right now: leave the commenting to it.
    const { data: latest } = await octokit.rest.pulls.get({ owner: job.owner, repo: job.repo, pull_number: job.pullNumber });
    if (latest.head.sha !== job.headSha) {
      return conclude(
        'neutral',
        'Superseded by a newer commit',
        `A newer commit (${latest.head.sha}) was pushed while this audit ran; the audit of that commit is the one that counts.`,
      );
    }
    try {
      await postReview(octokit, ref, job.headSha, plan.comments, reviewBody(report, plan));
      posted = plan.comments.length;
    } catch (error) {
      // 422: GitHub refused a comment's place. Retrying cannot fix it; the annotations still carry every finding.
      if (httpStatus(error) !== 422) throw error;
      notes.push(`The inline comments could not be posted (GitHub answered: ${(error as Error).message.split('\n')[0]}); every finding is in the annotations.`);
    }
  }
  if (plan.overLimit.length > 0) {
    notes.push(`${plan.overLimit.length} more finding(s) are shown as annotations only: this audit reached its limit of ${config.maxComments} inline comments.`);
  }

  // Comments whose finding is gone get one "fixed" reply.
  const current = new Set(result.findings.map((f) => f.fingerprint));
  const unread = new Set(skipped.filter((s) => s.reason !== 'removed in this pull request').map((s) => s.path));
  if (listing.truncated) {
    const listed = new Set(listing.files.map((f) => f.filename));
    for (const t of threads) if (!listed.has(t.path)) unread.add(t.path);
  }
  const fixed = fixedThreads(threads, current, unread).slice(0, MAX_FIXED_REPLIES);
  for (const thread of fixed) await replyFixed(octokit, ref, thread, job.headSha);

  const nothingAuditable = result.auditedFiles === 0 && result.findings.length === 0;
  if (nothingAuditable) notes.unshift('Nothing in this pull request is code or configuration that Shipgate audits.');
  const conclusion: CheckConclusion =
    report.verdict === 'NO-GO' ? 'failure' : listing.truncated ? 'neutral' : 'success';
  const title = nothingAuditable ? 'GO: nothing to audit' : checkTitle(report);
  const summary = renderCheckSummary(report, {
    skipped,
    configErrors: parsed.errors,
    notes,
    auditedFiles: result.auditedFiles,
  });
  await completeCheckRun(octokit, check, { conclusion, title, summary, annotations: toAnnotations(report.newFindings, deps.catalog) });
  deps.log.info(
    {
      repo: `${job.owner}/${job.repo}`,
      pull: job.pullNumber,
      head: job.headSha,
      verdict: report.verdict,
      files: collected.sources.length,
      contextFiles: context.sources.length,
      findings: report.newFindings.length,
      comments: posted,
      fixed: fixed.length,
    },
    'audit concluded',
  );
  return { conclusion, title, comments: posted, fixedReplies: fixed.length };
}

function reviewBody(report: Report, plan: ReviewPlan): string {
  const n = plan.comments.length;
  const lines = [`**Shipgate: ${report.verdict}.** ${n} inline comment${n === 1 ? '' : 's'} on the lines this push changed.`];
  const elsewhere = plan.overLimit.length + plan.outsideDiff.length;
  if (elsewhere > 0) lines.push(`${elsewhere} more finding(s) are in the annotations of the **Shipgate** check.`);
  lines.push('The **Shipgate** check has the full report: verdict, severity table and scorecard.');
  return lines.join('\n\n');
}

/** `.github/shipgate.yml` from the base branch; a PR cannot relax its own gate. */
async function readConfig(octokit: GitHub, owner: string, repo: string, baseSha: string, ruleIds: ReadonlySet<string>): Promise<ParsedConfig> {
  const file = await fetchFileText(octokit, { owner, repo, path: CONFIG_PATH, ref: baseSha }, CONFIG_MAX_BYTES);
  if (file.kind === 'missing') return parseConfig(undefined, ruleIds);
  if (file.kind === 'skip') {
    const defaults = parseConfig(undefined, ruleIds);
    return { config: defaults.config, errors: [`${CONFIG_PATH} could not be read (${file.reason}); using the defaults`] };
  }
  return parseConfig(file.text, ruleIds);
}

/**
 * The commit the PR's diff is computed from. Base contents come from there, so a finding counts as
 * pre-existing only when the code was already there when the branch forked.
 */
async function mergeBase(octokit: GitHub, owner: string, repo: string, baseSha: string, headSha: string): Promise<string> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${baseSha}...${headSha}`, per_page: 1 });
    return data.merge_base_commit.sha;
  } catch (error) {
    const status = httpStatus(error);
    if (status !== undefined && status >= 400 && status < 500) return baseSha;
    throw error;
  }
}
