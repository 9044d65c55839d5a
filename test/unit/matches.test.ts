import { readFileSync } from 'node:fs';
import type TreeSitter from 'tree-sitter';
import { describe, expect, it } from '@jest/globals';
import { grammarFor, parse, Parser } from '../../src/engine/languages.js';
import { readsRaw, ruleMatch, wantedMatches } from '../../src/engine/matches.js';
import { loadRules } from '../../src/engine/registry.js';
import type { SyntaxLanguage, SyntaxNode } from '../../src/engine/types.js';

/** Real code of this repository and of rules' tables, in each grammar. */
const SOURCES: Record<SyntaxLanguage, string> = {
  typescript: readFileSync(new URL('../../src/engine/audit.ts', import.meta.url), 'utf8'),
  tsx: readFileSync(new URL('../../src/github/pr-audit.ts', import.meta.url), 'utf8') + '\nconst el = <div a="1">{x}</div>;\n',
  python: [
    'import requests',
    'from django.db import models, transaction',
    'class Invoice(models.Model):',
    '    org = models.ForeignKey("Org", on_delete=models.CASCADE)',
    '    def total(self):',
    '        return sum(l.amount for l in self.lines.all() if l.amount > 0)',
    '@transaction.atomic',
    'def pay(request, pk):',
    '    invoice = Invoice.objects.filter(pk=pk, org=request.user.org).first()',
    '    try:',
    '        requests.post(f"https://pay/{invoice.id}", json={"a": 1}, timeout=5)',
    '    except Exception:',
    '        pass',
    '    print("paid", invoice, password)',
    '    return {"ok": True, "n": [1, 2][0] + x}',
    'broken = (',
  ].join('\n'),
};

const describeNode = (n: SyntaxNode | undefined): string => (n ? `${n.type}@${n.startIndex}-${n.endIndex}` : 'none');

describe('raw query matches', () => {
  for (const [language, source] of Object.entries(SOURCES) as [SyntaxLanguage, string][]) {
    it(`equal the bindings' matches for every rule's ${language} patterns, whole and in a row range, wanted or not`, async () => {
      const rules = await loadRules();
      const visitor = language === 'python' ? 'py' : 'ts';
      const query = new Parser.Query(grammarFor(language), rules.flatMap((r) => (r[visitor] ? [r[visitor]!.query] : [])).join('\n'));
      expect(readsRaw(query)).toBe(true);
      const tree = parse(language, source);
      const expected = (options?: TreeSitter.QueryOptions) =>
        query.matches(tree.rootNode, options).map((m) => `${m.pattern} ${m.captures.map((c) => `${c.name}=${describeNode(c.node)}`).join(' ')}`);
      const actual = (range: { startRow: number; endRow: number } | undefined, wanted: (p: number) => boolean) =>
        wantedMatches(query, tree.rootNode, range, wanted).map((raw) => {
          const m = ruleMatch(raw);
          const names = [...new Set(Object.keys(m.captures))];
          const ordered = names.flatMap((name) => m.all(name).map((n) => ({ name, n })));
          return { pattern: m.pattern, text: ordered.map(({ name, n }) => `${name}=${describeNode(n)}`).sort().join(' ') };
        });
      const sortCaptures = (line: string) => {
        const [pattern, ...captures] = line.split(' ');
        return `${pattern} ${captures.sort().join(' ')}`;
      };
      const whole = expected().map(sortCaptures);
      expect(whole.length).toBeGreaterThan(50);
      expect(actual(undefined, () => true).map((m) => `${m.pattern} ${m.text}`)).toEqual(whole);
      const even = actual(undefined, (p) => p % 2 === 0).map((m) => `${m.pattern} ${m.text}`);
      expect(even).toEqual(whole.filter((line) => Number(line.split(' ')[0]) % 2 === 0));
      const ranged = expected({ startPosition: { row: 4, column: 0 }, endPosition: { row: 12, column: 0 } }).map(sortCaptures);
      expect(actual({ startRow: 4, endRow: 12 }, () => true).map((m) => `${m.pattern} ${m.text}`)).toEqual(ranged);
    });
  }

  it('gives one object per node, the one later navigation returns', () => {
    const query = new Parser.Query(grammarFor('python'), '(call function: (identifier) @fn) @call (call) @any');
    const tree = parse('python', 'print(1)\n');
    const matches = wantedMatches(query, tree.rootNode, undefined, () => true).map((m) => ruleMatch(m));
    const named = matches.find((m) => m.pattern === 0)!;
    const any = matches.find((m) => m.pattern === 1)!;
    expect(named.captures.call).toBe(any.captures.any);
    expect(named.captures.fn!.parent).toBe(named.captures.call);
  });
});
