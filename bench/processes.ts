import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Measurement } from './measure.js';
import { run, TimedOut } from './spawn.js';

/** Whole-process timings: the CLI as a user runs it, and bandit. Wall time includes start-up. */

export async function shipgateScan(
  repoRoot: string,
  dir: string,
  files: number,
  bytes: number,
  count: number,
  timeoutMs: number,
  disabled: readonly string[] = [],
): Promise<Measurement> {
  const probe = pathToFileURL(join(repoRoot, 'dist', 'bench', 'rss-probe.js')).href;
  const rssFile = join(dir, '..', `rss-${process.pid}.txt`);
  const configArgs: string[] = [];
  if (disabled.length) {
    const config = join(dir, '..', `shipgate-${process.pid}.yml`);
    writeFileSync(config, `rules:\n${disabled.map((id) => `  ${id}: off\n`).join('')}`);
    configArgs.push('--config', config);
  }
  const runs: number[] = [];
  const cpu: number[] = [];
  let maxRss = 0;
  let findings = 0;
  for (let i = 0; i < count; i++) {
    const exited = await run(process.execPath, ['--import', probe, join(repoRoot, 'bin', 'shipgate.js'), 'scan', dir, '--format', 'json', '--fail-on', 'none', ...configArgs], {
      env: { ...process.env, SHIPGATE_BENCH_RSS_FILE: rssFile },
      timeoutMs,
    });
    if (exited.timedOut) throw new TimedOut('shipgate scan', timeoutMs);
    if (exited.code !== 0) throw new Error(`shipgate scan exited ${exited.code}: ${exited.stderr.slice(0, 2000)}`);
    runs.push(exited.ms);
    const usage = JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssKb: number; cpuMs: number };
    cpu.push(usage.cpuMs);
    maxRss = Math.max(maxRss, usage.maxRssKb);
    findings = countFindings(exited.stdout);
  }
  rmSync(rssFile, { force: true });
  return { mode: 'cli', files, bytes, runs, cpu, maxRssKb: maxRss, counts: { findings } };
}

function countFindings(json: string): number {
  try {
    const report = JSON.parse(json) as { findings?: unknown[] };
    return Array.isArray(report.findings) ? report.findings.length : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** bandit's path, or undefined when it is not installed. */
export function findBandit(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'bandit');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Runs a command under Python and reports its wall time, CPU time and peak RSS (getrusage of the child). */
const RUSAGE = `
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
ms = (time.perf_counter() - start) * 1000
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "ms": ms, "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000, "maxRssKb": usage.ru_maxrss, "stderr": done.stderr.decode()[-2000:]}))
`;

export async function bandit(path: string, dir: string, files: number, bytes: number, count: number, timeoutMs: number): Promise<Measurement> {
  const out = join(dir, '..', `bandit-${process.pid}.json`);
  const runs: number[] = [];
  const cpu: number[] = [];
  let maxRss = 0;
  for (let i = 0; i < count; i++) {
    const exited = await run('python3', ['-c', RUSAGE, path, '-r', dir, '-f', 'json', '-o', out, '-q'], { timeoutMs });
    if (exited.timedOut) throw new TimedOut('bandit', timeoutMs);
    const r = JSON.parse(exited.stdout) as { code: number; ms: number; cpuMs: number; maxRssKb: number; stderr: string };
    // bandit exits 1 when it found issues.
    if (r.code !== 0 && r.code !== 1) throw new Error(`bandit exited ${r.code}: ${r.stderr}`);
    runs.push(r.ms);
    cpu.push(r.cpuMs);
    maxRss = Math.max(maxRss, r.maxRssKb);
  }
  const report = JSON.parse(readFileSync(out, 'utf8')) as { results?: unknown[]; errors?: unknown[] };
  rmSync(out, { force: true });
  let version = '';
  try {
    version = execFileSync(path, ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  } catch {
    version = 'bandit';
  }
  return {
    mode: 'bandit',
    files,
    bytes,
    runs,
    cpu,
    maxRssKb: maxRss,
    counts: { findings: report.results?.length ?? Number.NaN, errors: report.errors?.length ?? 0 },
    notes: [version.trim()],
  };
}
