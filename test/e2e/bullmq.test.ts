import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditJob } from '../../src/github/pr-audit.js';
import { BullmqJobQueue } from '../../src/queue/bullmq-queue.js';
import { PermanentJobError, type Job, type RetryPolicy } from '../../src/queue/types.js';
import { clean, leaky, moduleOf } from '../support/pr-fixtures.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { startHarness, type Harness } from '../support/shipgate-harness.js';

/**
 * The scale-out queue against a real redis-server started for this file: deduplication across
 * processes, retries with backoff, jobs of a dead worker picked up by another, and the App
 * end to end on BullMQ.
 */

interface Work {
  readonly n: number;
}

let redis: RedisProcess;
let names = 0;
const open: BullmqJobQueue<unknown>[] = [];

const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 };

function queue<T = Work>(name: string, extra: Partial<ConstructorParameters<typeof BullmqJobQueue>[0]> = {}): BullmqJobQueue<T> {
  const q = new BullmqJobQueue<T>({ redisUrl: redis.url, name, retry: FAST_RETRY, ...extra });
  open.push(q as BullmqJobQueue<unknown>);
  return q;
}

async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  redis = await startRedis();
}, 20_000);

afterEach(async () => {
  for (const q of open.splice(0)) await q.close().catch(() => undefined);
});

afterAll(async () => {
  await redis?.stop();
});

describe('BullmqJobQueue', () => {
  it('deduplicates deliveries and in-flight keys across queue instances, and frees the key when done', async () => {
    const name = `dedupe-${++names}`;
    const a = queue(name);
    const b = queue(name);
    expect(await a.enqueue({ n: 1 }, { deliveryId: 'd1', dedupeKey: 'acme/api@abc' })).toMatchObject({ accepted: true });
    expect(await b.enqueue({ n: 2 }, { deliveryId: 'd1' })).toEqual({ accepted: false, reason: 'duplicate-delivery' });
    expect(await b.enqueue({ n: 3 }, { deliveryId: 'd2', dedupeKey: 'acme/api@abc' })).toEqual({ accepted: false, reason: 'in-flight' });
    expect(await b.duplicateOf({ dedupeKey: 'acme/api@abc' })).toBe('in-flight');
    expect(await b.duplicateOf({ deliveryId: 'd2' })).toBeUndefined();

    const done: number[] = [];
    a.process(async (job) => void done.push(job.data.n));
    await until(() => done.length === 1, 'the job');
    await until(() => false, 'nothing', 200).catch(() => undefined);
    expect(await b.duplicateOf({ dedupeKey: 'acme/api@abc' })).toBeUndefined();
    expect(await b.enqueue({ n: 4 }, { deliveryId: 'd2', dedupeKey: 'acme/api@abc' })).toMatchObject({ accepted: true });
  });

  it('retries a failing job with backoff, and reports a job that fails every attempt once', async () => {
    const name = `retry-${++names}`;
    const q = queue(name);
    const attempts: { n: number; attempt: number; at: number }[] = [];
    const exhausted: string[] = [];
    q.process(
      async (job: Job<Work>) => {
        attempts.push({ n: job.data.n, attempt: job.attempt, at: Date.now() });
        if (job.data.n === 1 && job.attempt < 2) throw new Error('502 from GitHub');
        if (job.data.n === 2) throw new Error('still broken');
        if (job.data.n === 3) throw new PermanentJobError('pull request not found');
      },
      { onExhausted: async (job, reason) => void exhausted.push(`${job.data.n}:${reason}`) },
    );
    await q.enqueue({ n: 1 });
    await q.enqueue({ n: 2 });
    await q.enqueue({ n: 3 });
    await until(() => exhausted.length === 2 && attempts.filter((a) => a.n === 1).length === 2, 'retries and exhaustion');
    expect(attempts.filter((a) => a.n === 1).map((a) => a.attempt)).toEqual([1, 2]);
    expect(attempts.filter((a) => a.n === 2).map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts.filter((a) => a.n === 3).map((a) => a.attempt)).toEqual([1]);
    const two = attempts.filter((a) => a.n === 2);
    expect(two[1]!.at - two[0]!.at).toBeGreaterThanOrEqual(45);
    expect(two[2]!.at - two[1]!.at).toBeGreaterThanOrEqual(90);
    expect(exhausted.sort()).toEqual(['2:still broken', '3:pull request not found']);
  });

  it('runs the job of a worker that died on another worker once its lock expires', async () => {
    const name = `stalled-${++names}`;
    const options = { lockMs: 1_000, stalledIntervalMs: 300 };
    const dying = queue(name, options);
    let started = false;
    dying.process(() => {
      started = true;
      return new Promise<void>(() => undefined);
    });
    await dying.enqueue({ n: 42 }, { dedupeKey: 'k' });
    await until(() => started, 'the first worker to start');
    await dying.abandon();

    const survivor = queue(name, options);
    const ran: Job<Work>[] = [];
    survivor.process(async (job) => void ran.push(job));
    await until(() => ran.length === 1, 'the job to run again', 20_000);
    expect(ran[0]!.data).toEqual({ n: 42 });
  }, 30_000);
});

describe('the App on BullMQ', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('audits a pull request end to end and deduplicates a redelivery', async () => {
    const q = new BullmqJobQueue<AuditJob>({ redisUrl: redis.url, name: `app-${++names}`, retry: FAST_RETRY });
    h = await startHarness({ queue: q });
    const repo = h.standIn.repo('acme', 'scaled');
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });

    await h.deliverPullRequest(pr, 'opened', { deliveryId: 'bull-1' });
    await h.deliverPullRequest(pr, 'opened', { deliveryId: 'bull-1' });
    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('failure');
    expect(h.standIn.checkRunsFor(head)).toHaveLength(1);
    expect(h.standIn.commentsOn(pr).filter((c) => c.body.includes('`secret-in-log`'))).toHaveLength(1);
  }, 60_000);
});
