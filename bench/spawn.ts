import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, ms. */
  readonly ms: number;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Kill the child (SIGKILL) after this long; `timedOut` is then set. */
  readonly timeoutMs?: number;
}

/** Runs a command to completion (arguments as an array: nothing goes through a shell). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<Exited & { readonly timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    // Its own process group, so a timeout also ends what the child started (bandit under python).
    const child = spawn(command, [...args], { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - start, timedOut });
    });
  });
}

export class TimedOut extends Error {
  constructor(readonly what: string, readonly limitMs: number) {
    super(`${what} did not finish within ${Math.round(limitMs / 1000)} s`);
  }
}
