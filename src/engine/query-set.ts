import type Parser from 'tree-sitter';
import { grammarFor, Parser as TreeSitter } from './languages.js';
import { readsRaw } from './matches.js';
import type { Rule, SyntaxLanguage, SyntaxVisitor } from './types.js';

/**
 * The patterns of one or more rules merged into one query, so a file is walked once however
 * many rules read it. Pattern indexes map back to the rule that owns them.
 */
export interface CompiledQuery {
  readonly query: Parser.Query;
  /** pattern index → rule index */
  readonly owner: readonly number[];
  /** Whether its matches can be read straight from the native result (see matches.ts). */
  readonly raw: boolean;
}

export function visitorFor(rule: Rule, language: SyntaxLanguage): SyntaxVisitor | undefined {
  return language === 'python' ? rule.py : rule.ts;
}

/**
 * At most this many rules read a file through their own queries; more, and the file is read by
 * the scope's query of every rule, their matches dropped for rules the file did not let in.
 */
const FEW_RULES = 3;

export type Scope = 'changed' | 'file' | 'all';

/**
 * One grammar's compiled queries: one per rule, and one per scope with every rule's patterns,
 * each compiled on first use. Walking a tree with a query costs about a third of parsing it even
 * when nothing matches, and every match of a broad pattern (every call, every string) is then
 * built as JavaScript objects: on Django, all rules' patterns yield ~140 matches per KB, which
 * cost more than the parse. A file that the per-file gate opens to one to three rules is read
 * with just their queries, one walk each, building only their matches; a file open to more is
 * walked once with every rule's patterns. (A query per set of rules would do both at once, but
 * files fall into too many sets: 460 distinct sets in 560 files of Django.)
 */
export class QuerySet {
  private readonly single = new Map<number, CompiledQuery>();
  private readonly whole = new Map<Scope, CompiledQuery | undefined>();

  constructor(
    private readonly language: SyntaxLanguage,
    private readonly rules: readonly Rule[],
  ) {}

  /** The queries that read a file for these rules (indexes into the engine's rules, ascending) of a scope. */
  queriesFor(indexes: readonly number[], scope: Scope): CompiledQuery[] {
    if (indexes.length === 0) return [];
    if (indexes.length <= FEW_RULES) return indexes.map((index) => this.ruleQuery(index));
    const all = this.scopeQuery(scope);
    return all ? [all] : [];
  }

  private ruleQuery(index: number): CompiledQuery {
    let compiled = this.single.get(index);
    if (!compiled) {
      compiled = compile(this.language, this.rules, [index]);
      this.single.set(index, compiled);
    }
    return compiled;
  }

  private scopeQuery(scope: Scope): CompiledQuery | undefined {
    if (!this.whole.has(scope)) {
      const indexes: number[] = [];
      this.rules.forEach((rule, index) => {
        if (!visitorFor(rule, this.language)) return;
        const ruleScope = rule.scope === 'file' ? 'file' : 'changed';
        if (scope === 'all' || scope === ruleScope) indexes.push(index);
      });
      this.whole.set(scope, indexes.length ? compile(this.language, this.rules, indexes) : undefined);
    }
    return this.whole.get(scope);
  }

  /** Every query a file can need (what a server compiles at start-up, not on its first PRs). */
  warm(): void {
    for (const scope of ['changed', 'file', 'all'] as const) this.scopeQuery(scope);
    this.rules.forEach((rule, index) => {
      if (visitorFor(rule, this.language)) this.ruleQuery(index);
    });
  }
}

function compile(language: SyntaxLanguage, rules: readonly Rule[], indexes: readonly number[]): CompiledQuery {
  const segments: { start: number; rule: number }[] = [];
  let source = '';
  for (const index of indexes) {
    const visitor = visitorFor(rules[index]!, language);
    if (!visitor) throw new Error(`rule ${rules[index]!.meta.id} has no ${language} query`);
    segments.push({ start: source.length, rule: index });
    source += visitor.query + '\n';
  }
  let query: Parser.Query;
  try {
    query = new TreeSitter.Query(grammarFor(language), source);
  } catch (error) {
    // Name the rule whose pattern does not compile: compile each alone to find it.
    for (const { rule } of segments) {
      try {
        new TreeSitter.Query(grammarFor(language), visitorFor(rules[rule]!, language)!.query);
      } catch (inner) {
        throw new Error(`rule ${rules[rule]!.meta.id}: its ${language} query does not compile: ${(inner as Error).message}`);
      }
    }
    throw error;
  }
  const owner: number[] = [];
  // Query source is ASCII, so byte offsets equal string offsets.
  const count = patternCount(query);
  let segment = 0;
  for (let pattern = 0; pattern < count; pattern++) {
    const at = query.startIndexForPattern(pattern);
    while (segment + 1 < segments.length && segments[segment + 1]!.start <= at) segment++;
    owner.push(segments[segment]!.rule);
  }
  return { query, owner, raw: readsRaw(query) };
}

function patternCount(query: Parser.Query): number {
  // The bindings keep one predicate list per pattern.
  return (query as unknown as { predicates: unknown[] }).predicates.length;
}
