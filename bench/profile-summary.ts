import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * Reads a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --cpu-prof DIR`) and prints
 * where the time went: self time by function and by file, and inclusive time by function.
 *   node dist/bench/profile-summary.js DIR/engine-py.cpuprofile [--top 30]
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const shortUrl = (url: string, parts: number): string => url.split('/').slice(-parts).join('/');
const label = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${shortUrl(f.url, 2)}:${f.lineNumber + 1}`;

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

export function summarise(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfById = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    selfById.set(id, (selfById.get(id) ?? 0) + dt);
  });
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, dt] of selfById) {
    const frame = byId.get(id)!.callFrame;
    add(self, label(frame), dt);
    add(byFile, shortUrl(frame.url, 3) || frame.functionName, dt);
    // Each function counted once per sample however deep its recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = label(byId.get(at)!.callFrame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, dt);
      }
    }
  }
  const table = (map: Map<string, number>): string =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`)
      .join('\n');
  return [
    `total ${(total / 1000).toFixed(0)} ms`,
    '--- self time by function',
    table(self),
    '--- self time by file',
    table(byFile),
    '--- inclusive time by function',
    table(inclusive),
    '',
  ].join('\n');
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
for (const file of positionals) {
  process.stdout.write(`# ${file}\n${summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.top))}\n`);
}
