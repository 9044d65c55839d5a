import { performance } from 'node:perf_hooks';
import type { CorpusFile } from './corpus.js';
import { cpuNow, maxRssKb } from './measure.js';
import { syntheticPr } from './pull-request.js';
import { seededRandom } from './random.js';
// The harness the e2e tests use: the real App on 127.0.0.1 against the GitHub stand-in.
import { clean, leaky, moduleOf } from '../test/support/pr-fixtures.js';
import { startHarness } from '../test/support/shipgate-harness.js';
import { ALL_LINES } from '../src/diff/changed-lines.js';

/**
 * End to end: a signed `pull_request.opened` webhook delivered to the real App (Probot server,
 * signature check, SQLite queue, worker, engine, check run and review), GitHub played by the
 * local stand-in on 127.0.0.1, timed until the stand-in holds a completed check run for the head
 * commit. One PR at a time (the queue idle before each delivery), so each time is one PR's
 * latency, not queueing behind another. Each PR carries one new P0 finding, so the review and
 * its inline comment are part of every delivery.
 */

export interface EndToEndSize {
  readonly files: number;
  readonly deliveries: number;
  /** Wall time, delivery sent → check run completed (ms). */
  readonly runs: readonly number[];
  /** CPU time of the whole process (App and stand-in together) per delivery (ms). */
  readonly cpu: readonly number[];
  /** Annotations on the check runs, summed over deliveries. */
  readonly findings: number;
  /** Inline review comments posted, summed over deliveries. */
  readonly comments: number;
}

export interface EndToEnd {
  readonly available: boolean;
  /** Why it was not measured (timed out, failed). */
  readonly reason?: string;
  /** Octokit's write pacing (1 s between writes, 3 s between comment writes) on or off. */
  readonly throttle: boolean;
  readonly sizes: readonly EndToEndSize[];
  /** Peak RSS of the process running the App, its queue and the stand-in. */
  readonly maxRssKb: number;
  readonly notes: readonly string[];
}

export const DELIVERIES: Readonly<Record<number, number>> = { 1: 20, 20: 20, 200: 5 };

export async function endToEnd(pool: readonly CorpusFile[], seed: number, throttle: boolean, sizes: readonly number[], disabled: readonly string[] = []): Promise<EndToEnd> {
  const h = await startHarness({ throttle });
  const notes: string[] = [];
  let repos = 0;
  const deliver = async (size: number, prSeed: number): Promise<{ wall: number; cpu: number; title: string; annotations: number; comments: number }> => {
    const { files } = syntheticPr(pool, size, seededRandom(prSeed));
    // One file of each PR adds a secret written to a log (a new P0): the check run concludes
    // NO-GO and a review with an inline comment is posted, so the whole write path runs.
    files[0] = { path: 'src/auth/session.ts', status: 'modified', changed: ALL_LINES, content: moduleOf(clean('health'), leaky('login', 'accessToken')), baseContent: moduleOf(clean('health')) };
    const repo = h.standIn.repo('bench', `service-${++repos}`);
    // Rules left out of the run are switched off the way a team would: in the base's config.
    const config: Record<string, string> = disabled.length ? { '.github/shipgate.yml': `rules:\n${disabled.map((id) => `  ${id}: off\n`).join('')}` } : {};
    const base = repo.commit({ ...config, ...Object.fromEntries(files.map((f) => [f.path, f.baseContent ?? ''])) });
    const head = repo.commit(Object.fromEntries(files.map((f) => [f.path, f.content])), base);
    const pr = repo.openPullRequest({ base, head });
    await h.idle(120_000);
    const cpu = cpuNow();
    const start = performance.now();
    const response = await h.deliverPullRequest(pr, 'opened');
    if (response.status >= 300) throw new Error(`webhook answered ${response.status}: ${response.body.slice(0, 200)}`);
    const check = await h.standIn.waitForCompletedCheck(head, 300_000);
    const wall = performance.now() - start;
    const used = cpuNow() - cpu;
    // Comments are posted before the check run is concluded; count them once it is.
    return { wall, cpu: used, title: check.output.title ?? '', annotations: check.annotations.length, comments: h.standIn.commentsOn(pr).length };
  };
  try {
    await deliver(20, seed ^ 0xe2e); // warm-up: first delivery compiles queries, opens connections
    const out: EndToEndSize[] = [];
    for (const size of sizes) {
      // With write pacing on, each delivery waits ~3 s on Octokit's pacing: a few suffice.
      const deliveries = throttle ? Math.min(5, DELIVERIES[size] ?? 5) : (DELIVERIES[size] ?? 5);
      const runs: number[] = [];
      const cpu: number[] = [];
      let findings = 0;
      let comments = 0;
      for (let i = 0; i < deliveries; i++) {
        const r = await deliver(size, seed + size * 1000 + i);
        runs.push(r.wall);
        cpu.push(r.cpu);
        findings += r.annotations;
        comments += r.comments;
        if (i === 0) notes.push(`${size}-file PR, first delivery: check run "${r.title}"`);
      }
      out.push({ files: size, deliveries, runs, cpu, findings, comments });
    }
    return { available: true, throttle, sizes: out, maxRssKb: maxRssKb(), notes };
  } finally {
    await h.close();
  }
}
