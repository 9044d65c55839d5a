import { createHash } from 'node:crypto';

/**
 * A finding's identity across pushes: the rule, the path, the code it is about with whitespace
 * collapsed, and which occurrence of that same code it is in the file. Line numbers are left out
 * on purpose, so inserting lines above a finding does not make it "new".
 */
export function normaliseCode(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

export function fingerprintOf(ruleId: string, path: string, key: string, occurrence: number): string {
  return createHash('sha256').update(`${ruleId}\0${path}\0${normaliseCode(key)}\0${occurrence}`).digest('hex').slice(0, 20);
}
