import { ruleTable } from '../support/rule-tester.js';

ruleTable('console-logging', {
  language: 'ts',
  invalid: [
    {
      // Forty leading block comments made the 'use client' check backtrack for hours (ReDoS).
      name: 'a server file opening with many comments is judged, and quickly',
      path: 'src/routes/health.ts',
      code: '/* generated header */\n'.repeat(40) + "import express from 'express';\nconst app = express();\napp.get('/x', (req, res) => { console.log('hit'); res.end(); });\n",
      lines: [43],
    },
    {
      name: 'Express route file',
      path: 'src/routes/orders.ts',
      code: `import { Router } from 'express';
export const orders = Router();
orders.post('/', async (req, res) => {
  console.log('creating order', req.body.sku);
  res.sendStatus(201);
});`,
      lines: [4],
      message: /imports express/,
    },
    {
      name: 'Fastify plugin, console.error in a handler',
      path: 'src/plugins/billing.ts',
      code: `import type { FastifyInstance } from 'fastify';
export default async function billing(app: FastifyInstance) {
  app.post('/refund', async (request, reply) => {
    try {
      await refund(request.body);
    } catch (err) {
      console.error(err);
      return reply.code(502).send();
    }
  });
}`,
      lines: [7],
    },
    {
      name: 'Next.js route handler',
      path: 'app/api/webhooks/stripe/route.ts',
      code: `export async function POST(req: Request) {
  const event = await verify(req);
  console.log('stripe event', event.type);
  return Response.json({ received: true });
}`,
      lines: [3],
      message: /Next.js route handler/,
    },
    {
      name: 'NestJS service',
      path: 'src/billing/billing.service.ts',
      code: `import { Injectable } from '@nestjs/common';
@Injectable()
export class BillingService {
  async charge(customerId: string) {
    console.warn('charging', customerId);
  }
}`,
      lines: [5],
    },
    {
      name: 'BullMQ worker, with a logger in scope: suggestion',
      path: 'src/workers/email.ts',
      code: `import { Worker } from 'bullmq';
import { logger } from '../lib/logger';
new Worker('email', async (job) => {
  console.log(\`sending \${job.id}\`);
  await send(job.data);
});`,
      lines: [4],
      suggestion: '  logger.info(`sending ${job.id}`);',
    },
    {
      name: 'Prisma-backed module under services/ (by path)',
      path: 'src/services/users.ts',
      code: `export async function deactivate(id: string) {
  console.info('deactivating', id);
  return db.user.update({ where: { id }, data: { active: false } });
}`,
      lines: [2],
    },
    {
      name: 'pages/api handler in JS',
      path: 'pages/api/health.js',
      code: `export default function handler(req, res) {
  console.debug('health check');
  res.status(200).json({ ok: true });
}`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'our own CLI',
      path: 'src/cli/scan.ts',
      code: `import { loadEngine } from '../engine/audit.js';
export async function scan() {
  console.log('scanning…');
}`,
    },
    {
      name: 'bin with a shebang',
      path: 'bin/shipgate.js',
      code: `#!/usr/bin/env node
import('../dist/src/cli/main.js').catch((err) => { console.error(err); process.exit(1); });`,
    },
    {
      name: 'a seed script that imports Prisma',
      path: 'scripts/seed.ts',
      code: `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
console.log('seeding');`,
    },
    {
      name: 'a commander CLI outside bin/',
      path: 'src/tools/migrate.ts',
      code: `import { Command } from 'commander';
import knex from 'knex';
new Command('migrate').action(async () => { console.log('migrating'); });`,
    },
    {
      name: 'a React client component',
      path: 'app/dashboard/page.tsx',
      code: `'use client';
export default function Page() {
  console.log('render');
  return <div />;
}`,
    },
    {
      name: "'use client' module in .ts",
      path: 'app/api-client/hooks.ts',
      code: `'use client';
export function useOrders() {
  console.log('fetching orders');
}`,
    },
    {
      name: 'a config file',
      path: 'next.config.mjs',
      code: `console.log('building for', process.env.NODE_ENV);
export default { reactStrictMode: true };`,
    },
    {
      name: 'a plain utility with no server evidence',
      path: 'src/lib/format.ts',
      code: `export function money(cents: number) {
  console.warn('deprecated, use Intl');
  return (cents / 100).toFixed(2);
}`,
    },
    {
      name: 'require.main block of a runnable server module',
      path: 'src/server.js',
      code: `const express = require('express');
const app = express();
module.exports = app;
if (require.main === module) {
  app.listen(3000, () => console.log('listening on 3000'));
}`,
    },
    {
      name: 'console allowed with eslint',
      path: 'src/routes/admin.ts',
      code: `import { Router } from 'express';
export const admin = Router();
admin.post('/debug', (req, res) => {
  // eslint-disable-next-line no-console
  console.warn('debug endpoint hit');
  res.sendStatus(204);
});`,
    },
    {
      name: 'last words before process.exit',
      path: 'src/server.ts',
      code: `import Fastify from 'fastify';
export async function start() {
  const app = Fastify();
  try {
    await app.listen({ port: 3000 });
  } catch (err) {
    console.error('could not start', err);
    process.exit(1);
  }
}`,
    },
    {
      name: 'dev-only warning',
      path: 'src/server/session.ts',
      code: `export function getSession(req) {
  if (process.env.NODE_ENV !== 'production') {
    console.warn('getSession is deprecated');
  }
  return req.session;
}`,
    },
    {
      name: 'a logger implementation writes to the console by design',
      path: 'src/services/console-logger.service.ts',
      code: `import { Injectable } from '@nestjs/common';
@Injectable()
export class ConsoleLogger {
  log(message: string) { console.log(JSON.stringify({ level: 'info', message })); }
}`,
    },
    {
      name: 'a library built on ioredis is not an application server',
      path: 'src/redis-connection.ts',
      code: `import IORedis from 'ioredis';
export function connect(opts) {
  const client = new IORedis(opts);
  client.on('error', (err) => console.warn('redis connection error', err));
  return client;
}`,
    },
    {
      name: 'the structured logger itself',
      path: 'src/routes/orders.ts',
      code: `import { Router } from 'express';
export const orders = Router();
orders.post('/', async (req, res) => {
  req.log.info({ sku: req.body.sku }, 'creating order');
  res.sendStatus(201);
});`,
    },
  ],
});
