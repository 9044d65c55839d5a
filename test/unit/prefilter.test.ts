import { describe, expect, it } from '@jest/globals';
import { ALL_LINES } from '../../src/diff/changed-lines.js';
import { DEFAULT_SETTINGS, Engine } from '../../src/engine/audit.js';
import { compilePrefilter, WordScanner } from '../../src/engine/prefilter.js';
import { validateRule } from '../../src/engine/registry.js';
import type { Rule } from '../../src/engine/types.js';

const docs = { why: 'w', fix: 'f', example: { bad: 'b', good: 'g' } };
const ruleWith = (id: string, requires?: string[], extra: Partial<Rule> = {}): Rule => ({
  meta: { id, title: id, severity: 'P2', category: 'Reliability', languages: ['ts', 'py'], docs },
  ...(requires ? { requires } : {}),
  checkText: () => undefined,
  ...extra,
});

describe('prefilter', () => {
  const rules = [ruleWith('a', ['apikey']), ruleWith('b', ['keyvault']), ruleWith('c', ['secret']), ruleWith('d', ['secretkey', 'hmac']), ruleWith('e')];
  const admitted = (source: string): string[] => {
    const admits = compilePrefilter(rules).admits(source);
    return rules.filter((_, i) => admits(i, 'ts')).map((r) => r.meta.id);
  };

  it('admits a rule when one of its words occurs, in any case', () => {
    expect(admitted('const HMAC = 1')).toEqual(['d', 'e']);
    expect(admitted('Secret')).toEqual(['c', 'e']);
  });

  it('sees overlapping words: one word inside another does not hide it', () => {
    expect(admitted('xapikeyvault')).toEqual(['a', 'b', 'e']);
  });

  it('admits a word that is a prefix of a longer word found at the same place', () => {
    expect(admitted('SECRETKEY=1')).toEqual(['c', 'd', 'e']);
  });

  it('always admits rules without words, and nothing else on unrelated text', () => {
    expect(admitted('const x = 1')).toEqual(['e']);
  });

  it('gates each language family by its own list, and not a family it leaves out', () => {
    const byFamily = [ruleWith('g', undefined, { requires: { ts: ['axios'], py: ['requests'] } })];
    const admits = compilePrefilter(byFamily).admits;
    expect(admits('import requests')(0, 'py')).toBe(true);
    expect(admits('import requests')(0, 'ts')).toBe(false);
    expect(admits('axios.get(u)')(0, 'ts')).toBe(true);
    expect(admits('anything')(0, 'text')).toBe(true);
  });

  it('adds the words a rule takes from config', () => {
    const options = { tenantKeys: ['Company_ID'], tenantModels: [], crossTenantPaths: [] };
    const rule = ruleWith('h', ['tenant'], { requiresFromOptions: (o) => o.tenantKeys });
    expect(compilePrefilter([rule], options).admits('where company_id = 1')(0, 'py')).toBe(true);
    expect(compilePrefilter([rule], options).admits('where user_id = 1')(0, 'py')).toBe(false);
    expect(compilePrefilter([rule], { ...options, tenantKeys: ['user_id'] }).admits('where user_id = 1')(0, 'py')).toBe(true);
  });

  it('treats regular-expression characters in words literally', () => {
    const admits = compilePrefilter([ruleWith('f', ['x-hub-signature', 'settimeout('])]).admits;
    expect(admits('setTimeout(fn)')(0, 'ts')).toBe(true);
    expect(admits('settimeout fn')(0, 'ts')).toBe(false);
  });
});

describe('the engine with the prefilter', () => {
  const file = (content: string) => [{ path: 'src/a.ts', content, status: 'added' as const, changed: ALL_LINES }];
  let calls = 0;
  const probe = ruleWith('probe', ['fetch'], {
    checkText: undefined,
    ts: {
      query: '(call_expression) @call',
      onMatch: (_m, ctx) => {
        calls++;
        ctx.report({ lines: { start: 1, end: 1 }, message: 'call' });
      },
    },
  });

  it('does not run a rule on a file without its words, and still counts the file as audited', () => {
    calls = 0;
    const result = new Engine([probe]).audit(file('run(1)\n'));
    expect(calls).toBe(0);
    expect(result.findings).toEqual([]);
    expect(result.auditedFiles).toBe(1);
  });

  it('runs it when a word is present, and the same without the prefilter', () => {
    calls = 0;
    expect(new Engine([probe]).audit(file('fetch(u)\n')).findings).toHaveLength(1);
    expect(new Engine([probe], [], { prefilter: false }).audit(file('run(1)\n')).findings).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('uses the configured words of each audit', () => {
    const scoped = ruleWith('scoped', ['tenant'], {
      requiresFromOptions: (o) => o.tenantKeys,
      checkText: undefined,
      ts: { query: '(call_expression) @call', onMatch: (_m, ctx) => ctx.report({ lines: { start: 1, end: 1 }, message: 'call' }) },
    });
    const engine = new Engine([scoped]);
    const settings = (keys: string[]) => ({ ...DEFAULT_SETTINGS, ruleOptions: { ...DEFAULT_SETTINGS.ruleOptions, tenantKeys: keys } });
    expect(engine.audit(file('find(company_id)\n'), settings(['org_id'])).findings).toHaveLength(0);
    expect(engine.audit(file('find(company_id)\n'), settings(['company_id'])).findings).toHaveLength(1);
  });

  it('reads a file whose path the rule names, whatever its words', () => {
    const byPath = ruleWith('by-path', ['health'], {
      requiresUnlessPath: /(^|\/)healthz?\/route\.ts$/,
      checkText: undefined,
      ts: { query: '(call_expression) @call', onMatch: (_m, ctx) => ctx.report({ lines: { start: 1, end: 1 }, message: 'call' }) },
    });
    const at = (path: string) => [{ path, content: 'ok(1)\n', status: 'added' as const, changed: ALL_LINES }];
    expect(new Engine([byPath]).audit(at('app/api/healthz/route.ts')).findings).toHaveLength(1);
    expect(new Engine([byPath]).audit(at('app/api/users/route.ts')).findings).toHaveLength(0);
  });

  it('reads rare rules with their own queries once it has learnt which rules are common, with the same results', () => {
    const reporter = (id: string, words: string[]): Rule =>
      ruleWith(id, words, {
        checkText: undefined,
        ts: { query: '(call_expression function: (identifier) @fn) @call', onMatch: (m, ctx) => ctx.report({ node: m.captures.fn!, message: `${id} ${ctx.text(m.captures.fn!)}` }) },
      });
    const rules = [...['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => reporter(id, ['const'])), reporter('rare', ['fetch'])];
    const files = Array.from({ length: 600 }, (_, i) => ({
      path: `src/f${i}.ts`,
      content: i % 97 === 5 ? `const a = fetch(u);\nconst b = g(1);\n` : `const a = f(1);\n`,
      status: 'added' as const,
      changed: ALL_LINES,
    }));
    const gated = new Engine(rules).audit(files).findings;
    const plain = new Engine(rules, [], { prefilter: false }).audit(files).findings;
    const key = (f: { ruleId: string; path: string; line: number; message: string }) => `${f.ruleId} ${f.path}:${f.line} ${f.message}`;
    const rare = gated.filter((f) => f.ruleId === 'rare');
    expect(rare).toHaveLength(14);
    expect([...new Set(rare.map((f) => f.path))]).toEqual(['src/f102.ts', 'src/f199.ts', 'src/f296.ts', 'src/f393.ts', 'src/f490.ts', 'src/f5.ts', 'src/f587.ts']);
    expect(rare.every((f) => f.message === 'rare fetch' || f.message === 'rare g')).toBe(true);
    expect(gated.filter((f) => f.ruleId === 'c1')).toHaveLength(600 + 7);
    // Without the gate the rare rule reads every file; with it, exactly the files with its word.
    expect(plain.filter((f) => f.ruleId !== 'rare').map(key)).toEqual(gated.filter((f) => f.ruleId !== 'rare').map(key));
    expect(plain.filter((f) => f.ruleId === 'rare' && rare.some((r) => r.path === f.path)).map(key)).toEqual(rare.map(key));
  });

  it('leaves a survey’s recompile to idle() when warmed for a server, with the same results', () => {
    const reporter = (id: string, words: string[]): Rule =>
      ruleWith(id, words, {
        checkText: undefined,
        ts: { query: '(call_expression function: (identifier) @fn) @call', onMatch: (m, ctx) => ctx.report({ node: m.captures.fn!, message: `${id} ${ctx.text(m.captures.fn!)}` }) },
      });
    const rules = [...['c1', 'c2', 'c3'].map((id) => reporter(id, ['const'])), reporter('rare', ['fetch'])];
    const pr = (n: number) =>
      Array.from({ length: 20 }, (_, i) => ({
        path: `src/p${n}/f${i}.ts`,
        content: (n * 20 + i) % 13 === 5 ? `const a = fetch(u);\n` : `const a = f(1);\n`,
        status: 'added' as const,
        changed: ALL_LINES,
      }));
    const key = (f: { ruleId: string; path: string; line: number; message: string }) => `${f.ruleId} ${f.path}:${f.line} ${f.message}`;
    const oneShot = new Engine(rules);
    const server = new Engine(rules);
    server.warm({ deferRecompiles: true });
    const adopted: number[] = [];
    for (let n = 0; n < 8; n++) {
      expect(server.audit(pr(n)).findings.map(key)).toEqual(oneShot.audit(pr(n)).findings.map(key));
      expect(oneShot.idle()).toBe(false); // applied at once, nothing waits
      if (server.idle()) adopted.push(n);
    }
    // 64 files are seen during the fourth PR: its survey is adopted after it, once.
    expect(adopted).toEqual([3]);
  });

  it('refuses words that filter nothing', () => {
    expect(() => validateRule(ruleWith('x', ['ab']), 'detectors/x/x.ts')).toThrow(/three characters/);
    expect(() => validateRule(ruleWith('x', ['Fetch']), 'detectors/x/x.ts')).toThrow(/lowercase/);
    expect(() => validateRule(ruleWith('x', []), 'detectors/x/x.ts')).toThrow(/at least one/);
    expect(() => validateRule(ruleWith('x', undefined, { requires: { ts: [] } }), 'detectors/x/x.ts')).toThrow(/at least one/);
    expect(() => validateRule(ruleWith('x', undefined, { requires: { js: ['fetch'] } as never }), 'detectors/x/x.ts')).toThrow(/families/);
  });
});

describe('WordScanner', () => {
  const found = (words: string[], text: string): string[] => {
    const scanner = new WordScanner(words);
    const hits = scanner.scan(text);
    return words.filter((w) => hits[scanner.indexOf(w)] === 1);
  };

  it('finds overlapping words, words inside longer words, and words in any case', () => {
    expect(found(['apikey', 'keyvault', 'key', 'vault', 'pin'], 'const xApiKeyVault = 1')).toEqual(['apikey', 'keyvault', 'key', 'vault']);
    expect(found(['she', 'he', 'hers', 'his'], 'USHERS')).toEqual(['she', 'he', 'hers']);
    expect(found(['webhook'], 'WebHook')).toEqual(['webhook']);
    expect(found(['access-control-allow-origin'], "res.setHeader('Access-Control-Allow-Origin', '*')")).toEqual(['access-control-allow-origin']);
  });

  it('reads characters outside ASCII, in words and in the text', () => {
    // A word may hold any character (e.g. an ideographic space before `.get`); others are skipped over.
    expect(found(['\u3000.get', 'é.get'], 'x\u3000.get() + café.get()')).toEqual(['\u3000.get', 'é.get']);
    expect(found(['\u3000.get'], 'x .get()')).toEqual([]);
    expect(found(['key'], '🔑 key')).toEqual(['key']);
  });

  it('agrees with lower-casing the text and searching each word, on random text', () => {
    const words = ['ab', 'abc', 'bca', 'cab', 'aab', 'b', 'abcab', 'ca', 'xyz', 'Q'.toLowerCase()];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: next() % 40 }, () => 'aAbBcCqQ '[next() % 9]).join('');
      const lower = text.toLowerCase();
      expect([text, found(words, text)]).toEqual([text, words.filter((w) => lower.includes(w))]);
    }
  });
});
