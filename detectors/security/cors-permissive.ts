import { inDevBranch } from '../support/dev-branch.js';
import { callArguments, calleeName, descendants, hasArgumentList, keywordArgument, lastSegment, objectProperty, PY_CALL, stringValue, TS_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, Severity, SyntaxNode } from '../../src/engine/types.js';

/**
 * CORS that lets any web page call the API from a visitor's browser. With credentials allowed
 * (cookies, `Authorization`), any site the user visits can act as the user: P0. Without, any site
 * can read what the API answers to anonymous requests: P1.
 *
 * An origin is "any" when it is `'*'`, `true` (reflect the request), a regex or callback that a
 * made-up origin passes, or the request's `Origin` header copied into the response. Allow-lists
 * and origins read from config are fine.
 */

/** Origins no allow-list would contain: if one passes, every origin does. */
const FOREIGN_ORIGINS = ['https://attacker.invalid', 'http://attacker.invalid', 'https://evil-site.example.net'];
const ACAO = /^access-control-allow-origin$/i;

interface Permissive {
  /** The node to report: the `'*'`, the `true`, the regex, the callback, the bare call. */
  readonly node: SyntaxNode;
  /** What it allows, completing "This CORS configuration …" (or a whole clause when `subject` is set). */
  readonly what: string;
  /** The clause's own subject, when it is not "This CORS configuration". */
  readonly subject?: string;
}

const ANY = 'allows every origin';
const ECHO = "echoes the request's `Origin` back, which allows every origin";

// ---------------------------------------------------------------------------------------------
// Origins

/** A quantified group that is itself quantified (`(a+)+`): testing it may backtrack for minutes. */
const NESTED_QUANTIFIER = /\([^()]*[*+][^()]*\)[*+{]/;

function regexAllowsAny(pattern: string, flags: string, anchor: 'none' | 'start' | 'full'): boolean {
  if (pattern.length > 500 || NESTED_QUANTIFIER.test(pattern)) return false;
  let regex: RegExp;
  try {
    const body = anchor === 'full' ? `^(?:${pattern})$` : anchor === 'start' ? `^(?:${pattern})` : pattern;
    regex = new RegExp(body, flags.replace(/[^imsu]/g, ''));
  } catch {
    // A pattern JavaScript cannot compile (Python-only syntax): we cannot tell, so we stay quiet.
    return false;
  }
  return FOREIGN_ORIGINS.some((origin) => regex.test(origin));
}

/** Expressions that read the request's Origin header: `req.headers.origin`, `request.headers.get('origin')`. */
const REQUEST_ORIGIN =
  /^(req|request|ctx|ctx\.request|c\.req|event)(\.headers|\.raw\.headers)?(\.origin|\[['"]origin['"]\]|\.get\(['"]origin['"]\)|\.header\(['"]origin['"]\))$|^(req|request|ctx)\.(get|header)\(['"]origin['"]\)$|^(request\.headers|request\.META)(\.get\(|\[)['"](HTTP_)?origin['"]\]?\)?$/i;

function isRequestOrigin(node: SyntaxNode): boolean {
  return REQUEST_ORIGIN.test(node.text.replace(/\s+/g, '').replace(/\?\./g, '.'));
}

/** An accepting answer in a CORS origin callback: `true`, or the origin itself. */
function accepts(value: SyntaxNode | undefined, originParam: string | undefined): boolean {
  if (!value) return false;
  return value.type === 'true' || (!!originParam && value.text === originParam) || isRequestOrigin(value);
}

/** "No Origin header" (same-origin and server-to-server requests): allowed everywhere. */
const NO_ORIGIN_TERM = /^(!\s*\w+|\w+\s*={2,3}\s*(undefined|null))$/;
/** "Any https origin": a scheme check and nothing else. */
const SCHEME_TERM = /^(\w+\.startsWith\(\s*['"]https?:(\/\/)?['"]\s*\)|\/\^https\??:\\\/\\\/\/\.test\(\w+\))$/;

/** A guard that any https origin passes: `origin.startsWith('https://')`, with or without `!origin ||`. */
function isPermissiveGuard(condition: string): boolean {
  const terms = condition.trim().replace(/^\((.*)\)$/s, '$1').split('||').map((t) => t.trim().replace(/^\((.*)\)$/s, '$1'));
  return terms.some((t) => SCHEME_TERM.test(t)) && terms.every((t) => SCHEME_TERM.test(t) || NO_ORIGIN_TERM.test(t));
}

/**
 * A `origin: (origin, callback) => …` callback that lets anything through: every answer it
 * gives accepts, or it accepts in a `catch` (fails open), or it accepts behind a guard that any
 * https origin passes.
 */
function callbackAllowsAny(fn: SyntaxNode): string | undefined {
  const params = fn.childForFieldName('parameters')?.namedChildren.map((p) => (p.childForFieldName('pattern') ?? p).text) ?? [];
  const [originParam, callbackParam] = params;
  const body = fn.childForFieldName('body');
  if (!body) return undefined;
  if (!callbackParam) {
    // `origin: () => true`, `origin: (o) => o`
    const returned = body.type === 'statement_block' ? undefined : body;
    return returned && accepts(returned, originParam) ? ANY : undefined;
  }
  let accepting = 0;
  let rejecting = 0;
  for (const call of body.descendantsOfType('call_expression')) {
    if (calleeName(call) !== callbackParam) continue;
    const [error, answer] = callArguments(call);
    const ok = (!error || error.type === 'null' || error.text === 'undefined') && accepts(answer, originParam);
    if (!ok) {
      rejecting++;
      continue;
    }
    accepting++;
    if (within(call, 'catch_clause', fn)) return `accepts every origin when its check throws (the \`catch\` answers yes)`;
    const guard = guardOf(call, fn);
    if (guard && isPermissiveGuard(guard)) return 'accepts any https origin';
  }
  return accepting > 0 && rejecting === 0 ? ANY : undefined;
}

function within(node: SyntaxNode, type: string, stop: SyntaxNode): boolean {
  for (let p = node.parent; p && p.id !== stop.id; p = p.parent) if (p.type === type) return true;
  return false;
}

/** The condition of the nearest `if` whose consequence holds the node, inside `stop`. */
function guardOf(node: SyntaxNode, stop: SyntaxNode): string | undefined {
  for (let child = node, p = node.parent; p && p.id !== stop.id; child = p, p = p.parent) {
    if (p.type === 'if_statement' && p.childForFieldName('consequence')?.id === child.id) return p.childForFieldName('condition')?.text;
  }
  return undefined;
}

/** What an `origin` option allows, when it allows everything. */
function originAllowsAny(value: SyntaxNode): Permissive | undefined {
  switch (value.type) {
    case 'string':
    case 'template_string':
      return stringValue(value) === '*' ? { node: value, what: ANY } : undefined;
    case 'true':
      return { node: value, what: "reflects the request's `Origin` (`origin: true`), which allows every origin" };
    case 'regex': {
      const pattern = value.childForFieldName('pattern')?.text ?? '';
      const flags = value.childForFieldName('flags')?.text ?? '';
      return regexAllowsAny(pattern, flags, 'none') ? { node: value, what: `accepts any origin with the pattern \`${value.text}\`` } : undefined;
    }
    case 'array':
      for (const element of value.namedChildren) {
        const found = originAllowsAny(element);
        if (found && element.type !== 'true') return found;
      }
      return undefined;
    case 'arrow_function':
    case 'function_expression':
    case 'function':
    case 'method_definition': {
      const what = callbackAllowsAny(value);
      return what ? { node: value, what } : undefined;
    }
    case 'binary_expression': {
      // `process.env.CORS_ORIGIN || '*'`: configured, but every origin when the variable is missing.
      const right = value.childForFieldName('right');
      const op = value.childForFieldName('operator')?.text;
      return right && (op === '||' || op === '??') && stringValue(right) === '*'
        ? { node: value, what: 'falls back to every origin (`*`) when the setting is missing' }
        : undefined;
    }
    case 'identifier': {
      // `origin: corsOriginHandler`, defined in the same file.
      const fn = functionNamed(value);
      const what = fn ? callbackAllowsAny(fn) : undefined;
      return what ? { node: value, what } : undefined;
    }
    default:
      return isRequestOrigin(value) ? { node: value, what: ECHO } : undefined;
  }
}

/** The function a name is bound to in the file: `function h(…) {}` or `const h = (…) => {}`. */
function functionNamed(identifier: SyntaxNode): SyntaxNode | undefined {
  let root = identifier;
  while (root.parent) root = root.parent;
  for (const n of root.descendantsOfType(['function_declaration', 'variable_declarator'])) {
    if (n.type === 'function_declaration' && n.childForFieldName('name')?.text === identifier.text) return n;
    if (n.type === 'variable_declarator' && n.childForFieldName('name')?.text === identifier.text) {
      const value = n.childForFieldName('value');
      return value && ['arrow_function', 'function_expression', 'function'].includes(value.type) ? value : undefined;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// TypeScript: cors(), @fastify/cors, NestJS, response headers

/** Signs that an app authenticates browsers with cookies or sessions. */
const COOKIE_AUTH = /\b(cookie-parser|cookieParser|express-session|cookie-session|@fastify\/cookie|@fastify\/session|@fastify\/secure-session|req\.cookies|request\.cookies|res\.cookie\(|reply\.setCookie\(|passport\.session\(|iron-session|next-auth|cookies\(\))/;
/** The same, in Python web apps. */
const PY_COOKIE_AUTH = /\b(request\.COOKIES|request\.cookies|set_cookie\(|session\[|login_user\(|flask_login|SessionMiddleware|django\.contrib\.sessions)/;
/** `@koa/cors` and `koa2-cors` echo the request's origin by default. */
const ECHOING_CORS_PACKAGE = /['"](@koa\/cors|koa2-cors|koa-cors)['"]/;

function optionsOf(call: SyntaxNode, index: number): SyntaxNode | undefined {
  const arg = callArguments(call)[index];
  return arg?.type === 'object' ? arg : undefined;
}

/** An option's value: `origin: v`, shorthand `{ origin }`, or a method `origin(o, cb) { … }`. */
function optionValue(options: SyntaxNode | undefined, key: string): SyntaxNode | undefined {
  const method = options?.namedChildren.find((c) => c.type === 'method_definition' && c.childForFieldName('name')?.text === key);
  return method ?? objectProperty(options, key);
}

function isTrue(node: SyntaxNode | undefined): boolean {
  return node?.type === 'true';
}

/** `cors({...})`, `register(cors, {...})`, `enableCors({...})`: the options, checked. */
function checkCorsOptions(ctx: RuleContext, call: SyntaxNode, options: SyntaxNode | undefined, label: string): void {
  const credentials = isTrue(objectProperty(options, 'credentials'));
  const severity: Severity = credentials ? 'P0' : 'P1';
  const origin = optionValue(options, 'origin');
  if (origin) {
    const permissive = originAllowsAny(origin);
    if (permissive) report(ctx, permissive, severity, credentials);
    return;
  }
  if (options?.namedChildren.some((c) => c.type === 'spread_element')) return;
  // No origin option: the middleware's default, `*` (or the request's origin for Koa).
  const echoes = ECHOING_CORS_PACKAGE.test(ctx.file.source);
  if (credentials || echoes || COOKIE_AUTH.test(ctx.file.source)) {
    const what = echoes ? "echoes the request's origin, which allows every origin" : 'allows every origin';
    report(ctx, { node: call, subject: `${label} without an \`origin\` option`, what }, severity, credentials);
  }
}

function report(ctx: RuleContext, permissive: Permissive, severity: Severity, credentials: boolean): void {
  // `if DEBUG: CORS_ALLOW_ALL_ORIGINS = True`, `if (!isProd) app.use(cors({ origin: true }))`.
  if (inDevBranch(permissive.node)) return;
  const risk = credentials
    ? 'with credentials: any website a signed-in user visits can call this API as that user and read the answers.'
    : "any website can call this API from its visitors' browsers and read the answers.";
  ctx.report({ node: permissive.node, severity, message: `${permissive.subject ?? 'This CORS configuration'} ${permissive.what}, ${risk}` });
}

function checkTsCall(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const callee = calleeName(call) ?? '';
  const method = lastSegment(callee) ?? '';
  const args = callArguments(call);
  if (/^(cors|corsMiddleware)$/i.test(callee)) {
    checkCorsOptions(ctx, call, optionsOf(call, 0), '`cors()`');
  } else if (method === 'register' && args[0] && /cors/i.test(args[0].text)) {
    checkCorsOptions(ctx, call, optionsOf(call, 1), '`@fastify/cors`');
  } else if (method === 'enableCors') {
    checkCorsOptions(ctx, call, optionsOf(call, 0), '`enableCors()`');
  } else if (callee === 'NestFactory.create') {
    const cors = objectProperty(optionsOf(call, 1), 'cors');
    if (isTrue(cors)) checkCorsOptions(ctx, cors!, undefined, '`cors: true`');
    else if (cors?.type === 'object') checkCorsOptions(ctx, cors, cors, '`cors`');
  } else if (/^(setHeader|header|set|append)$/.test(method) && args.length >= 2 && ACAO.test(stringValue(args[0]) ?? '')) {
    checkHeaderValue(ctx, args[1]!);
  }
}

/** `'Access-Control-Allow-Origin': '*'` in a headers object (Next.js responses, `next.config` headers). */
function checkTsPair(match: RuleMatch, ctx: RuleContext): void {
  const key = match.captures.key!;
  if (!ACAO.test(stringValue(key) ?? key.text)) return;
  checkHeaderValue(ctx, match.captures.value!);
}

/** Whether the file also allows credentials by header. */
function allowsCredentialsByHeader(source: string): boolean {
  return /access-control-allow-credentials['"]?\]?\s*[,:=]\s*['"]?true/i.test(source) || /allow_credentials\s*=\s*True|supports_credentials\s*=\s*True/.test(source);
}

/** A response header value: `'*'`, the request's origin, or a variable holding it unchecked. */
function checkHeaderValue(ctx: RuleContext, header: SyntaxNode): void {
  const value = withoutEmptyFallback(header);
  const credentials = allowsCredentialsByHeader(ctx.file.source);
  const severity: Severity = credentials ? 'P0' : 'P1';
  if (stringValue(value) === '*') {
    // A hand-set `*` is how public endpoints (metadata, plans, assets) are meant to answer, and a
    // `*` behind a config check is a CORS implementation: only an app with cookie sessions is
    // exposed. Browsers refuse `*` with credentials, so it stays P1.
    if (isChecked(value, undefined) || !(COOKIE_AUTH.test(ctx.file.source) || PY_COOKIE_AUTH.test(ctx.file.source))) return;
    report(ctx, { node: value, what: 'sets `Access-Control-Allow-Origin: *` in an app that uses cookie sessions, which allows every origin' }, 'P1', false);
    return;
  }
  const echoed = isRequestOrigin(value) || (value.type === 'identifier' && boundToRequestOrigin(value));
  if (echoed && !isChecked(value, value.type === 'identifier' ? value.text : undefined)) {
    report(ctx, { node: value, what: ECHO }, severity, credentials);
  }
}

/** `req.headers.origin ?? ''`, `(origin as string)`: the value that is actually sent. */
function withoutEmptyFallback(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (;;) {
    if (['parenthesized_expression', 'as_expression', 'non_null_expression'].includes(n.type) && n.namedChild(0)) {
      n = n.namedChild(0)!;
    } else if ((n.type === 'binary_expression' || n.type === 'boolean_operator') && ['??', '||', 'or'].includes(n.childForFieldName('operator')?.text ?? '')) {
      const right = stringValue(n.childForFieldName('right'));
      if (right === undefined || right === '*') return n;
      n = n.childForFieldName('left')!;
    } else {
      return n;
    }
  }
}

/** `const origin = req.headers.origin` (or Python `origin = request.headers.get("Origin")`) in scope. */
function boundToRequestOrigin(identifier: SyntaxNode): boolean {
  let root = identifier;
  while (root.parent) root = root.parent;
  for (const n of descendants(root)) {
    if (n.startIndex >= identifier.startIndex) break;
    if (n.type === 'variable_declarator' && n.childForFieldName('name')?.text === identifier.text) {
      const init = n.childForFieldName('value');
      if (init && isRequestOrigin(init)) return true;
    }
    if (n.type === 'assignment' && n.childForFieldName('left')?.text === identifier.text) {
      const init = n.childForFieldName('right');
      if (init && isRequestOrigin(init)) return true;
    }
  }
  return false;
}

/** Whether the echo sits behind a check of the origin (`if (allowed.includes(origin))`). */
function isChecked(value: SyntaxNode, name: string | undefined): boolean {
  const mentions = (text: string): boolean => /origin/i.test(text) || (!!name && text.includes(name));
  for (let p = value.parent; p; p = p.parent) {
    if (['if_statement', 'ternary_expression', 'conditional_expression', 'elif_clause'].includes(p.type)) {
      const condition = p.childForFieldName('condition') ?? (p.type === 'conditional_expression' ? p.namedChild(1) : null);
      if (condition && mentions(condition.text) && !isPermissiveGuard(condition.text)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Python: Starlette/FastAPI CORSMiddleware, flask-cors, django-cors-headers, response headers

/** Settings files that only configure a developer's machine or the test run. */
const DEV_SETTINGS = /(^|[/_.-])(dev|development|local|test|testing|ci|e2e)\.py$|(^|\/)(local_settings|settings_(dev|local|test))\.py$/;

function pyList(node: SyntaxNode | undefined): SyntaxNode[] {
  return node && (node.type === 'list' || node.type === 'tuple' || node.type === 'set') ? node.namedChildren : [];
}

function pyTrue(node: SyntaxNode | undefined): boolean {
  return node?.type === 'true';
}

/** `add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)` and `Middleware(CORSMiddleware, …)`. */
function checkStarlette(ctx: RuleContext, call: SyntaxNode): void {
  const credentials = pyTrue(keywordArgument(call, 'allow_credentials'));
  const severity: Severity = credentials ? 'P0' : 'P1';
  const origins = keywordArgument(call, 'allow_origins');
  const star = pyList(origins).find((o) => stringValue(o) === '*');
  if (star) {
    // With credentials, Starlette answers with the request's origin instead of `*`.
    report(ctx, { node: star, what: credentials ? "allows every origin (`*`), and with credentials Starlette echoes the request's origin" : ANY }, severity, credentials);
    return;
  }
  const regex = keywordArgument(call, 'allow_origin_regex');
  const pattern = stringValue(regex);
  if (regex && pattern !== undefined && regexAllowsAny(pattern, '', 'full')) {
    report(ctx, { node: regex, what: `accepts any origin with the pattern \`${pattern}\`` }, severity, credentials);
  }
}

/** flask-cors `CORS(app, …)` / `@cross_origin(…)`: origins default to `*`. */
function checkFlaskCors(ctx: RuleContext, call: SyntaxNode, decorator: boolean): void {
  const credentials = pyTrue(keywordArgument(call, 'supports_credentials'));
  const severity: Severity = credentials ? 'P0' : 'P1';
  const origins = keywordArgument(call, 'origins') ?? keywordArgument(call, 'origin');
  const resources = keywordArgument(call, 'resources');
  if (origins) {
    const star = stringValue(origins) === '*' ? origins : pyList(origins).find((o) => stringValue(o) === '*');
    if (star) report(ctx, { node: star, what: ANY }, severity, credentials);
    return;
  }
  if (resources) {
    for (const pair of resources.type === 'dictionary' ? resources.namedChildren : []) {
      const options = pair.childForFieldName('value');
      const inner = options?.type === 'dictionary' ? options.namedChildren.find((p) => stringValue(p.childForFieldName('key')) === 'origins') : undefined;
      const value = inner?.childForFieldName('value');
      const star = value && (stringValue(value) === '*' ? value : pyList(value).find((o) => stringValue(o) === '*'));
      if (star) report(ctx, { node: star, what: ANY }, severity, credentials);
    }
    return;
  }
  if (decorator && !credentials) return;
  if (credentials || PY_COOKIE_AUTH.test(ctx.file.source)) {
    report(ctx, { node: call, subject: `\`${ctx.text(call.childForFieldName('function')!)}()\` without \`origins\``, what: 'allows every origin' }, severity, credentials);
  }
}

function checkPyCall(match: RuleMatch, ctx: RuleContext): void {
  const call = match.captures.call!;
  const callee = calleeName(call) ?? '';
  const method = lastSegment(callee) ?? '';
  const first = callArguments(call)[0];
  if ((method === 'add_middleware' || method === 'Middleware') && first?.text.endsWith('CORSMiddleware')) {
    checkStarlette(ctx, call);
  } else if (callee === 'CORS' || callee === 'flask_cors.CORS') {
    checkFlaskCors(ctx, call, false);
  } else if (callee === 'cross_origin') {
    checkFlaskCors(ctx, call, call.parent?.type === 'decorator');
  }
}

/** Django settings `CORS_ALLOW_ALL_ORIGINS = True`, origin regexes; `response["Access-Control-Allow-Origin"] = …`. */
const DJANGO_CORS_SETTINGS = new Set(['CORS_ALLOW_ALL_ORIGINS', 'CORS_ORIGIN_ALLOW_ALL', 'CORS_ALLOWED_ORIGIN_REGEXES', 'CORS_ORIGIN_REGEX_WHITELIST']);

function checkPyAssignment(match: RuleMatch, ctx: RuleContext): void {
  const target = match.captures.target!;
  const value = match.captures.value!;
  if (target.type === 'identifier') {
    // Name first: this runs for every assignment of every Python file, the file scan only for CORS settings.
    if (!DJANGO_CORS_SETTINGS.has(target.text)) return;
    if (DEV_SETTINGS.test(ctx.file.path)) return;
    const credentials = /^\s*CORS_ALLOW_CREDENTIALS\s*=\s*True/m.test(ctx.file.source);
    const severity: Severity = credentials ? 'P0' : 'P1';
    if ((target.text === 'CORS_ALLOW_ALL_ORIGINS' || target.text === 'CORS_ORIGIN_ALLOW_ALL') && pyTrue(value)) {
      report(ctx, { node: value, what: `allows every origin (\`${target.text} = True\`)` }, severity, credentials);
    } else if (target.text === 'CORS_ALLOWED_ORIGIN_REGEXES' || target.text === 'CORS_ORIGIN_REGEX_WHITELIST') {
      const permissive = pyList(value).find((r) => {
        const pattern = stringValue(r);
        return pattern !== undefined && regexAllowsAny(pattern, '', 'start');
      });
      if (permissive) report(ctx, { node: permissive, what: `accepts any origin with the pattern \`${stringValue(permissive)}\`` }, severity, credentials);
    }
    return;
  }
  if (target.type === 'subscript' && ACAO.test(stringValue(target.childForFieldName('subscript')) ?? '')) {
    checkHeaderValue(ctx, value);
  }
}

function checkPyPair(match: RuleMatch, ctx: RuleContext): void {
  if (!ACAO.test(stringValue(match.captures.key) ?? '')) return;
  checkHeaderValue(ctx, match.captures.value!);
}

const rule: Rule = {
  meta: {
    id: 'cors-permissive',
    title: 'CORS allows any origin',
    severity: 'P1',
    category: 'Security',
    languages: ['ts', 'py'],
    docs: {
      why: "CORS decides which other websites may call your API from a user's browser and read the answer. Allowing every origin (`*`, `origin: true`, a catch-all regex, echoing the `Origin` header) lets any page do it; with credentials allowed, that page acts as the signed-in user.",
      fix: 'Allow a fixed list of origins read from config (`origin: config.corsOrigins`, `allow_origins=settings.CORS_ORIGINS`, `CORS_ALLOWED_ORIGINS`) and reject the rest. Only enable credentials for those origins.',
      example: {
        bad: "app.use(cors({ origin: true, credentials: true }));",
        good: "app.use(cors({ origin: config.corsOrigins, credentials: true })); // ['https://app.acme.io']",
      },
    },
  },
  // Every finding comes from a `cors`/`CORS`/`corsMiddleware`/`enableCors` call, `register(cors…)`,
  // a NestJS `cors` option, a CORSMiddleware, a Django `CORS_*` setting, flask-cors
  // `cross_origin`, or an `Access-Control-Allow-Origin` header (matched whole, as a string).
  requires: ['cors', 'cross_origin', 'access-control-allow-origin'],
  // `(call arguments: …)` is every call, written as other rules write it so the engine matches it once for all.
  ts: {
    // The pair's @pair is not used: it makes the pattern long-lived-token's, matched once for both.
    query: `
${TS_CALL} @call
(pair key: [(string) (property_identifier)] @key value: (_) @value) @pair
`,
    onMatch(match, ctx) {
      if (match.captures.call) {
        if (hasArgumentList(match.captures)) checkTsCall(match, ctx);
      } else checkTsPair(match, ctx);
    },
  },
  py: {
    // The assignment and pair patterns are long-lived-token's (hence the unused @assign and @pair,
    // and attribute targets matched and dropped here), so the engine matches each once for both.
    query: `
${PY_CALL} @call
(assignment left: [(identifier) (attribute) (subscript)] @target right: (_) @value) @assign
(pair key: (string) @key value: (_) @value) @pair
`,
    onMatch(match, ctx) {
      if (match.captures.call) {
        if (hasArgumentList(match.captures)) checkPyCall(match, ctx);
      } else if (match.captures.target) {
        if (match.captures.target.type !== 'attribute') checkPyAssignment(match, ctx);
      } else checkPyPair(match, ctx);
    },
  },
};

export default rule;
