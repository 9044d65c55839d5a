import { pyBinding, unwrap } from '../support/bindings.js';
import { fileMentions } from '../support/file-hints.js';
import { enclosingHandler, responseExpressions, type HttpHandler } from '../support/http-handlers.js';
import { literalText, pyDbCall, sqlVerb, tsDbCall, type DbCall } from '../support/orm.js';
import { dottedName, hasSpread, objectProperty, PY_CALL, PY_METHOD_CALL, stringValue, TS_CALL, visitPruned } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * A list endpoint that answers with every row of a query. Only queries whose rows reach the
 * response of an HTTP GET handler (Express/Fastify/Hono routes, Next.js route handlers and API
 * routes, NestJS @Get, tRPC queries, FastAPI/Flask routes, Django views, DRF list views) are
 * looked at: jobs, scripts and streams read as much as they like.
 */

const FACT_DEFAULT_PAGINATION = 'missing-pagination:drf-default-pagination';
const NOT_REQUEST_CODE = /(^|\/)(migrations?|alembic|seeds?|scripts|management\/commands|workers?|jobs|cron|tasks)\//;

// ---------------------------------------------------------------------------------------------
// Is the query bounded?

/** Keys on a `where` that pick one row or a known set: `{ id }`, `{ id: { in: ids } }`, `{ slug }`. */
const UNIQUE_KEYS = new Set(['id', 'uuid', 'pk', 'slug']);

function tsWhereIsUnique(args: SyntaxNode | undefined): boolean {
  const where = objectProperty(args, 'where');
  return !!where && hasUniqueKey(where);
}

function hasUniqueKey(object: SyntaxNode): boolean {
  if (object.type !== 'object') return false;
  return object.namedChildren.some((p) => UNIQUE_KEYS.has(p.type === 'pair' ? (p.childForFieldName('key')?.text ?? '') : p.type === 'shorthand_property_identifier' ? p.text : ''));
}

const KNEX_BOUNDS = new Set(['limit', 'first', 'paginate', 'count', 'countDistinct', 'sum', 'avg', 'min', 'max', 'insert', 'update', 'del', 'delete', 'stream', 'pluck', 'findOne', 'one', 'single', 'take']);
const SQL_LIMIT = /\b(limit|fetch\s+(first|next)|top\s*\(?\s*\d|offset)\b/i;
const SQL_AGGREGATE_ONLY = /^\s*select\s+(count|sum|avg|min|max|exists)\s*\(/i;
const SQL_BY_ID = /\bwhere\s+([\w."]+\.)?"?(id|uuid|slug)"?\s*=\s*(\$\d|\?|%s|:\w+)/i;

function sqlIsUnbounded(text: string): boolean {
  return sqlVerb(text) === 'select' && /\bfrom\b/i.test(text) && !SQL_LIMIT.test(text) && !SQL_AGGREGATE_ONLY.test(text) && !SQL_BY_ID.test(text);
}

/** Why a TS query returns unboundedly many rows, or undefined when it is bounded or unknown. */
function tsUnbounded(db: DbCall): string | undefined {
  const args = db.root.childForFieldName('arguments');
  const options = args?.namedChildren.find((c) => c.type !== 'comment');
  const rootMethod = db.chain[0];
  switch (db.library) {
    case 'prisma': {
      if (rootMethod !== 'findMany') return undefined;
      if (options && options.type !== 'object') return undefined; // built elsewhere: cannot tell
      if (options && (hasSpread(options) || objectProperty(options, 'take') || objectProperty(options, 'cursor') || tsWhereIsUnique(options))) return undefined;
      return 'no `take`';
    }
    case 'typeorm': {
      if (rootMethod !== 'find' && rootMethod !== 'findBy') return undefined;
      if (options && options.type !== 'object') return undefined;
      if (options && (hasSpread(options) || objectProperty(options, 'take') || objectProperty(options, 'skip') || tsWhereIsUnique(options))) return undefined;
      if (rootMethod === 'findBy' && options && UNIQUE_KEYS.has(options.namedChildren[0]?.childForFieldName('key')?.text ?? options.namedChildren[0]?.text ?? '')) return undefined;
      return 'no `take`';
    }
    case 'model': {
      if (rootMethod === 'findAll') {
        if (options && (options.type !== 'object' || hasSpread(options) || objectProperty(options, 'limit'))) return undefined;
        return 'no `limit`';
      }
      if (rootMethod === 'find' && !db.chain.includes('limit') && !db.chain.includes('cursor')) {
        if (options && options.type === 'object' && options.namedChildren.some((p) => UNIQUE_KEYS.has(p.childForFieldName('key')?.text ?? '') || p.childForFieldName('key')?.text === '_id')) return undefined;
        return 'no `.limit()`';
      }
      return undefined;
    }
    case 'knex': {
      if (db.access !== 'read' || db.chain.some((m) => KNEX_BOUNDS.has(m))) return undefined;
      if (db.chain[0] === 'raw') {
        const text = literalText(options);
        return text !== undefined && sqlIsUnbounded(text) ? 'no `LIMIT`' : undefined;
      }
      if (knexWhereIsUnique(db.call)) return undefined;
      return 'no `.limit()`';
    }
    case 'sql': {
      const sqlArg = db.root.childForFieldName('arguments');
      const text = sqlArg?.type === 'template_string' ? literalText(sqlArg) : literalText(options);
      return text !== undefined && sqlIsUnbounded(text) ? 'no `LIMIT`' : undefined;
    }
    default:
      return undefined;
  }
}

/** `.where({ id })`, `.where('id', id)`, `.where('users.id', '=', id)`. */
function knexWhereIsUnique(call: SyntaxNode): boolean {
  for (const node of call.descendantsOfType('call_expression')) {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'where') continue;
    const first = node.childForFieldName('arguments')?.namedChildren[0];
    const column = stringValue(first);
    if (column && UNIQUE_KEYS.has(column.slice(column.lastIndexOf('.') + 1))) return true;
    if (first && hasUniqueKey(first)) return true;
  }
  return false;
}

const DJANGO_BOUNDS = new Set(['get', 'first', 'last', 'count', 'exists', 'aggregate', 'latest', 'earliest', 'get_or_create', 'update_or_create', 'in_bulk', 'iterator', 'aget', 'afirst', 'alast', 'acount', 'aexists', 'none', 'contains']);
const SQLALCHEMY_BOUNDS = new Set(['limit', 'first', 'one', 'one_or_none', 'scalar_one', 'scalar_one_or_none', 'scalar', 'get', 'paginate', 'count', 'slice', 'fetch', 'fetchone', 'fetchmany', 'yield_per', 'partitions', 'stream', 'stream_scalars', 'exists', 'offset', 'get_or_404', 'first_or_404', 'one_or_404', 'paginate']);
const UNIQUE_KWARG = /^(id|pk|uuid|slug)(__exact)?$/;
/** The nodes of a Python query pyUnbounded() reads: calls, keywords, comparisons, subscripts. */
const QUERY_PART_TYPES = ['call', 'keyword_argument', 'comparison_operator', 'subscript'];

/**
 * The nodes that make up a Python query: the call chain plus the statements it was given by name
 * (`stmt = select(User).where(...)`, then `session.execute(stmt)`).
 */
function pyQueryParts(db: DbCall): SyntaxNode[] {
  const parts: SyntaxNode[] = [db.call];
  const stack: SyntaxNode[] = [db.call];
  for (let depth = 0; stack.length && depth < 6; depth++) {
    const node = stack.pop()!;
    for (const id of node.descendantsOfType('identifier')) {
      if (id.parent?.type === 'attribute' && id.parent.childForFieldName('attribute') === id) continue;
      const binding = pyBinding(id);
      if (binding?.kind === 'value' && !parts.includes(binding.value) && binding.value.endIndex <= db.call.startIndex) {
        const v = unwrap(binding.value);
        if (v?.type === 'call' && !fetchesOneRow(v)) {
          parts.push(v);
          stack.push(v);
        }
      }
    }
  }
  return parts;
}

/** Methods that return one row or value: a variable holding one is a filter's value, not a statement. */
const ONE_ROW_METHODS = new Set(['get', 'first', 'last', 'latest', 'earliest', 'one', 'one_or_none', 'scalar', 'scalar_one', 'scalar_one_or_none', 'get_or_404', 'first_or_404', 'one_or_404', 'aget', 'afirst', 'alast', 'alatest', 'aearliest']);

/**
 * `customer = get_object_or_404(Customer, pk=pk)`, `status = request.GET.get("status")`: a variable
 * given to a query as a value, whose own lookup (`pk=`, `.get`) says nothing of the query's bounds.
 */
function fetchesOneRow(call: SyntaxNode): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier') return ONE_OBJECT_SHORTCUTS.test(fn.text);
  if (fn?.type !== 'attribute') return false;
  return ONE_ROW_METHODS.has(fn.childForFieldName('attribute')?.text ?? '') || ONE_OBJECT_SHORTCUTS.test(dottedName(fn) ?? '');
}

/**
 * `get_list_or_404(Order, customer=…)`: every matching row, or a 404 when there is none. Given a
 * queryset instead of a model, the queryset is the query (and read as one), not the shortcut.
 */
const LIST_SHORTCUT = /^a?get_list_or_404$/;

function isListShortcut(ctx: RuleContext, callee: SyntaxNode, args: SyntaxNode | undefined): boolean {
  if (callee.type !== 'identifier') return false;
  // Every call of the file comes here: the name's first letters answer before its text is read.
  const at = callee.startIndex;
  const source = ctx.file.source;
  if (!source.startsWith('get_list', at) && !source.startsWith('aget_list', at)) return false;
  if (!LIST_SHORTCUT.test(ctx.text(callee))) return false;
  const first = args?.namedChildren.find((a) => a.type !== 'comment');
  return first?.type === 'identifier' || first?.type === 'attribute';
}

/** Django shortcuts that take a queryset and return the one object it holds (or raise 404). */
const ONE_OBJECT_SHORTCUTS = /^(django\.shortcuts\.|shortcuts\.)?a?get_object_or_404$/;

/**
 * `get_object_or_404(Order.objects.filter(owner=request.user), pk=pk)`: the queryset narrows
 * the lookup (often to the caller's rows) and the shortcut fetches one object from it.
 */
function narrowsOneObjectLookup(call: SyntaxNode): boolean {
  const args = call.parent;
  const shortcut = args?.type === 'argument_list' ? args.parent : undefined;
  if (shortcut?.type !== 'call') return false;
  const fn = shortcut.childForFieldName('function');
  return !!fn && ONE_OBJECT_SHORTCUTS.test(dottedName(fn) ?? '') && args!.namedChildren.find((a) => a.type !== 'comment') === call;
}

function pyUnbounded(db: DbCall): string | undefined {
  if (db.access === 'write') return undefined;
  const sliced = db.call.parent?.type === 'subscript';
  if (sliced || narrowsOneObjectLookup(db.call)) return undefined;
  const parts = pyQueryParts(db);
  const methods = new Set<string>();
  // A statement is a `select(...)`/`query(...)`, or Flask-SQLAlchemy's `Model.query`.
  let sawStatement = db.library === 'django' || (db.library === 'sqlalchemy' && /^[A-Z]/.test(db.model ?? ''));
  for (const part of parts) {
    for (const node of part.descendantsOfType(QUERY_PART_TYPES)) {
      if (node.type === 'call') {
        const fn = node.childForFieldName('function');
        const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')!.text : fn?.text;
        if (name) methods.add(name);
        if (name === 'select' || name === 'query') sawStatement = true;
      } else if (node.type === 'keyword_argument' && UNIQUE_KWARG.test(node.childForFieldName('name')?.text ?? '')) {
        return undefined;
      } else if (node.type === 'comparison_operator' && /\.(id|uuid|slug)$/.test(node.namedChildren[0]?.text ?? '') && node.children.some((c) => c.type === '==')) {
        return undefined;
      } else if (node.type === 'subscript' && node.childForFieldName('subscript')?.type === 'slice') {
        return undefined;
      }
    }
  }
  switch (db.library) {
    case 'django':
      if ([...methods].some((m) => DJANGO_BOUNDS.has(m))) return undefined;
      if (db.chain.includes('raw')) return undefined;
      return 'no slice or paginator';
    case 'sqlalchemy':
      if (!sawStatement || [...methods].some((m) => SQLALCHEMY_BOUNDS.has(m))) return undefined;
      return 'no `.limit()`';
    case 'dbapi': {
      const text = literalText(db.root.childForFieldName('arguments')?.namedChildren[0]);
      return text !== undefined && sqlIsUnbounded(text) ? 'no `LIMIT`' : undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Does the query reach the response?

const TS_BINDERS = new Set(['variable_declarator', 'assignment_expression']);
const PY_BINDERS = new Set(['assignment']);
const NESTED = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'function_definition', 'lambda', 'class_definition']);
const TS_BINDERS_AND_NESTED = [...TS_BINDERS, ...NESTED];
const PY_BINDERS_AND_NESTED = [...PY_BINDERS, ...NESTED];
const NAME_TYPES = ['identifier', 'shorthand_property_identifier'];
const TARGET_NAME_TYPES = ['identifier', 'shorthand_property_identifier_pattern'];

function contains(outer: SyntaxNode, inner: SyntaxNode): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** Whether `node` reads one of `names` as a list (not only its length or count). */
function mentions(node: SyntaxNode, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  for (const id of node.descendantsOfType(NAME_TYPES)) {
    if (!names.has(id.text)) continue;
    const parent = id.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute') === id) continue;
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('name') === id) continue;
    if (parent?.type === 'member_expression' && /^(length|size)$/.test(parent.childForFieldName('property')?.text ?? '')) continue;
    if (parent?.type === 'argument_list' && /^(len|bool)$/.test(parent.parent?.childForFieldName('function')?.text ?? '')) continue;
    // `Tag.objects.exclude(name__in=current)`: a subquery, not the rows answered.
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('value') === id && /__in$/.test(parent.childForFieldName('name')?.text ?? '')) continue;
    if (readThroughSlice(id, node)) continue;
    return true;
  }
  return false;
}

/** `list(tags.exclude(…).values_list("name")[:20])`: the rows read from `id` are sliced on the way (Python). */
function readThroughSlice(id: SyntaxNode, within: SyntaxNode): boolean {
  for (let p = id.parent; p && contains(within, p); p = p.parent) {
    if (p.type === 'subscript' && p.childForFieldName('subscript')?.type === 'slice') {
      const value = p.childForFieldName('value');
      if (value && contains(value, id)) return true;
    }
    if (p.type === 'call' && p.childForFieldName('function')?.type === 'identifier') break; // list(…), sorted(…): the slice must come first
  }
  return false;
}

/** Whether the query's rows reach what the handler answers, directly or through local variables. */
function reachesResponse(fn: SyntaxNode, query: SyntaxNode): boolean {
  const sinks = responseExpressions(fn);
  if (sinks.some((s) => contains(s, query))) return true;
  const python = fn.type === 'function_definition';
  const binders = python ? PY_BINDERS : TS_BINDERS;
  const tainted = new Set<string>();
  const body = fn.childForFieldName('body');
  // The binders of the body in document order, nested functions' own passed over (a node
  // starting before the end of a nested function lies inside it).
  const ordered: SyntaxNode[] = [];
  visitPruned(body ? body.descendantsOfType(python ? PY_BINDERS_AND_NESTED : TS_BINDERS_AND_NESTED) : [], (node) => {
    if (node !== body && NESTED.has(node.type)) return 'skip';
    if (binders.has(node.type)) ordered.push(node);
  });
  for (const binder of ordered) {
    const value = binder.childForFieldName('value') ?? binder.childForFieldName('right');
    const target = binder.childForFieldName('name') ?? binder.childForFieldName('left');
    if (!value || !target) continue;
    if (contains(value, query) || mentions(value, tainted)) {
      for (const id of target.descendantsOfType(TARGET_NAME_TYPES)) tainted.add(id.text);
    }
  }
  return sinks.some((s) => mentions(s, tainted));
}

/** Paginators in the handler take care of the limit: Django `Paginator`, DRF `paginate_queryset`, fastapi-pagination `paginate`. */
function paginatedInHandler(fn: SyntaxNode): boolean {
  return /\b(Paginator|paginate_queryset|paginate)\s*\(/.test(fn.text);
}

// ---------------------------------------------------------------------------------------------
// Reporting

function describe(ctx: RuleContext, node: SyntaxNode): string {
  const text = ctx.text(node).replace(/\s+/g, ' ');
  return text.length > 70 ? `${text.slice(0, 67)}…` : text;
}

/** Only the outermost call of a chain is a query; `db('users')` inside `db('users').where(…)` is not. */
function isChainLink(call: SyntaxNode): boolean {
  // Each `.parent` is a native call: read it once per level.
  let parent = call.parent;
  while (parent && (parent.type === 'await_expression' || parent.type === 'await' || parent.type === 'parenthesized_expression')) parent = parent.parent;
  if (parent?.type !== 'member_expression' && parent?.type !== 'attribute') return false;
  const grandparent = parent.parent;
  return grandparent?.type === 'call_expression' || grandparent?.type === 'call';
}

/** Files that may hold an HTTP handler: route registrations, route exports, views, procedures. */
const HANDLER_HINT =
  /\.(get|route|api_route)\(|export\s+(async\s+)?function\s+GET\b|export\s+const\s+GET\b|export\s+default|@Get\(|[Pp]rocedure|api_view|def\s+\w+\(\s*(self,\s*)?request\b|View\b|ViewSet\b/;

/** The GET (or any-method) handler whose body holds the call, if any. */
function getHandlerAt(ctx: RuleContext, call: SyntaxNode): HttpHandler | undefined {
  const handler = enclosingHandler(call, ctx.file.path, ctx.file.source);
  return handler && (handler.method === 'GET' || handler.method === 'ANY') ? handler : undefined;
}

function checkCall(ctx: RuleContext, call: SyntaxNode, python: boolean): void {
  if (NOT_REQUEST_CODE.test(ctx.file.path) || !fileMentions(ctx, HANDLER_HINT)) return;
  // The database read first: most calls are none, which a few field reads tell, and only for a
  // read is the handler looked up, walking up from the call (each function judged once per file).
  // Listing every handler of a file up front cost more on whole files too (TypeScript: 24 ms a
  // pass against 9, Django 77 against 65).
  if (isChainLink(call)) return;
  const db = python ? pyDbCall(call) : tsDbCall(call);
  if (!db || db.access === 'write') return;
  const handler = getHandlerAt(ctx, call);
  if (!handler) return;
  const why = python ? pyUnbounded(db) : tsUnbounded(db);
  if (!why) return;
  if (paginatedInHandler(handler.fn) || !reachesResponse(handler.fn, call)) return;
  ctx.report({
    node: call,
    message: `\`${describe(ctx, call)}\` answers this GET with every matching row (${why}): the response, its memory and its latency grow with the table. Page it with a maximum page size.`,
  });
}

// DRF list views --------------------------------------------------------------------------------

const DRF_LIST_VIEWS = new Set(['ListAPIView', 'ListCreateAPIView', 'ModelViewSet', 'ReadOnlyModelViewSet']);
const DRF_PARTS = new Set([...DRF_LIST_VIEWS, 'GenericAPIView', 'GenericViewSet', 'ListModelMixin', 'CreateModelMixin', 'RetrieveModelMixin', 'UpdateModelMixin', 'DestroyModelMixin', 'RetrieveUpdateAPIView', 'RetrieveUpdateDestroyAPIView', 'RetrieveAPIView', 'CreateAPIView']);

function classAttribute(body: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const statement of body.namedChildren) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : undefined;
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.text === name) return assignment;
  }
  return undefined;
}

function classMethod(body: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const statement of body.namedChildren) {
    const fn = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === name) return fn;
  }
  return undefined;
}

/** The unbounded Django query a view's `queryset` attribute or `get_queryset()` gives, if any. */
function viewQuery(body: SyntaxNode): { node: SyntaxNode; report: SyntaxNode } | undefined {
  const attribute = classAttribute(body, 'queryset');
  const value = attribute?.childForFieldName('right');
  if (attribute && value?.type === 'call') {
    const db = pyDbCall(value);
    if (db?.library === 'django' && pyUnbounded(db)) return { node: value, report: attribute };
    return undefined;
  }
  const getQueryset = classMethod(body, 'get_queryset');
  if (!getQueryset) return undefined;
  for (const node of getQueryset.descendantsOfType('return_statement')) {
    const returned = unwrap(node.namedChild(0));
    if (returned?.type !== 'call') return undefined;
    const db = pyDbCall(returned);
    if (db?.library !== 'django' || !pyUnbounded(db)) return undefined;
  }
  return { node: getQueryset, report: getQueryset.childForFieldName('name')! };
}

/** The last name of a base as `dottedName` would end it (when it has one), without building it. */
function lastName(ctx: RuleContext, node: SyntaxNode): string | undefined {
  if (node.type === 'identifier') return ctx.text(node);
  if (node.type === 'attribute') {
    const attribute = node.childForFieldName('attribute');
    return attribute ? ctx.text(attribute) : undefined;
  }
  if (node.type === 'parenthesized_expression') {
    const inner = node.namedChild(0);
    return inner ? lastName(ctx, inner) : undefined;
  }
  return undefined;
}

function checkDrfView(ctx: RuleContext, klass: SyntaxNode): void {
  if (NOT_REQUEST_CODE.test(ctx.file.path)) return;
  const superclasses = klass.childForFieldName('superclasses')?.namedChildren ?? [];
  // Most classes have a base that is not DRF's: their last names answer before any dotted name is built.
  if (!superclasses.every((b) => DRF_PARTS.has(lastName(ctx, b) ?? ''))) return;
  const bases = superclasses.map((b) => dottedName(b)?.split('.').pop() ?? '');
  // A custom base class may paginate: only views built from DRF's own classes are judged.
  if (bases.length === 0 || !bases.every((b) => DRF_PARTS.has(b)) || !bases.some((b) => DRF_LIST_VIEWS.has(b) || b === 'ListModelMixin')) return;
  const body = klass.childForFieldName('body');
  if (!body || classMethod(body, 'list')) return;
  const query = viewQuery(body);
  if (!query) return;
  const name = klass.childForFieldName('name')!.text;
  const pagination = classAttribute(body, 'pagination_class');
  if (pagination) {
    if (pagination.childForFieldName('right')?.type === 'none') {
      ctx.report({
        node: pagination,
        message: `\`${name}\` turns pagination off for a list of \`${describe(ctx, query.node)}\`: every request returns the whole table.`,
      });
    }
    return;
  }
  ctx.report({
    node: query.report,
    severity: 'P2',
    message: `\`${name}\` lists \`${describe(ctx, query.node)}\` with no \`pagination_class\`, and this change sets no \`DEFAULT_PAGINATION_CLASS\`: unless the project's settings paginate by default, every request returns the whole table.`,
    when: (facts) => !facts.has(FACT_DEFAULT_PAGINATION, 'set'),
  });
}

function recordDefaultPagination(ctx: RuleContext): void {
  if (ctx.file.language !== 'python') return;
  const source = ctx.file.source;
  const at = source.indexOf('DEFAULT_PAGINATION_CLASS');
  if (at < 0) return;
  const value = source.slice(at, at + 120);
  if (!/DEFAULT_PAGINATION_CLASS['"]?\s*[:=]\s*None\b/.test(value)) ctx.facts.add(FACT_DEFAULT_PAGINATION, 'set');
}

const rule: Rule = {
  meta: {
    id: 'missing-pagination',
    title: 'List endpoint without pagination',
    severity: 'P1',
    category: 'Performance',
    languages: ['ts', 'py'],
    docs: {
      why: 'A list endpoint that returns every row is fast in development and falls over in production: as the table grows, each call reads, serialises and sends all of it, memory spikes, and one customer with a large account times out the endpoint for everybody.',
      fix: 'Page the query with a maximum page size: Prisma `take` (+ `cursor`/`skip`), Knex `.limit()`, SQL `LIMIT`, SQLAlchemy `.limit()`, a DRF `pagination_class` (or `DEFAULT_PAGINATION_CLASS`), Django `Paginator`. Return a cursor for the next page.',
      example: {
        bad: `export async function GET() {
  const invoices = await prisma.invoice.findMany({ where: { orgId } });
  return NextResponse.json(invoices);
}`,
        good: `export async function GET(req: NextRequest) {
  const cursor = req.nextUrl.searchParams.get('cursor') ?? undefined;
  const invoices = await prisma.invoice.findMany({
    where: { orgId },
    take: 50,
    ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
    orderBy: { id: 'asc' },
  });
  return NextResponse.json({ invoices, next: invoices.at(-1)?.id });
}`,
      },
    },
  },
  // Queries are reported only in files HANDLER_HINT matches (its words: `.get(`/`@Get(`/`GET`,
  // `.route(`/`api_route`, `export`, `procedure`, `View`/`api_view`, `request`); no database word
  // is necessary (Knex `db('users')`). DRF list views extend a `…View…` class or
  // `ListModelMixin`; the pagination fact needs `DEFAULT_PAGINATION_CLASS`.
  requires: ['get', 'route', 'export', 'procedure', 'view', 'request', 'listmodelmixin', 'default_pagination_class'],
  scope: 'changed',
  ts: {
    query: `
${TS_CALL} @call
(call_expression function: (identifier) arguments: (arguments . (string))) @call
(call_expression arguments: (template_string)) @call
`,
    onMatch: (match: RuleMatch, ctx: RuleContext) => {
      // Of the every-call shape (the only pattern with @function), method calls.
      if (!match.captures.function || match.captures.function.type === 'member_expression') checkCall(ctx, match.captures.call!, false);
    },
  },
  py: {
    query: `
${PY_METHOD_CALL} @call
${PY_CALL} @call
(class_definition superclasses: (argument_list)) @view
`,
    onMatch: (match: RuleMatch, ctx: RuleContext) => {
      const { view, call, function: callee, args } = match.captures;
      if (view) checkDrfView(ctx, view);
      // Of every call (PY_CALL, the pattern with @function), the list shortcut: method calls come with @method.
      else if (!callee || isListShortcut(ctx, callee, args)) checkCall(ctx, call!, true);
    },
  },
  checkFile: recordDefaultPagination,
};

export default rule;
