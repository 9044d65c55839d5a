import { realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { createNodeMiddleware, createProbot, ProbotOctokit } from 'probot';
import type { Engine } from '../engine/audit.js';
import { openQueue } from '../queue/index.js';
import type { JobQueue } from '../queue/types.js';
import { shipgate } from './app.js';
import { InvalidEnvError, readAppEnv } from './env.js';
import type { AuditJob } from './pr-audit.js';

/**
 * `npm start`: the Probot app behind a plain Node HTTP server. Probot builds the GitHub client
 * from the environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, and
 * GHE_HOST / GHE_PROTOCOL for GitHub Enterprise Server, which is also how tests reach a local
 * stand-in) and verifies every webhook's signature before the app sees it.
 */

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides PORT; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Overrides the queue the environment selects. */
  readonly queue?: JobQueue<AuditJob>;
  readonly engine?: Engine;
  readonly log?: Logger;
  /**
   * Octokit's request pacing (writes at least 1 s apart, comment-creating writes 3 s apart, per
   * installation) keeps the App under GitHub's secondary rate limits. On by default; a benchmark
   * against a local stand-in may turn it off to measure Shipgate itself.
   */
  readonly throttle?: boolean;
}

export interface RunningShipgate {
  readonly url: string;
  readonly port: number;
  readonly webhookUrl: string;
  readonly queue: JobQueue<AuditJob>;
  readonly log: Logger;
  /** Stops accepting webhooks, lets running audits finish, closes the queue. */
  close(): Promise<void>;
}

export async function startShipgate(options: StartOptions = {}): Promise<RunningShipgate> {
  const env = options.env ?? process.env;
  const settings = readAppEnv(env);
  const probot = createProbot({
    env,
    // REDIS_URL selects the job queue. Probot would also use it for clustered rate limiting
    // through a package it installs on the fly; Shipgate keeps request throttling per process.
    overrides: {
      redisConfig: undefined,
      ...(options.log ? { log: options.log } : {}),
      ...(options.throttle === false ? { Octokit: unthrottled() } : {}),
    },
  });
  const queue = options.queue ?? openQueue<AuditJob>({ redisUrl: settings.redisUrl, dbPath: settings.dbPath });
  const middleware = await createNodeMiddleware(
    shipgate({ queue, concurrency: settings.concurrency, ...(options.engine ? { engine: options.engine } : {}) }),
    { probot, webhooksPath: settings.webhookPath },
  );

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/ping')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    void middleware(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
  });
  // GitHub waits 10 s for a webhook answer; a slow client must not hold a socket longer.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  const host = options.host ?? settings.host;
  const port = options.port ?? settings.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shown}:${address.port}`;
  probot.log.info(`Shipgate listening on ${url}${settings.webhookPath}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    webhookUrl: `${url}${settings.webhookPath}`,
    queue,
    log: probot.log,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await queue.close();
      })()),
  };
}

/** Probot's client with the throttling plugin switched off (it passes its own throttle options last). */
function unthrottled(): typeof ProbotOctokit {
  return ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    throttle: { ...(options.throttle as object | undefined), enabled: false },
  })) as typeof ProbotOctokit;
}

async function main(): Promise<void> {
  let running: RunningShipgate;
  try {
    running = await startShipgate();
  } catch (error) {
    if (error instanceof InvalidEnvError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const stop = (signal: string): void => {
    running.log.info(`${signal}: finishing running audits, then stopping`);
    // A second signal, or audits that hang, end the process; queued jobs survive in the queue.
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    void running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) await main();
