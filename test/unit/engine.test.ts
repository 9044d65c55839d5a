import { beforeAll, describe, expect, it } from '@jest/globals';
import { ALL_LINES } from '../../src/diff/changed-lines.js';
import { DEFAULT_SETTINGS, Engine, loadEngine, type SourceFile } from '../../src/engine/audit.js';
import { minifiedReason } from '../../src/engine/paths.js';
import { findSuppressions } from '../../src/engine/suppressions.js';
import type { Rule } from '../../src/engine/types.js';

let engine: Engine;
beforeAll(async () => {
  const all = await loadEngine();
  engine = new Engine(all.rules.filter((r) => r.meta.id === 'secret-in-log'));
});

const file = (content: string, extra: Partial<SourceFile> = {}): SourceFile => ({ path: 'src/app.ts', content, status: 'added', changed: ALL_LINES, ...extra });

describe('engine', () => {
  it('reports only on changed lines', () => {
    const content = 'console.log(password);\nconst a = 1;\nconsole.log(token);\n';
    const result = engine.audit([file(content, { status: 'modified', changed: [{ start: 3, end: 3 }] })]);
    expect(result.findings.map((f) => f.line)).toEqual([3]);
  });

  it('keeps fingerprints stable when lines shift above a finding', () => {
    const before = engine.audit([file('console.log(password);\n')]).findings[0]!;
    const after = engine.audit([file('// a comment\n\n\nconsole.log(  password );\n')]).findings[0]!;
    expect(after.line).toBe(4);
    expect(after.fingerprint).toBe(before.fingerprint);
  });

  it('gives repeated identical code distinct fingerprints by occurrence', () => {
    const findings = engine.audit([file('console.log(password);\nconsole.log(password);\n')]).findings;
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(2);
  });

  it('marks findings that exist at base as pre-existing', () => {
    const base = 'console.log(password);\n';
    const head = 'console.log(password);\nconsole.log(apiKey);\n';
    const result = engine.audit([file(head, { status: 'modified', changed: [{ start: 1, end: 2 }], baseContent: base })]);
    expect(result.findings.map((f) => [f.line, f.preExisting])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('asks for base versions only of modified files with findings, and reads only those again', async () => {
    const asked: string[][] = [];
    const result = await engine.auditAsync(
      [
        file('console.log(password);\nconsole.log(apiKey);\n', { path: 'src/a.ts', status: 'modified', changed: [{ start: 1, end: 2 }] }),
        file('const quiet = 1;\n', { path: 'src/b.ts', status: 'modified', changed: [{ start: 1, end: 1 }] }),
        file('console.log(secret);\n', { path: 'src/c.ts', status: 'added' }),
        file('console.log(token);\n', { path: 'src/d.ts', status: 'modified', changed: [{ start: 1, end: 1 }], baseContent: 'console.log(token);\n' }),
      ],
      DEFAULT_SETTINGS,
      {
        baseContents: async (paths) => {
          asked.push([...paths]);
          return new Map([['src/a.ts', 'console.log(password);\n']]);
        },
      },
    );
    expect(asked).toEqual([['src/a.ts']]);
    expect(result.findings.map((f) => [f.path, f.line, f.preExisting])).toEqual([
      ['src/a.ts', 1, true],
      ['src/a.ts', 2, false],
      ['src/c.ts', 1, false],
      ['src/d.ts', 1, true],
    ]);
  });

  it('does not ask for base versions when nothing was found', async () => {
    let asked = false;
    const result = await engine.auditAsync([file('const a = 1;\n', { status: 'modified', changed: [{ start: 1, end: 1 }] })], DEFAULT_SETTINGS, {
      baseContents: async () => {
        asked = true;
        return new Map();
      },
    });
    expect(result.findings).toEqual([]);
    expect(asked).toBe(false);
  });

  it('honours suppressions on the line and the line above', () => {
    const content = [
      'console.log(password); // shipgate-ignore secret-in-log: test fixture printing a fake value',
      '# nothing',
      '// shipgate-ignore secret-in-log: the value is a fake in the demo',
      'console.log(token);',
      '// shipgate-ignore http-no-timeout: other rule',
      'console.log(secret);',
    ].join('\n');
    expect(engine.audit([file(content)]).findings.map((f) => f.line)).toEqual([6]);
  });

  it('parses suppressions with and without reasons', () => {
    expect(findSuppressions('x # shipgate-ignore a-b, c: because\ny // shipgate-ignore d\n')).toEqual([
      { line: 1, column: 3, ruleIds: ['a-b', 'c'], reason: 'because' },
      { line: 2, column: 3, ruleIds: ['d'], reason: undefined },
    ]);
  });

  it('calls a file minified only for long lines that are few', () => {
    expect(minifiedReason('x'.repeat(5000))).toBe('minified file');
    expect(minifiedReason('x'.repeat(1200) + '\n' + 'y'.repeat(900))).toBe('minified file');
    expect(minifiedReason(('x'.repeat(900) + '\n').repeat(5))).toBeUndefined();
    expect(minifiedReason('x'.repeat(5000) + '\n'.repeat(40))).toBeUndefined();
    expect(minifiedReason('short\n'.repeat(1000))).toBeUndefined();
  });

  it('skips vendored, generated, minified, binary and oversized files with a reason and audits the rest', () => {
    const minified = 'var a=1;'.repeat(2000) + '\nconsole.log(password)';
    const result = engine.audit(
      [
        file('console.log(password)', { path: 'node_modules/x/index.js' }),
        file('// @generated by protoc\nconsole.log(password)', { path: 'src/gen.ts' }),
        file(minified, { path: 'public/app.js' }),
        file('console.log(password)\0\0', { path: 'src/weird.ts' }),
        file('console.log(password);'.repeat(200_000), { path: 'src/huge.ts' }),
        file('console.log(password);', { path: 'src/ok.ts' }),
      ],
      DEFAULT_SETTINGS,
    );
    expect(result.skipped.map((s) => [s.path, s.reason.split(' (')[0]])).toEqual([
      ['node_modules/x/index.js', 'vendored dependency'],
      ['src/gen.ts', 'generated file'],
      ['public/app.js', 'minified file'],
      ['src/weird.ts', 'binary file'],
      ['src/huge.ts', 'too large to audit'],
    ]);
    expect(result.findings.map((f) => f.path)).toEqual(['src/ok.ts']);
  });

  it('survives hostile input: deep nesting and invalid syntax', () => {
    const deep = 'const x = ' + '[\n'.repeat(10_000) + ']'.repeat(10_000) + ';\nconsole.log(password);\n';
    const broken = 'function ok() {\n  const = ;\n  console.log(password);\n}\n';
    const result = engine.audit([file(deep), file(broken, { path: 'src/broken.ts' })]);
    expect(result.findings.map((f) => f.path)).toEqual(['src/app.ts', 'src/broken.ts']);
  });

  it('keeps auditing when a rule throws, and says which rule failed where', () => {
    const throwing: Rule = {
      meta: { ...engine.rules[0]!.meta, id: 'boom' },
      ts: { query: '(identifier) @id', onMatch: () => { throw new Error('kaput'); } },
    };
    const mixed = new Engine([throwing, engine.rules[0]!]);
    const result = mixed.audit([file('console.log(password);')]);
    expect(result.findings).toHaveLength(1);
    expect(result.errors[0]).toMatch(/rule boom failed on src\/app.ts: kaput/);
  });

  it('skips test files except for rules that read them', () => {
    const result = engine.audit([file('console.log(password);', { path: 'src/__tests__/a.test.ts' })]);
    expect(result.findings).toEqual([]);
  });

  it('applies severity overrides and disabled rules from config', () => {
    const overridden = engine.audit([file('console.log(password);')], { ...DEFAULT_SETTINGS, severityOverrides: new Map([['secret-in-log', 'P2']]) });
    expect(overridden.findings[0]!.severity).toBe('P2');
    const disabled = engine.audit([file('console.log(password);')], { ...DEFAULT_SETTINGS, disabledRules: new Set(['secret-in-log']) });
    expect(disabled.findings).toEqual([]);
  });
});
