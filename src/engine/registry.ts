import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATEGORIES, SEVERITIES, type Rule } from './types.js';

/**
 * The rule registry. Rules are discovered from `detectors/<category>/<id>.(ts|js)`: adding a rule
 * is adding a file; nothing else lists them. Each file default-exports a `Rule`.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
/** `detectors/` beside `src/` (source tree under ts-jest, or `dist/` after a build). */
export const DETECTORS_DIR = join(HERE, '..', '..', 'detectors');

/** Text predicates run in JavaScript for every candidate match; rules filter in `onMatch` instead. */
const FORBIDDEN_PREDICATE = /#(not-)?(eq|match|any-of|any-eq|any-match)\?/;
const RULE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) {
      if (entry !== 'support' && !entry.startsWith('_')) out.push(...ruleFiles(full));
    } else if (/\.(ts|js)$/.test(entry) && !/\.(d|test|spec)\.[jt]s$/.test(entry) && !entry.startsWith('_')) {
      out.push(full);
    }
  }
  return out;
}

export function validateRule(rule: Rule, where: string): void {
  const m = rule?.meta;
  const fail = (why: string): never => {
    throw new Error(`rule ${where}: ${why}`);
  };
  if (!m) fail('no default export with `meta`');
  if (!RULE_ID.test(m.id)) fail(`id "${m.id}" is not kebab-case`);
  const fileId = where.slice(where.lastIndexOf(sep) + 1).replace(/\.[jt]s$/, '');
  if (fileId !== m.id) fail(`id "${m.id}" differs from its file name "${fileId}"`);
  if (!SEVERITIES.includes(m.severity)) fail(`severity "${m.severity}"`);
  if (!CATEGORIES.includes(m.category)) fail(`category "${m.category}"`);
  if (!m.docs?.why || !m.docs.fix || !m.docs.example?.bad || !m.docs.example.good) fail('docs need why, fix and a bad/good example');
  for (const visitor of [rule.ts, rule.py]) {
    if (visitor && FORBIDDEN_PREDICATE.test(visitor.query)) {
      fail('queries may not use text predicates (#eq?, #match?, …): filter in onMatch, it is far cheaper');
    }
  }
  if (!rule.ts && !rule.py && !rule.checkText && !rule.checkFile) fail('checks nothing');
  if (rule.requiresUnlessPath !== undefined && !(rule.requiresUnlessPath instanceof RegExp)) fail('`requiresUnlessPath` is a regular expression');
  if (rule.requiresUnlessPath?.global || rule.requiresUnlessPath?.sticky) fail('`requiresUnlessPath` may not be global or sticky (test() would keep state)');
  if (rule.requires !== undefined) {
    const lists: unknown[] = Array.isArray(rule.requires) ? [rule.requires] : Object.values(rule.requires);
    const families = Array.isArray(rule.requires) ? [] : Object.keys(rule.requires).filter((k) => !['ts', 'py', 'text'].includes(k));
    if (families.length) fail(`\`requires\` families are ts, py and text, not ${families.join(', ')}`);
    if (lists.length === 0 || lists.some((l) => !Array.isArray(l) || l.length === 0)) fail('`requires` needs at least one word (or leave it out)');
    for (const word of (lists as unknown[][]).flat()) {
      // Short words are in every file: a gate on them filters nothing and costs a scan.
      if (typeof word !== 'string' || word.trim().length < 3 || word !== word.toLowerCase()) {
        fail(`\`requires\` word ${JSON.stringify(word)}: lowercase, three characters or more`);
      }
    }
  }
}

/**
 * Rule files that could not be loaded, with the reason. A broken rule must not take the other
 * fifty down with it: it is left out, and the audit says so (`AuditResult.errors`).
 */
export const ruleLoadErrors: string[] = [];

/** Loads every rule once per process. */
let loaded: Promise<readonly Rule[]> | undefined;

export function loadRules(dir: string = DETECTORS_DIR): Promise<readonly Rule[]> {
  if (dir === DETECTORS_DIR && loaded) return loaded;
  const promise = (async () => {
    const rules: Rule[] = [];
    const seen = new Set<string>();
    for (const file of ruleFiles(dir)) {
      const where = relative(process.cwd(), file) || file;
      try {
        const mod = (await import(pathToFileURL(file).href)) as { default?: Rule };
        const rule = mod.default as Rule;
        validateRule(rule, where);
        if (seen.has(rule.meta.id)) throw new Error(`rule id ${rule.meta.id} is defined twice`);
        seen.add(rule.meta.id);
        rules.push(rule);
      } catch (error) {
        ruleLoadErrors.push(`${where}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return rules;
  })();
  if (dir === DETECTORS_DIR) loaded = promise;
  return promise;
}
