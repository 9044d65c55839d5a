/**
 * `// shipgate-ignore RULE_ID: reason` (or `# …`, `/* … *\/`, `<!-- … -->`) on the line of a
 * finding or the line above silences it. Several ids may be given, separated by commas.
 */

export interface Suppression {
  /** 1-based line of the comment. */
  readonly line: number;
  readonly ruleIds: readonly string[];
  readonly reason: string | undefined;
}

const MARKER = /(?:\/\/|#|\/\*|<!--|--)\s*shipgate-ignore(?:-next-line)?\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?::\s*(.*?))?\s*(?:\*\/|-->)?\s*$/;

export function findSuppressions(source: string): Suppression[] {
  // Cheap exit: the marker is rare, and most files never pay for the line split.
  if (!source.includes('shipgate-ignore')) return [];
  const out: Suppression[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (!text.includes('shipgate-ignore')) continue;
    const m = MARKER.exec(text.replace(/\r$/, ''));
    if (!m) continue;
    const reason = m[2]?.trim();
    out.push({
      line: i + 1,
      ruleIds: m[1]!.split(',').map((s) => s.trim()),
      reason: reason ? reason : undefined,
    });
  }
  return out;
}

/** Whether a finding of `ruleId` starting at `line` is silenced. */
export function isSuppressed(suppressions: readonly Suppression[], ruleId: string, line: number): boolean {
  return suppressions.some((s) => (s.line === line || s.line === line - 1) && (s.ruleIds.includes(ruleId) || s.ruleIds.includes('all')));
}
