import type { ProbotOctokit } from 'probot';

/** The installation-authenticated client Probot gives; every GitHub call goes through it. */
export type GitHub = ProbotOctokit;

/** A pull request's head commit in one repository. */
export interface PullRef {
  readonly owner: string;
  readonly repo: string;
  readonly pullNumber: number;
}

/** HTTP status of an Octokit RequestError, if the error is one. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
