/**
 * Reading tree-sitter query source as text, to merge rules' queries without duplicates.
 *
 * Many rules look at the same shapes: three Python rules match every `(string) @s`, several
 * match every call with an attribute callee, each under its own capture names. Merged as they
 * are, a shared query yields one match per rule for each such node, and each match is built
 * natively and then in JavaScript. Here a query is cut into its top-level patterns, and each
 * pattern gets a key that ignores capture names, whitespace and comments: patterns with the
 * same key are compiled once, and their match is handed to each owning rule under the rule's
 * own capture names.
 *
 * The cutter knows just enough of the query syntax (parentheses, brackets, strings with escapes,
 * `;` comments, `@captures`); the caller compiles the result and checks that tree-sitter sees as
 * many patterns as were cut, falling back to the uncut queries otherwise.
 */

export interface PatternText {
  /** The pattern as written (comments dropped). */
  readonly text: string;
  /**
   * The same with whitespace collapsed, captures renamed by first appearance and alternations of
   * bare node types sorted: equal keys match the same nodes.
   */
  readonly key: string;
  /** The capture names in order of first appearance (key name `c<i>` stands for `captures[i]`). */
  readonly captures: readonly string[];
}

const CAPTURE_CHAR = /[\w.\-]/;
const OPENING = new Set(['(', '[']);
const CLOSING = new Set([')', ']']);

/** The top-level patterns of a query, or undefined when the source has something not understood here. */
export function splitPatterns(source: string): PatternText[] | undefined {
  const patterns: PatternText[] = [];
  let text = '';
  let key = '';
  let captures: string[] = [];
  let depth = 0;
  // Whether the current pattern has its body yet: after it, only quantifiers and captures attach.
  let hasBody = false;
  const finish = (): void => {
    if (hasBody) patterns.push({ text: text.trim(), key: sortAlternatives(key.trim()), captures });
    text = '';
    key = '';
    captures = [];
    hasBody = false;
  };
  const space = (): void => {
    if (!key.endsWith(' ') && key.length > 0) key += ' ';
    if (!text.endsWith(' ') && !text.endsWith('\n') && text.length > 0) text += ' ';
  };

  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ';') {
      while (i < source.length && source[i] !== '\n') i++;
      space();
      continue;
    }
    if (/\s/.test(c)) {
      space();
      i++;
      continue;
    }
    // A predicate or directive (`#eq?`, `#set!`) is not merged: give up on the whole query.
    if (c === '#') return undefined;
    // At the top level a pattern starts with a node, an alternation, a literal or a wildcard.
    if (depth === 0 && /[A-Za-z]/.test(c)) return undefined;
    const startsBody = depth === 0 && (OPENING.has(c) || c === '"' || c === '_');
    if (startsBody && hasBody) finish();
    if (c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      if (j >= source.length) return undefined;
      const literal = source.slice(i, j + 1);
      text += literal;
      key += literal;
      i = j + 1;
      if (depth === 0) hasBody = true;
      continue;
    }
    if (c === '@') {
      let j = i + 1;
      while (j < source.length && CAPTURE_CHAR.test(source[j]!)) j++;
      const name = source.slice(i + 1, j);
      if (!name) return undefined;
      let index = captures.indexOf(name);
      if (index < 0) index = captures.push(name) - 1;
      text += `@${name}`;
      key += `@c${index}`;
      i = j;
      continue;
    }
    if (OPENING.has(c)) depth++;
    if (CLOSING.has(c)) {
      depth--;
      if (depth < 0) return undefined;
    }
    text += c;
    key += c;
    i++;
    if (depth === 0 && (CLOSING.has(c) || startsBody)) hasBody = true;
  }
  if (depth !== 0) return undefined;
  finish();
  return patterns;
}

/** An alternation of bare node types, `[(attribute) (identifier)]`: the order of its members does not change what matches. */
const PLAIN_ALTERNATION = /\[((?: ?\([a-z_]+\))+) ?\]/g;

function sortAlternatives(key: string): string {
  return key.replace(PLAIN_ALTERNATION, (_, members: string) => `[${(members.match(/\([a-z_]+\)/g) ?? []).sort().join(' ')}]`);
}
