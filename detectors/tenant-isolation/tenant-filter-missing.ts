import picomatch from 'picomatch';
import { callArguments, calleeName, dottedName, enclosingFunction, hasArgumentList, isNamedCall, lastSegment, PY_CALL, stringValue, TS_METHOD_CALL } from '../support/syntax.js';
import { isSqlStatement, sqlPieces } from '../support/sql.js';
import {
  filtersByTenant,
  isBatchPath,
  isMigrationPath,
  isStaffPath,
  isTenantField,
  modelKey,
  pascal,
  scopedPrismaModels,
  scopedSqlTables,
  scopedTablesInCode,
  tenantVocabulary,
  writtenKey,
  type TenantVocabulary,
} from '../support/tenant.js';
import type { FactsView, Rule, RuleContext, RuleMatch, SyntaxNode, Tree } from '../../src/engine/types.js';

/**
 * A query on a tenant-scoped model whose filter lacks the tenant key. A model is tenant-scoped
 * when config lists it (`tenantModels`), when its definition in the PR has a tenant column
 * (schema.prisma, SQLAlchemy/Django models, TypeORM entities, CREATE TABLE, knex/alembic/Drizzle
 * tables), or when another query in the PR filters it by a tenant key. Evidence from any file
 * counts: it is recorded as facts and the findings are settled once every file is read.
 *
 * Left alone: lookups by id followed by an ownership check, filters through a relation that is
 * itself filtered by tenant, lookups by a secret or an external id (tokens, Stripe ids), rows
 * owned by the signed-in user, queries through a tenant-scoped manager/client, migrations,
 * seeds, Django admin, configured `crossTenantPaths`, and batch code (jobs, scripts) that has no
 * tenant in hand.
 */

const ID = 'tenant-filter-missing';
const SCOPED = `${ID}:scoped`;
const KEY = `${ID}:key`;
/** Code of the PR resolves the caller's tenant: the codebase is multi-tenant, not merely about organisations. */
const PLUMBING = `${ID}:plumbing`;

/** Every alternative of TENANT_PLUMBING names one of these (it ignores case too): a cheap test first. */
const PLUMBING_WORDS = /org|tenant|workspace|account|firm|company|team/i;

/**
 * The same, as the per-file gate's words: what each alternative of TENANT_PLUMBING spells out.
 * `req.org…`, `user.tenantId`, `ctx.team`: a dot before the word; `OrgContext`,
 * `getCurrentOrg`/`current_org`, `requireOrg`, `useOrganization`, `getOrgId`, `'x-org-id'`,
 * `@OrgId(`; everything with tenant or workspace in it.
 */
const PLUMBING_GATE = [
  'tenant', 'workspace', '.org', '.account', '.firm', '.company', '.team', 'orgcontext', 'organizationcontext', 'currentorg', 'current_org',
  'requireorg', 'require_org', 'useorganization', 'getorgid', 'get_org_id', 'x-org-id', 'x-organization-id', 'x-account-id', '@orgid',
];

/**
 * The caller's tenant read from the request, the session or a tenant context: `req.user.orgId`,
 * `request.user.organization`, `session.user.tenantId`, `TenantContext.getTenantId()`,
 * `request.tenant`, `g.org_id`, an `x-tenant-id` header, a `@CurrentTenant()` parameter. A
 * clubs app whose events belong to an "organization" has none of this and is not multi-tenant.
 */
const TENANT_PLUMBING =
  /\b(req|request|ctx|context|session|self\.request|info\.context|g|auth|locals|event\.locals|c\.var|c\.get\(['"]user['"]\))\.(user\.|auth\.|session\.user\.|currentUser\.)?(org|organization|organisation|tenant|workspace|account|firm|company|team)(_?id|Id|_?slug|Slug)?\b|\b(user|currentUser|current_user|session\.user|auth\.user|me|viewer|principal)\.(org|organization|organisation|tenant|workspace|firm|company)(_?id|Id)\b|\b(Tenant|Org|Organization|Workspace)Context\b|\b(get_?current_?(tenant|org|organization|workspace)|getCurrent(Tenant|Org|Organization|Workspace)|current_?(tenant|org|organization|workspace)|requireOrg|require_org|useOrganization|getTenantId|get_tenant_id|getOrgId|get_org_id|tenantDb|forTenant|withTenant|set_current_tenant|connection\.set_tenant|TenantMiddleware|tenant_middleware)\b|['"]x-(tenant|org|organization|workspace|account)-id['"]|@(CurrentTenant|Tenant|TenantId|CurrentOrg|OrgId)\(/i;

interface Filter {
  /** The field filtered on, as written: `orgId`, `org__slug`, `invoices.org_id`. */
  readonly key: string;
  readonly value?: SyntaxNode;
}

type Operation = 'read' | 'write';

interface Candidate {
  /** The node the finding sits on: the query call (absent for a statement of a .sql file). */
  readonly node?: SyntaxNode;
  /** For a .sql file: the statement's lines and text. */
  readonly lines?: { readonly start: number; readonly end: number; readonly text: string };
  /** How the code names the query: `prisma.invoice.findMany`, `Invoice.objects.filter`. */
  readonly label: string;
  /** How the model is named for the reader: `Invoice`, `invoices`. */
  readonly model: string;
  readonly kind: 'model' | 'table';
  /** Naming style of the ORM, for the key named in the message. */
  readonly style: 'camel' | 'snake';
  /** What the query filters on; undefined when it cannot be read (a spread, a variable). */
  readonly filters: readonly Filter[] | undefined;
  readonly operation: Operation;
  /** The expression whose value is the rows, to find the statement that holds them. */
  readonly result?: SyntaxNode;
}

// ---------------------------------------------------------------------------------------------
// Evidence

function recordScoped(ctx: RuleContext, model: string, field: string): void {
  const key = modelKey(model);
  ctx.facts.add(SCOPED, key);
  ctx.facts.add(KEY, `${key}\0${field}`);
}

/** The tenant field a filter key filters by: `org` for `org__slug`, `orgId` for `id_orgId`, `org_id` for `i.org_id`. */
function tenantFieldOf(key: string, v: TenantVocabulary): string {
  const bare = key.slice(key.lastIndexOf('.') + 1);
  for (const seg of [bare, ...bare.split('__'), ...bare.split('_')]) if (isTenantField(seg, v)) return seg;
  return bare;
}

function filterKeyIsTenant(key: string, v: TenantVocabulary): boolean {
  return filtersByTenant(key.slice(key.lastIndexOf('.') + 1).replace(/["`]/g, ''), v);
}

// ---------------------------------------------------------------------------------------------
// Clean look-alikes

const ID_KEYS = /^(id|pk|uuid|_id|public_?id|publicId|slug|key|handle)$/i;
/** Lookups authenticated by a secret or keyed by another system's id: the row itself names the tenant. */
const CAPABILITY_KEY =
  /(^|_|[a-z])(token|Token|hash|Hash|secret|Secret)(_?[a-zA-Z]*)?$|^(code|otp|nonce|api_?key|apiKey|key_?prefix|keyPrefix|session_?key|sessionKey|invite_?code|inviteCode|verification_?code|email_?verification\w*)$|^(stripe|external|provider|paddle|clerk|auth0|github|google|slack|lemon|svix|twilio|shopify|hubspot|salesforce|intercom|paypal)[A-Z_]\w*$|(external|provider|stripe)_?[iI]d$/;
const USER_MODELS = new Set(['user', 'account', 'member', 'person', 'profile', 'identity', 'login', 'admin', 'staff', 'authuser', 'customuser', 'useraccount']);
const IDENTITY_KEYS = new Set(['email', 'username', 'login', 'phone', 'handle', 'emailaddress', 'normalizedemail', 'emaillower']);
/** Values that are the signed-in principal: rows the user owns are within their tenant. */
const PRINCIPAL = /\b(req|request|ctx|context|session|auth|self\.request|info\.context|event\.locals|locals)\.(user|auth|session|currentUser|principal|viewer)\b|\bcurrent_?user\b|\bcurrentUser\b|\bg\.user\b|\bviewer\b|\bauth\(\)|getServerSession|\buser\.id\b|\buser\.pk\b|\buser_id\s*=\s*user\.id/;
/** Objects that hold request input, not loaded rows. */
const REQUEST_DATA = /^(req|request|params|query|body|input|args|data|dto|payload|event|ctx|context|form|values|kwargs|options|opts|filters|self)$/;
/** Calls that check access to a row or an id. */
const GUARD = /\b(assert|ensure|check|verify|authori[sz]e|require|can|guard|validate|enforce|forbid|deny)\w*\s*\(|\b(has_?(access|permission|perm)|belongs_?to|is_?member|isMember|isOwner|is_owner|check_object_permissions|get_object_or_404|PermissionDenied|Forbidden|Http404)\b|status(_code)?\s*[:=]\s*403\b|HTTP_403/i;
/** Owner fields: comparing the row's owner to the signed-in user is an ownership check too. */
const OWNER_FIELD = /^(user_?id|userId|owner_?id|ownerId|created_?by(_?id)?|createdBy(Id)?|author_?id|authorId|user|owner|member_?id|memberId)$/;
/** Calls into a tenant-scoped client/manager/repository: `tenantDb(orgId)`, `forOrg(org)`, `Invoice.objects.for_org(org)`. */
const SCOPED_ACCESSOR = /(tenant|org|organi[sz]ation|workspace|account|firm|scoped|scope|for_?user|owned|visible|accessible|permitted|authori[sz]ed|restricted)/i;
const TASK_DECORATOR = /@(shared_task|\w+\.task|task|periodic_task|celery\.task|dramatiq\.actor|actor|job|cron|scheduled|Cron|Interval|Timeout|Process|Processor)\b/;
const WORKER_CALL = /(^|\.)(Worker|process|schedule|cron|every|define|on)$/;

/** The statements around the query, in order, at every block level up to the function body. */
function surroundingStatements(node: SyntaxNode): { before: SyntaxNode[]; after: SyntaxNode[]; own: SyntaxNode } {
  const fn = enclosingFunction(node);
  const before: SyntaxNode[] = [];
  const after: SyntaxNode[] = [];
  let own = node;
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (p.type === 'statement_block' || p.type === 'block' || p.type === 'program' || p.type === 'module' || p.type === 'switch_body' || p.type === 'class_body') {
      if (own === node) own = child;
      for (const s of p.namedChildren) {
        if (s.endIndex <= child.startIndex) before.push(s);
        else if (s.startIndex >= child.endIndex) after.push(s);
      }
    }
    if (p === fn) break;
  }
  return { before, after, own };
}

function tenantTokenIn(text: string, v: TenantVocabulary): boolean {
  for (const m of text.matchAll(/[A-Za-z_][\w]*/g)) if (isTenantField(m[0], v)) return true;
  return false;
}

/** The name the rows are held under: `const invoice = await …`, `invoice = …`. */
function resultName(result: SyntaxNode): string | undefined {
  let n: SyntaxNode | null = result;
  for (let i = 0; n && i < 8; i++, n = n.parent) {
    if (n.type === 'variable_declarator') {
      const name = n.childForFieldName('name');
      return name?.type === 'identifier' ? name.text : undefined;
    }
    if (n.type === 'assignment' || n.type === 'assignment_expression') {
      const left = n.childForFieldName('left');
      return left?.type === 'identifier' ? left.text : undefined;
    }
    if (['expression_statement', 'return_statement', 'statement_block', 'block', 'arrow_function', 'lambda'].includes(n.type)) return undefined;
  }
  return undefined;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Identifiers the filter values are read from: `id`, `projectId`, `req.params.id` → ["id", "projectId", "req.params.id"]. */
function valueTexts(filters: readonly Filter[]): string[] {
  const out = new Set<string>();
  for (const f of filters) {
    if (!f.value) {
      out.add(f.key);
      continue;
    }
    const t = f.value.text;
    if (/^[\w.$]+$/.test(t)) {
      out.add(t);
      out.add(t.slice(t.lastIndexOf('.') + 1));
    }
  }
  return [...out].filter((t) => t.length > 1 && !/^(true|false|null|None|undefined)$/.test(t));
}

/**
 * The row was checked after it was loaded (`if (invoice.orgId !== orgId) throw`,
 * `self.check_object_permissions(request, obj)`), or the id was checked before it was used
 * (`const project = await prisma.project.findFirst({ where: { id: projectId, orgId } })`,
 * `await assertProjectAccess(projectId, user)`).
 */
function isCheckedAround(c: Candidate, filters: readonly Filter[], v: TenantVocabulary): boolean {
  if (!c.node || !c.result) return false;
  const { before, after, own } = surroundingStatements(c.node);
  const name = resultName(c.result);
  if (name) {
    if (checksRow(name, after, v)) return true;
    // `return invoice.orgId === orgId ? invoice : null` on the same statement's tail
    if (own.type !== 'expression_statement' && own !== c.node && tenantTokenIn(own.text.slice(c.node.endIndex - own.startIndex), v)) return true;
  }
  const values = valueTexts(filters);
  if (values.length === 0) return false;
  const mentionsValue = new RegExp(values.map((t) => `(^|[^\\w.])${escapeRe(t)}\\b`).join('|'));
  for (let i = 0; i < before.length; i++) {
    const t = before[i]!.text;
    if (!mentionsValue.test(t)) continue;
    if (GUARD.test(t)) return true;
    if (!QUERY_WORD.test(t)) continue;
    if (tenantTokenIn(t, v)) return true;
    // const chat = await prisma.chat.findUnique({ where: { id } }); if (chat.userId !== me) …; then delete by id
    const loaded = declaredName(before[i]!);
    if (loaded && checksRow(loaded, before.slice(i + 1), v)) return true;
  }
  return false;
}

const QUERY_WORD = /\b(find\w*|where\w*|filter\w*|get\w*|select|query|objects|fetch\w*|load\w*|first|one)\b/;

/** A later statement checks the row held under `name`: its tenant, its owner, or an access guard. */
function checksRow(name: string, statements: readonly SyntaxNode[], v: TenantVocabulary): boolean {
  const n = escapeRe(name);
  const mention = new RegExp(`\\b${n}\\b`);
  // invoice.orgId / invoice?.org.id / rows.filter((r) => r.orgId === orgId)
  const tenantRead = new RegExp(`\\b${n}(\\??\\.\\w+|\\[['"]\\w+['"]\\])*\\??\\.(\\w+)|\\b${n}\\s*\\.\\s*(filter|find|some|every)\\s*\\(`, 'g');
  for (const s of statements) {
    const t = s.text;
    if (!mention.test(t)) continue;
    if (GUARD.test(t)) return true;
    for (const m of t.matchAll(tenantRead)) {
      if ((m[2] && isTenantField(m[2], v)) || (m[3] && tenantTokenIn(t, v))) return true;
      // if (!chat || chat.userId !== session.user.id) return notFound()
      if (m[2] && OWNER_FIELD.test(m[2]) && (PRINCIPAL.test(t) || /!==?|!=|\bis not\b/.test(t))) return true;
    }
  }
  return false;
}

/** `const x = …` / `x = …` as a whole statement: the name it binds. */
function declaredName(statement: SyntaxNode): string | undefined {
  const decl = statement.type === 'lexical_declaration' || statement.type === 'variable_declaration' ? statement.namedChild(0) : statement.type === 'expression_statement' ? statement.namedChild(0) : undefined;
  if (!decl) return undefined;
  const target = decl.type === 'variable_declarator' ? decl.childForFieldName('name') : decl.type === 'assignment' ? decl.childForFieldName('left') : undefined;
  return target?.type === 'identifier' ? target.text : undefined;
}

/** `projectId: project.id`, `project=project`, `id: { in: items.map(i => i.id) }`: ids taken from rows already loaded. */
function isLoadedEntityValue(f: Filter): boolean {
  const value = f.value;
  if (!value) return false;
  const key = f.key.slice(f.key.lastIndexOf('.') + 1);
  if (/\.map\(|\bfor\b.+\bin\b|\bpluck\(|\bvalues_list\(|\bids\b|_ids\b|Ids\b/.test(value.text) && !REQUEST_DATA.test(value.text.split(/[.[(]/)[0]!)) return true;
  // `where: { id: invoice.id }`, `pk=instance.pk`: the row itself was loaded before.
  if (ID_KEYS.test(key)) return (value.type === 'member_expression' || value.type === 'attribute') && /\.(id|pk|uuid)$/.test(value.text) && !REQUEST_DATA.test(value.text.split(/[.[(?]/)[0]!) && !/params|query|body|input|GET|POST|data|kwargs/.test(value.text);
  if (value.type === 'member_expression' || value.type === 'attribute') {
    const root = value.text.split(/[.[(?]/)[0]!;
    return !REQUEST_DATA.test(root) && !/params|query|body|input|GET|POST|data/.test(value.text);
  }
  // Django `project=project`: a model instance, i.e. a row loaded earlier.
  return value.type === 'identifier' && !/(_id|Id|_pk|_uuid)$/.test(key) && !/(_id|Id|_pk|_uuid|_slug)$/.test(value.text) && !key.includes('__');
}

function isExcludedPath(ctx: RuleContext): boolean {
  const path = ctx.file.path;
  if (isMigrationPath(path) || isStaffPath(path)) return true;
  const globs = ctx.options.crossTenantPaths;
  return globs.length > 0 && picomatch.isMatch(path, [...globs], { dot: true });
}

// ---------------------------------------------------------------------------------------------
// What one file can yield
//
// Findings are kept on changed lines only, while evidence counts from anywhere in the PR. All
// evidence (a query filtered by tenant, a create writing the tenant key, a model definition)
// names a tenant field. So a file that names none can only yield findings, on the diff, and is
// read through the query, which runs where the diff is; a file that names one is read whole by
// checkFile (readWhole). Either way a query is dropped as soon as its kind and place show that
// it can yield neither.

interface FileState {
  readonly v: TenantVocabulary;
  /** A migration, seed, Django admin or configured cross-tenant path: its queries are neither evidence nor findings. */
  readonly excluded: boolean;
  /** The source may name a tenant field (see tenantTextPattern): only then can it yield evidence. */
  readonly tenantText: boolean;
  /** The source holds one of PLUMBING_WORDS: only then can it show tenant plumbing. */
  readonly plumbingWords: boolean;
  /** Calls read so far, when the file is read through the query (a node is always the same object). */
  readonly visited: Set<SyntaxNode>;
  /** Where PY_CALL_WORDS occur in the source (start, end, start, end…), in order; computed on first need. */
  pyWords?: readonly number[];
}

const fileStates = new WeakMap<RuleContext, FileState>();

function fileState(ctx: RuleContext): FileState {
  let state = fileStates.get(ctx);
  if (!state) {
    const v = tenantVocabulary(ctx.options.tenantKeys);
    const source = ctx.file.source;
    // Most files hold neither: one scan of the source for both (each costs about as much).
    const either = tenantOrPlumbingPattern(v).test(source);
    state = {
      v,
      excluded: isExcludedPath(ctx),
      tenantText: either && tenantTextPattern(v).test(source),
      plumbingWords: either && PLUMBING_WORDS.test(source),
      visited: new Set(),
    };
    fileStates.set(ctx, state);
  }
  return state;
}

const tenantTextPatterns = new WeakMap<TenantVocabulary, RegExp>();

/**
 * Matches a source that may hold a name isTenantField() accepts. Such a name, squashed (`_`, `-`
 * and spaces dropped, lowercased), is a configured key, a stem, or a stem followed by an id word,
 * so it contains a key or a stem; and the names the rule reads (identifiers, property and keyword
 * names, string and SQL text) are read from the source, so its squashed text contains one too.
 * Hence each key and stem, any of `_`, `-`, whitespace allowed between its letters, ignoring case.
 */
function tenantTextPattern(v: TenantVocabulary): RegExp {
  let pattern = tenantTextPatterns.get(v);
  if (!pattern) {
    const all = [...new Set([...v.keys, ...v.stems])].filter(Boolean);
    // A word containing another is implied by it: `orgid` by `org`.
    const words = all.filter((w) => !all.some((o) => o !== w && w.includes(o)));
    pattern = words.length
      ? new RegExp(words.map((w) => [...w].map((ch) => ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('[_\\-\\s]*')).join('|'), 'i')
      : /(?!)/;
    tenantTextPatterns.set(v, pattern);
  }
  return pattern;
}

const eitherPatterns = new WeakMap<TenantVocabulary, RegExp>();

/** Matches a source that tenantTextPattern() or PLUMBING_WORDS matches. */
function tenantOrPlumbingPattern(v: TenantVocabulary): RegExp {
  let pattern = eitherPatterns.get(v);
  if (!pattern) {
    pattern = new RegExp(`${tenantTextPattern(v).source}|${PLUMBING_WORDS.source}`, 'i');
    eitherPatterns.set(v, pattern);
  }
  return pattern;
}

/** Whether a finding on this node would be kept: its lines, as the engine reckons them, touch the diff. */
function touches(ctx: RuleContext, node: SyntaxNode): boolean {
  const start = node.startPosition.row + 1;
  const endPosition = node.endPosition;
  let end = endPosition.row + 1;
  if (endPosition.column === 0 && end > start) end--;
  return ctx.file.touches({ start, end });
}

/** A query here can matter: as evidence (the file names a tenant field) or as a finding (on changed lines). */
function mayMatter(ctx: RuleContext, state: FileState, findingNode: SyntaxNode): boolean {
  return state.tenantText || touches(ctx, findingNode);
}

/** Code that runs outside a request (a worker, a cron job, a script, a Celery task). */
function isBatchContext(ctx: RuleContext, node: SyntaxNode): boolean {
  if (isBatchPath(ctx.file.path)) return true;
  const fn = enclosingFunction(node);
  if (fn?.parent?.type === 'decorated_definition' && TASK_DECORATOR.test(fn.parent.text.slice(0, fn.startIndex - fn.parent.startIndex))) return true;
  for (let p = node.parent, i = 0; p && i < 40; p = p.parent, i++) {
    if (p.type === 'new_expression' && /Worker$/.test(p.childForFieldName('constructor')?.text ?? '')) return true;
    if (p.type === 'call_expression' && WORKER_CALL.test(calleeName(p) ?? '') && /cron|queue|worker|job|schedule|agenda|bull/i.test(p.text.slice(0, 80))) return true;
    if (p.type === 'method_definition' && /@(Cron|Interval|Process|Processor|OnQueue\w*)\b/.test(p.parent?.text.slice(Math.max(0, p.startIndex - p.parent.startIndex - 120), p.startIndex - p.parent.startIndex) ?? '')) return true;
  }
  return false;
}

const SUPERADMIN = /is_?super_?(user|admin)|isSuper(User|Admin)|is_?platform_?admin|isPlatformAdmin|is_staff\b|isStaff\b|role\s*(===?|==|in)\s*\(?\s*['"](superadmin|super_admin|platform_admin|staff|root)['"]/i;

/** `if user.is_superuser: …` / `if (session.user.isSuperAdmin) { … }`: a branch for platform staff. */
function inSuperadminBranch(node: SyntaxNode): boolean {
  const fn = enclosingFunction(node);
  for (let p = node.parent; p && p !== fn; p = p.parent) {
    if (p.type === 'if_statement' && SUPERADMIN.test(p.childForFieldName('condition')?.text ?? '')) {
      // Only the branch taken when the condition holds.
      const consequence = p.childForFieldName('consequence');
      if (consequence && node.startIndex >= consequence.startIndex && node.endIndex <= consequence.endIndex) return true;
    }
  }
  return false;
}

function tenantInScope(node: SyntaxNode, v: TenantVocabulary): boolean {
  const fn = enclosingFunction(node);
  return !!fn && tenantTokenIn(fn.text, v);
}

/** The decision on one query: evidence, a clean look-alike, or a finding deferred until every file is read. */
function consider(ctx: RuleContext, c: Candidate): void {
  const state = fileState(ctx);
  const v = state.v;
  const filters = c.filters;
  if (!filters) return;
  const tenant = filters.find((f) => filterKeyIsTenant(f.key, v));
  if (tenant) {
    if (!state.excluded) recordScoped(ctx, c.model, tenantFieldOf(tenant.key, v));
    return;
  }
  if (state.excluded) return;
  // What follows only decides a finding, and a finding off the diff is dropped.
  if (c.node ? !touches(ctx, c.node) : !ctx.file.touches(c.lines!)) return;
  const bare = filters.map((f) => f.key.slice(f.key.lastIndexOf('.') + 1));
  if (filters.some((f) => f.value && PRINCIPAL.test(f.value.text))) return;
  if (bare.some((k) => CAPABILITY_KEY.test(k))) return;
  if (USER_MODELS.has(modelKey(c.model)) && bare.some((k) => IDENTITY_KEYS.has(k.replace(/_/g, '').toLowerCase().replace(/__\w+$/, '')))) return;
  if (filters.some(isLoadedEntityValue)) return;
  if (isCheckedAround(c, filters, v)) return;
  if (c.node && inSuperadminBranch(c.node)) return;
  if (isBatchPath(ctx.file.path) || (c.node && isBatchContext(ctx, c.node))) {
    if (!c.node || !tenantInScope(c.node, v)) return;
  }
  report(ctx, c, filters);
}

function report(ctx: RuleContext, c: Candidate, filters: readonly Filter[]): void {
  const v = fileState(ctx).v;
  const key = modelKey(c.model);
  const configured = ctx.options.tenantModels.some((m) => modelKey(m) === key);
  const scoped = (facts: FactsView): boolean => configured || (facts.has(SCOPED, key) && facts.has(PLUMBING, 'seen'));
  const byId = filters.length > 0 && filters.every((f) => ID_KEYS.test(f.key.slice(f.key.lastIndexOf('.') + 1)));
  const what = c.kind === 'model' ? `tenant-scoped model ${c.model}` : `tenant-scoped table ${c.model}`;
  const message = (field: string): string => {
    if (byId) {
      return `\`${c.label}\` on ${what} looks a row up by id without ${field}, and nothing checks the row's ${field} afterwards: any tenant can ${c.operation === 'write' ? 'change' : 'read'} another tenant's row by its id.`;
    }
    const effect = c.operation === 'write' ? 'it changes rows of every tenant' : 'it returns rows of every tenant';
    return `\`${c.label}\` on ${what} filters without ${field}: ${effect}.`;
  };
  // The key named in the message is the one this model is filtered or defined with elsewhere in
  // the PR; it is only known once every file is read, so one candidate per known key is queued
  // and exactly one of them holds.
  const candidates = knownKeyNames(v);
  const recorded = (facts: FactsView): string | undefined => candidates.find((k) => facts.has(KEY, `${key}\0${k}`));
  const where = c.node ? { node: c.node } : { lines: { start: c.lines!.start, end: c.lines!.end }, key: c.lines!.text };
  for (const field of candidates) {
    ctx.report({ ...where, message: message(field), when: (facts) => scoped(facts) && recorded(facts) === field });
  }
  ctx.report({ ...where, message: message(writtenKey(v, c.style)), when: (facts) => scoped(facts) && recorded(facts) === undefined });
}

/** Every spelling a tenant field may be recorded under: the keys, their relation names, snake and camel. */
const keyNamesCache = new WeakMap<TenantVocabulary, string[]>();
function knownKeyNames(v: TenantVocabulary): string[] {
  let names = keyNamesCache.get(v);
  if (!names) {
    const set = new Set<string>(v.written);
    for (const stem of v.stems) for (const form of [stem, `${stem}_id`, `${stem}Id`]) set.add(form);
    names = [...set];
    keyNamesCache.set(v, names);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Reading filters

/** Keys of a TS where-object, nested AND/OR/NOT and relation filters included; undefined if a spread or a variable hides some. */
function objectFilters(node: SyntaxNode | undefined, depth = 0): Filter[] | undefined {
  if (!node) return [];
  if (depth > 6) return undefined;
  if (node.type === 'parenthesized_expression' || node.type === 'as_expression' || node.type === 'satisfies_expression') return objectFilters(node.namedChild(0) ?? undefined, depth);
  if (node.type === 'array') {
    const out: Filter[] = [];
    for (const item of node.namedChildren) {
      const f = objectFilters(item, depth + 1);
      if (!f) return undefined;
      out.push(...f);
    }
    return out;
  }
  if (node.type === 'identifier') {
    // `const where = { id }` just above: read it; anything else may carry the tenant key.
    const fn = enclosingFunction(node);
    if (!fn) return undefined;
    let found: SyntaxNode | undefined;
    let mutated = false;
    for (const s of fn.descendantsOfType(['variable_declarator', 'assignment_expression', 'augmented_assignment_expression', 'call_expression'])) {
      if (s.type === 'variable_declarator' && s.childForFieldName('name')?.text === node.text && s.startIndex < node.startIndex) found = s.childForFieldName('value') ?? undefined;
      else if (s.type !== 'variable_declarator' && new RegExp(`^${escapeRe(node.text)}(\\.|\\[|\\s*=|\\))`).test((s.childForFieldName('left') ?? s.childForFieldName('arguments')?.namedChild(0))?.text ?? '')) mutated = true;
      else if (s.type === 'call_expression' && /^Object\.assign$/.test(calleeName(s) ?? '') && callArguments(s)[0]?.text === node.text) mutated = true;
    }
    if (!found || mutated || found.type !== 'object') return undefined;
    return objectFilters(found, depth + 1);
  }
  if (node.type !== 'object') return undefined;
  const out: Filter[] = [];
  for (const child of node.namedChildren) {
    if (child.type === 'spread_element') return undefined;
    if (child.type === 'shorthand_property_identifier') {
      out.push({ key: child.text, value: child });
      continue;
    }
    if (child.type !== 'pair') continue;
    const keyNode = child.childForFieldName('key');
    const value = child.childForFieldName('value') ?? undefined;
    const key = keyNode ? (stringValue(keyNode) ?? keyNode.text) : '';
    if (['AND', 'OR', 'NOT', 'some', 'every', 'none', 'is', 'isNot', '$and', '$or'].includes(key) || (value?.type === 'object' && !isOperatorObject(value))) {
      // Relation filters and combinators: a tenant key anywhere inside scopes the query.
      const inner = objectFilters(value, depth + 1);
      if (!inner) return undefined;
      out.push({ key, ...(value ? { value } : {}) }, ...inner);
      continue;
    }
    out.push({ key, ...(value ? { value } : {}) });
  }
  return out;
}

/** `{ in: ids }`, `{ equals: x }`, `{ gte: d }`: a condition on the field, not a relation. */
function isOperatorObject(node: SyntaxNode): boolean {
  return node.namedChildren.every((c) => {
    const k = c.type === 'pair' ? c.childForFieldName('key')?.text : c.type === 'shorthand_property_identifier' ? c.text : undefined;
    return !!k && /^(in|notIn|equals|not|lt|lte|gt|gte|contains|startsWith|endsWith|mode|has|hasSome|hasEvery|isEmpty|search|\$\w+)$/.test(k);
  });
}

// ---------------------------------------------------------------------------------------------
// TypeScript: Prisma, TypeORM, Knex

const PRISMA_CLIENT = /(^|\.)(prisma|prismaClient|db|tx|trx|client|database|prismaService|prismaTx|transaction)$/i;
const PRISMA_READ = new Set(['findMany', 'findFirst', 'findFirstOrThrow', 'findUnique', 'findUniqueOrThrow', 'count', 'aggregate', 'groupBy']);
const PRISMA_WRITE = new Set(['updateMany', 'deleteMany', 'update', 'delete', 'upsert', 'updateManyAndReturn']);
const PRISMA_CREATE = new Set(['create', 'createMany', 'createManyAndReturn']);

function prismaQuery(ctx: RuleContext, call: SyntaxNode, object: SyntaxNode, method: string, args: SyntaxNode): boolean {
  if (object.type !== 'member_expression') return false;
  const client = object.childForFieldName('object');
  const accessor = object.childForFieldName('property')?.text;
  if (!client || !accessor || accessor.startsWith('$') || !/^[a-z]/.test(accessor)) return false;
  // tenantDb(orgId).invoice / forTenant(t).invoice: a client scoped by construction.
  if (client.type === 'call_expression') return true;
  const clientName = dottedName(client);
  if (!clientName || !PRISMA_CLIENT.test(clientName)) return false;
  if (SCOPED_ACCESSOR.test(lastSegment(clientName) ?? '') && !/^(prisma|db)$/i.test(lastSegment(clientName) ?? '')) return true;
  const model = pascal(accessor);
  const label = `${clientName}.${accessor}.${method}`;
  const first = args.namedChildren[0];
  if (PRISMA_CREATE.has(method)) {
    // `create({ data: { orgId, … } })` shows the model carries the tenant column.
    const data = first?.type === 'object' ? objectFilters(propertyOf(first, 'data')) : undefined;
    const { v, excluded } = fileState(ctx);
    const t = data?.find((f) => filterKeyIsTenant(f.key, v));
    if (t && !excluded) recordScoped(ctx, model, tenantFieldOf(t.key, v));
    return true;
  }
  if (!PRISMA_READ.has(method) && !PRISMA_WRITE.has(method)) return false;
  let filters: Filter[] | undefined;
  if (!first) filters = [];
  else if (first.type === 'object') filters = objectFilters(propertyOf(first, 'where'));
  else filters = undefined;
  consider(ctx, { node: call, label, model, kind: 'model', style: 'camel', filters, operation: PRISMA_WRITE.has(method) ? 'write' : 'read', result: call });
  return true;
}

function propertyOf(object: SyntaxNode, key: string): SyntaxNode | undefined {
  for (const c of object.namedChildren) {
    if (c.type === 'pair' && (stringValue(c.childForFieldName('key')) ?? c.childForFieldName('key')?.text) === key) return c.childForFieldName('value') ?? undefined;
    if (c.type === 'shorthand_property_identifier' && c.text === key) return c;
  }
  return undefined;
}

const TYPEORM_OPTIONS = new Set(['find', 'findOne', 'findAndCount', 'count', 'exist', 'exists', 'findOneOrFail', 'sum', 'average', 'minimum', 'maximum']);
const TYPEORM_WHERE = new Set(['findBy', 'findOneBy', 'findAndCountBy', 'countBy', 'existsBy', 'findOneByOrFail', 'delete', 'softDelete', 'update', 'restore']);
const REPOSITORY = /^(?:this\.)?(?:\w+\.)*?_?(\w+?)(Repository|Repo)$/;

function typeormQuery(ctx: RuleContext, call: SyntaxNode, object: SyntaxNode, method: string, args: SyntaxNode): boolean {
  if (!TYPEORM_OPTIONS.has(method) && !TYPEORM_WHERE.has(method)) return false;
  let model: string | undefined;
  let rest = args.namedChildren;
  const name = dottedName(object);
  const repo = name ? REPOSITORY.exec(name) : null;
  if (repo && repo[1] && !/^(base|generic|tenant|scoped)$/i.test(repo[1])) model = pascal(repo[1]);
  else if (object.type === 'call_expression' && lastSegment(calleeName(object)) === 'getRepository') model = callArguments(object)[0]?.text;
  else if (name && /(^|\.)(manager|entityManager|em)$/.test(name) && /^[A-Z]/.test(rest[0]?.text ?? '')) {
    model = rest[0]!.text;
    rest = rest.slice(1);
  }
  if (!model || !/^[A-Za-z]\w*$/.test(model)) return false;
  const first = rest[0];
  let filters: Filter[] | undefined;
  if (!first) filters = method === 'update' || method === 'delete' ? undefined : [];
  else if (TYPEORM_OPTIONS.has(method)) filters = first.type === 'object' ? objectFilters(propertyOf(first, 'where')) : undefined;
  else if (first.type === 'object' || first.type === 'array') filters = objectFilters(first);
  else if (method === 'update' || method === 'delete' || method === 'softDelete' || method === 'restore') filters = [{ key: 'id', value: first }];
  const operation: Operation = ['delete', 'softDelete', 'update', 'restore'].includes(method) ? 'write' : 'read';
  const label = `${name ?? object.text.slice(0, 40)}.${method}`;
  consider(ctx, { node: call, label, model, kind: 'model', style: 'camel', filters, operation, result: call });
  return true;
}

const KNEX_ROOT = /^(knex|db|trx|tx|database|pg|conn|connection|qb|builder|k|sql|mysql|transaction)$/i;
const KNEX_FILTER = /^(where|andWhere|orWhere|whereNot|orWhereNot|whereIn|orWhereIn|whereNotIn|whereNull|whereNotNull|whereBetween|whereExists|whereRaw|orWhereRaw|andWhereRaw|whereLike|whereILike|whereJsonPath|join|innerJoin|leftJoin|rightJoin|on|having|modify)$/;
const KNEX_ACTION = /^(select|first|where\w*|update|del|delete|count|countDistinct|pluck|increment|decrement|sum|avg|min|max|returning|forUpdate|orderBy|limit|paginate)$/;
const KNEX_INSERT = /^(insert|upsert|onConflict|merge|ignore|batchInsert|into|schema|raw|createTable|truncate)$/;

/** `db('invoices').where({ id }).first()`, `knex.from('invoices')…`: a knex chain read from its top. */
function knexQuery(ctx: RuleContext, root: SyntaxNode, table: string): void {
  const top = outermostTsChain(root);
  const state = fileState(ctx);
  if (!mayMatter(ctx, state, top)) return;
  const calls = tsChainCalls(top, root);
  if (calls.length === 0 && top.parent?.type !== 'await_expression') return;
  if (calls.some((c) => KNEX_INSERT.test(c.method))) {
    const v = state.v;
    const insert = calls.find((c) => c.method === 'insert');
    const data = insert ? objectFilters(insert.args[0]?.type === 'array' ? insert.args[0].namedChildren[0] : insert.args[0]) : undefined;
    const t = data?.find((f) => filterKeyIsTenant(f.key, v));
    if (t && !state.excluded) recordScoped(ctx, table, tenantFieldOf(t.key, v));
    return;
  }
  if (calls.length > 0 && !calls.some((c) => KNEX_ACTION.test(c.method))) return;
  const filters: Filter[] = [];
  let unknown = false;
  for (const c of calls) {
    if (!KNEX_FILTER.test(c.method)) continue;
    if (c.method === 'modify') {
      unknown = true;
      continue;
    }
    const [first, second] = c.args;
    if (!first) continue;
    const s = stringValue(first);
    if (s !== undefined) {
      if (/raw/i.test(c.method)) filters.push(...sqlFilterKeys(s));
      else filters.push({ key: s, ...(second ? { value: second } : {}) });
      // join('projects', 'projects.id', 'tasks.project_id'): the joined columns count too.
      if (/join|^on$/i.test(c.method)) for (const a of c.args.slice(1)) if (stringValue(a)) filters.push({ key: stringValue(a)! });
      continue;
    }
    if (first.type === 'object') {
      const f = objectFilters(first);
      if (!f) unknown = true;
      else filters.push(...f);
      continue;
    }
    // where(builder => …): read the columns it names.
    if (first.type === 'arrow_function' || first.type === 'function_expression') {
      for (const m of first.text.matchAll(/['"`]([\w.]+)['"`]|\b(\w+)\s*:/g)) filters.push({ key: m[1] ?? m[2]! });
      continue;
    }
    unknown = true;
  }
  const operation: Operation = calls.some((c) => /^(update|del|delete|increment|decrement)$/.test(c.method)) ? 'write' : 'read';
  consider(ctx, {
    node: top,
    label: `${root.childForFieldName('function')?.text ?? 'knex'}('${table}')`,
    model: table,
    kind: 'table',
    style: 'snake',
    filters: unknown ? undefined : filters,
    operation,
    result: top,
  });
}

function outermostTsChain(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent?.type === 'member_expression' && n.parent.childForFieldName('object') === n && n.parent.parent?.type === 'call_expression') n = n.parent.parent;
  return n;
}

function tsChainCalls(top: SyntaxNode, root: SyntaxNode): { method: string; args: SyntaxNode[] }[] {
  const out: { method: string; args: SyntaxNode[] }[] = [];
  let n: SyntaxNode | null = top;
  while (n && n !== root && n.type === 'call_expression') {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'member_expression') break;
    out.unshift({ method: fn.childForFieldName('property')?.text ?? '', args: callArguments(n) });
    n = fn.childForFieldName('object');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Raw SQL

/** Column names a SQL WHERE/ON text compares: `org_id = $1 AND i.id = ?` → org_id, i.id. */
function sqlFilterKeys(text: string): Filter[] {
  return [...text.matchAll(/([\w."`]+)\s*(=|<>|!=|<=|>=|<|>|\bin\b|\bis\b|\blike\b|\bilike\b|\bany\b)/gi)].map((m) => ({ key: m[1]!.replace(/["`]/g, '') }));
}

type SqlRead = Pick<Candidate, 'label' | 'model' | 'kind' | 'style' | 'filters' | 'operation'>;

/** SELECT … FROM t … WHERE …, UPDATE t SET … WHERE …, DELETE FROM t WHERE …: the table and what it is filtered by. */
function readSql(text: string, v: TenantVocabulary): SqlRead | undefined {
  if (!isSqlStatement(text)) return undefined;
  const flat = text.replace(/\s+/g, ' ');
  if (/^\s*\(?\s*(insert|create|alter|drop|truncate|merge|upsert|replace)\b/i.test(flat)) return undefined;
  let table: string | undefined;
  let operation: Operation = 'read';
  let scope = '';
  const update = /^\s*update\s+(?:only\s+)?([\w."`]+)(?:\s+(?:as\s+)?\w+)?\s+set\s+([\s\S]*)$/i.exec(flat);
  const del = /^\s*delete\s+from\s+(?:only\s+)?([\w."`]+)([\s\S]*)$/i.exec(flat);
  const select = /\bfrom\s+(?:only\s+)?([\w."`]+)([\s\S]*)$/i.exec(flat);
  if (update) {
    table = update[1];
    operation = 'write';
    scope = update[2]!.replace(/^[\s\S]*?\bwhere\b/i, ' where ');
  } else if (del) {
    table = del[1];
    operation = 'write';
    scope = del[2]!;
  } else if (/^\s*\(?\s*(select|with)\b/i.test(flat) && select) {
    table = select[1];
    scope = select[2]!;
  }
  if (!table || /^\(|^\$|\{|^(select|lateral|unnest|generate_series|json\w*|jsonb\w*)$/i.test(table)) return undefined;
  // A sub-select or a JOIN may carry the tenant condition: everything after FROM counts.
  const keys = sqlFilterKeys(scope);
  const joinedUsing = [...scope.matchAll(/\busing\s*\(([^)]*)\)/gi)].flatMap((m) => m[1]!.split(',').map((k) => ({ key: k.trim() })));
  const mentioned = [...scope.matchAll(/["`]?([A-Za-z_]\w*)["`]?/g)].map((m) => m[1]!).filter((w) => isTenantField(w, v) && !/^(org|organization|tenant|account|firm|workspace)$/i.test(w));
  const filters = [...keys, ...joinedUsing, ...mentioned.map((k) => ({ key: k }))];
  const verb = update ? 'UPDATE' : del ? 'DELETE FROM' : 'SELECT … FROM';
  const bare = table.replace(/["`]/g, '');
  return { label: `${verb} ${bare}`, model: bare.slice(bare.lastIndexOf('.') + 1), kind: 'table', style: 'snake', filters, operation };
}

function sqlQuery(ctx: RuleContext, node: SyntaxNode, text: string): void {
  const read = readSql(text, fileState(ctx).v);
  if (read) consider(ctx, { ...read, node, result: node });
}

/**
 * Whether a string literal, as written, can hold a statement readSql() reads: UPDATE, or FROM
 * with SELECT, WITH or DELETE. The text readSql() gets is the literal's own text less its quotes
 * and interpolations, so its keywords are in the literal (unless an interpolation splits one).
 * Nearly every string fails this, before any tree is read.
 */
function mayBeSql(raw: string): boolean {
  return raw.length >= 12 && (/update/i.test(raw) || (/from/i.test(raw) && /select|with|delete/i.test(raw)));
}

function sqlStringTs(ctx: RuleContext, node: SyntaxNode): void {
  if (!mayBeSql(ctx.text(node)) || !mayMatter(ctx, fileState(ctx), node)) return;
  const text = stringValue(node) ?? sqlPieces(node)?.text;
  if (!text || text.length < 12) return;
  sqlQuery(ctx, node, text);
}

// ---------------------------------------------------------------------------------------------
// Python: Django, SQLAlchemy

const DJANGO_QUERYSET = new Set([
  'filter', 'exclude', 'get', 'all', 'first', 'last', 'count', 'exists', 'update', 'delete', 'values', 'values_list', 'order_by',
  'select_related', 'prefetch_related', 'annotate', 'aggregate', 'only', 'defer', 'distinct', 'in_bulk', 'iterator', 'latest',
  'earliest', 'using', 'select_for_update', 'none', 'alias', 'union', 'get_or_none', 'afirst', 'aget', 'acount', 'aupdate', 'adelete',
]);
const DJANGO_CREATE = new Set(['create', 'get_or_create', 'update_or_create', 'bulk_create', 'acreate', 'aget_or_create', 'aupdate_or_create']);
const SQLA_FILTER = new Set(['filter', 'filter_by', 'where', 'join', 'outerjoin', 'having', 'with_parent']);
const SQLA_TERMINAL_WRITE = new Set(['update', 'delete']);

interface PyLink {
  readonly method: string;
  readonly call: SyntaxNode;
  readonly args: SyntaxNode[];
}

function outermostPyChain(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent?.type === 'attribute' && n.parent.childForFieldName('object') === n && n.parent.parent?.type === 'call') n = n.parent.parent;
  return n;
}

/** Calls above `root` in a chain, innermost first. */
function pyChainLinks(top: SyntaxNode, root: SyntaxNode): PyLink[] {
  const out: PyLink[] = [];
  let n: SyntaxNode | null = top;
  while (n && n !== root && n.type === 'call') {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'attribute') break;
    out.unshift({ method: fn.childForFieldName('attribute')?.text ?? '', call: n, args: callArguments(n) });
    n = fn.childForFieldName('object');
  }
  return out;
}

/** Django lookups of filter()/get()/exclude(), Q objects included; undefined when `**kwargs` hides some. */
function djangoFilters(args: readonly SyntaxNode[], depth = 0): Filter[] | undefined {
  const out: Filter[] = [];
  for (const a of args) {
    if (a.type === 'dictionary_splat' || a.type === 'list_splat') return undefined;
    if (a.type === 'keyword_argument') {
      const value = a.childForFieldName('value') ?? undefined;
      out.push({ key: a.childForFieldName('name')?.text ?? '', ...(value ? { value } : {}) });
      continue;
    }
    if (depth > 4) return undefined;
    // Q(org=org) | Q(public=True), ~Q(...), Exists(...): read the lookups inside.
    const calls = a.type === 'call' ? [a, ...a.descendantsOfType('call')] : a.descendantsOfType('call');
    if (calls.length === 0) return undefined;
    for (const call of calls) {
      const inner = djangoFilters(callArguments(call).filter((x) => x.type === 'keyword_argument' || x.type === 'dictionary_splat'), depth + 1);
      if (!inner) return undefined;
      out.push(...inner);
    }
  }
  return out;
}

/** SQLAlchemy filter arguments: attribute names compared (`Invoice.org_id == x`) and filter_by keywords. */
function sqlalchemyFilters(links: readonly PyLink[]): Filter[] | undefined {
  const out: Filter[] = [];
  for (const l of links) {
    if (!SQLA_FILTER.has(l.method)) continue;
    for (const a of l.args) {
      if (a.type === 'dictionary_splat' || a.type === 'list_splat') return undefined;
      if (a.type === 'keyword_argument') {
        const value = a.childForFieldName('value') ?? undefined;
        out.push({ key: a.childForFieldName('name')?.text ?? '', ...(value ? { value } : {}) });
        continue;
      }
      if (a.type === 'identifier' && l.method !== 'join' && l.method !== 'outerjoin') return undefined;
      for (const cmp of [a, ...a.descendantsOfType('comparison_operator')]) {
        if (cmp.type !== 'comparison_operator') continue;
        const [left, right] = cmp.namedChildren;
        if (left?.type === 'attribute') out.push({ key: left.childForFieldName('attribute')!.text, ...(right ? { value: right } : {}) });
      }
      for (const attr of a.descendantsOfType('attribute')) {
        const name = attr.childForFieldName('attribute')?.text ?? '';
        if (!out.some((f) => f.key === name)) out.push({ key: name });
      }
    }
  }
  return out;
}

function djangoQuery(ctx: RuleContext, call: SyntaxNode, model: string, manager: string, method: string): void {
  if (manager !== 'objects' && manager !== '_default_manager' && manager !== '_base_manager') return;
  if (!/^[A-Z]/.test(model)) return;
  // Anything else ends below, whatever the chain: not a create, not a queryset method.
  if (!DJANGO_CREATE.has(method) && !DJANGO_QUERYSET.has(method)) return;
  const fn = call.childForFieldName('function')!;
  const managerNode = fn.childForFieldName('object')!;
  const top = outermostPyChain(call);
  const state = fileState(ctx);
  if (!mayMatter(ctx, state, top)) return;
  const links = pyChainLinks(top, managerNode);
  const v = state.v;
  if (DJANGO_CREATE.has(method)) {
    const data = djangoFilters(callArguments(call).filter((a) => a.type === 'keyword_argument'));
    const t = data?.find((f) => filterKeyIsTenant(f.key, v));
    if (t && !state.excluded) recordScoped(ctx, model, tenantFieldOf(t.key, v));
    return;
  }
  // Model.objects.using(db).bulk_create(...): a write of new rows, not a filtered read.
  if (links.some((l) => DJANGO_CREATE.has(l.method))) return;
  // A custom queryset method (`for_org(org)`, `visible_to(user)`) scopes on its own.
  if (links.some((l) => !DJANGO_QUERYSET.has(l.method))) return;
  if (!DJANGO_QUERYSET.has(method)) return;
  // DRF: `queryset = Invoice.objects.all()` on a view whose get_queryset() filters.
  const assignment = top.parent?.type === 'assignment' ? top.parent : undefined;
  const klass = assignment?.parent?.parent?.type === 'block' ? assignment.parent.parent.parent : undefined;
  if (klass?.type === 'class_definition' && /\bdef\s+get_queryset\s*\(/.test(klass.text)) return;
  const filters: Filter[] = [];
  for (const l of links) {
    if (!['filter', 'exclude', 'get', 'aget', 'get_or_none', 'update', 'aupdate'].includes(l.method) || l.method === 'update') continue;
    const f = djangoFilters(l.args);
    if (!f) return;
    filters.push(...f);
  }
  const operation: Operation = links.some((l) => /^a?(update|delete)$/.test(l.method)) ? 'write' : 'read';
  const label = `${model}.objects.${links.map((l) => l.method).find((m) => ['filter', 'get', 'exclude', 'all', 'update', 'delete'].includes(m)) ?? links[links.length - 1]?.method ?? method}`;
  consider(ctx, { node: top, label, model, kind: 'model', style: 'snake', filters, operation, result: top });
}

function getObjectOr404(ctx: RuleContext, call: SyntaxNode): void {
  const [first, ...rest] = callArguments(call);
  if (!first || first.type !== 'identifier' || !/^[A-Z]/.test(first.text)) return;
  const filters = djangoFilters(rest);
  consider(ctx, { node: call, label: `${calleeName(call)}(${first.text})`, model: first.text, kind: 'model', style: 'snake', filters, operation: 'read', result: call });
}

/** `select(Invoice)…`, `session.query(Invoice)…`, `Invoice.query…`, `session.get(Invoice, id)`. */
function sqlalchemyQuery(ctx: RuleContext, root: SyntaxNode, model: string, label: string, chainFrom: SyntaxNode): void {
  const top = outermostPyChain(root);
  if (!mayMatter(ctx, fileState(ctx), top)) return;
  const links = pyChainLinks(top, chainFrom);
  if (links.some((l) => /^(insert|values|from_statement|union|subquery|cte|exists|scalar_subquery|options_only|with_entities|select_from)$/.test(l.method) && l.method !== 'values')) return;
  if (links.some((l) => !SQLA_FILTER.has(l.method) && SCOPED_ACCESSOR.test(l.method))) return;
  const filters = sqlalchemyFilters(links);
  const getLink = links.find((l) => l.method === 'get');
  if (getLink && filters) filters.push({ key: 'id', ...(getLink.args[0] ? { value: getLink.args[0] } : {}) });
  // q = select(Invoice); q = q.where(Invoice.org_id == org_id): later links on the same name count.
  const name = resultName(top);
  const fn = enclosingFunction(top);
  if (name && fn && filters && !(top.parent?.type === 'argument_list')) {
    const v = fileState(ctx).v;
    const later = new RegExp(`\\b${escapeRe(name)}\\s*\\.\\s*(where|filter|filter_by|join)\\s*\\(`);
    for (const s of fn.descendantsOfType('call')) {
      if (s.startIndex > top.endIndex && later.test(s.text.slice(0, 200)) && tenantTokenIn(s.text, v)) return;
    }
  }
  const operation: Operation = links.some((l) => SQLA_TERMINAL_WRITE.has(l.method)) ? 'write' : 'read';
  consider(ctx, { node: top, label, model, kind: 'model', style: 'snake', filters, operation, result: top });
}

const SESSION = /(^|\.)(session|db|db\.session|Session|sess|s|conn|connection|async_session|self\.session|self\.db)$/;

function pyCall(ctx: RuleContext, call: SyntaxNode): void {
  const fn = call.childForFieldName('function')!;
  if (fn.type === 'identifier') {
    const name = fn.text;
    if (name === 'select') {
      const args = callArguments(call);
      if (!args[0]) return;
      const model = args[0].type === 'identifier' ? args[0].text : args[0].type === 'attribute' ? args[0].childForFieldName('object')?.text : undefined;
      if (model && /^[A-Z][A-Za-z0-9]*$/.test(model)) sqlalchemyQuery(ctx, call, model, `select(${model})`, call);
    } else if ((name === 'get_object_or_404' || name === 'aget_object_or_404') && mayMatter(ctx, fileState(ctx), call)) getObjectOr404(ctx, call);
    return;
  }
  if (fn.type !== 'attribute') return;
  const object = fn.childForFieldName('object')!;
  const method = fn.childForFieldName('attribute')!.text;
  if (object.type === 'attribute') {
    const manager = object.childForFieldName('attribute')!.text;
    const inner = manager === 'objects' || manager === '_default_manager' || manager === 'query' ? object.childForFieldName('object') : null;
    if (inner?.type === 'identifier') {
      const model = inner.text;
      // Invoice.objects.filter(...)
      if (manager !== 'query') {
        djangoQuery(ctx, call, model, manager, method);
        return;
      }
      // Flask-SQLAlchemy: Invoice.query.filter_by(...)
      if (/^[A-Z]/.test(model)) {
        sqlalchemyQuery(ctx, call, model, `${model}.query`, object);
        return;
      }
    }
  }
  // Only session.query(Model) and session.get(Model, id) are left.
  if (method !== 'query' && method !== 'get') return;
  const objectName = dottedName(object) ?? '';
  const args = callArguments(call);
  if (method === 'query' && SESSION.test(objectName) && args[0]) {
    const model = args[0].type === 'identifier' ? args[0].text : args[0].type === 'attribute' ? args[0].childForFieldName('object')?.text : undefined;
    if (model && /^[A-Z][A-Za-z0-9]*$/.test(model)) sqlalchemyQuery(ctx, call, model, `${objectName}.query(${model})`, call);
    return;
  }
  // session.get(Invoice, invoice_id)
  if (method === 'get' && SESSION.test(objectName) && args[0]?.type === 'identifier' && /^[A-Z][a-z]/.test(args[0].text) && args[1] && mayMatter(ctx, fileState(ctx), call)) {
    consider(ctx, { node: call, label: `${objectName}.get(${args[0].text})`, model: args[0].text, kind: 'model', style: 'snake', filters: [{ key: 'id', value: args[1] }], operation: 'read', result: call });
  }
}

function sqlStringPy(ctx: RuleContext, node: SyntaxNode): void {
  if (!mayBeSql(ctx.text(node))) return;
  if (node.parent?.type === 'expression_statement') return; // docstrings
  if (!mayMatter(ctx, fileState(ctx), node)) return;
  const text = stringValue(node) ?? sqlPieces(node)?.text;
  if (!text || text.length < 12) return;
  sqlQuery(ctx, node, text);
}

// ---------------------------------------------------------------------------------------------
// Model definitions (facts only)

const PY_MODEL_BASE = /\b(models\.Model|Model|Base|DeclarativeBase|db\.Model|SQLModel|TenantModel|\w+Model|\w+Base|AbstractBaseUser|AbstractUser)\b/;

/**
 * The file's class definitions in document order, found from their `class` keyword (a class
 * definition's first token) rather than by a walk of the whole tree. A tree with errors may hold
 * a definition whose keyword the parser supplied (not in the source): walked.
 */
function pythonClasses(source: string, root: SyntaxNode): SyntaxNode[] {
  if (root.hasError) return root.descendantsOfType('class_definition');
  const classes: SyntaxNode[] = [];
  for (let at = source.indexOf('class'); at >= 0; at = source.indexOf('class', at + 5)) {
    const keyword = root.descendantForIndex(at, at + 5);
    if (keyword.type !== 'class' || keyword.startIndex !== at) continue;
    const klass = keyword.parent;
    if (klass?.type === 'class_definition') classes.push(klass);
  }
  return classes;
}

function pythonDefinitions(ctx: RuleContext, root: SyntaxNode, v: TenantVocabulary): void {
  for (const klass of pythonClasses(ctx.file.source, root)) {
    const bases = klass.childForFieldName('superclasses')?.text ?? '';
    if (!PY_MODEL_BASE.test(bases)) continue;
    const body = klass.childForFieldName('body');
    // Nothing is recorded without a tenant field among the assignments, whose names are part of
    // the body's text: a body without tenant text (see tenantTextPattern) is not read further.
    if (!body || !tenantTextPattern(v).test(body.text)) continue;
    let field: string | undefined;
    const names = [klass.childForFieldName('name')!.text];
    for (const stmt of body.namedChildren) {
      const assign = stmt.type === 'expression_statement' ? stmt.namedChild(0) : undefined;
      if (assign?.type !== 'assignment') continue;
      const left = assign.childForFieldName('left')?.text ?? '';
      const right = assign.childForFieldName('right');
      if (left === '__tablename__' && right) names.push(stringValue(right) ?? '');
      if (!field && isTenantField(left, v) && (right?.type === 'call' || assign.childForFieldName('type'))) field = left;
    }
    // class Meta: db_table = "billing_invoice"
    const table = /\bdb_table\s*=\s*['"](\w+)['"]/.exec(body.text);
    if (table) names.push(table[1]!);
    if (field) for (const n of names.filter(Boolean)) recordScoped(ctx, n, field);
  }
}

function tsDefinitions(ctx: RuleContext, root: SyntaxNode, v: TenantVocabulary): void {
  // Only an entity is read, and its decorator is in the source.
  if (!ctx.file.source.includes('@Entity(')) return;
  for (const klass of root.descendantsOfType('class_declaration')) {
    const decorated = (klass.parent?.type === 'export_statement' ? klass.parent.text : klass.text).slice(0, 200);
    const entity = /@Entity\(\s*(?:['"](\w+)['"]|\{[^}]*name:\s*['"](\w+)['"])?/.exec(decorated);
    if (!entity) continue;
    const field = klass
      .childForFieldName('body')
      ?.namedChildren.filter((m) => m.type === 'public_field_definition')
      .map((m) => m.childForFieldName('name')?.text ?? '')
      .find((n) => isTenantField(n, v));
    if (!field) continue;
    recordScoped(ctx, klass.childForFieldName('name')!.text, field);
    const table = entity[1] ?? entity[2];
    if (table) recordScoped(ctx, table, field);
  }
}

function sourceDefinitions(ctx: RuleContext, v: TenantVocabulary): void {
  const source = ctx.file.source;
  if (/create\s+table|alter\s+table/i.test(source)) for (const d of scopedSqlTables(source, v)) recordScoped(ctx, d.name, d.field);
  if (/createTable|create_table|pgTable|mysqlTable|sqliteTable|\.define\(/.test(source)) for (const d of scopedTablesInCode(source, v)) recordScoped(ctx, d.name, d.field);
}

// ---------------------------------------------------------------------------------------------

/** Every method a TS query call may end in: knex's from/table, Prisma's and TypeORM's methods. */
const TS_METHODS = new Set(['from', 'table', ...PRISMA_READ, ...PRISMA_WRITE, ...PRISMA_CREATE, ...TYPEORM_OPTIONS, ...TYPEORM_WHERE]);

type Captures = RuleMatch['captures'];

/** One call or string of a TS file, captured as the rule's query captures it. */
function tsVisit(ctx: RuleContext, captures: Captures): void {
  const { call, object, method, args, root, table, sql } = captures;
  if (sql) {
    sqlStringTs(ctx, sql);
    return;
  }
  if (root && table) {
    const fn = root.childForFieldName('function')!.text;
    if (!KNEX_ROOT.test(fn)) return;
    const name = stringValue(table);
    if (name && /^[\w.]+$/.test(name)) knexQuery(ctx, root, name);
    return;
  }
  if (!call || !object || !method || !args) return;
  const m = method.text;
  if (!TS_METHODS.has(m)) return;
  // knex.from('invoices') / knex.select('*').from('invoices') / knex.table('invoices')
  if ((m === 'from' || m === 'table') && stringValue(args.namedChildren[0]) && KNEX_ROOT.test((dottedName(object) ?? '').split('.')[0]!.replace(/^this$/, 'db'))) {
    const name = stringValue(args.namedChildren[0])!;
    if (/^[\w.]+$/.test(name)) knexQuery(ctx, call, name);
    return;
  }
  // Prisma and TypeORM report on the call itself.
  if (!mayMatter(ctx, fileState(ctx), call)) return;
  if (prismaQuery(ctx, call, object, m, args)) return;
  typeormQuery(ctx, call, object, m, args);
}

/** What the query's call patterns capture of a TS call, or undefined when neither matches it. */
function tsCallCaptures(call: SyntaxNode): Captures | undefined {
  const fn = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (!fn || args?.type !== 'arguments') return undefined;
  if (fn.type === 'identifier') {
    const table = args.namedChild(0);
    return table?.type === 'string' ? { root: call, table } : undefined;
  }
  if (fn.type !== 'member_expression') return undefined;
  const object = fn.childForFieldName('object');
  const method = fn.childForFieldName('property');
  return object?.isNamed && method?.type === 'property_identifier' ? { call, object, method, args } : undefined;
}

/** What the query's call pattern captures of a Python call. */
function pyCallCaptures(call: SyntaxNode): Captures | undefined {
  const fn = call.childForFieldName('function');
  return (fn?.type === 'identifier' || fn?.type === 'attribute') && call.childForFieldName('arguments')?.type === 'argument_list' ? { call } : undefined;
}

/**
 * The names pyCall() acts on, one of which a Python call's function spells as an identifier when
 * pyCall() does anything with the call: the callee (`select`, `get_object_or_404`), the method
 * (`query`, `get`) or the manager before it (`objects`, `_default_manager`, `query`). The
 * function is part of the call's text, so a call without one of these words is passed over
 * without asking the tree anything (nine Python calls in ten have none).
 */
const PY_CALL_WORDS = /\b(select|a?get_object_or_404|query|get|objects|_default_manager)\b/g;

/** Where PY_CALL_WORDS occur in the file, ascending: start, end, start, end… */
function pyWordsOf(ctx: RuleContext, state: FileState): readonly number[] {
  return (state.pyWords ??= Array.from(ctx.file.source.matchAll(PY_CALL_WORDS), (m) => [m.index, m.index + m[0].length]).flat());
}

/** Whether one of PY_CALL_WORDS starts inside the node: a necessary condition for pyCall() to act on it. */
function mayBePyQuery(ctx: RuleContext, state: FileState, node: SyntaxNode): boolean {
  const words = pyWordsOf(ctx, state);
  const start = node.startIndex;
  let lo = 0;
  let hi = words.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[2 * mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo < words.length && words[2 * lo]! < node.endIndex;
}

/**
 * The calls and strings of a Python file that pyVisit() may act on, in document order (outer
 * before inner at the same start), found from the words they need rather than by visiting every
 * call and string. A call pyCall() acts on has one of PY_CALL_WORDS as its callee, its method or
 * the attribute before its method: that identifier's parent is the call, or an attribute whose
 * parent is, or an attribute in an attribute whose parent is. A string mayBeSql() accepts holds
 * `update` or `from` (in any case): it is an ancestor of the node at that word.
 */
function pyNodesToRead(ctx: RuleContext, state: FileState, root: SyntaxNode): SyntaxNode[] {
  const source = ctx.file.source;
  const picked = new Set<SyntaxNode>();
  const words = pyWordsOf(ctx, state);
  for (let w = 0; w < words.length; w += 2) {
    const leaf = root.descendantForIndex(words[w]!, words[w + 1]!);
    if (leaf.type !== 'identifier') continue;
    for (let up = leaf.parent, i = 0; up && i < 3; up = up.parent, i++) {
      if (up.type === 'call') {
        picked.add(up);
        break;
      }
      if (up.type !== 'attribute') break;
    }
  }
  // A string holds interpolated expressions at most, never a statement or a block: the strings
  // holding a word lie below the first statement above it. A tree with errors is walked to its
  // root (what an error node holds is not bound by the grammar).
  const bounded = !root.hasError;
  for (const m of source.matchAll(/update|from/gi)) {
    for (let n: SyntaxNode | null = root.descendantForIndex(m.index, m.index + m[0].length); n; n = n.parent) {
      if (n.type === 'string') picked.add(n);
      else if (bounded && PY_STRING_BOUNDS.test(n.type)) break;
    }
  }
  return [...picked].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}

/** Python nodes no string can hold. */
const PY_STRING_BOUNDS = /_statement$|^(block|module|function_definition|class_definition|decorated_definition)$/;

function pyVisit(ctx: RuleContext, captures: Captures): void {
  if (captures.sql) sqlStringPy(ctx, captures.sql);
  else if (captures.call) pyCall(ctx, captures.call);
}

/** The first call of the chain a call ends: `db('t')` of `db('t').where(…).first()`. */
function chainStart(call: SyntaxNode): SyntaxNode {
  let n = call;
  for (;;) {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'member_expression' && fn?.type !== 'attribute') return n;
    const object = fn.childForFieldName('object');
    if (object?.type !== 'call_expression' && object?.type !== 'call') return n;
    n = object;
  }
}

/**
 * The query reads only the diff (and a little around it). A finding sits on the query call, the
 * string, or the whole chain the query starts (`db('t')…`, `Invoice.objects.filter(…)…`); a
 * chain touching the diff has its last call there, which the chain pattern (`@inner`) leads
 * back to its first call. A file that may name a tenant field is read whole by checkFile instead.
 */
function onMatch(match: RuleMatch, ctx: RuleContext, python: boolean): void {
  const state = fileState(ctx);
  if (state.excluded || state.tenantText) return;
  const { inner, call, root } = match.captures;
  if (inner) {
    // The chain's first call lies inside `inner`: without a word there, pyCall() passes it over.
    if (python && !mayBePyQuery(ctx, state, inner)) return;
    const start = chainStart(inner);
    const captures = python ? pyCallCaptures(start) : tsCallCaptures(start);
    if (captures && firstVisit(state, start)) (python ? pyVisit : tsVisit)(ctx, captures);
    return;
  }
  const node = call ?? root;
  if (python && call && !mayBePyQuery(ctx, state, call)) return;
  if (node && !firstVisit(state, node)) return;
  (python ? pyVisit : tsVisit)(ctx, match.captures);
}

/** A call not read yet in this file (the chain pattern may lead to a call the query also matched). */
function firstVisit(state: FileState, call: SyntaxNode): boolean {
  if (state.visited.has(call)) return false;
  state.visited.add(call);
  return true;
}

/** Every call and string of the file, as the query would match them over the whole file. */
function readWhole(ctx: RuleContext, tree: Tree): void {
  if (ctx.file.language === 'python') {
    for (const node of pyNodesToRead(ctx, fileState(ctx), tree.rootNode)) {
      const captures = node.type === 'call' ? pyCallCaptures(node) : { sql: node };
      if (captures) pyVisit(ctx, captures);
    }
    return;
  }
  for (const node of tsNodesToRead(ctx.file.source, tree.rootNode)) {
    const captures = node.type === 'call_expression' ? tsCallCaptures(node) : { sql: node };
    if (captures) tsVisit(ctx, captures);
  }
}

/**
 * The names tsVisit() acts on, one of which a TS call's function spells when tsVisit() does
 * anything with it: a method of TS_METHODS, or a callee KNEX_ROOT accepts (in any case).
 */
const TS_CALL_WORDS = new RegExp(`\\b(?:${[...TS_METHODS].join('|')}|${KNEX_ROOT.source.slice(2, -2)})\\b`, 'gi');

/**
 * The calls and strings of a TS file that tsVisit() may act on, in document order (outer before
 * inner at the same start), as pyNodesToRead() finds Python's: a call from the identifier that is
 * its callee, or the property of the member expression that is; a string or template from an
 * `update`/`from` inside it.
 */
function tsNodesToRead(source: string, root: SyntaxNode): SyntaxNode[] {
  const picked = new Set<SyntaxNode>();
  for (const m of source.matchAll(TS_CALL_WORDS)) {
    const leaf = root.descendantForIndex(m.index, m.index + m[0].length);
    if (leaf.type !== 'identifier' && leaf.type !== 'property_identifier') continue;
    for (let up = leaf.parent, i = 0; up && i < 2; up = up.parent, i++) {
      if (up.type === 'call_expression') {
        picked.add(up);
        break;
      }
      if (up.type !== 'member_expression') break;
    }
  }
  for (const m of source.matchAll(/update|from/gi)) {
    for (let n: SyntaxNode | null = root.descendantForIndex(m.index, m.index + m[0].length); n; n = n.parent) {
      if (n.type === 'string' || n.type === 'template_string') picked.add(n);
    }
  }
  return [...picked].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}

const rule: Rule = {
  meta: {
    id: ID,
    title: 'Query on a tenant-scoped model without the tenant filter',
    severity: 'P0',
    category: 'Tenant isolation',
    languages: ['ts', 'py', 'prisma', 'sql'],
    docs: {
      why: 'This model holds every tenant\'s rows in one table, and this query does not restrict them to the caller\'s tenant. One customer then reads (or updates, or deletes) another customer\'s data — the classic cross-tenant leak, usually found by a customer rather than by a test.',
      fix: 'Add the tenant key to the filter (`where: { id, orgId }`, `.filter(org=request.org)`, `.where(Invoice.org_id == org_id)`), or go through a tenant-scoped client/manager so it cannot be forgotten. For a lookup by id, either filter by tenant too or check the row\'s tenant before using it. Code that must cross tenants (superadmin tools) belongs in a path listed under `crossTenantPaths` in `.github/shipgate.yml`.',
      example: {
        bad: "const invoice = await prisma.invoice.findUnique({ where: { id: req.params.id } });\nreturn res.json(invoice);",
        good: "const invoice = await prisma.invoice.findFirst({ where: { id: req.params.id, orgId: req.user.orgId } });\nif (!invoice) return res.sendStatus(404);\nreturn res.json(invoice);",
      },
    },
  },
  // Words of the query shapes, definitions and plumbing the rule reads, not of tenant keys: a
  // finding's file need not name the tenant at all (the evidence may come from other files), and
  // the evidence a file records is read through one of these shapes too, so the gate does not
  // depend on the configured keys. Method names are matched with their dot (`.where`): this
  // assumes nothing between a dot and the name after it (no formatter writes `db. get`).
  //  - SQL in strings and .sql files: readSql() needs UPDATE, or FROM with SELECT/DELETE (a WITH
  //    statement that never says SELECT, UPDATE or DELETE reads no table).
  //  - Prisma: find*/count/aggregate/groupBy/update*/delete*/upsert, and create* (evidence).
  //    TypeORM: find*/count*/exist*/sum/average/minimum/maximum/delete/softDelete/update/restore.
  //    Knex: a chain with where*/select/first/update/del/count/pluck/increment/decrement/sum/avg/
  //    min/max/returning/forUpdate/orderBy/limit/paginate, insert (evidence), or a bare
  //    `await db('t')`/`await db.from('t')`, whose root is one of KNEX_ROOT or `this`; the root
  //    names are too short to require, so `await ` and the root (one space: what formatters
  //    write) are required together.
  //  - Python: `Model.objects`/`_default_manager` (Django), `.query` (Flask-SQLAlchemy and
  //    `session.query`), `select(`, `get_object_or_404`, `session.get(Model, id)` (`.get`).
  //  - Evidence from definitions: TypeORM `@Entity(`; Python classes on a base named *Model/*Base or
  //    AbstractUser; schema.prisma `model`; CREATE/ALTER TABLE and createTable/create_table/
  //    pgTable/… (`table`) or Sequelize `.define(`.
  //  - TENANT_PLUMBING: each of its alternatives holds one of the plumbing words below (`.org`,
  //    `.account`… are always preceded by a dot there).
  requires: {
    ts: [
      'select', 'update', 'delete', '.find', '.count', '.aggregate', '.groupby', '.del', '.upsert', '.create', '.exist', '.sum', '.average', '.min', '.max', '.restore', '.first', '.where', '.pluck', '.increment', '.decrement', '.avg', '.returning', '.orderby', '.limit', '.paginate', '.insert',
      'await db', 'await tx', 'await trx', 'await pg', 'await qb', 'await k', 'await this', 'await database', 'await conn', 'await builder', 'await sql', 'await mysql', 'await transaction',
      '@entity', 'table', '.define(',
      ...PLUMBING_GATE,
    ],
    py: ['select', 'update', 'delete', 'objects', '_default_manager', '.query', 'get_object_or_404', '.get', 'model', 'base', 'abstractuser', 'table', '.define(', ...PLUMBING_GATE],
    text: ['select', 'update', 'delete', 'model', 'table'],
  },
  ts: {
    query: `
${TS_METHOD_CALL} @call
(call_expression function: (identifier) arguments: (arguments . (string) @table)) @root
(call_expression function: (member_expression object: (call_expression) @inner)) @chain
(string) @sql
(template_string) @sql
`,
    onMatch: (match, ctx) => {
      // The method-call shape takes tagged templates too (`sql.raw\`…\``): they are not read here.
      if (!match.captures.args || hasArgumentList(match.captures)) onMatch(match, ctx, false);
    },
  },
  py: {
    query: `
${PY_CALL} @call
(call function: (attribute object: (call) @inner)) @chain
(string) @sql
`,
    onMatch: (match, ctx) => {
      if (!match.captures.call || isNamedCall(match.captures)) onMatch(match, ctx, true);
    },
  },
  checkText(ctx) {
    const state = fileState(ctx);
    const v = state.v;
    if (ctx.file.language === 'prisma') {
      if (state.tenantText) for (const d of scopedPrismaModels(ctx.file.source, v)) recordScoped(ctx, d.name, d.field);
      return;
    }
    if (ctx.file.language !== 'sql') return;
    if (state.tenantText) sourceDefinitions(ctx, v);
    if (state.excluded) return;
    // Query files (sqlc, pgtyped, hand-written reports): each statement on its own.
    let line = 1;
    for (const stmt of ctx.file.source.split(';')) {
      // Leading blank and comment lines (`-- name: GetInvoice :one`) are not the statement.
      const lead = /^(\s*(--[^\n]*)?\n)*\s*/.exec(stmt)![0];
      const startLine = line + (lead.match(/\n/g)?.length ?? 0);
      const body = stmt.slice(lead.length);
      const text = body.replace(/--[^\n]*/g, ' ').trim();
      if (isSqlStatement(text)) {
        const endLine = startLine + (body.trimEnd().match(/\n/g)?.length ?? 0);
        sqlTextFinding(ctx, text, startLine, endLine);
      }
      line += stmt.match(/\n/g)?.length ?? 0;
    }
  },
  checkFile(ctx, tree: Tree | undefined) {
    if (!tree) return;
    const state = fileState(ctx);
    if (state.plumbingWords && !isMigrationPath(ctx.file.path) && TENANT_PLUMBING.test(ctx.file.source)) ctx.facts.add(PLUMBING, 'seen');
    // Evidence needs a tenant field named in the source: every definition recorded has one, and
    // so has every query that counts as evidence. Such a file is read whole here, every query of
    // it; any other is read only where the diff is, through the query.
    if (!state.tenantText) return;
    if (ctx.file.language === 'python') pythonDefinitions(ctx, tree.rootNode, state.v);
    else tsDefinitions(ctx, tree.rootNode, state.v);
    sourceDefinitions(ctx, state.v);
    if (!state.excluded) readWhole(ctx, tree);
  },
};

/** A statement of a .sql file: same decision as a SQL string, reported on its lines. */
function sqlTextFinding(ctx: RuleContext, text: string, start: number, end: number): void {
  const read = readSql(text, fileState(ctx).v);
  if (read) consider(ctx, { ...read, lines: { start, end, text } });
}

export default rule;
