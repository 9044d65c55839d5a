import { BullmqJobQueue } from './bullmq-queue.js';
import { SqliteJobQueue } from './sqlite-queue.js';
import type { JobQueue, RetryPolicy } from './types.js';

export * from './types.js';
export { BullmqJobQueue, connectionFromUrl } from './bullmq-queue.js';
export { SqliteJobQueue } from './sqlite-queue.js';

export interface QueueChoice {
  /** Set: BullMQ on this Redis. Unset: the embedded SQLite queue. */
  readonly redisUrl?: string | undefined;
  /** The SQLite file of the embedded queue. */
  readonly dbPath: string;
  readonly name?: string;
  readonly retry?: RetryPolicy;
}

/** The queue a deployment asked for: Redis when REDIS_URL is set, the embedded SQLite file otherwise. */
export function openQueue<T>(choice: QueueChoice): JobQueue<T> {
  const common = { ...(choice.name ? { name: choice.name } : {}), ...(choice.retry ? { retry: choice.retry } : {}) };
  if (choice.redisUrl) return new BullmqJobQueue<T>({ redisUrl: choice.redisUrl, ...common });
  return new SqliteJobQueue<T>({ path: choice.dbPath, ...common });
}
