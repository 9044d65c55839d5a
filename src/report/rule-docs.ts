import type { RuleMeta } from '../engine/types.js';

/** The part of a rule the reporters need: its metadata and docs. */
export type RuleCatalog = ReadonlyMap<string, RuleMeta>;

export function catalogOf(rules: readonly { meta: RuleMeta }[]): RuleCatalog {
  return new Map(rules.map((r) => [r.meta.id, r.meta]));
}
