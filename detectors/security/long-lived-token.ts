import { describeSeconds, durationValue, numericValue, timedeltaSeconds } from '../support/durations.js';
import { calleeName, callArguments, descendants, lastSegment, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, Severity, SyntaxNode } from '../../src/engine/types.js';

/** A day: tokens that grant access should expire within it and be renewed by a refresh flow. */
const MAX_SECONDS = 24 * 3600;

/**
 * Tokens that are not access credentials, or that the catalog allows to live longer: refresh
 * tokens (kept server-side and rotated), one-purpose links (invites, email verification,
 * password reset, unsubscribe, downloads).
 */
const NOT_ACCESS =
  /refresh|invit|verif|confirm|reset|unsubscrib|magic|download|shar(e|ing)|activat|onboard|sign_?up|preview|export|upload|calendar|ical|feed|rss|recover|one_?time|webhook|presign|signed_?url|\burl\b/i;
const PRIVILEGED = /admin|impersonat|superuser|staff|sudo|root/i;

type Kind = 'access' | 'session';

interface Lifetime {
  readonly seconds: number;
  /** The literal is a fallback behind an environment variable: `process.env.X || '7d'`. */
  readonly fallback: boolean;
}

/* ------------------------------ resolving names ----------------------------- */

/** A module-level `const NAME = value` (TS) or `NAME = value` (Python), for `expiresIn: TOKEN_TTL`. */
function moduleConstant(node: SyntaxNode, name: string): SyntaxNode | undefined {
  let root = node;
  while (root.parent) root = root.parent;
  for (const statement of root.namedChildren) {
    const declaration = statement.type === 'export_statement' ? statement.childForFieldName('declaration') : statement;
    if (declaration?.type === 'lexical_declaration') {
      for (const d of declaration.namedChildren) {
        if (d.type === 'variable_declarator' && d.childForFieldName('name')?.text === name) return d.childForFieldName('value') ?? undefined;
      }
    } else if (declaration?.type === 'expression_statement') {
      const a = declaration.namedChild(0);
      if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) return a.childForFieldName('right') ?? undefined;
    }
  }
  return undefined;
}

function resolver(node: SyntaxNode): (name: string) => SyntaxNode | undefined {
  return (name) => moduleConstant(node, name);
}

/* ------------------------------ what the token is ---------------------------- */

/** Names around a token's creation: the variable it lands in, the function that makes it. */
function contextNames(node: SyntaxNode): string[] {
  const names: string[] = [];
  for (let p: SyntaxNode | null = node.parent, hops = 0; p && hops < 12; p = p.parent, hops++) {
    switch (p.type) {
      case 'variable_declarator':
        names.push(p.childForFieldName('name')?.text ?? '');
        break;
      case 'assignment_expression':
      case 'assignment':
      case 'augmented_assignment':
        names.push(p.childForFieldName('left')?.text ?? '');
        break;
      case 'pair':
        names.push(p.childForFieldName('key')?.text ?? '');
        break;
      case 'keyword_argument':
        names.push(p.childForFieldName('name')?.text ?? '');
        break;
      case 'function_declaration':
      case 'method_definition':
      case 'function_definition':
        names.push(p.childForFieldName('name')?.text ?? '');
        return names;
      case 'call_expression':
      case 'call':
        names.push(calleeName(p) ?? '');
        break;
      default:
        break;
    }
  }
  return names;
}

/** `type: 'refresh'`, `"purpose": "invite"`, the secret `REFRESH_TOKEN_SECRET`. */
function declaredPurpose(call: SyntaxNode | undefined): string[] {
  if (!call) return [];
  const out: string[] = [];
  for (const arg of callArguments(call)) {
    for (const n of descendants(arg)) {
      if (n.type === 'pair') {
        const key = stringValue(n.childForFieldName('key')) ?? n.childForFieldName('key')?.text ?? '';
        if (/^(type|typ|purpose|kind|token_?type|aud|scope|use)$/i.test(key)) out.push(n.childForFieldName('value')?.text ?? '');
      } else if (n.type === 'member_expression' || n.type === 'attribute' || (n.type === 'identifier' && /secret|key/i.test(n.text))) {
        if (/secret|key/i.test(n.text)) out.push(n.text);
      }
    }
  }
  return out;
}

function purposeOf(anchor: SyntaxNode, call: SyntaxNode | undefined): 'not-access' | 'privileged' | 'access' {
  const evidence = [...contextNames(anchor), ...declaredPurpose(call)].join(' ');
  if (NOT_ACCESS.test(evidence)) return 'not-access';
  return PRIVILEGED.test(evidence) ? 'privileged' : 'access';
}

/* --------------------------------- reporting --------------------------------- */

function report(ctx: RuleContext, node: SyntaxNode, kind: Kind, lifetime: Lifetime, purpose: 'privileged' | 'access', what: string): void {
  const span = describeSeconds(lifetime.seconds);
  const subject = kind === 'session' ? 'Sessions stay' : purpose === 'privileged' ? 'This privileged token stays' : 'This access token stays';
  const severity: Severity = kind === 'session' ? 'P2' : 'P1';
  ctx.report({
    node,
    severity,
    message: `${subject} valid for ${span}${lifetime.fallback ? ' unless the environment overrides it' : ''} (\`${what}\`): a stolen ${kind === 'session' ? 'session' : 'token'} keeps working that long and cannot be cut short by logging out.`,
  });
}

/** A literal lifetime, or the literal fallback of `process.env.X || '7d'` / `?? '7d'`. */
function lifetimeOf(value: SyntaxNode, unitSeconds: number): Lifetime | undefined {
  const resolve = resolver(value);
  if (value.type === 'binary_expression' && /^(\|\||\?\?)$/.test(value.childForFieldName('operator')?.text ?? '')) {
    const seconds = durationValue(value.childForFieldName('right'), unitSeconds, resolve);
    return seconds === undefined ? undefined : { seconds, fallback: true };
  }
  if (value.type === 'identifier') {
    const resolved = moduleConstant(value, value.text);
    return resolved ? lifetimeOf(resolved, unitSeconds) : undefined;
  }
  const seconds = durationValue(value, unitSeconds, resolve);
  return seconds === undefined ? undefined : { seconds, fallback: false };
}

/* ------------------------------------ TS ------------------------------------ */

/** Functions that sign a JWT: jsonwebtoken, NestJS JwtService, @fastify/jwt, app helpers. */
const TS_SIGN =
  /^(sign|signAsync|signSync|jwtSign|sign(Access|Auth|Session|Admin|Impersonation|User|Api)?\w*(Token|Jwt|JWT)|(generate|create|issue|mint|make)\w*(Token|Jwt|JWT))$/;
/** Objects whose `sign` is not a JWT: S3/GCS/CloudFront URL signers. */
const URL_SIGNER = /s3|storage|bucket|cloudfront|presign|url|cookie/i;

function enclosingCall(object: SyntaxNode): SyntaxNode | undefined {
  const args = object.parent;
  if (args?.type !== 'arguments') return undefined;
  return args.parent?.type === 'call_expression' ? args.parent : undefined;
}

function pairKey(pair: SyntaxNode | null | undefined): string | undefined {
  const key = pair?.childForFieldName('key');
  return key ? (stringValue(key) ?? key.text) : undefined;
}

function checkTsExpiresIn(pair: SyntaxNode, value: SyntaxNode, ctx: RuleContext): void {
  const object = pair.parent!;
  let call = enclosingCall(object);
  const holder = object.parent?.type === 'pair' ? pairKey(object.parent) : undefined;
  if (call) {
    const callee = calleeName(call) ?? '';
    if (!TS_SIGN.test(lastSegment(callee) ?? '') || URL_SIGNER.test(callee)) return;
  } else if (holder === 'signOptions' || (holder === 'sign' && /jwt/i.test(ctx.file.source))) {
    // `JwtModule.register({ signOptions: { expiresIn } })`, `fastify.register(jwt, { sign: { expiresIn } })`
    call = undefined;
  } else {
    return;
  }
  const lifetime = lifetimeOf(value, 1);
  if (!lifetime || lifetime.seconds <= MAX_SECONDS) return;
  const purpose = purposeOf(pair, call);
  if (purpose === 'not-access') return;
  report(ctx, pair, 'access', lifetime, purpose, ctx.text(pair));
}

/** Where a `maxAge` sets a session's lifetime, and in which unit. */
function sessionMaxAgeUnit(pair: SyntaxNode, ctx: RuleContext): number | undefined {
  const object = pair.parent!;
  const holderPair = object.parent?.type === 'pair' ? object.parent : undefined;
  const holder = pairKey(holderPair);
  // NextAuth / Auth.js: `session: { maxAge }`, `jwt: { maxAge }`, in seconds. With the database
  // strategy the session lives server-side and sign-out deletes it.
  if ((holder === 'session' || holder === 'jwt') && /next-auth|@auth\/|NextAuth|authOptions|AuthOptions|NextAuthConfig/.test(ctx.file.source)) {
    return /strategy\s*:\s*['"]database['"]/.test(object.text) ? undefined : 1;
  }
  // express-session (`session({ cookie: { maxAge } })`) keeps sessions in its store, where logout
  // destroys them: not a bearer credential that outlives logout.
  if (holder === 'cookie') return undefined;
  const call = enclosingCall(object);
  if (!call) return undefined;
  const callee = calleeName(call) ?? '';
  const method = lastSegment(callee) ?? '';
  if (/^(cookieSession|CookieSession)$/.test(method)) return 0.001;
  // `res.cookie('session', token, { maxAge })` (ms), `reply.setCookie(...)` / `cookies().set(...)` (s).
  const args = callArguments(call);
  if (args[2] !== object) return undefined;
  const name = stringValue(args[0]) ?? args[0]?.text ?? '';
  if (!/token|session|auth|jwt|sid|access/i.test(name) || NOT_ACCESS.test(name) || /csrf|xsrf|consent|locale|theme/i.test(name)) return undefined;
  if (method === 'cookie' && /(^|\.)(res|response|ctx\.response)$/.test(callee.slice(0, -'.cookie'.length))) return 0.001;
  if (method === 'setCookie' || (method === 'set' && /cookies/.test(callee))) return 1;
  return undefined;
}

function checkTsMaxAge(pair: SyntaxNode, value: SyntaxNode, ctx: RuleContext): void {
  const unit = sessionMaxAgeUnit(pair, ctx);
  if (unit === undefined) return;
  const lifetime = lifetimeOf(value, unit);
  if (!lifetime || lifetime.seconds <= MAX_SECONDS) return;
  report(ctx, pair, 'session', lifetime, 'access', ctx.text(pair));
}

/** jose: `new SignJWT(claims).setExpirationTime('7d')`. */
function checkJose(call: SyntaxNode, value: SyntaxNode, ctx: RuleContext): void {
  const text = stringValue(value);
  if (text === undefined) return;
  const lifetime = lifetimeOf(value, 1);
  if (!lifetime || lifetime.seconds <= MAX_SECONDS) return;
  // The claims are in `new SignJWT({...})` at the start of the chain.
  let chainStart: SyntaxNode = call;
  for (let n: SyntaxNode | null | undefined = call; n; n = n.childForFieldName('function')?.childForFieldName('object')) {
    chainStart = n;
    if (n.type !== 'call_expression') break;
  }
  const purpose = purposeOf(call, chainStart.type === 'new_expression' ? chainStart : undefined);
  if (purpose === 'not-access') return;
  report(ctx, call, 'access', lifetime, purpose, `setExpirationTime(${value.text})`);
}

function checkTs(match: RuleMatch, ctx: RuleContext): void {
  const value = match.captures.value!;
  if (match.captures.pair) {
    // Every pair of the file matches: its key's source text holds the name (a property name, or a
    // string without escapes to read) before the key's value is read.
    const keyNode = match.captures.pair.childForFieldName('key');
    if (!keyNode) return;
    const keyText = ctx.text(keyNode);
    if (!keyText.includes('expiresIn') && !keyText.includes('maxAge')) return;
    const key = pairKey(match.captures.pair);
    if (key === 'expiresIn') checkTsExpiresIn(match.captures.pair, value, ctx);
    else if (key === 'maxAge') checkTsMaxAge(match.captures.pair, value, ctx);
    return;
  }
  if (match.captures.method?.text === 'setExpirationTime') checkJose(match.captures.expcall!, value, ctx);
}

/* ---------------------------------- Python ---------------------------------- */

/** Settings that hold an access token's lifetime: SimpleJWT, djangorestframework-jwt, flask-jwt-extended. */
const PY_ACCESS_SETTINGS = new Set(['ACCESS_TOKEN_LIFETIME', 'SLIDING_TOKEN_LIFETIME', 'JWT_EXPIRATION_DELTA', 'JWT_ACCESS_TOKEN_EXPIRES', 'JWT_EXPIRATION']);
/**
 * Session lifetimes where the session is the signed cookie itself (Flask's default session), so
 * logging out cannot revoke a stolen copy. Django's `SESSION_COOKIE_AGE` is left alone: Django
 * sessions live server-side and logout deletes them.
 */
const PY_SESSION_SETTINGS = new Set(['PERMANENT_SESSION_LIFETIME']);
/** `ACCESS_TOKEN_EXPIRE_MINUTES`, `JWT_TTL_HOURS`, `ADMIN_TOKEN_LIFETIME_DAYS`: a token lifetime with its unit. */
const PY_LIFETIME_NAME = /^(?=.*(?:ACCESS|JWT|AUTH|TOKEN|ADMIN|IMPERSONAT))\w*(?:EXPIRE|EXPIRES|EXPIRY|EXPIRATION|LIFETIME|TTL|MAX_AGE)_?(SECONDS|SECS|MINUTES|MINS|HOURS|HRS|DAYS)$/i;
const PY_UNITS: Record<string, number> = { SECONDS: 1, SECS: 1, MINUTES: 60, MINS: 60, HOURS: 3600, HRS: 3600, DAYS: 86400 };
/** PY_LIFETIME_NAME's endings as written, with or without the `_`: `expire_days`, `ttlseconds`. */
const LIFETIME_NAME_ENDINGS = ['expire', 'expires', 'expiry', 'expiration', 'lifetime', 'ttl'].flatMap((stem) =>
  ['', '_'].flatMap((separator) => ['sec', 'min', 'hour', 'hrs', 'days'].map((unit) => stem + separator + unit)),
);

/** Seconds of `timedelta(...)`, or of the number added to "now" in an `exp` claim. */
function pyLifetime(value: SyntaxNode, plainUnit: number | undefined): Lifetime | undefined {
  const resolve = resolver(value);
  if (value.type === 'identifier') {
    const resolved = moduleConstant(value, value.text);
    return resolved && resolved !== value ? pyLifetime(resolved, plainUnit) : undefined;
  }
  if (plainUnit !== undefined) {
    const n = numericValue(value, resolve);
    if (n !== undefined) return { seconds: n * plainUnit, fallback: false };
  }
  let seconds: number | undefined;
  for (const n of descendants(value)) {
    if (n.type === 'call' && lastSegment(calleeName(n)) === 'timedelta') {
      seconds = timedeltaSeconds(n, resolve);
      break;
    }
    // `int(time.time()) + 7 * 24 * 3600`
    if (n.type === 'binary_operator' && n.children[1]?.text === '+' && /time\(|now\(|utcnow\(|timestamp/.test(n.text)) {
      const right = numericValue(n.childForFieldName('right'), resolve);
      const left = numericValue(n.childForFieldName('left'), resolve);
      seconds = right ?? left;
      if (seconds !== undefined) break;
    }
  }
  if (seconds === undefined) return undefined;
  // `int(os.environ.get("JWT_DAYS", 7))`-style values cannot be read; only literals count.
  return { seconds, fallback: false };
}

function targetName(target: SyntaxNode): string | undefined {
  if (target.type === 'identifier') return target.text;
  if (target.type === 'attribute') return target.childForFieldName('attribute')?.text;
  if (target.type === 'subscript') return stringValue(target.childForFieldName('subscript'));
  return undefined;
}

function checkPyNamed(name: string, anchor: SyntaxNode, value: SyntaxNode, ctx: RuleContext, call: SyntaxNode | undefined): void {
  if (name === 'exp') {
    const lifetime = pyLifetime(value, undefined);
    if (!lifetime || lifetime.seconds <= MAX_SECONDS) return;
    const purpose = purposeOf(anchor, call ?? enclosingDictCall(anchor));
    if (purpose === 'not-access' || NOT_ACCESS.test(siblingPurpose(anchor))) return;
    report(ctx, anchor, 'access', lifetime, purpose, ctx.text(anchor).replace(/\s+/g, ' '));
    return;
  }
  const upper = name.toUpperCase();
  // Framework default tables (`default_config = {...}`) list session settings as dict pairs; an
  // app sets them by assignment.
  const sessionSetting = PY_SESSION_SETTINGS.has(upper) && anchor.type !== 'pair';
  if (PY_ACCESS_SETTINGS.has(upper) || sessionSetting) {
    const lifetime = pyLifetime(value, 1);
    if (!lifetime || lifetime.seconds <= MAX_SECONDS) return;
    report(ctx, anchor, sessionSetting ? 'session' : 'access', lifetime, 'access', ctx.text(anchor).replace(/\s+/g, ' '));
    return;
  }
  const named = PY_LIFETIME_NAME.exec(name);
  if (named && !NOT_ACCESS.test(name)) {
    const lifetime = pyLifetime(value, PY_UNITS[named[1]!.toUpperCase()]);
    if (!lifetime || lifetime.seconds <= MAX_SECONDS) return;
    report(ctx, anchor, 'access', lifetime, PRIVILEGED.test(name) ? 'privileged' : 'access', ctx.text(anchor).replace(/\s+/g, ' '));
  }
}

/** The call a claims dict is passed to: `jwt.encode({...}, key)`. */
function enclosingDictCall(pair: SyntaxNode): SyntaxNode | undefined {
  const dict = pair.parent;
  const args = dict?.parent;
  return args?.type === 'argument_list' && args.parent?.type === 'call' ? args.parent : undefined;
}

/** `{"type": "refresh", "exp": ...}` or `payload["type"] = "refresh"` beside the claim. */
function siblingPurpose(anchor: SyntaxNode): string {
  const dict = anchor.parent;
  if (dict?.type !== 'dictionary') return '';
  return dict.namedChildren
    .filter((c) => c.type === 'pair' && /^(type|typ|purpose|token_type|scope|aud)$/.test(stringValue(c.childForFieldName('key')) ?? ''))
    .map((c) => c.childForFieldName('value')?.text ?? '')
    .join(' ');
}

/**
 * What a name's source text holds whenever checkPyNamed can report it (case-insensitive, as it
 * compares upper-cased): `exp` (the claim, EXPIRE…, JWT_EXPIRATION…, JWT_ACCESS_TOKEN_EXPIRES),
 * `lifetime` (ACCESS/SLIDING_TOKEN_LIFETIME, PERMANENT_SESSION_LIFETIME), PY_LIFETIME_NAME's
 * `ttl` and `max_age`. A dict key's, target's or subscript's name is a run of that text.
 */
const PY_NAME_HINT = /exp|lifetime|ttl|max_age/i;

function checkPy(match: RuleMatch, ctx: RuleContext): void {
  const value = match.captures.value!;
  if (match.captures.pair) {
    // Every string-keyed pair and every assignment matches: the text decides before the name is read.
    if (!PY_NAME_HINT.test(ctx.text(match.captures.key!))) return;
    const key = stringValue(match.captures.key);
    if (key) checkPyNamed(key, match.captures.pair, value, ctx, undefined);
    return;
  }
  if (match.captures.assign) {
    if (!PY_NAME_HINT.test(ctx.text(match.captures.target!))) return;
    const name = targetName(match.captures.target!);
    if (name) checkPyNamed(name, match.captures.assign, value, ctx, undefined);
    return;
  }
  const kwarg = match.captures.kwarg!;
  const keyword = match.captures.kw!.text;
  // Every keyword argument of every call matches: reject on the name before reading the callee.
  if (keyword !== 'expires_delta' && keyword !== 'max_age') return;
  const call = kwarg.parent?.parent;
  if (call?.type !== 'call') return;
  const callee = calleeName(call) ?? '';
  if (keyword === 'expires_delta') {
    // flask-jwt-extended / the FastAPI tutorial: `create_access_token(..., expires_delta=timedelta(days=7))`.
    const lifetime = pyLifetime(value, 1);
    if (!lifetime || lifetime.seconds <= MAX_SECONDS) return;
    const purpose = purposeOf(kwarg, call);
    if (purpose === 'not-access') return;
    report(ctx, kwarg, 'access', lifetime, purpose, ctx.text(kwarg));
  } else if (keyword === 'max_age' && lastSegment(callee) === 'set_cookie') {
    const name = stringValue(callArguments(call)[0]) ?? '';
    if (!/token|session|auth|jwt|sid|access/i.test(name) || NOT_ACCESS.test(name)) return;
    const lifetime = pyLifetime(value, 1);
    if (!lifetime || lifetime.seconds <= MAX_SECONDS) return;
    report(ctx, kwarg, 'session', lifetime, 'access', ctx.text(kwarg));
  }
}

const rule: Rule = {
  meta: {
    id: 'long-lived-token',
    title: 'Access token or session valid for more than a day',
    severity: 'P1',
    category: 'Security',
    languages: ['ts', 'py'],
    docs: {
      why: 'A JWT cannot be revoked before it expires: a token that leaks through a log, a browser extension or a shared laptop keeps granting access for as long as its lifetime, even after the user logs out or loses their role.',
      fix: 'Issue access tokens for minutes to a few hours and renew them with a refresh token that is stored server-side, rotated on every use and revocable. Keep long lifetimes for refresh tokens only.',
      example: {
        bad: "const accessToken = jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET, { expiresIn: '30d' });",
        good: "const accessToken = jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET, { expiresIn: '15m' });\nconst refreshToken = await refreshTokens.issue(user.id); // stored, rotated, revocable",
      },
    },
  },
  // Every finding is reached through a name the rule compares exactly, or through the clock:
  // TS `expiresIn`, `maxAge`, `setExpirationTime`; Python `max_age` (set_cookie, `…MAX_AGE_DAYS`),
  // `expires_delta`, the settings (`ACCESS_TOKEN_LIFETIME`, `SLIDING_TOKEN_LIFETIME`,
  // `JWT_EXPIRATION…`, `JWT_ACCESS_TOKEN_EXPIRES`, `PERMANENT_SESSION_LIFETIME`), a
  // PY_LIFETIME_NAME ending; an `exp` claim only counts with `timedelta` or a `+` on `time(`,
  // `now(`, `timestamp` (pyLifetime), and those are gated instead of `exp` (in every `except`).
  requires: [
    'expiresin', 'maxage', 'setexpirationtime', 'max_age', 'expires_delta', 'token_lifetime', 'jwt_expiration', 'jwt_access_token_expires',
    'permanent_session_lifetime', ...LIFETIME_NAME_ENDINGS, 'timedelta', 'time(', 'timestamp', 'now(',
  ],
  ts: {
    query: `
      (pair key: [(property_identifier) (string)] @key value: (_) @value) @pair
      (call_expression function: (member_expression property: (property_identifier) @method) arguments: (arguments . (_) @value)) @expcall
    `,
    onMatch: checkTs,
  },
  py: {
    query: `
      (pair key: (string) @key value: (_) @value) @pair
      (assignment left: [(identifier) (attribute) (subscript)] @target right: (_) @value) @assign
      (keyword_argument name: (identifier) @kw value: (_) @value) @kwarg
    `,
    onMatch: checkPy,
  },
};

export default rule;
