import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadRules } from '../../src/engine/registry.js';
import type { Category, RuleMeta, Severity } from '../../src/engine/types.js';
import { BADGE } from '../../src/report/markdown.js';
import type { CheckRunRecord, PullRequestModel, RepoModel, ReviewCommentRecord } from '../support/github-stand-in.js';
import { linesOf } from '../support/pr-fixtures.js';
import { startHarness, type Harness } from '../support/shipgate-harness.js';

/**
 * One realistic pull request per scorecard category, through the real App (signed webhook,
 * queue, worker) against the GitHub stand-in: the inline comment a developer reads (line,
 * severity badge, rule title and id, why, fix, the one-click suggestion) and the check run that
 * gates the merge (NO-GO with a P0, CONDITIONAL GO with only P1, GO with only P2/P3). Each PR's
 * code comes from a flagged case of the rule's table in test/detectors/<rule>.test.ts, grown
 * into a whole file; the lines were checked with `shipgate scan --format json`.
 */

type Verdict = 'NO-GO' | 'CONDITIONAL GO' | 'GO';

interface CategoryCase {
  readonly category: Category;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly path: string;
  /** The file on the base branch; absent when the PR adds it. */
  readonly base?: string;
  readonly head: string;
  /** Text of the line the comment belongs on (exactly one line of `head` contains it). */
  readonly onLine: string;
  /** The exact ```suggestion``` content, for rules that offer one here. */
  readonly suggestion?: string;
  readonly verdict: Verdict;
}

const DJANGO_SETTINGS = (debug: string): string => `import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
${debug}
ALLOWED_HOSTS = ["api.acme.io"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "billing",
]
ROOT_URLCONF = "billing.urls"
`;

const DOCKERFILE = (cmd: string): string => `FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER app
EXPOSE 8000
${cmd}
`;

const INVOICES_ROUTER = `import { Router } from 'express';

const BILLING_URL = process.env.BILLING_URL ?? 'http://billing.internal';

export const invoices = Router();
`;

const WEBHOOK_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model WebhookEndpoint {
  id  String @id
  url String
}
`;

const ORDERS_API = (body: string): string => `import logging

from fastapi import APIRouter

from app import orders
from app.schemas import OrderIn

logger = logging.getLogger(__name__)
router = APIRouter()


@router.post("/orders")
async def create_order(order: OrderIn):
${body}    return await orders.create(order)
`;

const CASES: readonly CategoryCase[] = [
  {
    category: 'Security',
    ruleId: 'debug-mode-enabled',
    severity: 'P1',
    path: 'billing/settings.py',
    base: DJANGO_SETTINGS('DEBUG = os.environ.get("DEBUG") == "1"'),
    head: DJANGO_SETTINGS('DEBUG = True'),
    onLine: 'DEBUG = True',
    suggestion: 'DEBUG = os.environ.get("DEBUG") == "1"',
    verdict: 'CONDITIONAL GO',
  },
  {
    category: 'Security',
    ruleId: 'dev-server-in-container',
    severity: 'P0',
    path: 'Dockerfile',
    base: DOCKERFILE('CMD ["gunicorn", "billing.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]'),
    head: DOCKERFILE('CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]'),
    onLine: 'runserver',
    verdict: 'NO-GO',
  },
  {
    category: 'Tenant isolation',
    ruleId: 'sql-injection',
    severity: 'P0',
    path: 'src/routes/reports.ts',
    head: `import { Router } from 'express';
import { prisma } from '../db';

export const reports = Router();

export async function invoiceTotals(orgId: string, status: string) {
  return prisma.$queryRawUnsafe(\`SELECT sum(total) FROM "Invoice" WHERE "orgId" = '\${orgId}' AND status = '\${status}'\`);
}

reports.get('/reports/totals', async (req, res) => {
  res.json(await invoiceTotals(req.user.orgId, String(req.query.status ?? 'paid')));
});
`,
    onLine: 'prisma.$queryRawUnsafe(',
    suggestion: '  return prisma.$queryRaw`SELECT sum(total) FROM "Invoice" WHERE "orgId" = ${orgId} AND status = ${status}`;',
    verdict: 'NO-GO',
  },
  {
    category: 'Reliability',
    ruleId: 'health-check-always-ok',
    severity: 'P0',
    path: 'src/routes/health.ts',
    head: `import { Router } from 'express';
import { db } from '../db';
import { logger } from '../logger';

export const health = Router();

health.get('/health', async (req, res) => {
  try {
    await db.raw('select 1');
    res.json({ status: 'ok' });
  } catch (err) {
    logger.error({ err }, 'health check failed');
    res.json({ status: 'down', error: String(err) });
  }
});
`,
    onLine: "res.json({ status: 'down'",
    suggestion: "    res.status(503).json({ status: 'down', error: String(err) });",
    verdict: 'NO-GO',
  },
  {
    category: 'Reliability',
    ruleId: 'http-no-timeout',
    // P1, not the rule's default P2: the call sits in a request handler, so a hung upstream holds the request.
    severity: 'P1',
    path: 'src/routes/invoices.ts',
    base: INVOICES_ROUTER,
    head: `${INVOICES_ROUTER}
invoices.get('/:id', async (req, res) => {
  const upstream = await fetch(\`\${BILLING_URL}/invoices/\${req.params.id}\`);
  res.status(upstream.status).json(await upstream.json());
});
`,
    onLine: 'const upstream = await fetch(',
    suggestion: '  const upstream = await fetch(`${BILLING_URL}/invoices/${req.params.id}`, { signal: AbortSignal.timeout(10_000) });',
    verdict: 'CONDITIONAL GO',
  },
  {
    category: 'Data lifecycle',
    ruleId: 'unbounded-table-growth',
    severity: 'P1',
    path: 'prisma/schema.prisma',
    base: WEBHOOK_SCHEMA,
    head: `${WEBHOOK_SCHEMA}
model WebhookDelivery {
  id         String   @id @default(cuid())
  endpointId String
  status     Int
  createdAt  DateTime @default(now())
}
`,
    onLine: 'model WebhookDelivery {',
    verdict: 'CONDITIONAL GO',
  },
  {
    category: 'Performance',
    ruleId: 'metrics-high-cardinality',
    severity: 'P1',
    path: 'src/middleware/metrics.ts',
    head: `import type { NextFunction, Request, Response } from 'express';
import client from 'prom-client';

const httpRequests = new client.Counter({ name: 'http_requests_total', help: 'requests', labelNames: ['method', 'path', 'status'] });

export function requestMetrics(req: Request, res: Response, next: NextFunction): void {
  res.on('finish', () => {
    httpRequests.inc({ method: req.method, path: req.originalUrl, status: res.statusCode });
  });
  next();
}
`,
    onLine: 'path: req.originalUrl',
    suggestion: "    httpRequests.inc({ method: req.method, path: req.route?.path ?? 'unmatched', status: res.statusCode });",
    verdict: 'CONDITIONAL GO',
  },
  {
    category: 'Observability',
    ruleId: 'print-logging',
    severity: 'P2',
    path: 'app/api/orders.py',
    base: ORDERS_API(''),
    head: ORDERS_API('    print(f"creating order {order.sku}")\n'),
    onLine: 'print(f"creating order',
    suggestion: '    logger.info(f"creating order {order.sku}")',
    verdict: 'GO',
  },
  {
    category: 'Code health',
    ruleId: 'suppression-missing-reason',
    severity: 'P3',
    path: 'src/clients/geo.ts',
    head: `import axios from 'axios';

export interface GeoLocation {
  country: string;
  city: string;
}

export async function locate(ip: string): Promise<GeoLocation> {
  // shipgate-ignore http-no-timeout
  const { data } = await axios.get(\`https://geo.example.net/\${ip}\`);
  return data as GeoLocation;
}
`,
    onLine: '// shipgate-ignore http-no-timeout',
    verdict: 'GO',
  },
];

const CONCLUSION: Record<Verdict, string> = { 'NO-GO': 'failure', 'CONDITIONAL GO': 'success', GO: 'success' };
const VERDICT_HEADING: Record<Verdict, string> = { 'NO-GO': '## ⛔ NO-GO', 'CONDITIONAL GO': '## ⚠️ CONDITIONAL GO', GO: '## ✅ GO' };

let h: Harness;
let metas: ReadonlyMap<string, RuleMeta>;
const opened = new Map<CategoryCase, { repo: RepoModel; pr: PullRequestModel }>();

beforeAll(async () => {
  h = await startHarness({ throttle: false });
  metas = new Map((await loadRules()).map((r) => [r.meta.id, r.meta]));
  // Every PR is opened up front and audited concurrently, like a busy installation.
  for (const [i, c] of CASES.entries()) {
    const repo = h.standIn.repo('acme', `categories-${i + 1}-${c.ruleId}`);
    const base = repo.commit({ 'README.md': '# service\n', ...(c.base !== undefined ? { [c.path]: c.base } : {}) });
    const head = repo.commit({ [c.path]: c.head }, base);
    const pr = repo.openPullRequest({ base, head });
    opened.set(c, { repo, pr });
  }
  const deliveries = await Promise.all([...opened.values()].map(({ pr }) => h.deliverPullRequest(pr, 'opened')));
  for (const d of deliveries) expect(d.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function scorecardRow(category: Category, severity: Severity): RegExp {
  const counts = (['P0', 'P1', 'P2', 'P3'] as const).map((s) => (s === severity ? 1 : 0)).join(' \\| ');
  return new RegExp(`\\| ${category} \\| [A-F] \\| \\d+ \\| ${counts} \\|`);
}

describe.each(CASES.map((c) => [c.category, c.ruleId, c] as const))('%s: a pull request that trips %s', (_category, ruleId, c) => {
  let check: CheckRunRecord;
  let comments: ReviewCommentRecord[];
  let line: number;

  beforeAll(async () => {
    const { pr } = opened.get(c)!;
    check = await h.standIn.waitForCompletedCheck(pr.headSha);
    comments = h.standIn.commentsOn(pr);
    const at = linesOf(c.head, c.onLine);
    expect(at).toHaveLength(1);
    line = at[0]!;
  });

  it(`gets one inline comment on ${c.path} with the ${c.severity} badge, the rule's title, id, why and fix`, () => {
    const meta = metas.get(ruleId)!;
    expect(meta.category).toBe(c.category);
    expect(comments).toEqual([expect.objectContaining({ path: c.path, line, start_line: null, side: 'RIGHT', commit_id: opened.get(c)!.pr.headSha })]);
    const body = comments[0]!.body;
    expect(body.startsWith(`**${BADGE[c.severity]} · ${meta.title}** (\`${ruleId}\`)`)).toBe(true);
    expect(body).toContain(`**Why it fails in production:** ${meta.docs.why}`);
    expect(body).toContain(`**Fix:** ${meta.docs.fix}`);
    expect(body).toMatch(/<!-- shipgate:fingerprint=[0-9a-f]+ -->/);
  });

  if (c.suggestion !== undefined) {
    it('carries the one-click suggestion that replaces exactly that line', () => {
      const body = comments[0]!.body;
      expect(body).toContain(`\n\`\`\`suggestion\n${c.suggestion}\n\`\`\`\n`);
      expect(body.match(/```suggestion/g)).toHaveLength(1);
      expect(body).not.toContain('<details><summary>Example</summary>');
    });
  } else {
    it('shows the rule’s before/after example instead of a suggestion', () => {
      const body = comments[0]!.body;
      expect(body).not.toContain('```suggestion');
      expect(body).toContain('<details><summary>Example</summary>');
      expect(body).toContain(metas.get(ruleId)!.docs.example.good);
    });
  }

  it(`concludes the check ${c.verdict} (${CONCLUSION[c.verdict]}) with the finding annotated and scored under ${c.category}`, () => {
    expect(check.name).toBe('Shipgate');
    expect(check.conclusion).toBe(CONCLUSION[c.verdict]);
    expect(check.output.title).toBe(`${c.verdict}: 1 ${c.severity}`);
    expect(check.output.summary).toContain(VERDICT_HEADING[c.verdict]);
    expect(check.output.summary).toMatch(new RegExp(`\\| ${BADGE[c.severity]} \\| 1 \\| 0 \\|`));
    expect(check.output.summary).toMatch(scorecardRow(c.category, c.severity));
    expect(check.output.summary).toContain(`\`${ruleId}\` [${c.path}:${line}]`);
    expect(check.annotations).toEqual([
      expect.objectContaining({ path: c.path, start_line: line, title: expect.stringContaining(ruleId) }),
    ]);
  });
});

describe('the suppressed finding', () => {
  it('stays silent while the suppression without a reason is reported', async () => {
    const { pr } = opened.get(CASES.find((c) => c.ruleId === 'suppression-missing-reason')!)!;
    await h.standIn.waitForCompletedCheck(pr.headSha);
    expect(h.standIn.commentsOn(pr).some((c) => c.body.includes('`http-no-timeout`'))).toBe(false);
  });
});
