import { callArguments, calleeName, hasArgumentList, isNamedCall, lastSegment, PY_CALL, TS_METHOD_CALL } from '../support/syntax.js';
import { definitionsOf, hasSqlWords, isSafeValue, sqlCallOf, sqlPieces, type SqlCall, type SqlPieces } from '../support/sql.js';
import type { Rule, RuleContext, RuleMatch, Suggestion, SyntaxNode } from '../../src/engine/types.js';

/**
 * SQL built from non-constant values by concatenation, template interpolation, f-strings, `%`
 * or `.format`, and handed to something that runs it (`query`, `execute`, `raw`,
 * `$queryRawUnsafe`, `whereRaw`, `cursor.execute`, `text(...)`). Values that cannot carry text
 * are left alone: literals and UPPER_CASE constants, lookups in a constant allow-list, names
 * checked against one, numbers, escaping helpers, placeholder lists (`$${i + 1}`, `["%s"] * n`).
 */

/** Python calls whose first argument is SQL wherever they appear. */
const PY_SQL_CONSTRUCTORS = new Set(['text', 'RawSQL']);

/** The static SQL just before a value puts the value in a comparison or a list, i.e. where a parameter can go. */
const VALUE_POSITION = /(=|<>|!=|<|>|\bin\s*\(|\blike|\bilike|\bbetween|\band|,|\()\s*'?$/i;

function displayName(value: SyntaxNode): string {
  const t = value.text.replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 37)}…` : t;
}

/**
 * `prisma.$queryRawUnsafe(`… ${id}`)` → `prisma.$queryRaw`… ${id}``: Prisma's tagged form sends
 * every interpolation as a bind parameter. Offered only when each value sits where a parameter
 * can go (not a table or column name) and the call has no other arguments.
 */
function taggedPrismaSuggestion(ctx: RuleContext, sqlCall: SqlCall, pieces: SqlPieces): Suggestion | undefined {
  if (!/^\$(query|execute)RawUnsafe$/.test(sqlCall.method)) return undefined;
  if (sqlCall.rest.length > 0 || sqlCall.sql.type !== 'template_string' || pieces.node !== sqlCall.sql) return undefined;
  if (!pieces.before.every((b) => VALUE_POSITION.test(b))) return undefined;
  const fn = sqlCall.call.childForFieldName('function')!;
  const object = fn.childForFieldName('object')!;
  const tagged = sqlCall.method.replace('Unsafe', '');
  // '${x}' becomes ${x}: the parameter carries its own quoting.
  const template = ctx.text(sqlCall.sql).replace(/'(\$\{[^}]*\})'/g, '$1');
  return replaceCall(ctx, sqlCall.call, `${ctx.text(object)}.${tagged}${template}`);
}

function replaceCall(ctx: RuleContext, call: SyntaxNode, replacement: string): Suggestion {
  const source = ctx.file.source;
  const lineStart = call.startIndex - call.startPosition.column;
  let lineEnd = source.indexOf('\n', call.endIndex);
  if (lineEnd < 0) lineEnd = source.length;
  return {
    startLine: call.startPosition.row + 1,
    endLine: call.endPosition.row + 1,
    replacement: (source.slice(lineStart, call.startIndex) + replacement + source.slice(call.endIndex, lineEnd)).replace(/\r$/, ''),
  };
}

/** Schema and session statements: their dynamic parts are identifiers, which no driver can bind. */
const DDL = /^\s*\(?\s*(create|drop|alter|truncate|grant|revoke|set|use|prepare|commit|rollback|savepoint|release|describe|desc|show|pragma|analyze|vacuum|comment\s+on|lock|reindex|cluster|refresh|attach|detach|begin|start\s+transaction|xa\s|kill|declare|deallocate|listen|notify|unlisten|reset|discard|checkpoint|load|optimize|flush)\b/i;

/** Names that carry request input: a value read from them, or defined from them, is attacker-controlled. */
const REQUEST_SOURCE = /\b(req|request|params|query|body|input|args|dto|payload|searchParams|search|filters?|formData|form|GET|POST|data|event|ctx\.(query|params|request))\b/;
const USER_KNOB = /^(sort|sortBy|sort_by|sortField|sortColumn|sortKey|sortDir|order|orderBy|order_by|orderField|direction|dir|column|col|field|fields|groupBy|group_by|q|term|keyword|search_term|searchTerm)$/;

/**
 * Where the value lands: in a value position (`= ${x}`, `'${x}'`, `IN (${x})`, `LIMIT ${n}`), a
 * bind parameter would have done; anywhere else it is an identifier or a clause (`FROM ${t}`,
 * `ORDER BY ${col}`, `WHERE ${cond}`), which is dangerous only when it comes from the request.
 */
function inValuePosition(before: string): boolean {
  return /(=|<>|!=|<|>|\bin\s*\(|\blike|\bilike|\bbetween|\band\s+'|\blimit|\boffset|\bvalues\s*\((?:[^)]*,)?)\s*$/i.test(before) || /'[^']*$/.test(before.replace(/'[^']*'/g, ''));
}

function comesFromRequest(value: SyntaxNode, depth = 0): boolean {
  const text = value.text;
  if (REQUEST_SOURCE.test(text) || (value.type === 'identifier' && USER_KNOB.test(text))) return true;
  if (value.type === 'identifier' && depth < 3) return definitionsOf(text, value).some((d) => comesFromRequest(d.value, depth + 1));
  if ((value.type === 'member_expression' || value.type === 'attribute') && /^(sort|order|filter|column|field|direction)/i.test(text.slice(text.lastIndexOf('.') + 1))) return true;
  return false;
}

/**
 * Introspection of the database's own catalog: the values compared are schema, table and column
 * names taken from the ORM's metadata, not from a request.
 */
const CATALOG = /information_schema|pg_catalog|\bpg_(class|namespace|type|enum|views|matviews|indexes|constraint|attribute|index|proc|tables|sequences|depend|description|inherits|trigger)\b|sqlite_(master|schema|sequence)|"?SYS"?\."?(TABLES|COLUMNS|INDEXES|REFERENTIAL_CONSTRAINTS|CONSTRAINTS|VIEWS|SCHEMAS|SEQUENCES|INDEX_COLUMNS|TABLE_COLUMNS)|\b(ALL|USER|DBA)_(TAB|TABLES|INDEXES|CONSTRAINTS|CONS_COLUMNS|IND_COLUMNS|VIEWS|SEQUENCES|OBJECTS|TAB_COLS|TAB_COLUMNS)\b|\bsys\.(tables|columns|objects|indexes|schemas|foreign_keys|types)\b/i;
/** Names of values that are SQL on purpose (`whereSql`, `order_clause`, `rendered_default`): dangerous only from a request. */
const SQL_FRAGMENT_NAME = /(sql|Sql|SQL|clause|Clause|expression|Expression|_expr|Expr|fragment|Fragment|condition|Condition|conditions|Conditions)$|^(rendered|compiled)_?/;

function checkSql(ctx: RuleContext, sqlNode: SyntaxNode, runner: string, sqlOnly: boolean, sqlCall?: SqlCall): void {
  const pieces = sqlPieces(sqlNode);
  if (!pieces || pieces.values.length === 0) return;
  if (!sqlOnly && !hasSqlWords(pieces.text)) return;
  if (DDL.test(pieces.text) || CATALOG.test(pieces.text) || CATALOG.test(pieces.node.text)) return;
  const unsafe = pieces.values.filter((v, i) => {
    if (/\$$/.test(pieces.before[i]!) || pieces.numeric?.has(v) || isSafeValue(v)) return false;
    const name = v.text.slice(v.text.lastIndexOf('.') + 1);
    if (SQL_FRAGMENT_NAME.test(name)) return comesFromRequest(v);
    // row["column_name"]: a field of a row read from the database, not of the request.
    if ((v.type === 'subscript_expression' || v.type === 'subscript') && /^\w+\s*\[\s*['"]/.test(v.text)) return comesFromRequest(v);
    return inValuePosition(pieces.before[i]!) || comesFromRequest(v);
  });
  if (unsafe.length === 0) return;
  const first = unsafe[0]!;
  const suggestion = sqlCall ? taggedPrismaSuggestion(ctx, sqlCall, pieces) : undefined;
  ctx.report({
    node: pieces.node,
    message: `\`${displayName(first)}\` is pasted into the SQL run by \`${runner}\`${unsafe.length > 1 ? ` (with ${unsafe.length - 1} more value${unsafe.length > 2 ? 's' : ''})` : ''}: a crafted value rewrites the query. Pass it as a bind parameter.`,
    ...(suggestion ? { suggestion } : {}),
  });
}

function check(python: boolean) {
  return (match: RuleMatch, ctx: RuleContext): void => {
    const call = match.captures.call!;
    const sqlCall = sqlCallOf(call, python);
    if (sqlCall) {
      // text(f"…") is checked where it is built, once.
      if (sqlCall.textCall) return;
      const runner = sqlCall.callee.length > 40 ? sqlCall.method : sqlCall.callee;
      checkSql(ctx, sqlCall.sql, runner, sqlCall.sqlOnly, sqlCall);
      return;
    }
    if (!python) return;
    // The callee's last name first (one field, no dotted name built): most calls are neither
    // `text(…)`, `RawSQL(…)` nor `.extra(…)`.
    const callee = call.childForFieldName('function');
    const last = callee?.type === 'identifier' ? callee.text : callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    if (last !== 'text' && last !== 'RawSQL' && last !== 'extra') return;
    const name = lastSegment(calleeName(call));
    if (name && PY_SQL_CONSTRUCTORS.has(name)) {
      const first = callArguments(call)[0];
      if (first && first.type !== 'keyword_argument') checkSql(ctx, first, name === 'text' ? 'text()' : name, true);
      return;
    }
    // Django: qs.extra(where=[f"org_id = {org_id}"])
    if (name === 'extra') {
      for (const arg of callArguments(call)) {
        if (arg.type !== 'keyword_argument' || !['where', 'select', 'tables', 'order_by'].includes(arg.childForFieldName('name')?.text ?? '')) continue;
        const list = arg.childForFieldName('value');
        for (const item of list?.type === 'list' ? list.namedChildren : []) checkSql(ctx, item, 'QuerySet.extra', true);
      }
    }
  };
}

const checkTs = check(false);
const checkPy = check(true);

const rule: Rule = {
  meta: {
    id: 'sql-injection',
    title: 'SQL built from runtime values',
    severity: 'P0',
    category: 'Tenant isolation',
    languages: ['ts', 'py'],
    docs: {
      why: 'The value is pasted into the SQL text, so whoever controls it controls the query: `1 OR 1=1` drops the tenant filter, `1; DROP TABLE …` does worse. Escaping by hand misses a case sooner or later; bind parameters never do.',
      fix: 'Pass values as bind parameters (`$1`/`?`/`%s`/`:name` with the params argument, Prisma\'s tagged `$queryRaw`…``, knex bindings). For identifiers (a sort column, a table), map the input through a fixed allow-list of constants.',
      example: {
        bad: 'await db.query(`SELECT * FROM invoices WHERE org_id = ${orgId} AND status = \'${status}\'`);',
        good: "await db.query('SELECT * FROM invoices WHERE org_id = $1 AND status = $2', [orgId, status]);",
      },
    },
  },
  // Python: the SQL methods of sql.ts (`execute*`, `exec_driver_sql`, `fetch*`, `raw`, `mogrify`),
  // `text(…)`, `RawSQL(…)`, or `.extra(where=/select=/tables=/order_by=)` (its keyword names, not
  // `extra`: `extra_data`, `extras` let in more Python files). TS: a raw-only
  // method (`raw`, `*Raw*`, `unsafe`), or, for the generic ones (`query`, `get`, `all`, `run`…),
  // text that passes hasSqlWords() and is not DDL: select / into (insert, merge, replace) /
  // update / delete / where / order by / group by / join / values( / with (a CTE) / upsert
  // (create, alter, drop and truncate statements are rejected as DDL). The text is read raw from
  // this file's literals, so the keyword is in the file unless split across two pieces. Per
  // family: TS needs none of Python's method names, Python none of the SQL words but `extra`'s.
  requires: {
    ts: ['raw', 'unsafe', 'select', 'into', 'update', 'delete', 'where', 'order', 'group', 'join', 'values', 'with', 'upsert'],
    py: ['raw', 'exec', 'fetch', 'mogrify', 'text', 'tables', 'select', 'where', 'order'],
  },
  ts: {
    // Every method call, in the shared shape (support/syntax.ts) the engine matches once for all rules.
    query: `${TS_METHOD_CALL} @call`,
    onMatch: (match, ctx) => {
      if (hasArgumentList(match.captures)) checkTs(match, ctx);
    },
  },
  py: {
    query: `${PY_CALL} @call`,
    onMatch: (match, ctx) => {
      if (isNamedCall(match.captures)) checkPy(match, ctx);
    },
  },
};

export default rule;
