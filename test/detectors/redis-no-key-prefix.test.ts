import { ruleTable } from '../support/rule-tester.js';

ruleTable('redis-no-key-prefix', {
  language: 'ts',
  invalid: [
    {
      name: 'cache client with an env-dependent TTL',
      code: `
import Redis from 'ioredis';

const cache = new Redis(process.env.REDIS_URL!);
const TTL = process.env.NODE_ENV === 'production' ? 3600 : 60;

export async function cachedUser(id: string) {
  const hit = await cache.get(\`user:\${id}\`);
  if (hit) return JSON.parse(hit);
  const user = await prisma.user.findUnique({ where: { id } });
  await cache.set(\`user:\${id}\`, JSON.stringify(user), 'EX', TTL);
  return user;
}`,
      lines: [4],
      severity: 'P2',
      message: /`cache` writes keys without a `keyPrefix`.*process\.env\.NODE_ENV/,
      suggestion: 'const cache = new Redis(process.env.REDIS_URL!, { keyPrefix: `${process.env.NODE_ENV}:` });',
    },
    {
      name: 'options object without keyPrefix',
      code: `
import Redis from 'ioredis';

export const sessions = new Redis({ host: process.env.REDIS_HOST, port: 6379, tls: process.env.APP_ENV === 'local' ? undefined : {} });

export async function loadSession(sid: string) {
  return sessions.hgetall(\`sess:\${sid}\`);
}`,
      lines: [4],
      suggestion:
        "export const sessions = new Redis({ host: process.env.REDIS_HOST, port: 6379, tls: process.env.APP_ENV === 'local' ? undefined : {}, keyPrefix: `${process.env.APP_ENV}:` });",
    },
    {
      name: 'NestJS service field',
      path: 'src/rates/rates.service.ts',
      code: `
import Redis from 'ioredis';

@Injectable()
export class RatesService {
  private readonly redis = new Redis(this.config.getOrThrow('REDIS_URL'));
  private readonly stage = process.env.APP_ENV;

  async latest(pair: string) {
    return this.redis.get(\`fx:\${pair}\`);
  }
}`,
      lines: [6],
    },
    {
      name: 'Redis Cluster on Vercel',
      code: `
import Redis from 'ioredis';

const cluster = new Redis.Cluster([{ host: process.env.REDIS_HOST!, port: 6379 }]);
const isPreview = process.env.VERCEL_ENV === 'preview';

export async function rememberFlag(flag: string, on: boolean) {
  await cluster.set(\`flag:\${flag}\`, on ? '1' : '0');
}`,
      lines: [4],
    },
    {
      name: 'environment read by destructuring process.env',
      code: `
import IORedis from 'ioredis';

const { NODE_ENV, REDIS_URL } = process.env;
const pageCache = new IORedis(REDIS_URL!);

export const getPage = (slug: string) => pageCache.get(\`page:\${slug}\`);
export const debug = NODE_ENV !== 'production';`,
      lines: [5],
    },
    {
      name: 'validated env module and a hard-coded host',
      code: `
import Redis from 'ioredis';
import { env } from './env';

const redis = new Redis({ host: 'redis.internal', port: 6379 });

export async function countVisit(path: string) {
  if (env.NODE_ENV === 'test') return;
  await redis.incr(\`visits:\${path}\`);
}`,
      lines: [5],
    },
  ],
  valid: [
    {
      name: 'client with keyPrefix',
      code: `
import Redis from 'ioredis';

const cache = new Redis(process.env.REDIS_URL!, { keyPrefix: \`\${process.env.NODE_ENV}:app:\` });
export const get = (k: string) => cache.get(k);`,
    },
    {
      name: 'BullMQ connection (maxRetriesPerRequest: null)',
      code: `
import Redis from 'ioredis';
import { Queue } from 'bullmq';

const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
export const emails = new Queue('emails', { connection, prefix: process.env.NODE_ENV });
await connection.set('boot', Date.now());`,
    },
    {
      name: 'client handed to a BullMQ worker',
      code: `
import IORedis from 'ioredis';
import { Worker } from 'bullmq';

const redis = new IORedis(process.env.REDIS_URL!);
const worker = new Worker('reports', processReport, { connection: redis, prefix: \`\${process.env.APP_ENV}\` });
await redis.set('worker:up', '1');`,
    },
    {
      name: 'code that does not know about environments',
      code: `
import Redis from 'ioredis';

const cache = new Redis(process.env.REDIS_URL!);
export const get = (id: string) => cache.get(\`user:\${id}\`);`,
    },
    {
      name: 'Upstash client',
      code: `
import { Redis } from '@upstash/redis';

const redis = new Redis({ url: process.env.UPSTASH_REDIS_REST_URL!, token: process.env.UPSTASH_REDIS_REST_TOKEN! });
const env = process.env.VERCEL_ENV;
export const get = (id: string) => redis.get(\`user:\${id}\`);`,
    },
    {
      name: 'keys prefixed by hand with the environment',
      code: `
import Redis from 'ioredis';

const env = process.env.NODE_ENV;
const cache = new Redis(process.env.REDIS_URL!);
export const get = (id: string) => cache.get(\`\${env}:user:\${id}\`);`,
    },
    {
      name: 'a pub/sub subscriber (no keys)',
      code: `
import Redis from 'ioredis';

const subscriber = new Redis(process.env.REDIS_URL!);
subscriber.subscribe(\`events:\${process.env.NODE_ENV}\`);
subscriber.on('message', (channel, message) => handle(JSON.parse(message)));`,
    },
    {
      name: 'keys built by a helper',
      code: `
import Redis from 'ioredis';

const cache = new Redis(process.env.REDIS_URL!);
const key = (...parts: string[]) => [process.env.APP_ENV, 'api', ...parts].join(':');
export const get = (id: string) => cache.get(key('user', id));`,
    },
    {
      name: 'a test file',
      path: 'src/cache.test.ts',
      code: `
import Redis from 'ioredis';
const cache = new Redis();
process.env.NODE_ENV = 'test';
await cache.set('k', 'v');`,
    },
  ],
});
