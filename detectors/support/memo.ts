import type { SyntaxNode, Tree } from '../../src/engine/types.js';

/**
 * Caches a whole-file derivation (the file's imports, whether it is a route module) per parsed
 * tree. Such helpers are called from `onMatch`, once per match: without the cache a file with
 * thousands of matches rescans itself thousands of times (quadratic on large files).
 */
export function perTree<A extends unknown[], R>(compute: (root: SyntaxNode, ...args: A) => R): (root: SyntaxNode, ...args: A) => R {
  const cache = new WeakMap<Tree, Map<string, R>>();
  return (root, ...args) => {
    const tree = root.tree;
    let byArgs = cache.get(tree);
    if (!byArgs) cache.set(tree, (byArgs = new Map()));
    // Only whole-file derivations are cached: a call on a sub-node is computed afresh.
    if (root.parent) return compute(root, ...args);
    const key = JSON.stringify(args);
    if (byArgs.has(key)) return byArgs.get(key)!;
    const value = compute(root, ...args);
    byArgs.set(key, value);
    return value;
  };
}

