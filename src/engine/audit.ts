import picomatch from 'picomatch';
import type Parser from 'tree-sitter';
import { ALL_LINES, containsLine, intersects, isAllLines, normaliseSpans, type ChangedLines } from '../diff/changed-lines.js';
import { createFacts, unionFacts } from './facts.js';
import { fingerprintOf, normaliseCode } from './fingerprint.js';
import { isSyntaxLanguage, languageForPath, parse, ruleLanguageOf } from './languages.js';
import { generatedContentReason, generatedPathReason, isTestPath, minifiedReason, vendoredReason } from './paths.js';
import { compilePrefilter, wordFamilyOf, type Prefilter } from './prefilter.js';
import { ruleMatch, wantedMatches, type RawMatch } from './matches.js';
import { QuerySet, type CompiledQuery } from './query-set.js';
import { isSuppressed, findSuppressions, type Suppression } from './suppressions.js';
import type {
  Facts,
  FactsView,
  FileStatus,
  FileView,
  Finding,
  Language,
  LineSpan,
  ReportInput,
  Rule,
  RuleContext,
  RuleMatch,
  RuleOptions,
  Severity,
  SkippedFile,
  Suggestion,
  SyntaxLanguage,
  SyntaxNode,
  WordFamily,
} from './types.js';

/** One file of a change, as the engine reads it. */
export interface SourceFile {
  readonly path: string;
  readonly content: string;
  readonly status: FileStatus;
  readonly changed: ChangedLines;
  /** The file before the change (modified or renamed files), to tell new findings from old. */
  readonly baseContent?: string;
  /**
   * Read for evidence only: an unchanged model/schema/settings file (see context-files.ts). It
   * has no changed lines, so it yields facts for other files' findings and no findings itself.
   */
  readonly context?: boolean;
}

/** What config decides for an audit, already validated. */
export interface AuditSettings {
  readonly disabledRules: ReadonlySet<string>;
  readonly severityOverrides: ReadonlyMap<string, Severity>;
  /** Globs of paths not to audit. */
  readonly ignorePaths: readonly string[];
  /** Run every rule on test files too (by default only secret rules read them). */
  readonly includeTestFiles: boolean;
  readonly maxFileBytes: number;
  readonly ruleOptions: RuleOptions;
}

export const DEFAULT_TENANT_KEYS = [
  'org_id',
  'orgId',
  'organization_id',
  'organizationId',
  'tenant_id',
  'tenantId',
  'firm_id',
  'firmId',
  'firm',
  'workspace_id',
  'workspaceId',
  'account_id',
  'accountId',
] as const;

export const DEFAULT_SETTINGS: AuditSettings = {
  disabledRules: new Set(),
  severityOverrides: new Map(),
  ignorePaths: [],
  includeTestFiles: false,
  maxFileBytes: 2_000_000,
  ruleOptions: { tenantKeys: DEFAULT_TENANT_KEYS, tenantModels: [], crossTenantPaths: [] },
};

export interface AuditResult {
  /** New and pre-existing findings, sorted by path and line. */
  readonly findings: readonly Finding[];
  readonly skipped: readonly SkippedFile[];
  /** Files that at least one rule read. */
  readonly auditedFiles: number;
  /** Rules that threw on a file: the rest of the audit went on. */
  readonly errors: readonly string[];
}

export interface AuditOptions {
  /**
   * The base versions of files, asked for only once the head versions have been read, and only
   * for modified or renamed files with findings and no `baseContent`: a caller that must fetch
   * base versions over the network (the App) fetches only those, and the audit reads only them
   * again. Returns contents by (head) path; a path left out is treated as having no base.
   */
  readonly baseContents?: (paths: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}

interface BaseRequest {
  readonly basesOf: readonly string[];
}

/** How much source `auditAsync` parses between two turns of the event loop. */
const YIELD_EVERY_BYTES = 1_000_000;

interface Pending {
  readonly rule: Rule;
  readonly path: string;
  readonly span: LineSpan;
  readonly column: number;
  readonly key: string;
  readonly message: string;
  readonly severity: Severity;
  readonly suggestion?: Suggestion;
  readonly when?: (facts: FactsView) => boolean;
}

interface FileReading {
  readonly pending: Pending[];
  readonly suppressions: readonly Suppression[];
  readonly changed: ChangedLines;
}

export interface EngineOptions {
  /**
   * Run the per-file rule gate (rules' `requires`, see prefilter.ts). On by default; off only to
   * check that it changes no result (the rule tests and the benchmark compare both).
   */
  readonly prefilter?: boolean;
}

/**
 * The audit engine: rules loaded and their queries compiled once, then any number of audits.
 * Pure computation: it takes file contents and returns findings; I/O stays with the callers.
 */
export class Engine {
  private readonly queries = new Map<SyntaxLanguage, QuerySet>();
  private readonly gate: boolean;
  /** Prefilters by the words that config adds (most audits share one). */
  private readonly prefilters = new Map<string, Prefilter>();

  /** `loadErrors`: rules that could not be loaded, reported with every audit so nobody misses it. */
  constructor(
    readonly rules: readonly Rule[],
    private readonly loadErrors: readonly string[] = [],
    options: EngineOptions = {},
  ) {
    this.gate = options.prefilter !== false;
  }

  /**
   * Compiles every grammar's queries now rather than on first use (servers warm up at start).
   * `deferRecompiles` is for a long-lived process that calls `idle()` between jobs (the App):
   * the recompiles that the survey of which rules most files let in asks for (query-set.ts) then
   * wait for `idle()`, so no PR's audit pays them (15–50 ms per query on the TypeScript
   * grammars, half a PR's budget). Without it (the CLI's one long audit) each survey applies at once.
   */
  warm(options: { readonly deferRecompiles?: boolean } = {}): void {
    for (const language of ['typescript', 'tsx', 'python'] as const) {
      const set = this.querySet(language);
      set.warm();
      if (options.deferRecompiles) set.deferSurveys();
    }
  }

  /**
   * Work left for a moment no audit is waiting on: compiles the shared queries that surveys since
   * the last call chose. A server calls it between jobs. Returns whether there was any.
   */
  idle(): boolean {
    let worked = false;
    for (const set of this.queries.values()) worked = set.adoptSurvey() || worked;
    return worked;
  }

  private querySet(language: SyntaxLanguage): QuerySet {
    let set = this.queries.get(language);
    if (!set) {
      set = new QuerySet(language, this.rules);
      this.queries.set(language, set);
    }
    return set;
  }

  /** The gate for an audit's rule options (once per audit, not per file). */
  private prefilterFor(options: RuleOptions): Prefilter {
    const configured = this.rules.map((rule) => rule.requiresFromOptions?.(options).join('\0') ?? '').join('\n');
    let prefilter = this.prefilters.get(configured);
    if (!prefilter) {
      prefilter = compilePrefilter(this.gate ? this.rules : [], options);
      if (this.prefilters.size >= 16) this.prefilters.clear();
      this.prefilters.set(configured, prefilter);
    }
    return prefilter;
  }

  ruleById(id: string): Rule | undefined {
    return this.rules.find((r) => r.meta.id === id);
  }

  audit(files: readonly SourceFile[], settings: AuditSettings = DEFAULT_SETTINGS): AuditResult {
    const steps = this.steps(files, settings, false);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * The same audit, giving the event loop a turn every few megabytes of parsed source. Parsed
   * trees live in native memory that the tree-sitter bindings release only from finalizers, and
   * Node runs those finalizers on the event loop: inside one synchronous audit no tree is ever
   * freed, so memory grows with the size of the PR (~25 bytes per byte of source) and every
   * garbage collection slows down with the weak handles of the trees' nodes. Servers auditing
   * large PRs should use this one. When the process runs with `--expose-gc`, a full collection
   * precedes each turn, so the trees read so far are freed in it rather than whenever V8 next
   * feels heap pressure (it sees only the small JS wrappers): a 3000-file PR peaks at ~220 MB
   * instead of ~340 MB, for ~30 ms of collection per megabyte of source.
   */
  async auditAsync(files: readonly SourceFile[], settings: AuditSettings = DEFAULT_SETTINGS, options: AuditOptions = {}): Promise<AuditResult> {
    const steps = this.steps(files, settings, options.baseContents !== undefined);
    let parsed = 0;
    let answer: ReadonlyMap<string, string> | undefined;
    for (;;) {
      const step = steps.next(answer);
      answer = undefined;
      if (step.done) return step.value;
      if (typeof step.value !== 'number') {
        answer = await options.baseContents!(step.value.basesOf);
        continue;
      }
      parsed += step.value;
      if (parsed >= YIELD_EVERY_BYTES) {
        parsed = 0;
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /**
   * The audit, one file read per step; each step yields the bytes of source it parsed, or, once,
   * the paths whose base versions it wants (when `askForBases`), to be answered with their contents.
   */
  private *steps(
    files: readonly SourceFile[],
    settings: AuditSettings,
    askForBases: boolean,
  ): Generator<number | BaseRequest, AuditResult, ReadonlyMap<string, string> | undefined> {
    const skipped: SkippedFile[] = [];
    const errors: string[] = [...this.loadErrors];
    const facts = createFacts();
    const prefilter = this.prefilterFor(settings.ruleOptions);
    const readings = new Map<string, FileReading>();
    const changedPaths = files.filter((f) => !f.context).map((f) => f.path);
    const ignored = settings.ignorePaths.length ? picomatch([...settings.ignorePaths], { dot: true }) : undefined;
    let auditedFiles = 0;

    for (const file of files) {
      const language = languageForPath(file.path);
      if (!language) continue;
      const reason = skipReason(file, settings, ignored);
      if (reason) {
        if (!file.context) skipped.push({ path: file.path, reason });
        continue;
      }
      const reading = this.readFile(file, language, file.changed, settings, prefilter, facts, changedPaths, errors, undefined);
      if (reading) {
        if (!file.context) auditedFiles++;
        readings.set(file.path, reading);
        yield isSyntaxLanguage(language) ? file.content.length : 0;
      }
    }

    let findings = this.settle(readings, facts);

    // A finding whose fingerprint also exists on the base version is pre-existing. Only files
    // with new findings are read again, and only by the rules that fired there.
    const preExisting = new Set<string>();
    const baseFacts = createFacts();
    const byPath = groupBy(findings, (f) => f.path);
    let fetched: ReadonlyMap<string, string> | undefined;
    if (askForBases) {
      const basesOf = files.filter((f) => byPath.has(f.path) && f.baseContent === undefined && f.status !== 'added' && !f.context).map((f) => f.path);
      if (basesOf.length > 0) fetched = yield { basesOf };
    }
    const baseReadings = new Map<string, FileReading>();
    for (const file of files) {
      const here = byPath.get(file.path);
      const baseContent = file.baseContent ?? fetched?.get(file.path);
      if (!here || baseContent === undefined) continue;
      const language = languageForPath(file.path)!;
      const ruleIds = new Set(here.map((f) => f.ruleId));
      const reading = this.readFile(
        { ...file, content: baseContent, changed: ALL_LINES },
        language,
        ALL_LINES,
        settings,
        prefilter,
        baseFacts,
        changedPaths,
        errors,
        ruleIds,
      );
      if (reading) {
        baseReadings.set(file.path, reading);
        yield baseContent.length;
      }
    }
    if (baseReadings.size > 0) {
      for (const f of this.settle(baseReadings, unionFacts(baseFacts, facts))) preExisting.add(f.fingerprint);
      findings = findings.map((f) => (preExisting.has(f.fingerprint) ? { ...f, preExisting: true } : f));
    }

    return { findings, skipped, auditedFiles, errors };
  }

  private readFile(
    file: SourceFile,
    language: Language,
    changed: ChangedLines,
    settings: AuditSettings,
    prefilter: Prefilter,
    facts: Facts,
    changedPaths: readonly string[],
    errors: string[],
    onlyRules: ReadonlySet<string> | undefined,
  ): FileReading | undefined {
    const family = ruleLanguageOf(language);
    const isTestFile = isTestPath(file.path);
    const active = new Set<Rule>();
    let admits: ((ruleIndex: number, family: WordFamily) => boolean) | undefined;
    const words = wordFamilyOf(family);
    // Whether the file needs a tree: some rule reading it has a query for it or reads it whole.
    let needsTree = false;
    // The rules (indexes, ascending) whose queries run on this file, by scope.
    const changedQueried: number[] = [];
    const fileQueried: number[] = [];
    const visitor = language === 'python' ? 'py' : 'ts';
    for (let index = 0; index < this.rules.length; index++) {
      const rule = this.rules[index]!;
      if (!rule.meta.languages.includes(family)) continue;
      if (settings.disabledRules.has(rule.meta.id)) continue;
      if (isTestFile && !settings.includeTestFiles && !rule.meta.includeTestFiles) continue;
      if (onlyRules && !onlyRules.has(rule.meta.id)) continue;
      if (rule.requires && !rule.requiresUnlessPath?.test(file.path)) {
        admits ??= prefilter.admits(file.content);
        if (!admits(index, words)) continue;
      }
      active.add(rule);
      if (rule[visitor] && isSyntaxLanguage(language)) (rule.scope === 'file' ? fileQueried : changedQueried).push(index);
      if (rule[visitor] || rule.checkFile) needsTree = true;
    }
    // A file that no rule reads still counts as audited: every rule looked and found its words absent.
    if (active.size === 0) return admits ? { pending: [], suppressions: [], changed } : undefined;

    const view = createFileView(file, language, changed, isTestFile, changedPaths);
    const pending: Pending[] = [];
    const contexts = new Map<Rule, RuleContext>();
    const contextFor = (rule: Rule): RuleContext => {
      let ctx = contexts.get(rule);
      if (!ctx) {
        ctx = createRuleContext(rule, view, settings, facts, pending);
        contexts.set(rule, ctx);
      }
      return ctx;
    };
    const guarded = (rule: Rule, run: () => void): void => {
      try {
        run();
      } catch (error) {
        errors.push(`rule ${rule.meta.id} failed on ${file.path}: ${(error as Error).message}`);
      }
    };

    let tree: Parser.Tree | undefined;
    if (isSyntaxLanguage(language) && needsTree) {
      tree = parse(language, file.content);
      const queries = this.querySet(language);
      const root = tree.rootNode;
      const dispatch = (compiled: CompiledQuery, ranges: readonly LineSpan[] | undefined): void => {
        // Each pattern's owners among the rules reading this file, decided once per file.
        const readers = compiled.owners.map((owners) => owners.filter((owner) => active.has(this.rules[owner.rule]!)));
        const wanted = (pattern: number): boolean => readers[pattern]!.length > 0;
        const read = (range: LineSpan | undefined): RawMatch[] =>
          compiled.raw
            ? wantedMatches(compiled.query, root, range && { startRow: range.start - 1, endRow: range.end }, wanted)
            : compiled.query
                .matches(root, range ? rangeOptions(range) : undefined)
                .filter((m) => wanted(m.pattern))
                .map(toRawMatch);
        const seen = new Set<string>();
        const runs = ranges ? ranges.map(read) : [read(undefined)];
        for (const matches of runs) {
          for (const match of matches) {
            if (ranges && runs.length > 1) {
              // A match that straddles two ranges is returned by both runs.
              const first = match.nodes[0];
              const id = `${match.pattern}:${first?.startIndex}:${first?.endIndex}`;
              if (seen.has(id)) continue;
              seen.add(id);
            }
            // Owners that name the captures alike share one match (rules only read it).
            let plain: RuleMatch | undefined;
            let renamed: (ReadonlyMap<string, string> | RuleMatch)[] | undefined;
            for (const owner of readers[match.pattern]!) {
              const rule = this.rules[owner.rule]!;
              let given: RuleMatch | undefined;
              if (!owner.rename) given = plain ??= ruleMatch(match);
              else {
                renamed ??= [];
                for (let i = 0; i < renamed.length && !given; i += 2) if (renamed[i] === owner.rename) given = renamed[i + 1] as RuleMatch;
                if (!given) renamed.push(owner.rename, (given = ruleMatch(match, owner.rename)));
              }
              try {
                rule[visitor]!.onMatch(given, contextFor(rule));
              } catch (error) {
                errors.push(`rule ${rule.meta.id} failed on ${file.path}: ${(error as Error).message}`);
              }
            }
          }
        }
      };
      if (isAllLines(changed)) {
        // A file read whole: one walk for the patterns of both scopes.
        for (const q of queries.queriesFor([...changedQueried, ...fileQueried].sort((a, b) => a - b), 'all')) dispatch(q, undefined);
      } else {
        const ranges = queryRanges(changed);
        for (const q of queries.queriesFor(changedQueried, 'changed')) dispatch(q, ranges);
        for (const q of queries.queriesFor(fileQueried, 'file')) dispatch(q, undefined);
      }
    }
    for (const rule of active) {
      if (rule.checkText) guarded(rule, () => rule.checkText!(contextFor(rule)));
      if (rule.checkFile) guarded(rule, () => rule.checkFile!(contextFor(rule), tree));
    }
    return { pending, suppressions: findSuppressions(file.content), changed };
  }

  /** Conditions resolved, suppressions and the diff applied, fingerprints given. */
  private settle(readings: ReadonlyMap<string, FileReading>, facts: FactsView): Finding[] {
    const out: Finding[] = [];
    for (const [path, reading] of readings) {
      const kept = reading.pending
        .filter((p) => intersects(reading.changed, p.span))
        .filter((p) => !isSuppressed(reading.suppressions, p.rule.meta.id, p.span.start, p.column))
        .filter((p) => !p.when || p.when(facts))
        .sort((a, b) => a.span.start - b.span.start || a.column - b.column);
      const occurrences = new Map<string, number>();
      const unique = new Set<string>();
      for (const p of kept) {
        const dedupe = `${p.rule.meta.id}:${p.span.start}:${p.column}:${p.message}`;
        if (unique.has(dedupe)) continue;
        unique.add(dedupe);
        const key = `${p.rule.meta.id}\0${normaliseCode(p.key)}`;
        const occurrence = occurrences.get(key) ?? 0;
        occurrences.set(key, occurrence + 1);
        out.push({
          ruleId: p.rule.meta.id,
          title: p.rule.meta.title,
          severity: p.severity,
          category: p.rule.meta.category,
          path,
          line: p.span.start,
          endLine: p.span.end,
          column: p.column,
          message: p.message,
          fingerprint: fingerprintOf(p.rule.meta.id, path, p.key, occurrence),
          preExisting: false,
          ...(p.suggestion ? { suggestion: p.suggestion } : {}),
        });
      }
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column));
  }
}

function skipReason(
  file: SourceFile,
  settings: AuditSettings,
  ignored: ((path: string) => boolean) | undefined,
): string | undefined {
  if (ignored?.(file.path)) return 'ignored by config';
  const vendored = vendoredReason(file.path);
  if (vendored) return vendored;
  const generated = generatedPathReason(file.path);
  if (generated) return generated;
  if (file.content.length > settings.maxFileBytes) {
    return `too large to audit (${Math.round(file.content.length / 1024)} KB, limit ${Math.round(settings.maxFileBytes / 1024)} KB)`;
  }
  if (file.content.includes('\0')) return 'binary file';
  return generatedContentReason(file.content) ?? minifiedReason(file.content);
}

/** Changed spans as query ranges; spans a few lines apart are merged to save query runs. */
function queryRanges(changed: readonly LineSpan[]): LineSpan[] {
  const widened = changed.map((s) => ({ start: s.start, end: s.end + 3 }));
  return normaliseSpans(widened).map((s) => ({ start: s.start, end: s.end - 3 }));
}

function rangeOptions(span: LineSpan): { startPosition: Parser.Point; endPosition: Parser.Point } {
  return { startPosition: { row: span.start - 1, column: 0 }, endPosition: { row: span.end, column: 0 } };
}

function toRawMatch(match: Parser.QueryMatch): RawMatch {
  return { pattern: match.pattern, names: match.captures.map((c) => c.name), nodes: match.captures.map((c) => c.node) };
}

export function spanOfNode(node: SyntaxNode): LineSpan {
  const start = node.startPosition.row + 1;
  let end = node.endPosition.row + 1;
  if (node.endPosition.column === 0 && end > start) end--;
  return { start, end };
}

function createFileView(
  file: SourceFile,
  language: Language,
  changed: ChangedLines,
  isTestFile: boolean,
  changedPaths: readonly string[],
): FileView {
  let lines: string[] | undefined;
  const all = (): string[] => (lines ??= file.content.split(/\r?\n/));
  return {
    path: file.path,
    language,
    source: file.content,
    status: file.status,
    isTestFile,
    changedPaths,
    line: (n) => all()[n - 1] ?? '',
    get lineCount() {
      return all().length;
    },
    isChangedLine: (n) => containsLine(changed, n),
    touches: (span) => intersects(changed, span),
    wholeFile: isAllLines(changed),
  };
}

function createRuleContext(
  rule: Rule,
  file: FileView,
  settings: AuditSettings,
  facts: Facts,
  pending: Pending[],
): RuleContext {
  const severity = settings.severityOverrides.get(rule.meta.id);
  const text = (node: SyntaxNode): string => file.source.slice(node.startIndex, node.endIndex);
  return {
    file,
    options: settings.ruleOptions,
    facts,
    text,
    report(input: ReportInput) {
      const span = input.node ? spanOfNode(input.node) : input.lines;
      if (!span) throw new Error('report needs a node or lines');
      const column = input.node ? input.node.startPosition.column + 1 : (input.column ?? 1);
      const key = input.key ?? (input.node ? text(input.node) : file.line(span.start));
      pending.push({
        rule,
        path: file.path,
        span,
        column,
        key,
        message: input.message,
        // A config override wins over a rule's own escalation: the team has decided.
        severity: severity ?? input.severity ?? rule.meta.severity,
        ...(input.suggestion ? { suggestion: input.suggestion } : {}),
        ...(input.when ? { when: input.when } : {}),
      });
    },
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

let shared: Promise<Engine> | undefined;

/** The process-wide engine with every registered rule. */
export function loadEngine(): Promise<Engine> {
  shared ??= import('./registry.js').then(async ({ loadRules, ruleLoadErrors }) => new Engine(await loadRules(), ruleLoadErrors.map((e) => `rule not loaded: ${e}`)));
  return shared;
}
