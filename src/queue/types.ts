/**
 * The audit queue: webhooks enqueue, workers process. Two backends share this contract: the
 * embedded SQLite queue (one process, zero set-up) and BullMQ on Redis (any number of workers).
 *
 * Delivery is at-least-once: a job whose worker dies mid-run is run again once its lease (or
 * BullMQ lock) expires, so handlers must be idempotent (the audit is: re-posting is prevented by
 * fingerprint markers, and the check run is updated, not re-created).
 */

export interface Job<T> {
  readonly id: string;
  readonly data: T;
  /** 1 on the first run, 2 on the first retry, … */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface EnqueueOptions {
  /** GitHub's X-GitHub-Delivery id: a delivery seen before is not enqueued again. */
  readonly deliveryId?: string;
  /** At most one queued or running job per key, e.g. `owner/repo@headSha`. */
  readonly dedupeKey?: string;
}

export type Duplicate = 'duplicate-delivery' | 'in-flight';

export type EnqueueResult = { readonly accepted: true; readonly id: string } | { readonly accepted: false; readonly reason: Duplicate };

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface ProcessOptions<T> {
  /** Jobs run at the same time by this process. */
  readonly concurrency?: number;
  /**
   * Called once when a job has failed its last attempt (or its worker died on it too often), so
   * the caller can conclude what the job was about (a check run must never stay in progress).
   */
  readonly onExhausted?: (job: Job<T>, reason: string) => Promise<void>;
}

export interface JobQueue<T> {
  /** Whether an enqueue with these options would be refused, without enqueuing anything. */
  duplicateOf(options: EnqueueOptions): Promise<Duplicate | undefined>;
  enqueue(data: T, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Starts working; call once per process. */
  process(handler: JobHandler<T>, options?: ProcessOptions<T>): void;
  /** Stops taking jobs, waits for the running ones, releases connections. */
  close(): Promise<void>;
}

/** A failure that retrying cannot fix (a PR that is gone, a 422): the job fails at once. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles on each further retry, capped at `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 60_000 };

/** Exponential backoff with a little jitter, so retries of one outage do not arrive in step. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.9 + 0.2 * random()));
}

/** A short, token-free description of an error for job records and check runs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    const message = error.message.split('\n')[0]!.slice(0, 300);
    return typeof status === 'number' ? `${message} (HTTP ${status})` : message;
  }
  return String(error).slice(0, 300);
}
