import type { Linter as LinterType } from 'eslint';
import type { CorpusFile } from './corpus.js';
import { maxRssKb, passes, timeAsync, type Measurement } from './measure.js';

/**
 * The peer on JavaScript/TypeScript: ESLint 9 with every rule of eslint-plugin-security, through
 * the Node API (`Linter`, an in-memory flat config: no config lookup, no file I/O), so it is
 * timed exactly like the engine — source strings in, findings out. TypeScript needs
 * @typescript-eslint/parser (espree reads JavaScript only); it is used when installed.
 */

interface SecurityPlugin {
  readonly rules: Readonly<Record<string, unknown>>;
}

const TS_PARSER = '@typescript-eslint/parser';

async function load(specifier: string): Promise<unknown> {
  return ((await import(specifier)) as { default?: unknown }).default ?? (await import(specifier));
}

export async function eslintSecurity(group: 'js' | 'ts', files: readonly CorpusFile[], count: number): Promise<Measurement> {
  let linter!: LinterType;
  let config!: LinterType.Config[];
  let parser: unknown;
  const notes: string[] = [];
  const loadMs = await timeAsync(async () => {
    const { Linter } = await import('eslint');
    const security = (await load('eslint-plugin-security')) as SecurityPlugin;
    if (group === 'ts') {
      try {
        parser = await load(TS_PARSER);
      } catch {
        parser = undefined;
      }
    }
    const rules = Object.fromEntries(Object.keys(security.rules).map((name) => [`security/${name}`, 'warn' as const]));
    linter = new Linter({ configType: 'flat' });
    config = (['module', 'commonjs'] as const).map((type) => ({
      files: type === 'commonjs' ? ['**/*.cjs', '**/*.cts'] : ['**/*.js', '**/*.mjs', '**/*.jsx', '**/*.ts', '**/*.tsx', '**/*.mts'],
      plugins: { security: security as never },
      languageOptions: {
        ecmaVersion: 'latest',
        sourceType: type,
        parserOptions: { ecmaFeatures: { jsx: true } },
        ...(parser ? { parser: parser as never } : {}),
      },
      rules,
    }));
  });
  const ruleCount = Object.keys(config[0]!.rules ?? {}).length;

  let warnings = 0;
  let fatal = 0;
  const lint = (subset: readonly CorpusFile[]) => () => {
    warnings = 0;
    fatal = 0;
    for (const f of subset) {
      for (const m of linter.verify(f.content, config, { filename: f.path })) {
        if (m.fatal) fatal++;
        else warnings++;
      }
    }
  };
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  if (group === 'ts' && !parser) {
    // Not a measurement: show that ESLint's default parser cannot read these files.
    lint(files)();
    return {
      mode: 'eslint',
      files: files.length,
      bytes,
      runs: [],
      maxRssKb: maxRssKb(),
      counts: { rules: ruleCount, parseErrors: fatal },
      failed: `not measured: espree could not parse ${fatal} of ${files.length} files; needs ${TS_PARSER} (not installed)`,
      notes: [`ESLint's default parser (espree) could not parse ${fatal} of ${files.length} TypeScript files: linting them needs ${TS_PARSER}, which is not installed`],
    };
  }
  const { runs, cpu } = passes(count, lint(files.slice(0, 30)), lint(files));
  if (fatal > 0) notes.push(`${fatal} of ${files.length} files did not parse (their time is only the failed parse)`);
  if (parser) notes.push(`TypeScript parsed with ${TS_PARSER}`);
  return {
    mode: 'eslint',
    files: files.length,
    bytes,
    runs,
    cpu,
    setup: { 'module loading + config': loadMs },
    maxRssKb: maxRssKb(),
    counts: { rules: ruleCount, warnings, parseErrors: fatal },
    notes,
  };
}
