import { performance } from 'node:perf_hooks';

/** What a worker process reports on stdout, one JSON line. */
export interface Measurement {
  readonly mode: string;
  readonly label?: string;
  readonly files: number;
  readonly bytes: number;
  /** Wall time of each measured pass (ms). */
  readonly runs: readonly number[];
  /** One-off start-up costs worth reporting apart (query compilation, module loading), ms. */
  readonly setup?: Readonly<Record<string, number>>;
  /** Peak resident set size of the measuring process, KB. */
  readonly maxRssKb: number;
  readonly notes?: readonly string[];
  readonly counts?: Readonly<Record<string, number>>;
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

/** A warm-up call, then `passes` timed calls with a full GC before each. */
export function passes(count: number, warmUp: () => void, run: () => void): number[] {
  warmUp();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    settle();
    out.push(time(run));
  }
  return out;
}

export function maxRssKb(): number {
  return process.resourceUsage().maxRSS;
}
