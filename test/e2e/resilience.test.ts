import { afterEach, describe, expect, it } from '@jest/globals';
import { SqliteJobQueue } from '../../src/queue/sqlite-queue.js';
import { clean, leaky, moduleOf } from '../support/pr-fixtures.js';
import { startHarness, type Harness } from '../support/shipgate-harness.js';

/**
 * The check always concludes: an audit whose process dies is run again after a restart, a
 * failing audit is retried and then concluded `neutral` with the reason, and a PR that vanished
 * concludes at once.
 */

let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('an audit in flight when the process dies', () => {
  it('runs again after a restart, and the check concludes with one review', async () => {
    let filesRequests = 0;
    let releaseStuck!: () => void;
    const stuck = new Promise<void>((resolve) => (releaseStuck = resolve));
    let answerStuck = false;
    h = await startHarness({
      leaseMs: 800,
      // The first listing of the PR's files does not answer: the worker is stuck mid-audit when the process "dies".
      hold: (method, path) => {
        if (method !== 'GET' || path !== '/repos/acme/crash/pulls/1/files') return undefined;
        return ++filesRequests === 1 ? stuck.then(() => void (answerStuck = true)) : undefined;
      },
      // Once the test is over, the dead worker's request gets a 404, so it stops for good.
      intercept: (method, path) => {
        if (!answerStuck || path !== '/repos/acme/crash/pulls/1/files') return undefined;
        answerStuck = false;
        return 404;
      },
    });
    const harness = h;
    const repo = harness.standIn.repo('acme', 'crash');
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });

    expect((await harness.deliverPullRequest(pr, 'opened')).status).toBe(200);
    await until(() => filesRequests === 1, 'the audit to start');
    const crashed = harness.queue as SqliteJobQueue<unknown>;
    expect(crashed.stats()).toMatchObject({ running: 1 });
    crashed.abandon(); // no lease renewals, no completion: what a killed process leaves behind
    await harness.stopApp();

    await harness.restartApp();
    const check = await harness.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('failure');
    expect(check.statuses).toEqual(['in_progress', 'completed']);
    expect(harness.standIn.reviewsOn(pr)).toHaveLength(1);
    expect(filesRequests).toBe(2);
    await harness.idle();
    expect((harness.queue as SqliteJobQueue<unknown>).inspect('1')).toMatchObject({ state: 'done', attempts: 2 });

    releaseStuck();
    await harness.standIn.waitFor(() => harness.standIn.requests.find((r) => r.status === 404 && r.path.endsWith('/pulls/1/files')), 5_000, 'the dead worker to stop');
    expect(harness.standIn.checkRunsFor(head)).toHaveLength(1);
    expect(harness.standIn.reviewsOn(pr)).toHaveLength(1);
  }, 60_000);
});

describe('an audit that keeps failing', () => {
  it('is retried with backoff, then the check concludes neutral with the reason', async () => {
    h = await startHarness({
      retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
      // A 403 that is not a rate limit: Octokit does not retry it, Shipgate's queue does.
      intercept: (method, path) => (method === 'GET' && path === '/repos/acme/flaky/pulls/1/files' ? 403 : undefined),
    });
    const harness = h;
    const repo = harness.standIn.repo('acme', 'flaky');
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });
    await harness.deliverPullRequest(pr, 'opened');

    const check = await harness.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('neutral');
    expect(check.output.title).toBe('Audit could not run');
    expect(check.output.summary).toContain('after 3 attempt(s)');
    expect(check.output.summary).toContain('HTTP 403');
    const listings = harness.standIn.requests.filter((r) => r.path === '/repos/acme/flaky/pulls/1/files');
    expect(listings).toHaveLength(3);
    expect(listings[1]!.at - listings[0]!.at).toBeGreaterThanOrEqual(40);
    expect(harness.standIn.reviewsOn(pr)).toEqual([]);
  }, 60_000);

  it('concludes at once, neutral, when the pull request is gone', async () => {
    h = await startHarness({
      intercept: (method, path) => (method === 'GET' && path === '/repos/acme/gone/pulls/1' ? 404 : undefined),
    });
    const harness = h;
    const repo = harness.standIn.repo('acme', 'gone');
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });
    await harness.deliverPullRequest(pr, 'opened');

    const check = await harness.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('neutral');
    expect(check.output.summary).toContain('after 1 attempt(s)');
    expect(harness.standIn.requests.filter((r) => r.path === '/repos/acme/gone/pulls/1')).toHaveLength(1);
  }, 60_000);
});
