import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A throwaway redis-server on 127.0.0.1 for the BullMQ tests: a free port, no persistence,
 * killed by `stop()`.
 */

export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    // stdout is read to the end (an unread pipe would keep the test process alive); stderr is not needed.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    const onError = (error: NodeJS.ErrnoException): void =>
      fail(error.code === 'ENOENT' ? new Error('redis-server is not installed; the BullMQ tests need it: apt-get install -y redis-server') : error);
    const onExit = (code: number | null): void => fail(new Error(`redis-server exited with code ${code}:\n${output}`));
    const onData = (chunk: Buffer): void => {
      if (output.length < 20_000) output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        settle();
        resolve();
      }
    };
    function settle(): void {
      clearTimeout(timer);
      child.off('error', onError);
      child.off('exit', onExit);
    }
    function fail(error: Error): void {
      settle();
      reject(error);
    }
    child.on('error', onError);
    child.on('exit', onExit);
    child.stdout!.on('data', onData);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const deadline = Date.now() + 10_000;
      while (isAlive(child.pid)) {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
