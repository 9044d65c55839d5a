import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PullRequestModel, RepoModel, ReviewCommentRecord } from '../support/github-stand-in.js';
import { clean, fixed, leaky, linesOf, moduleOf } from '../support/pr-fixtures.js';
import { startHarness, type Harness } from '../support/shipgate-harness.js';

/**
 * The App end to end: signed webhooks into the real Probot server, GitHub played by the local
 * stand-in, assertions on what a PR author would see (check run, annotations, review comments).
 */

let h: Harness;
let repoCount = 0;
/** GET requests the stand-in holds until released: a slow GitHub, at a chosen moment of an audit. */
const holds: { path: RegExp; gate: Promise<void>; times: number }[] = [];

/** Holds the next `times` GET requests whose path matches, until the returned function is called. */
function hold(path: RegExp, times = Infinity): () => void {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const entry = { path, gate, times };
  holds.push(entry);
  return () => {
    holds.splice(holds.indexOf(entry), 1);
    release();
  };
}

beforeAll(async () => {
  h = await startHarness({
    hold: (method, path) => {
      const entry = holds.find((e) => method === 'GET' && e.path.test(path) && e.times > 0);
      if (!entry) return undefined;
      entry.times--;
      return entry.gate;
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function freshRepo(): RepoModel {
  return h.standIn.repo('acme', `service-${++repoCount}`);
}

/** Shipgate's top-level comments (not replies) on a PR. */
function topLevel(pr: PullRequestModel): ReviewCommentRecord[] {
  return h.standIn.commentsOn(pr).filter((c) => c.in_reply_to_id === undefined);
}

function replies(pr: PullRequestModel): ReviewCommentRecord[] {
  return h.standIn.commentsOn(pr).filter((c) => c.in_reply_to_id !== undefined);
}

function secretInLogComments(pr: PullRequestModel): ReviewCommentRecord[] {
  return topLevel(pr).filter((c) => c.body.includes('`secret-in-log`'));
}

function requestsFor(repo: RepoModel): typeof h.standIn.requests {
  return h.standIn.requests.filter((r) => r.path.startsWith(`/repos/${repo.owner}/${repo.name}/`));
}

/** Every comment sits on a RIGHT-side line inside a hunk of the PR's diff. */
function expectInsideDiff(repo: RepoModel, pr: PullRequestModel, comments: readonly ReviewCommentRecord[]): void {
  const files = new Map(repo.pullFiles(pr).map((f) => [f.filename, f]));
  for (const c of comments) {
    expect(c.side).toBe('RIGHT');
    expect(files.get(c.path)?.rightLines.has(c.line)).toBe(true);
  }
}

async function push(repo: RepoModel, pr: PullRequestModel, files: Record<string, string | Buffer | null>): Promise<string> {
  await h.idle();
  pr.headSha = repo.commit(files, pr.headSha);
  const res = await h.deliverPullRequest(pr, 'synchronize');
  expect(res.status).toBe(200);
  return pr.headSha;
}

describe('a pull request that adds a secret to a log line', () => {
  it('gets an in-progress check that concludes failure, with verdict, table, annotation and one inline comment', async () => {
    const repo = freshRepo();
    const baseText = moduleOf(clean('ping'));
    const headText = moduleOf(clean('ping'), leaky('login', 'accessToken'));
    const base = repo.commit({ 'src/auth.ts': baseText, 'README.md': '# service\n' });
    const head = repo.commit({ 'src/auth.ts': headText }, base);
    const pr = repo.openPullRequest({ base, head });

    const started = Date.now();
    const res = await h.deliverPullRequest(pr, 'opened');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);

    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.name).toBe('Shipgate');
    expect(check.statuses[0]).toBe('in_progress');
    expect(check.statuses.at(-1)).toBe('completed');
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toMatch(/^NO-GO: 1 P0/);
    expect(check.output.summary).toContain('NO-GO');
    expect(check.output.summary).toContain('| Severity | New | Pre-existing |');
    expect(check.output.summary).toMatch(/\| 🔴 P0 \| 1 \| 0 \|/);
    expect(check.output.summary).toContain('### Scorecard');
    expect(check.output.summary).toMatch(/\| Security \| D \| 60 \|/);

    const leakLine = linesOf(headText, 'logger.info({ userId, accessToken }')[0]!;
    expect(check.annotations).toEqual([
      expect.objectContaining({ path: 'src/auth.ts', start_line: leakLine, annotation_level: 'failure', title: expect.stringContaining('secret-in-log') }),
    ]);

    const reviews = h.standIn.reviewsOn(pr);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ event: 'COMMENT', commit_id: head });
    const comments = topLevel(pr);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ path: 'src/auth.ts', line: leakLine, side: 'RIGHT' });
    expect(comments[0]!.body).toContain('🔴 P0');
    expect(comments[0]!.body).toContain('Secret written to the log');
    expect(comments[0]!.body).toContain('`secret-in-log`');
    expect(comments[0]!.body).toContain('**Why it fails in production:**');
    expect(comments[0]!.body).toContain('**Fix:**');
    expect(comments[0]!.body).toMatch(/<!-- shipgate:fingerprint=[0-9a-f]+ -->/);
    expectInsideDiff(repo, pr, comments);
    // All inline comments of an audit go in one request.
    expect(requestsFor(repo).filter((r) => r.method === 'POST' && /\/(reviews|comments|replies)$/.test(r.path))).toHaveLength(1);
    expect(requestsFor(repo).filter((r) => r.status === 422)).toEqual([]);
  });
});

describe('pushes to an open pull request', () => {
  it('never comments a finding twice, comments new ones, and replies once on comments whose finding was fixed', async () => {
    const repo = freshRepo();
    const base = repo.commit({ 'src/session.ts': moduleOf(clean('ping')) });
    const head1 = repo.commit({ 'src/session.ts': moduleOf(clean('ping'), leaky('login', 'accessToken'), leaky('refresh', 'refreshToken')) }, base);
    const pr = repo.openPullRequest({ base, head: head1 });
    await h.deliverPullRequest(pr, 'opened');
    await h.standIn.waitForCompletedCheck(head1);
    const first = secretInLogComments(pr);
    expect(first).toHaveLength(2);
    const loginComment = first.find((c) => c.body.includes('`accessToken`'))!;
    expect(loginComment).toBeDefined();

    // Second push: login fixed, refresh unchanged (but moved down), a new leak in connect.
    const head2 = await push(repo, pr, {
      'src/session.ts': moduleOf(clean('ping'), clean('health'), fixed('login', 'accessToken'), leaky('refresh', 'refreshToken'), leaky('connect', 'apiKey')),
    });
    const check2 = await h.standIn.waitForCompletedCheck(head2);
    expect(check2.conclusion).toBe('failure');
    const second = secretInLogComments(pr);
    expect(second).toHaveLength(3);
    expect(second.filter((c) => c.body.includes('`refreshToken`'))).toHaveLength(1);
    expect(second.filter((c) => c.body.includes('`apiKey`'))).toHaveLength(1);
    expectInsideDiff(repo, pr, second.filter((c) => c.commit_id === head2));
    await h.standIn.waitFor(() => replies(pr).length > 0, 5_000, 'the fixed reply');
    expect(replies(pr)).toEqual([expect.objectContaining({ in_reply_to_id: loginComment.id, body: expect.stringContaining(`Fixed in ${head2}`) })]);

    // Third push, nothing new: no review at all, and the fixed reply is not repeated.
    const reviewsBefore = h.standIn.reviewsOn(pr).length;
    const head3 = await push(repo, pr, {
      'src/session.ts': moduleOf(clean('ping'), clean('health'), fixed('login', 'accessToken'), leaky('refresh', 'refreshToken'), leaky('connect', 'apiKey'), clean('other')),
    });
    await h.standIn.waitForCompletedCheck(head3);
    expect(secretInLogComments(pr)).toHaveLength(3);
    expect(replies(pr)).toHaveLength(1);
    expect(h.standIn.reviewsOn(pr)).toHaveLength(reviewsBefore);
  });

  it('does not comment a finding that already exists on the base branch, and does not count it', async () => {
    const repo = freshRepo();
    const baseText = moduleOf(leaky('login', 'accessToken'));
    const headText = baseText.replace("'login ok'", "'login succeeded'") + '\n' + clean('health');
    const base = repo.commit({ 'src/auth.ts': baseText });
    const head = repo.commit({ 'src/auth.ts': headText }, base);
    const pr = repo.openPullRequest({ base, head });
    await h.deliverPullRequest(pr, 'opened');

    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('success');
    expect(check.output.title).toBe('GO: no new findings');
    expect(check.output.summary).toMatch(/\| 🔴 P0 \| 0 \| 1 \|/);
    expect(check.output.summary).toContain('### Pre-existing findings');
    expect(check.output.summary).toContain('secret-in-log');
    expect(check.annotations).toEqual([]);
    expect(topLevel(pr)).toEqual([]);
  });
});

describe('renamed files', () => {
  it("counts a renamed file's old findings as pre-existing, and reads base versions only where there are findings", async () => {
    const repo = freshRepo();
    const text = moduleOf(leaky('login', 'accessToken'));
    const base = repo.commit({ 'src/old-auth.ts': text, 'src/other.ts': moduleOf(clean('a')) });
    const head = repo.commit(
      { 'src/old-auth.ts': null, 'src/auth.ts': text.replace("'login ok'", "'login done'"), 'src/other.ts': moduleOf(clean('a'), clean('b')) },
      base,
    );
    const pr = repo.openPullRequest({ base, head });
    pr.renames.set('src/auth.ts', 'src/old-auth.ts');
    await h.deliverPullRequest(pr, 'opened');

    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toContain('### Pre-existing findings');
    expect(topLevel(pr)).toEqual([]);
    const baseReads = requestsFor(repo)
      .filter((r) => r.path.includes('/contents/') && r.query.ref === base)
      .map((r) => decodeURIComponent(r.path.slice(r.path.indexOf('/contents/') + '/contents/'.length)));
    expect(baseReads.sort()).toEqual(['.github/shipgate.yml', 'src/old-auth.ts']);
  });
});

describe('configuration', () => {
  it('reports an invalid config in the check run and still audits with the defaults', async () => {
    const repo = freshRepo();
    const base = repo.commit({ '.github/shipgate.yml': 'failOn: P9\nmaxComments: lots\n', 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });
    await h.deliverPullRequest(pr, 'opened');

    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.output.summary).toContain('Configuration problems');
    expect(check.output.summary).toContain('`failOn`');
    expect(check.output.summary).toContain('`maxComments`');
    // Defaults: any new P0 fails, and the finding is commented.
    expect(check.conclusion).toBe('failure');
    expect(secretInLogComments(pr)).toHaveLength(1);
  });

  it('reads the config from the base branch, so a PR cannot switch its own gate off', async () => {
    const repo = freshRepo();
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ '.github/shipgate.yml': 'failOn: none\n', 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });
    await h.deliverPullRequest(pr, 'opened');
    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('failure');
  });

  it('applies the base branch config: failOn none lets the merge through but still comments', async () => {
    const repo = freshRepo();
    const base = repo.commit({ '.github/shipgate.yml': 'failOn: none\n', 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });
    await h.deliverPullRequest(pr, 'opened');
    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('success');
    expect(check.output.title).toMatch(/^CONDITIONAL GO/);
    expect(secretInLogComments(pr)).toHaveLength(1);
  });

  it('skips draft pull requests when the config says so, and audits them once ready for review', async () => {
    const repo = freshRepo();
    const base = repo.commit({ '.github/shipgate.yml': 'drafts: skip\n', 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head, draft: true });
    await h.deliverPullRequest(pr, 'opened');
    const skipped = await h.standIn.waitForCompletedCheck(head);
    expect(skipped.conclusion).toBe('skipped');
    expect(topLevel(pr)).toEqual([]);

    pr.draft = false;
    await h.idle();
    await h.deliverPullRequest(pr, 'ready_for_review');
    const audited = await h.standIn.waitFor(
      () => h.standIn.checkRunsFor(head).find((c) => c.id !== skipped.id && c.status === 'completed'),
      20_000,
      'the audit after ready_for_review',
    );
    expect(audited.conclusion).toBe('failure');
    expect(secretInLogComments(pr)).toHaveLength(1);
  });
});

describe('files that cannot be audited', () => {
  it('skips binary, oversized, vendored and minified files with a reason, and audits the rest', async () => {
    const repo = freshRepo();
    const base = repo.commit({ 'src/app.ts': moduleOf(clean('ping')) });
    // Over 1 MB (the contents API's inline limit), under the 2 MB audit limit.
    const largeText = moduleOf(clean('ping'), ...Array.from({ length: 9000 }, (_, i) => `// note ${i}: ${'x'.repeat(120)}\n`), leaky('login', 'apiKey'));
    const hugeText = Array.from({ length: 20_000 }, (_, i) => `export const value${i} = ${'2'.repeat(100)};`).join('\n');
    const minified = `${'var a=1;'.repeat(1500)}\n${'var b=2;'.repeat(1500)}\n`;
    const bigDiffText = moduleOf(clean('ping'), leaky('connect', 'clientSecret'));
    const head = repo.commit(
      {
        'src/app.ts': moduleOf(clean('ping'), leaky('login', 'password')),
        'src/blob.ts': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x00, 0x00]),
        'src/huge.ts': hugeText,
        'src/large.ts': largeText,
        'src/bundle.js': minified,
        'src/big-diff.ts': bigDiffText,
        'node_modules/left-pad/index.js': moduleOf(leaky('pad', 'token')),
        'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]),
      },
      base,
    );
    const pr = repo.openPullRequest({ base, head });
    pr.withoutPatch.add('src/big-diff.ts');
    await h.deliverPullRequest(pr, 'opened');

    const check = await h.standIn.waitForCompletedCheck(head, 60_000);
    const summary = check.output.summary!;
    expect(summary).toContain('### Files not audited');
    expect(summary).toContain('`src/blob.ts`: binary file');
    expect(summary).toMatch(/`src\/huge\.ts`: too large to audit/);
    expect(summary).toContain('`node_modules/left-pad/index.js`: vendored dependency');
    expect(summary).toContain('`src/bundle.js`: minified file');
    expect(summary).toContain('`src/big-diff.ts`: the diff is too large for GitHub to show');
    expect(summary).not.toContain('logo.png');

    // The rest is audited: the file over 1 MB through the blob API, the unshown diff as a whole file.
    expect(requestsFor(repo).some((r) => r.path.includes('/git/blobs/'))).toBe(true);
    expect(check.conclusion).toBe('failure');
    expect(check.annotations.map((a) => a.path).sort()).toEqual(['src/app.ts', 'src/big-diff.ts', 'src/large.ts']);
    const commented = secretInLogComments(pr).map((c) => c.path).sort();
    expect(commented).toEqual(['src/app.ts', 'src/large.ts']);
    expectInsideDiff(repo, pr, topLevel(pr));
  }, 90_000);

  it('concludes success, saying so, when nothing in the PR is auditable', async () => {
    const repo = freshRepo();
    const base = repo.commit({ 'README.md': '# service\n' });
    const head = repo.commit({ 'README.md': '# service\n\nNow with docs.\n', 'docs/diagram.png': Buffer.from([0x89, 0x50, 0x00]) }, base);
    const pr = repo.openPullRequest({ base, head });
    await h.deliverPullRequest(pr, 'opened');
    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.conclusion).toBe('success');
    expect(check.output.title).toBe('GO: nothing to audit');
    expect(check.output.summary).toContain('Nothing in this pull request is code or configuration that Shipgate audits.');
    expect(h.standIn.reviewsOn(pr)).toEqual([]);
  });
});

describe('volume', () => {
  it('groups a rule that fires more than 5 times into one comment listing the places', async () => {
    const repo = freshRepo();
    const secrets = ['accessToken', 'refreshToken', 'apiKey', 'password', 'clientSecret', 'sessionToken', 'privateKey'];
    const headText = moduleOf(...secrets.map((s, i) => leaky(`handler${i}`, s)));
    const base = repo.commit({ 'src/handlers.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/handlers.ts': headText }, base);
    const pr = repo.openPullRequest({ base, head });
    await h.deliverPullRequest(pr, 'opened');
    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.annotations).toHaveLength(7);
    const comments = secretInLogComments(pr);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('This rule fires 7 times in this pull request');
    for (const line of linesOf(headText, 'logger.info')) expect(comments[0]!.body).toContain(`src/handlers.ts:${line}`);
    expect(comments[0]!.body.match(/shipgate:fingerprint=/g)).toHaveLength(7);
    expectInsideDiff(repo, pr, comments);
  });

  it('caps inline comments at maxComments; the rest are annotations only', async () => {
    const repo = freshRepo();
    const base = repo.commit({ '.github/shipgate.yml': 'maxComments: 1\n', 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(leaky('one', 'password'), leaky('two', 'apiKey'), leaky('three', 'accessToken')) }, base);
    const pr = repo.openPullRequest({ base, head });
    await h.deliverPullRequest(pr, 'opened');
    const check = await h.standIn.waitForCompletedCheck(head);
    expect(check.annotations).toHaveLength(3);
    expect(topLevel(pr)).toHaveLength(1);
    expect(check.output.summary).toContain('2 more finding(s) are shown as annotations only');
  });

  it('sends annotations in batches of at most 50 and concludes with the last batch', async () => {
    const repo = freshRepo();
    const secrets = ['accessToken', 'refreshToken', 'apiKey', 'password', 'clientSecret'];
    const files: Record<string, string> = {};
    for (let i = 0; i < 24; i++) files[`src/routes/route${i}.ts`] = moduleOf(...secrets.map((s, j) => leaky(`handler${j}`, s)));
    const base = repo.commit({ 'src/index.ts': moduleOf(clean('ping')) });
    const head = repo.commit(files, base);
    const pr = repo.openPullRequest({ base, head });
    await h.deliverPullRequest(pr, 'opened');
    const check = await h.standIn.waitForCompletedCheck(head, 60_000);
    expect(check.annotations).toHaveLength(120);
    const updates = requestsFor(repo).filter((r) => r.method === 'PATCH' && r.path.endsWith(`/check-runs/${check.id}`));
    const sizes = updates.map((u) => ((u.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length);
    expect(sizes).toEqual([50, 50, 20]);
    expect((updates.at(-1)!.body as { status?: string }).status).toBe('completed');
    expect(updates.slice(0, -1).every((u) => (u.body as { status?: string }).status === undefined)).toBe(true);
    // 120 findings of one rule: a single grouped comment, one content-creating request.
    expect(secretInLogComments(pr)).toHaveLength(1);
  }, 60_000);
});

describe('re-runs and deliveries', () => {
  it('re-audits on check_suite.rerequested for a fork PR (no pull_requests attached), found by head SHA', async () => {
    const repo = freshRepo();
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    repo.openPullRequest({ base: repo.commit({ 'src/other.ts': moduleOf(clean('x')) }), head: repo.commit({ 'src/other.ts': moduleOf(clean('y')) }) });
    const pr = repo.openPullRequest({ base, head, headRef: 'contributor:patch-1' });
    await h.deliverPullRequest(pr, 'opened');
    const first = await h.standIn.waitForCompletedCheck(head);
    await h.idle();

    const res = await h.deliver('check_suite', {
      action: 'rerequested',
      check_suite: { id: 77, head_sha: head, head_branch: null, pull_requests: [] },
      repository: { name: repo.name, full_name: `${repo.owner}/${repo.name}`, owner: { login: repo.owner } },
      installation: { id: h.standIn.installationId },
    });
    expect(res.status).toBe(200);
    const second = await h.standIn.waitFor(
      () => h.standIn.checkRunsFor(head).find((c) => c.id !== first.id && c.status === 'completed'),
      20_000,
      'the re-run check',
    );
    expect(second.conclusion).toBe('failure');
    expect(requestsFor(repo).some((r) => r.method === 'GET' && r.path.endsWith('/pulls'))).toBe(true);
    // The finding already has its comment.
    expect(secretInLogComments(pr)).toHaveLength(1);
    await h.idle();

    await h.deliver('check_run', {
      action: 'rerequested',
      check_run: { id: second.id, name: 'Shipgate', head_sha: head, pull_requests: [{ number: pr.number }] },
      repository: { name: repo.name, full_name: `${repo.owner}/${repo.name}`, owner: { login: repo.owner } },
      installation: { id: h.standIn.installationId },
    });
    await h.standIn.waitFor(() => h.standIn.checkRunsFor(head).filter((c) => c.status === 'completed').length === 3, 20_000, 'the third check');
  });

  it('audits a delivery once, even when GitHub delivers it twice, and one audit per commit in flight', async () => {
    const repo = freshRepo();
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });
    const release = hold(new RegExp(`^/repos/${repo.owner}/${repo.name}/pulls/\\d+$`));

    const a = await h.deliverPullRequest(pr, 'opened', { deliveryId: 'delivery-1' });
    const again = await h.deliverPullRequest(pr, 'opened', { deliveryId: 'delivery-1' });
    const reopened = await h.deliverPullRequest(pr, 'reopened');
    expect([a.status, again.status, reopened.status]).toEqual([200, 200, 200]);
    release();

    await h.standIn.waitForCompletedCheck(head);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.standIn.checkRunsFor(head)).toHaveLength(1);
    expect(secretInLogComments(pr)).toHaveLength(1);
  });

  it('does not comment from an audit overtaken by a newer push; the newer audit comments', async () => {
    const repo = freshRepo();
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const first = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head: first });
    // The first audit stalls on the file list until the second push has been delivered.
    const release = hold(new RegExp(`^/repos/${repo.owner}/${repo.name}/pulls/\\d+/files$`), 1);
    await h.deliverPullRequest(pr, 'opened');
    await h.standIn.waitFor(() => requestsFor(repo).some((r) => r.path.endsWith('/compare/' + `${base}...${first}`)), 10_000, 'the first audit to start');
    pr.headSha = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password'), leaky('refresh', 'refreshToken')) }, first);
    await h.deliverPullRequest(pr, 'synchronize');
    release();

    const stale = await h.standIn.waitForCompletedCheck(first);
    expect(stale.conclusion).toBe('neutral');
    expect(stale.output.title).toBe('Superseded by a newer commit');
    const current = await h.standIn.waitForCompletedCheck(pr.headSha);
    expect(current.conclusion).toBe('failure');
    expect(h.standIn.reviewsOn(pr).map((r) => r.commit_id)).toEqual([pr.headSha]);
    expect(secretInLogComments(pr)).toHaveLength(2);
  });

  it('refuses a delivery with a bad signature (4xx) and posts nothing', async () => {
    const repo = freshRepo();
    const base = repo.commit({ 'src/a.ts': moduleOf(clean('ping')) });
    const head = repo.commit({ 'src/a.ts': moduleOf(clean('ping'), leaky('login', 'password')) }, base);
    const pr = repo.openPullRequest({ base, head });
    const before = h.standIn.requests.length;

    const wrongSecret = await h.deliverPullRequest(pr, 'opened', { secret: 'not-the-secret' });
    expect(wrongSecret.status).toBeGreaterThanOrEqual(400);
    expect(wrongSecret.status).toBeLessThan(500);
    const garbage = await h.deliver('pull_request', { action: 'opened' }, { signature: 'sha256=deadbeef' });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);

    await new Promise((r) => setTimeout(r, 500));
    expect(h.standIn.requests.slice(before)).toEqual([]);
    expect(h.standIn.checkRunsFor(head)).toEqual([]);
  });

  it('answers 400 to a signed payload of the wrong shape and posts nothing', async () => {
    const before = h.standIn.requests.length;
    const res = await h.deliver('pull_request', {
      action: 'opened',
      pull_request: { number: 1, state: 'open', head: { sha: 'not-a-sha' }, base: { sha: 'x', ref: 'main' } },
      repository: { name: 'r', owner: { login: 'o' } },
      installation: { id: h.standIn.installationId },
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('pull_request.head.sha');
    await new Promise((r) => setTimeout(r, 200));
    expect(h.standIn.requests.slice(before).filter((r) => r.path.startsWith('/repos/'))).toEqual([]);
  });
});
