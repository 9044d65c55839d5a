import type { Facts } from './types.js';

/** PR-wide evidence, keyed by kind: e.g. `tenant-scoped` → {"Invoice", "invoices"}. */
export function createFacts(): Facts {
  const byKind = new Map<string, Set<string>>();
  const EMPTY: ReadonlySet<string> = new Set();
  const facts: Facts = {
    add(kind, key) {
      let set = byKind.get(kind);
      if (!set) byKind.set(kind, (set = new Set()));
      set.add(key);
    },
    has(kind, key) {
      return byKind.get(kind)?.has(key) ?? false;
    },
    values(kind) {
      return byKind.get(kind) ?? EMPTY;
    },
  };
  return facts;
}

/** A view over several fact stores, e.g. head facts and base facts together. */
export function unionFacts(...stores: readonly Facts[]): Facts {
  const [first] = stores;
  if (!first) return createFacts();
  return {
    add: (kind, key) => first.add(kind, key),
    has: (kind, key) => stores.some((s) => s.has(kind, key)),
    values: (kind) => {
      const out = new Set<string>();
      for (const s of stores) for (const v of s.values(kind)) out.add(v);
      return out;
    },
  };
}
