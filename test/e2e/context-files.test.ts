import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PullRequestModel, RepoModel } from '../support/github-stand-in.js';
import { linesOf } from '../support/pr-fixtures.js';
import { startHarness, type Harness } from '../support/shipgate-harness.js';

/**
 * Context files in the App: the head commit's unchanged model/schema files are listed with the
 * git trees API and read for evidence only, so a PR that changes one route is judged against
 * the schema it queries, without the schema being audited, commented, skipped or counted.
 */

let h: Harness;
let repoCount = 0;
/** Repositories whose trees listing GitHub refuses. */
const failTrees = new Set<string>();

beforeAll(async () => {
  h = await startHarness({
    throttle: false,
    intercept: (method, path) => {
      const repo = /^\/repos\/acme\/([^/]+)\/git\/trees\//.exec(path)?.[1];
      return method === 'GET' && repo !== undefined && failTrees.has(repo) ? 403 : undefined;
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Invoice {
  id String @id
  orgId String
}
`;

const ROUTES_BASE = `import { Router } from 'express';
import { prisma } from '../db';

export const invoices = Router();

invoices.get('/invoices/export-formats', (_req, res) => {
  res.json(['csv', 'pdf']);
});
`;

const UNSCOPED_LOOKUP =
  "invoices.get('/invoices/:id', async (req, res) => { const orgId = req.user.orgId; res.json(await prisma.invoice.findFirst({ where: { id: req.params.id } })); });";
const ROUTES_HEAD = `${ROUTES_BASE}\n${UNSCOPED_LOOKUP}\n`;

/** A repository whose base and head share `unchanged`; the PR changes only src/routes/invoices.ts. */
function routePullRequest(unchanged: Record<string, string>, prepare?: (repo: RepoModel) => void): { repo: RepoModel; pr: PullRequestModel } {
  const repo = h.standIn.repo('acme', `context-${++repoCount}`);
  prepare?.(repo);
  const base = repo.commit({ 'src/db.ts': "export { prisma } from './prisma-client';\n", 'src/routes/invoices.ts': ROUTES_BASE, ...unchanged });
  const head = repo.commit({ 'src/routes/invoices.ts': ROUTES_HEAD }, base);
  return { repo, pr: repo.openPullRequest({ base, head }) };
}

function tenantComments(pr: PullRequestModel) {
  return h.standIn.commentsOn(pr).filter((c) => c.body.includes('`tenant-filter-missing`'));
}

function requestsFor(repo: RepoModel) {
  return h.standIn.requests.filter((r) => r.path.startsWith(`/repos/${repo.owner}/${repo.name}/`));
}

describe('unchanged schema files as evidence', () => {
  it('comments a P0 tenant-filter-missing on a changed route when the unchanged prisma schema says the model has orgId', async () => {
    const { repo, pr } = routePullRequest({ 'prisma/schema.prisma': SCHEMA, 'README.md': '# billing\n' });
    expect(repo.pullFiles(pr).map((f) => f.filename)).toEqual(['src/routes/invoices.ts']);
    await h.deliverPullRequest(pr, 'opened');

    const check = await h.standIn.waitForCompletedCheck(pr.headSha);
    const line = linesOf(ROUTES_HEAD, UNSCOPED_LOOKUP)[0]!;
    const comments = tenantComments(pr);
    expect(comments).toEqual([expect.objectContaining({ path: 'src/routes/invoices.ts', line, side: 'RIGHT' })]);
    expect(comments[0]!.body).toContain('🔴 P0');
    expect(comments[0]!.body).toMatch(/prisma\.invoice\.findFirst/);
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toMatch(/^NO-GO: 1 P0/);

    // The schema was listed from the head commit's tree and read at the head commit, once.
    const reads = requestsFor(repo).filter((r) => r.method === 'GET');
    expect(reads.filter((r) => r.path.endsWith(`/git/trees/${pr.headSha}`))).toEqual([expect.objectContaining({ status: 200, query: expect.objectContaining({ recursive: '1' }) })]);
    const contentReads = reads.filter((r) => decodeURIComponent(r.path).endsWith('/contents/prisma/schema.prisma'));
    expect(contentReads).toEqual([expect.objectContaining({ query: { ref: pr.headSha } })]);
    // Evidence only: not commented, annotated, skipped or counted as audited.
    expect(h.standIn.commentsOn(pr).every((c) => c.path === 'src/routes/invoices.ts')).toBe(true);
    expect(check.annotations.every((a) => a.path === 'src/routes/invoices.ts')).toBe(true);
    expect(check.output.summary).not.toContain('schema.prisma');
  });

  it('does not comment the same change when the tree has no schema saying Invoice is tenant-scoped', async () => {
    const { pr } = routePullRequest({ 'README.md': '# billing\n' });
    await h.deliverPullRequest(pr, 'opened');
    const check = await h.standIn.waitForCompletedCheck(pr.headSha);
    expect(tenantComments(pr)).toEqual([]);
    expect(check.annotations.filter((a) => String(a.title).includes('tenant-filter-missing'))).toEqual([]);
  });

  it('uses what a truncated tree listing returned, and still concludes when the tree cannot be listed', async () => {
    // Truncated: the listing stops at the `prisma` directory, before its schema, so there is no evidence, and no error.
    const truncated = routePullRequest({ 'prisma/schema.prisma': SCHEMA }, (repo) => (repo.treeLimit = 1));
    await h.deliverPullRequest(truncated.pr, 'opened');
    const check1 = await h.standIn.waitForCompletedCheck(truncated.pr.headSha);
    expect(check1.conclusion).toBe('success');
    expect(tenantComments(truncated.pr)).toEqual([]);

    // A failing trees call costs the evidence only: the audit concludes, with a note.
    const failing = routePullRequest({ 'prisma/schema.prisma': SCHEMA });
    failTrees.add(failing.repo.name);
    await h.deliverPullRequest(failing.pr, 'opened');
    const check2 = await h.standIn.waitForCompletedCheck(failing.pr.headSha);
    expect(check2.conclusion).toBe('success');
    expect(check2.output.summary).toContain('could not be listed');
    expect(tenantComments(failing.pr)).toEqual([]);
  });
});
