import { ruleTable } from '../support/rule-tester.js';

ruleTable('interval-no-unref', {
  invalid: [
    {
      path: 'src/metrics.ts',
      code: `import { collectDefaultMetrics, register } from 'prom-client';
import express from 'express';
setInterval(flushMetrics, 10_000);`,
      lines: [3],
      suggestion: 'setInterval(flushMetrics, 10_000).unref();',
    },
    {
      code: `import { LRUCache } from 'lru-cache';
import express from 'express';
const sessions = new LRUCache<string, Session>({ max: 10_000 });
const sweeper = setInterval(() => sessions.purgeStale(), 60_000);`,
      lines: [4],
      message: /`sweeper` \(a `setInterval` timer\) is never cleared/,
      suggestion: 'const sweeper = setInterval(() => sessions.purgeStale(), 60_000).unref();',
    },
    {
      path: 'src/workers/email.worker.ts',
      code: `import { Worker } from 'bullmq';
export class EmailWorker {
  private heartbeat?: NodeJS.Timeout;
  start() {
    this.heartbeat = setInterval(() => this.redis.set('email-worker:alive', Date.now()), 5_000);
  }
}`,
      lines: [5],
      suggestion: "    this.heartbeat = setInterval(() => this.redis.set('email-worker:alive', Date.now()), 5_000).unref();",
    },
    {
      path: 'src/server.ts',
      code: `import Fastify from 'fastify';
const app = Fastify();
setInterval(async () => {
  await app.prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}, 15 * 60_000);
await app.listen({ port: 3000 });`,
      lines: [3],
      suggestion: `setInterval(async () => {
  await app.prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}, 15 * 60_000).unref();`,
    },
    { path: 'src/server.ts', code: `import express from 'express';\nglobal.setInterval(() => rotateKeys(), 3_600_000);` },
    {
      path: 'src/plugins/rate-limit.ts',
      code: `import fp from 'fastify-plugin';
export default fp(async (app) => {
  const hits = new Map<string, number>();
  const reset = setInterval(() => hits.clear(), 60_000);
  app.decorate('hits', hits);
});`,
      lines: [4],
    },
    {
      name: 'clearing one timer does not release another',
      path: 'src/server.ts',
      code: `import express from 'express';
const poll = setInterval(pollQueue, 1_000);
const flush = setInterval(flushBuffer, 5_000);
process.on('SIGTERM', () => clearInterval(poll));`,
      lines: [3],
    },
  ],
  valid: [
    { path: 'src/server.ts', code: `import express from 'express';\nsetInterval(flushMetrics, 10_000).unref();` },
    {
      path: 'src/server.ts',
      code: `import express from 'express';
const poll = setInterval(pollQueue, 1_000);
process.on('SIGTERM', () => { clearInterval(poll); server.close(); });`,
    },
    {
      path: 'src/services/presence.service.ts',
      code: `@Injectable()
export class PresenceService implements OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  onModuleInit() { this.timer = setInterval(() => this.publish(), 30_000); }
  onModuleDestroy() { clearInterval(this.timer); }
}`,
    },
    {
      path: 'src/components/Clock.tsx',
      code: `export function Clock() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => { setInterval(() => setNow(Date.now()), 1_000); }, []);
  return <time>{now}</time>;
}`,
    },
    {
      path: 'src/lib/polling.ts',
      code: `import { useEffect } from 'react';
export function usePolling(fn: () => void) {
  useEffect(() => { const id = setInterval(fn, 5_000); }, [fn]);
}`,
    },
    { path: 'src/lib/banner.ts', code: `export const rotate = () => window.setInterval(nextSlide, 8_000);` },
    {
      path: 'src/lib/scheduler.ts',
      code: `import express from 'express';
export function every(ms: number, task: () => void): NodeJS.Timeout {
  return setInterval(task, ms);
}`,
    },
    {
      path: 'src/server.ts',
      code: `import express from 'express';
const sweeper = setInterval(sweep, 60_000);
sweeper.unref();`,
    },
    {
      path: 'src/app.ts',
      code: `import Fastify from 'fastify';
const app = Fastify();
const timer = setInterval(() => app.log.info({ rss: process.memoryUsage().rss }), 30_000);
app.addHook('onClose', async () => clearInterval(timer));`,
    },
    {
      path: 'src/pool.ts',
      code: `import * as timers from 'node:timers';
import { Pool } from 'pg';
export class Reaper {
  private interval?: NodeJS.Timeout;
  start() { this.interval = setInterval(() => this.reap(), 1_000); }
  stop() { timers.clearInterval(this.interval); }
}`,
    },
    {
      name: 'handles handed to other code are released there',
      path: 'src/services/dashboard.service.ts',
      code: `@Injectable()
export class DashboardService {
  private readonly timers: NodeJS.Timeout[] = [];
  watch(widget: Widget) {
    const timer = setInterval(() => this.refresh(widget), widget.refreshMs);
    this.timers.push(timer);
  }
  onModuleDestroy() { this.timers.forEach(clearInterval); }
}`,
    },
    {
      name: 'a browser game with no sign of Node',
      path: 'src/game/turret.js',
      code: `export class Turret {
  constructor(scene, tank) {
    this.cannon = scene.add.sprite(tank.x, tank.y, 'cannon');
    this.scanning = setInterval(() => this.scanForEnemies(), 1500);
  }
}`,
    },
    { path: 'scripts/watch-queue.ts', code: `setInterval(async () => console.log(await queue.count()), 2_000);` },
  ],
});
