/**
 * Deciding from a name whether a value is a secret. Names are split into words (camelCase,
 * snake_case, kebab-case, SCREAMING_CASE) and judged on the words, so `tokenCount`,
 * `passwordPolicy`, `isTokenValid`, `token_type` and `secret_name` are not secrets while
 * `accessToken`, `DB_PASSWORD` and `x-api-key` are.
 */

export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Single words that name a secret value on their own. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'cookies',
  'credential',
  'credentials',
  'jwt',
  'otp',
  'totp',
  'pin',
  'cvv',
  'cvc',
  'privatekey',
  'sessionid',
  'bearer',
  'ssn',
]);

/** Two-word names that are secrets: "api key", "private key", "session id", "card number". */
const SECRET_PAIRS = new Set([
  'api key',
  'private key',
  'secret key',
  'signing key',
  'encryption key',
  'access key',
  'session id',
  'session key',
  'session token',
  'card number',
  'client secret',
  'auth header',
  'set cookie',
  'refresh token',
  'access token',
  'id token',
  'master key',
]);

/**
 * Words after the secret word that turn the name into something about the secret rather than
 * the secret itself: `tokenCount`, `passwordPolicy`, `token_type`, `secret_name`.
 */
const DESCRIPTIVE = new Set([
  'count',
  'counts',
  'length',
  'len',
  'size',
  'policy',
  'policies',
  'type',
  'types',
  'name',
  'names',
  'id',
  'ids',
  'field',
  'fields',
  'key',
  'keys',
  'label',
  'hint',
  'expiry',
  'expires',
  'expiration',
  'expired',
  'ttl',
  'age',
  'url',
  'uri',
  'endpoint',
  'path',
  'file',
  'version',
  'prefix',
  'suffix',
  'header',
  'format',
  'regex',
  'pattern',
  'strength',
  'min',
  'max',
  'limit',
  'usage',
  'usages',
  'budget',
  'rotation',
  'ref',
  'hash',
  'hashed',
  'digest',
  'fingerprint',
  'mask',
  'masked',
  'redacted',
  'present',
  'set',
  'valid',
  'invalid',
  'validation',
  'validator',
  'error',
  'errors',
  'reset',
  'changed',
  'updated',
  'created',
  'at',
  'location',
  'store',
  'manager',
  'provider',
  'service',
  'client',
  'length',
  'index',
  'position',
  'kind',
  'status',
  'state',
  'source',
  'scope',
  'scopes',
  'required',
  'enabled',
  'env',
  'var',
  'arn',
  'exists',
]);

/** Leading words that make it a question about the secret: `isTokenValid`, `hasPassword`. */
const PREDICATE_PREFIX = new Set(['is', 'has', 'should', 'can', 'needs', 'need', 'requires', 'show', 'validate', 'check', 'num', 'count', 'max', 'min']);

/** Secret words that, directly after a descriptive word, are again the secret: `id token`. */
function joinedPairs(ws: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < ws.length; i++) out.push(`${ws[i]} ${ws[i + 1]}`);
  return out;
}

export function isSecretName(name: string): boolean {
  const ws = words(name);
  if (ws.length === 0) return false;
  if (PREDICATE_PREFIX.has(ws[0]!)) return false;
  const last = ws[ws.length - 1]!;
  const joined = ws.join('');
  // The whole name is a secret word: `apiKey` → "apikey", `PRIVATE_KEY` → "privatekey".
  if (SECRET_WORDS.has(joined)) return true;
  // Pairs ending the name: `stripe_api_key`, `userSessionId`, `refreshToken`.
  if (ws.length >= 2 && SECRET_PAIRS.has(`${ws[ws.length - 2]} ${last}`)) return true;
  // The name ends with a secret word: `dbPassword`, `githubToken`, `CLIENT_SECRET`.
  if (SECRET_WORDS.has(last)) return true;
  // A secret word followed only by descriptive words is about the secret, not the secret.
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    const pairHere = i + 1 < ws.length && SECRET_PAIRS.has(`${w} ${ws[i + 1]}`);
    if (SECRET_WORDS.has(w) || pairHere) {
      const rest = ws.slice(pairHere ? i + 2 : i + 1);
      if (rest.length > 0 && rest.every((r) => DESCRIPTIVE.has(r))) return false;
      // `password_plain`, `token_value`, `secretValue`: still the secret.
      if (rest.length > 0 && rest.every((r) => ['value', 'plain', 'raw', 'str', 'string', 'bytes', 'b64', 'base64', 'hex', 'text'].includes(r))) return true;
    }
  }
  return joinedPairs(ws).some((p) => SECRET_PAIRS.has(p) && ws[ws.length - 1] === p.split(' ')[1]);
}

/** Environment/config names of secrets: `JWT_SECRET`, `STRIPE_API_KEY`, `DATABASE_PASSWORD`. */
export function isSecretConfigName(name: string): boolean {
  if (isSecretName(name)) return true;
  const ws = words(name);
  const last = ws[ws.length - 1];
  // `SIGNING_KEY`, `ENCRYPTION_KEY`, `WEBHOOK_KEY` are secrets; `PRIMARY_KEY` columns are not env vars.
  return last === 'key' && ws.some((w) => ['signing', 'encryption', 'hmac', 'webhook', 'master', 'jwt', 'app', 'session', 'cookie'].includes(w));
}
