import { describe, expect, it } from '@jest/globals';
import { ALL_LINES } from '../../src/diff/changed-lines.js';
import { Engine } from '../../src/engine/audit.js';
import { compilePrefilter } from '../../src/engine/prefilter.js';
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
    return rules.filter((_, i) => admits(i)).map((r) => r.meta.id);
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

  it('treats regular-expression characters in words literally', () => {
    const admits = compilePrefilter([ruleWith('f', ['x-hub-signature', 'settimeout('])]).admits;
    expect(admits('setTimeout(fn)')(0)).toBe(true);
    expect(admits('settimeout fn')(0)).toBe(false);
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

  it('refuses words that filter nothing', () => {
    expect(() => validateRule(ruleWith('x', ['ab']), 'detectors/x/x.ts')).toThrow(/three characters/);
    expect(() => validateRule(ruleWith('x', ['Fetch']), 'detectors/x/x.ts')).toThrow(/lowercase/);
    expect(() => validateRule(ruleWith('x', []), 'detectors/x/x.ts')).toThrow(/at least one/);
  });
});
