import { describe, expect, it } from '@jest/globals';
import { hasArgumentList, isNamedCall, PY_CALL, PY_METHOD_CALL, TS_CALL, TS_METHOD_CALL } from '../../detectors/support/syntax.js';
import { grammarFor, parse, Parser } from '../../src/engine/languages.js';
import type { RuleMatch, SyntaxLanguage, SyntaxNode } from '../../src/engine/types.js';

/*
 * Rules match calls with a few shared shapes and keep the calls they want by the captured nodes'
 * types (support/syntax.ts). Each filter must keep exactly the calls the narrower pattern it
 * replaced would have matched, in every odd form a call can take.
 */

const SAMPLES: Record<'python' | 'tsx', string> = {
  python: [
    'f(1)',
    'a.b(c, d=1)',
    'a.b.c(*args, **kw)',
    'f(x for x in y)',
    'a.b(x for x in y)',
    'f()()',
    'x[0](1)',
    '(lambda: 1)()',
    'super().save()',
    'await client.get(url)',
    'print(f"{a.b(1)}")',
    'a.b(c.d(e.f()))',
    'broken = f(',
  ].join('\n'),
  tsx: [
    'f(1);',
    'a.b(c);',
    'a?.b?.(c);',
    'this.#x(1);',
    'sql`select 1`;',
    'db.raw`select ${x}`;',
    'f()();',
    'x[0](1);',
    '(() => 1)();',
    'super.m(1);',
    'import("./m");',
    'new Foo(1);',
    'await a.b(c.d(e.f()));',
    'obj["k"](1);',
    'g(h(1), () => k());',
    'const y = f(',
  ].join('\n'),
};

function matchesOf(language: SyntaxLanguage, pattern: string, source: string): RuleMatch['captures'][] {
  const tree = parse(language, source);
  return new Parser.Query(grammarFor(language), pattern)
    .matches(tree.rootNode)
    .map((m) => Object.fromEntries(m.captures.map((c) => [c.name, c.node as unknown as SyntaxNode])));
}

const spans = (captures: RuleMatch['captures'][], name: string): string[] => captures.map((c) => `${c[name]!.startIndex}-${c[name]!.endIndex}`).sort();

describe('shared call shapes', () => {
  const cases: [language: 'python' | 'tsx', narrow: string, shared: string, keep: (c: RuleMatch['captures']) => boolean][] = [
    ['python', '(call arguments: (argument_list)) @call', PY_CALL, hasArgumentList],
    ['python', '(call function: [(identifier) (attribute)] arguments: (argument_list)) @call', PY_CALL, isNamedCall],
    ['python', '(call function: (identifier)) @call', PY_CALL, (c) => c.function?.type === 'identifier'],
    ['python', '(call function: (attribute)) @call', PY_METHOD_CALL, () => true],
    ['python', '(call function: (attribute object: (_) attribute: (identifier)) arguments: (argument_list)) @call', PY_METHOD_CALL, hasArgumentList],
    ['tsx', '(call_expression arguments: (arguments)) @call', TS_CALL, hasArgumentList],
    ['tsx', '(call_expression function: [(identifier) (member_expression)] arguments: (arguments)) @call', TS_CALL, isNamedCall],
    ['tsx', '(call_expression function: (member_expression)) @call', TS_CALL, (c) => c.function?.type === 'member_expression'],
    ['tsx', '(call_expression function: (member_expression) arguments: (arguments)) @call', TS_CALL, (c) => c.function?.type === 'member_expression' && hasArgumentList(c)],
    ['tsx', '(call_expression function: (identifier)) @call', TS_CALL, (c) => c.function?.type === 'identifier'],
    ['tsx', '(call_expression function: (member_expression object: (_) property: (property_identifier))) @call', TS_METHOD_CALL, () => true],
    ['tsx', '(call_expression function: (member_expression property: (property_identifier)) arguments: (arguments)) @call', TS_METHOD_CALL, hasArgumentList],
  ];

  for (const [language, narrow, shared, keep] of cases) {
    it(`${language}: ${narrow} is the shared shape, filtered`, () => {
      const source = SAMPLES[language];
      const expected = spans(matchesOf(language, narrow, source), 'call');
      const kept = matchesOf(language, `${shared} @call`, source).filter(keep);
      expect(spans(kept, 'call')).toEqual(expected);
      expect(expected.length).toBeGreaterThan(3);
    });
  }

  it('tells generator and tagged-template arguments apart from argument lists', () => {
    const py = matchesOf('python', `${PY_CALL} @call`, 'f(x for x in y)\nf(1)\n');
    expect(py.map(hasArgumentList)).toEqual([false, true]);
    const ts = matchesOf('tsx', `${TS_CALL} @call`, 'sql`x`;\nf(1);\n');
    expect(ts.map(hasArgumentList)).toEqual([false, true]);
  });
});
