import type Parser from 'tree-sitter';
import { grammarFor, Parser as TreeSitter } from './languages.js';
import { readsRaw } from './matches.js';
import { splitPatterns, type PatternText } from './query-source.js';
import type { Rule, SyntaxLanguage, SyntaxVisitor } from './types.js';

/** A rule reading a pattern's matches, and the names it gives the pattern's captures if not the query's. */
export interface PatternOwner {
  readonly rule: number;
  readonly rename?: ReadonlyMap<string, string>;
}

/**
 * The patterns of one or more rules merged into one query, so a file is walked once however
 * many rules read it. A pattern several rules wrote alike (up to capture names) is in it once;
 * pattern indexes map back to the rules that own them.
 */
export interface CompiledQuery {
  readonly query: Parser.Query;
  /** pattern index → the rules (indexes into the engine's rules) its matches go to */
  readonly owners: readonly (readonly PatternOwner[])[];
  /** Whether its matches can be read straight from the native result (see matches.ts). */
  readonly raw: boolean;
}

export function visitorFor(rule: Rule, language: SyntaxLanguage): SyntaxVisitor | undefined {
  return language === 'python' ? rule.py : rule.ts;
}

export type Scope = 'changed' | 'file' | 'all';

/** Files seen before the rules' admission rates are first taken (then again at every 8× as many). */
const FIRST_SURVEY = 64;
/** A rule let into at least this share of files is common: its patterns are in the shared query. */
const COMMON_SHARE = 0.2;

/**
 * One grammar's compiled queries, each compiled on first use: one per rule, and per scope one
 * with the patterns of every common rule and one with every rule's. Walking a tree with a
 * query costs about a third of parsing it even when nothing matches, and every match of a broad
 * pattern (every call, every string) is then built by the bindings: on Django, all rules'
 * patterns yield ~140 matches per KB, which cost more than the parse. So a file is walked once,
 * with the smallest query that holds the patterns of every rule the per-file gate let in:
 * - the rule's own query when the gate let in one rule;
 * - the shared query of the common rules, the ones most files let in, when all the rules it let
 *   in are common (matches of the ones it did not are dropped). Which rules are common is learnt
 *   from the files read (after 64, 512 and 4096 of them; before that every rule counts as
 *   common), so a rule that reads one file in a hundred does not have its broad patterns
 *   matched in all the others;
 * - the query of every rule otherwise.
 * Measured on the benchmark corpus (docs/performance.md), one walk with unwanted matches beats a
 * shared walk plus one walk per rarer rule: a walk's fixed cost is larger than the matches of
 * the rarer rules' patterns, now that patterns alike are matched once (query-source.ts). A query
 * per set of rules would fit each file best, but files fall into too many sets (460 distinct
 * sets in 560 files of Django) to compile each. Results do not depend on which query delivers a
 * match.
 */
export class QuerySet {
  private readonly single = new Map<number, CompiledQuery>();
  private readonly shared = new Map<string, CompiledQuery | undefined>();
  private readonly admitted: number[];
  private seen = 0;
  private nextSurvey = FIRST_SURVEY;
  /** Rules read by the shared query; undefined until the first survey: all of them. */
  private common: ReadonlySet<number> | undefined;
  /** Set by `deferSurveys()`: a survey's new common rules wait here for `adoptSurvey()`. */
  private deferred = false;
  private pending: ReadonlySet<number> | undefined;
  /** Scopes shared queries have been asked for: those a new choice of common rules is compiled for. */
  private readonly scopesUsed = new Set<Scope>();

  constructor(
    private readonly language: SyntaxLanguage,
    private readonly rules: readonly Rule[],
  ) {
    this.admitted = rules.map(() => 0);
  }

  /** The queries that read a file for these rules (indexes into the engine's rules, ascending) of a scope. */
  queriesFor(indexes: readonly number[], scope: Scope): CompiledQuery[] {
    this.observe(indexes);
    if (indexes.length === 0) return [];
    if (indexes.length === 1) return [this.ruleQuery(indexes[0]!)];
    this.scopesUsed.add(scope);
    const common = this.common;
    return this.sharedQuery(scope, common && indexes.every((index) => common.has(index)) ? common : undefined);
  }

  /**
   * From now on a survey's new choice of common rules is not used until `adoptSurvey()`, which
   * compiles its queries. A server calls that between jobs: the compile (15–50 ms per query on
   * the TypeScript grammars) then lands in no PR's audit. Until then files are read with the
   * queries of the previous choice, or with every rule's; results do not depend on which.
   */
  deferSurveys(): void {
    this.deferred = true;
  }

  /** Adopts a deferred survey's choice, compiling its shared queries now; whether there was one. */
  adoptSurvey(): boolean {
    const pending = this.pending;
    if (!pending) return false;
    this.pending = undefined;
    this.common = pending;
    for (const scope of this.scopesUsed) this.sharedQuery(scope, pending);
    return true;
  }

  private observe(indexes: readonly number[]): void {
    for (const index of indexes) this.admitted[index]!++;
    if (++this.seen < this.nextSurvey) return;
    this.nextSurvey *= 8;
    const common = new Set<number>();
    this.rules.forEach((rule, index) => {
      if (visitorFor(rule, this.language) && this.admitted[index]! >= COMMON_SHARE * this.seen) common.add(index);
    });
    if (this.deferred) this.pending = common;
    else this.common = common;
  }

  /** The query of every rule of a scope that is in `among` (all rules if undefined). */
  private sharedQuery(scope: Scope, among: ReadonlySet<number> | undefined): CompiledQuery[] {
    const indexes: number[] = [];
    this.rules.forEach((rule, index) => {
      if (!visitorFor(rule, this.language) || (among && !among.has(index))) return;
      const ruleScope = rule.scope === 'file' ? 'file' : 'changed';
      if (scope === 'all' || scope === ruleScope) indexes.push(index);
    });
    const key = indexes.join(',');
    if (!this.shared.has(key)) this.shared.set(key, indexes.length ? compile(this.language, this.rules, indexes) : undefined);
    const compiled = this.shared.get(key);
    return compiled ? [compiled] : [];
  }

  private ruleQuery(index: number): CompiledQuery {
    let compiled = this.single.get(index);
    if (!compiled) {
      compiled = compile(this.language, this.rules, [index]);
      this.single.set(index, compiled);
    }
    return compiled;
  }

  /** Every query a file can need (what a server compiles at start-up, not on its first PRs). */
  warm(): void {
    for (const scope of ['changed', 'file', 'all'] as const) this.sharedQuery(scope, undefined);
    this.rules.forEach((rule, index) => {
      if (visitorFor(rule, this.language)) this.ruleQuery(index);
    });
  }
}

function compile(language: SyntaxLanguage, rules: readonly Rule[], indexes: readonly number[]): CompiledQuery {
  const sources = indexes.map((index) => {
    const visitor = visitorFor(rules[index]!, language);
    if (!visitor) throw new Error(`rule ${rules[index]!.meta.id} has no ${language} query`);
    return { rule: index, query: visitor.query };
  });
  return (indexes.length > 1 ? merged(language, sources) : undefined) ?? concatenated(language, rules, sources);
}

/**
 * Every rule's patterns, those alike kept once; undefined when a query cannot be cut into
 * patterns. A shared pattern is compiled under the capture names most of its owners use, and
 * owners that name its captures alike share one rename map: a match is then built once per
 * naming, not once per owner (on JavaScript every call goes to ten rules).
 */
function merged(language: SyntaxLanguage, sources: readonly { rule: number; query: string }[]): CompiledQuery | undefined {
  const byKey = new Map<string, { rule: number; pattern: PatternText }[]>();
  for (const { rule, query } of sources) {
    const patterns = splitPatterns(query);
    if (!patterns) return undefined;
    for (const pattern of patterns) {
      const writers = byKey.get(pattern.key);
      if (writers) writers.push({ rule, pattern });
      else byKey.set(pattern.key, [{ rule, pattern }]);
    }
  }
  const unique = [...byKey.values()].map((writers) => {
    const namings = new Map<string, { captures: readonly string[]; rules: number[] }>();
    for (const { rule, pattern } of writers) {
      const naming = pattern.captures.join(',');
      const known = namings.get(naming);
      if (known) known.rules.push(rule);
      else namings.set(naming, { captures: pattern.captures, rules: [rule] });
    }
    // The naming most owners use (the first written on a tie) is the query's.
    const chosen = [...namings.values()].reduce((best, n) => (n.rules.length > best.rules.length ? n : best));
    const text = writers.find((w) => w.pattern.captures === chosen.captures)!.pattern.text;
    const owners: PatternOwner[] = [];
    for (const naming of namings.values()) {
      const rename = naming === chosen ? undefined : new Map(chosen.captures.map((name, i) => [name, naming.captures[i]!]));
      for (const rule of naming.rules) owners.push(rename ? { rule, rename } : { rule });
    }
    // Owners in rule order, as before: rules read a match in the order they were loaded.
    owners.sort((a, b) => a.rule - b.rule);
    return { text, owners };
  });
  let query: Parser.Query;
  try {
    query = new TreeSitter.Query(grammarFor(language), unique.map((u) => u.text).join('\n'));
  } catch {
    return undefined;
  }
  // The cut must agree with tree-sitter's own reading of the patterns, or the owners are wrong.
  if (patternCount(query) !== unique.length) return undefined;
  return { query, owners: unique.map((u) => u.owners), raw: readsRaw(query) };
}

/** The rules' queries one after another, each pattern owned by the rule whose text it is in. */
function concatenated(language: SyntaxLanguage, rules: readonly Rule[], sources: readonly { rule: number; query: string }[]): CompiledQuery {
  const segments: { start: number; rule: number }[] = [];
  let source = '';
  for (const { rule, query } of sources) {
    segments.push({ start: source.length, rule });
    source += query + '\n';
  }
  let query: Parser.Query;
  try {
    query = new TreeSitter.Query(grammarFor(language), source);
  } catch (error) {
    // Name the rule whose pattern does not compile: compile each alone to find it.
    for (const { rule, query: own } of sources) {
      try {
        new TreeSitter.Query(grammarFor(language), own);
      } catch (inner) {
        throw new Error(`rule ${rules[rule]!.meta.id}: its ${language} query does not compile: ${(inner as Error).message}`);
      }
    }
    throw error;
  }
  const owners: PatternOwner[][] = [];
  // Query source is ASCII, so byte offsets equal string offsets.
  const count = patternCount(query);
  let segment = 0;
  for (let pattern = 0; pattern < count; pattern++) {
    const at = query.startIndexForPattern(pattern);
    while (segment + 1 < segments.length && segments[segment + 1]!.start <= at) segment++;
    owners.push([{ rule: segments[segment]!.rule }]);
  }
  return { query, owners, raw: readsRaw(query) };
}

function patternCount(query: Parser.Query): number {
  // The bindings keep one predicate list per pattern.
  return (query as unknown as { predicates: unknown[] }).predicates.length;
}
