import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { collectAll } from '../src/cli/collect.js';
import { languageForPath } from '../src/engine/languages.js';
import { generatedContentReason, generatedPathReason, isTestPath, minifiedReason, vendoredReason } from '../src/engine/paths.js';

/**
 * The files a benchmark run measures. Every mode reads the same files: the corpus is copied
 * once into a scratch directory (so `shipgate scan DIR` and bandit see exactly the files the
 * in-process modes see) and described by a manifest the worker processes read.
 */

/** TS = .ts/.tsx/.mts/.cts; JS = .js/.jsx/.mjs/.cjs (what espree can parse); PY = Python. */
export const GROUPS = ['ts', 'js', 'py'] as const;
export type Group = (typeof GROUPS)[number];

export const GROUP_LABEL: Record<Group, string> = { ts: 'TypeScript', js: 'JavaScript', py: 'Python' };

interface Entry {
  /** Where the file is read from. */
  readonly source: string;
  /** Its path in the corpus, as the engine sees it (e.g. `zod/src/v4/core/api.ts`). */
  readonly path: string;
  readonly bytes: number;
}

export interface Manifest {
  /** The scratch directory: `<root>/<group>/<path>`. */
  readonly root: string;
  readonly groups: Readonly<Record<Group, readonly string[]>>;
  readonly bytes: Readonly<Record<Group, number>>;
  /** Where each group's files came from, for the report. */
  readonly origin: Readonly<Record<Group, string>>;
}

export interface CorpusFile {
  readonly path: string;
  readonly content: string;
}

export function groupOf(path: string): Group | undefined {
  const lower = path.toLowerCase();
  if (/\.(ts|tsx|mts|cts)$/.test(lower)) return languageForPath(path) ? 'ts' : undefined;
  if (/\.(js|jsx|mjs|cjs)$/.test(lower)) return 'js';
  if (lower.endsWith('.py')) return 'py';
  return undefined;
}

/**
 * Whether the engine would audit this file with every rule: the floor must parse exactly the
 * files the engine reads, so vendored, generated, test and minified files are left out.
 */
export function auditable(path: string, content: string): boolean {
  if (!languageForPath(path)) return false;
  if (vendoredReason(path) || generatedPathReason(path) || isTestPath(path)) return false;
  if (content.includes('\0') || content.length > 2_000_000) return false;
  return !generatedContentReason(content) && !minifiedReason(content);
}

/** Directories that hold no hand-written source, or source the engine would skip anyway. */
const PRUNED = new Set([
  'node_modules', '.git', 'dist', 'build', 'out', 'coverage', 'test', 'tests', '__tests__', 'spec', 'fixtures',
  '__fixtures__', 'benchmarks', '__pycache__', 'locale', 'migrations', 'types', 'typings', 'esm', 'cjs', 'umd',
]);

/** Bundles (a whole library concatenated) are not what a PR touches. */
const MAX_FILE_BYTES = 150_000;

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.isSymbolicLink()) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!PRUNED.has(entry.name) && !entry.name.startsWith('.')) walk(full, out);
    } else if (entry.isFile()) {
      out.push(full);
    }
  }
}

interface Quota {
  files: number;
  bytes: number;
}

/** Takes files of `group` from each package in turn, at most `perPackage` from one, until the quota is spent. */
function take(base: string, packages: readonly string[], group: Group, quota: Quota, perPackage: number): { entries: Entry[]; used: string[] } {
  const entries: Entry[] = [];
  const used: string[] = [];
  for (const name of packages) {
    const root = join(base, name);
    if (!existsSync(root)) continue;
    const files: string[] = [];
    walk(root, files);
    let fromPackage = 0;
    for (const source of files) {
      if (quota.files <= 0 || fromPackage >= perPackage) break;
      const path = relative(base, source).split(sep).join('/');
      if (groupOf(path) !== group) continue;
      const size = statSync(source).size;
      if (size > MAX_FILE_BYTES || size > quota.bytes) continue;
      const content = readFileSync(source, 'utf8');
      if (!auditable(path, content)) continue;
      entries.push({ source, path, bytes: size });
      quota.files--;
      quota.bytes -= size;
      fromPackage++;
    }
    if (fromPackage > 0) used.push(`${name} (${fromPackage})`);
    if (quota.files <= 0 || quota.bytes <= 0) break;
  }
  return { entries, used };
}

/** Installed packages, by name (scoped ones as `@scope/name`), in a stable order. */
function installedPackages(nodeModules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules).sort()) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const sub of readdirSync(join(nodeModules, entry)).sort()) names.push(`${entry}/${sub}`);
    } else {
      names.push(entry);
    }
  }
  return names;
}

/** Hand-written JavaScript first (ESLint's own rules are the largest), then compiled-but-readable libraries. */
const JS_PACKAGES = [
  'eslint', 'probot', 'pino', 'semver', 'js-yaml', 'ioredis', 'handlebars', '@octokit/webhooks', 'readable-stream',
  'picomatch', 'luxon', 'pino-pretty', 'eslint-scope', 'source-map', '@babel/core', '@babel/traverse', 'ajv',
  '@eslint/eslintrc', 'bottleneck', 'istanbul-reports',
];

const PY_PACKAGES = ['django', 'rest_framework', 'flask', 'celery', 'sqlalchemy', 'requests', 'starlette', 'fastapi', 'alembic'];

export interface CorpusPlan {
  readonly entries: Readonly<Record<Group, readonly Entry[]>>;
  readonly origin: Readonly<Record<Group, string>>;
}

/**
 * Real code nobody here wrote, already on the machine after `npm ci` (and Debian's Python
 * packages when installed): ~600 TS/JS files / ~2 MB, ~560 Python files / ~5 MB.
 */
export function defaultCorpus(repoRoot: string): CorpusPlan {
  const nodeModules = join(repoRoot, 'node_modules');
  const tsJs: Quota = { files: 600, bytes: 2_000_000 };
  const ts = take(nodeModules, installedPackages(nodeModules), 'ts', { files: 200, bytes: 1_000_000 }, 200);
  tsJs.files -= ts.entries.length;
  tsJs.bytes -= ts.entries.reduce((n, e) => n + e.bytes, 0);
  const js = take(nodeModules, JS_PACKAGES, 'js', tsJs, 60);
  const pyBase = '/usr/lib/python3/dist-packages';
  const py = existsSync(pyBase) ? take(pyBase, PY_PACKAGES, 'py', { files: 560, bytes: 5_000_000 }, 560) : { entries: [], used: [] };
  return {
    entries: { ts: ts.entries, js: js.entries, py: py.entries },
    origin: {
      ts: `node_modules of this repo: ${ts.used.join(', ') || 'none'}`,
      js: `node_modules of this repo: ${js.used.join(', ') || 'none'}`,
      py: py.entries.length ? `${pyBase}: ${py.used.join(', ')}` : `none (${pyBase} has none of ${PY_PACKAGES.join(', ')})`,
    },
  };
}

/** Every auditable source file under the given directories, as `shipgate scan` collects them. */
export function dirCorpus(dirs: readonly string[]): CorpusPlan {
  const entries: Record<Group, Entry[]> = { ts: [], js: [], py: [] };
  const names = dirs.map((d) => basename(resolve(d)));
  dirs.forEach((dir, i) => {
    const root = resolve(dir);
    const prefix = dirs.length > 1 ? `${names[i]}-${i}/` : '';
    for (const file of collectAll(root).files) {
      const group = groupOf(file.path);
      if (!group || !auditable(file.path, file.content)) continue;
      entries[group].push({ source: join(root, file.path), path: prefix + file.path, bytes: Buffer.byteLength(file.content) });
    }
  });
  const origin = `${dirs.map((d) => resolve(d)).join(', ')}`;
  return { entries, origin: { ts: origin, js: origin, py: origin } };
}

/** Copies the corpus into `root/<group>/…` and writes the manifest beside it. */
export function materialise(plan: CorpusPlan, root: string): Manifest {
  const groups = {} as Record<Group, string[]>;
  const bytes = {} as Record<Group, number>;
  for (const group of GROUPS) {
    groups[group] = [];
    bytes[group] = 0;
    for (const entry of plan.entries[group]) {
      const target = join(root, group, entry.path);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(entry.source, target);
      groups[group].push(entry.path);
      bytes[group] += entry.bytes;
    }
  }
  const manifest: Manifest = { root, groups, bytes, origin: plan.origin };
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

export function readManifest(root: string): Manifest {
  return JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Manifest;
}

/** A group's files, read into memory before anything is timed. */
export function loadGroup(manifest: Manifest, group: Group): CorpusFile[] {
  return manifest.groups[group].map((path) => ({ path, content: readFileSync(join(manifest.root, group, path), 'utf8') }));
}
