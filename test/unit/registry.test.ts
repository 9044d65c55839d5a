import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/audit.js';
import { loadRules, ruleLoadErrors } from '../../src/engine/registry.js';
import { renderRuleCatalog } from '../../src/report/rule-catalog.js';

describe('rule registry', () => {
  it('loads every rule, each valid, with a unique id', async () => {
    const rules = await loadRules();
    expect(rules.length).toBeGreaterThan(1);
    expect(new Set(rules.map((r) => r.meta.id)).size).toBe(rules.length);
    expect(ruleLoadErrors).toEqual([]);
  });

  it('reports a broken rule file and loads the others', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-rules-'));
    mkdirSync(join(dir, 'security'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'security', 'broken-rule.js'), 'export default { meta: { id: "broken-rule" } };\n');
    writeFileSync(join(dir, 'security', 'no-default.js'), 'export const rule = 1;\n');
    const before = ruleLoadErrors.length;
    expect(await loadRules(dir)).toEqual([]);
    expect(ruleLoadErrors.slice(before)).toEqual([
      expect.stringMatching(/broken-rule\.js: rule .*: severity "undefined"/),
      expect.stringMatching(/no-default\.js: .*no default export/),
    ]);
    ruleLoadErrors.splice(before);
  });

  it('compiles every rule query for every grammar', async () => {
    const engine = new Engine(await loadRules());
    expect(() => engine.warm()).not.toThrow();
  });

  it('has a case table for every rule', async () => {
    const missing = (await loadRules()).map((r) => r.meta.id).filter((id) => !existsSync(join('test', 'detectors', `${id}.test.ts`)));
    expect(missing).toEqual([]);
  });

  it('keeps docs/rules.md in step with the rules (run `npm run docs`)', async () => {
    const rules = await loadRules();
    const current = existsSync('docs/rules.md') ? readFileSync('docs/rules.md', 'utf8') : '';
    expect(current).toBe(renderRuleCatalog(rules.map((r) => r.meta)));
  });
});
