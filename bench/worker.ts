import { parseArgs } from 'node:util';
import { GROUPS, loadGroup, readManifest, type Group } from './corpus.js';
import { endToEnd } from './e2e.js';
import { eslintSecurity } from './eslint.js';
import { disableRules, PRS_PER_SIZE, pullRequests, wholeFiles } from './engine-modes.js';
import { parseAndQueryFloor, parseFloor } from './floor.js';

/**
 * One measurement in its own process, so each mode's peak RSS is its own:
 *   node --expose-gc dist/bench/worker.js <corpus dir> parse|query|queries|engine|ungated <ts|js|py>
 *   node --expose-gc dist/bench/worker.js <corpus dir> pr <files>
 *   node --expose-gc dist/bench/worker.js <corpus dir> eslint js|ts
 *   node --expose-gc dist/bench/worker.js <corpus dir> e2e 1,20,200 [--throttle]
 * Prints one JSON line (a Measurement, or an EndToEnd for e2e).
 */

async function measure(argv: readonly string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { runs: { type: 'string', default: '3' }, seed: { type: 'string', default: '20240601' }, prs: { type: 'string' }, sync: { type: 'boolean', default: false }, throttle: { type: 'boolean', default: false }, disable: { type: 'string', default: '' } },
  });
  const [root, mode, arg] = positionals;
  if (!root || !mode) throw new Error('usage: worker.js <corpus dir> <mode> [arg]');
  const manifest = readManifest(root);
  const runs = Number(values.runs);
  const disabled = values.disable.split(',').filter(Boolean);
  disableRules(disabled);
  const group = (): Group => {
    if (!GROUPS.includes(arg as Group)) throw new Error(`${mode} needs a group: ${GROUPS.join(', ')}`);
    return arg as Group;
  };
  switch (mode) {
    case 'parse':
      return { ...parseFloor(loadGroup(manifest, group()), runs), label: group() };
    case 'query':
      return { ...parseAndQueryFloor(loadGroup(manifest, group()), runs), label: group() };
    case 'engine':
      return { ...(await wholeFiles(loadGroup(manifest, group()), runs)), label: group() };
    case 'ungated':
      return { ...(await wholeFiles(loadGroup(manifest, group()), runs, true, false)), label: group() };
    case 'queries':
      return { ...(await wholeFiles(loadGroup(manifest, group()), runs, false)), label: group() };
    case 'pr': {
      const size = Number(arg);
      const pool = GROUPS.flatMap((g) => loadGroup(manifest, g));
      const count = values.prs ? Number(values.prs) : (PRS_PER_SIZE[size] ?? 5);
      return pullRequests(pool, size, count, Number(values.seed), values.sync);
    }
    case 'eslint': {
      const which = arg === 'ts' ? 'ts' : 'js';
      return { ...(await eslintSecurity(which, loadGroup(manifest, which), runs)), label: which };
    }
    case 'e2e': {
      // arg: comma-separated PR sizes; --throttle keeps Octokit's write pacing on.
      const pool = GROUPS.flatMap((g) => loadGroup(manifest, g));
      const sizes = (arg ?? '1,20,200').split(',').map(Number);
      return endToEnd(pool, Number(values.seed), values.throttle, sizes, disabled);
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

measure(process.argv.slice(2)).then(
  (m) => {
    process.stdout.write(JSON.stringify(m) + '\n');
  },
  (error: unknown) => {
    process.stderr.write(`bench worker: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
