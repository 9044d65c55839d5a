import type Parser from 'tree-sitter';
import { grammarFor, Parser as TreeSitter } from './languages.js';
import type { Rule, SyntaxLanguage, SyntaxVisitor } from './types.js';

/**
 * The patterns of a set of rules merged into one query, so a file is walked once however many
 * rules read it. Pattern indexes map back to the rule that owns them.
 */
export interface CompiledQuery {
  readonly query: Parser.Query;
  /** pattern index → rule index */
  readonly owner: readonly number[];
}

export function visitorFor(rule: Rule, language: SyntaxLanguage): SyntaxVisitor | undefined {
  return language === 'python' ? rule.py : rule.ts;
}

/**
 * How many rule sets' queries a grammar keeps compiled. A PR's files fall into a few dozen sets
 * (which rules their words let in); a server sees the same sets again and again.
 */
const CACHED_SETS = 256;

/**
 * One grammar's queries, one per set of rules, compiled on first use and kept (least recently
 * used out first). Why per set rather than one query of every rule: walking a tree with a query
 * costs about a third of parsing it even when nothing matches, and every match of a broad
 * pattern (every call, every string) is then built as JavaScript objects — on Django, all
 * rules' patterns yield ~140 matches per KB, and building them costs more than the parse. With
 * the per-file gate most files are read by a handful of rules: a query of just those rules
 * walks once and builds only their matches. Compiling a set costs ~1 ms a rule for Python and
 * ~5 ms for TypeScript, once.
 */
export class QuerySet {
  private readonly cache = new Map<string, CompiledQuery>();

  constructor(
    private readonly language: SyntaxLanguage,
    private readonly rules: readonly Rule[],
  ) {}

  /** The query of these rules (indexes into the engine's rules, ascending), or none. */
  forRules(indexes: readonly number[]): CompiledQuery | undefined {
    if (indexes.length === 0) return undefined;
    const key = indexes.join(',');
    let compiled = this.cache.get(key);
    if (compiled) {
      // Most recently used last.
      this.cache.delete(key);
    } else {
      compiled = compile(this.language, this.rules, indexes);
      if (this.cache.size >= CACHED_SETS) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, compiled);
    return compiled;
  }

  /** Every rule's query of each scope (what a server compiles at start-up). */
  warm(): void {
    const changed: number[] = [];
    const file: number[] = [];
    this.rules.forEach((rule, index) => {
      if (visitorFor(rule, this.language)) (rule.scope === 'file' ? file : changed).push(index);
    });
    this.forRules(changed);
    this.forRules(file);
    this.forRules([...changed, ...file].sort((a, b) => a - b));
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
  return { query, owner };
}

function patternCount(query: Parser.Query): number {
  // The bindings keep one predicate list per pattern.
  return (query as unknown as { predicates: unknown[] }).predicates.length;
}
