import type { RuleContext } from '../../src/engine/types.js';

/**
 * Cheap per-file text checks, computed once per file and rule: a rule whose subject cannot be in
 * a file (no database client, no route, no payload source) skips the file's matches without
 * walking any tree. Walking nodes through the tree-sitter bindings is what costs time.
 */
const cache = new WeakMap<object, Map<RegExp, boolean>>();

export function fileMentions(ctx: RuleContext, pattern: RegExp): boolean {
  let byPattern = cache.get(ctx.file);
  if (!byPattern) cache.set(ctx.file, (byPattern = new Map()));
  let hit = byPattern.get(pattern);
  if (hit === undefined) {
    hit = pattern.test(ctx.file.source);
    byPattern.set(pattern, hit);
  }
  return hit;
}
