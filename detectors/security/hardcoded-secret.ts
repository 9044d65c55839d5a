import { credentialFormat, looksGenerated, looksLikeRealPassword, type Credential } from '../support/credentials.js';
import { keyValuePairs, parseDockerfile } from '../support/dockerfile.js';
import { envFileKind } from '../support/env-files.js';
import { isSecretConfigName, words } from '../support/names.js';
import { stringValue, valueName } from '../support/syntax.js';
import type { FileView, Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * Two ways a literal is a committed secret:
 * 1. its whole value has a provider's credential format (`sk_live_…`, `AKIA…`, `ghp_…`, a PEM
 *    private key, a database URL with a password): reported anywhere, tests included;
 * 2. it is assigned to a secret-named variable, property, keyword or config key and looks
 *    generated (long, random, not a placeholder): reported outside tests and dev/example config.
 */

/** Wrappers between a literal and the name it is assigned to: `('…' as string)`. */
const TS_WRAPPERS = new Set(['parenthesized_expression', 'as_expression', 'satisfies_expression', 'non_null_expression']);

/** Files whose values are meant for a developer's machine or for documentation. */
const DEV_CONFIG_PATH =
  /(^|[/._-])(dev|development|local|test|testing|ci|e2e|example|examples|sample|template)\.(py|[cm]?[jt]sx?|json|ya?ml|toml)$|(^|\/)(local_settings|dev_settings)\.py$|(^|\/)(examples?|samples?|docs?)\//i;

/** Keys of Firebase's web config: its `apiKey` is a public identifier, meant to ship to browsers. */
const FIREBASE_CONFIG_KEYS = new Set(['authDomain', 'projectId', 'storageBucket', 'messagingSenderId', 'appId', 'databaseURL', 'measurementId']);
/** Names of values that ship to the browser by design. */
const PUBLIC_NAME = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|EXPO_PUBLIC_|PUBLIC_|NUXT_PUBLIC_|GATSBY_)|public|firebase|maps|browser|web/i;
const BROWSER_FILE = /\.(tsx|jsx|vue|svelte|html)$/;

/** The name a TS literal is assigned to: declarator, assignment target, property key, JSX attribute. */
function tsAssignedName(literal: SyntaxNode, literalParent: SyntaxNode | null): string | undefined {
  let node = literal;
  let parent = literalParent;
  while (parent && TS_WRAPPERS.has(parent.type)) {
    node = parent;
    parent = node.parent;
  }
  if (!parent) return undefined;
  const is = (field: string): boolean => parent!.childForFieldName(field) === node;
  switch (parent.type) {
    case 'variable_declarator':
      return is('value') ? nameOf(parent.childForFieldName('name')) : undefined;
    case 'assignment_expression':
    case 'assignment_pattern':
    case 'object_assignment_pattern':
      return is('right') ? nameOf(parent.childForFieldName('left')) : undefined;
    case 'pair':
      return is('value') ? nameOf(parent.childForFieldName('key')) : undefined;
    case 'public_field_definition':
      return is('value') ? nameOf(parent.childForFieldName('name')) : undefined;
    case 'jsx_attribute':
      return nameOf(parent.namedChild(0));
    default:
      return undefined;
  }
}

/** The name a Python literal is assigned to: target, keyword argument, dict key, parameter default. */
function pyAssignedName(literal: SyntaxNode, parent: SyntaxNode | null): string | undefined {
  if (!parent) return undefined;
  const is = (field: string): boolean => parent.childForFieldName(field) === literal;
  switch (parent.type) {
    case 'assignment':
      return is('right') ? nameOf(parent.childForFieldName('left')) : undefined;
    case 'keyword_argument':
    case 'default_parameter':
    case 'typed_default_parameter':
      return is('value') ? nameOf(parent.childForFieldName('name')) : undefined;
    case 'pair':
      return is('value') ? nameOf(parent.childForFieldName('key')) : undefined;
    default:
      return undefined;
  }
}

function nameOf(node: SyntaxNode | null | undefined): string | undefined {
  return valueName(node) ?? stringValue(node);
}

/**
 * Google API keys in Firebase web config, in browser code or under public names are identifiers
 * that ship to every visitor by design (restricted by referrer in the Google console).
 */
function isPublicGoogleKey(file: FileView, literal: SyntaxNode | undefined, name: string | undefined): boolean {
  if (name && PUBLIC_NAME.test(name)) return true;
  if (BROWSER_FILE.test(file.path) || /^\s*['"]use client['"]/.test(file.source)) return true;
  const object = literal?.parent?.parent;
  if (object && (object.type === 'object' || object.type === 'dictionary')) {
    return object.namedChildren.some((pair) => {
      const key = nameOf(pair.childForFieldName('key'));
      return key !== undefined && FIREBASE_CONFIG_KEYS.has(key);
    });
  }
  return false;
}

function formatMessage(credential: Credential): string {
  return `This literal is ${credential.description} (\`${credential.shape}\`): anyone who can read the repository, its forks or its CI logs can use it.`;
}

function namedMessage(name: string): string {
  return `\`${name}\` is set to a literal that looks like a real secret, not a placeholder: anyone who can read the repository can use it.`;
}

/**
 * In tests, webhook signing secrets, private keys and database URLs are fixtures (a test signs
 * its own payloads, starts its own database); provider account keys are live whatever the file.
 */
const FIXTURE_PROVIDERS = new Set<Credential['provider']>(['webhook', 'pem', 'database']);

function isReportable(file: FileView, credential: Credential): boolean {
  return !(file.isTestFile && FIXTURE_PROVIDERS.has(credential.provider));
}

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase']);

/** A literal that is the secret its name says: generated-looking, or a real password under a password's name. */
function isNamedSecret(name: string, value: string): boolean {
  if (!isSecretConfigName(name)) return false;
  if (looksGenerated(value)) return true;
  return PASSWORD_WORDS.has(words(name).pop() ?? '') && looksLikeRealPassword(value);
}

/** Whether secrets assigned by name are looked for in this file (not tests, dev or example config). */
function readsNamedSecrets(file: FileView): boolean {
  return !file.isTestFile && !DEV_CONFIG_PATH.test(file.path);
}

/**
 * Text a literal holds whenever credentialFormat recognises its value: each format is anchored on
 * its prefix (case-sensitive as in FORMATS), a PEM block has `PRIVATE KEY`, a database URL its
 * scheme and `://` (case-insensitive as in DB_URL). The value of a string or template literal is
 * a run of its source text (stringValue does not unescape), so the text has them too; not so for
 * `"sk_" "live_…"`, which is read whole.
 */
const FORMAT_HINT = /sk_live_|rk_live_|whsec_|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abpr]-|AIza|SG\.|PRIVATE KEY/;
const DB_URL_HINT = /(postgres|mysql|mariadb|mongodb|redis|amqp|mssql|sqlserver|oracle|cockroachdb|clickhouse)[a-z0-9+]*:\/\//i;

/**
 * Four runs of white space: prose, not a secret. A value kept under a secret's name has none once
 * trimmed (looksGenerated, looksLikeRealPassword), but for one after an auth scheme (`Bearer …`),
 * so three runs at most; a literal's quotes and prefix (`r"`, `\``) add none.
 */
const PROSE = /\s\S+\s+\S+\s+\S+\s/;

/**
 * Whether the text before a literal allows it to be an assigned value (tsAssignedName,
 * pyAssignedName): then `=` (declarator, assignment, default, keyword, JSX attribute) or `:` (a
 * pair) comes right before it, or before the `(` of a parenthesized wrapper. Otherwise (a call's
 * argument, an array item, an import) it has no name, and its parent is not asked for. A comment
 * may stand between: a block comment ends with `/`, and a line comment ends a line (so does a
 * Python `\` continuation); those are left to the tree.
 */
function mayBeAssigned(source: string, start: number): boolean {
  for (let i = start - 1; i >= 0; i--) {
    const ch = source[i]!;
    if (ch === '\n' || ch === '\r' || ch === '\u2028' || ch === '\u2029') return true;
    if (ch === '(' || WHITESPACE.test(ch)) continue;
    return ch === '=' || ch === ':' || ch === '/';
  }
  return false;
}

const WHITESPACE = /\s/;

function checkLiteral(python: boolean) {
  return (match: RuleMatch, ctx: RuleContext): void => {
    const literal = match.captures.literal!;
    // Every string of the file comes here, and most are decided on their text alone, before the
    // tree is walked (`parent` is the dearest step: the bindings find it from the root down).
    // The value is the text less its quotes at least: under 17 characters, it is under 15.
    const text = ctx.text(literal);
    if (text.length < 17) return;
    // `"a" "b"` is read whole: its text has the quotes and spaces between the parts.
    const whole = literal.type === 'concatenated_string';
    const formatted = whole || FORMAT_HINT.test(text) || DB_URL_HINT.test(text);
    if (!formatted && !(readsNamedSecrets(ctx.file) && !PROSE.test(text) && mayBeAssigned(ctx.file.source, literal.startIndex))) return;
    const parent = literal.parent;
    // A Python string inside `"a" "b"` is judged as part of the whole concatenation.
    if (parent?.type === 'concatenated_string') return;
    const name = python ? pyAssignedName(literal, parent) : tsAssignedName(literal, parent);
    const named = name !== undefined && readsNamedSecrets(ctx.file) && isSecretConfigName(name);
    if (!named && !formatted) return;
    const value = stringValue(literal);
    if (value === undefined || value.length < 15) return;
    const credential = credentialFormat(value);
    if (credential) {
      if (!isReportable(ctx.file, credential)) return;
      if (credential.provider === 'google' && isPublicGoogleKey(ctx.file, literal, name)) return;
      ctx.report({ node: literal, message: formatMessage(credential) });
      return;
    }
    if (named && isNamedSecret(name, value)) {
      ctx.report({ node: literal, message: namedMessage(name) });
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Config files read as text

interface TextValue {
  readonly key?: string;
  readonly value: string;
}

/** Tokens of a config line that could each be a whole credential. */
function tokensOf(line: string): string[] {
  const out: string[] = [];
  for (const raw of line.split(/[\s"'`,;()[\]{}<>]+/)) {
    if (raw.length < 15) continue;
    // `KEY=value` (env files, compose lists, shell exports): the value is the token.
    const assignment = /^[A-Za-z_][\w.-]*[=:](.+)$/.exec(raw);
    out.push(assignment && !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? assignment[1]! : raw);
  }
  return out;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v.replace(/\s+#.*$/, '');
}

/** Key/value pairs of one config line, by file kind. */
function pairsOf(language: string, line: string): TextValue[] {
  switch (language) {
    case 'json':
      return [...line.matchAll(/"([^"\\]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => ({ key: m[1]!, value: m[2]! }));
    case 'yaml': {
      const listed = /^\s*-\s+["']?([A-Za-z_][\w.]*)=(.*?)["']?\s*$/.exec(line);
      if (listed) return [{ key: listed[1]!, value: listed[2]! }];
      const m = /^\s*(?:-\s+)?["']?([\w.-]+)["']?\s*:\s+(.+?)\s*$/.exec(line);
      if (!m || /^[|>&*!]/.test(m[2]!)) return [];
      return [{ key: m[1]!, value: unquote(m[2]!) }];
    }
    case 'toml': {
      const m = /^\s*["']?([\w.-]+)["']?\s*=\s*(["'])(.*)\2\s*(#.*)?$/.exec(line);
      return m ? [{ key: m[1]!, value: m[3]! }] : [];
    }
    case 'env': {
      const m = /^\s*(?:export\s+)?([A-Za-z_][\w.]*)\s*=\s*(.*)$/.exec(line);
      return m ? [{ key: m[1]!, value: unquote(m[2]!) }] : [];
    }
    default:
      return [];
  }
}

/** Keys whose values document a format rather than hold a secret (OpenAPI `example:`). */
const EXAMPLE_KEY = /^(x-)?examples?$/i;

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;

/** Private keys in config text: a YAML block scalar, a JSON string with `\n`, a Dockerfile heredoc. */
function checkPrivateKeys(ctx: RuleContext, reported: Set<number>): void {
  const source = ctx.file.source;
  for (const m of source.matchAll(PEM_BEGIN)) {
    const start = m.index;
    const endMarker = source.indexOf('-----END', start);
    const stop = endMarker < 0 ? Math.min(source.length, start + 8000) : source.indexOf('-----', endMarker + 8) + 5;
    const block = source
      .slice(start, stop)
      .split('\n')
      .map((l) => l.trim().replace(/^["']|["'],?$/g, ''))
      .join('\n');
    const credential = credentialFormat(block);
    if (!credential || !isReportable(ctx.file, credential)) continue;
    const line = source.slice(0, start).split('\n').length;
    reported.add(line);
    ctx.report({ lines: { start: line, end: line }, key: `pem:${line}`, message: formatMessage(credential) });
  }
}

function checkText(ctx: RuleContext): void {
  const { file } = ctx;
  // Source files are read through the syntax tree (checkLiteral); this is for config text.
  if (file.language === 'typescript' || file.language === 'tsx' || file.language === 'python') return;
  const reported = new Set<number>();
  checkPrivateKeys(ctx, reported);
  const named = readsNamedSecrets(file) && file.language !== 'env' && !/^\s*kind:\s*SealedSecret\b/m.test(file.source);
  const lines = file.source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const n = i + 1;
    if (reported.has(n) || /^\s*(#|\/\/)/.test(line)) continue;
    const pairs = pairsOf(file.language, line);
    if (pairs.some((p) => p.key && EXAMPLE_KEY.test(p.key))) continue;
    const credential = tokensOf(line)
      .map(credentialFormat)
      .find((c) => c !== undefined && isReportable(file, c));
    // A secret-named key in a committed `.env` is `env-file-committed`'s finding: one comment a line.
    if (credential && file.language === 'env' && envFileKind(file.path) === 'secret-bearing' && pairs[0] && isSecretConfigName(pairs[0].key ?? '')) continue;
    if (credential) {
      const key = pairs[0]?.key;
      if (credential.provider === 'google' && isPublicGoogleKey(file, undefined, key)) continue;
      reported.add(n);
      ctx.report({ lines: { start: n, end: n }, message: formatMessage(credential) });
      continue;
    }
    if (!named || file.language === 'dockerfile') continue;
    const secret = pairs.find((p) => p.key && isNamedSecret(p.key, p.value));
    if (secret) {
      reported.add(n);
      ctx.report({ lines: { start: n, end: n }, message: namedMessage(secret.key!) });
    }
  }
  if (named && file.language === 'dockerfile') checkDockerfileValues(ctx, reported);
}

/** `ENV API_KEY=…` / `ARG TOKEN=…`: baked into every layer and visible in `docker history`. */
function checkDockerfileValues(ctx: RuleContext, reported: Set<number>): void {
  for (const ins of parseDockerfile(ctx.file.source).instructions) {
    if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
    if (reported.has(ins.startLine)) continue;
    const secret = keyValuePairs(ins).find((p) => p.value !== undefined && isNamedSecret(p.key, p.value));
    if (secret) ctx.report({ lines: { start: ins.startLine, end: ins.endLine }, message: namedMessage(secret.key) });
  }
}

const rule: Rule = {
  meta: {
    id: 'hardcoded-secret',
    title: 'Secret committed to the repository',
    severity: 'P0',
    category: 'Security',
    languages: ['ts', 'py', 'env', 'yaml', 'json', 'toml', 'dockerfile'],
    includeTestFiles: true,
    docs: {
      why: 'A credential in the repository is readable by everyone with access to it, to every fork and clone, and stays in the git history after it is deleted from the file. Leaked provider keys are found by scanners within minutes of a push.',
      fix: 'Rotate the value first (it is compromised once pushed), then read it from the environment or your secret store (`process.env.STRIPE_SECRET_KEY`, `os.environ["STRIPE_SECRET_KEY"]`, a mounted secret). In tests, use the provider\'s test-mode keys or an obvious placeholder.',
      example: {
        bad: "const stripe = new Stripe('sk_live_…');",
        good: 'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
      },
    },
  },
  // Every finding is one of two kinds, and each leaves a word in the text (matched lowercased):
  // - a credential format, anchored on the whole value, so its fixed prefix is there as written:
  //   `sk_live_`, `rk_live_`, `whsec_`, `AKIA`/`ASIA`, `gh[pousr]_`, `github_pat_`, `xox[abpr]-`,
  //   `AIza`, `SG.`, a database URL's scheme (`postgresql+psycopg2://` contains `postgres`), and
  //   `PRIVATE KEY` for PEM blocks (`key`, below);
  // - a value under a secret's name (isSecretConfigName): the name holds a word of SECRET_WORDS,
  //   both words of a SECRET_PAIRS pair, or `key` last. Per word the substring that is in every
  //   spelling: `authorization`; `header` for "auth header" (`auth` alone is in every `oauth`,
  //   `author`); `key` for every "… key" (`api_key`, `apiKey`, `PRIVATE-KEY`), `session` for
  //   "session id", `token`, `secret`, `cookie`, `card` for "card number"; `word` for `password`
  //   and `PASS_WORD`, `phrase` for `passphrase`/`pass_phrase`. `pin` costs the most (it is in
  //   every `mapping`, `typing`, `sourceMappingURL`) but a `pin` name is a finding.
  // Not covered: a name split inside a word (`PASS_WD`, `API_K_EY`), and a Python literal whose
  // implicit concatenation splits a format's prefix (`"sk_" "live_…"`).
  requires: [
    'key', 'token', 'secret', 'word', 'passwd', 'phrase', 'pwd', 'authorization', 'header', 'cookie', 'credential',
    'jwt', 'otp', 'pin', 'cvv', 'cvc', 'session', 'bearer', 'ssn', 'card',
    'sk_live_', 'rk_live_', 'whsec_', 'akia', 'asia', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'xox', 'aiza', 'sg.',
    'postgres', 'mysql', 'mariadb', 'mongodb', 'redis', 'amqp', 'mssql', 'sqlserver', 'oracle', 'cockroachdb', 'clickhouse',
  ],
  // One pattern per node type, not an alternation: `(string) @x` alone is the shape other rules
  // write, and the engine matches a shape once for every rule that wrote it (query-source.ts).
  ts: { query: '(string) @literal\n(template_string) @literal', onMatch: checkLiteral(false) },
  py: { query: '(string) @literal\n(concatenated_string) @literal', onMatch: checkLiteral(true) },
  checkText,
};

export default rule;
