import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONFIG, parseConfig, toAuditSettings } from '../../src/config/config.js';

describe('parseConfig', () => {
  it('returns the defaults for a missing or empty file', () => {
    expect(parseConfig(undefined)).toEqual({ config: DEFAULT_CONFIG, errors: [] });
    expect(parseConfig('  \n')).toEqual({ config: DEFAULT_CONFIG, errors: [] });
  });

  it('reads every section', () => {
    const { config, errors } = parseConfig(
      [
        'failOn: P1',
        'drafts: skip',
        'maxComments: 10',
        'ignore: ["legacy/**"]',
        'rules:',
        '  http-no-timeout: off',
        '  console-logging: P3',
        '  empty-catch: { severity: P1 }',
        'tenant:',
        '  keys: [team_id]',
        '  models: [Invoice]',
        '  crossTenantPaths: ["src/admin/**"]',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(config).toMatchObject({ failOn: 'P1', drafts: 'skip', maxComments: 10, ignore: ['legacy/**'] });
    const settings = toAuditSettings(config);
    expect([...settings.disabledRules]).toEqual(['http-no-timeout']);
    expect(Object.fromEntries(settings.severityOverrides)).toEqual({ 'console-logging': 'P3', 'empty-catch': 'P1' });
    expect(settings.ruleOptions).toEqual({ tenantKeys: ['team_id'], tenantModels: ['Invoice'], crossTenantPaths: ['src/admin/**'] });
  });

  it('reports invalid YAML with its line and falls back to the defaults', () => {
    const { config, errors } = parseConfig('failOn: P1\nrules: [unclosed\n');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(errors[0]).toMatch(/not valid YAML at line \d/);
  });

  it('keeps the valid sections when one is wrong, and says exactly what is wrong', () => {
    const { config, errors } = parseConfig('failOn: P9\nmaxComments: 5\ncolour: blue\n');
    expect(config.maxComments).toBe(5);
    expect(config.failOn).toBe('P0');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/`failOn`/);
    expect(errors[1]).toMatch(/unknown setting `colour`/);
  });

  it('names unknown rule ids', () => {
    const { errors } = parseConfig('rules:\n  no-such-rule: off\n', new Set(['secret-in-log']));
    expect(errors).toEqual(['`rules.no-such-rule`: no rule has this id; it is ignored']);
  });

  it('refuses a non-mapping document and alias bombs', () => {
    expect(parseConfig('- a\n- b\n').errors[0]).toMatch(/must be a mapping/);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    const { config, errors } = parseConfig(bomb);
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(errors.length).toBeGreaterThan(0);
  });
});
