import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { DEFAULT_SETTINGS, DEFAULT_TENANT_KEYS, type AuditSettings } from '../engine/audit.js';
import { SEVERITIES, type Severity } from '../engine/types.js';

/**
 * `.github/shipgate.yml`, read from the base branch (never the PR head: a PR must not switch the
 * gate off for itself). A bad config never stops an audit: the errors are reported, and every
 * section that is wrong falls back to its default while the valid sections still apply.
 */

export const CONFIG_PATH = '.github/shipgate.yml';

const severity = z.enum(SEVERITIES);
const failOn = z.enum(['P0', 'P1', 'P2', 'P3', 'none']);
export type FailOn = z.infer<typeof failOn>;

/** A rule entry: `off`, `on`, a severity, or `{ enabled, severity }`. */
const ruleSetting = z.union([
  z.enum(['off', 'on']),
  z.boolean(),
  severity,
  z.strictObject({ enabled: z.boolean().optional(), severity: severity.optional() }),
]);

const glob = z
  .string()
  .min(1)
  .max(300, 'a glob longer than 300 characters')
  // picomatch turns globs into regexes; brace/extglob nesting is where they blow up.
  .refine((g) => (g.match(/[({]/g)?.length ?? 0) <= 10, 'too many nested groups in a glob');

const sections = {
  failOn,
  drafts: z.enum(['audit', 'skip']),
  maxComments: z.number().int().min(0).max(100),
  includeTests: z.boolean(),
  ignore: z.array(glob).max(200),
  rules: z.record(z.string().regex(/^[a-z0-9-]+$/, 'rule ids are kebab-case'), ruleSetting),
  tenant: z.strictObject({
    keys: z.array(z.string().min(1).max(100)).max(50).optional(),
    models: z.array(z.string().min(1).max(100)).max(500).optional(),
    crossTenantPaths: z.array(glob).max(200).optional(),
  }),
} as const;

export interface ShipgateConfig {
  readonly failOn: FailOn;
  readonly drafts: 'audit' | 'skip';
  readonly maxComments: number;
  readonly includeTests: boolean;
  readonly ignore: readonly string[];
  readonly rules: Readonly<Record<string, z.infer<typeof ruleSetting>>>;
  readonly tenant: { readonly keys?: readonly string[]; readonly models?: readonly string[]; readonly crossTenantPaths?: readonly string[] };
}

export const DEFAULT_CONFIG: ShipgateConfig = {
  failOn: 'P0',
  drafts: 'audit',
  maxComments: 25,
  includeTests: false,
  ignore: [],
  rules: {},
  tenant: {},
};

export interface ParsedConfig {
  readonly config: ShipgateConfig;
  /** Human-readable problems, each naming the key at fault. Empty when the file is valid. */
  readonly errors: readonly string[];
}

const MAX_CONFIG_BYTES = 64 * 1024;

export function parseConfig(text: string | undefined, knownRuleIds?: ReadonlySet<string>): ParsedConfig {
  if (text === undefined || text.trim() === '') return { config: DEFAULT_CONFIG, errors: [] };
  if (text.length > MAX_CONFIG_BYTES) {
    return { config: DEFAULT_CONFIG, errors: [`${CONFIG_PATH} is larger than 64 KB; using the defaults`] };
  }
  let raw: unknown;
  try {
    // maxAliasCount guards against alias bombs ("billion laughs").
    raw = parseYaml(text, { maxAliasCount: 100, prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    const first = (error as Error).message.split('\n')[0];
    return { config: DEFAULT_CONFIG, errors: [`${CONFIG_PATH} is not valid YAML${where}: ${first}; using the defaults`] };
  }
  if (raw === null || raw === undefined) return { config: DEFAULT_CONFIG, errors: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { config: DEFAULT_CONFIG, errors: [`${CONFIG_PATH} must be a mapping of settings; using the defaults`] };
  }

  const errors: string[] = [];
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const schema = sections[key as keyof typeof sections];
    if (!schema) {
      errors.push(`unknown setting \`${key}\` (known: ${Object.keys(sections).join(', ')})`);
      continue;
    }
    const result = schema.safeParse(value);
    if (result.success) {
      config[key] = result.data;
    } else {
      for (const issue of result.error.issues) {
        const path = [key, ...issue.path.map(String)].join('.');
        errors.push(`\`${path}\`: ${issue.message}; the default is used for \`${key}\``);
      }
    }
  }
  if (knownRuleIds) {
    for (const id of Object.keys((config.rules as ShipgateConfig['rules']) ?? {})) {
      if (!knownRuleIds.has(id)) errors.push(`\`rules.${id}\`: no rule has this id; it is ignored`);
    }
  }
  return { config: config as unknown as ShipgateConfig, errors };
}

/** The engine's view of a config. */
export function toAuditSettings(config: ShipgateConfig): AuditSettings {
  const disabledRules = new Set<string>();
  const severityOverrides = new Map<string, Severity>();
  for (const [id, setting] of Object.entries(config.rules)) {
    if (setting === 'off' || setting === false) disabledRules.add(id);
    else if (typeof setting === 'string' && setting !== 'on') severityOverrides.set(id, setting);
    else if (typeof setting === 'object') {
      if (setting.enabled === false) disabledRules.add(id);
      if (setting.severity) severityOverrides.set(id, setting.severity);
    }
  }
  return {
    ...DEFAULT_SETTINGS,
    disabledRules,
    severityOverrides,
    ignorePaths: config.ignore,
    includeTestFiles: config.includeTests,
    ruleOptions: {
      tenantKeys: config.tenant.keys ?? DEFAULT_TENANT_KEYS,
      tenantModels: config.tenant.models ?? [],
      crossTenantPaths: config.tenant.crossTenantPaths ?? [],
    },
  };
}
