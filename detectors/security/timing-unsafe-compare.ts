import { fileRole } from '../support/file-role.js';
import { isSecretName, words } from '../support/names.js';
import { calleeName, lastSegment, replaceNode, stringValue, valueName } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';
import { fileMentions } from '../support/file-hints.js';

/**
 * `==`/`===` stops at the first differing character, so the time a comparison takes tells an
 * attacker how much of their guess was right. That matters when one side is a value an attacker
 * must not learn: a signature, an HMAC, an OTP code, an API key, a token being verified.
 */

/** Words that name a value computed or issued to be checked: `signature`, `expectedHmac`, `otpCode`. */
const VERIFICATION_WORDS = new Set(['signature', 'signatures', 'sig', 'hmac', 'digest', 'mac', 'otp', 'totp', 'hotp', 'mfa', 'passcode']);
/** Words that may follow a verification word and still name the value: `signatureHex`, `x-hub-signature-256`. */
const VALUE_SUFFIX = /^(hex|b64|base64|bytes|buf|buffer|value|str|string|raw|text|\d+|sha\d+)$/;
/** First words of flags and predicates: `verify_signature`, `checkToken`, `useOtp`. */
const PREDICATE_FIRST = new Set(['is', 'has', 'should', 'can', 'verify', 'validate', 'check', 'skip', 'require', 'requires', 'use', 'enable', 'disable', 'allow', 'with', 'no', 'needs']);
/** `code` is a secret after one of these: `otpCode`, `verificationCode`, `resetCode`, `smsCode`. */
const CODE_QUALIFIERS = new Set(['otp', 'mfa', 'totp', 'verification', 'verify', 'twofactor', '2fa', 'tfa', 'sms', 'email', 'reset', 'confirmation', 'confirm', 'login', 'security', 'pin', 'one', 'magic', 'unlock']);
/** A last word that makes a name about the value rather than the value: `signatureHeader`, `digestAlgorithm`. */
const DESCRIPTIVE_LAST = new Set([
  'type', 'types', 'version', 'header', 'headers', 'name', 'names', 'algorithm', 'algorithms', 'alg', 'method', 'methods', 'length', 'len',
  'count', 'format', 'scheme', 'prefix', 'id', 'ids', 'enabled', 'required', 'status', 'state', 'kind', 'mode', 'size', 'key', 'keys',
  'encoding', 'expiry', 'expires', 'expiration', 'ttl', 'url', 'uri', 'at', 'index', 'position', 'field', 'label', 'option', 'options', 'config',
  // A hash of a secret leaks nothing useful through timing: the attacker chooses the preimage,
  // not the hash. Storing and comparing token hashes is the recommended mitigation.
  'hash', 'hashed',
]);
/**
 * Signatures, MACs and digests are also names for fingerprints of data (`renderSignature`,
 * `contentDigest`): they are secrets only in a file that signs or verifies something.
 */
const CRYPTO_CONTEXT = /createHmac|\bhmac|Hmac|webhook|jsonwebtoken|\bjwt\b|\bsign(ing)?\(|\bsigning|secret|timingSafeEqual|['"]x-[\w-]*signature/i;
const CRYPTO_WORDS = new Set(['signature', 'signatures', 'sig', 'hmac', 'digest', 'mac']);

/** Whether the file signs or verifies anything: tested once per file, not on every comparison. */
function isCryptoFile(ctx: RuleContext): boolean {
  return fileMentions(ctx, CRYPTO_CONTEXT);
}
/**
 * Tokens that are not credentials: pagination and cancellation tokens, push-notification device
 * tokens, and the tokens of lexers and parsers.
 */
const NOT_CREDENTIAL = new Set([
  'page', 'cursor', 'continuation', 'cancel', 'cancellation', 'sync', 'next', 'prev', 'previous', 'last', 'current', 'first', 'peek',
  'start', 'end', 'open', 'close', 'closing', 'opening', 'stream', 'ast', 'lexer', 'parser', 'syntax', 'lookahead', 'delimiter', 'separator',
  'push', 'device', 'fcm', 'apns', 'registration', 'notification', 'expo', 'csrf', 'xsrf', 'idempotency', 'request', 'trace', 'span',
  // Signatures of functions and schemas, digests of content, WebSocket handshakes, ORM identities.
  'model', 'function', 'func', 'call', 'class', 'index', 'schema', 'identity', 'websocket', 'accept', 'etag', 'integrity', 'content',
  'file', 'cache', 'cached', 'url', 'server', 'duplicate',
]);

type Strength = 'verification' | 'secret' | undefined;

function isNotCredential(name: string | undefined): boolean {
  return !!name && words(name).some((w) => NOT_CREDENTIAL.has(w));
}

/** How strongly a name says "secret being verified"; `crypto` tells whether the file signs things. */
function strengthOf(name: string | undefined, crypto = true): Strength {
  if (!name) return undefined;
  const ws = words(name);
  if (ws.length === 0 || isNotCredential(name) || PREDICATE_FIRST.has(ws[0]!)) return undefined;
  const last = ws[ws.length - 1]!;
  if (DESCRIPTIVE_LAST.has(last) && !(last === 'key' && ws.includes('api'))) return undefined;
  const verification = ws.findIndex((w) => VERIFICATION_WORDS.has(w) && (crypto || !CRYPTO_WORDS.has(w)));
  if (verification >= 0 && ws.slice(verification + 1).every((w) => VALUE_SUFFIX.test(w))) return 'verification';
  if (last === 'code' && ws.slice(0, -1).some((w) => CODE_QUALIFIERS.has(w))) return 'verification';
  return isSecretName(name) ? 'secret' : undefined;
}

/** Unwraps `await x`, `(x)`, `x!`, `x as T`. */
function unwrap(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (;;) {
    if (['parenthesized_expression', 'non_null_expression', 'as_expression', 'await_expression', 'await', 'satisfies_expression'].includes(n.type) && n.namedChild(0)) {
      n = n.namedChild(0)!;
    } else {
      return n;
    }
  }
}

/** The name a value goes by: identifier, property, string subscript, or the callee of a call. */
function nameOf(node: SyntaxNode): string | undefined {
  const n = unwrap(node);
  const name = valueName(n);
  if (name !== undefined) return name;
  switch (n.type) {
    case 'call_expression':
    case 'call': {
      const callee = lastSegment(calleeName(n));
      // `req.get('X-Signature')`, `request.headers.get("X-Hub-Signature-256")`: the header named.
      if (callee && /^(get|header|getHeader)$/.test(callee)) {
        const first = n.childForFieldName('arguments')?.namedChild(0);
        return stringValue(first) ?? callee;
      }
      return callee;
    }
    default:
      return undefined;
  }
}

const LITERAL_TYPES = new Set([
  'string', 'number', 'integer', 'float', 'true', 'false', 'null', 'undefined', 'none', 'None', 'regex', 'array', 'object', 'list', 'tuple',
  'dictionary', 'set', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression',
]);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '**', '<<', '>>', '>>>', '&', '|', '^', '//']);
/** Signal numbers: `sig == signal.SIGINT`. */
const SIGNAL_CONSTANT = /\bSIG[A-Z0-9]+$/;

/** Sides that cannot carry a secret: literals, `typeof`, lengths, sizes, `void 0`. */
function isTrivial(node: SyntaxNode): boolean {
  const n = unwrap(node);
  if (LITERAL_TYPES.has(n.type)) return true;
  if (n.type === 'identifier' && (n.text === 'undefined' || n.text === 'NaN')) return true;
  if (n.type === 'template_string' && !n.namedChildren.some((c) => c.type === 'template_substitution')) return true;
  if (n.type === 'unary_expression' || SIGNAL_CONSTANT.test(n.text)) return true;
  // `paramBytes * 2`: a number, not a secret.
  if ((n.type === 'binary_expression' || n.type === 'binary_operator') && ARITHMETIC.has(n.childForFieldName('operator')?.text ?? '')) {
    return !/^['"`]/.test(n.text);
  }
  if (n.type === 'member_expression' || n.type === 'attribute') {
    const property = nameOf(n) ?? '';
    if (/^(length|size|byteLength|type|kind)$/.test(property)) return true;
    // `TokenType.Bearer`, `Role.ADMIN`: enum members (but `config.API_KEY` is a value).
    const object = n.childForFieldName('object');
    if (object?.type === 'identifier' && /^[A-Z]/.test(object.text) && /^[A-Z]/.test(property) && !/^[A-Z0-9_]+$/.test(object.text)) return true;
  }
  if ((n.type === 'call' || n.type === 'call_expression') && /^(len|length|count|size|typeof|type|isinstance|Number|parseInt|int|bool|Boolean)$/.test(calleeName(n) ?? '')) return true;
  return false;
}

/** Values an attacker supplies or a server keeps: request data, config, a computed hash. */
const EXTERNAL =
  /\b(req|request|ctx\.request|event|headers|query|body|params|cookies|META|GET|POST|form|args)\b|process\.env|os\.environ|\bsettings\.|\bconfig\.|\bstored|\bexpected|\bsaved|\b(hash|hmac|sign|digest|createHmac|sha\d+|hashlib)\b/;

function isExternal(node: SyntaxNode): boolean {
  return EXTERNAL.test(node.text);
}

/** `__eq__`, `equals()`: equality of two credential objects, not the verification of one. */
const EQUALITY_METHOD = /^(__eq__|__ne__|equals|isEqual|eq|sameAs|compare)$/;

function inEqualityMethod(node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'method_definition' || p.type === 'function_declaration') {
      return EQUALITY_METHOD.test(p.childForFieldName('name')?.text ?? '');
    }
  }
  return false;
}

function verifies(left: SyntaxNode, right: SyntaxNode, crypto: boolean): boolean {
  if (isTrivial(left) || isTrivial(right)) return false;
  const leftName = nameOf(left);
  const rightName = nameOf(right);
  // `signature(prior) !== signature(next)`: one function applied to two values is change detection.
  const l = unwrap(left);
  const r = unwrap(right);
  if ((l.type === 'call_expression' || l.type === 'call') && l.type === r.type && calleeName(l) !== undefined && calleeName(l) === calleeName(r)) return false;
  // A side that is clearly not a credential (`nextPageToken`, `sec-websocket-accept`) says the other is not either.
  if (isNotCredential(leftName) || isNotCredential(rightName)) return false;
  // `conn.sig != meta.sig`, `this.password === other.password`: two records compared field by
  // field, unless one of them came from outside.
  const isMember = (n: SyntaxNode): boolean => ['member_expression', 'attribute'].includes(unwrap(n).type);
  if (leftName === rightName && isMember(left) && isMember(right) && !isExternal(left) && !isExternal(right)) return false;
  const a = strengthOf(leftName, crypto);
  const b = strengthOf(rightName, crypto);
  if (a === 'verification' || b === 'verification') return true;
  // Two token-like names, or one checked against a request, config or hash value.
  if (a === 'secret' && (b === 'secret' || isExternal(right))) return true;
  if (b === 'secret' && (a === 'secret' || isExternal(left))) return true;
  return false;
}

function label(ctx: RuleContext, left: SyntaxNode, right: SyntaxNode): string {
  const secretSide = strengthOf(nameOf(left)) ? left : right;
  const text = ctx.text(secretSide).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function message(ctx: RuleContext, left: SyntaxNode, right: SyntaxNode, operator: string, fix: string): string {
  return `\`${label(ctx, left, right)}\` is compared with \`${operator}\`, which stops at the first differing character: response times let an attacker recover the expected value piece by piece. Use ${fix}.`;
}

/**
 * What a comparison's text holds whenever one side's name has a strength (strengthOf): a
 * verification word (`sig` for signature/sig, `otp` for totp/hotp, `code` for passcode and a last
 * word `code`), or for isSecretName a word of SECRET_WORDS or of a SECRET_PAIRS pair (`word` for
 * password, `key` for apikey/privatekey and every "… key", `session` for sessionid, `card` for
 * card number, `header` for auth header). A side's name is a run of the comparison's text (an
 * identifier, a property, a string key or argument, a callee's last name), and names are judged
 * on their words, which joined are a run of that text less its non-alphanumerics: so the test is
 * on the text squeezed that way (`PASS_WD` → `passwd`), not as written.
 */
const STRENGTH_HINT = /sig|hmac|digest|mac|otp|mfa|code|word|passwd|pwd|phrase|secret|token|key|authorization|cookie|credential|jwt|pin|cvv|cvc|session|bearer|ssn|card|header/i;

function mayNameSecret(text: string): boolean {
  return STRENGTH_HINT.test(text.replace(/[^A-Za-z0-9]+/g, ''));
}

function checkTs(match: RuleMatch, ctx: RuleContext): void {
  const comparison = match.captures.cmp!;
  // Most comparisons name nothing secret: decided on the text before the sides are read.
  if (!mayNameSecret(ctx.text(comparison))) return;
  const operator = comparison.childForFieldName('operator')?.text ?? '';
  if (!['==', '===', '!=', '!=='].includes(operator)) return;
  const left = match.captures.left!;
  const right = match.captures.right!;
  if (!verifies(left, right, isCryptoFile(ctx)) || inEqualityMethod(comparison)) return;
  const role = fileRole(ctx.file, rootOf(comparison)).role;
  // In the browser nobody can time the comparison but the user themselves.
  if (role === 'browser') return;
  ctx.report({ node: comparison, message: message(ctx, left, right, operator, '`crypto.timingSafeEqual` on equal-length buffers') });
}

function rootOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

/** How this file can call `compare_digest`, if it imports it. */
function compareDigestIn(source: string): string | undefined {
  if (/^\s*from\s+(hmac|secrets)\s+import\s+[^\n]*\bcompare_digest\b/m.test(source)) return 'compare_digest';
  if (/^\s*import\s+[^\n]*\bhmac\b/m.test(source)) return 'hmac.compare_digest';
  if (/^\s*import\s+[^\n]*\bsecrets\b/m.test(source)) return 'secrets.compare_digest';
  return undefined;
}

const PASSWORD = /pass(word|wd|code|phrase)?|pwd/i;

function checkPy(match: RuleMatch, ctx: RuleContext): void {
  const comparison = match.captures.cmp!;
  if (!mayNameSecret(ctx.text(comparison))) return;
  const operands = comparison.namedChildren.filter((c) => c.type !== 'comment');
  const operators = comparison.children.filter((c) => !c.isNamed);
  if (operands.length !== 2 || operators.length !== 1) return;
  const operator = operators[0]!.text;
  if (operator !== '==' && operator !== '!=') return;
  const [left, right] = operands as [SyntaxNode, SyntaxNode];
  if (!verifies(left, right, isCryptoFile(ctx)) || inEqualityMethod(comparison)) return;
  const compare = compareDigestIn(ctx.file.source);
  // `compare_digest` raises on non-ASCII str: fine for hex digests and tokens, not for passwords.
  // A side read with `.get()` may be None, on which `compare_digest` raises: not mechanical.
  const mechanical =
    compare &&
    !PASSWORD.test(`${nameOf(left)} ${nameOf(right)}`) &&
    ![left, right].some((side) => unwrap(side).type === 'call') &&
    comparison.startPosition.row === comparison.endPosition.row;
  const call = `${compare}(${ctx.text(left)}, ${ctx.text(right)})`;
  ctx.report({
    node: comparison,
    message: message(ctx, left, right, operator, '`hmac.compare_digest`'),
    ...(mechanical ? { suggestion: replaceNode(ctx.file, comparison, operator === '==' ? call : `not ${call}`) } : {}),
  });
}

const rule: Rule = {
  meta: {
    id: 'timing-unsafe-compare',
    title: 'Secret compared in non-constant time',
    severity: 'P0',
    category: 'Security',
    languages: ['ts', 'py'],
    docs: {
      why: 'String equality returns at the first character that differs, so how long a failed check takes reveals how much of a forged signature, API key or OTP code was right. Over enough requests an attacker recovers the expected value without ever knowing the secret.',
      fix: 'Compare secrets in constant time: `hmac.compare_digest(a, b)` in Python; in Node, `crypto.timingSafeEqual` on two buffers of the same length (check the lengths first: it throws otherwise). Better still, compare digests of both sides so the length says nothing either.',
      example: {
        bad: "if (req.headers['x-signature'] !== expected) return res.status(401).end();",
        good:
          "const given = Buffer.from(String(req.headers['x-signature'] ?? ''));\nconst wanted = Buffer.from(expected);\nif (given.length !== wanted.length || !crypto.timingSafeEqual(given, wanted)) return res.status(401).end();",
      },
    },
  },
  // A finding needs one side named as a secret or a verification value (see strengthOf). Names
  // are words of identifiers and string keys, so each word below is in the raw text: a secret
  // word (`pass_word` joins to "password": hence 'word'; `api_key`/`privateKey` → 'key';
  // `session_id` → 'session'; `cardNumber` → 'card'; `X-Auth-Header` → 'header'), a
  // non-crypto verification word (otp/totp/hotp, mfa, a last word 'code' as in `otpCode` and
  // `passcode`), or, for signature/sig/hmac/digest/mac, which count only in a file CRYPTO_CONTEXT
  // matches, one of that regex's words (`sign(` also admits `assign(`: unavoidable).
  requires: [
    'hmac', 'webhook', 'jwt', 'sign(', 'signing', 'secret', 'timingsafeequal', 'signature',
    'otp', 'mfa', 'code',
    'word', 'passwd', 'pwd', 'phrase', 'token', 'key', 'authorization', 'header', 'cookie', 'credential', 'pin', 'cvv', 'cvc', 'session', 'bearer', 'ssn', 'card',
  ],
  // Only equality can be timed this way: other operators are left out of the match (the
  // callbacks still check the operator, which must be the only one in a Python comparison).
  ts: { query: '(binary_expression left: (_) @left operator: ["==" "===" "!=" "!=="] right: (_) @right) @cmp', onMatch: checkTs },
  py: { query: '(comparison_operator operators: ["==" "!="]) @cmp', onMatch: checkPy },
};

export default rule;
