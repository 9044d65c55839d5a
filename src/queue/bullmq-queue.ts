import { Queue, Worker, type ConnectionOptions, type Job as BullJob } from 'bullmq';
import {
  DEFAULT_RETRY,
  describeError,
  PermanentJobError,
  type Duplicate,
  type EnqueueOptions,
  type EnqueueResult,
  type Job,
  type JobHandler,
  type JobQueue,
  type ProcessOptions,
  type RetryPolicy,
} from './types.js';

/**
 * The scale-out queue: BullMQ on Redis, selected by REDIS_URL. BullMQ gives retries with
 * backoff and re-runs jobs whose worker died (stalled jobs); deduplication is done here with
 * SET NX keys so that it holds across every process sharing the Redis.
 */

export interface BullmqQueueOptions {
  readonly redisUrl: string;
  readonly name?: string;
  readonly retry?: RetryPolicy;
  /** How long a job's lock lives without renewal; a dead worker's job is retried after it. */
  readonly lockMs?: number;
  /** How often workers look for jobs whose lock expired (their worker died). */
  readonly stalledIntervalMs?: number;
  /** How long a delivery id is remembered. */
  readonly deliveryTtlSeconds?: number;
  /** A safety net: an in-flight key outlives no job by more than this. */
  readonly inFlightTtlSeconds?: number;
}

/** `redis://user:pass@host:port/db` → ioredis options; `rediss://` turns TLS on. */
export function connectionFromUrl(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('REDIS_URL must start with redis:// or rediss://');
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis; a bounded retry count would make them give up on a blip.
    maxRetriesPerRequest: null,
  };
}

interface Envelope<T> {
  readonly data: T;
  readonly dedupeKey?: string;
}

export class BullmqJobQueue<T> implements JobQueue<T> {
  private readonly queue: Queue<Envelope<T>>;
  private readonly connection: ConnectionOptions;
  private readonly name: string;
  private readonly retry: RetryPolicy;
  private readonly lockMs: number;
  private readonly stalledIntervalMs: number;
  private readonly deliveryTtl: number;
  private readonly inFlightTtl: number;
  private worker: Worker<Envelope<T>> | undefined;

  constructor(options: BullmqQueueOptions) {
    this.connection = connectionFromUrl(options.redisUrl);
    this.name = options.name ?? 'shipgate-audit';
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.lockMs = options.lockMs ?? 60_000;
    this.stalledIntervalMs = options.stalledIntervalMs ?? 30_000;
    this.deliveryTtl = options.deliveryTtlSeconds ?? 24 * 3600;
    this.inFlightTtl = options.inFlightTtlSeconds ?? 3600;
    this.queue = new Queue<Envelope<T>>(this.name, { connection: this.connection });
  }

  private deliveryKey(id: string): string {
    return `shipgate:${this.name}:delivery:${id}`;
  }

  private inFlightKey(key: string): string {
    return `shipgate:${this.name}:in-flight:${key}`;
  }

  async duplicateOf(options: EnqueueOptions): Promise<Duplicate | undefined> {
    const redis = await this.queue.client;
    if (options.deliveryId && (await redis.exists(this.deliveryKey(options.deliveryId)))) return 'duplicate-delivery';
    if (options.dedupeKey && (await redis.exists(this.inFlightKey(options.dedupeKey)))) return 'in-flight';
    return undefined;
  }

  async enqueue(data: T, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const redis = await this.queue.client;
    const claimed: string[] = [];
    const release = async (): Promise<void> => {
      if (claimed.length) await redis.del(...claimed);
    };
    if (options.deliveryId) {
      const key = this.deliveryKey(options.deliveryId);
      if ((await redis.set(key, '1', 'EX', this.deliveryTtl, 'NX')) !== 'OK') return { accepted: false, reason: 'duplicate-delivery' };
      claimed.push(key);
    }
    if (options.dedupeKey) {
      const key = this.inFlightKey(options.dedupeKey);
      if ((await redis.set(key, '1', 'EX', this.inFlightTtl, 'NX')) !== 'OK') {
        await release();
        return { accepted: false, reason: 'in-flight' };
      }
      claimed.push(key);
    }
    try {
      const job = await this.queue.add(
        'audit',
        { data, ...(options.dedupeKey ? { dedupeKey: options.dedupeKey } : {}) },
        {
          attempts: this.retry.maxAttempts,
          backoff: { type: 'exponential', delay: this.retry.baseDelayMs },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      );
      return { accepted: true, id: String(job.id) };
    } catch (error) {
      await release();
      throw error;
    }
  }

  process(handler: JobHandler<T>, options: ProcessOptions<T> = {}): void {
    if (this.worker) throw new Error('process() was already called on this queue');
    const finalFailures = new Set<string>();
    const concludeOnce = async (bull: BullJob<Envelope<T>>, reason: string): Promise<void> => {
      const id = String(bull.id);
      if (finalFailures.has(id)) return;
      finalFailures.add(id);
      await this.releaseInFlight(bull.data.dedupeKey);
      try {
        await options.onExhausted?.(toJob(bull, this.retry), reason);
      } catch {
        // The hook logs its own failures.
      }
    };
    this.worker = new Worker<Envelope<T>>(
      this.name,
      async (bull) => {
        const job = toJob(bull, this.retry);
        try {
          await handler(job);
        } catch (error) {
          if (error instanceof PermanentJobError) {
            bull.discard();
            await concludeOnce(bull, describeError(error));
          } else if (job.attempt >= job.maxAttempts) {
            await concludeOnce(bull, describeError(error));
          }
          throw error;
        }
        await this.releaseInFlight(bull.data.dedupeKey);
      },
      {
        connection: this.connection,
        concurrency: Math.max(1, options.concurrency ?? 1),
        lockDuration: this.lockMs,
        stalledInterval: this.stalledIntervalMs,
        // A job whose worker died is retried this many times before it fails (and is concluded).
        maxStalledCount: Math.max(1, this.retry.maxAttempts - 1),
        autorun: true,
      },
    );
    // A job that stalled more often than allowed fails without reaching the processor's catch.
    this.worker.on('failed', (bull) => {
      if (!bull) return;
      const exhausted = bull.attemptsMade >= (bull.opts.attempts ?? 1) || bull.failedReason?.includes('stalled');
      if (exhausted) void concludeOnce(bull, bull.failedReason ?? 'failed');
    });
    // Without a listener an 'error' event (a Redis blip) would throw; BullMQ reconnects itself.
    this.worker.on('error', () => undefined);
  }

  private async releaseInFlight(dedupeKey: string | undefined): Promise<void> {
    if (!dedupeKey) return;
    const redis = await this.queue.client;
    await redis.del(this.inFlightKey(dedupeKey));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  /**
   * Simulates a crash for tests: the worker stops without finishing its jobs or renewing their
   * locks, so another worker must pick them up once the locks expire.
   */
  async abandon(): Promise<void> {
    await this.worker?.close(true);
    await this.queue.close();
  }
}

function toJob<T>(bull: BullJob<Envelope<T>>, retry: RetryPolicy): Job<T> {
  return {
    id: String(bull.id),
    data: bull.data.data,
    // attemptsMade counts finished attempts, so the running one is attemptsMade + 1.
    attempt: bull.attemptsMade + 1,
    maxAttempts: bull.opts.attempts ?? retry.maxAttempts,
  };
}
