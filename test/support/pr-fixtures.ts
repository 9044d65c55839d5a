/**
 * Source text for end-to-end pull requests, written like real service code. Each `leaky`
 * function logs one secret (rule secret-in-log, P0); `clean` functions log nothing secret.
 */

export const LOGGER_IMPORT = "import { logger } from './logger';\n";

/** A handler that logs `secret` (a secret-named parameter) next to a user id. */
export function leaky(name: string, secret: string): string {
  return [
    `export async function ${name}(userId: string, ${secret}: string): Promise<void> {`,
    `  logger.info({ userId, ${secret} }, '${name} ok');`,
    '}',
    '',
  ].join('\n');
}

/** The same handler, fixed: a fingerprint of the secret instead of the secret. */
export function fixed(name: string, secret: string): string {
  return [
    `export async function ${name}(userId: string, ${secret}: string): Promise<void> {`,
    `  logger.info({ userId, keyFingerprint: hash(${secret}).slice(0, 8) }, '${name} ok');`,
    '}',
    '',
  ].join('\n');
}

export function clean(name: string): string {
  return [`export function ${name}(userId: string): string {`, `  return \`user:\${userId}\`;`, '}', ''].join('\n');
}

export function moduleOf(...parts: string[]): string {
  return [LOGGER_IMPORT, ...parts].join('\n');
}

/** 1-based line numbers of `needle` in `text`. */
export function linesOf(text: string, needle: string): number[] {
  return text
    .split('\n')
    .map((line, i) => (line.includes(needle) ? i + 1 : 0))
    .filter((n) => n > 0);
}
