import { performance } from 'node:perf_hooks';
import { ALL_LINES } from '../src/diff/changed-lines.js';
import { DEFAULT_SETTINGS, Engine, type SourceFile } from '../src/engine/audit.js';
import { loadRules } from '../src/engine/registry.js';
import type { Finding, Rule, RuleContext, RuleMatch, SyntaxVisitor, Tree } from '../src/engine/types.js';
import type { CorpusFile } from './corpus.js';
import { cpuNow, maxRssKb, passes, settle, time, timeAsync, type Measurement } from './measure.js';
import { syntheticPr } from './pull-request.js';
import { seededRandom } from './random.js';

/** Shipgate's engine with every registered rule, timed in-process (no file I/O, no rendering). */

/** Rules left out of this run (`--disable`), e.g. one that hangs on the corpus. */
let disabled: ReadonlySet<string> = new Set();

export function disableRules(ids: readonly string[]): void {
  disabled = new Set(ids);
}

/** An engine with its rules loaded and queries compiled; `serving`: warmed as the App warms it. */
async function loadedEngine(serving = false): Promise<{ engine: Engine; setup: Record<string, number> }> {
  let rules: readonly Rule[] = [];
  const loadMs = await timeAsync(async () => {
    rules = (await loadRules()).filter((r) => !disabled.has(r.meta.id));
  });
  const engine = new Engine(rules);
  const compileMs = time(() => engine.warm({ deferRecompiles: serving }));
  return { engine, setup: { 'rule loading': loadMs, 'query compile (3 grammars)': compileMs } };
}

const whole = (files: readonly CorpusFile[]): SourceFile[] =>
  files.map((f) => ({ path: f.path, content: f.content, status: 'added', changed: ALL_LINES }));

const bytesOf = (files: readonly CorpusFile[]): number => files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);

/**
 * Every rule's query, but no rule code: the callbacks do nothing. What the engine itself costs
 * (parse, the merged queries, dispatch) apart from what the rules do with their matches.
 */
function withoutRuleCode(rules: readonly Rule[]): Rule[] {
  const silent = (v: SyntaxVisitor | undefined): SyntaxVisitor | undefined => v && { query: v.query, onMatch: () => undefined };
  return rules.map((rule) => {
    const ts = silent(rule.ts);
    const py = silent(rule.py);
    return {
      meta: rule.meta,
      ...(rule.scope ? { scope: rule.scope } : {}),
      ...(rule.requires ? { requires: rule.requires } : {}),
      ...(ts ? { ts } : {}),
      ...(py ? { py } : {}),
    };
  });
}

/** A 32-bit FNV-1a digest of the findings, to tell two runs' results apart without listing them. */
function digestOf(findings: readonly Finding[]): number {
  let hash = 0x811c9dc5;
  for (const key of findings.map((f) => `${f.ruleId}|${f.path}|${f.line}|${f.column}|${f.severity}|${f.message}`).sort()) {
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash;
}

/** Every rule, every line of every file: `shipgate scan DIR` minus reading and rendering. */
export async function wholeFiles(files: readonly CorpusFile[], count: number, ruleCode = true, gate = true): Promise<Measurement> {
  const loaded = await loadedEngine();
  const setup = loaded.setup;
  let engine = loaded.engine;
  if (!ruleCode || !gate) {
    engine = new Engine(ruleCode ? engine.rules : withoutRuleCode(engine.rules), [], { prefilter: gate });
    setup['query compile (3 grammars)'] = time(() => engine.warm());
  }
  let digest = 0;
  const sources = whole(files);
  let findings = 0;
  let audited = 0;
  let errors: readonly string[] = [];
  // The warm-up: a whole pass with every rule callback timed (another engine: it says which
  // rules spend the time), then a whole pass of the engine measured, whose query set learns
  // which rules are common and compiles its shared queries then, as a warm process has.
  let costs: string[] = [];
  const { runs, cpu } = passes(
    count,
    () => {
      if (ruleCode && gate) costs = ruleCosts(engine.rules, sources);
      engine.audit(sources);
    },
    () => {
      const result = engine.audit(sources);
      findings = result.findings.length;
      digest = digestOf(result.findings);
      audited = result.auditedFiles;
      errors = result.errors;
    },
  );
  return {
    mode: !ruleCode ? 'queries' : gate ? 'engine' : 'ungated',
    files: files.length,
    bytes: bytesOf(files),
    runs,
    cpu,
    setup,
    maxRssKb: maxRssKb(),
    counts: { rules: engine.rules.length, findings, findingsDigest: digest, auditedFiles: audited, ruleErrors: errors.length },
    notes: [...errors.slice(0, 5), ...costs],
  };
}

/**
 * One more pass with every rule's callbacks wrapped in a timer: which rules spend the time in
 * their own code (onMatch, checkText, checkFile), and how many matches their patterns yield.
 * Query matching itself is shared by all rules and is not attributed here.
 */
function ruleCosts(rules: readonly Rule[], ...audits: (readonly SourceFile[])[]): string[] {
  const spent = new Map<string, { ms: number; calls: number }>();
  const timed = <A extends unknown[]>(id: string, fn: (...args: A) => void) => (...args: A): void => {
    const start = performance.now();
    try {
      fn(...args);
    } finally {
      const entry = spent.get(id) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - start;
      entry.calls++;
      spent.set(id, entry);
    }
  };
  const wrapVisitor = (id: string, v: SyntaxVisitor | undefined): SyntaxVisitor | undefined =>
    v && { query: v.query, onMatch: timed(id, (m: RuleMatch, c: RuleContext) => v.onMatch(m, c)) };
  const wrapped = rules.map((rule): Rule => {
    const id = rule.meta.id;
    const ts = wrapVisitor(id, rule.ts);
    const py = wrapVisitor(id, rule.py);
    return {
      ...rule,
      ...(ts ? { ts } : {}),
      ...(py ? { py } : {}),
      ...(rule.checkText ? { checkText: timed(`${id} (checkText)`, (c: RuleContext) => rule.checkText!(c)) } : {}),
      ...(rule.checkFile ? { checkFile: timed(`${id} (checkFile)`, (c: RuleContext, t: Tree | undefined) => rule.checkFile!(c, t)) } : {}),
    };
  });
  const engine = new Engine(wrapped);
  engine.warm();
  const total = time(() => {
    for (const sources of audits) engine.audit(sources);
  });
  const top = [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
  return top.map(([id, e]) => `rule cost: ${id} ${e.ms.toFixed(1)} ms in ${e.calls} calls (${((100 * e.ms) / total).toFixed(1)}% of an instrumented pass, ${total.toFixed(0)} ms wall)`);
}

/** How many PRs of each size are timed in one warm process. */
export const PRS_PER_SIZE: Readonly<Record<number, number>> = { 1: 40, 20: 40, 200: 10, 3000: 1 };

/** Engine time per PR in a warm process (rules loaded, queries compiled, one PR already audited). */
export async function pullRequests(pool: readonly CorpusFile[], size: number, count: number, seed: number, sync = false): Promise<Measurement> {
  const { engine, setup } = await loadedEngine(true);
  engine.audit(syntheticPr(pool, 20, seededRandom(seed ^ 0x5eed)).files);
  let idleMs = 0;
  let recompiles = 0;
  const runs: number[] = [];
  const cpu: number[] = [];
  let findings = 0;
  let preExisting = 0;
  let changed = 0;
  let total = 0;
  let bytes = 0;
  const timed: SourceFile[][] = [];
  for (let i = 0; i < count; i++) {
    const pr = syntheticPr(pool, size, seededRandom(seed + i));
    if (timed.length * size < 400) timed.push(pr.files);
    changed += pr.changedLines;
    total += pr.totalLines;
    bytes += pr.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
    // Between PRs, as the App does between jobs: the recompiles a survey asked for (query-set.ts).
    const idleStart = performance.now();
    if (engine.idle()) {
      recompiles++;
      idleMs += performance.now() - idleStart;
    }
    settle();
    const c = cpuNow();
    const start = performance.now();
    // The App audits with auditAsync (trees are freed between files); `sync` measures audit().
    const result = sync ? engine.audit(pr.files, DEFAULT_SETTINGS) : await engine.auditAsync(pr.files, DEFAULT_SETTINGS);
    runs.push(performance.now() - start);
    cpu.push(cpuNow() - c);
    findings += result.findings.length;
    preExisting += result.findings.filter((f) => f.preExisting).length;
  }
  const maxRss = maxRssKb();
  // Which rules the PR time goes to: the first PRs (up to ~400 files) once more, callbacks timed.
  settle();
  const costs = size <= 200 ? ruleCosts(engine.rules, ...timed) : [];
  return {
    mode: 'pr',
    label: `${size} files${sync ? ', audit()' : ''}`,
    files: size,
    bytes: Math.round(bytes / count),
    runs,
    cpu,
    setup,
    maxRssKb: maxRss,
    notes: costs,
    counts: {
      prs: count,
      changedPercent: Math.round((1000 * changed) / total) / 10,
      findingsPerPr: findings / count,
      preExistingPerPr: preExisting / count,
      recompilesBetweenPrs: recompiles,
      recompileMs: idleMs,
    },
  };
}
