/**
 * Recognising credentials in literal values: the formats providers give their keys, the
 * placeholders that only look like them, and the randomness test for values kept under a
 * secret's name.
 *
 * Every format test is anchored on the WHOLE value: `'sk_live_…'` is a key, while a string that
 * merely mentions one (a code sample, a doc string, a test table holding source code) is not.
 * Nothing here ever returns the secret itself: callers show `shape` (`sk_live_…`) in messages.
 */

export interface Credential {
  /** What it is, for the message: "a live Stripe secret key". */
  readonly description: string;
  /** The recognisable, non-secret prefix: `sk_live_…`. */
  readonly shape: string;
  /** The provider: rules treat some (Google browser keys) differently. */
  readonly provider: 'stripe' | 'webhook' | 'aws' | 'github' | 'slack' | 'google' | 'sendgrid' | 'pem' | 'database';
}

interface Format extends Credential {
  readonly pattern: RegExp;
  /** The random part, checked against placeholders (`sk_live_xxxxxxxx…`). */
  readonly body: (m: RegExpExecArray) => string;
}

const rest = (m: RegExpExecArray): string => m[1] ?? '';

const FORMATS: readonly Format[] = [
  { provider: 'stripe', description: 'a live Stripe secret key', shape: 'sk_live_…', pattern: /^sk_live_([0-9A-Za-z]{20,})$/, body: rest },
  { provider: 'stripe', description: 'a live Stripe restricted key', shape: 'rk_live_…', pattern: /^rk_live_([0-9A-Za-z]{20,})$/, body: rest },
  { provider: 'webhook', description: 'a webhook signing secret', shape: 'whsec_…', pattern: /^whsec_([0-9A-Za-z+/=]{24,})$/, body: rest },
  { provider: 'aws', description: 'an AWS access key id (its secret access key is usually next to it)', shape: 'AKIA…', pattern: /^(?:AKIA|ASIA)([0-9A-Z]{16})$/, body: rest },
  { provider: 'github', description: 'a GitHub token', shape: 'ghp_…', pattern: /^gh[pousr]_([0-9A-Za-z]{36,})$/, body: rest },
  { provider: 'github', description: 'a GitHub fine-grained token', shape: 'github_pat_…', pattern: /^github_pat_([0-9A-Za-z_]{60,})$/, body: rest },
  { provider: 'slack', description: 'a Slack token', shape: 'xox…-', pattern: /^xox[abpr]-([0-9A-Za-z-]{10,})$/, body: rest },
  { provider: 'google', description: 'a Google API key', shape: 'AIza…', pattern: /^AIza([0-9A-Za-z_-]{35})$/, body: rest },
  { provider: 'sendgrid', description: 'a SendGrid API key', shape: 'SG.…', pattern: /^SG\.([0-9A-Za-z_-]{16,32}\.[0-9A-Za-z_-]{30,64})$/, body: rest },
];

/** `-----BEGIN RSA PRIVATE KEY-----` … with the line breaks as real or escaped (`\n`) newlines. */
const PEM =
  /^(?:\s|\\[nr])*-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----((?:[A-Za-z0-9+/=:,\-\s]|\\[nr])+?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?(?:\s|\\[nr])*$/;

/** A database/broker URL with an inline password: `postgres://app:s3cr3t@db.internal:5432/app`. */
const DB_URL =
  /^(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse)(?:\+[a-z0-9]+)?:\/\/([^:@/\s]*):([^@\s]+)@([^\s/?#]+)(?:[/?#]\S*)?$/i;

/** Hosts of a developer's own machine: a password for them is a local default. */
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal)(:\d+)?$/i;

/** Passwords that are defaults of local and CI databases, not secrets. */
const DEFAULT_PASSWORDS = new Set([
  'password', 'pass', 'passwd', 'pwd', 'secret', 'changeme', 'postgres', 'postgresql', 'root', 'admin', 'mysql',
  'redis', 'guest', 'test', 'dev', 'local', 'user', 'username', 'example', 'dummy', 'app', 'sa', 'mongo', 'rabbitmq',
]);

/**
 * The credential a literal value is, or undefined. The whole value must be the credential:
 * surrounding text means it is prose or code that mentions one.
 */
export function credentialFormat(value: string): Credential | undefined {
  const trimmed = value.trim();
  // The longest credential here is a 4096-bit PEM key (about 3,300 characters).
  if (trimmed.length < 15 || trimmed.length > 16_384) return undefined;
  for (const format of FORMATS) {
    const m = format.pattern.exec(trimmed);
    if (m) return isPlaceholder(format.body(m)) ? undefined : format;
  }
  const pem = PEM.exec(trimmed);
  if (pem) {
    const body = pem[2]!.replace(/\\[nr]/g, '').replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    if (body.length >= 64 && /^[A-Za-z0-9+/=]+$/.test(body) && !isPlaceholder(body)) {
      return { provider: 'pem', description: `a ${pem[1] ? pem[1].trim() + ' ' : ''}private key`, shape: '-----BEGIN PRIVATE KEY-----' };
    }
    return undefined;
  }
  const url = DB_URL.exec(trimmed);
  if (url) {
    const [, scheme, user, password, host] = url;
    if (isDefaultPassword(password!, user!) || LOCAL_HOST.test(host!)) return undefined;
    return { provider: 'database', description: `a ${scheme!.toLowerCase()} URL with its password inline`, shape: `${scheme!.toLowerCase()}://…:…@${host}` };
  }
  return undefined;
}

function isDefaultPassword(password: string, user: string): boolean {
  let p = password;
  try {
    p = decodeURIComponent(password);
  } catch {
    // A malformed escape is kept as written.
  }
  return p === user || DEFAULT_PASSWORDS.has(p.toLowerCase()) || isPlaceholder(p) || isTemplated(p) || /^\d{1,6}$/.test(p);
}

const PLACEHOLDER =
  /change[-_ ]?(me|it|this)|not[-_ ]?a[-_ ]?secret|xxxx|\.\.\.|…|<[^>]*>|your[-_ ]?[a-z]|example|dummy|test|sample|placeholder|fake|mock|redacted|replace[-_ ]?(me|this|with)|insert[-_ ]?(here|your)|todo|fixme|not[-_ ]?a[-_ ]?real|lorem|(^|[^a-z])foo(bar)?([^a-z]|$)|^\*+$|here$/i;

/** A value written to stand in for a secret: `changeme`, `xxx`, `<your key>`, `sk_test_…`, `example`. */
export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER.test(value)) return true;
  return isMonotonous(value);
}

/** `aaaaaaaa`, `123456789`, `abcdef…`, `a1b2c3d4e5`: typed by hand, not generated. */
function isMonotonous(value: string): boolean {
  const chars = new Set(value);
  if (value.length >= 8 && chars.size <= Math.max(3, value.length / 8)) return true;
  // Ascending runs, plain (`abcdefg`, `1234567`) or interleaved (`a1b2c3d4e5`).
  for (const [stride, length] of [[1, 6], [2, 8]] as const) {
    let run = 0;
    for (let i = stride; i < value.length; i++) {
      run = value.charCodeAt(i) - value.charCodeAt(i - stride) === 1 ? run + 1 : 0;
      if (run >= length) return true;
    }
  }
  return /(.)\1{5,}/.test(value);
}

/** `${VAR}`, `{{ secrets.X }}`, `%(x)s`, `$(cat …)`, `<%= … %>`, sops `ENC[…]`: a reference, not a value. */
export function isTemplated(value: string): boolean {
  return /\$\{|\{\{|%\(|%s|\$\(|<%|^\$[A-Za-z_]|^ENC\[|^!vault|^vault:|^arn:|^projects\/[^/]+\/secrets\//.test(value);
}

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Words people string together when they make up a secret by hand. */
const HAND_WORDS =
  /secret|super|password|passwd|token|session|production|prod|develop|dev|local|staging|change|default|admin|signing|sign|cookie|private|public|encrypt|random|string|strong|value|insecure|unsafe|company|server|client|access|refresh|webhook|hook|stripe|github|slack|google|database|root|guest|hello|world|welcome|letmein|qwerty|key|jwt|auth|api|app|my|the|this|is|very|our|not|real|do|tell|anyone/gi;

/** `fraud_detection_secret_key_2024`, `sseug-reven-lliw-uoy`: words joined by hand, maybe a year. */
const PHRASE = /^[a-z]+([_.-][a-z]+)+([_.-]?\d{1,4})?$/i;

/** The share of a value made of the words above: high for `my-super-secret-jwt-key-2024`. */
function handWrittenShare(value: string): number {
  if (PHRASE.test(value)) return 1;
  let covered = 0;
  for (const m of value.matchAll(HAND_WORDS)) covered += m[0].length;
  return covered / value.length;
}

/** `Bearer …`, `Basic …`, `token …`: the scheme of an Authorization value is not part of the secret. */
export function withoutAuthScheme(value: string): string {
  return value.replace(/^(Bearer|Basic|Token|token|Bot|bearer)\s+/, '');
}

/**
 * Whether a value under a secret's name looks generated rather than written: long, no spaces,
 * letters and digits, high entropy, not a placeholder, a reference, a path, a URL or a name.
 */
export function looksGenerated(raw: string): boolean {
  const value = withoutAuthScheme(raw.trim());
  if (value.length < 20 || value.length > 4096) return false;
  if (/\s/.test(value)) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  if (isTemplated(value) || isPlaceholder(value)) return false;
  // Names and references: `STRIPE_SECRET_KEY`, `auth.token.expired`, `/run/secrets/x`, URLs, hashes.
  if (/^[A-Z][A-Z0-9_]*$/.test(value) || /^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(value)) return false;
  if (/^(\.{0,2}\/|~\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(value) || /\.(pem|key|crt|json|txt|ya?ml|env)$/i.test(value)) return false;
  if (/^(sha\d+|md5)[-:]/i.test(value) || /^sk_test_|^pk_(test|live)_|^rk_test_/.test(value)) return false;
  if (handWrittenShare(value) >= 0.5) return false;
  const entropy = shannonEntropy(value);
  if (/^[0-9a-f]+$/i.test(value)) return value.length >= 32 && entropy >= 3.0;
  return entropy >= 3.5;
}

/**
 * A password under a password's name: shorter and letters-only values count (a Gmail app password
 * is 16 lowercase letters), as long as the value is not a placeholder or made of common words.
 */
export function looksLikeRealPassword(raw: string): boolean {
  const value = raw.trim();
  if (value.length < 12 || value.length > 256 || /\s/.test(value)) return false;
  if (isTemplated(value) || isPlaceholder(value) || handWrittenShare(value) >= 0.5) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(value) || /^(\.{0,2}\/|~\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(value)) return false;
  return new Set(value).size >= 8 && shannonEntropy(value) >= 3.2;
}
