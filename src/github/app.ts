import type { Logger } from 'pino';
import type { Probot } from 'probot';
import { loadEngine, type Engine } from '../engine/audit.js';
import { openQueue } from '../queue/index.js';
import { describeError, PermanentJobError, type Job, type JobQueue } from '../queue/types.js';
import { catalogOf } from '../report/rule-docs.js';
import { CHECK_NAME, completeCheckRun, startCheckRun } from './check-run.js';
import { readAppEnv } from './env.js';
import { httpStatus, type GitHub } from './github-types.js';
import {
  checkRunRerequestedEvent,
  checkSuiteRerequestedEvent,
  parsePayload,
  PULL_REQUEST_ACTIONS,
  pullRequestEvent,
} from './payloads.js';
import { auditPullRequest, type AuditJob } from './pr-audit.js';

/**
 * The Probot app: webhooks in, audit jobs out. A webhook is answered within GitHub's 10 s by
 * doing only two things: creating the `Shipgate` check run in progress and enqueuing the job.
 * The audit itself runs from the queue with an installation token of its own.
 */

export interface ShipgateOptions {
  readonly queue: JobQueue<AuditJob>;
  /** Defaults to the process-wide engine with every registered rule. */
  readonly engine?: Engine;
  /** Audit jobs run at the same time in this process. */
  readonly concurrency?: number;
}

/** Where a scheduled audit goes: one pull request at one head commit. */
interface AuditTarget {
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly pullNumber: number;
  readonly headSha: string;
}

/** Failures that another attempt cannot fix: the PR or repository is gone, or GitHub refused the request. */
const PERMANENT_STATUSES = new Set([404, 410, 422]);

export function shipgate(options: ShipgateOptions): (app: Probot) => Promise<void> {
  return async (app: Probot) => {
    const log = app.log.child({ name: 'shipgate' });
    const engine = options.engine ?? (await loadEngine());
    engine.warm({ deferRecompiles: true });
    const catalog = catalogOf(engine.rules);
    const schedule = scheduler(options.queue, log);

    app.on(
      PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const),
      async (context) => {
        const event = parsePayload(pullRequestEvent, context.payload, `pull_request.${context.payload.action}`);
        if (event.pull_request.state !== 'open') return;
        await schedule(
          context.octokit,
          {
            installationId: event.installation.id,
            owner: event.repository.owner.login,
            repo: event.repository.name,
            pullNumber: event.pull_request.number,
            headSha: event.pull_request.head.sha,
          },
          context.id,
        );
      },
    );

    app.on('check_run.rerequested', async (context) => {
      const event = parsePayload(checkRunRerequestedEvent, context.payload, 'check_run.rerequested');
      if (event.check_run.name !== CHECK_NAME) return;
      await rerun(context.octokit, event, event.check_run.head_sha, event.check_run.pull_requests, context.id);
    });

    app.on('check_suite.rerequested', async (context) => {
      const event = parsePayload(checkSuiteRerequestedEvent, context.payload, 'check_suite.rerequested');
      await rerun(context.octokit, event, event.check_suite.head_sha, event.check_suite.pull_requests, context.id);
    });

    /** Re-audits a head commit; fork PRs are not attached to the check, so they are found by head SHA. */
    async function rerun(
      octokit: GitHub,
      event: { installation: { id: number }; repository: { name: string; owner: { login: string } } },
      headSha: string,
      attached: readonly { number: number }[],
      deliveryId: string,
    ): Promise<void> {
      const owner = event.repository.owner.login;
      const repo = event.repository.name;
      const pullNumber = attached[0]?.number ?? (await findOpenPullByHead(octokit, owner, repo, headSha));
      if (pullNumber === undefined) {
        log.info({ repo: `${owner}/${repo}`, head: headSha }, 're-run requested for a commit with no open pull request');
        return;
      }
      await schedule(octokit, { installationId: event.installation.id, owner, repo, pullNumber, headSha }, deliveryId);
    }

    options.queue.process(
      async (job: Job<AuditJob>) => {
        const octokit = await app.auth(job.data.installationId);
        try {
          await auditPullRequest(octokit, job.data, { engine, catalog, log });
        } catch (error) {
          const reason = describeError(error);
          log.warn({ repo: `${job.data.owner}/${job.data.repo}`, pull: job.data.pullNumber, attempt: job.attempt, reason }, 'audit attempt failed');
          const status = httpStatus(error);
          if (status !== undefined && PERMANENT_STATUSES.has(status)) throw new PermanentJobError(reason);
          throw error;
        } finally {
          // Between jobs: the engine's deferred recompiles run here, after this PR's check run is posted.
          engine.idle();
        }
      },
      {
        concurrency: options.concurrency ?? 2,
        // The check must conclude even when the audit cannot: a required check left in progress blocks merges.
        onExhausted: async (job, reason) => {
          try {
            const octokit = await app.auth(job.data.installationId);
            await completeCheckRun(
              octokit,
              { owner: job.data.owner, repo: job.data.repo, checkRunId: job.data.checkRunId },
              {
                conclusion: 'neutral',
                title: 'Audit could not run',
                summary: `Shipgate could not audit this commit after ${job.attempt} attempt(s): ${reason}.\n\nRe-run the check to try again.`,
              },
            );
          } catch (error) {
            log.error({ repo: `${job.data.owner}/${job.data.repo}`, pull: job.data.pullNumber, reason: describeError(error) }, 'could not conclude the check run');
          }
        },
      },
    );
  };
}

/**
 * Creates the check run and enqueues the job, at most once per delivery and once per head commit
 * in flight. Within a process the three steps run under a per-commit lock, so two deliveries for
 * the same commit cannot both create a check run.
 */
function scheduler(queue: JobQueue<AuditJob>, log: Logger) {
  const locks = new Map<string, Promise<void>>();
  return async (octokit: GitHub, target: AuditTarget, deliveryId: string): Promise<void> => {
    const dedupeKey = `${target.owner}/${target.repo}@${target.headSha}`;
    const previous = locks.get(dedupeKey) ?? Promise.resolve();
    const current = previous.then(async () => {
      const duplicate = await queue.duplicateOf({ deliveryId, dedupeKey });
      if (duplicate) {
        log.info({ repo: `${target.owner}/${target.repo}`, pull: target.pullNumber, delivery: deliveryId, duplicate }, 'audit already scheduled');
        return;
      }
      const checkRunId = await startCheckRun(octokit, target);
      const result = await queue.enqueue({ ...target, checkRunId }, { deliveryId, dedupeKey });
      if (!result.accepted) {
        // Another process scheduled this commit between our check and our enqueue. `cancelled`
        // does not satisfy a required check, so a race can never open the gate.
        await completeCheckRun(
          octokit,
          { owner: target.owner, repo: target.repo, checkRunId },
          { conclusion: 'cancelled', title: 'Duplicate audit', summary: 'Another Shipgate audit of this commit was already scheduled; re-run this check if it is the one left.' },
        );
        return;
      }
      log.info({ repo: `${target.owner}/${target.repo}`, pull: target.pullNumber, head: target.headSha, job: result.id }, 'audit queued');
    });
    const settled = current.catch(() => undefined);
    locks.set(dedupeKey, settled);
    void settled.then(() => {
      if (locks.get(dedupeKey) === settled) locks.delete(dedupeKey);
    });
    await current;
  };
}

/** Pages of open pull requests searched for a head SHA: the webhook must be answered within 10 s. */
const MAX_PULL_PAGES = 10;

/**
 * The open pull request whose head is `headSha` (fork PRs are not attached to check suites).
 * Recently updated PRs come first, which is where a re-run commit is.
 */
export async function findOpenPullByHead(octokit: GitHub, owner: string, repo: string, headSha: string): Promise<number | undefined> {
  let found: number | undefined;
  let pages = 0;
  await octokit.paginate(
    octokit.rest.pulls.list,
    { owner, repo, state: 'open', sort: 'updated', direction: 'desc', per_page: 100 },
    (response, done) => {
      const hit = response.data.find((pr) => pr.head.sha === headSha);
      if (hit) found = hit.number;
      if (hit || ++pages >= MAX_PULL_PAGES) done();
      return [];
    },
  );
  return found;
}

/**
 * The app as Probot's `run` or `createNodeMiddleware` loads it, with the queue the environment
 * asks for (SQLite at SHIPGATE_DB_PATH, or BullMQ when REDIS_URL is set).
 */
export default function app(probot: Probot): Promise<void> {
  const env = readAppEnv(process.env);
  const queue = openQueue<AuditJob>({ redisUrl: env.redisUrl, dbPath: env.dbPath });
  return shipgate({ queue, concurrency: env.concurrency })(probot);
}
