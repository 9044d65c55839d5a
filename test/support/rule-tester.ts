import { describe, expect, it } from '@jest/globals';
import { ALL_LINES } from '../../src/diff/changed-lines.js';
import { DEFAULT_SETTINGS, Engine, type AuditSettings, type SourceFile } from '../../src/engine/audit.js';
import { loadRules } from '../../src/engine/registry.js';
import type { Finding, RuleOptions, Severity } from '../../src/engine/types.js';

/**
 * ESLint's RuleTester, for Shipgate: every rule gets a table of code that must be flagged and
 * look-alikes that must not, so a rule's tests read like its documentation.
 */
export interface RuleCase {
  /** What the case shows; defaults to the first line of code. */
  readonly name?: string;
  readonly code: string;
  /** Defaults by language: `src/server.ts` or `app/service.py`; pick a path to pick a language. */
  readonly path?: string;
  /** Other files of the same change, for rules that look across files. */
  readonly files?: Readonly<Record<string, string>>;
  readonly options?: Partial<RuleOptions>;
  readonly settings?: Partial<AuditSettings>;
}

export interface InvalidCase extends RuleCase {
  /** Lines (1-based) of the expected findings, in order; defaults to one finding, any line. */
  readonly lines?: readonly number[];
  readonly severity?: Severity;
  readonly message?: RegExp;
  /** The expected suggestion text (whole replaced lines). */
  readonly suggestion?: string;
}

export interface RuleTable {
  readonly language?: 'ts' | 'py' | 'tsx' | 'js';
  readonly valid: readonly (RuleCase | string)[];
  readonly invalid: readonly (InvalidCase | string)[];
}

const DEFAULT_PATH = { ts: 'src/server.ts', tsx: 'src/server.tsx', js: 'src/server.js', py: 'app/service.py' } as const;

export async function runRule(ruleId: string, c: RuleCase, language: RuleTable['language'] = 'ts'): Promise<Finding[]> {
  const rules = await loadRules();
  const rule = rules.find((r) => r.meta.id === ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const engine = new Engine([rule]);
  // The same audit without the rule's pre-filter (`requires`): the gate may only save work,
  // never change a result, so every case of every table checks it.
  const ungated = new Engine([rule], [], { prefilter: false });
  const path = c.path ?? DEFAULT_PATH[language];
  const files: SourceFile[] = [
    { path, content: c.code, status: 'added', changed: ALL_LINES },
    ...Object.entries(c.files ?? {}).map(([p, content]) => ({ path: p, content, status: 'added' as const, changed: ALL_LINES })),
  ];
  const settings: AuditSettings = {
    ...DEFAULT_SETTINGS,
    ...c.settings,
    ruleOptions: { ...DEFAULT_SETTINGS.ruleOptions, ...c.options },
  };
  const result = engine.audit(files, settings);
  if (result.errors.length) throw new Error(result.errors.join('\n'));
  const findings = result.findings.filter((f) => f.path === path);
  if (rule.requires) {
    const expected = ungated.audit(files, settings).findings.filter((f) => f.path === path);
    if (JSON.stringify(expected) !== JSON.stringify(findings)) {
      throw new Error(
        `${ruleId}: its \`requires\` words (${JSON.stringify(rule.requires)}) change the result on this case: ` +
          `without them ${expected.length} finding(s) ${expected.map((f) => `line ${f.line}`).join(', ')}, with them ${findings.length}`,
      );
    }
  }
  return findings;
}

function label(c: RuleCase): string {
  const first = c.code.trim().split('\n').find((l) => l.trim() && !l.trim().startsWith('import')) ?? c.code;
  return c.name ?? first.trim().slice(0, 90);
}

export function ruleTable(ruleId: string, table: RuleTable): void {
  const norm = <T extends RuleCase>(c: T | string): T => (typeof c === 'string' ? ({ code: c } as T) : c);
  describe(`${ruleId}${table.language ? ` (${table.language})` : ''}`, () => {
    describe('flags', () => {
      for (const raw of table.invalid) {
        const c = norm<InvalidCase>(raw);
        it(label(c), async () => {
          const findings = await runRule(ruleId, c, table.language);
          expect(findings.length).toBeGreaterThan(0);
          if (c.lines) expect(findings.map((f) => f.line)).toEqual(c.lines);
          if (c.severity) expect(findings[0]!.severity).toBe(c.severity);
          if (c.message) expect(findings[0]!.message).toMatch(c.message);
          if (c.suggestion !== undefined) expect(findings[0]!.suggestion?.replacement).toBe(c.suggestion);
        });
      }
    });
    describe('does not flag', () => {
      for (const raw of table.valid) {
        const c = norm<RuleCase>(raw);
        it(label(c), async () => {
          const findings = await runRule(ruleId, c, table.language);
          expect(findings.map((f) => `${f.line}: ${f.message}`)).toEqual([]);
        });
      }
    });
  });
}
