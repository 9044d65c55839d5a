import { pyBinding, tsBinding, unwrap, type Binding } from '../support/bindings.js';
import { fileMentions } from '../support/file-hints.js';
import { dbCallsIn, pyDbCall, tsDbCall, type DbCall } from '../support/orm.js';
import { descendants, dottedName, stringValue } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * A query per item of a query's results. The loop must be over rows a query returned (directly,
 * through a variable, a `.rows`/relation property, or the loop variable of such a loop), so loops
 * over request input, constants or chunks of ids are left alone; so are batched `IN` queries and
 * Django relations that the loop's queryset already prefetches.
 */

/** Loops that run once per migration, seed or one-off script: per-row queries are expected there. */
const ONE_OFF_PATH = /(^|\/)(migrations?|alembic|seeds?|seeders|fixtures|scripts|management\/commands)\/|(^|\/)seed\.[cm]?[jt]s$/;

/** Array methods whose result still holds one element per row. */
const TS_DERIVED = new Set(['filter', 'slice', 'sort', 'toSorted', 'reverse', 'toReversed', 'map', 'flat', 'flatMap', 'concat', 'values']);
const TS_ITERATORS = new Set(['forEach', 'map', 'flatMap']);
/** Python calls/methods whose result still holds one element per row. */
const PY_WRAPPERS = new Set(['list', 'sorted', 'reversed', 'enumerate', 'tuple', 'iter']);
const PY_DERIVED = new Set(['all', 'scalars', 'fetchall', 'mappings', 'unique', 'iterator', 'filter', 'exclude', 'order_by', 'values_list', 'partitions', 'yield_per', 'select_related', 'prefetch_related', 'distinct']);
/** Methods of a Django related manager (and SQLAlchemy dynamic relationships) that run a query. */
const RELATED_READS = new Set(['all', 'filter', 'exclude', 'count', 'exists', 'first', 'last', 'get', 'order_by', 'values_list', 'aggregate', 'annotate', 'latest', 'earliest', 'select_related', 'prefetch_related', 'only', 'defer']);

interface QuerySource {
  /** The query whose rows are looped over, as written: `prisma.user.findMany(...)`. */
  readonly query: SyntaxNode;
  /** Nodes followed from the loop to the query, to find `prefetch_related` on the way. */
  readonly path: readonly SyntaxNode[];
}

// ---------------------------------------------------------------------------------------------
// Where a loop's items come from

function tsQuerySource(expr: SyntaxNode | null | undefined, depth = 0, path: SyntaxNode[] = []): QuerySource | undefined {
  const node = unwrap(expr);
  if (!node || depth > 6) return undefined;
  path.push(node);
  switch (node.type) {
    case 'call_expression': {
      const db = tsDbCall(node);
      if (db) return db.access === 'write' ? undefined : { query: node, path };
      const fn = node.childForFieldName('function');
      const method = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
      if (method && TS_DERIVED.has(method)) return tsQuerySource(fn!.childForFieldName('object'), depth + 1, path);
      return undefined;
    }
    case 'member_expression':
    case 'subscript_expression':
      return tsQuerySource(node.childForFieldName('object'), depth + 1, path);
    case 'identifier':
      return fromBinding(tsBinding(node), depth, path, tsQuerySource);
    default:
      return undefined;
  }
}

function pyQuerySource(expr: SyntaxNode | null | undefined, depth = 0, path: SyntaxNode[] = []): QuerySource | undefined {
  const node = unwrap(expr);
  if (!node || depth > 6) return undefined;
  path.push(node);
  switch (node.type) {
    case 'call': {
      const db = pyDbCall(node);
      if (db) return db.access === 'write' ? undefined : { query: node, path };
      const fn = node.childForFieldName('function');
      if (fn?.type === 'identifier' && PY_WRAPPERS.has(fn.text)) {
        return pyQuerySource(node.childForFieldName('arguments')?.namedChildren[0], depth + 1, path);
      }
      if (fn?.type === 'attribute') {
        const method = fn.childForFieldName('attribute')!.text;
        // DRF/Django views: the view's queryset is a query.
        if (method === 'get_queryset' || method === 'filter_queryset') return { query: node, path };
        if (PY_DERIVED.has(method)) return pyQuerySource(fn.childForFieldName('object'), depth + 1, path);
      }
      return undefined;
    }
    case 'attribute':
      if (dottedName(node) === 'self.queryset') return { query: node, path };
      return pyQuerySource(node.childForFieldName('object'), depth + 1, path);
    case 'subscript':
      return pyQuerySource(node.childForFieldName('value'), depth + 1, path);
    case 'identifier': {
      const binding = pyBinding(node);
      // Admin actions and view helpers receive their queryset as `queryset`/`qs`.
      if (binding?.kind === 'parameter' && /^(queryset|qs)$/.test(node.text)) return { query: node, path };
      return fromBinding(binding, depth, path, pyQuerySource);
    }
    default:
      return undefined;
  }
}

type SourceOf = (expr: SyntaxNode | null | undefined, depth: number, path: SyntaxNode[]) => QuerySource | undefined;

function fromBinding(binding: Binding | undefined, depth: number, path: SyntaxNode[], sourceOf: SourceOf): QuerySource | undefined {
  if (!binding) return undefined;
  switch (binding.kind) {
    case 'value':
      return sourceOf(binding.value, depth + 1, path);
    case 'loop':
      // The loop variable of a loop over rows is a row: its relations are rows too.
      return sourceOf(binding.iterable, depth + 1, path);
    case 'parameter':
      return sourceOf(iteratedBy(binding.fn), depth + 1, path);
  }
}

/** For a callback passed to `items.map(...)`/`items.forEach(...)`, the `items` it iterates. */
function iteratedBy(fn: SyntaxNode): SyntaxNode | undefined {
  const args = fn.parent;
  const call = args?.parent;
  if (args?.type !== 'arguments' || call?.type !== 'call_expression') return undefined;
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'member_expression') return undefined;
  const method = callee.childForFieldName('property')?.text ?? '';
  return TS_ITERATORS.has(method) || method === 'filter' ? (callee.childForFieldName('object') ?? undefined) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Which calls in the body are per-item queries

/** `where: { id: { in: ids } }`, `filter(id__in=ids)`, `.in_(ids)`, `= ANY($1)`: one query for many items. */
function isBatched(db: DbCall): boolean {
  for (const node of descendants(db.call)) {
    if (node.type === 'pair' && node.childForFieldName('key')?.text === 'in') return true;
    if (node.type === 'keyword_argument' && /__in$/.test(node.childForFieldName('name')?.text ?? '')) return true;
    if ((node.type === 'property_identifier' || node.type === 'identifier') && (node.text === 'in_' || node.text === 'whereIn' || node.text === 'whereInIds')) return true;
    const text = stringValue(node);
    if (text && /=\s*any\s*\(|\bin\s*\(\s*(\?|\$\d|%s|:\w+)/i.test(text)) return true;
  }
  return false;
}

/** Conditions that guard a lookup by a cache: `if key not in cache:`, `if (!seen.has(id))`. */
const CACHE_GUARD = /\b\w*(cache|memo|seen|visited|known|lookup)\w*\b|!\s*[\w.]+\.has\(|\bnot\s+in\b/i;

/** A query that runs only on a cache miss runs once per distinct key, not once per row. */
function isMemoised(call: SyntaxNode, body: SyntaxNode): boolean {
  for (let p = call.parent; p && p !== body.parent; p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'conditional_expression' || p.type === 'ternary_expression') {
      const condition = p.childForFieldName('condition');
      if (condition && CACHE_GUARD.test(condition.text)) return true;
    }
    if (p.type === 'binary_expression' || p.type === 'boolean_operator') {
      // cache.get(k) ?? await db.find(k), cache[k] or session.get(K, k)
      const left = p.childForFieldName('left');
      if (left && left !== call && !contains(left, call) && CACHE_GUARD.test(left.text)) return true;
    }
  }
  return false;
}

function contains(outer: SyntaxNode, inner: SyntaxNode): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** `book.authors.all()`: a Django related manager (or a SQLAlchemy dynamic relationship) on the loop item. */
function relatedManagerCall(call: SyntaxNode, itemNames: ReadonlySet<string>): { relation: string } | undefined {
  // Walk down `.filter(...).exists()` to the call made on `item.relation`.
  let node: SyntaxNode | undefined = call;
  for (let depth = 0; node?.type === 'call' && depth < 10; depth++) {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute') return undefined;
    const method = fn.childForFieldName('attribute')!.text;
    const receiver = fn.childForFieldName('object');
    if (receiver?.type === 'attribute') {
      const item = receiver.childForFieldName('object');
      const relation = receiver.childForFieldName('attribute')!.text;
      if (item?.type === 'identifier' && itemNames.has(item.text) && RELATED_READS.has(method) && looksLikeManagerCall(node, method)) {
        return { relation };
      }
    }
    node = receiver?.type === 'call' ? receiver : undefined;
  }
  return undefined;
}

/** `obj.data.get("key")` and `obj.tags.count("x")` are dict/list methods; a manager takes keywords or nothing. */
function looksLikeManagerCall(call: SyntaxNode, method: string): boolean {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
  const positional = args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
  if (method === 'get' || method === 'count' || method === 'first' || method === 'last' || method === 'all' || method === 'exists') return positional.length === 0 && (method !== 'get' || args.length > 0);
  return true;
}

/** Relations a queryset prefetches: `prefetch_related("authors", Prefetch("tags"))` → authors, tags. */
function prefetchedRelations(path: readonly SyntaxNode[]): Set<string> {
  const out = new Set<string>();
  for (const start of path) {
    for (const node of start.descendantsOfType('call')) {
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'prefetch_related') continue;
      for (const arg of node.childForFieldName('arguments')?.namedChildren ?? []) {
        const value = stringValue(arg) ?? (arg.type === 'call' ? stringValue(arg.childForFieldName('arguments')?.namedChildren[0]) : undefined);
        if (value) out.add(value.split('__')[0]!);
      }
    }
  }
  return out;
}

/** Names bound to the current item by a loop or callback: `u`, or `i, u` from `enumerate`. */
function boundNames(pattern: SyntaxNode | null | undefined): Set<string> {
  const out = new Set<string>();
  if (!pattern) return out;
  for (const node of pattern.descendantsOfType(['identifier', 'shorthand_property_identifier_pattern'])) {
    out.add(node.text);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reporting

const reported = new WeakMap<object, Set<number>>();

function reportOnce(ctx: RuleContext, node: SyntaxNode, message: string): void {
  let seen = reported.get(ctx.file);
  if (!seen) reported.set(ctx.file, (seen = new Set()));
  if (seen.has(node.startIndex)) return;
  seen.add(node.startIndex);
  ctx.report({ node, message });
}

function describe(ctx: RuleContext, node: SyntaxNode): string {
  const text = ctx.text(node).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function lineOf(node: SyntaxNode): number {
  return node.startPosition.row + 1;
}

/** Files that may run queries: an ORM, a query builder, a driver or a DRF/Django queryset. */
const DB_HINT = /\.objects\b|session|\.query\b|execute|cursor|select\(|queryset|prisma|knex|\bdb\b|\.find|[Rr]epo|pool|\bsql\b|\.fetch|\$queryRaw/;

/** Whether a body has any call in it: every call has `(` in its text, or is a tagged template. */
function mayCall(ctx: RuleContext, body: SyntaxNode): boolean {
  const text = ctx.text(body);
  return text.includes('(') || text.includes('`');
}

/**
 * @param traced the iterable's source once traced, shared by the parts of one comprehension
 * (its element and its conditions all loop over the same rows).
 */
function checkLoop(ctx: RuleContext, iterable: SyntaxNode, body: SyntaxNode, itemPattern: SyntaxNode | null | undefined, python: boolean, traced: { source?: QuerySource | null } = {}): void {
  if (ONE_OFF_PATH.test(ctx.file.path) || !fileMentions(ctx, DB_HINT)) return;
  // Only calls in the body are reported: a body without one is answered before the iterable is
  // traced back through its bindings (the costly part).
  if (!mayCall(ctx, body)) return;
  if (traced.source === undefined) traced.source = (python ? pyQuerySource(iterable) : tsQuerySource(iterable)) ?? null;
  const source = traced.source;
  if (!source) return;
  const where = source.query === unwrap(iterable) ? '' : ` (rows from \`${describe(ctx, source.query)}\`, line ${lineOf(source.query)})`;
  const loopText = describe(ctx, iterable);

  const calls = dbCallsIn(body).filter((db) => db.access !== 'write' && !isBatched(db) && !isMemoised(db.call, body));
  const first = calls[0];
  if (first) {
    reportOnce(
      ctx,
      first.call,
      `\`${describe(ctx, first.call)}\` runs once per item of \`${loopText}\`${where}: one query per row (N+1). Load them all in one query before the loop.`,
    );
    return;
  }
  if (!python) return;
  const items = boundNames(itemPattern);
  if (items.size === 0) return;
  const prefetched = prefetchedRelations(source.path);
  for (const node of body.descendantsOfType('call')) {
    const related = relatedManagerCall(node, items);
    if (!related || prefetched.has(related.relation)) continue;
    reportOnce(
      ctx,
      node,
      `\`${describe(ctx, node)}\` queries \`${related.relation}\` once per item of \`${loopText}\`${where} (N+1). Add \`prefetch_related("${related.relation}")\` to the queryset.`,
    );
    return;
  }
}

function onTsMatch(match: RuleMatch, ctx: RuleContext): void {
  const { loop, iterable, body, method, callback, condition } = match.captures;
  if (!loop) return;
  if (loop.type === 'for_in_statement') {
    // `for (… in obj)` walks keys; only `for … of` walks rows.
    if (!loop.children.some((c) => c.type === 'of')) return;
    checkLoop(ctx, iterable!, body!, loop.childForFieldName('left'), false);
  } else if (loop.type === 'for_statement' && condition && body) {
    // for (let i = 0; i < users.length; i++)
    const right = condition.childForFieldName('right');
    const operator = condition.childForFieldName('operator')?.text ?? condition.children[1]?.text;
    if ((operator === '<' || operator === '<=') && right?.type === 'member_expression' && right.childForFieldName('property')?.text === 'length') {
      checkLoop(ctx, right.childForFieldName('object')!, body, undefined, false);
    }
  } else if (method && callback && TS_ITERATORS.has(method.text)) {
    const fnBody = callback.childForFieldName('body');
    if (fnBody) checkLoop(ctx, iterable!, fnBody, callback.childForFieldName('parameters') ?? callback.childForFieldName('parameter'), false);
  }
}

function onPyMatch(match: RuleMatch, ctx: RuleContext): void {
  const { loop, iterable, body } = match.captures;
  if (!loop || !iterable) return;
  const item = loop.childForFieldName('left');
  if (loop.type === 'for_statement') {
    checkLoop(ctx, iterable, body!, item, true);
    return;
  }
  // A comprehension: its element expression (and conditions) run once per item.
  const comprehension = loop.parent;
  if (!comprehension) return;
  const traced = {};
  for (const part of comprehension.namedChildren) {
    if (part === loop || part.type === 'for_in_clause') continue;
    checkLoop(ctx, iterable, part, item, true, traced);
  }
}

const rule: Rule = {
  meta: {
    id: 'n-plus-one-query',
    title: 'Query inside a loop over query results (N+1)',
    severity: 'P1',
    category: 'Performance',
    languages: ['ts', 'py'],
    docs: {
      why: 'A query per row turns one request into hundreds of database round trips as the table grows: latency climbs with the data, and under load the connection pool runs dry for every other request.',
      fix: 'Fetch the related rows together: Prisma `include`/`select` or one `findMany({ where: { id: { in: ids } } })`, Knex `whereIn`, Django `select_related`/`prefetch_related`, SQLAlchemy `selectinload`/`joinedload` or one `IN` query, then join in memory.',
      example: {
        bad: `const posts = await prisma.post.findMany({ where: { published: true } });
for (const post of posts) {
  post.author = await prisma.user.findUnique({ where: { id: post.authorId } });
}`,
        good: `const posts = await prisma.post.findMany({
  where: { published: true },
  include: { author: true },
});`,
      },
    },
  },
  // Only loops are judged: `for`/`forEach` (and Python `for`, comprehensions) or `.map`/`.flatMap`.
  // No database word is necessary: a Knex client may be `db('users')`, and 'db' is too short.
  requires: ['for', 'map'],
  scope: 'changed',
  ts: {
    query: `
(for_in_statement right: (_) @iterable body: (_) @body) @loop
(for_statement condition: (binary_expression) @condition body: (_) @body) @loop
(call_expression
  function: (member_expression object: (_) @iterable property: (property_identifier) @method)
  arguments: (arguments [(arrow_function) (function_expression)] @callback)) @loop
`,
    onMatch: onTsMatch,
  },
  py: {
    query: `
(for_statement right: (_) @iterable body: (block) @body) @loop
(for_in_clause right: (_) @iterable) @loop
`,
    onMatch: onPyMatch,
  },
};

export default rule;
