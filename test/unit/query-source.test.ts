import { describe, expect, it } from '@jest/globals';
import { ALL_LINES } from '../../src/diff/changed-lines.js';
import { Engine } from '../../src/engine/audit.js';
import { grammarFor, Parser } from '../../src/engine/languages.js';
import { splitPatterns } from '../../src/engine/query-source.js';
import { loadRules } from '../../src/engine/registry.js';
import type { Rule, RuleMatch, SyntaxLanguage } from '../../src/engine/types.js';

const patternCount = (query: InstanceType<typeof Parser.Query>): number => (query as unknown as { predicates: unknown[] }).predicates.length;

describe('cutting queries into patterns', () => {
  it("cuts every rule's query where tree-sitter does, each piece one pattern", async () => {
    const rules = await loadRules();
    let cut = 0;
    for (const rule of rules) {
      for (const [visitor, language] of [
        [rule.ts, 'typescript'],
        [rule.ts, 'tsx'],
        [rule.py, 'python'],
      ] as const) {
        if (!visitor) continue;
        const patterns = splitPatterns(visitor.query);
        expect([rule.meta.id, patterns === undefined]).toEqual([rule.meta.id, false]);
        const whole = new Parser.Query(grammarFor(language as SyntaxLanguage), visitor.query);
        expect([rule.meta.id, patterns!.length]).toEqual([rule.meta.id, patternCount(whole)]);
        for (const pattern of patterns!) {
          expect(patternCount(new Parser.Query(grammarFor(language as SyntaxLanguage), pattern.text))).toBe(1);
          cut++;
        }
      }
    }
    expect(cut).toBeGreaterThan(150);
  });

  it('gives patterns alike up to capture names, spacing and comments the same key', () => {
    const [a] = splitPatterns('(call function: (identifier) @fn) @call')!;
    const [b] = splitPatterns('(call\n  function: (identifier) @name) ; the callee\n  @whole')!;
    expect(a!.key).toBe(b!.key);
    expect(a!.captures).toEqual(['fn', 'call']);
    expect(b!.captures).toEqual(['name', 'whole']);
    const [e] = splitPatterns('(call function: [(identifier) (attribute)] arguments: (argument_list)) @c')!;
    const [f] = splitPatterns('(call function: [ (attribute) (identifier) ] arguments: (argument_list)) @call')!;
    expect(e!.key).toBe(f!.key);
    // Alternations with captures or fields inside keep their order.
    const [g] = splitPatterns('[(call) @a (string) @b]')!;
    const [h] = splitPatterns('[(string) @b (call) @a]')!;
    expect(g!.key).not.toBe(h!.key);
    const [c] = splitPatterns('(call function: (attribute) @fn) @call')!;
    expect(c!.key).not.toBe(a!.key);
    // The same names in another order are another pattern's captures.
    const [d] = splitPatterns('(call function: (identifier) @call) @fn')!;
    expect(d!.key).toBe(a!.key);
    expect(d!.captures).toEqual(['call', 'fn']);
  });

  it('reads literals, alternations, quantifiers and top-level sequences', () => {
    const patterns = splitPatterns('(string "a;@(b\\"") @s\n[(true) (false)] @bool\n((comment)+ @doc . (function_definition) @fn)\n"=>" @arrow\n(_)* @any')!;
    expect(patterns.map((p) => p.captures)).toEqual([['s'], ['bool'], ['doc', 'fn'], ['arrow'], ['any']]);
    expect(patterns[0]!.text).toBe('(string "a;@(b\\"") @s');
  });

  it('gives up on what it does not read', () => {
    expect(splitPatterns('((identifier) @x (#eq? @x "y"))')).toBeUndefined();
    expect(splitPatterns('(call')).toBeUndefined();
    expect(splitPatterns('identifier')).toBeUndefined();
  });
});

describe('rules sharing a pattern', () => {
  it('get one match each, under their own capture names', () => {
    const seen: string[] = [];
    const rule = (id: string, query: string, name: string, whole: string): Rule => ({
      meta: { id, title: id, category: 'reliability', severity: 'P3', languages: ['py'], docs: { why: 'x', fix: 'x', bad: 'x', good: 'x' } } as unknown as Rule['meta'],
      py: {
        query,
        onMatch: (match: RuleMatch) => {
          seen.push(`${id}: ${name}=${match.captures[name]?.text} ${whole}=${match.captures[whole]?.type} all=${match.all(name).length}`);
        },
      },
    });
    const engine = new Engine(
      [
        rule('a', '(call function: (identifier) @fn) @call', 'fn', 'call'),
        rule('b', '(call\n function: (identifier) @callee) @node ; same shape', 'callee', 'node'),
        rule('c', '(call function: (attribute) @fn) @call', 'fn', 'call'),
        rule('d', '(string) @s', 's', 's'),
      ],
      [],
      { prefilter: false },
    );
    const result = engine.audit([{ path: 'app.py', content: 'print(x)\nlog.info(y)\n', status: 'added', changed: ALL_LINES }]);
    expect(result.errors).toEqual([]);
    expect(seen.sort()).toEqual(['a: fn=print call=call all=1', 'b: callee=print node=call all=1', 'c: fn=log.info call=call all=1']);
  });
});
