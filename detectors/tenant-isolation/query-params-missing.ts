import { fileMentions } from '../support/file-hints.js';
import { callArguments, calleeName, hasArgumentList, hasSplat, lastSegment, objectProperty, stringValue, TS_METHOD_CALL } from '../support/syntax.js';
import { definitionsOf, isSqlStatement, placeholderStyles, sqlCallOf, sqlPieces, type PlaceholderStyle, type SqlCall } from '../support/sql.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode } from '../../src/engine/types.js';

/**
 * SQL written with bind placeholders (`$1`, `?`, `%s`, `:name`) but run without its parameters.
 * The driver then rejects the query at runtime, or (DB-API with no params, some `?` drivers)
 * sends the placeholder text as-is; either way the WHERE clause that was meant to scope the query
 * by tenant or owner never gets its value. It is the half-finished fix for an injection.
 */

/** Which placeholder styles each family of call binds. */
const TS_STYLES: Record<string, readonly PlaceholderStyle[]> = {
  query: ['dollar', 'question', 'named'],
  execute: ['dollar', 'question'],
  $queryRawUnsafe: ['dollar'],
  $executeRawUnsafe: ['dollar'],
  unsafe: ['dollar'],
};
const TS_RAW_STYLES: readonly PlaceholderStyle[] = ['question', 'named'];
const PY_STYLES: readonly PlaceholderStyle[] = ['percent', 'question', 'named'];
const PY_ASYNCPG = new Set(['fetch', 'fetchrow', 'fetchval']);
/** Sequelize's query options that bind nothing. */
const SEQUELIZE_OPTIONS = new Set(['type', 'transaction', 'raw', 'logging', 'plain', 'model', 'mapToModel', 'nest', 'benchmark', 'useMaster']);
/** Python keyword arguments that are execution options, not parameters. */
const PY_OPTION_KEYWORDS = new Set(['execution_options', 'timeout', 'prepare', 'bind_arguments', 'column', 'record_class', 'stream_results']);

/**
 * A literal piece that starts like a SQL statement (SQL_STATEMENT in sql.ts): a keyword, followed
 * by a blank (every form of the statement wants one) or by the end of the piece (the blank may
 * come in the next one: `'SELECT' + ' * FROM …'`).
 */
const STATEMENT_PIECE = /[`'"}]\s*\(?\s*(?:select|insert|update|delete|with|merge|upsert|replace|truncate|create|alter|drop)(?:\s|[`'"]|\$\{)/i;

const SHOW: Record<PlaceholderStyle, string> = { dollar: '$1', question: '?', percent: '%s', named: ':name' };

function stylesFor(sqlCall: SqlCall, python: boolean): readonly PlaceholderStyle[] {
  if (python) {
    if (sqlCall.textCall) return ['named'];
    if (PY_ASYNCPG.has(sqlCall.method)) return ['dollar'];
    if (sqlCall.method === 'raw') return ['percent'];
    return PY_STYLES;
  }
  return TS_STYLES[sqlCall.method] ?? TS_RAW_STYLES;
}

/** The SQL's constant text, when it is known: a literal, a local const, or a template's static parts. */
function sqlText(node: SyntaxNode): string | undefined {
  const literal = stringValue(node);
  if (literal !== undefined) return literal;
  const pieces = sqlPieces(node);
  if (!pieces) return undefined;
  // `"… %s" % x` and `.format(...)` consume their own markers: those are not bind placeholders.
  if (pieces.node.type === 'binary_operator') return undefined;
  return pieces.text;
}

/** Whether the call passes nothing that could bind the placeholders. */
function tsParamsMissing(sqlCall: SqlCall): boolean {
  const [params] = sqlCall.rest;
  if (!params) return true;
  if (params.type === 'array' && params.namedChildCount === 0) return true;
  if (params.type === 'object') {
    if (params.namedChildren.some((c) => c.type === 'spread_element')) return false;
    const keys = params.namedChildren.map((c) => (c.type === 'pair' ? (stringValue(c.childForFieldName('key')) ?? c.childForFieldName('key')?.text) : c.text));
    // Sequelize: `{ type: QueryTypes.SELECT }` binds nothing; `{ replacements }` / `{ bind }` do.
    return keys.length > 0 && keys.every((k) => k !== undefined && SEQUELIZE_OPTIONS.has(k));
  }
  return false;
}

function pyParamsMissing(sqlCall: SqlCall): boolean {
  if (hasSplat(sqlCall.call)) return false;
  if (sqlCall.rest.some((a) => a.type !== 'keyword_argument')) {
    const first = sqlCall.rest.find((a) => a.type !== 'keyword_argument')!;
    return (first.type === 'list' || first.type === 'tuple' || first.type === 'dictionary') && first.namedChildCount === 0;
  }
  // SQLAlchemy 1.x binds keyword arguments: `conn.execute(SQL, table_id=table_id)`.
  return !callArguments(sqlCall.call).some((a) => a.type === 'keyword_argument' && !PY_OPTION_KEYWORDS.has(a.childForFieldName('name')?.text ?? ''));
}

function check(python: boolean) {
  return (match: RuleMatch, ctx: RuleContext): void => {
    const call = match.captures.call!;
    let sqlCall = sqlCallOf(call, python);
    if (!sqlCall) return;
    // pg's config form: pool.query({ text: '… $1', values })
    if (!python && sqlCall.sql.type === 'object') {
      const text = objectProperty(sqlCall.sql, 'text') ?? objectProperty(sqlCall.sql, 'sql');
      if (!text || objectProperty(sqlCall.sql, 'values') || sqlCall.sql.namedChildren.some((c) => c.type === 'spread_element')) return;
      sqlCall = { ...sqlCall, sql: text, rest: [] };
    }
    // A generic method (`get`, `all`, `exec`, `query`) reports only SQL that passes
    // isSqlStatement(): its text is read raw from literal pieces (a string's content, a
    // template's fragments, each definition of a name), so its statement keyword starts a piece,
    // after the opening quote or a substitution's `}` and at most blanks and a `(`. A file with no
    // such piece skips the SQL, which for a name (`map.get(key)`, `Promise.all(tasks)`) means
    // reading every definition in its scope. As with the rule's words, a keyword split across two
    // pieces (`'SEL' + 'ECT …'`) is not looked for.
    if (!python && !sqlCall.sqlOnly && !fileMentions(ctx, STATEMENT_PIECE)) return;
    // Parameters passed: nothing to report whatever the SQL says. Decided first, from the call's
    // own arguments: reading the SQL may look up a name's definitions through its whole scope.
    if (!(python ? pyParamsMissing(sqlCall) : tsParamsMissing(sqlCall))) return;
    // stmt = text("… :id"); session.execute(stmt)
    if (python && !sqlCall.textCall && sqlCall.sql.type === 'identifier') {
      const defs = definitionsOf(sqlCall.sql.text, sqlCall.sql);
      const only = defs.length === 1 ? defs[0]!.value : undefined;
      if (only?.type === 'call' && lastSegment(calleeName(only)) === 'text' && callArguments(only)[0]) {
        sqlCall = { ...sqlCall, textCall: only, sql: callArguments(only)[0]! };
      }
    }
    const text = sqlText(sqlCall.sql);
    if (text === undefined) return;
    if (!sqlCall.sqlOnly && !isSqlStatement(text)) return;
    const found = placeholderStyles(text);
    const bound = stylesFor(sqlCall, python).filter((s) => found.has(s));
    if (bound.length === 0) return;
    const callee = sqlCall.callee.length > 40 ? sqlCall.method : sqlCall.callee;
    const marks = bound.map((s) => SHOW[s]).join(', ');
    ctx.report({
      node: call,
      message: `\`${callee}\` runs SQL with ${marks} placeholders but passes no parameters: the driver rejects it at runtime or runs it without the values the WHERE clause was written for.`,
    });
  };
}

const checkTs = check(false);
const checkPy = check(true);

const rule: Rule = {
  meta: {
    id: 'query-params-missing',
    title: 'SQL placeholders without parameters',
    severity: 'P0',
    category: 'Tenant isolation',
    languages: ['ts', 'py'],
    docs: {
      why: 'The SQL was written with bind placeholders, but the call passes no values for them. Depending on the driver the query throws on every call, or is sent with the placeholder text unbound, so the filter that was meant to scope it (by tenant, by owner) never receives its value.',
      fix: 'Pass the parameters next to the SQL, in placeholder order (`db.query(sql, [orgId, id])`, `cursor.execute(sql, (org_id, pk))`, `session.execute(text(sql), {"org_id": org_id})`).',
      example: {
        bad: "await pool.query('SELECT * FROM invoices WHERE org_id = $1 AND id = $2');",
        good: "await pool.query('SELECT * FROM invoices WHERE org_id = $1 AND id = $2', [orgId, invoiceId]);",
      },
    },
  },
  // Python reports only calls of the SQL methods of sql.ts (`execute*`, `exec_driver_sql`,
  // `fetch*`, `raw`, `mogrify`), named in the file. In TS the generic methods include
  // `get`/`all`/`run`, so the words come from the SQL instead: a raw-only method (`raw`, `*Raw*`,
  // `unsafe`) or text that passes isSqlStatement(), whose every branch needs one of select / into
  // (insert, merge, replace) / update / delete / with (a CTE) / upsert / truncate / create / alter
  // / drop. The text is read raw from this file's literals, so the keyword is in the file unless
  // split across two pieces. Per family: the SQL words (`with` above all) would let in most
  // Python files for nothing.
  requires: {
    ts: ['raw', 'unsafe', 'select', 'into', 'update', 'delete', 'with', 'upsert', 'truncate', 'create', 'alter', 'drop'],
    py: ['raw', 'exec', 'fetch', 'mogrify'],
  },
  ts: {
    // Every method call, in the shared shape (support/syntax.ts) the engine matches once for all rules.
    query: `${TS_METHOD_CALL} @call`,
    onMatch: (match, ctx) => {
      if (hasArgumentList(match.captures)) checkTs(match, ctx);
    },
  },
  py: {
    // Every method call, in the shape other rules write (the engine matches it once for all of
    // them); calls whose argument is a bare generator (`f(x for x in y)`) are dropped here.
    query: `(call function: (attribute object: (_) @object attribute: (identifier) @method) arguments: (_) @args) @call`,
    onMatch: (match, ctx) => {
      if (match.captures.args?.type === 'argument_list') checkPy(match, ctx);
    },
  },
};

export default rule;
