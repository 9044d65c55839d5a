import { ruleTable } from '../support/rule-tester.js';

ruleTable('floating-promise', {
  language: 'ts',
  invalid: [
    {
      name: 'Express: async helper from the same file called without await',
      code: `import express from 'express';
const app = express();

async function sendWelcomeEmail(user: User) {
  await mailer.sendMail({ to: user.email, subject: 'Welcome' });
}

app.post('/signup', async (req, res) => {
  const user = await createUser(req.body);
  sendWelcomeEmail(user);
  res.status(201).json(user);
});`,
      lines: [10],
      message: /declared `async` in this file/,
      suggestion: '  await sendWelcomeEmail(user);',
    },
    {
      name: 'Prisma update without await never runs',
      code: `export async function markPaid(orderId: string) {
  prisma.order.update({ where: { id: orderId }, data: { status: 'PAID' } });
  return { ok: true };
}`,
      lines: [2],
      message: /never runs/,
    },
    {
      name: 'BullMQ queue.add in a Fastify handler',
      code: `import { Queue } from 'bullmq';
const emailQueue = new Queue('email', { connection });

fastify.post('/invite', async (request, reply) => {
  emailQueue.add('invite', { email: request.body.email });
  return reply.code(202).send();
});`,
      lines: [5],
      message: /BullMQ/,
    },
    {
      name: '.then without a rejection handler',
      code: `export function handler(req, res) {
  fetch('https://hooks.slack.com/services/T000/B000/XXX', { method: 'POST', body: JSON.stringify({ text: 'new order' }) })
    .then((r) => r.json());
  res.status(204).end();
}`,
      lines: [2],
      message: /without a rejection handler/,
    },
    {
      name: 'fs/promises write in a NestJS service',
      code: `import { writeFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';

@Injectable()
export class ExportService {
  async export(report: Report) {
    writeFile(\`/tmp/\${report.id}.csv\`, toCsv(report));
    return { id: report.id };
  }
}`,
      lines: [7],
    },
    {
      name: 'fs/promises import list with a comment among the names',
      code: `import { readFile, /* streamed elsewhere */ writeFile } from 'fs/promises';
import { promises as fsp, /* sync for start-up */ readFileSync } from 'fs';

export function save(path: string, body: string) {
  writeFile(path, body);
  fsp.rm(path + '.tmp');
}`,
      lines: [5, 6],
    },
    {
      name: 'async method of the same class via this',
      code: `export class BillingService {
  async syncInvoices(customerId: string) {
    const invoices = await stripe.invoices.list({ customer: customerId });
    await this.repo.save(invoices.data);
  }

  onCustomerUpdated(event: CustomerEvent) {
    this.syncInvoices(event.customerId);
  }
}`,
      lines: [8],
      message: /async` method of this class/,
    },
    {
      name: 'ioredis del in a logout route',
      code: `router.post('/logout', (req, res) => {
  redis.del(\`session:\${req.sessionID}\`);
  res.clearCookie('sid').sendStatus(204);
});`,
      lines: [2],
    },
    {
      name: 'axios post in a webhook forwarder',
      code: `export async function forward(event: WebhookEvent) {
  axios.post(process.env.FORWARD_URL!, event, { timeout: 5000 });
}`,
      lines: [2],
      suggestion: '  await axios.post(process.env.FORWARD_URL!, event, { timeout: 5000 });',
    },
    {
      // The gate: neither `prisma` nor `async` is in this file, only the method name `delete`.
      name: 'Prisma transaction client passed to a plain function',
      code: `export function purgeUser(tx: Tx, id: string) {
  tx.user.delete({ where: { id } });
}`,
      lines: [2],
      message: /never runs/,
    },
    {
      name: 'async arrow bound to a short name that also occurs inside other words and strings',
      code: `const t = async (id: string) => {
  await fetch(\`/t/\${id}\`);
};
export async function retry(ids: string[]) {
  const at = 't';
  for (const id of ids) t(id);
}`,
      lines: [6],
      message: /`t` is declared `async` in this file/,
    },
  ],
  valid: [
    {
      name: 'a name declared both async and sync in the file is ambiguous',
      code: `class Sync {
  sync() { return 1; }
}
async function sync(id: string) {
  await fetch(id);
}
function run(id: string) {
  const sync = function () { return id; };
  sync();
}`,
    },
    {
      name: 'a module function of the same name as an async method is not the method',
      code: `function save(x) { return x; }
class Repo {
  async persist(x) { await db.write(x); }
  store(x) {
    save(x);
  }
}`,
    },
    {
      name: 'async in a nested function only: the outer one cannot reject',
      code: `async function warm() {
  try {
    await load();
  } catch (err) {
    logger.warn({ err });
  }
  const later = async () => {
    await load();
  };
  return later;
}
export function boot() {
  warm();
}`,
    },
    {
      name: 'void marks fire-and-forget on purpose',
      code: `async function track(event: string) { await analytics.track(event); }
app.post('/login', async (req, res) => {
  void track('login');
  res.sendStatus(204);
});`,
    },
    {
      name: 'awaited',
      code: `export async function markPaid(orderId: string) {
  await prisma.order.update({ where: { id: orderId }, data: { status: 'PAID' } });
}`,
    },
    {
      name: 'returned',
      code: `export function enqueue(id: string) {
  return emailQueue.add('invite', { id });
}`,
    },
    {
      name: '.catch attached',
      code: `app.post('/signup', async (req, res) => {
  const user = await createUser(req.body);
  sendWelcomeEmail(user).catch((err) => req.log.error({ err }, 'welcome email failed'));
  res.status(201).json(user);
});
async function sendWelcomeEmail(user) { await mailer.sendMail({ to: user.email }); }`,
    },
    {
      name: '.then(ok, err)',
      code: `export function ping(res) {
  fetch('/health').then((r) => res.send(r.status), (err) => res.status(503).send(err.message));
}`,
    },
    {
      name: 'module-level main() in a script',
      path: 'src/jobs/backfill.ts',
      code: `async function main() {
  const users = await prisma.user.findMany();
  for (const u of users) await backfill(u);
}
main();`,
    },
    {
      name: 'a sync function with a name that looks async',
      code: `function saveDraft(draft: Draft) { drafts.set(draft.id, draft); }
app.post('/drafts', (req, res) => {
  saveDraft(req.body);
  res.sendStatus(204);
});`,
    },
    {
      name: 'p-queue add takes a function, not a job name',
      code: `export function crawl(urls: string[]) {
  for (const url of urls) queue.add(() => fetchPage(url));
}`,
    },
    {
      name: 'node-redis v3 callback style',
      code: `export function remember(key, value) {
  redis.set(key, value, (err) => { if (err) logger.error({ err }, 'cache write failed'); });
}`,
    },
    {
      name: 'async helper that cannot reject',
      code: `async function notifySlack(text: string) {
  try {
    await fetch(SLACK_URL, { method: 'POST', body: JSON.stringify({ text }) });
  } catch (err) {
    logger.warn({ err }, 'slack notify failed');
  }
}
export async function onOrder(order: Order) {
  notifySlack(\`order \${order.id}\`);
}`,
    },
    {
      name: 'res.json is not a promise',
      code: `app.get('/me', (req, res) => {
  res.json(req.user);
});`,
    },
  ],
});
