import type { SyntaxNode } from '../../src/engine/types.js';
import { unwrap } from './bindings.js';
import { dottedName, stringValue, visitPruned } from './syntax.js';

/**
 * Recognises database calls by their shape in the ORMs and drivers our users write: Prisma,
 * Knex, Drizzle, TypeORM, pg/mysql2/postgres.js, Mongoose/Sequelize models (TypeScript); Django
 * ORM, SQLAlchemy 1.x/2.0 sessions, Flask-SQLAlchemy, DB-API cursors, asyncpg (Python).
 *
 * A call chain is one database call: `db('users').where(...).first()` and
 * `User.objects.filter(...).select_related('org').first()` are each recognised from their
 * outermost call, with every method of the chain listed.
 */

export type DbAccess = 'read' | 'write' | 'unknown';

export type DbLibrary = 'prisma' | 'knex' | 'sql' | 'typeorm' | 'model' | 'django' | 'sqlalchemy' | 'dbapi';

export interface DbCall {
  /** The outermost call of the chain. */
  readonly call: SyntaxNode;
  readonly library: DbLibrary;
  readonly access: DbAccess;
  /** Prisma delegate, Django/SQLAlchemy/Mongoose model, or Knex table, when the call names one. */
  readonly model?: string;
  /** Method names along the chain, innermost first: `['objects', 'filter', 'first']`. */
  readonly chain: readonly string[];
  /** The call that names the client and operation: `prisma.user.findMany(...)`, `db('users')`. */
  readonly root: SyntaxNode;
}

// ---------------------------------------------------------------------------------------------
// SQL text

// Comments unrolled so that no character can be matched two ways: the lazy `[\s\S]*?` form
// backtracks exponentially on strings that open with many comments.
const SQL_VERB = /^(?:\s|\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\/|--[^\n]*(?:\n|$))*(select|with|insert|update|delete|merge|upsert|replace|create|alter|drop|truncate|copy)\b/i;

/** The SQL verb of a statement (lower-case), or undefined when the text is not SQL. */
export function sqlVerb(text: string): string | undefined {
  return SQL_VERB.exec(text)?.[1]?.toLowerCase();
}

/** Statements that are neither reads nor row writes: transaction control, DDL, maintenance. */
const SQL_COMMAND = /^\s*(rollback|commit|begin|start|set|savepoint|release|lock|vacuum|analyze|grant|revoke|call|exec|execute|prepare|deallocate|listen|notify|refresh|reindex|cluster|comment|pragma|attach|detach|use)\b/i;

export function accessOfSql(text: string): DbAccess {
  const verb = sqlVerb(text);
  if (!verb) return SQL_COMMAND.test(text) ? 'write' : 'unknown';
  if (verb === 'select') return 'read';
  if (verb === 'with') return /\b(insert|update|delete)\b/i.test(text) ? 'write' : 'read';
  return 'write';
}

/** The static text of a string or template literal (substitutions become `?`). Python f-strings too. */
export function literalText(node: SyntaxNode | null | undefined): string | undefined {
  const n = unwrap(node);
  if (!n) return undefined;
  const plain = stringValue(n);
  if (plain !== undefined) return plain;
  if (n.type === 'template_string') {
    return n.children
      .filter((c) => c.type === 'string_fragment' || c.type === 'template_substitution' || c.type === 'escape_sequence')
      .map((c) => (c.type === 'template_substitution' ? '?' : c.text))
      .join('');
  }
  if (n.type === 'string') {
    return n.namedChildren
      .filter((c) => c.type === 'string_content' || c.type === 'interpolation' || c.type === 'escape_sequence')
      .map((c) => (c.type === 'interpolation' ? '?' : c.text))
      .join('');
  }
  if (n.type === 'concatenated_string') {
    const parts = n.namedChildren.map((c) => literalText(c));
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  if (n.type === 'binary_expression' || n.type === 'binary_operator') {
    // "SELECT … %s" % args, 'SELECT … ' + where: the literal parts, with `?` for the rest.
    const left = n.childForFieldName('left');
    const operator = n.childForFieldName('operator')?.text;
    if (operator === '%') return literalText(left);
    if (operator !== '+') return undefined;
    const parts = [left, n.childForFieldName('right')].map((c) => literalText(c));
    return parts.some((p) => p !== undefined) && parts[0] !== undefined ? parts.map((p) => p ?? '?').join('') : undefined;
  }
  if (n.type === 'call') {
    // "SELECT … {}".format(x)
    const fn = n.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') return literalText(fn.childForFieldName('object'));
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// TypeScript / JavaScript

const PRISMA_READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy']);
const PRISMA_WRITES = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'upsert', 'delete', 'deleteMany']);
/** Methods only Prisma (and Drizzle's relational API) have: any receiver will do. */
const PRISMA_ONLY = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'createMany', 'createManyAndReturn', 'updateMany', 'deleteMany', 'upsert', 'groupBy']);
const PRISMA_CLIENT = /^(prisma\w*|\w*Prisma|db|tx|trx|database|transaction|orm|client)$/;
const PRISMA_RAW = new Set(['$queryRaw', '$queryRawUnsafe', '$executeRaw', '$executeRawUnsafe']);

const KNEX_CLIENT = /^(knex|db|trx|tx|database|qb|connection|pg|mysql|sqlite)$/;
/** Methods on a Knex/Drizzle client that start a query: `knex.select(...)`, `db.insert(table)`. */
const KNEX_STARTERS = new Set(['select', 'selectDistinct', 'from', 'table', 'into', 'insert', 'update', 'delete', 'raw', 'with', 'count', 'first', 'pluck']);
const KNEX_WRITES = new Set(['insert', 'update', 'del', 'delete', 'upsert', 'merge', 'increment', 'decrement', 'truncate', 'onConflict', 'set', 'values']);

const SQL_CLIENT = /^(pool|client|db|conn|connection|pg|pgClient|pgPool|database|sql|mysql|tx|trx|manager|entityManager|dataSource|queryRunner|knex|sequelize)$/i;
const SQL_METHODS = new Set(['query', 'execute', 'many', 'one', 'any', 'oneOrNone', 'manyOrNone', 'none', 'result', 'unsafe']);
const SQL_TAGS = /^(sql|prisma\.\$queryRaw|prisma\.\$executeRaw|\w+\.\$queryRaw|\w+\.\$executeRaw|db\.execute)$/;

const REPOSITORY = /(repo|repository|Repo|Repository)$/;
const TYPEORM_READS = new Set(['find', 'findOne', 'findOneBy', 'findBy', 'findOneOrFail', 'findOneByOrFail', 'findAndCount', 'findAndCountBy', 'findByIds', 'count', 'countBy', 'exist', 'exists', 'existsBy', 'sum', 'average', 'minimum', 'maximum', 'query']);
const TYPEORM_WRITES = new Set(['save', 'insert', 'update', 'delete', 'remove', 'softDelete', 'softRemove', 'restore', 'upsert', 'increment', 'decrement', 'clear']);
const QUERY_BUILDER_RUNS = new Set(['getMany', 'getOne', 'getOneOrFail', 'getRawMany', 'getRawOne', 'getCount', 'getManyAndCount', 'execute', 'stream']);

const MODEL_READS = new Set(['find', 'findOne', 'findById', 'findByPk', 'findAll', 'findAndCountAll', 'countDocuments', 'estimatedDocumentCount', 'aggregate', 'exists', 'distinct']);
const MODEL_WRITES = new Set(['create', 'insertMany', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'findOneAndUpdate', 'findByIdAndUpdate', 'findOneAndDelete', 'findByIdAndDelete', 'findOneAndReplace', 'replaceOne', 'bulkWrite', 'bulkCreate', 'upsert', 'destroy']);
/** PascalCase globals that have `find`/`create`-like statics but are not models. */
const NOT_MODELS = new Set(['Object', 'Array', 'Promise', 'Math', 'JSON', 'Reflect', 'Date', 'Buffer', 'Number', 'String', 'Symbol', 'Intl', 'React', 'Children', 'Map', 'Set', 'URL', 'Response', 'NextResponse', 'Request', 'Error', 'Stripe', 'Sentry', 'Effect', 'Option', 'Either', 'Schema', 'Rx', 'Observable']);

function segments(name: string | undefined): string[] {
  return name ? name.split('.') : [];
}

function tsRootCall(call: SyntaxNode, chain: readonly string[]): Omit<DbCall, 'call' | 'chain'> | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const args = call.childForFieldName('arguments');
  // Listing the arguments allocates a node per argument: only the branches that read it do.
  let first: SyntaxNode | undefined | null = null;
  const firstArgOf = (): SyntaxNode | undefined => (first === null ? (first = args?.namedChildren.find((c) => c.type !== 'comment')) : first);

  // Tagged templates: sql`select …`, prisma.$queryRaw`…`
  if (args?.type === 'template_string') {
    const tag = dottedName(fn);
    if (tag && SQL_TAGS.test(tag)) return { library: 'sql', access: accessOfSql(literalText(args) ?? ''), root: call };
    return undefined;
  }

  if (fn.type === 'identifier') {
    // knex('users'), db(TABLE), trx('orders')
    const firstArg = KNEX_CLIENT.test(fn.text) ? firstArgOf() : undefined;
    if (firstArg && (stringValue(firstArg) !== undefined || firstArg.type === 'identifier' || firstArg.type === 'member_expression')) {
      return { library: 'knex', access: 'read', model: stringValue(firstArg), root: call };
    }
    return undefined;
  }
  if (fn.type !== 'member_expression') return undefined;
  const method = fn.childForFieldName('property')?.text ?? '';
  const receiver = fn.childForFieldName('object');
  const receiverName = dottedName(receiver);
  const parts = segments(receiverName);
  const last = parts[parts.length - 1] ?? '';

  // prisma.user.findMany(), this.prisma.user.findUnique(), tx.invoice.update()
  if (parts.length >= 2 && (PRISMA_READS.has(method) || PRISMA_WRITES.has(method))) {
    const client = parts[parts.length - 2]!;
    const model = last;
    if (/^[a-z]\w*$/.test(model) && !model.startsWith('$') && (PRISMA_ONLY.has(method) || PRISMA_CLIENT.test(client))) {
      return { library: 'prisma', access: PRISMA_READS.has(method) ? 'read' : 'write', model, root: call };
    }
  }
  if (PRISMA_RAW.has(method)) {
    return { library: 'prisma', access: method.startsWith('$query') ? 'read' : 'write', root: call };
  }

  // knex.select('*').from('users'), db.insert(users).values(...), knex.raw('…')
  if (receiver?.type === 'identifier' && KNEX_CLIENT.test(receiver.text) && KNEX_STARTERS.has(method)) {
    const sqlText = method === 'raw' ? literalText(firstArgOf()) : undefined;
    return { library: 'knex', access: sqlText !== undefined ? accessOfSql(sqlText) : KNEX_WRITES.has(method) || method === 'delete' ? 'write' : 'read', root: call };
  }

  // pool.query('SELECT …', [id]), client.query(sql, params), db.execute(…), manager.query(…)
  const firstArg = SQL_METHODS.has(method) && SQL_CLIENT.test(last) ? firstArgOf() : undefined;
  if (firstArg) {
    const text = literalText(firstArg);
    if (text !== undefined && sqlVerb(text)) return { library: 'sql', access: accessOfSql(text), root: call };
    if (firstArg.type === 'identifier' && /sql|query|stmt|statement/i.test(firstArg.text)) return { library: 'sql', access: 'unknown', root: call };
    if (firstArg.type === 'object' && method === 'query') return { library: 'sql', access: 'unknown', root: call };
    return undefined;
  }

  // userRepository.findOneBy(...), getRepository(User).find(), manager.findOne(User, …)
  const isRepository =
    REPOSITORY.test(last) ||
    (receiver?.type === 'call_expression' && /(^|\.)getRepository$|(^|\.)getCustomRepository$/.test(dottedName(receiver.childForFieldName('function')) ?? '')) ||
    /^(manager|entityManager|em)$/.test(last);
  if (isRepository) {
    if (TYPEORM_READS.has(method)) return { library: 'typeorm', access: 'read', root: call };
    if (TYPEORM_WRITES.has(method)) return { library: 'typeorm', access: 'write', root: call };
    if (method === 'createQueryBuilder') {
      const runs = chain.filter((m) => QUERY_BUILDER_RUNS.has(m));
      if (runs.length === 0) return undefined;
      const writes = chain.some((m) => m === 'update' || m === 'delete' || m === 'insert' || m === 'softDelete');
      return { library: 'typeorm', access: writes ? 'write' : 'read', root: call };
    }
    return undefined;
  }

  // User.findById(id), Order.find({ … }).lean(), Invoice.findAll({ where })
  if (receiver?.type === 'identifier' && /^[A-Z][A-Za-z0-9]+$/.test(last) && !NOT_MODELS.has(last)) {
    if (MODEL_READS.has(method)) return { library: 'model', access: 'read', model: last, root: call };
    if (MODEL_WRITES.has(method)) return { library: 'model', access: 'write', model: last, root: call };
  }
  return undefined;
}

/**
 * The database call a TypeScript/JavaScript call expression makes, following a method chain down
 * to the call that names the client: `db('users').where({ id }).first()` is a Knex read.
 */
/**
 * The database call a call is, answered once per call node: several rules ask about the same
 * calls (missing-pagination, n-plus-one-query, sensitive-payload-stored, …), and each answer
 * walks the call's chain. Nodes are the same objects for as long as their tree lives (see
 * src/engine/nodes.ts); the answer is read-only.
 */
const dbCalls = new WeakMap<SyntaxNode, DbCall | null>();

function cached(outer: SyntaxNode, read: (outer: SyntaxNode) => DbCall | undefined): DbCall | undefined {
  let known = dbCalls.get(outer);
  if (known === undefined) {
    known = read(outer) ?? null;
    dbCalls.set(outer, known);
  }
  return known ?? undefined;
}

export function tsDbCall(outer: SyntaxNode): DbCall | undefined {
  return outer.type === 'call_expression' ? cached(outer, readTsDbCall) : undefined;
}

function readTsDbCall(outer: SyntaxNode): DbCall | undefined {
  const chain: string[] = [];
  let node: SyntaxNode | undefined = outer;
  for (let depth = 0; node && node.type === 'call_expression' && depth < 40; depth++) {
    const fn: SyntaxNode | null = node.childForFieldName('function');
    const root = tsRootCall(node, chain);
    if (root) {
      const own = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : fn?.text;
      const methods = [own ?? '', ...chain];
      let access = root.access;
      if (root.library === 'knex' && access === 'read' && methods.some((m) => KNEX_WRITES.has(m))) access = 'write';
      if (root.library === 'model' && access === 'read' && methods.some((m) => MODEL_WRITES.has(m))) access = 'write';
      return { ...root, access, call: outer, chain: methods };
    }
    if (fn?.type !== 'member_expression') return undefined;
    chain.unshift(fn.childForFieldName('property')?.text ?? '');
    const object = fn.childForFieldName('object');
    // `.then()`/`.lean()` on a call: keep walking; on anything else the chain has no client call.
    node = object?.type === 'call_expression' ? object : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Python

const DJANGO_MANAGER = /^(objects|_default_manager|_base_manager|\w+_objects|all_objects)$/;
const DJANGO_WRITES = new Set(['create', 'update', 'delete', 'bulk_create', 'bulk_update', 'get_or_create', 'update_or_create', 'save', 'acreate', 'aupdate', 'adelete', 'abulk_create', 'aget_or_create', 'aupdate_or_create']);
const SESSION = /^(session|db|db_session|dbsession|async_session|sess|_session|_db|database|uow)$/;
const SESSION_READS = new Set(['execute', 'scalars', 'scalar', 'get', 'query', 'exec', 'stream', 'stream_scalars']);
const SESSION_WRITES = new Set(['add', 'add_all', 'delete', 'merge', 'bulk_save_objects', 'bulk_insert_mappings', 'bulk_update_mappings']);
const CURSOR = /^(cursor|cur|c|conn|connection|con|_cursor|_conn|_connection)$/;
const ASYNCPG_READS = new Set(['fetch', 'fetchrow', 'fetchval']);
const STATEMENT_WRITES = new Set(['update', 'insert', 'delete']);

/** `select(User)`, `update(User).where(...)`, `text("SELECT …")`: the access a SQLAlchemy statement makes. */
export function accessOfStatement(node: SyntaxNode | undefined): DbAccess {
  let current = unwrap(node);
  for (let depth = 0; current && depth < 30; depth++) {
    if (current.type === 'string') return accessOfSql(literalText(current) ?? '');
    if (current.type !== 'call') return 'unknown';
    const fn = current.childForFieldName('function');
    if (fn?.type === 'identifier' || (fn?.type === 'attribute' && fn.childForFieldName('object')?.type === 'identifier' && /^(sa|sqlalchemy|sql)$/.test(fn.childForFieldName('object')!.text))) {
      const name = fn.type === 'identifier' ? fn.text : fn.childForFieldName('attribute')!.text;
      if (name === 'select') return 'read';
      if (STATEMENT_WRITES.has(name)) return 'write';
      if (name === 'text') {
        const arg = current.childForFieldName('arguments')?.namedChildren[0];
        return accessOfSql(literalText(arg) ?? '');
      }
      return 'unknown';
    }
    if (fn?.type !== 'attribute') return 'unknown';
    current = unwrap(fn.childForFieldName('object'));
  }
  return 'unknown';
}

function pyRootCall(call: SyntaxNode, chain: readonly string[]): Omit<DbCall, 'call' | 'chain'> | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  // Listing the arguments allocates a node per argument: only the branches that read it do.
  let first: SyntaxNode | undefined | null = null;
  const firstArg = (): SyntaxNode | undefined =>
    first === null ? (first = call.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment' && c.type !== 'keyword_argument')) : first;
  if (fn.type === 'identifier') {
    const name = fn.text;
    if (name === 'get_object_or_404' || name === 'get_list_or_404' || name === 'aget_object_or_404') {
      return { library: 'django', access: 'read', model: firstArg()?.text, root: call };
    }
    return undefined;
  }
  if (fn.type !== 'attribute') return undefined;
  const method = fn.childForFieldName('attribute')!.text;
  const receiver = unwrap(fn.childForFieldName('object'));
  if (!receiver) return undefined;

  // Book.objects.filter(...), self.model.objects.get(...), User.query.filter_by(...)
  if (receiver.type === 'attribute') {
    const manager = receiver.childForFieldName('attribute')!.text;
    const owner = receiver.childForFieldName('object')!;
    const ownerName = dottedName(owner) ?? '';
    const ownerLast = ownerName.slice(ownerName.lastIndexOf('.') + 1);
    const isModel = /^[A-Z]\w*$/.test(ownerLast) || ownerName === 'self.model' || ownerName === 'cls' || ownerName === 'model';
    if (isModel && DJANGO_MANAGER.test(manager)) {
      const methods = [method, ...chain];
      return { library: 'django', access: methods.some((m) => DJANGO_WRITES.has(m)) ? 'write' : 'read', model: ownerLast === 'model' ? undefined : ownerLast, root: call };
    }
    if (/^[A-Z]\w*$/.test(ownerLast) && manager === 'query' && owner.type === 'identifier') {
      const methods = [method, ...chain];
      return { library: 'sqlalchemy', access: methods.some((m) => m === 'delete' || m === 'update') ? 'write' : 'read', model: ownerLast, root: call };
    }
  }

  const receiverName = dottedName(receiver) ?? '';
  const last = receiverName.slice(receiverName.lastIndexOf('.') + 1);

  // session.execute(select(User)), db.query(User).filter(...).all(), session.get(User, id)
  if (SESSION.test(last) && (SESSION_READS.has(method) || SESSION_WRITES.has(method))) {
    if (SESSION_WRITES.has(method)) return { library: 'sqlalchemy', access: 'write', root: call };
    if (method === 'execute' || method === 'exec' || method === 'stream') return { library: 'sqlalchemy', access: accessOfStatement(firstArg()), root: call };
    const modelArg = firstArg() && /^[A-Z]\w*(\.\w+)?$/.test(firstArg()!.text);
    if ((method === 'get' || method === 'query') && !modelArg) return undefined;
    if (method === 'query') {
      const methods = [method, ...chain];
      return { library: 'sqlalchemy', access: methods.includes('delete') || methods.includes('update') ? 'write' : 'read', model: firstArg()?.text, root: call };
    }
    if (method === 'get') return { library: 'sqlalchemy', access: 'read', model: firstArg()?.text, root: call };
    return { library: 'sqlalchemy', access: 'read', root: call };
  }

  // cursor.execute("SELECT …"), conn.fetch("…") (asyncpg)
  if (CURSOR.test(last) || /cursor$/.test(last)) {
    if (method === 'execute' || method === 'executemany') {
      const text = literalText(firstArg());
      return { library: 'dbapi', access: text !== undefined ? accessOfSql(text) : 'unknown', root: call };
    }
    if (ASYNCPG_READS.has(method)) return { library: 'dbapi', access: 'read', root: call };
  }
  if (/^(pool|conn|connection|db)$/.test(last) && ASYNCPG_READS.has(method)) return { library: 'dbapi', access: 'read', root: call };
  return undefined;
}

/** The database call a Python call makes, following `.filter(...).order_by(...).first()` chains. */
export function pyDbCall(outer: SyntaxNode): DbCall | undefined {
  return outer.type === 'call' ? cached(outer, readPyDbCall) : undefined;
}

function readPyDbCall(outer: SyntaxNode): DbCall | undefined {
  const chain: string[] = [];
  let node: SyntaxNode | undefined = outer;
  for (let depth = 0; node && node.type === 'call' && depth < 40; depth++) {
    const fn: SyntaxNode | null = node.childForFieldName('function');
    const root = pyRootCall(node, chain);
    if (root) {
      const own = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
      return { ...root, call: outer, chain: [own ?? '', ...chain] };
    }
    if (fn?.type !== 'attribute') return undefined;
    chain.unshift(fn.childForFieldName('attribute')!.text);
    const object = unwrap(fn.childForFieldName('object'));
    node = object?.type === 'call' ? object : undefined;
  }
  return undefined;
}

/** Either grammar. */
export function dbCall(call: SyntaxNode): DbCall | undefined {
  return call.type === 'call' ? pyDbCall(call) : tsDbCall(call);
}

/**
 * Every database call inside `node` that runs when `node` runs: nested function bodies are
 * skipped (they run when called, not here), and a chain is returned once, from its outermost call.
 */
export function dbCallsIn(node: SyntaxNode, opts: { skipFunctions?: boolean } = {}): DbCall[] {
  const skip = opts.skipFunctions ?? true;
  const found: DbCall[] = [];
  // One native walk for the calls and the functions, in document order; what lies inside a
  // skipped function or a database call found (it starts before that node's end) is passed over.
  visitPruned(node.descendantsOfType(skip ? CALLS_AND_FUNCTIONS : CALLS), (current) => {
    if (current.type === 'call_expression' || current.type === 'call') {
      const db = dbCall(current);
      if (!db) return;
      found.push(db);
      return 'skip';
    }
    return current !== node ? 'skip' : undefined;
  });
  return found;
}

const FUNCTION_NODE = ['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'function_definition', 'lambda', 'class_declaration', 'class_definition'];
const CALLS = ['call_expression', 'call'];
const CALLS_AND_FUNCTIONS = [...CALLS, ...FUNCTION_NODE];
