import { ancestor, callArguments, calleeName, dottedName, enclosingFunction, isNamedCall, keywordArgument, lastSegment, PY_CALL, stringValue, valueName } from '../support/syntax.js';
import { words } from '../support/names.js';
import { isTenantIdName, tenantVocabulary, type TenantVocabulary } from '../support/tenant.js';
import type { Rule, RuleContext, RuleMatch, RuleOptions, SyntaxNode } from '../../src/engine/types.js';
import { fileMentions } from '../support/file-hints.js';

/**
 * A tenant id that falls back to a shared constant: `tenantId ?? '_global'`, `org_id or
 * DEFAULT_ORG_ID`, `getattr(request, "org_id", DEFAULT_ORG)`, `orgId = 'default'` as a parameter
 * default, a resolver that returns a default org when the request carries none. Every request
 * that lost its tenant (a missing header, an expired session, a background job) then reads and
 * writes one shared tenant's rows: the data of everyone who fell through is mixed together.
 */

/** Fallback literals that match no tenant, so nothing is shared: `'unknown'`, `'none'`, `''`. */
const INERT_LITERAL = /^(|unknown|none|null|undefined|n\/a|na|-|anonymous|anon|missing|unset|\?|<none>|\(none\)|common|organizations|consumers)$/i;
/** Names of shared constants: `DEFAULT_ORG_ID`, `config.defaultTenant`, `getGlobalTenant()`. */
const SHARED_NAME = /default|global|shared|fallback|public|system|root|main|primary|master|common/i;
/** Calls whose arguments are labels, not data access: logs, metrics, traces, error reporting. */
const TELEMETRY_CALL = /(^|\.)(console|log|logger|_log|_logger|logging|metrics?|statsd|span|tracer|Sentry|sentry_sdk|posthog|analytics)\.|(^|\.)(setTag|setTags|setAttribute|setAttributes|setContext|setUser|captureException|captureMessage|labels|tag|gauge|increment|histogram|observe|debug|info|warn|warning)$/;

function isEnvLookup(node: SyntaxNode): boolean {
  const t = node.text;
  return /^process\.env\b|^import\.meta\.env\b|^os\.environ\b|^os\.getenv\(|^env\(|^config\(\s*['"]/.test(t);
}

/** Library and deployment options (`options.tenantId ?? 'common'` for an Azure AD provider) are configuration, not a request. */
function isConfiguration(node: SyntaxNode): boolean {
  return /^(this\.)?(options|opts|config|cfg|settings|props|providerOptions|clientOptions|defaults)\./.test(node.text);
}

/** The name a tenant-carrying value is read under: identifier, property, header/dict key, getattr name. */
function tenantNameOf(node: SyntaxNode): string | undefined {
  const name = valueName(node);
  if (name !== undefined) return name;
  switch (node.type) {
    case 'optional_chain':
    case 'non_null_expression':
    case 'parenthesized_expression':
    case 'await_expression':
      return node.namedChild(0) ? tenantNameOf(node.namedChild(0)!) : undefined;
    case 'call_expression':
    case 'call': {
      // req.header('x-tenant-id'), request.headers.get('X-Org-Id'), searchParams.get('org'), getattr(request, 'org_id')
      const fn = node.childForFieldName('function');
      const callee = calleeName(node) ?? '';
      const args = callArguments(node);
      const method = fn?.type === 'member_expression' || fn?.type === 'attribute' ? fn.childForFieldName(fn.type === 'attribute' ? 'attribute' : 'property')?.text : lastSegment(callee);
      if (callee === 'getattr') return stringValue(args[1]);
      if (method && ['get', 'header', 'getHeader', 'param', 'cookie', 'getAll'].includes(method)) return stringValue(args[0]);
      // getTenantId(req), currentOrgId()
      return method;
    }
    default:
      return undefined;
  }
}

/** What shared tenant the fallback names, or undefined when it names none (null, '', a runtime value). */
function sharedConstant(node: SyntaxNode): string | undefined {
  const literal = stringValue(node);
  if (literal !== undefined) return INERT_LITERAL.test(literal.trim()) ? undefined : `'${literal}'`;
  switch (node.type) {
    case 'number':
    case 'integer':
      return node.text;
    case 'identifier':
      return /^[A-Z][A-Z0-9_]+$/.test(node.text) || SHARED_NAME.test(node.text) ? node.text : undefined;
    case 'member_expression':
    case 'attribute': {
      const name = dottedName(node);
      if (!name || isEnvLookup(node)) return undefined;
      const last = lastSegment(name)!;
      return SHARED_NAME.test(last) || /^[A-Z][A-Z0-9_]+$/.test(last) ? name : undefined;
    }
    case 'call_expression':
    case 'call': {
      // getDefaultOrg(), Organization.objects.get(slug="default")
      const callee = calleeName(node) ?? '';
      if (SHARED_NAME.test(lastSegment(callee) ?? '')) return `${callee}()`;
      const named = callArguments(node).map((a) => stringValue(a.type === 'keyword_argument' ? a.childForFieldName('value') : a));
      return named.some((s) => s !== undefined && /^_?(default|global|shared|public|main|system)$/i.test(s)) ? node.text : undefined;
    }
    case 'parenthesized_expression':
    case 'await_expression':
      return node.namedChild(0) ? sharedConstant(node.namedChild(0)!) : undefined;
    default:
      return undefined;
  }
}

function inTelemetry(node: SyntaxNode): boolean {
  for (let p = node.parent, depth = 0; p && depth < 6; p = p.parent, depth++) {
    if ((p.type === 'call_expression' || p.type === 'call') && TELEMETRY_CALL.test(calleeName(p) ?? '')) return true;
    if (p.type === 'statement_block' || p.type === 'block') break;
  }
  return false;
}

function report(ctx: RuleContext, node: SyntaxNode, tenant: string, shared: string): void {
  ctx.report({
    node,
    message: `\`${tenant}\` falls back to the shared tenant ${shared}: a request that arrives without a tenant reads and writes that tenant's data instead of being rejected.`,
  });
}

/** `tenantId ?? '_global'`, `org_id or DEFAULT_ORG_ID`, `orgId = 'default'`. */
function checkFallback(ctx: RuleContext, whole: SyntaxNode, left: SyntaxNode, right: SyntaxNode, v: TenantVocabulary): void {
  const name = tenantNameOf(left);
  if (!name || !isTenantIdName(name, v)) return;
  if (isEnvLookup(left) || inTelemetry(whole) || isConfiguration(left)) return;
  const shared = sharedConstant(right);
  if (!shared) return;
  report(ctx, whole, left.text.length > 60 ? name : left.text, shared);
}

const RESOLVER_NAME = /^(get|resolve|current|extract|find|lookup|load|determine|read)_?(current_?|active_?|request_?)?(tenant|org|organi[sz]ation|workspace)(_?(id|slug|key))?(_?(from|for)_?\w*)?$/i;

/**
 * RESOLVER_NAME without its anchors and optional tails: a resolver's name is written in the file,
 * so a file without this text has none, and its return statements need no walk to their function.
 */
const RESOLVER_TEXT = /(get|resolve|current|extract|find|lookup|load|determine|read)_?(current_?|active_?|request_?)?(tenant|org|organi[sz]ation|workspace)/i;

/** A tenant resolver (`getTenantId(req)`, `def current_org(request)`) that returns a shared tenant. */
function checkResolverReturn(ctx: RuleContext, ret: SyntaxNode, value: SyntaxNode): void {
  if (!fileMentions(ctx, RESOLVER_TEXT)) return;
  const fn = enclosingFunction(ret);
  if (!fn) return;
  let name = fn.childForFieldName('name')?.text;
  if (!name && fn.parent?.type === 'variable_declarator') name = fn.parent.childForFieldName('name')?.text;
  if (!name || !RESOLVER_NAME.test(name)) return;
  const shared = sharedConstant(value);
  if (!shared) return;
  ctx.report({
    node: ret,
    message: `\`${name}\` returns the shared tenant ${shared} when the request carries none: callers then read and write that tenant's data instead of rejecting the request.`,
  });
}

/** Equal source text, compared by length first: a ternary's branch can be a large JSX tree, and reading its text is a copy. */
function sameText(a: SyntaxNode, b: SyntaxNode): boolean {
  return a.endIndex - a.startIndex === b.endIndex - b.startIndex && a.text === b.text;
}

function checkTs(match: RuleMatch, ctx: RuleContext): void {
  const v = tenantVocabulary(ctx.options.tenantKeys);
  const { fallback, left, right, ret, value, cond, then, otherwise } = match.captures;
  if (fallback && left && right) {
    if (fallback.type === 'binary_expression') {
      const op = fallback.childForFieldName('operator')?.text;
      if (op !== '??' && op !== '||') return;
    }
    checkFallback(ctx, fallback, left, right, v);
  } else if (ret && value) {
    checkResolverReturn(ctx, ret, value);
  } else if (fallback && cond && then && otherwise) {
    // orgId ? orgId : 'default'
    if (sameText(cond, then)) checkFallback(ctx, fallback, then, otherwise, v);
  }
}

function checkPy(match: RuleMatch, ctx: RuleContext): void {
  const v = tenantVocabulary(ctx.options.tenantKeys);
  const { fallback, left, right, ret, value, call } = match.captures;
  if (fallback && left && right) {
    if (fallback.type === 'boolean_operator' && fallback.childForFieldName('operator')?.text !== 'or') return;
    checkFallback(ctx, fallback, left, right, v);
  } else if (fallback && fallback.type === 'conditional_expression') {
    // org_id if org_id else DEFAULT_ORG
    const [then, cond, otherwise] = fallback.namedChildren;
    if (then && cond && otherwise && sameText(then, cond)) checkFallback(ctx, fallback, then, otherwise, v);
  } else if (ret && value) {
    checkResolverReturn(ctx, ret, value);
  } else if (call && isNamedCall(match.captures)) {
    checkPyLookupDefault(ctx, call, v);
  }
}

/** Field constructors whose `default=` checkPyLookupDefault reads. */
const FIELD_CALL = /(ForeignKey|Column|mapped_column|Field|CharField|IntegerField|UUIDField)$/;

/** `getattr(request, "org_id", DEFAULT_ORG)`, `request.headers.get("X-Tenant-ID", "default")`, `ForeignKey(Org, default=1)`. */
function checkPyLookupDefault(ctx: RuleContext, call: SyntaxNode, v: TenantVocabulary): void {
  // The callee's last name first (one field, no dotted name or argument list built): it is the
  // method below whenever the dotted name exists, and most calls are none of these.
  const fn = call.childForFieldName('function');
  const last = fn?.type === 'identifier' ? fn.text : fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  if (!last || (last !== 'getattr' && last !== 'get' && last !== 'pop' && !FIELD_CALL.test(last))) return;
  const callee = calleeName(call) ?? '';
  const args = callArguments(call).filter((a) => a.type !== 'keyword_argument');
  const method = lastSegment(callee);
  let key: string | undefined;
  let fallback: SyntaxNode | undefined;
  if (callee === 'getattr' && args.length === 3) {
    key = stringValue(args[1]);
    fallback = args[2];
  } else if ((method === 'get' || method === 'pop') && args.length === 2 && !/^os\.environ|^os\.getenv|environ$/.test(callee)) {
    key = stringValue(args[0]);
    fallback = args[1];
  } else if (FIELD_CALL.test(method ?? '')) {
    // org = models.ForeignKey(Org, default=1) / org_id = Column(String, default="default")
    const assigned = ancestor(call, ['assignment'], ['block']);
    const target = assigned?.childForFieldName('left');
    const dflt = keywordArgument(call, 'default') ?? keywordArgument(call, 'server_default');
    if (target?.type === 'identifier' && dflt && ancestor(call, ['class_definition'], ['function_definition'])) {
      key = target.text;
      fallback = dflt;
    }
  }
  if (!key || !fallback || !isTenantIdName(key, v) || inTelemetry(call)) return;
  const shared = sharedConstant(fallback);
  if (!shared) return;
  report(ctx, call, key, shared);
}

/** The id words isTenantIdName and tenantVocabulary() read after a tenant stem. */
const ID_WORDS = new Set(['id', 'pk', 'uuid', 'key', 'slug', 'schema', 'code']);
/** A one-word key that ends in an id word: `accountid` configured, `account_id` written in code. */
const JOINED_ID = /^(.{3,}?)(id|pk|uuid|key|slug|schema|code)$/;

/**
 * Words of the configured tenant keys that a name matching one of them spells out in the file.
 * isTenantIdName accepts a name whose words, joined, are a key (`account_id`, `accountId` for the
 * key `accountId`) or whose words hold a key's stem (`accountid`, `account`): either way the name
 * contains every word of the key, unless it splits one of them differently, and a one-word key
 * (`accountid`) is split before its id word, which code writes apart. The id words themselves
 * (`id`, `key`) are left out while another word remains: they occur in nearly every file.
 * Every word returned is a substring of a word of the key, so splitting only ever admits more.
 */
function tenantKeyWords(options: RuleOptions): string[] {
  const out = new Set<string>();
  for (const key of options.tenantKeys) {
    let ws = words(key);
    const joined = ws.length === 1 ? JOINED_ID.exec(ws[0]!) : null;
    if (joined) ws = [joined[1]!, joined[2]!];
    const named = ws.filter((w) => !ID_WORDS.has(w));
    const long = named.filter((w) => w.length >= 3);
    for (const w of long.length ? long : named.length ? named : ws) out.add(w);
  }
  return [...out];
}

const rule: Rule = {
  meta: {
    id: 'global-tenant-fallback',
    title: 'Tenant id falls back to a shared tenant',
    severity: 'P0',
    category: 'Tenant isolation',
    languages: ['ts', 'py', 'prisma'],
    docs: {
      why: 'When the tenant cannot be resolved (a missing header, an expired session, a job enqueued without it), the code silently uses one shared tenant. Every such request then reads and writes the same rows, so one customer sees, and overwrites, what another customer wrote.',
      fix: 'Treat a missing tenant as an error: reject the request (401/403/400) or fail the job. If some data really is global, keep it in tables without a tenant column instead of a pseudo-tenant.',
      example: {
        bad: "const tenantId = req.header('x-tenant-id') ?? '_global';\nconst docs = await prisma.document.findMany({ where: { tenantId } });",
        good: "const tenantId = req.header('x-tenant-id');\nif (!tenantId) return res.status(400).json({ error: 'missing tenant' });\nconst docs = await prisma.document.findMany({ where: { tenantId } });",
      },
    },
  },
  // Every finding names the tenant: a value, key, column or resolver whose words isTenantIdName
  // or RESOLVER_NAME accept, i.e. one holding a built-in stem (tenant, org/organization/
  // organisation, workspace) or a configured key (tenantKeyWords). Names are read raw from the
  // file (identifiers, string keys, Prisma columns), so the word is in it. The same words hold in
  // TS, Python and schema.prisma.
  requires: ['tenant', 'org', 'workspace'],
  requiresFromOptions: tenantKeyWords,
  ts: {
    query: `
(binary_expression left: (_) @left right: (_) @right) @fallback
(required_parameter pattern: (identifier) @left value: (_) @right) @fallback
(object_assignment_pattern left: (shorthand_property_identifier_pattern) @left right: (_) @right) @fallback
(public_field_definition name: (property_identifier) @left value: (_) @right) @fallback
(ternary_expression condition: (_) @cond consequence: (_) @then alternative: (_) @otherwise) @fallback
(return_statement (_) @value) @ret
`,
    onMatch: checkTs,
  },
  py: {
    query: `
(boolean_operator left: (_) @left right: (_) @right) @fallback
(default_parameter name: (identifier) @left value: (_) @right) @fallback
(typed_default_parameter name: (identifier) @left value: (_) @right) @fallback
(class_definition body: (block (expression_statement (assignment left: (identifier) @left type: (type) right: (_) @right) @fallback)))
(conditional_expression) @fallback
(return_statement (_) @value) @ret
${PY_CALL} @call
`,
    onMatch: checkPy,
  },
  checkText(ctx) {
    // schema.prisma: `orgId String @default("default")` gives every row created without a tenant the shared one.
    if (ctx.file.language !== 'prisma') return;
    const v = tenantVocabulary(ctx.options.tenantKeys);
    for (let n = 1; n <= ctx.file.lineCount; n++) {
      const m = /^\s*(\w+)\s+\w+\??\s.*@default\(\s*("([^"]*)"|\d+)\s*\)/.exec(ctx.file.line(n));
      if (!m || !isTenantIdName(m[1]!, v)) continue;
      const value = m[3] ?? m[2]!;
      if (INERT_LITERAL.test(value)) continue;
      ctx.report({
        lines: { start: n, end: n },
        message: `\`${m[1]}\` defaults to the shared tenant ${m[2]}: a row created without a tenant silently joins that tenant's data.`,
      });
    }
  },
};

export default rule;
