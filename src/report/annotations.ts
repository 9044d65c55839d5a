import type { Finding, Severity } from '../engine/types.js';
import type { RuleCatalog } from './rule-docs.js';

/** A check-run annotation as GitHub's API takes it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
  raw_details?: string;
}

/** GitHub takes at most 50 annotations per check-run request. */
export const ANNOTATIONS_PER_REQUEST = 50;

const LEVEL: Record<Severity, Annotation['annotation_level']> = { P0: 'failure', P1: 'failure', P2: 'warning', P3: 'notice' };

export function toAnnotations(findings: readonly Finding[], catalog: RuleCatalog): Annotation[] {
  return findings.map((f) => {
    const meta = catalog.get(f.ruleId);
    return {
      path: f.path,
      start_line: f.line,
      end_line: f.endLine,
      annotation_level: LEVEL[f.severity],
      title: `${f.severity} ${f.title} (${f.ruleId})`.slice(0, 255),
      message: f.message.slice(0, 64_000),
      ...(meta ? { raw_details: `Why: ${meta.docs.why}\nFix: ${meta.docs.fix}`.slice(0, 64_000) } : {}),
    };
  });
}

export function batches<T>(items: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
