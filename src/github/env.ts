import { z } from 'zod';

/**
 * The App's environment, validated once at start-up so that a missing secret is a clear message
 * and not a 401 an hour later. Probot reads the GitHub variables (APP_ID, PRIVATE_KEY,
 * PRIVATE_KEY_PATH, WEBHOOK_SECRET, WEBHOOK_PATH, GHE_HOST, GHE_PROTOCOL, LOG_*) itself; they are
 * checked here too. `.env.example` lists every variable.
 */

const port = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number')
  .transform(Number)
  .refine((n) => n <= 65_535, 'must be a port number');

const positiveInt = z
  .string()
  .regex(/^[1-9]\d*$/, 'must be a positive integer')
  .transform(Number);

const schema = z
  .object({
    APP_ID: z.string({ error: 'is required (the App ID from the GitHub App settings)' }).regex(/^\d+$/, 'must be the numeric App ID'),
    PRIVATE_KEY: z.string().min(1).optional(),
    PRIVATE_KEY_PATH: z.string().min(1).optional(),
    WEBHOOK_SECRET: z.string({ error: 'is required (the webhook secret set in the GitHub App settings)' }).min(1, 'must not be empty'),
    WEBHOOK_PATH: z.string().startsWith('/').optional(),
    GHE_HOST: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be a host name (and optional port), without protocol or path')
      .optional(),
    GHE_PROTOCOL: z.enum(['http', 'https']).optional(),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
    SHIPGATE_DB_PATH: z.string().min(1).default('data/shipgate-queue.db'),
    SHIPGATE_CONCURRENCY: positiveInt.default(2),
    PORT: port.default(3000),
    HOST: z.string().min(1).optional(),
  })
  .refine((env) => env.PRIVATE_KEY !== undefined || env.PRIVATE_KEY_PATH !== undefined, {
    message: 'PRIVATE_KEY or PRIVATE_KEY_PATH is required (the App private key, or the path of its .pem file)',
    path: ['PRIVATE_KEY'],
  });

export interface AppEnv {
  readonly appId: string;
  readonly webhookPath: string;
  readonly redisUrl: string | undefined;
  readonly dbPath: string;
  readonly concurrency: number;
  readonly port: number;
  readonly host: string | undefined;
}

export class InvalidEnvError extends Error {
  override readonly name = 'InvalidEnvError';
}

/** Empty strings count as unset, as in most .env files. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

export function readAppEnv(env: NodeJS.ProcessEnv): AppEnv {
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    // Only names and rules are printed, never values: these variables hold secrets.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`);
    throw new InvalidEnvError(`Shipgate cannot start:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    appId: e.APP_ID,
    webhookPath: e.WEBHOOK_PATH ?? '/api/github/webhooks',
    redisUrl: e.REDIS_URL,
    dbPath: e.SHIPGATE_DB_PATH,
    concurrency: e.SHIPGATE_CONCURRENCY,
    port: e.PORT,
    host: e.HOST,
  };
}
