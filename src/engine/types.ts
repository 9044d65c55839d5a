import type Parser from 'tree-sitter';

/** The severities of the catalog: P0 breaks production or leaks data … P3 is hygiene. */
export const SEVERITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = [
  'Security',
  'Tenant isolation',
  'Reliability',
  'Data lifecycle',
  'Performance',
  'Observability',
  'Code health',
  'Delivery',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Languages parsed with tree-sitter. JavaScript is parsed with the TSX grammar (a superset). */
export const SYNTAX_LANGUAGES = ['typescript', 'tsx', 'python'] as const;
export type SyntaxLanguage = (typeof SYNTAX_LANGUAGES)[number];

/** Config files that rules read as text. */
export const TEXT_LANGUAGES = ['dockerfile', 'env', 'yaml', 'json', 'toml', 'prisma', 'sql'] as const;
export type TextLanguage = (typeof TEXT_LANGUAGES)[number];

export type Language = SyntaxLanguage | TextLanguage;

/**
 * What a rule declares it reads. `ts` covers .ts .tsx .js .jsx .mjs .cjs (one query source serves
 * both TypeScript grammars), `py` is Python, the rest are config files read as text.
 */
export type RuleLanguage = 'ts' | 'py' | TextLanguage;

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

/** A 1-based, inclusive line span on the new side of a diff. */
export interface LineSpan {
  readonly start: number;
  readonly end: number;
}

export interface RuleDocs {
  /** Why it fails in production: one or two sentences, read on the PR. */
  readonly why: string;
  /** What to do instead. */
  readonly fix: string;
  readonly example: { readonly bad: string; readonly good: string };
}

export interface RuleMeta {
  /** Stable kebab-case id, used in config and suppressions. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: Category;
  readonly languages: readonly RuleLanguage[];
  readonly docs: RuleDocs;
  /** Secret rules also read test files; every other rule skips them by default. */
  readonly includeTestFiles?: boolean;
}

/** A GitHub suggestion: replaces whole lines `startLine..endLine` of the new file. */
export interface Suggestion {
  readonly startLine: number;
  readonly endLine: number;
  readonly replacement: string;
}

/** What a rule hands to `report`. */
export interface ReportInput {
  /** The node the finding is about; its text (normalised) feeds the fingerprint. */
  readonly node?: SyntaxNode;
  /** For text rules: a 1-based line span and the text that identifies the finding. */
  readonly lines?: LineSpan;
  readonly column?: number;
  readonly key?: string;
  readonly message: string;
  readonly severity?: Severity;
  readonly suggestion?: Suggestion;
  /**
   * Reported only if this holds once every file of the PR has been read, for rules that need
   * evidence from other files (a model scoped by tenant elsewhere, a retention job elsewhere).
   */
  readonly when?: (facts: FactsView) => boolean;
}

/** PR-wide evidence that rules record while reading files and consult at the end. */
export interface FactsView {
  has(kind: string, key: string): boolean;
  values(kind: string): ReadonlySet<string>;
}
export interface Facts extends FactsView {
  add(kind: string, key: string): void;
}

export type FileStatus = 'added' | 'modified' | 'renamed';

export interface RuleOptions {
  /** Column/field names that identify a tenant. */
  readonly tenantKeys: readonly string[];
  /** Models/tables declared tenant-scoped in config. */
  readonly tenantModels: readonly string[];
  /** Globs of code paths allowed to cross tenants (superadmin tools). */
  readonly crossTenantPaths: readonly string[];
}

/** What every rule receives about the file it reads. */
export interface FileView {
  readonly path: string;
  readonly language: Language;
  readonly source: string;
  readonly status: FileStatus;
  readonly isTestFile: boolean;
  /** 1-based line → text, computed lazily. */
  line(n: number): string;
  readonly lineCount: number;
  /** Whether a 1-based line was added or modified by the change. */
  isChangedLine(n: number): boolean;
  /** Whether any line of the span was changed. */
  touches(span: LineSpan): boolean;
  /** Whether the file is read whole (an added file, a scan): every line counts as changed. */
  readonly wholeFile: boolean;
  /** All paths of the change, for rules that look across files (e.g. a cleanup job elsewhere). */
  readonly changedPaths: readonly string[];
}

export interface RuleContext {
  readonly file: FileView;
  readonly options: RuleOptions;
  readonly facts: Facts;
  report(input: ReportInput): void;
  text(node: SyntaxNode): string;
}

/** One query match, its captures by name. */
export interface RuleMatch {
  readonly pattern: number;
  /** The first node captured under each name. */
  readonly captures: Readonly<Record<string, SyntaxNode | undefined>>;
  /** Every node captured under a name (quantified captures). */
  all(name: string): readonly SyntaxNode[];
}

export interface SyntaxVisitor {
  /**
   * A tree-sitter query (S-expression patterns, no text predicates: filter in `onMatch`). It is
   * compiled once at start-up, merged with every other rule's patterns for the language.
   */
  readonly query: string;
  onMatch(match: RuleMatch, ctx: RuleContext): void;
}

/** `requires` per language family: TypeScript/JavaScript, Python, config files read as text. */
export interface RequiredWords {
  readonly ts?: readonly string[];
  readonly py?: readonly string[];
  /** Dockerfile, .env, YAML, JSON, TOML, Prisma, SQL. */
  readonly text?: readonly string[];
}

/** Which `requires` list applies to a file. */
export type WordFamily = keyof RequiredWords;

export interface Rule {
  readonly meta: RuleMeta;
  /**
   * Where query matches are looked for: `changed` (default) runs the query only over the
   * changed ranges; `file` runs it over the whole file because the rule needs the file's
   * context (other queries on the same model, module-level state). Findings are reported
   * only on changed lines either way.
   */
  readonly scope?: 'changed' | 'file';
  /**
   * The rule's pre-filter (see prefilter.ts): words, matched case-insensitively anywhere in the
   * source, at least one of which a file must contain for this rule to read it. It must hold for
   * everything the rule can do with a file — every finding *and every fact it records* — in
   * every language it reads: a word missing here is a finding silently lost. One list for every
   * language, or a list per language family (a family left out is not gated). Leave it out
   * when no such words exist. Costs nothing per rule: all rules' words are found in one pass.
   */
  readonly requires?: readonly string[] | RequiredWords;
  /**
   * Words that come from config (e.g. the configured tenant keys), added to every gated
   * family's `requires` list. Not checked for length: configured names are what they are.
   */
  requiresFromOptions?(options: RuleOptions): readonly string[];
  /**
   * Paths the rule reads whatever words they contain, for rules that recognise a file by its
   * path (a Next.js `app/api/health/route.ts` is a health handler by where it is). Matched
   * against the repository-relative path.
   */
  readonly requiresUnlessPath?: RegExp;
  readonly ts?: SyntaxVisitor;
  readonly py?: SyntaxVisitor;
  /** Text rules for config files and anything the grammars do not cover. */
  checkText?(ctx: RuleContext): void;
  /** Called once per file for every file, after queries, e.g. to record facts from a whole file. */
  checkFile?(ctx: RuleContext, tree: Tree | undefined): void;
}

export interface Finding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: Category;
  readonly path: string;
  readonly line: number;
  readonly endLine: number;
  readonly column: number;
  readonly message: string;
  readonly fingerprint: string;
  readonly preExisting: boolean;
  readonly suggestion?: Suggestion;
}

export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}
