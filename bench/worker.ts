import { parseArgs } from 'node:util';
import { GROUPS, loadGroup, readManifest, type Group } from './corpus.js';
import { eslintSecurity } from './eslint.js';
import { PRS_PER_SIZE, pullRequests, wholeFiles } from './engine-modes.js';
import { parseAndQueryFloor, parseFloor } from './floor.js';
import type { Measurement } from './measure.js';

/**
 * One measurement in its own process, so each mode's peak RSS is its own:
 *   node --expose-gc dist/bench/worker.js <corpus dir> parse|query|queries|engine <ts|js|py>
 *   node --expose-gc dist/bench/worker.js <corpus dir> pr <files>
 *   node --expose-gc dist/bench/worker.js <corpus dir> eslint
 * Prints one JSON line (a Measurement).
 */

async function measure(argv: readonly string[]): Promise<Measurement> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { runs: { type: 'string', default: '3' }, seed: { type: 'string', default: '20240601' }, prs: { type: 'string' }, sync: { type: 'boolean', default: false } },
  });
  const [root, mode, arg] = positionals;
  if (!root || !mode) throw new Error('usage: worker.js <corpus dir> <mode> [arg]');
  const manifest = readManifest(root);
  const runs = Number(values.runs);
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
    case 'queries':
      return { ...(await wholeFiles(loadGroup(manifest, group()), runs, false)), label: group() };
    case 'pr': {
      const size = Number(arg);
      const pool = GROUPS.flatMap((g) => loadGroup(manifest, g));
      const count = values.prs ? Number(values.prs) : (PRS_PER_SIZE[size] ?? 5);
      return pullRequests(pool, size, count, Number(values.seed), values.sync);
    }
    case 'eslint':
      return eslintSecurity(loadGroup(manifest, 'js'), loadGroup(manifest, 'ts'), runs);
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
