import type Parser from 'tree-sitter';
import { grammarFor, Parser as TreeSitter } from './languages.js';
import type { Rule, SyntaxLanguage, SyntaxVisitor } from './types.js';

/**
 * Every rule's patterns for one grammar merged into one query, so a file is walked once per
 * scope however many rules there are. Pattern indexes map back to the rule that owns them.
 */
export interface CompiledQuery {
  readonly query: Parser.Query;
  /** pattern index → rule index */
  readonly owner: readonly number[];
}

export interface QueryBundle {
  /** Patterns of rules that look only at the changed ranges. */
  readonly changed?: CompiledQuery;
  /** Patterns of rules that need the whole file. */
  readonly file?: CompiledQuery;
  /**
   * Every rule's patterns in one query, for files read whole (new files, `scan` without a base,
   * base versions): one walk of the tree instead of two. Walking the tree is most of a query's
   * cost (a one-pattern query costs about as much as a forty-pattern one), so this saves ~40%
   * of query time on whole files.
   */
  readonly all?: CompiledQuery;
}

export function visitorFor(rule: Rule, language: SyntaxLanguage): SyntaxVisitor | undefined {
  return language === 'python' ? rule.py : rule.ts;
}

function compile(language: SyntaxLanguage, rules: readonly Rule[], indexes: readonly number[]): CompiledQuery | undefined {
  const segments: { start: number; rule: number }[] = [];
  let source = '';
  for (const index of indexes) {
    const visitor = visitorFor(rules[index]!, language);
    if (!visitor) continue;
    segments.push({ start: source.length, rule: index });
    source += visitor.query + '\n';
  }
  if (segments.length === 0) return undefined;
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

/** A value computed on first use: each query is compiled only if some read needs it. */
function lazy<T>(make: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = make();
      done = true;
    }
    return value;
  };
}

export function compileBundle(language: SyntaxLanguage, rules: readonly Rule[]): QueryBundle {
  const changed: number[] = [];
  const file: number[] = [];
  const all: number[] = [];
  rules.forEach((rule, index) => {
    if (!visitorFor(rule, language)) return;
    (rule.scope === 'file' ? file : changed).push(index);
    all.push(index);
  });
  const changedQuery = lazy(() => compile(language, rules, changed));
  const fileQuery = lazy(() => compile(language, rules, file));
  // With rules of one scope only, the whole-file query is that scope's query.
  const allQuery = lazy(() => (file.length === 0 ? changedQuery() : changed.length === 0 ? fileQuery() : compile(language, rules, all)));
  return {
    get changed() {
      return changedQuery();
    },
    get file() {
      return fileQuery();
    },
    get all() {
      return allQuery();
    },
  };
}
