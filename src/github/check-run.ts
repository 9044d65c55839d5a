import { batches, type Annotation } from '../report/annotations.js';
import type { GitHub } from './github-types.js';

/**
 * The `Shipgate` check run: created `in_progress` when a webhook arrives, completed by the audit
 * job. A required check left in progress blocks merges forever, so every path ends in `complete`.
 */

export const CHECK_NAME = 'Shipgate';

/** Conclusions Shipgate sets: failure gates the merge; neutral and skipped do not. */
export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'skipped' | 'cancelled';

export interface CheckTarget {
  readonly owner: string;
  readonly repo: string;
  readonly checkRunId: number;
}

export interface CheckResult {
  readonly conclusion: CheckConclusion;
  readonly title: string;
  readonly summary: string;
  readonly annotations?: readonly Annotation[];
}

export async function startCheckRun(octokit: GitHub, at: { owner: string; repo: string; headSha: string }): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    owner: at.owner,
    repo: at.repo,
    name: CHECK_NAME,
    head_sha: at.headSha,
    status: 'in_progress',
    started_at: new Date().toISOString(),
    output: { title: 'Audit in progress', summary: 'Shipgate is reading the lines this pull request changes.' },
  });
  return data.id;
}

/**
 * Completes the check run. GitHub takes at most 50 annotations per request: every batch but the
 * last is sent while the run is still in progress, the last one with the conclusion.
 */
export async function completeCheckRun(octokit: GitHub, at: CheckTarget, result: CheckResult): Promise<void> {
  const title = result.title.slice(0, 255);
  const chunks = batches(result.annotations ?? []);
  const last = chunks.pop() ?? [];
  for (const chunk of chunks) {
    await octokit.rest.checks.update({
      owner: at.owner,
      repo: at.repo,
      check_run_id: at.checkRunId,
      output: { title, summary: result.summary, annotations: chunk },
    });
  }
  await octokit.rest.checks.update({
    owner: at.owner,
    repo: at.repo,
    check_run_id: at.checkRunId,
    status: 'completed',
    conclusion: result.conclusion,
    completed_at: new Date().toISOString(),
    output: { title, summary: result.summary, ...(last.length ? { annotations: last } : {}) },
  });
}
