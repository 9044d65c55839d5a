import { z } from 'zod';

/**
 * The parts of webhook payloads Shipgate reads, validated at the edge: the signature proves a
 * payload came from GitHub, not that it has the shape this code expects (GHES versions differ,
 * fields go missing on edge cases such as deleted forks).
 */

/** SHA-1 object ids today; SHA-256 repositories use 64 hex digits. */
const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a commit SHA');

const installation = z.object({ id: z.number().int().positive() });

const repository = z.object({
  name: z.string().min(1),
  owner: z.object({ login: z.string().min(1) }),
});

export const PULL_REQUEST_ACTIONS = ['opened', 'synchronize', 'reopened', 'ready_for_review'] as const;

export const pullRequestEvent = z.object({
  action: z.enum(PULL_REQUEST_ACTIONS),
  installation,
  repository,
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    draft: z.boolean().optional(),
    head: z.object({ sha }),
    base: z.object({ sha, ref: z.string() }),
  }),
});

/** Pull requests attached to a check run or suite: empty for PRs from forks. */
const attachedPullRequests = z.array(z.object({ number: z.number().int().positive() }));

export const checkRunRerequestedEvent = z.object({
  action: z.literal('rerequested'),
  installation,
  repository,
  check_run: z.object({
    name: z.string(),
    head_sha: sha,
    pull_requests: attachedPullRequests.default([]),
  }),
});

export const checkSuiteRerequestedEvent = z.object({
  action: z.literal('rerequested'),
  installation,
  repository,
  check_suite: z.object({
    head_sha: sha,
    pull_requests: attachedPullRequests.default([]),
  }),
});

export type PullRequestEvent = z.infer<typeof pullRequestEvent>;

/** A payload that does not have the expected shape: answered 400 so it shows in GitHub's delivery log. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
  readonly status = 400;
}

export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown, event: string): z.infer<S> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const where = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.')}: ${i.message}`)
    .join('; ');
  throw new InvalidPayloadError(`${event} payload rejected: ${where}`);
}
