import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultCorpus, dirCorpus, GROUPS, materialise, type Manifest } from './corpus.js';
import type { EndToEnd } from './e2e.js';
import type { Measurement } from './measure.js';
import { bandit, findBandit, shipgateScan } from './processes.js';
import { report, type Results } from './report.js';
import { run, TimedOut } from './spawn.js';

const USAGE = `Usage: npm run bench -- [DIR…] [--runs N] [--timeout SECONDS] [--disable RULE,…] [--skip-peers] [--skip-e2e] [--cpu-prof DIR] [--json FILE] [--keep]

Measures, in one run and on the same files: the tree-sitter parse floor, parse + one
20-pattern query, Shipgate's engine with every rule (in-process) and \`shipgate scan\`
(whole process), PRs of 20/200/3000 files, ESLint + eslint-plugin-security on the JS files,
bandit on the Python files (when installed), and webhook → check run end to end.
Without DIR: sources of this repo's node_modules and Debian's Python packages.`;

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Options {
  readonly runs: number;
  /** Each measuring process is stopped after this long. */
  readonly timeoutMs: number;
  readonly peers: boolean;
  readonly e2e: boolean;
  readonly cpuProf?: string;
  /** Rules left out (`--disable id,id`), named in the report. */
  readonly disabled: readonly string[];
}

async function worker<T = Measurement>(
  manifest: Manifest,
  options: Options,
  mode: string,
  arg?: string,
  extra: readonly string[] = [],
  exposeGc = true,
): Promise<T> {
  const profile = options.cpuProf && (mode === 'engine' || mode === 'pr') ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`, `--cpu-prof-name=${mode}-${arg}.cpuprofile`] : [];
  const args = [...(exposeGc ? ['--expose-gc'] : []), ...profile, join(REPO, 'dist', 'bench', 'worker.js'), manifest.root, mode, ...(arg ? [arg] : []), '--runs', String(options.runs), '--disable', options.disabled.join(','), ...extra];
  const exited = await run(process.execPath, args, { timeoutMs: options.timeoutMs });
  if (exited.timedOut) throw new TimedOut(`${mode} ${arg ?? ''}`.trim(), options.timeoutMs);
  if (exited.code !== 0) throw new Error(`bench worker ${mode} ${arg ?? ''} failed:\n${exited.stderr.slice(-3000)}`);
  return JSON.parse(exited.stdout.trim().split('\n').pop()!) as T;
}

/** Single-process measurements of one mode as one: every timing, the highest peak; the first failure if any. */
function combined(parts: readonly Measurement[]): Measurement {
  const failed = parts.find((m) => m.failed);
  if (failed) return failed;
  const first = parts[0]!;
  return {
    ...first,
    runs: parts.flatMap((m) => m.runs),
    cpu: parts.flatMap((m) => m.cpu ?? []),
    maxRssKb: Math.max(...parts.map((m) => m.maxRssKb)),
  };
}

/** A measurement, or a row that says why there is none: one pathological mode must not sink the run. */
async function attempt(mode: string, label: string, files: number, bytes: number, measure: () => Promise<Measurement>): Promise<Measurement> {
  try {
    return await measure();
  } catch (error) {
    const reason = error instanceof TimedOut ? `timed out (> ${Math.round(error.limitMs / 1000)} s)` : `failed: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}`;
    progress(`${mode} ${label}: ${reason}`);
    return { mode, label, files, bytes, runs: [], maxRssKb: 0, failed: reason };
  }
}

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '3' },
      timeout: { type: 'string', default: '120' },
      disable: { type: 'string', default: '' },
      'skip-peers': { type: 'boolean', default: false },
      'skip-e2e': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options: Options = {
    runs: Math.max(1, Number(values.runs)),
    timeoutMs: Math.max(1, Number(values.timeout)) * 1000,
    disabled: values.disable.split(',').filter(Boolean),
    peers: !values['skip-peers'],
    e2e: !values['skip-e2e'],
    ...(values['cpu-prof'] ? { cpuProf: resolve(values['cpu-prof']) } : {}),
  };
  if (options.cpuProf) mkdirSync(options.cpuProf, { recursive: true });

  const started = Date.now();
  const plan = positionals.length ? dirCorpus(positionals) : defaultCorpus(REPO);
  const scratch = mkdtempSync(join(tmpdir(), 'shipgate-bench-'));
  try {
    const manifest = materialise(plan, scratch);
    const groups = GROUPS.filter((g) => manifest.groups[g].length > 0);
    if (groups.length === 0) throw new Error('no TypeScript, JavaScript or Python files to measure');
    const results: Results = {
      manifest,
      corpusKind: positionals.length ? 'dirs' : 'default',
      byGroup: {},
      prs: [],
      e2e: undefined,
      e2eThrottled: undefined,
      notes: [],
      load: { start: loadavg()[0]!, end: Number.NaN },
      disabled: options.disabled,
    };

    // bandit, when measured, alternates with the Python scan, so that both meet the same load.
    const banditPath = options.peers && manifest.groups.py.length > 0 ? findBandit() : undefined;
    for (const group of groups) {
      const byGroup: Partial<Record<string, Measurement>> = {};
      results.byGroup[group] = byGroup;
      const files = manifest.groups[group].length;
      const bytes = manifest.bytes[group];
      for (const [mode, what] of [
        ['parse', 'parse floor'],
        ['query', 'parse + 20-pattern query'],
        ['queries', "engine, every rule's query, no rule code"],
        ['engine', 'engine, every rule'],
        ['ungated', 'engine, every rule, per-file gate off'],
      ] as const) {
        progress(`${group}: ${what}`);
        byGroup[mode] = await attempt(mode, group, files, bytes, () => worker(manifest, options, mode, group));
      }
      if (group === 'py' && banditPath) continue;
      progress(`${group}: shipgate scan (whole process)`);
      byGroup.cli = await attempt('cli', group, files, bytes, () => shipgateScan(REPO, join(manifest.root, group), files, bytes, options.runs, options.timeoutMs, options.disabled));
    }
    for (const group of ['js', 'ts'] as const) {
      if (!options.peers || manifest.groups[group].length === 0) continue;
      progress(`${group}: ESLint + eslint-plugin-security`);
      results.byGroup[group]!.eslint = await attempt('eslint', group, manifest.groups[group].length, manifest.bytes[group], () => worker(manifest, options, 'eslint', group));
    }
    if (options.peers && manifest.groups.py.length > 0) {
      if (banditPath) {
        progress('py: shipgate scan and bandit (whole processes, alternately)');
        const files = manifest.groups.py.length;
        const bytes = manifest.bytes.py;
        const dir = join(manifest.root, 'py');
        const scans: Measurement[] = [];
        const bandits: Measurement[] = [];
        for (let i = 0; i < options.runs; i++) {
          scans.push(await attempt('cli', 'py', files, bytes, () => shipgateScan(REPO, dir, files, bytes, 1, options.timeoutMs, options.disabled)));
          bandits.push(await attempt('bandit', 'py', files, bytes, () => bandit(banditPath, dir, files, bytes, 1, options.timeoutMs)));
        }
        results.byGroup.py!.cli = combined(scans);
        results.byGroup.py!.bandit = combined(bandits);
      } else {
        results.notes.push('bandit is not on PATH (Debian: apt-get install bandit): no Python peer measured.');
      }
    }
    for (const size of [20, 200, 3000]) {
      progress(`PRs of ${size} files`);
      results.prs.push(await attempt('pr', `${size} files`, size, 0, () => worker(manifest, options, 'pr', String(size))));
    }
    // The App's start script does not pass --expose-gc today: its memory on the largest PR.
    progress('a PR of 3000 files, process without --expose-gc');
    const noGc = await attempt('pr', '3000 files', 3000, 0, () => worker(manifest, options, 'pr', '3000', [], false));
    results.prs.push({ ...noGc, label: `${noGc.label ?? '3000 files'}, no --expose-gc` });
    if (options.e2e) {
      const e2e = async (throttle: boolean, sizes: string): Promise<EndToEnd> => {
        try {
          return await worker<EndToEnd>(manifest, { ...options, timeoutMs: options.timeoutMs * 3 }, 'e2e', sizes, throttle ? ['--throttle'] : []);
        } catch (error) {
          const reason = error instanceof TimedOut ? `timed out (> ${Math.round(error.limitMs / 1000)} s)` : `failed: ${(error as Error).message.split('\n').slice(0, 4).join(' ')}`;
          progress(`end to end: ${reason}`);
          return { available: false, reason, throttle, sizes: [], maxRssKb: 0, notes: [] };
        }
      };
      progress('end to end: webhook → check run, PRs of 1, 20, 200 files (Octokit write pacing off)');
      results.e2e = await e2e(false, '1,20,200');
      progress('end to end: 20-file PRs with Octokit write pacing on');
      results.e2eThrottled = await e2e(true, '20');
    }
    results.load.end = loadavg()[0]!;
    results.notes.push(`Benchmark wall time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    const text = report(results);
    process.stdout.write(text);
    if (values.json) writeFileSync(resolve(values.json), JSON.stringify(results, null, 2));
  } finally {
    if (values.keep) progress(`corpus kept in ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
