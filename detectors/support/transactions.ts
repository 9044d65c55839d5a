import type { SyntaxNode } from '../../src/engine/types.js';
import { calleeName, dottedName, lastSegment } from './syntax.js';

/**
 * Recognising database transactions and what runs inside them, for TS (Prisma, Knex, TypeORM,
 * Sequelize, Drizzle, Kysely, pg-promise, Mongoose) and Python (SQLAlchemy, Django, psycopg,
 * asyncpg, peewee).
 */

/** A transaction whose work is a callback: the callback and the names its handle goes by. */
export interface CallbackTransaction {
  readonly call: SyntaxNode;
  readonly callback: SyntaxNode;
  /** The transaction handle(s): `tx`, `trx`, `manager`, `t`. Empty when the callback takes none. */
  readonly handles: readonly string[];
}

/** Methods that run a callback inside a transaction. */
const TRANSACTION_METHODS = new Set(['transaction', '$transaction', 'withTransaction', 'runInTransaction', 'inTransaction', 'tx', 'txIf']);
/** Free functions that do the same (project helpers named for it). */
const TRANSACTION_FUNCTIONS = new Set(['withTransaction', 'runInTransaction', 'inTransaction', 'transaction']);

const FUNCTION_NODES = new Set(['arrow_function', 'function_expression', 'function']);

/**
 * `prisma.$transaction(async (tx) => …)`, `db.transaction(async (trx) => …)`,
 * `dataSource.transaction('SERIALIZABLE', async (manager) => …)`,
 * `sequelize.transaction({ … }, async (t) => …)`, `db.transaction().execute(async (trx) => …)`.
 */
export function callbackTransaction(call: SyntaxNode): CallbackTransaction | undefined {
  if (call.type !== 'call_expression') return undefined;
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  let isTransaction = false;
  if (callee.type === 'member_expression') {
    const method = callee.childForFieldName('property')?.text ?? '';
    // `tx` alone is pg-promise's `db.tx(cb)`; on other objects it is too short a name to trust.
    if (method === 'tx' || method === 'txIf') isTransaction = /^(db|pgp|database|this\.db)$/.test(dottedName(callee.childForFieldName('object')) ?? '');
    else if (TRANSACTION_METHODS.has(method)) isTransaction = true;
    // Kysely: `db.transaction().setIsolationLevel(…).execute(cb)`.
    else if (method === 'execute') isTransaction = chainStartsWithTransaction(callee.childForFieldName('object'));
  } else if (callee.type === 'identifier') {
    isTransaction = TRANSACTION_FUNCTIONS.has(callee.text);
  }
  if (!isTransaction) return undefined;
  const callback = call.childForFieldName('arguments')?.namedChildren.find((a) => FUNCTION_NODES.has(a.type));
  if (!callback) return undefined;
  return { call, callback, handles: parameterNames(callback) };
}

function chainStartsWithTransaction(node: SyntaxNode | null): boolean {
  for (let n = node; n; ) {
    if (n.type !== 'call_expression') return false;
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'member_expression') return false;
    if (fn.childForFieldName('property')?.text === 'transaction') return true;
    n = fn.childForFieldName('object');
  }
  return false;
}

/** Simple parameter names of a TS function: `(tx)`, `async trx =>`, `(manager: EntityManager)`. */
export function parameterNames(fn: SyntaxNode): string[] {
  const single = fn.childForFieldName('parameter');
  if (single?.type === 'identifier') return [single.text];
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const out: string[] = [];
  for (const p of params.namedChildren) {
    const pattern = p.childForFieldName('pattern') ?? p;
    if (pattern.type === 'identifier') out.push(pattern.text);
  }
  return out;
}

/** Python with-item calls that open a transaction: `transaction.atomic()`, `session.begin()`, `conn.transaction()`. */
const PY_TRANSACTION_CONTEXTS = new Set(['atomic', 'begin', 'begin_nested', 'transaction']);

/**
 * Whether a Python `with` statement opens a transaction: `with transaction.atomic():`,
 * `with session.begin():`, `async with engine.begin() as conn:`, `with Session() as s, s.begin():`.
 */
export function isPythonTransactionWith(withStatement: SyntaxNode): boolean {
  const clause = withStatement.namedChildren.find((c) => c.type === 'with_clause');
  if (!clause) return false;
  for (const item of clause.namedChildren) {
    let value = item.childForFieldName('value');
    if (value?.type === 'as_pattern') value = value.namedChild(0);
    if (value?.type !== 'call') continue;
    const name = calleeName(value);
    const method = lastSegment(name);
    if (!method || !PY_TRANSACTION_CONTEXTS.has(method)) continue;
    // `transaction()` alone is too vague; as a method (`conn.transaction()`) it is psycopg/asyncpg/databases.
    if (method === 'transaction' && name === 'transaction') continue;
    return true;
  }
  return false;
}

/** `@transaction.atomic`, `@transaction.atomic()`, `@atomic`, `@db.atomic()` on a function. */
export function isPythonAtomicDecorated(decorated: SyntaxNode): boolean {
  for (const decorator of decorated.namedChildren) {
    if (decorator.type !== 'decorator') continue;
    let target = decorator.namedChild(0);
    if (target?.type === 'call') target = target.childForFieldName('function');
    const name = dottedName(target);
    if (name && lastSegment(name) === 'atomic') return true;
  }
  return false;
}

/** The base of an access chain: `tx` in `tx.user.create(…)`, `trx` in `trx('users').insert(…)`. */
export function chainRoot(node: SyntaxNode): SyntaxNode {
  let n: SyntaxNode = node;
  for (let guard = 0; guard < 200; guard++) {
    const next = innerOf(n);
    if (!next) return n;
    n = next;
  }
  return n;
}

function innerOf(n: SyntaxNode): SyntaxNode | null {
  switch (n.type) {
    case 'call_expression':
    case 'call':
      return n.childForFieldName('function');
    case 'member_expression':
    case 'attribute':
    case 'subscript_expression':
      return n.childForFieldName('object');
    case 'subscript':
      return n.childForFieldName('value');
    case 'non_null_expression':
    case 'parenthesized_expression':
    case 'await_expression':
      return n.namedChild(0);
    default:
      return null;
  }
}
