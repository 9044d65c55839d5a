import { words } from '../support/names.js';
import { callArguments, calleeName, dottedName, hasArgumentList, lastSegment, PY_CALL, TS_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';
import { fileMentions } from '../support/file-hints.js';

/**
 * Test doubles belong in test support. The engine already skips test files; these are the other
 * places where mocks legitimately live: mock/fake/stub/fixture folders and files, stories, demos.
 */
const TEST_SUPPORT_PATH =
  /(^|\/)(mocks?|__mocks__|fakes?|stubs?|fixtures?|__fixtures__|testing|test[-_]?utils?|test[-_]?helpers?|testutils|support\/test|examples?|demos?|sandbox|storybook|stories|playground)\/|(^|\/|[._-])(mock|mocks|fake|fakes|stub|stubs|fixture|fixtures|dummy)([._-][^/]*)?\.[a-z]+$|\.stories\.[jt]sx?$/i;

/** Classes that are test doubles by name: their fake `verify` is the point. */
const DOUBLE_CLASS = /^(Mock|Fake|Stub|Dummy|Noop|NoOp|Null|InMemory|Test|Insecure|Unsafe|AllowAll|PassThrough|Passthrough)|Mock|Fake|Stub/;

/** Words that make a function a security primitive: `encrypt`, `signPayload`, `verify_hmac`, `kmsDecrypt`. */
const PRIMITIVE_WORDS = new Set(['sign', 'signature', 'verify', 'encrypt', 'decrypt', 'hash', 'hmac', 'authenticate', 'kms', 'cipher', 'decipher', 'seal', 'unseal', 'hsm']);
/** Classes that are security primitives: `KmsClient`, `TokenSigner`, `PasswordHasher`, `CryptoService`. */
const PRIMITIVE_CLASS = /kms|crypto|signer|signing|encrypt|cipher|vault|hsm|hasher|authenticator|verifier/i;

/** What a verification is about, for `validate*`/`check*`/`is*` names. */
const VERIFIED_THINGS = new Set(['signature', 'sig', 'password', 'token', 'hmac', 'mac', 'otp', 'mfa', 'totp', 'credential', 'credentials', 'webhook', 'jwt', 'auth', 'api', 'key', 'captcha', 'hash', 'digest', 'request', 'user', 'session', 'payload', 'message', 'apikey', 'secret', 'code']);

/** What an `is*`/`has*` name must also say to be a verification: `isValidSignature`, `isTokenVerified`. */
const VALIDITY_WORDS = new Set(['valid', 'verified', 'authentic', 'correct', 'matching', 'signed']);

/**
 * Comments that say the code around them is a stand-in. The mock word has to describe this code
 * ("mock implementation", "fake signature for now", a comment that starts with "Stub"), not a
 * platform or a test: "a dummy crypt module", "allows tests to point to a mock server".
 */
const STAND_IN = String.raw`(mock(ed)?|fake[ds]?|stub(bed)?|dummy|simulated?|placeholder|pretend)`;
const SECURITY_NOUN = String.raw`(implementation|impl|version|kms|hsm|vault|encryption|decryption|cipher|signature|signing|signer|verification|verifier|hash(ing)?|hmac|key|secret|auth(entication)?|crypto|for now|until|response)`;
const MOCK_COMMENT = new RegExp(
  [
    String.raw`\b${STAND_IN}\s+(\w+\s+)?${SECURITY_NOUN}\b`,
    String.raw`\b(this|it|that) is (just |only )?(a |an )?${STAND_IN}\b`,
    String.raw`^(\/\/|#|\/\*+|\*)\s*${STAND_IN}\b`,
    String.raw`\bnot (a )?real (encryption|decryption|signature|signing|verification|hash(ing)?|kms|key|crypto)\b`,
    String.raw`\breplace (this )?with (a |the )?real\b`,
    String.raw`\bTODO\b.{0,60}\b(real|actual)\b.{0,30}\b(kms|encrypt\w*|decrypt\w*|sign\w*|verif\w*|hash\w*|hsm|vault|key|secret|auth\w*|crypto\w*)`,
  ].join('|'),
  'i',
);
const DOCSTRING_MOCK = new RegExp(String.raw`\b${STAND_IN}\s+(\w+\s+)?${SECURITY_NOUN}\b|\b(this|it) is (just |only )?(a |an )?${STAND_IN}\b`, 'i');
/** Comments about tests or mocking in tests, not about this code being a mock. */
const TESTING_TALK = /\btests?\b|\btesting\b|\bmockable\b|\bfor mocking\b|\bto mock\b|\bbe mocked\b|jest\.mock|vi\.mock|unittest\.mock|\bmock server\b/i;

function nameOf(fn: SyntaxNode): string | undefined {
  const own = fn.childForFieldName('name');
  if (own) return own.text;
  const parent = fn.parent;
  if (parent?.type === 'variable_declarator') return parent.childForFieldName('name')?.text;
  if (parent?.type === 'pair') return parent.childForFieldName('key')?.text;
  if (parent?.type === 'assignment_expression') return lastSegment(dottedName(parent.childForFieldName('left')));
  if (parent?.type === 'public_field_definition') return parent.childForFieldName('name')?.text;
  return undefined;
}

const FUNCTION_TYPES = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'function_definition', 'generator_function_declaration']);
const CLASS_TYPES = new Set(['class_declaration', 'class_definition', 'class']);

function enclosing(node: SyntaxNode, types: ReadonlySet<string>): SyntaxNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (types.has(p.type)) return p;
  return undefined;
}

function className(node: SyntaxNode | undefined): string {
  return node?.childForFieldName('name')?.text ?? '';
}

function isPrimitiveName(name: string): boolean {
  // `SignForm`, `EncryptBadge`: PascalCase functions are components and classes, not primitives.
  if (/^[A-Z][a-z]/.test(name)) return false;
  return words(name).some((w) => PRIMITIVE_WORDS.has(w));
}

/** `verify`, `verifySignature`, `authenticate`, `checkPassword`, `isValidHmac`, `validate_token`. */
function isVerificationName(name: string): boolean {
  const ws = words(name);
  const first = ws[0];
  if (!first || !['verify', 'authenticate', 'validate', 'check', 'is', 'compare', 'has'].includes(first)) return false;
  // `verify()`, `authenticate()` alone; otherwise the name says what is verified:
  // `verifySignature` yes, `verify_connection` no.
  if ((first === 'verify' || first === 'authenticate') && ws.length === 1) return true;
  const rest = ws.slice(1);
  // `isUser()`, `hasCode()` answering true describe an object, not a check: an `is`/`has` name
  // verifies only when it also says valid/verified (`isValidHmac`, `has_valid_token`).
  if ((first === 'is' || first === 'has') && !rest.some((w) => VALIDITY_WORDS.has(w))) return false;
  return rest.some((w) => VERIFIED_THINGS.has(w));
}

function inTestDouble(node: SyntaxNode): boolean {
  return DOUBLE_CLASS.test(className(enclosing(node, CLASS_TYPES)));
}

/** The function or class a comment documents: the one it sits in, or the one right below it. */
function documentedBy(comment: SyntaxNode): SyntaxNode | undefined {
  let next = comment.nextNamedSibling;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  if (next && comment.endPosition.row + 1 >= next.startPosition.row) {
    let target: SyntaxNode | null = next;
    if (target.type === 'export_statement') target = target.childForFieldName('declaration') ?? target.namedChild(0);
    if (target?.type === 'decorated_definition') target = target.childForFieldName('definition');
    if (target?.type === 'lexical_declaration') {
      const value = target.namedChild(0)?.childForFieldName('value');
      if (value && FUNCTION_TYPES.has(value.type)) target = value;
    }
    if (target && (FUNCTION_TYPES.has(target.type) || CLASS_TYPES.has(target.type))) return target;
  }
  return enclosing(comment, FUNCTION_TYPES) ?? enclosing(comment, CLASS_TYPES);
}

function classHasPrimitiveMethods(cls: SyntaxNode): boolean {
  const body = cls.childForFieldName('body');
  for (const member of body?.namedChildren ?? []) {
    const fn = member.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
    if (fn && FUNCTION_TYPES.has(fn.type) && isPrimitiveName(nameOf(fn) ?? '')) return true;
  }
  return false;
}

function checkComment(comment: SyntaxNode, ctx: RuleContext): void {
  const text = comment.text;
  // A docstring describes more than the code's status: only an outright "mock implementation" counts.
  const pattern = comment.type === 'string' ? DOCSTRING_MOCK : MOCK_COMMENT;
  if (!pattern.test(text) || TESTING_TALK.test(text)) return;
  const target = documentedBy(comment);
  if (!target) return;
  let subject: string | undefined;
  if (FUNCTION_TYPES.has(target.type)) {
    const name = nameOf(target) ?? '';
    const cls = enclosing(target, CLASS_TYPES);
    if (inTestDouble(target)) return;
    if (isPrimitiveName(name)) subject = `${name}()`;
    // `getSigningKey()` of a `KmsClient`: the class makes it a primitive.
    else if (cls && PRIMITIVE_CLASS.test(className(cls))) subject = `${className(cls)}.${name}()`;
  } else {
    const name = className(target);
    if (DOUBLE_CLASS.test(name)) return;
    if (PRIMITIVE_CLASS.test(name) && classHasPrimitiveMethods(target)) subject = name;
  }
  if (!subject) return;
  ctx.report({
    node: comment,
    message: `This comment says \`${subject}\` is a stand-in (\`${text.replace(/^(\/\/|#|\/\*+)\s*/, '').replace(/\s*\*\/$/, '').slice(0, 60)}\`), in code that ships: whatever it should protect is not protected.`,
  });
}

/** The statements of a body, without comments, docstrings and `pass`. */
function realStatements(body: SyntaxNode): SyntaxNode[] {
  return body.namedChildren.filter((s) => {
    if (s.type === 'comment' || s.type === 'pass_statement' || s.type === 'empty_statement') return false;
    if (s.type === 'expression_statement' && s.namedChild(0)?.type === 'string') return false;
    return true;
  });
}

function checkConstantTrue(fn: SyntaxNode, anchor: SyntaxNode, ctx: RuleContext): void {
  const name = nameOf(fn);
  if (!name || !isVerificationName(name)) return;
  if (inTestDouble(fn)) return;
  const body = fn.childForFieldName('body');
  if (!body) return;
  if (body.type === 'statement_block' || body.type === 'block') {
    const statements = realStatements(body);
    if (statements.length !== 1 || statements[0] !== anchor) return;
  }
  ctx.report({
    node: anchor,
    message: `\`${name}()\` accepts everything: it returns \`true\` without checking anything, so any caller that relies on it is unprotected.`,
  });
}

/** `createHmac('sha256', keyId)`, `hmac.new(key_id.encode(), msg, sha256)`: the key is public. */
function isKeyIdentifier(node: SyntaxNode): boolean {
  let core: SyntaxNode | null = node;
  // `key_id.encode()`, `Buffer.from(keyId)`, `bytes(kid, "utf-8")`, `this.keyId`
  for (let i = 0; core && i < 4; i++) {
    if (core.type === 'call' || core.type === 'call_expression') {
      const fn = core.childForFieldName('function');
      const callee = calleeName(core) ?? '';
      if (/\.(encode|toString)$/.test(callee) && fn?.childForFieldName('object')) core = fn.childForFieldName('object');
      else if (/^(Buffer\.from|bytes|str|String|TextEncoder)$/.test(callee)) core = callArguments(core)[0] ?? null;
      else return false;
    } else break;
  }
  if (!core) return false;
  const name = lastSegment(dottedName(core));
  if (!name) return false;
  const ws = words(name);
  const tail = ws.slice(-2).join(' ');
  return ws[ws.length - 1] === 'kid' || tail === 'key id' || tail === 'key arn' || tail === 'key alias' || tail === 'key name';
}

/**
 * The last names of the HMAC calls checkHmac knows, as the end of the callee's source text (an
 * identifier's or a member's text ends with its last name).
 */
const TS_HMAC_LAST = /(^|\W)createHmac$/;
const PY_HMAC_LAST = /(^|\W)(new|digest|HMAC)$/;

/**
 * Whether the file can hold an HMAC call checkHmac knows: `createHmac` in TS, `hmac`/`HMAC` in
 * Python (every callee it accepts has one). Tested once per file (fileMentions), not on every call.
 */
const PY_HMAC = /hmac|HMAC/;
const TS_HMAC = /createHmac/;

function checkHmac(call: SyntaxNode, ctx: RuleContext, python: boolean): void {
  // Every call of the file comes here: most files call no HMAC at all, and in those that do, the
  // callee's last name, read from the source, rejects the other calls before the dotted name is built.
  if (!fileMentions(ctx, python ? PY_HMAC : TS_HMAC)) return;
  const fn = call.childForFieldName('function');
  if (!fn) return;
  if (python ? fn.type === 'identifier' || fn.type === 'attribute' : fn.type === 'identifier' || fn.type === 'member_expression') {
    if (!(python ? PY_HMAC_LAST : TS_HMAC_LAST).test(ctx.text(fn))) return;
  }
  const callee = calleeName(call) ?? '';
  let key: SyntaxNode | undefined;
  // The callee decides before the arguments are read.
  if (!python && lastSegment(callee) === 'createHmac') key = callArguments(call)[1];
  else if (python && /^(hmac\.new|hmac\.digest|HMAC|hmac\.HMAC)$/.test(callee)) key = callArguments(call)[0];
  if (!key || key.type === 'keyword_argument' || !isKeyIdentifier(key)) return;
  ctx.report({
    node: call,
    message: `This HMAC is keyed with \`${ctx.text(key)}\`, a key identifier rather than the secret key: anyone who knows the id can forge the MAC.`,
  });
}

function check(python: boolean) {
  return (match: RuleMatch, ctx: RuleContext): void => {
    if (TEST_SUPPORT_PATH.test(ctx.file.path)) return;
    const { comment, ret, arrow, hmac } = match.captures;
    if (comment) checkComment(comment, ctx);
    else if (ret) {
      const fn = enclosing(ret, FUNCTION_TYPES);
      if (fn) checkConstantTrue(fn, ret, ctx);
    } else if (arrow) checkConstantTrue(arrow, arrow.childForFieldName('body')!, ctx);
    else if (hmac && hasArgumentList(match.captures)) checkHmac(hmac, ctx, python);
  };
}

const rule: Rule = {
  meta: {
    id: 'mock-in-production',
    title: 'Security primitive mocked in production code',
    severity: 'P0',
    category: 'Security',
    languages: ['ts', 'py'],
    docs: {
      why: 'A stubbed `verify` that returns true, an `encrypt` that only base64-encodes, or an HMAC keyed with a public key id looks like protection in review and provides none: signatures are accepted from anyone and "encrypted" data is readable.',
      fix: 'Wire the real client (KMS, the signing library, the password hasher) and fail loudly at start-up when it is not configured. Keep test doubles in test support files, named `Mock*`/`Fake*`.',
      example: {
        bad: 'export async function verifySignature(payload: string, signature: string) {\n  // mock implementation until KMS is wired\n  return true;\n}',
        good: "export async function verifySignature(payload: string, signature: string) {\n  const expected = createHmac('sha256', await kms.getSigningKey()).update(payload).digest();\n  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));\n}",
      },
    },
  },
  // One word per way to a finding: a stand-in comment or docstring (MOCK_COMMENT: a STAND_IN
  // word, "not (a) real", "replace (this) with", "TODO"); a verifier returning the constant
  // `true`/`True` (its name cannot gate: `isUser` is a verifier and `is` is two letters); an
  // HMAC call (`createHmac`, `hmac.new`, `HMAC`). `true` is most of the cost: about 40% of
  // files contain it, against under 10% for all the other words.
  requires: ['mock', 'fake', 'stub', 'dummy', 'simulat', 'placeholder', 'pretend', 'not real', 'not a real', 'replace with', 'replace this with', 'todo', 'true', 'hmac'],
  ts: {
    query: `
      (comment) @comment
      (return_statement (true)) @ret
      (arrow_function body: (true)) @arrow
      ${TS_CALL} @hmac
    `,
    onMatch: check(false),
  },
  py: {
    query: `
      (comment) @comment
      (function_definition body: (block . (expression_statement (string) @comment)))
      (class_definition body: (block . (expression_statement (string) @comment)))
      (return_statement (true)) @ret
      ${PY_CALL} @hmac
    `,
    onMatch: check(true),
  },
};

export default rule;
