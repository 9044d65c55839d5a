import { envFileKind } from '../support/env-files.js';
import { isSecretConfigName } from '../support/names.js';
import type { Rule, RuleContext } from '../../src/engine/types.js';

/** `.env.test`, `.env.ci`, `test.env`: fixture values for the test runner, clean when placeholders. */
const TEST_NAME = /(^|[.\-_])(test|tests|testing|ci|e2e)([.\-_]|$)/i;

/** `KEY=value`, `export KEY=value`, `KEY: value` is not dotenv syntax and is not read. */
const ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/**
 * Values that are not a credential: empty, a reference to another variable, an obvious
 * placeholder, or the stock password of a local database container.
 */
const PLACEHOLDER =
  /change[-_ ]?me|replace|^your|your[-_ ]|^my[-_]?(secret|password|key|token)|<[^>]*>|\{\{.*\}\}|x{3,}|\*{3,}|\.{3}|example|dummy|placeholder|sample|fake|todo|fixme|redacted|not[-_ ]?set|^(none|null|nil|false|true|undefined|empty)$|(^|[-_])(test|testing|dev|development|local|localhost|secret|password|changeit)([-_]|$)|sk_test_|pk_test_|rk_test_/i;
const STOCK_PASSWORDS = new Set(['postgres', 'password', 'root', 'admin', 'secret', 'mysql', 'pass', 'guest', 'user', 'docker', 'minioadmin', 'rabbitmq', 'redis', 'mongo', 'example']);

/** `postgres://user:pass@host/db`: a URL with an inline password. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@([^/:?\s]+)/i;
/** Hosts of a developer machine or a compose network: credentials there unlock nothing real. */
const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|host\.docker\.internal|\[::1\]|[a-z0-9_-]+)$/i;

/** The value as dotenv reads it: quotes removed, an unquoted trailing ` # comment` dropped. */
export function dotenvValue(raw: string): string {
  const trimmed = raw.trim();
  const quote = trimmed[0];
  if (quote === '"' || quote === "'" || quote === '`') {
    const end = trimmed.indexOf(quote, 1);
    return end > 0 ? trimmed.slice(1, end) : trimmed.slice(1);
  }
  return trimmed.replace(/\s+#.*$/, '').trim();
}

export function isPlaceholder(value: string): boolean {
  if (value.length === 0) return true;
  // `${OTHER_VAR}`, `$OTHER_VAR`: the value comes from elsewhere.
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\}?$/.test(value)) return true;
  if (STOCK_PASSWORDS.has(value.toLowerCase())) return true;
  // Credentials are not this short: `abc`, `1234`, `foo`.
  if (value.length < 6) return true;
  return PLACEHOLDER.test(value);
}

/** The credential inside a value, if any: the value itself, or a URL's inline password. */
function leakedCredential(key: string, value: string): 'value' | 'url-password' | undefined {
  if (isSecretConfigName(key)) return isPlaceholder(value) ? undefined : 'value';
  const url = URL_PASSWORD.exec(value);
  if (url) {
    const password = decodeURIComponentSafe(url[1]!);
    const host = url[2]!;
    if (!LOCAL_HOST.test(host) && !isPlaceholder(password)) return 'url-password';
  }
  return undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Database settings: `DB_PASSWORD`, `POSTGRES_PASSWORD`, `MYSQL_ROOT_PASSWORD`, `REDIS_PASSWORD`. */
const DATABASE_KEY = /^(DB|DATABASE|POSTGRES|PG|MYSQL|MARIADB|MONGO|MONGODB|REDIS)_/i;
/** A deployed environment: its database password is real even when the database is on the same host. */
const DEPLOYED_NAME = /(^|[.\-_])(prod|production|staging|stage|live|preview)([.\-_]|$)/i;

/**
 * Whether the file points its database at a developer machine or a compose service
 * (`DB_HOST=localhost`, `POSTGRES_HOST=db`): its database passwords then open nothing real.
 */
function localDatabase(ctx: RuleContext): boolean {
  const hosts = [...ctx.file.source.matchAll(/^\s*(?:export\s+)?(?:DB|DATABASE|POSTGRES|PG|MYSQL|MARIADB|MONGO|MONGODB|REDIS)_HOST\s*=\s*["']?([^"'\s#]+)/gim)].map((m) => m[1]!);
  return hosts.length > 0 && hosts.every((h) => LOCAL_HOST.test(h) && !h.includes('.') || /^(localhost|127\.|0\.0\.0\.0|host\.docker\.internal)/i.test(h));
}

function check(ctx: RuleContext): void {
  const { file } = ctx;
  if (envFileKind(file.path) === 'template') return;
  const name = file.path.slice(file.path.lastIndexOf('/') + 1);
  const forTests = TEST_NAME.test(name.replace(/^\.env/i, ''));
  const localDb = !DEPLOYED_NAME.test(name.replace(/^\.env/i, '')) && localDatabase(ctx);
  for (let n = 1; n <= file.lineCount; n++) {
    if (!file.isChangedLine(n)) continue;
    const m = ASSIGNMENT.exec(file.line(n));
    if (!m) continue;
    const key = m[2]!;
    if (localDb && DATABASE_KEY.test(key)) continue;
    const leaked = leakedCredential(key, dotenvValue(m[3]!));
    if (!leaked) continue;
    const what = leaked === 'value' ? `\`${key}\`` : `The password inside \`${key}\``;
    ctx.report({
      lines: { start: n, end: n },
      column: m[1]!.length + 1,
      key: `${name}:${key}`,
      message: forTests
        ? `${what} in \`${name}\` looks like a real credential, not a test placeholder: once pushed, everyone with access to the repository and its forks can read it.`
        : `${what} is committed with a real-looking value in \`${name}\`: once pushed, everyone with access to the repository, its forks and CI logs can read it.`,
    });
  }
}

const rule: Rule = {
  meta: {
    id: 'env-file-committed',
    title: 'Secret committed in an .env file',
    severity: 'P0',
    category: 'Security',
    languages: ['env'],
    docs: {
      why: 'An .env file pushed to git keeps its secrets in the history forever: deleting the file later does not remove them, and every clone, fork and CI cache has a copy.',
      fix: 'Remove the file from git (`git rm --cached`), add it to `.gitignore`, rotate every secret it held, and commit a `.env.example` with placeholders instead.',
      example: {
        bad: '# .env.production\nSTRIPE_SECRET_KEY=sk_live_51H8…\nJWT_SECRET=9f2c1e7a4b…',
        good: '# .env.example (committed)\nSTRIPE_SECRET_KEY=\nJWT_SECRET=change-me',
      },
    },
  },
  checkText: check,
};

export default rule;
