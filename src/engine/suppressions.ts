/**
 * `// shipgate-ignore RULE_ID: reason` (or `# …`, `/* … *\/`, `<!-- … -->`) on the line of a
 * finding or the line above silences it. Several ids may be given, separated by commas.
 */

export interface Suppression {
  /** 1-based line of the comment. */
  readonly line: number;
  /** 1-based column where the comment starts. */
  readonly column: number;
  readonly ruleIds: readonly string[];
  readonly reason: string | undefined;
}

const MARKER = /(?:\/\/|#|\/\*|<!--|--)\s*shipgate-ignore\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?::\s*([^\n]*?))?\s*(?:\*\/.*|-->.*)?$/;

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
      column: m.index + 1,
      ruleIds: m[1]!.split(',').map((s) => s.trim()),
      reason: reason ? reason : undefined,
    });
  }
  return out;
}

/**
 * Whether a finding of `ruleId` at `line`:`column` is silenced: by a comment on the line above,
 * or by a trailing comment after the code on the same line (a finding inside the comment itself,
 * such as a suppression without a reason, is not silenced by that same comment).
 */
export function isSuppressed(suppressions: readonly Suppression[], ruleId: string, line: number, column: number): boolean {
  return suppressions.some(
    (s) =>
      (s.line === line - 1 || (s.line === line && column < s.column)) && (s.ruleIds.includes(ruleId) || s.ruleIds.includes('all')),
  );
}
