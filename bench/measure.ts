import { performance } from 'node:perf_hooks';

/** What a worker process reports on stdout, one JSON line. */
export interface Measurement {
  readonly mode: string;
  readonly label?: string;
  readonly files: number;
  readonly bytes: number;
  /** Wall time of each measured pass (ms). */
  readonly runs: readonly number[];
  /**
   * CPU time (user + system, all threads of the process) of each pass (ms): what the work cost,
   * nearly independent of other load on the machine, unlike wall time.
   */
  readonly cpu?: readonly number[];
  /** One-off start-up costs worth reporting apart (query compilation, module loading), ms. */
  readonly setup?: Readonly<Record<string, number>>;
  /** Peak resident set size of the measuring process, KB. */
  readonly maxRssKb: number;
  readonly notes?: readonly string[];
  readonly counts?: Readonly<Record<string, number>>;
  /** Set when the measurement did not complete (timed out, crashed): the reason. */
  readonly failed?: string;
}

const collect = (globalThis as { gc?: () => void }).gc;

/** Full GC between passes (not inside them), so one pass does not pay for the previous one's garbage. */
export function settle(): void {
  collect?.();
}

export function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

export async function timeAsync(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

export interface Timed {
  readonly wall: number;
  readonly cpu: number;
}

export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Timed passes stop early once they have used this much wall time (at least one pass runs). */
export const PASS_BUDGET_MS = 10_000;

/** A warm-up call, then up to `count` timed calls with a full GC before each (outside the timing). */
export function passes(count: number, warmUp: () => void, run: () => void): { runs: number[]; cpu: number[] } {
  warmUp();
  const runs: number[] = [];
  const cpu: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count && (i === 0 || performance.now() - started < PASS_BUDGET_MS); i++) {
    settle();
    const c = cpuNow();
    const w = performance.now();
    run();
    runs.push(performance.now() - w);
    cpu.push(cpuNow() - c);
  }
  return { runs, cpu };
}

export function maxRssKb(): number {
  return process.resourceUsage().maxRSS;
}
