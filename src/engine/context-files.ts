/**
 * Files a change does not touch but whose content is evidence for rules that look across
 * files: model and schema definitions (is `Invoice` tenant-scoped? does `AuditLog` have a TTL?)
 * and framework settings (is DRF pagination on by default?). They are read with no changed
 * lines, so they contribute facts and never findings.
 */

const CONTEXT_PATH =
  /(^|\/)(schema\.prisma|models\.py|models\/[^/]+\.py|[^/]+\.entity\.[jt]s|[^/]+\.model\.[jt]s|entities\/[^/]+\.[jt]s|settings\.py|settings\/[^/]+\.py|db\/schema\.[jt]s|drizzle\/schema\.[jt]s|schema\/[^/]+\.[jt]s)$/;

/** At most this many context files per audit: evidence, not a second full scan. */
export const MAX_CONTEXT_FILES = 60;
/** Context files larger than this are not worth fetching. */
export const MAX_CONTEXT_BYTES = 512 * 1024;

export function isContextPath(path: string): boolean {
  if (/(^|\/)(node_modules|vendor|dist|build|migrations|test|tests|__tests__)\//.test(path)) return false;
  return CONTEXT_PATH.test(path);
}

/** The context paths worth reading for a change, nearest-first, capped. */
export function selectContextPaths(candidates: readonly string[], changedPaths: readonly string[]): string[] {
  const changed = new Set(changedPaths);
  const changedDirs = changedPaths.map((p) => p.slice(0, p.lastIndexOf('/') + 1));
  const score = (path: string): number => {
    // Prefer files that share the longest directory prefix with a changed file (same app/module).
    let best = 0;
    for (const dir of changedDirs) {
      let i = 0;
      while (i < dir.length && i < path.length && dir[i] === path[i]) i++;
      if (i > best) best = i;
    }
    return best;
  };
  return candidates
    .filter((p) => !changed.has(p) && isContextPath(p))
    .sort((a, b) => score(b) - score(a) || a.localeCompare(b))
    .slice(0, MAX_CONTEXT_FILES);
}
