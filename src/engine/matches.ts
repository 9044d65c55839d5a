import type Parser from 'tree-sitter';
import { nativeBinding, nodeReader, Parser as TreeSitter } from './languages.js';
import type { RuleMatch, SyntaxNode } from './types.js';

/*
 * Query matches, built only for the patterns a file's rules want. The bindings' `matches()`
 * turns every match of every pattern into JavaScript: a node object per capture, a capture
 * object per capture, a result per match. A file read with every rule's patterns gets all of
 * them, though its per-file gate may have let in a few rules only; here the native result is
 * walked once and only the wanted matches are built, straight into what rules receive.
 *
 * This reads the bindings' wire format (tree-sitter 0.25.0, pinned in package.json): `_matches`
 * returns `[flat, nodes]` where `flat` is, per match, the pattern index followed by one capture
 * name per capture, and `nodes` has one entry per capture: a node object the tree already
 * cached, or a node type id whose six fields wait in the shared transfer array, in order. The
 * engine's tests compare this with `matches()` on real trees, so a change in the format fails
 * them rather than the audit.
 */

const NODE_FIELD_COUNT = 6;

interface NativeQuery {
  _matches(
    tree: Parser.Tree,
    startRow: number,
    startColumn: number,
    endRow: number,
    endColumn: number,
    startIndex: number,
    endIndex: number,
    matchLimit: number,
    maxStartDepth: number,
    timeoutMicros: number,
  ): [(number | string)[], (number | SyntaxNode)[]];
  readonly predicates: readonly (readonly unknown[])[];
}

interface NodeInternals {
  [field: number]: number;
}


const nativeMatches = (TreeSitter.Query.prototype as unknown as NativeQuery)._matches;

/** Whether a compiled query can be read this way: no pattern has predicates to evaluate. */
export function readsRaw(query: Parser.Query): boolean {
  return typeof nativeMatches === 'function' && (query as unknown as NativeQuery).predicates.every((p) => p.length === 0);
}

export interface MatchRange {
  readonly startRow: number;
  readonly endRow: number;
}

/**
 * The matches of `query` under `root` (within rows `range` if given) whose pattern `wanted`
 * accepts, in the order the bindings return them.
 */
export function wantedMatches(query: Parser.Query, root: SyntaxNode, range: MatchRange | undefined, wanted: (pattern: number) => boolean): RawMatch[] {
  const tree = root.tree;
  // The bindings read the node to search from the start of the transfer array.
  const transfer = nativeBinding.nodeTransferArray as unknown as number[];
  const fields = root as unknown as NodeInternals;
  for (let i = 0; i < NODE_FIELD_COUNT; i++) transfer[i] = fields[i]!;
  const [flat, nodes] = nativeMatches.call(
    query as unknown as NativeQuery,
    tree,
    range ? range.startRow : 0,
    0,
    range ? range.endRow : 0,
    0,
    0,
    0,
    0xffffffff,
    0xffffffff,
    0,
  );
  const node = (value: number | SyntaxNode, offset: number): SyntaxNode | undefined => nodeReader.nodeFrom(value, tree, offset) ?? undefined;

  const out: RawMatch[] = [];
  let at = 0;
  let nodeIndex = 0;
  let offset = 0;
  while (at < flat.length) {
    const pattern = flat[at++] as number;
    const keep = wanted(pattern);
    const names: string[] = [];
    const captured: SyntaxNode[] = [];
    while (at < flat.length && typeof flat[at] === 'string') {
      const name = flat[at++] as string;
      const value = nodes[nodeIndex++]!;
      if (keep) {
        const made = node(value, offset);
        if (made) {
          names.push(name);
          captured.push(made);
        }
      }
      if (typeof value === 'number') offset += NODE_FIELD_COUNT;
    }
    if (keep) out.push({ pattern, names, nodes: captured });
  }
  return out;
}

/** A match as the query gave it: its pattern and each capture's name and node, in order. */
export interface RawMatch {
  readonly pattern: number;
  readonly names: readonly string[];
  readonly nodes: readonly SyntaxNode[];
}

/**
 * What a rule receives for a match. `rename` maps the query's capture names to the rule's own,
 * when the pattern was written by another rule with the same shape (see query-source.ts). A
 * class rather than an object with a closure: a pass over Django builds ~300k of them.
 */
export function ruleMatch(match: RawMatch, rename?: ReadonlyMap<string, string>): RuleMatch {
  const names = rename ? match.names.map((name) => rename.get(name) ?? name) : match.names;
  const nodes = match.nodes;
  const captures: Record<string, SyntaxNode | undefined> = {};
  for (let i = 0; i < names.length; i++) captures[names[i]!] ??= nodes[i];
  return new Match(match.pattern, captures, names, nodes);
}

class Match implements RuleMatch {
  constructor(
    readonly pattern: number,
    readonly captures: Readonly<Record<string, SyntaxNode | undefined>>,
    private readonly names: readonly string[],
    private readonly nodes: readonly SyntaxNode[],
  ) {}

  all(name: string): readonly SyntaxNode[] {
    return this.nodes.filter((_, i) => this.names[i] === name);
  }
}
