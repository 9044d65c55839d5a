import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  backoffDelay,
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
 * The embedded queue: one SQLite file, WAL mode. A worker claims a job by setting a lease; while
 * the job runs the lease is renewed, and a job whose lease ran out (its process died) is claimed
 * again, which is what makes delivery at-least-once across restarts.
 */

export interface SqliteQueueOptions {
  /** A file path, or `:memory:` for a queue that dies with the process. */
  readonly path: string;
  /** Several queues can share one file. */
  readonly name?: string;
  readonly retry?: RetryPolicy;
  /** How long a claimed job stays claimed without a heartbeat. */
  readonly leaseMs?: number;
  /** How often an idle worker looks for due jobs (enqueues in this process wake it at once). */
  readonly pollMs?: number;
  /** How long delivery ids and finished jobs are kept. */
  readonly retentionMs?: number;
  readonly now?: () => number;
}

interface JobRow {
  id: number;
  data: string;
  attempts: number;
  max_attempts: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  queue        TEXT    NOT NULL,
  data         TEXT    NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_after    INTEGER NOT NULL,
  lease_until  INTEGER,
  lease_owner  TEXT,
  dedupe_key   TEXT,
  delivery_id  TEXT,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (queue, state, run_after);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_in_flight ON jobs (queue, dedupe_key)
  WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
CREATE TABLE IF NOT EXISTS deliveries (
  queue   TEXT    NOT NULL,
  id      TEXT    NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (queue, id)
);
`;

export class SqliteJobQueue<T> implements JobQueue<T> {
  private readonly db: Database.Database;
  private readonly name: string;
  private readonly retry: RetryPolicy;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly owner = randomUUID();
  private readonly running = new Set<Promise<void>>();
  private handler: JobHandler<T> | undefined;
  private options: ProcessOptions<T> = {};
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private pumping = false;
  private lastPrune = 0;

  constructor(options: SqliteQueueOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.name = options.name ?? 'audit';
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 500;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  async duplicateOf(options: EnqueueOptions): Promise<Duplicate | undefined> {
    return this.duplicateNow(options);
  }

  private duplicateNow(options: EnqueueOptions): Duplicate | undefined {
    if (options.deliveryId) {
      const seen = this.db.prepare('SELECT 1 FROM deliveries WHERE queue = ? AND id = ?').get(this.name, options.deliveryId);
      if (seen) return 'duplicate-delivery';
    }
    if (options.dedupeKey) {
      const busy = this.db
        .prepare(`SELECT 1 FROM jobs WHERE queue = ? AND dedupe_key = ? AND state IN ('queued', 'running')`)
        .get(this.name, options.dedupeKey);
      if (busy) return 'in-flight';
    }
    return undefined;
  }

  async enqueue(data: T, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const result = this.db.transaction((): EnqueueResult => {
      const duplicate = this.duplicateNow(options);
      if (duplicate) return { accepted: false, reason: duplicate };
      const now = this.now();
      if (options.deliveryId) {
        this.db.prepare('INSERT INTO deliveries (queue, id, seen_at) VALUES (?, ?, ?)').run(this.name, options.deliveryId, now);
      }
      const info = this.db
        .prepare(
          `INSERT INTO jobs (queue, data, state, attempts, max_attempts, run_after, dedupe_key, delivery_id, created_at, updated_at)
           VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?)`,
        )
        .run(this.name, JSON.stringify(data), this.retry.maxAttempts, now, options.dedupeKey ?? null, options.deliveryId ?? null, now, now);
      return { accepted: true, id: String(info.lastInsertRowid) };
    }).immediate();
    if (result.accepted) this.wake();
    return result;
  }

  process(handler: JobHandler<T>, options: ProcessOptions<T> = {}): void {
    if (this.handler) throw new Error('process() was already called on this queue');
    this.handler = handler;
    this.options = options;
    this.wake();
  }

  /** Counts by state, for tests and health checks. */
  stats(): Record<'queued' | 'running' | 'done' | 'failed', number> {
    const out = { queued: 0, running: 0, done: 0, failed: 0 };
    const rows = this.db.prepare('SELECT state, COUNT(*) AS n FROM jobs WHERE queue = ? GROUP BY state').all(this.name) as {
      state: keyof typeof out;
      n: number;
    }[];
    for (const row of rows) out[row.state] = row.n;
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
    if (this.db.open) this.db.close();
  }

  /** Attempts and state of a job, for tests and operators. */
  inspect(id: string): { state: string; attempts: number; lastError: string | null } | undefined {
    const row = this.db.prepare('SELECT state, attempts, last_error FROM jobs WHERE id = ?').get(Number(id)) as
      | { state: string; attempts: number; last_error: string | null }
      | undefined;
    return row ? { state: row.state, attempts: row.attempts, lastError: row.last_error } : undefined;
  }

  /**
   * Simulates a crash for tests: stops without finishing or releasing running jobs, so their
   * leases must expire before another process picks them up.
   */
  abandon(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.running.clear();
    if (this.db.open) this.db.close();
  }

  private wake(): void {
    if (this.closed || !this.handler) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), 0);
  }

  private pump(): void {
    if (this.closed || !this.handler || this.pumping) return;
    this.pumping = true;
    try {
      this.failExhaustedLeases();
      this.prune();
      const concurrency = Math.max(1, this.options.concurrency ?? 1);
      while (this.running.size < concurrency) {
        const row = this.claim();
        if (!row) break;
        const run = this.run(row).finally(() => {
          this.running.delete(run);
          this.wake();
        });
        this.running.add(run);
      }
    } finally {
      this.pumping = false;
    }
    if (!this.closed) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pump(), this.pollMs);
      this.timer.unref();
    }
  }

  /** A due queued job, or a running one whose worker stopped renewing its lease. */
  private claim(): JobRow | undefined {
    const now = this.now();
    return this.db
      .prepare(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?, lease_owner = ?, updated_at = ?
         WHERE id = (
           SELECT id FROM jobs
           WHERE queue = ? AND attempts < max_attempts
             AND ((state = 'queued' AND run_after <= ?) OR (state = 'running' AND lease_until <= ?))
           ORDER BY run_after, id LIMIT 1)
         RETURNING id, data, attempts, max_attempts`,
      )
      .get(now + this.leaseMs, this.owner, now, this.name, now, now) as JobRow | undefined;
  }

  private async run(row: JobRow): Promise<void> {
    const job: Job<T> = { id: String(row.id), data: JSON.parse(row.data) as T, attempt: row.attempts, maxAttempts: row.max_attempts };
    const heartbeat = setInterval(() => this.renewLease(row.id), Math.max(50, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    try {
      await this.handler!(job);
      clearInterval(heartbeat);
      this.finish(row.id, 'done', null);
    } catch (error) {
      clearInterval(heartbeat);
      if (this.closed && !this.db.open) return;
      const reason = describeError(error);
      const final = error instanceof PermanentJobError || job.attempt >= job.maxAttempts;
      if (final) {
        this.finish(row.id, 'failed', reason);
        await this.exhausted(job, reason);
      } else {
        this.reschedule(row.id, backoffDelay(this.retry, job.attempt), reason);
      }
    }
  }

  private renewLease(id: number): void {
    if (!this.db.open) return;
    const now = this.now();
    this.db
      .prepare(`UPDATE jobs SET lease_until = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?`)
      .run(now + this.leaseMs, now, id, this.owner);
  }

  private finish(id: number, state: 'done' | 'failed', error: string | null): void {
    if (!this.db.open) return;
    this.db
      .prepare(`UPDATE jobs SET state = ?, last_error = ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ?`)
      .run(state, error, this.now(), id);
  }

  private reschedule(id: number, delayMs: number, error: string): void {
    if (!this.db.open) return;
    const now = this.now();
    this.db
      .prepare(
        `UPDATE jobs SET state = 'queued', run_after = ?, last_error = ?, lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(now + delayMs, error, now, id);
  }

  /** Jobs whose worker died on every attempt: fail them so their check run gets concluded. */
  private failExhaustedLeases(): void {
    const now = this.now();
    const rows = this.db
      .prepare(
        `UPDATE jobs SET state = 'failed', last_error = 'the worker stopped during every attempt', lease_until = NULL, updated_at = ?
         WHERE queue = ? AND state = 'running' AND lease_until <= ? AND attempts >= max_attempts
         RETURNING id, data, attempts, max_attempts`,
      )
      .all(now, this.name, now) as JobRow[];
    for (const row of rows) {
      const job: Job<T> = { id: String(row.id), data: JSON.parse(row.data) as T, attempt: row.attempts, maxAttempts: row.max_attempts };
      const run = this.exhausted(job, 'the worker stopped during every attempt').finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  private async exhausted(job: Job<T>, reason: string): Promise<void> {
    try {
      await this.options.onExhausted?.(job, reason);
    } catch {
      // Nothing more can be done for this job; the caller's hook logs its own failures.
    }
  }

  private prune(): void {
    const now = this.now();
    if (now - this.lastPrune < 3600_000) return;
    this.lastPrune = now;
    const before = now - this.retentionMs;
    this.db.prepare(`DELETE FROM jobs WHERE queue = ? AND state IN ('done', 'failed') AND updated_at < ?`).run(this.name, before);
    this.db.prepare('DELETE FROM deliveries WHERE queue = ? AND seen_at < ?').run(this.name, before);
  }
}
