import type { Linter as LinterType } from 'eslint';
import type { CorpusFile } from './corpus.js';
import { maxRssKb, passes, timeAsync, type Measurement } from './measure.js';

/**
 * The peer on JavaScript: ESLint 9 with every rule of eslint-plugin-security, through the
 * Node API (`Linter`, an in-memory flat config: no config lookup, no file I/O), so it is timed
 * exactly like the engine — source strings in, findings out.
 */

interface SecurityPlugin {
  readonly rules: Readonly<Record<string, unknown>>;
}

export async function eslintSecurity(js: readonly CorpusFile[], ts: readonly CorpusFile[], count: number): Promise<Measurement> {
  let linter!: LinterType;
  let config!: LinterType.Config[];
  const loadMs = await timeAsync(async () => {
    const { Linter } = await import('eslint');
    const pluginName = 'eslint-plugin-security';
    const security = ((await import(pluginName)) as { default: SecurityPlugin }).default;
    const rules = Object.fromEntries(Object.keys(security.rules).map((name) => [`security/${name}`, 'warn' as const]));
    linter = new Linter({ configType: 'flat' });
    config = (['module', 'commonjs'] as const).map((type) => ({
      files: type === 'commonjs' ? ['**/*.cjs'] : ['**/*.js', '**/*.mjs', '**/*.jsx', '**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
      plugins: { security: security as never },
      languageOptions: { ecmaVersion: 'latest', sourceType: type, parserOptions: { ecmaFeatures: { jsx: true } } },
      rules,
    }));
  });
  const ruleCount = Object.keys(config[0]!.rules ?? {}).length;

  let warnings = 0;
  let fatal = 0;
  const lint = (files: readonly CorpusFile[]) => () => {
    warnings = 0;
    fatal = 0;
    for (const f of files) {
      for (const m of linter.verify(f.content, config, { filename: f.path })) {
        if (m.fatal) fatal++;
        else warnings++;
      }
    }
  };
  const { runs, cpu } = passes(count, lint(js.slice(0, 30)), lint(js));
  const counts: Record<string, number> = { rules: ruleCount, warnings, parseErrors: fatal };
  const notes: string[] = [];
  const maxRss = maxRssKb();

  // Can ESLint's default parser (espree) read the TypeScript files at all?
  if (ts.length > 0) {
    lint(ts)();
    counts.tsFiles = ts.length;
    counts.tsParseErrors = fatal;
    if (fatal > 0) {
      notes.push(
        `espree could not parse ${fatal} of ${ts.length} TypeScript files: ESLint needs @typescript-eslint/parser to lint them, so the ESLint comparison uses the JavaScript files only`,
      );
    }
  }
  return {
    mode: 'eslint',
    files: js.length,
    bytes: js.reduce((n, f) => n + Buffer.byteLength(f.content), 0),
    runs,
    cpu,
    setup: { 'module loading + config': loadMs },
    maxRssKb: maxRss,
    counts,
    notes,
  };
}
