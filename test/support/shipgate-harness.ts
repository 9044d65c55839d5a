import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShipgate, type RunningShipgate } from '../../src/github/server.js';
import type { AuditJob } from '../../src/github/pr-audit.js';
import { SqliteJobQueue } from '../../src/queue/sqlite-queue.js';
import type { JobQueue, RetryPolicy } from '../../src/queue/types.js';
import { GitHubStandIn, type PullRequestModel, type RepoModel, type StandInOptions } from './github-stand-in.js';

/**
 * The real App (Probot server, webhook signature verification, queue, worker) started on a free
 * 127.0.0.1 port against a GitHub stand-in, with a key pair made for the run. End-to-end tests
 * and the benchmark drive it by delivering signed webhooks.
 */

export const TEST_APP_ID = '4242';

export interface HarnessOptions {
  /** A queue to use instead of a fresh SQLite file (e.g. BullMQ). */
  readonly queue?: JobQueue<AuditJob>;
  /** SQLite file of the default queue; a temporary one when unset. */
  readonly dbPath?: string;
  readonly retry?: RetryPolicy;
  readonly leaseMs?: number;
  readonly intercept?: StandInOptions['intercept'];
  readonly hold?: StandInOptions['hold'];
  readonly env?: Readonly<Record<string, string>>;
  /** Octokit's write pacing (1 s between writes, 3 s between comment-creating writes); on unless false. */
  readonly throttle?: boolean;
}

export interface DeliveryResult {
  readonly status: number;
  readonly body: string;
  readonly deliveryId: string;
}

export interface Harness {
  readonly standIn: GitHubStandIn;
  readonly app: RunningShipgate;
  readonly queue: JobQueue<AuditJob>;
  readonly secret: string;
  readonly dbPath: string;
  deliver(event: string, payload: unknown, options?: { deliveryId?: string; secret?: string; signature?: string }): Promise<DeliveryResult>;
  /** Delivers `pull_request.<action>` for `pr` as GitHub would. */
  deliverPullRequest(pr: PullRequestModel, action?: string, options?: { deliveryId?: string; secret?: string }): Promise<DeliveryResult>;
  /** Stops the App (letting audits finish) and the stand-in; removes temporary files. */
  close(): Promise<void>;
  /** Stops only the App, so a new one can be started on the same queue file. */
  stopApp(): Promise<void>;
  /** Starts a new App on the same queue file and stand-in, as after a process restart. */
  restartApp(): Promise<void>;
  /**
   * Resolves once no job is queued or running. A check run is concluded a moment before its job
   * is marked done, and a delivery for the same commit in that moment is (rightly) deduplicated.
   */
  idle(timeoutMs?: number): Promise<void>;
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function repositoryPayload(repo: RepoModel): Record<string, unknown> {
  return { name: repo.name, full_name: `${repo.owner}/${repo.name}`, owner: { login: repo.owner, type: 'Organization' }, private: true };
}

export function pullRequestPayload(pr: PullRequestModel, action: string, installationId: number): Record<string, unknown> {
  const repository = { name: pr.repo, full_name: `${pr.owner}/${pr.repo}`, owner: { login: pr.owner, type: 'Organization' }, private: true };
  return {
    action,
    number: pr.number,
    pull_request: {
      number: pr.number,
      state: pr.state,
      draft: pr.draft,
      title: `PR ${pr.number}`,
      head: { sha: pr.headSha, ref: pr.headRef, repo: repository },
      base: { sha: pr.baseSha, ref: pr.baseRef, repo: repository },
      user: { login: 'octocat', type: 'User' },
    },
    repository,
    installation: { id: installationId },
    sender: { login: 'octocat', type: 'User' },
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const standIn = await GitHubStandIn.start({
    appId: TEST_APP_ID,
    publicKey: createPublicKey(keys.publicKey),
    ...(options.intercept ? { intercept: options.intercept } : {}),
    ...(options.hold ? { hold: options.hold } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-e2e-'));
  const dbPath = options.dbPath ?? join(dir, 'queue.db');
  const secret = randomBytes(16).toString('hex');
  const env: NodeJS.ProcessEnv = {
    APP_ID: TEST_APP_ID,
    PRIVATE_KEY: keys.privateKey,
    WEBHOOK_SECRET: secret,
    GHE_HOST: standIn.host,
    GHE_PROTOCOL: 'http',
    SHIPGATE_DB_PATH: dbPath,
    SHIPGATE_CONCURRENCY: '2',
    LOG_LEVEL: (process.env.SHIPGATE_TEST_LOG_LEVEL ?? 'silent') as NodeJS.ProcessEnv['LOG_LEVEL'],
    LOG_FORMAT: 'json',
    NODE_ENV: 'test',
    ...options.env,
  };
  const retry = options.retry ?? { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 };
  const makeQueue = (): JobQueue<AuditJob> =>
    options.queue ?? new SqliteJobQueue<AuditJob>({ path: dbPath, retry, leaseMs: options.leaseMs ?? 5_000, pollMs: 50 });

  let queue = makeQueue();
  let app = await startShipgate({ env, port: 0, host: '127.0.0.1', queue, ...(options.throttle === false ? { throttle: false } : {}) });

  const deliver: Harness['deliver'] = async (event, payload, opts = {}) => {
    const body = JSON.stringify(payload);
    const deliveryId = opts.deliveryId ?? randomUUID();
    const response = await fetch(app.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': deliveryId,
        'x-hub-signature-256': opts.signature ?? signature(opts.secret ?? secret, body),
        'user-agent': 'GitHub-Hookshot/stand-in',
      },
      body,
    });
    return { status: response.status, body: await response.text(), deliveryId };
  };

  const harness: Harness = {
    standIn,
    get app() {
      return app;
    },
    get queue() {
      return queue;
    },
    secret,
    dbPath,
    deliver,
    deliverPullRequest: (pr, action = 'opened', opts = {}) =>
      deliver('pull_request', pullRequestPayload(pr, action, standIn.installationId), opts),
    stopApp: () => app.close(),
    idle: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const q = queue as { stats?: () => { queued: number; running: number } };
        const stats = q.stats?.();
        if (!stats || stats.queued + stats.running === 0) return;
        if (Date.now() > deadline) throw new Error('the queue did not become idle');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    restartApp: async () => {
      queue = makeQueue();
      app = await startShipgate({ env, port: 0, host: '127.0.0.1', queue, ...(options.throttle === false ? { throttle: false } : {}) });
    },
    close: async () => {
      await app.close();
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
