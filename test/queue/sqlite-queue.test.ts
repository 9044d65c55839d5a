import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJobQueue } from '../../src/queue/sqlite-queue.js';
import { backoffDelay, PermanentJobError, type Job } from '../../src/queue/types.js';

interface Work {
  readonly n: number;
}

const dirs: string[] = [];
const queues: SqliteJobQueue<Work>[] = [];

function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-queue-'));
  dirs.push(dir);
  return join(dir, 'queue.db');
}

function open(path: string, options: Partial<ConstructorParameters<typeof SqliteJobQueue>[0]> = {}): SqliteJobQueue<Work> {
  const queue = new SqliteJobQueue<Work>({ path, pollMs: 20, retry: { maxAttempts: 3, baseDelayMs: 30, maxDelayMs: 100 }, ...options });
  queues.push(queue);
  return queue;
}

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  for (const q of queues.splice(0)) await q.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SqliteJobQueue', () => {
  it('runs every enqueued job, at most `concurrency` at a time', async () => {
    const queue = open(dbPath());
    const seen: number[] = [];
    let running = 0;
    let peak = 0;
    queue.process(
      async (job) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        seen.push(job.data.n);
        running--;
      },
      { concurrency: 2 },
    );
    for (let n = 1; n <= 6; n++) expect((await queue.enqueue({ n })).accepted).toBe(true);
    await until(() => seen.length === 6);
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
    expect(queue.stats()).toMatchObject({ done: 6, queued: 0, running: 0 });
  });

  it('refuses a delivery id seen before and a second job for a key in flight, and frees the key when done', async () => {
    const queue = open(dbPath());
    expect(await queue.enqueue({ n: 1 }, { deliveryId: 'd1', dedupeKey: 'acme/api@abc' })).toMatchObject({ accepted: true });
    expect(await queue.enqueue({ n: 2 }, { deliveryId: 'd1' })).toEqual({ accepted: false, reason: 'duplicate-delivery' });
    expect(await queue.enqueue({ n: 3 }, { deliveryId: 'd2', dedupeKey: 'acme/api@abc' })).toEqual({ accepted: false, reason: 'in-flight' });
    expect(await queue.duplicateOf({ deliveryId: 'd2', dedupeKey: 'acme/api@abc' })).toBe('in-flight');
    // The refused delivery was not recorded: it can come back once the key is free.
    expect(await queue.duplicateOf({ deliveryId: 'd2' })).toBeUndefined();

    const done: number[] = [];
    queue.process(async (job) => void done.push(job.data.n));
    await until(() => done.length === 1);
    await until(() => queue.stats().done === 1);
    expect(await queue.enqueue({ n: 4 }, { deliveryId: 'd2', dedupeKey: 'acme/api@abc' })).toMatchObject({ accepted: true });
    expect(await queue.duplicateOf({ deliveryId: 'd1' })).toBe('duplicate-delivery');
  });

  it('retries a failing job with backoff and succeeds on a later attempt', async () => {
    const queue = open(dbPath());
    const attempts: { attempt: number; at: number }[] = [];
    queue.process(async (job: Job<Work>) => {
      attempts.push({ attempt: job.attempt, at: Date.now() });
      if (job.attempt < 3) throw new Error('GitHub answered 502');
    });
    const { id } = (await queue.enqueue({ n: 1 })) as { id: string };
    await until(() => queue.inspect(id)?.state === 'done');
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Second retry waits about twice as long as the first (30 ms, 60 ms, ±10 %).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(25);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(50);
    expect(queue.inspect(id)).toMatchObject({ state: 'done', attempts: 3 });
  });

  it('gives up after the last attempt and reports it once', async () => {
    const queue = open(dbPath());
    const exhausted: string[] = [];
    queue.process(
      async () => {
        throw new Error('still broken');
      },
      { onExhausted: async (job, reason) => void exhausted.push(`${job.data.n}:${job.attempt}:${reason}`) },
    );
    const { id } = (await queue.enqueue({ n: 7 })) as { id: string };
    await until(() => exhausted.length === 1);
    expect(exhausted).toEqual(['7:3:still broken']);
    expect(queue.inspect(id)).toMatchObject({ state: 'failed', attempts: 3, lastError: 'still broken' });
  });

  it('does not retry a permanent failure', async () => {
    const queue = open(dbPath());
    const exhausted: number[] = [];
    let calls = 0;
    queue.process(
      async () => {
        calls++;
        throw new PermanentJobError('pull request not found');
      },
      { onExhausted: async (job) => void exhausted.push(job.attempt) },
    );
    await queue.enqueue({ n: 1 });
    await until(() => exhausted.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(1);
    expect(exhausted).toEqual([1]);
  });

  it('runs a job again after a restart when its process died during the run (lease expiry)', async () => {
    const path = dbPath();
    const first = open(path, { leaseMs: 300 });
    let started = false;
    first.process(() => {
      started = true;
      return new Promise<void>(() => undefined); // hangs: the process "dies" below
    });
    const { id } = (await first.enqueue({ n: 42 }, { dedupeKey: 'k' })) as { id: string };
    await until(() => started);
    first.abandon();

    const second = open(path, { leaseMs: 300 });
    const ran: Job<Work>[] = [];
    second.process(async (job) => void ran.push(job));
    await until(() => ran.length === 1);
    expect(ran[0]).toMatchObject({ id, data: { n: 42 }, attempt: 2 });
    await until(() => second.inspect(id)?.state === 'done');
  });

  it('keeps a long job leased while it runs, so no other worker takes it', async () => {
    const path = dbPath();
    const a = open(path, { leaseMs: 150 });
    const b = open(path, { leaseMs: 150 });
    const runs: string[] = [];
    a.process(async () => {
      runs.push('a');
      await new Promise((r) => setTimeout(r, 600));
    });
    await a.enqueue({ n: 1 });
    await until(() => runs.length === 1);
    b.process(async () => void runs.push('b'));
    await until(() => a.stats().done === 1, 3_000);
    expect(runs).toEqual(['a']);
  });

  it('concludes a job whose worker died on every attempt', async () => {
    const path = dbPath();
    const first = open(path, { leaseMs: 200, retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    let started = false;
    first.process(() => {
      started = true;
      return new Promise<void>(() => undefined);
    });
    const { id } = (await first.enqueue({ n: 9 })) as { id: string };
    await until(() => started);
    first.abandon();

    const second = open(path, { leaseMs: 200, retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    const exhausted: string[] = [];
    second.process(async () => undefined, { onExhausted: async (job, reason) => void exhausted.push(`${job.id}:${reason}`) });
    await until(() => exhausted.length === 1);
    expect(exhausted).toEqual([`${id}:the worker stopped during every attempt`]);
    expect(second.inspect(id)?.state).toBe('failed');
  });
});

describe('backoffDelay', () => {
  it('doubles from the base delay, capped, with ±10 % jitter', () => {
    const policy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 5_000 };
    expect(backoffDelay(policy, 1, () => 0.5)).toBe(1_000);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(2_000);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(4_000);
    expect(backoffDelay(policy, 4, () => 0.5)).toBe(5_000);
    expect(backoffDelay(policy, 1, () => 0)).toBe(900);
    expect(backoffDelay(policy, 1, () => 1)).toBe(1_100);
  });
});
