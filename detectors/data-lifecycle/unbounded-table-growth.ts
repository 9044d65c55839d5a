import { unwrap } from '../support/bindings.js';
import { pyDbCall, tsDbCall } from '../support/orm.js';
import { isAppendOnlyName, isExpiryColumn, mayHoldRetention, prismaModels, sqlRetentionTables, sqlTables, tableKey, type TableDefinition } from '../support/schema.js';
import { calleeName, descendants, dottedName, keywordArgument, objectProperty, PY_CALL, PY_METHOD_CALL, stringValue, TS_CALL, TS_METHOD_CALL } from '../support/syntax.js';
import type { Rule, RuleContext, RuleMatch, SyntaxNode, Tree } from '../../src/engine/types.js';
import { fileMentions } from '../support/file-hints.js';

/**
 * A new append-only table (deliveries, logs, sessions, attempts, history, audit, notifications,
 * machine events and messages) with a timestamp, when nothing in the whole change removes old
 * rows: no delete-by-age (Prisma/Mongoose `deleteMany` with `lt`, Knex/Drizzle/TypeORM deletes
 * with `<`, Django `filter(created_at__lt=…).delete()`, SQLAlchemy `delete(M).where(M.created_at < …)`,
 * SQL `DELETE FROM t WHERE created_at < …`, Timescale/pg_partman retention), no expiry column or
 * TTL index, no partitioning.
 *
 * Evidence is PR-wide: every file records what it removes as a fact, and the finding is decided
 * once all files are read. When both a model and its migration are new, only the model is reported.
 */

const RETENTION = 'unbounded-table-growth:retention';
const MODEL = 'unbounded-table-growth:model';

type Origin = 'model' | 'migration';

function retain(ctx: RuleContext, name: string | undefined): void {
  if (name) ctx.facts.add(RETENTION, tableKey(name));
}

function message(def: TableDefinition): string {
  return `\`${def.name}\` is a new append-only table with a timestamp, and nothing in this change deletes old rows, expires them or partitions it: it grows with traffic until its indexes, queries and backups slow down. Add a retention job (delete rows older than N days, in batches) and index the timestamp.`;
}

/** Decides a definition: retention evidence of its own, or a report that waits for the PR's evidence. */
function judge(ctx: RuleContext, def: TableDefinition, origin: Origin, at: { node?: SyntaxNode; line?: number }): void {
  if (def.hasExpiry || def.partitioned) {
    for (const key of def.keys) ctx.facts.add(RETENTION, key);
    return;
  }
  if (!isAppendOnlyName(def.name) || !def.hasTimestamp) return;
  const line = at.line ?? at.node!.startPosition.row + 1;
  if (!ctx.file.isChangedLine(line)) return; // an existing table: not this change's decision
  if (origin === 'model') for (const key of def.keys) ctx.facts.add(MODEL, key);
  const keys = def.keys;
  ctx.report({
    ...(at.node ? { node: at.node } : { lines: { start: line, end: line }, key: `table ${def.name}` }),
    message: message(def),
    when: (facts) => !keys.some((k) => facts.has(RETENTION, k)) && (origin === 'model' || !keys.some((k) => facts.has(MODEL, k))),
  });
}

// ---------------------------------------------------------------------------------------------
// Text files: schema.prisma and SQL

function checkText(ctx: RuleContext): void {
  const { language, source } = ctx.file;
  if (language === 'prisma') {
    for (const def of prismaModels(source)) judge(ctx, def, 'model', { line: def.line });
    return;
  }
  if (language === 'sql') {
    for (const key of sqlRetentionTables(source)) ctx.facts.add(RETENTION, key);
    for (const def of sqlTables(source)) judge(ctx, def, 'migration', { line: def.line });
  }
}

// ---------------------------------------------------------------------------------------------
// Retention in code

/** `lt`, `lte`, `$lt`, `LessThan(…)`, `'<'`, `lt(col, …)`: a condition that keeps only older rows. */
const TS_OLDER_THAN = /\b(lte?|\$lte?)\s*:|LessThan(OrEqual)?\(|['"`]<=?['"`]|\blte?\(|whereRaw\([^)]*<|\bwhere\s*\(\s*['"`][^'"`]*<|Op\.lte?\b|\[Op\.lte?\]/;

/** The outermost call of the chain `call` is part of: `db.delete(t)` → `db.delete(t).where(lt(…))`. */
function chainTop(call: SyntaxNode): SyntaxNode {
  let top = call;
  for (;;) {
    let p = top.parent;
    while (p && (p.type === 'await_expression' || p.type === 'parenthesized_expression')) p = p.parent;
    if ((p?.type === 'member_expression' || p?.type === 'attribute') && (p.parent?.type === 'call_expression' || p.parent?.type === 'call')) top = p.parent;
    else return top;
  }
}

/** Which table a TS delete call removes rows from, when it removes old rows. */
function tsRetentionTarget(call: SyntaxNode, method: string, object: SyntaxNode): string | undefined {
  const top = chainTop(call);
  if (!TS_OLDER_THAN.test(top.text)) return undefined;
  const receiver = dottedName(object) ?? '';
  const last = receiver.slice(receiver.lastIndexOf('.') + 1);
  if (method === 'deleteMany') return last || undefined; // prisma.webhookDelivery / WebhookEvent (Mongoose)
  const db = tsDbCall(top);
  if (db?.library === 'knex' && db.model) return db.model; // knex('webhook_deliveries').where(…).del()
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const first = args[0];
  // drizzle: db.delete(webhookDeliveries).where(lt(...))
  if (first?.type === 'identifier' && /^(db|tx|trx|database)$/.test(last)) return first.text;
  // TypeORM: this.webhookDeliveryRepository.delete({ createdAt: LessThan(cutoff) }), getRepository(X).delete(...)
  if (/(Repository|Repo)$/i.test(last)) return last.replace(/(Repository|Repo)$/i, '');
  if (object.type === 'call_expression' && /getRepository$/.test(calleeName(object) ?? '')) return object.childForFieldName('arguments')?.namedChildren[0]?.text;
  // createQueryBuilder().delete().from(WebhookDelivery).where('createdAt < :cutoff')
  const from = /\.from\(\s*['"`]?([\w.]+)/.exec(top.text);
  return from?.[1];
}

/** Mongo TTL index: `db.collection('events').createIndex({ createdAt: 1 }, { expireAfterSeconds })`, `eventSchema.index(…, { expires })`. */
function ttlIndexTarget(call: SyntaxNode, object: SyntaxNode): string | undefined {
  const args = call.childForFieldName('arguments')?.text ?? '';
  if (!/expireAfterSeconds|expires\s*:/.test(args)) return undefined;
  const collection = /collection\(\s*['"`]([\w.]+)['"`]/.exec(object.text);
  if (collection) return collection[1];
  const receiver = dottedName(object) ?? '';
  return receiver.slice(receiver.lastIndexOf('.') + 1).replace(/Schema$/, '') || undefined;
}

// ---------------------------------------------------------------------------------------------
// Definitions in TypeScript: Knex migrations, Drizzle tables, TypeORM/MikroORM entities

const TS_TIME_COLUMN = /\.(timestamps?|datetime|date|timestamptz)\(|\b(timestamp|datetime|date)\(|mode:\s*['"]timestamp|type:\s*['"](timestamp|timestamptz|datetime|date)['"]|@(CreateDateColumn|UpdateDateColumn)\b/;

/** Column names written in a Knex `createTable` callback or a Drizzle column map. */
function columnNamesIn(node: SyntaxNode): string[] {
  const names: string[] = [];
  for (const n of descendants(node)) {
    if (n.type === 'pair') {
      const key = n.childForFieldName('key');
      if (key) names.push(stringValue(key) ?? key.text);
    }
    const s = stringValue(n);
    if (s && /^\w+$/.test(s)) names.push(s);
  }
  return names;
}

function knexTable(ctx: RuleContext, call: SyntaxNode): void {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const name = stringValue(args[0]);
  const builder = args.find((a) => a.type === 'arrow_function' || a.type === 'function_expression');
  if (!name || !builder) return;
  const text = builder.text;
  judge(
    ctx,
    { name, keys: [tableKey(name)], hasTimestamp: TS_TIME_COLUMN.test(text), hasExpiry: columnNamesIn(builder).some(isExpiryColumn), partitioned: /partition\s+by/i.test(text), line: args[0]!.startPosition.row + 1 },
    'migration',
    { node: args[0]! },
  );
}

function drizzleTable(ctx: RuleContext, call: SyntaxNode): void {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const table = stringValue(args[0]);
  const columns = args[1];
  if (!table || columns?.type !== 'object') return;
  const binding = call.parent?.type === 'variable_declarator' ? call.parent.childForFieldName('name')?.text : undefined;
  const keys = [tableKey(table), ...(binding ? [tableKey(binding)] : [])];
  judge(
    ctx,
    { name: table, keys, hasTimestamp: TS_TIME_COLUMN.test(columns.text), hasExpiry: columnNamesIn(columns).some(isExpiryColumn), partitioned: false, line: call.startPosition.row + 1 },
    'model',
    { node: args[0]! },
  );
}

function decoratorsOfClass(klass: SyntaxNode): SyntaxNode[] {
  const own = klass.namedChildren.filter((c) => c.type === 'decorator');
  const exported = klass.parent?.type === 'export_statement' ? klass.parent.namedChildren.filter((c) => c.type === 'decorator') : [];
  return [...exported, ...own];
}

function typeormEntity(ctx: RuleContext, klass: SyntaxNode, nameNode: SyntaxNode, body: SyntaxNode): void {
  const entity = decoratorsOfClass(klass).find((d) => /^@?Entity\b/.test(d.text.replace(/^@/, '')));
  if (!entity) return;
  const tableName = stringValue(entity.namedChild(0)?.childForFieldName('arguments')?.namedChildren[0]) ?? stringValue(objectProperty(entity.namedChild(0)?.childForFieldName('arguments')?.namedChildren[0], 'name'));
  let hasTimestamp = false;
  let hasExpiry = false;
  for (const field of body.namedChildren) {
    if (field.type !== 'public_field_definition') continue;
    const fieldName = field.childForFieldName('name')?.text ?? '';
    if (TS_TIME_COLUMN.test(field.text) || /:\s*Date\b/.test(field.childForFieldName('type')?.text ?? '')) hasTimestamp = true;
    if (isExpiryColumn(fieldName)) hasExpiry = true;
  }
  const name = nameNode.text;
  judge(ctx, { name, keys: [tableKey(name), ...(tableName ? [tableKey(tableName)] : [])], hasTimestamp, hasExpiry, partitioned: false, line: nameNode.startPosition.row + 1 }, 'model', { node: nameNode });
}

/**
 * What recordSqlRetention() needs in a string: mayHoldRetention()'s words or `create table`. A
 * string's text is part of the file's, so a file without any is passed over once rather than
 * asking each of its strings (most of a file's matches) for its text.
 */
const SQL_RETENTION_HINT = /delete\s+from|add_retention_policy|drop_chunks|create_parent|create\s+table/i;

/** SQL in a source string (a raw query, a migration's `op.execute`) can delete by age or create a table with a TTL. */
function recordSqlRetention(ctx: RuleContext, string: SyntaxNode): void {
  if (!fileMentions(ctx, SQL_RETENTION_HINT)) return;
  const text = string.text;
  if (mayHoldRetention(text)) for (const key of sqlRetentionTables(text)) ctx.facts.add(RETENTION, key);
  if (/create\s+table/i.test(text)) for (const def of sqlTables(text)) if (def.partitioned || def.hasExpiry) for (const k of def.keys) ctx.facts.add(RETENTION, k);
}

type Captures = RuleMatch['captures'];

function onTsMatch(match: RuleMatch, ctx: RuleContext): void {
  // Of the every-call shape (TS_CALL), calls of a plain name: method calls come with @method.
  if (match.captures.function && match.captures.function.type !== 'identifier') return;
  // A partly changed file is read whole by checkFile: its facts can come from any line.
  if (ctx.file.wholeFile) readTs(match.captures, ctx);
}

function readTs(c: Captures, ctx: RuleContext): void {
  if (c.sql) {
    recordSqlRetention(ctx, c.sql);
    return;
  }
  if (c.entity) {
    typeormEntity(ctx, c.entity, c.name!, c.body!);
    return;
  }
  const call = c.call!;
  if (c.function) {
    if (/^(pgTable|mysqlTable|sqliteTable)$/.test(c.function.text)) drizzleTable(ctx, call);
    return;
  }
  const method = c.method?.text ?? '';
  const object = c.object!;
  switch (method) {
    case 'createTable':
    case 'createTableIfNotExists':
      knexTable(ctx, call);
      return;
    case 'deleteMany':
    case 'delete':
    case 'del':
      retain(ctx, tsRetentionTarget(call, method, object));
      return;
    case 'createIndex':
    case 'index':
      retain(ctx, ttlIndexTarget(call, object));
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Python: Django models and migrations, Alembic, SQLAlchemy declarative

const PY_TIME = /\b(DateTimeField|DateField|DateTime|TIMESTAMP|TIMESTAMPTZ|Date)\b|Mapped\[\s*(Optional\[\s*)?(datetime|date|dt\.datetime)\b|:\s*(Optional\[\s*)?datetime\b/;
const TIMESTAMP_BASE = /Time[Ss]tamp|Created|Audit|Tracked/;
const PY_OLDER_THAN = /__(lt|lte|range)\s*=|__date__(lt|lte)\s*=/;

function assignments(body: SyntaxNode): { name: string; value: SyntaxNode | undefined; text: string }[] {
  const out: { name: string; value: SyntaxNode | undefined; text: string }[] = [];
  for (const statement of body.namedChildren) {
    const a = statement.type === 'expression_statement' ? statement.namedChild(0) : undefined;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    if (left?.type !== 'identifier') continue;
    out.push({ name: left.text, value: a.childForFieldName('right') ?? undefined, text: a.text });
  }
  return out;
}

function innerClass(body: SyntaxNode, name: string): SyntaxNode | undefined {
  return body.namedChildren.find((s) => s.type === 'class_definition' && s.childForFieldName('name')?.text === name);
}

const TABLENAME = /__tablename__/;

function pyModelClass(ctx: RuleContext, klass: SyntaxNode, nameNode: SyntaxNode, bases: SyntaxNode, body: SyntaxNode): void {
  const baseText = bases.text;
  // Every kind of model below needs a `…Model` base or a `__tablename__` (written in the file):
  // without either, the class is not read field by field.
  if (!/Model\b/.test(baseText)) {
    if (!fileMentions(ctx, TABLENAME)) return;
  }
  const name = nameNode.text;
  const fields = assignments(body);
  const tablename = fields.find((f) => f.name === '__tablename__');
  const isSqlModelTable = /\bSQLModel\b/.test(baseText) && /table\s*=\s*True/.test(baseText);
  const isFlaskModel = /\bdb\.Model\b/.test(baseText);
  const isDjango = /\bmodels\.Model\b|Model\b/.test(baseText) && fields.some((f) => /\bmodels\.\w+(Field|Key)\(|\b\w+Field\(|ForeignKey\(/.test(f.text)) && !tablename;
  if (!tablename && !isSqlModelTable && !isFlaskModel && !isDjango) return;
  if (isDjango && !/django/.test(ctx.file.source) && !/\bmodels\.Model\b/.test(baseText)) return;
  const meta = innerClass(body, 'Meta');
  const metaFields = meta?.childForFieldName('body') ? assignments(meta.childForFieldName('body')!) : [];
  if (metaFields.some((f) => (f.name === 'abstract' || f.name === 'proxy') && f.value?.type === 'true')) return;
  if (fields.some((f) => f.name === '__abstract__' && f.value?.type === 'true')) return;
  const dbTable = stringValue(metaFields.find((f) => f.name === 'db_table')?.value) ?? stringValue(tablename?.value);
  const hasTimestamp = TIMESTAMP_BASE.test(baseText) || fields.some((f) => f.name !== '__tablename__' && PY_TIME.test(f.text)) || annotatedTimestamp(body);
  const hasExpiry = fields.some((f) => isExpiryColumn(f.name)) || annotatedNames(body).some(isExpiryColumn);
  const tableArgs = fields.find((f) => f.name === '__table_args__')?.text ?? '';
  const partitioned = /postgresql_partition_by|Partitioned/.test(tableArgs + baseText);
  judge(ctx, { name, keys: [tableKey(name), ...(dbTable ? [tableKey(dbTable)] : [])], hasTimestamp, hasExpiry, partitioned, line: nameNode.startPosition.row + 1 }, 'model', { node: nameNode });
}

/** SQLModel/dataclass style fields: `created_at: datetime = Field(...)` (annotation without `Mapped`). */
function annotatedTimestamp(body: SyntaxNode): boolean {
  return body.namedChildren.some((s) => s.type === 'expression_statement' && PY_TIME.test(s.text));
}

function annotatedNames(body: SyntaxNode): string[] {
  const out: string[] = [];
  for (const s of body.namedChildren) {
    const a = s.type === 'expression_statement' ? s.namedChild(0) : undefined;
    const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    if (left?.type === 'identifier') out.push(left.text);
  }
  return out;
}

/** `op.create_table('webhook_deliveries', sa.Column('created_at', sa.DateTime()), …, postgresql_partition_by=…)`. */
function alembicTable(ctx: RuleContext, call: SyntaxNode): void {
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const nameNode = args[0];
  const name = stringValue(nameNode);
  if (!name || !nameNode) return;
  let hasTimestamp = false;
  let hasExpiry = false;
  for (const column of args.slice(1)) {
    if (column.type !== 'call' || !/(^|\.)Column$/.test(calleeName(column) ?? '')) continue;
    const columnArgs = column.childForFieldName('arguments')?.namedChildren ?? [];
    if (PY_TIME.test(columnArgs.slice(1).map((a) => a.text).join(' '))) hasTimestamp = true;
    const columnName = stringValue(columnArgs[0]);
    if (columnName && isExpiryColumn(columnName)) hasExpiry = true;
  }
  const partitioned = !!keywordArgument(call, 'postgresql_partition_by');
  judge(ctx, { name, keys: [tableKey(name)], hasTimestamp, hasExpiry, partitioned, line: nameNode.startPosition.row + 1 }, 'migration', { node: nameNode });
}

/** `migrations.CreateModel(name='WebhookDelivery', fields=[('created_at', models.DateTimeField(...)), …], options={...})`. */
function djangoCreateModel(ctx: RuleContext, call: SyntaxNode): void {
  const nameNode = keywordArgument(call, 'name') ?? call.childForFieldName('arguments')?.namedChildren[0];
  const name = stringValue(nameNode);
  if (!name || !nameNode) return;
  const fields = keywordArgument(call, 'fields') ?? call.childForFieldName('arguments')?.namedChildren[1];
  const options = keywordArgument(call, 'options');
  const bases = keywordArgument(call, 'bases');
  let hasTimestamp = false;
  let hasExpiry = false;
  for (const field of fields?.namedChildren ?? []) {
    if (field.type !== 'tuple') continue;
    const [fieldName, definition] = field.namedChildren;
    if (definition && PY_TIME.test(definition.text)) hasTimestamp = true;
    const n = stringValue(fieldName);
    if (n && isExpiryColumn(n)) hasExpiry = true;
  }
  const optionsText = options?.text ?? '';
  if (/['"](abstract|proxy)['"]\s*:\s*True/.test(optionsText)) return;
  const dbTable = /['"]db_table['"]\s*:\s*['"]([\w.]+)['"]/.exec(optionsText)?.[1];
  const partitioned = /Partitioned|partitioning_options/.test(optionsText + (bases?.text ?? ''));
  judge(ctx, { name, keys: [tableKey(name), ...(dbTable ? [tableKey(dbTable)] : [])], hasTimestamp, hasExpiry, partitioned, line: nameNode.startPosition.row + 1 }, 'migration', { node: nameNode });
}

/** `X.objects.filter(created_at__lt=…).delete()`, `session.query(X).filter(X.created_at < c).delete()`. */
function pyDeleteTarget(call: SyntaxNode): string | undefined {
  const db = pyDbCall(call);
  if (!db || !db.chain.includes('delete')) return undefined;
  const text = call.text;
  if (db.library === 'django' && PY_OLDER_THAN.test(text)) return db.model;
  if (db.library === 'sqlalchemy' && /<=?/.test(text.replace(/->/g, ''))) return db.model;
  return undefined;
}

/** `delete(X).where(X.created_at < cutoff)` (SQLAlchemy core/2.0). */
function pyCoreDeleteTarget(call: SyntaxNode): string | undefined {
  const top = chainTop(call);
  if (top === call) return undefined;
  const hasOlderThan = [...descendants(top)].some((n) => n.type === 'comparison_operator' && n.children.some((c) => c.type === '<' || c.type === '<='));
  if (!hasOlderThan) return undefined;
  const target = unwrap(call.childForFieldName('arguments')?.namedChildren[0]);
  const name = dottedName(target);
  return name ? name.slice(name.lastIndexOf('.') + 1).replace(/_table$/, '') : undefined;
}

function onPyMatch(match: RuleMatch, ctx: RuleContext): void {
  // Of the every-call shape (PY_CALL), calls of a plain name: attribute calls come with @method.
  if (match.captures.function && match.captures.function.type !== 'identifier') return;
  if (ctx.file.wholeFile) readPy(match.captures, ctx);
}

function readPy(c: Captures, ctx: RuleContext): void {
  if (c.sql) {
    recordSqlRetention(ctx, c.sql);
    return;
  }
  if (c.class) {
    pyModelClass(ctx, c.class, c.name!, c.bases!, c.body!);
    return;
  }
  const call = c.call!;
  const source = ctx.file.source;
  if (c.function) {
    if (source.startsWith('delete', c.function.startIndex) && c.function.text === 'delete') retain(ctx, pyCoreDeleteTarget(call));
    return;
  }
  // A name's text starts where the name does, so a name none of the methods starts is passed
  // over before its text is asked for (most calls are of other methods).
  const at = c.method?.startIndex ?? -1;
  if (!source.startsWith('delete', at) && !source.startsWith('create_table', at) && !source.startsWith('CreateModel', at)) return;
  const method = c.method?.text;
  // The receiver's text only for the methods that need it: it can be a long chain.
  if (method !== 'create_table' && method !== 'CreateModel' && method !== 'delete') return;
  const object = c.object?.text;
  if (method === 'create_table' && object === 'op') alembicTable(ctx, call);
  else if (method === 'CreateModel' && object === 'migrations') djangoCreateModel(ctx, call);
  else if (method === 'delete' && (object === 'sa' || object === 'sqlalchemy')) retain(ctx, pyCoreDeleteTarget(call));
  else if (method === 'delete') retain(ctx, pyDeleteTarget(call));
}

// ---------------------------------------------------------------------------------------------
// A partly changed file, read whole
//
// Retention can be written on any line of a changed file (a cleanup job the PR does not touch
// still removes old rows), and a definition counts when its name is on a changed line. The
// queries run only over the changed ranges, so such a file is read here instead, once: what the
// queries would match is looked up directly, and only where the file's text can hold something
// the handlers keep — the same handlers, on the same nodes, as in a file read whole.

/** Knex table definitions: always read (their words are rare). */
const TS_TABLE_METHODS = /\b(createTableIfNotExists|createTable)\b/g;
/** Deletes count only with an older-than condition, which is part of the file's text. */
const TS_DELETE_METHODS = /\b(deleteMany|delete|del)\b/g;
/** TTL indexes count only with an expiry option, which is part of the file's text. */
const TS_INDEX_METHODS = /\b(createIndex|index)\b/g;
const TTL_OPTION = /expireAfterSeconds|expires\s*:/;
const DRIZZLE_TABLES = /\b(pgTable|mysqlTable|sqliteTable)\b/g;
const PY_NAMES = /\b(delete|create_table|CreateModel)\b/g;

/**
 * The nodes of `type` that are exactly a whole word `words` finds in the source: each looked up
 * in the tree where the word is, instead of asking the tree for every identifier of the file.
 * A word in a string or a comment has no such node there.
 */
function nodesSpelled(root: SyntaxNode, source: string, words: RegExp, type: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  words.lastIndex = 0;
  for (let m = words.exec(source); m; m = words.exec(source)) {
    const end = m.index + m[0].length;
    const node = root.descendantForIndex(m.index, end);
    if (node.type === type && node.startIndex === m.index && node.endIndex === end) out.push(node);
  }
  return out;
}

/** What `(call_expression function: (member_expression object: (_) property: (property_identifier)))` captures for a method name. */
function tsMethodCall(ctx: RuleContext, method: SyntaxNode): void {
  const member = method.parent;
  if (member?.type !== 'member_expression' || member.childForFieldName('property') !== method) return;
  const call = member.parent;
  const object = member.childForFieldName('object');
  if (call?.type !== 'call_expression' || call.childForFieldName('function') !== member || !object) return;
  readTs({ call, method, object }, ctx);
}

function checkTsFile(ctx: RuleContext, root: SyntaxNode): void {
  const source = ctx.file.source;
  for (const method of nodesSpelled(root, source, TS_TABLE_METHODS, 'property_identifier')) tsMethodCall(ctx, method);
  if (TS_OLDER_THAN.test(source)) for (const method of nodesSpelled(root, source, TS_DELETE_METHODS, 'property_identifier')) tsMethodCall(ctx, method);
  if (TTL_OPTION.test(source)) for (const method of nodesSpelled(root, source, TS_INDEX_METHODS, 'property_identifier')) tsMethodCall(ctx, method);
  for (const fn of nodesSpelled(root, source, DRIZZLE_TABLES, 'identifier')) {
    const call = fn.parent;
    if (call?.type === 'call_expression' && call.childForFieldName('function') === fn) readTs({ call, function: fn }, ctx);
  }
  // typeormEntity() needs an `@Entity` decorator.
  if (source.includes('Entity')) {
    for (const entity of root.descendantsOfType('class_declaration')) {
      const name = entity.childForFieldName('name');
      const body = entity.childForFieldName('body');
      if (name?.type === 'type_identifier' && body?.type === 'class_body') readTs({ entity, name, body }, ctx);
    }
  }
  if (fileMentions(ctx, SQL_RETENTION_HINT)) for (const sql of root.descendantsOfType(['string', 'template_string'])) readTs({ sql }, ctx);
}

function checkPyFile(ctx: RuleContext, root: SyntaxNode): void {
  const source = ctx.file.source;
  for (const name of nodesSpelled(root, source, PY_NAMES, 'identifier')) {
    const parent = name.parent;
    if (parent?.type === 'call' && parent.childForFieldName('function') === name) {
      readPy({ call: parent, function: name }, ctx);
      continue;
    }
    if (parent?.type !== 'attribute' || parent.childForFieldName('attribute') !== name) continue;
    const call = parent.parent;
    const object = parent.childForFieldName('object');
    if (call?.type === 'call' && call.childForFieldName('function') === parent && object) readPy({ call, method: name, object }, ctx);
  }
  // pyModelClass() needs a `__tablename__` in the file or a `…Model` base.
  for (const klass of TABLENAME.test(source) ? root.descendantsOfType('class_definition') : classesWithModelBase(root, source)) {
    const name = klass.childForFieldName('name');
    const bases = klass.childForFieldName('superclasses');
    const body = klass.childForFieldName('body');
    if (name?.type === 'identifier' && bases?.type === 'argument_list' && body?.type === 'block') readPy({ class: klass, name, bases, body }, ctx);
  }
  if (fileMentions(ctx, SQL_RETENTION_HINT)) for (const sql of root.descendantsOfType('string')) readPy({ sql }, ctx);
}

const MODEL_WORD = /Model\b/g;
/** Nodes between a base class's name and its class: a class's bases hold no block or statement. */
const PY_BASES_BOUND = /^(block|module|function_definition|decorated_definition|class_definition)$|_statement$/;

/**
 * The classes, in document order, whose bases hold `Model` (what pyModelClass() tests them for):
 * from each occurrence in the source, up to the class whose superclasses hold it.
 */
function classesWithModelBase(root: SyntaxNode, source: string): SyntaxNode[] {
  const classes = new Set<SyntaxNode>();
  // What an error node holds is not bound by the grammar: then each occurrence goes up to the root.
  const bounded = !root.hasError;
  MODEL_WORD.lastIndex = 0;
  for (let m = MODEL_WORD.exec(source); m; m = MODEL_WORD.exec(source)) {
    for (let n: SyntaxNode | null = root.descendantForIndex(m.index, m.index + m[0].length); n; n = n.parent) {
      if (n.type === 'argument_list' && n.parent?.type === 'class_definition') {
        if (n.parent.childForFieldName('superclasses') === n) classes.add(n.parent);
        break;
      }
      if (bounded && PY_BASES_BOUND.test(n.type)) break;
    }
  }
  return [...classes].sort((a, b) => a.startIndex - b.startIndex);
}

function checkFile(ctx: RuleContext, tree: Tree | undefined): void {
  if (!tree || ctx.file.wholeFile) return;
  if (ctx.file.language === 'python') checkPyFile(ctx, tree.rootNode);
  else checkTsFile(ctx, tree.rootNode);
}

const rule: Rule = {
  meta: {
    id: 'unbounded-table-growth',
    title: 'New append-only table without retention',
    severity: 'P1',
    category: 'Data lifecycle',
    languages: ['prisma', 'sql', 'py', 'ts'],
    docs: {
      why: 'Delivery logs, audit trails, sessions, notifications and webhook events get a row per event and are never updated, so they grow with traffic forever. Months later the table is the biggest in the database: inserts slow down on its indexes, queries by date scan millions of rows, and backups and migrations take hours.',
      fix: 'Decide how long the rows are needed and ship the cleanup with the table: a scheduled job that deletes rows older than the retention period in batches (with an index on the timestamp), an `expires_at` column that the job uses, or time partitions that are dropped.',
      example: {
        bad: `model WebhookDelivery {
  id        String   @id @default(cuid())
  payload   Json
  status    Int
  createdAt DateTime @default(now())
}`,
        good: `model WebhookDelivery {
  id        String   @id @default(cuid())
  payload   Json
  status    Int
  createdAt DateTime @default(now())

  @@index([createdAt])
}

// jobs/prune-deliveries.ts (same PR)
await prisma.webhookDelivery.deleteMany({ where: { createdAt: { lt: subDays(new Date(), 30) } } });`,
      },
    },
  },
  // Findings and retention facts come only from: a table definition (Prisma/Django/SQLAlchemy
  // `model`/`Model`/`CreateModel`, `__tablename__`, `create table`/`createTable`/`create_table`,
  // `pgTable`/`mysqlTable`/`sqliteTable`, TypeORM `@Entity`), a delete by age (`delete`,
  // `deleteMany`, Knex `.del()`: 'del' also covers 'model' and 'delete'), a TTL index
  // (`expireAfterSeconds`/`expires:`), or SQL retention calls (`add_retention_policy`,
  // `create_hypertable_retention`, `drop_chunks`, `create_parent`).
  requires: ['del', 'table', 'entity', 'expire', 'retention', 'drop_chunks', 'create_parent'],
  ts: {
    query: `
${TS_METHOD_CALL} @call
${TS_CALL} @call
(class_declaration name: (type_identifier) @name body: (class_body) @body) @entity
(string) @sql
(template_string) @sql
`,
    onMatch: onTsMatch,
  },
  py: {
    query: `
${PY_METHOD_CALL} @call
${PY_CALL} @call
(class_definition name: (identifier) @name superclasses: (argument_list) @bases body: (block) @body) @class
(string) @sql
`,
    onMatch: onPyMatch,
  },
  checkText,
  checkFile,
};

export default rule;
