import type { SyntaxNode, Tree } from '../../src/engine/types.js';
import { callArguments, calleeName, enclosingFunction, lastSegment, stringValue, visitPruned } from './syntax.js';

/**
 * Reading SQL in application code: which calls run SQL, what SQL a call is given (a literal, a
 * local variable, a template, a concatenation, an f-string, `%` or `.format`), which parts of it
 * are dynamic and whether a dynamic part can carry attacker text. Shared by the tenant-isolation
 * rules (sql-injection, query-params-missing, tenant-filter-missing).
 */

// ---------------------------------------------------------------------------------------------
// SQL text

/** A statement, not a fragment: the text starts like SQL that reads or writes rows. */
const SQL_STATEMENT =
  /^\s*\(?\s*(select\s[\s\S]*?\bfrom\b|select\s+(count|exists|1|\*|[\w.]+\s*\()|insert\s+into\s|update\s+[\w."`[\]]+\s+set\s|delete\s+from\s|with\s+(recursive\s+)?\w+\s+as\s*\(|merge\s+into\s|upsert\s|replace\s+into\s|truncate\s|create\s+(table|index|view)|alter\s+table|drop\s+(table|index|view))/i;

/** Words that make a fragment SQL (`WHERE id = ${id}`, `ORDER BY ${col}`), used on dynamic strings. */
const SQL_FRAGMENT =
  /\b(select\s[\s\S]*\bfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|where\s+[\w."`]+\s*(=|<|>|in\b|like\b|ilike\b|is\b)|order\s+by|group\s+by|inner\s+join|left\s+join|values\s*\()/i;

export function isSqlStatement(text: string): boolean {
  return SQL_STATEMENT.test(text);
}

export function hasSqlWords(text: string): boolean {
  return SQL_STATEMENT.test(text) || SQL_FRAGMENT.test(text);
}

/**
 * The SQL with its string literals and comments blanked out, so that a `?`, `:x` or `%s` inside
 * `'…'` (a LIKE pattern, a time `'12:30'`, a JSON path) is not taken for a placeholder.
 */
export function withoutSqlLiterals(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
}

export type PlaceholderStyle = 'dollar' | 'question' | 'percent' | 'named';

/**
 * The bind placeholders a SQL text uses: `$1` (pg, Prisma), `?` (mysql, sqlite, knex; not the
 * jsonb operators `?|`, `?&`, `? 'key'`), `%s` / `%(name)s` (DB-API), `:name` (SQLAlchemy text,
 * sqlite, knex and Sequelize named bindings; never a `::cast` or `:=`).
 */
export function placeholderStyles(sql: string): Set<PlaceholderStyle> {
  const text = withoutSqlLiterals(sql);
  const styles = new Set<PlaceholderStyle>();
  if (/\$\d+/.test(text)) styles.add('dollar');
  // With $n placeholders, `?` is Postgres' jsonb operator.
  if (!styles.has('dollar') && /\?(?![|&?])(?!\s*['"])/.test(text)) styles.add('question');
  if (/%(\([A-Za-z_]\w*\))?s/.test(text.replace(/%%/g, ''))) styles.add('percent');
  if (/(^|[^:\w])(?<!\[\s*\w*\s*):[A-Za-z_]\w*(?!\s*[:=(])/.test(text)) styles.add('named');
  return styles;
}

// ---------------------------------------------------------------------------------------------
// SQL-running calls

/** Methods that take SQL text in TS: pg/mysql2 `query`, knex `raw`/`whereRaw`, Prisma's unsafe raw, postgres.js `unsafe`. */
const TS_RAW_ONLY = new Set([
  'raw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'whereRaw',
  'orWhereRaw',
  'andWhereRaw',
  'havingRaw',
  'orHavingRaw',
  'joinRaw',
  'orderByRaw',
  'groupByRaw',
  'selectRaw',
  'fromRaw',
  'unsafe',
]);
const TS_GENERIC = new Set(['query', 'execute', 'exec', 'run', 'all', 'get']);

/** Python methods that take SQL text: DB-API cursors, SQLAlchemy connections/sessions, Django raw. */
const PY_RAW_ONLY = new Set(['raw', 'exec_driver_sql', 'executescript', 'mogrify']);
const PY_GENERIC = new Set(['execute', 'executemany', 'fetch', 'fetchrow', 'fetchval']);

export interface SqlCall {
  readonly call: SyntaxNode;
  /** `db.query`, `prisma.$queryRawUnsafe`, `cursor.execute`. */
  readonly callee: string;
  readonly method: string;
  /** The argument that carries the SQL (inside `text(...)` for SQLAlchemy). */
  readonly sql: SyntaxNode;
  /** The `text(...)` call wrapping the SQL, if any. */
  readonly textCall?: SyntaxNode;
  /** Arguments after the SQL (bind parameters, options). */
  readonly rest: readonly SyntaxNode[];
  /** The method only ever takes SQL (`raw`, `$queryRawUnsafe`); otherwise the text must look like SQL. */
  readonly sqlOnly: boolean;
}

/** The SQL-running call `call` is, or undefined. `python` picks the grammar's conventions. */
export function sqlCallOf(call: SyntaxNode, python: boolean): SqlCall | undefined {
  const fn = call.childForFieldName('function');
  if (!fn || (fn.type !== 'member_expression' && fn.type !== 'attribute')) {
    // `text(f"...")` on its own is the SQL, handled by callers that look for it.
    return undefined;
  }
  const method = fn.childForFieldName(python ? 'attribute' : 'property')?.text;
  if (!method) return undefined;
  // The method decides first: it is one cheap lookup, and most calls are not SQL calls.
  const rawOnly = python ? PY_RAW_ONLY : TS_RAW_ONLY;
  const generic = python ? PY_GENERIC : TS_GENERIC;
  if (!rawOnly.has(method) && !generic.has(method)) return undefined;
  // A tagged template (`conn.query\`… ${x}\``) is the driver's parameterised form.
  if (call.childForFieldName('arguments')?.type === 'template_string') return undefined;
  const args = callArguments(call);
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  const first = positional[0];
  if (!first) return undefined;
  const callee = calleeName(call);
  // Python's `conn.execute(text("..."))` / `sa.text(...)`: the SQL is inside text().
  let sql = first;
  let textCall: SyntaxNode | undefined;
  if (python && first.type === 'call' && lastSegment(calleeName(first)) === 'text') {
    const inner = callArguments(first)[0];
    if (!inner) return undefined;
    textCall = first;
    sql = inner;
  }
  const rest = args.filter((a) => a !== first);
  return {
    call,
    callee: callee ?? `${fn.text}`,
    method,
    sql,
    ...(textCall ? { textCall } : {}),
    rest,
    sqlOnly: rawOnly.has(method) || !!textCall,
  };
}

// ---------------------------------------------------------------------------------------------
// Local definitions

const FUNCTION_OR_MODULE = new Set([
  'function_declaration',
  'function_expression',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'function_definition',
  'program',
  'module',
]);

function scopeOf(node: SyntaxNode): SyntaxNode {
  let p = node.parent;
  while (p && !FUNCTION_OR_MODULE.has(p.type)) p = p.parent;
  return p ?? node;
}

function rootOf(node: SyntaxNode): SyntaxNode {
  let p = node;
  while (p.parent) p = p.parent;
  return p;
}

export interface Definition {
  readonly value: SyntaxNode;
  /** `+=`: the value is appended to what the name held. */
  readonly appended: boolean;
}

/**
 * The values a local name was given before `at`: `const sql = …`, `sql = …`, `sql += …`, in the
 * enclosing function and, failing that, at module level. Only plain names are followed.
 */
export function definitionsOf(name: string, at: SyntaxNode): Definition[] {
  const scope = scopeOf(at);
  const root = rootOf(at);
  const before = (entries: readonly IndexedDefinition[] | undefined): Definition[] =>
    (entries ?? []).filter((e) => e.start < at.startIndex).map((e) => e.definition);
  const local = before(definitionIndex(scope, root, false).get(name));
  if (local.length || scope === root) return local;
  return before(definitionIndex(root, root, true).get(name));
}

interface IndexedDefinition {
  readonly start: number;
  readonly definition: Definition;
}

/**
 * Every definition in a scope, indexed by name, built once per scope: looking names up by walking
 * the scope for each query made files with many queries quadratic.
 */
const indexes = new WeakMap<SyntaxNode, Map<string, IndexedDefinition[]>>();
const moduleLevelIndexes = new WeakMap<SyntaxNode, Map<string, IndexedDefinition[]>>();

function definitionIndex(scope: SyntaxNode, root: SyntaxNode, moduleLevelOnly: boolean): Map<string, IndexedDefinition[]> {
  // Keyed by the scope node itself (one object per node): a function at offset 0 and the module
  // start at the same place.
  const byScope = moduleLevelOnly ? moduleLevelIndexes : indexes;
  const cached = byScope.get(scope);
  if (cached) return cached;
  const index = new Map<string, IndexedDefinition[]>();
  // The definitions and functions of the whole file come from one native walk, made once; a
  // scope's are the run of it from the scope itself up to the scope's end (document order).
  visitPruned(definitionsAndScopesIn(scope, root), (node) => {
    // At module level only module-level statements count, not other functions' locals.
    if (moduleLevelOnly && node !== scope && FUNCTION_OR_MODULE.has(node.type)) return 'skip';
    const name = definedName(node);
    if (!name) return;
    const definition = definitionIn(node, name);
    if (!definition) return;
    const list = index.get(name) ?? [];
    list.push({ start: node.startIndex, definition });
    index.set(name, list);
  });
  byScope.set(scope, index);
  return index;
}

/** The node types `definitionIn` reads; `definedName` also accepts other `*assignment*` types, which it then rejects. */
const DEFINITION_TYPES = ['variable_declarator', 'assignment_expression', 'assignment', 'augmented_assignment_expression', 'augmented_assignment'];
const DEFINITION_OR_SCOPE_TYPES = [...DEFINITION_TYPES, ...FUNCTION_OR_MODULE];

const fileNodes = new WeakMap<Tree, readonly SyntaxNode[]>();

/**
 * The definitions and functions (`DEFINITION_OR_SCOPE_TYPES`) in `scope` and the scope itself
 * if it is one, in document order: a slice of the file's list, which one native walk of `root`
 * makes once per file, instead of one walk per scope.
 */
function definitionsAndScopesIn(scope: SyntaxNode, root: SyntaxNode): readonly SyntaxNode[] {
  let all = fileNodes.get(root.tree);
  if (!all) fileNodes.set(root.tree, (all = root.descendantsOfType(DEFINITION_OR_SCOPE_TYPES)));
  if (scope === root) return all;
  // Document order sorts by start: the scope is found by a binary search, then by identity
  // among the nodes starting where it starts.
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (all[mid]!.startIndex < scope.startIndex) lo = mid + 1;
    else hi = mid;
  }
  let from = lo;
  while (from < all.length && all[from] !== scope && all[from]!.startIndex === scope.startIndex) from++;
  // Not a function (a lookup outside any): its own walk.
  if (all[from] !== scope) return scope.descendantsOfType(DEFINITION_OR_SCOPE_TYPES);
  let to = from + 1;
  while (to < all.length && all[to]!.startIndex < scope.endIndex) to++;
  return all.slice(from, to);
}

function definedName(node: SyntaxNode): string | undefined {
  const field = node.type === 'variable_declarator' ? 'name' : /assignment/.test(node.type) ? 'left' : undefined;
  if (!field) return undefined;
  const target = node.childForFieldName(field);
  return target?.type === 'identifier' ? target.text : undefined;
}

function definitionIn(node: SyntaxNode, name: string): Definition | undefined {
  switch (node.type) {
    case 'variable_declarator': {
      const n = node.childForFieldName('name');
      const v = node.childForFieldName('value');
      return n?.type === 'identifier' && n.text === name && v ? { value: v, appended: false } : undefined;
    }
    case 'assignment_expression':
    case 'assignment': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      return l?.type === 'identifier' && l.text === name && r ? { value: r, appended: false } : undefined;
    }
    case 'augmented_assignment_expression':
    case 'augmented_assignment': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text ?? node.children.find((c) => !c.isNamed)?.text;
      return l?.type === 'identifier' && l.text === name && r && op === '+=' ? { value: r, appended: true } : undefined;
    }
    default:
      return undefined;
  }
}

/** The constant string a node stands for: a literal, or a name bound once to a literal. */
export function constantString(node: SyntaxNode): string | undefined {
  const literal = stringValue(node);
  if (literal !== undefined) return literal;
  if (node.type !== 'identifier') return undefined;
  const defs = definitionsOf(node.text, node);
  if (defs.length === 0) return undefined;
  let out = '';
  for (const d of defs) {
    const v = stringValue(d.value);
    if (v === undefined) return undefined;
    out = d.appended ? out + v : v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dynamic SQL

export interface SqlPieces {
  /** The constant text around the dynamic parts, joined. */
  readonly text: string;
  /** The values put into the text. */
  readonly values: readonly SyntaxNode[];
  /** For each value, the static text right before it (to tell `$${i}` and `'${x}'` apart). */
  readonly before: readonly string[];
  /** The expression that builds the text (the template, the f-string, the `%`). */
  readonly node: SyntaxNode;
  /** Values formatted as numbers (`"%d" % n`): they cannot carry text. */
  readonly numeric?: ReadonlySet<SyntaxNode>;
}

/**
 * Splits a SQL-building expression into constant text and inserted values: template strings,
 * `+` concatenation, f-strings, `"…" % x`, `"…".format(x)`. A name is followed to its local
 * definitions. Returns undefined for anything that does not build a string from pieces.
 */
export function sqlPieces(node: SyntaxNode, depth = 0): SqlPieces | undefined {
  if (depth > 4) return undefined;
  const text: string[] = [];
  const values: SyntaxNode[] = [];
  const before: string[] = [];
  const numeric = new Set<SyntaxNode>();
  const push = (value: SyntaxNode): void => {
    values.push(value);
    before.push(text.join(''));
  };
  const walk = (n: SyntaxNode): boolean => {
    switch (n.type) {
      case 'parenthesized_expression':
        return n.namedChild(0) ? walk(n.namedChild(0)!) : false;
      case 'string': {
        const literal = stringValue(n);
        if (literal !== undefined) {
          text.push(literal);
          return true;
        }
        // Python f-string: string_content and interpolation children.
        for (const c of n.namedChildren) {
          if (c.type === 'string_content' || c.type === 'escape_sequence') text.push(c.text);
          else if (c.type === 'interpolation') {
            const e = c.childForFieldName('expression') ?? c.namedChild(0);
            if (e) push(e);
          }
        }
        return true;
      }
      case 'concatenated_string':
        return n.namedChildren.every((c) => walk(c));
      case 'template_string':
        for (const c of n.namedChildren) {
          if (c.type === 'string_fragment' || c.type === 'escape_sequence') text.push(c.text);
          else if (c.type === 'template_substitution' && c.namedChild(0)) push(c.namedChild(0)!);
        }
        return true;
      case 'binary_expression':
      case 'binary_operator': {
        const op = n.childForFieldName('operator')?.text ?? n.children.find((c) => !c.isNamed)?.text;
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left || !right) return false;
        if (op === '+') {
          if (!walkOperand(left)) return false;
          return walkOperand(right);
        }
        if (op === '%' && n.type === 'binary_operator' && isStringish(left)) {
          const start = text.length;
          if (!walk(left)) return false;
          const args = right.type === 'tuple' ? right.namedChildren : right.type === 'dictionary' ? right.namedChildren.map((p) => p.childForFieldName('value')!).filter(Boolean) : [right];
          const prefix = text.slice(0, start).join('');
          const format = text.slice(start).join('');
          const specs = [...format.matchAll(/%(?:\(([^)]*)\))?[-#0 +]*\d*(?:\.\d+)?([a-zA-Z%])/g)].filter((m) => m[2] !== '%');
          const keys = right.type === 'dictionary' ? right.namedChildren.map((p) => stringValue(p.childForFieldName('key'))) : [];
          args.forEach((a, i) => {
            // The value lands where its own specifier is: by position, or by `%(name)s`.
            const spec = right.type === 'dictionary' ? specs.find((m) => m[1] === keys[i]) : specs[i];
            if (/^[dixXfeEgGo]$/.test(spec?.[2] ?? '')) numeric.add(a);
            values.push(a);
            before.push(prefix + format.slice(0, spec?.index ?? format.length));
          });
          return true;
        }
        return false;
      }
      case 'call': {
        // "…".format(a, b=c)
        const fn = n.childForFieldName('function');
        if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' && isStringish(fn.childForFieldName('object'))) {
          const start = text.length;
          if (!walk(fn.childForFieldName('object')!)) return false;
          const prefix = text.slice(0, start).join('');
          const format = text.slice(start).join('');
          const fields = [...format.matchAll(/\{(\w*)[^{}]*\}/g)];
          let auto = 0;
          for (const a of callArguments(n)) {
            const keyword = a.type === 'keyword_argument' ? a.childForFieldName('name')?.text : undefined;
            const field = keyword ? fields.find((f) => f[1] === keyword) : (fields.find((f) => f[1] === String(auto)) ?? fields.filter((f) => f[1] === '')[auto]);
            if (!keyword) auto++;
            values.push(keyword ? (a.childForFieldName('value') ?? a) : a);
            before.push(prefix + format.slice(0, field?.index ?? format.length));
          }
          return true;
        }
        return false;
      }
      default:
        return false;
    }
  };
  const walkOperand = (n: SyntaxNode): boolean => {
    if (isStringish(n)) return walk(n);
    if (n.type === 'binary_expression' || n.type === 'binary_operator') {
      const before = text.length;
      if (walk(n)) return true;
      text.length = before;
    }
    push(n);
    return true;
  };
  if (node.type === 'identifier') {
    const defs = definitionsOf(node.text, node);
    if (defs.length === 0) return undefined;
    const parts = defs.map((d) => (stringValue(d.value) !== undefined ? { text: stringValue(d.value)!, values: [], before: [], node: d.value } : sqlPieces(d.value, depth + 1)));
    if (parts.some((p) => !p)) return undefined;
    const kept = parts as SqlPieces[];
    // `sql = "…"; sql += f"…"`: the pieces of every definition count.
    return {
      text: kept.map((p) => p.text).join(' '),
      values: kept.flatMap((p) => p.values),
      before: kept.flatMap((p) => p.before),
      numeric: new Set(kept.flatMap((p) => [...(p.numeric ?? [])])),
      node: kept.find((p) => p.values.length > 0)?.node ?? kept[kept.length - 1]!.node,
    };
  }
  if (!walk(node)) return undefined;
  if (values.length === 0 && node.type !== 'template_string' && node.type !== 'string' && node.type !== 'concatenated_string') return undefined;
  return { text: text.join(''), values, before, node, numeric };
}

function isStringish(n: SyntaxNode | null | undefined): boolean {
  return !!n && (n.type === 'string' || n.type === 'template_string' || n.type === 'concatenated_string');
}

// ---------------------------------------------------------------------------------------------
// Safe values

const UPPER_CONSTANT = /^[A-Z][A-Z0-9_]*$/;
/** Upper-case attributes that are request data, not constants: Django's `request.GET`, `request.POST`. */
const REQUEST_ATTRIBUTES = new Set(['GET', 'POST', 'FILES', 'META', 'COOKIES', 'REQUEST', 'DATA', 'PUT', 'PATCH', 'ENV']);
const NUMERIC_CALL = /^(Number|parseInt|parseFloat|int|float|Decimal|BigInt|len|abs|round|min|max|Math\.\w+|Number\.\w+|toFixed|toISOString|isoformat|getTime|valueOf)$/;
/** Helpers that quote or escape what they return: `escapeId`, `escapePath`, `quote_name`, `format_table`, `sql.identifier`. */
const ESCAPING_CALL =
  /escape|quote|sanitiz|sanitis|identifier|^ident$|^qn$|^literal$|^ref$|format_?(table|column|ident|name|schema)|^wrap(Identifier)?$|formatIdentifier|placeholders?$|^(tableName|columnName|getTableName)$/i;
const PLACEHOLDER_NAME = /(^|_|[a-z])(placeholders?|Placeholders?|marks|Marks|qmarks|bind_?marks|params?_?list|in_?clause|bindings?|Bindings?)$/;

export interface SafetyContext {
  /** Source text of the enclosing function, for allow-list guards. */
  readonly scopeText: string;
}

/**
 * Whether an inserted value cannot carry attacker text into the SQL: literals, UPPER_CASE
 * constants, lookups in constant maps, numbers, escaping helpers, placeholder lists, names
 * checked against an allow-list, `this`/`self` configuration, typed numeric or literal-union
 * parameters, and local names defined from any of these.
 */
export function isSafeValue(value: SyntaxNode, depth = 0): boolean {
  if (depth > 5) return false;
  const next = (n: SyntaxNode | null | undefined): boolean => !!n && isSafeValue(n, depth + 1);
  switch (value.type) {
    case 'number':
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'null':
    case 'undefined':
    case 'none':
    case 'None':
      return true;
    case 'string':
    case 'template_string': {
      const pieces = sqlPieces(value, depth + 1);
      if (!pieces) return stringValue(value) !== undefined;
      return pieces.values.every((v, i) => isPlaceholderIndex(pieces.before[i]!) || next(v));
    }
    case 'concatenated_string':
      return stringValue(value) !== undefined;
    case 'parenthesized_expression':
    case 'non_null_expression':
    case 'as_expression':
    case 'satisfies_expression':
    case 'await_expression':
      return next(value.namedChild(0));
    case 'identifier':
      return isSafeName(value, depth);
    case 'member_expression':
    case 'attribute': {
      const object = value.childForFieldName('object');
      const property = value.childForFieldName(value.type === 'attribute' ? 'attribute' : 'property')?.text ?? '';
      if (property === 'length' || (UPPER_CONSTANT.test(property) && !REQUEST_ATTRIBUTES.has(property) && !/request|req\b/.test(object?.text ?? ''))) return true;
      if (object && isConstantRoot(object)) return true;
      if (object && (object.type === 'this' || object.text === 'self' || object.text === 'cls') && !/request|req\b|body|params|query|input|args/i.test(value.text)) return true;
      return false;
    }
    case 'subscript_expression':
    case 'subscript': {
      // COLUMNS[sort] / SORTABLE[key]: a lookup in a constant table is an allow-list.
      const object = value.childForFieldName('object') ?? value.childForFieldName('value');
      return !!object && isConstantRoot(object);
    }
    case 'binary_expression':
    case 'binary_operator':
    case 'boolean_operator': {
      const op = value.childForFieldName('operator')?.text ?? value.children.find((c) => !c.isNamed)?.text ?? '';
      const left = value.childForFieldName('left');
      const right = value.childForFieldName('right');
      if (['-', '*', '/', '%', '**', '<<', '>>', '&', '|'].includes(op)) return true;
      if (op === '+' && (left?.type === 'number' || right?.type === 'number' || left?.type === 'integer' || right?.type === 'integer')) return true;
      // `COLUMNS[sort] ?? 'created_at'`, `x or 'asc'`: both sides must be safe.
      return next(left) && next(right);
    }
    case 'ternary_expression':
    case 'conditional_expression': {
      if (value.type === 'ternary_expression') return next(value.childForFieldName('consequence')) && next(value.childForFieldName('alternative'));
      const branches = value.namedChildren;
      return next(branches[0]) && next(branches[2]);
    }
    case 'unary_expression':
      return ['+', '-', '!', 'typeof'].includes(value.children[0]?.text ?? '');
    case 'call_expression':
    case 'call': {
      const name = calleeName(value) ?? '';
      // `", ".join([...])` has no dotted name: read the method off the callee.
      const callee = value.childForFieldName('function');
      const last = lastSegment(name) ?? ((callee?.type === 'attribute' || callee?.type === 'member_expression') ? (callee.childForFieldName(callee.type === 'attribute' ? 'attribute' : 'property')?.text ?? '') : '');
      if (NUMERIC_CALL.test(name) || NUMERIC_CALL.test(last)) return true;
      if (ESCAPING_CALL.test(last)) return true;
      if (last === 'join' || last === 'map') return isPlaceholderList(value, depth);
      if (last === 'str' || last === 'String' || last === 'toString' || last === 'toUpperCase' || last === 'toLowerCase' || last === 'upper' || last === 'lower') {
        const inner = callArguments(value)[0] ?? value.childForFieldName('function')?.childForFieldName('object');
        return next(inner);
      }
      return false;
    }
    default:
      return false;
  }
}

/** `$${i + 1}`: the value is a placeholder number, not text. */
function isPlaceholderIndex(before: string): boolean {
  return /\$$/.test(before);
}

/** `ids.map((_, i) => `$${i + 1}`).join(', ')`, `", ".join(["%s"] * len(ids))`, `ids.map(() => '?').join()`. */
function isPlaceholderList(call: SyntaxNode, depth: number): boolean {
  const text = call.text;
  // Only `$${i + 1}` substitutions: the list is placeholders, whatever it is joined from.
  const stripped = text.replace(/\$\$\{[^}]*\}/g, '');
  if (/['"`](\?|%s|\$)/.test(text) && /join|map|repeat|fill|\*/.test(text) && !stripped.includes('${') && !/\{[a-z_]\w*\}/i.test(stripped)) return true;
  // `conditions.join(' AND ')`, where every condition is safe text.
  const fn = call.childForFieldName('function');
  const object = fn?.childForFieldName('object') ?? (fn?.type === 'attribute' ? fn.childForFieldName('object') : null);
  if (object?.type === 'identifier') return isSafeArray(object, depth);
  // Python: "' AND '.join(conditions)"
  const arg = callArguments(call)[0];
  if (arg?.type === 'identifier' && object && isStringish(object)) return isSafeArray(arg, depth);
  if (arg && arg.type === 'list_comprehension') return isSafeValue(arg.namedChild(0)!, depth + 1);
  return false;
}

/** An array/list whose elements and pushes are all safe text. */
function isSafeArray(name: SyntaxNode, depth: number): boolean {
  const defs = definitionsOf(name.text, name);
  if (defs.length === 0) return false;
  const scope = scopeOf(name);
  const items: SyntaxNode[] = [];
  for (const d of defs) {
    if (d.value.type !== 'array' && d.value.type !== 'list') return isConstantRoot(name);
    items.push(...d.value.namedChildren);
  }
  for (const node of scope.descendantsOfType(CALL_TYPES)) {
    const callee = calleeName(node);
    if (callee === `${name.text}.push` || callee === `${name.text}.append`) items.push(...callArguments(node));
  }
  return items.every((i) => isSafeValue(i, depth + 1));
}

const CALL_TYPES = ['call_expression', 'call'];

/** UPPER_CASE constants and their members: `SORT_COLUMNS`, `Tables.INVOICES`, `TABLES.invoices`. */
function isConstantRoot(node: SyntaxNode): boolean {
  let n: SyntaxNode | null = node;
  while (n && (n.type === 'member_expression' || n.type === 'attribute' || n.type === 'subscript_expression' || n.type === 'subscript')) {
    const prop = n.childForFieldName('property') ?? n.childForFieldName('attribute');
    if (prop && REQUEST_ATTRIBUTES.has(prop.text)) return false;
    if (prop && UPPER_CONSTANT.test(prop.text) && prop.text.length > 1) return true;
    n = n.childForFieldName('object') ?? n.childForFieldName('value');
  }
  if (!n || n.type !== 'identifier') return false;
  if (UPPER_CONSTANT.test(n.text) && n.text.length > 1) return true;
  // A module-level `const allowed = { … }` / `ALLOWED = (…)` literal.
  const defs = definitionsOf(n.text, n);
  return defs.length === 1 && !defs[0]!.appended && ['object', 'array', 'dictionary', 'list', 'tuple', 'set'].includes(defs[0]!.value.type) && scopeOf(defs[0]!.value).parent === null;
}

function isSafeName(id: SyntaxNode, depth: number): boolean {
  const name = id.text;
  if (UPPER_CONSTANT.test(name) && name.length > 1) return true;
  if (PLACEHOLDER_NAME.test(name)) return true;
  const fn = enclosingFunction(id);
  const scopeText = fn?.text ?? '';
  if (isAllowListed(name, scopeText)) return true;
  const param = parameterType(id);
  if (param !== undefined) return /^(number|bigint|boolean|int|float|bool|Decimal|datetime|date|UUID|uuid\.UUID)$/.test(param) || /^(['"][^'"]*['"]\s*\|?\s*)+$/.test(param) || /^Literal\[/.test(param);
  const defs = definitionsOf(name, id);
  if (defs.length === 0) return false;
  return defs.every((d) => isSafeValue(d.value, depth + 1));
}

/** `if (!ALLOWED.includes(col)) throw`, `if col not in ALLOWED: raise`, `allowed.has(col)`. */
function isAllowListed(name: string, scopeText: string): boolean {
  const n = name.replace(/[$]/g, '\\$');
  return new RegExp(`\\.(includes|has|indexOf)\\(\\s*${n}\\s*\\)|\\b${n}\\s+(not\\s+)?in\\s+[A-Za-z_][\\w.]*|(assert|check|validate|ensure)\\w*\\(\\s*${n}\\b`).test(scopeText);
}

/** The annotated type of a parameter of the enclosing function, '' when untyped, undefined when not a parameter. */
function parameterType(id: SyntaxNode): string | undefined {
  const fn = enclosingFunction(id);
  const params = fn?.childForFieldName('parameters');
  if (!params) return undefined;
  for (const p of params.namedChildren) {
    const nameNode = p.childForFieldName('pattern') ?? p.childForFieldName('name') ?? (p.type === 'identifier' ? p : p.namedChild(0));
    if (nameNode?.text !== id.text) continue;
    const type = p.childForFieldName('type');
    return type ? type.text.replace(/^:\s*/, '').trim() : '';
  }
  return undefined;
}
