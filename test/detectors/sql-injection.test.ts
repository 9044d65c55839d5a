import { ruleTable } from '../support/rule-tester.js';

ruleTable('sql-injection', {
  language: 'ts',
  invalid: [
    {
      // The function starts the file, where the module does: each scope keeps its own definitions.
      name: 'a function at the top of the file and a module-level query of the same name',
      code: `function find(id) {
  const sql = 'SELECT * FROM invoices WHERE id = $1';
  return db.query(sql, [id]);
}
const sql = 'SELECT * FROM invoices WHERE id = ' + invoiceId;
await db.query(sql);`,
      lines: [5],
    },
    {
      // A CTE whose only word on the rule's list is WITH: the case covers that requires word.
      name: 'a CTE over a table named by the request',
      code: `app.get('/recent', async (req, res) => {
  res.json(await db.all(\`WITH recent AS (TABLE \${req.query.table}) TABLE recent\`));
});`,
      lines: [2],
    },
    {
      name: 'Express + pg: template interpolation of a route param',
      code: `router.get('/invoices/:id', async (req, res) => {
  const { rows } = await pool.query(\`SELECT * FROM invoices WHERE id = \${req.params.id}\`);
  res.json(rows[0]);
});`,
      lines: [2],
      message: /req\.params\.id.*pasted into the SQL run by `pool\.query`/,
    },
    {
      name: 'string concatenation built in a variable first',
      code: `export async function search(term: string) {
  const sql = "SELECT * FROM contacts WHERE name LIKE '%" + term + "%'";
  return db.query(sql);
}`,
      lines: [2],
    },
    {
      name: 'Prisma $queryRawUnsafe with interpolation, with the tagged-template suggestion',
      code: `export async function invoiceTotals(orgId: string, status: string) {
  return prisma.$queryRawUnsafe(\`SELECT sum(total) FROM "Invoice" WHERE "orgId" = '\${orgId}' AND status = '\${status}'\`);
}`,
      lines: [2],
      suggestion: `  return prisma.$queryRaw\`SELECT sum(total) FROM "Invoice" WHERE "orgId" = \${orgId} AND status = \${status}\`;`,
    },
    {
      name: 'knex whereRaw with a template',
      code: `const tasks = await db('tasks').whereRaw(\`assignee_id = \${userId}\`).andWhere({ org_id: orgId });`,
      lines: [1],
    },
    {
      name: 'dynamic ORDER BY from the query string',
      code: `app.get('/users', async (req, reply) => {
  const sort = req.query.sort;
  return fastify.pg.query(\`SELECT id, email FROM users WHERE org_id = $1 ORDER BY \${sort}\`, [req.user.orgId]);
});`,
      lines: [3],
      message: /`sort`/,
    },
    {
      name: 'TypeORM manager.query with interpolation',
      code: `@Injectable()
export class ReportRepo {
  constructor(private readonly dataSource: DataSource) {}
  byMonth(month: string) {
    return this.dataSource.query(\`SELECT * FROM reports WHERE month = '\${month}'\`);
  }
}`,
      lines: [5],
    },
    {
      name: 'Prisma $executeRawUnsafe with a column name: no suggestion, still flagged',
      code: `await prisma.$executeRawUnsafe(\`UPDATE "User" SET \${field} = NULL WHERE id = $1\`, id);`,
      lines: [1],
    },
    {
      name: 'sql built with += across statements',
      code: `async function list(filters: Filters) {
  let sql = 'SELECT * FROM orders WHERE 1=1';
  if (filters.status) sql += \` AND status = '\${filters.status}'\`;
  return pool.query(sql);
}`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'bind parameters',
      code: `await pool.query('SELECT * FROM invoices WHERE org_id = $1 AND id = $2', [orgId, id]);`,
    },
    {
      name: 'Prisma tagged $queryRaw is parameterised',
      code: `await prisma.$queryRaw\`SELECT * FROM "Invoice" WHERE "orgId" = \${orgId}\`;`,
    },
    {
      name: 'sql tagged template (slonik, @vercel/postgres)',
      code: `await pool.query(sql\`SELECT * FROM users WHERE id = \${id}\`);`,
    },
    {
      name: 'sort column checked against an allow-list',
      code: `const SORTABLE = ['created_at', 'total', 'due_date'];
export async function list(req: Request) {
  const sort = String(req.query.sort);
  if (!SORTABLE.includes(sort)) throw new BadRequestError('sort');
  return pool.query(\`SELECT * FROM invoices WHERE org_id = $1 ORDER BY \${sort}\`, [req.user.orgId]);
}`,
    },
    {
      name: 'column looked up in a constant map',
      code: `const COLUMNS = { created: 'created_at', total: 'amount_cents' } as const;
export async function list(sortKey: keyof typeof COLUMNS, orgId: string) {
  const column = COLUMNS[sortKey] ?? 'created_at';
  return pool.query(\`SELECT * FROM invoices WHERE org_id = $1 ORDER BY \${column} DESC\`, [orgId]);
}`,
    },
    {
      name: 'table name from an UPPER_CASE constant and numeric limit',
      code: `const TABLE = 'audit_events';
export async function recent(limit: number) {
  return pool.query(\`SELECT * FROM \${TABLE} ORDER BY created_at DESC LIMIT \${limit}\`);
}`,
    },
    {
      name: 'generated placeholder list',
      code: `const placeholders = ids.map((_, i) => \`$\${i + 2}\`).join(', ');
await pool.query(\`DELETE FROM files WHERE org_id = $1 AND id IN (\${placeholders})\`, [orgId, ...ids]);`,
    },
    {
      name: 'dynamic WHERE from placeholder-only conditions',
      code: `export async function search(orgId: string, status?: string) {
  const params: unknown[] = [orgId];
  const where = ['org_id = $1'];
  if (status) { params.push(status); where.push(\`status = $\${params.length}\`); }
  return pool.query(\`SELECT * FROM invoices WHERE \${where.join(' AND ')}\`, params);
}`,
    },
    {
      name: 'query builder, not SQL text',
      code: `await db('invoices').where({ org_id: orgId, id }).first();`,
    },
    {
      name: 'escaped identifier in a schema statement',
      code: `async clearTable(tableName: string) {
  await this.query(\`TRUNCATE TABLE \${this.escapePath(tableName)}\`);
}`,
    },
    {
      name: 'DDL takes identifiers, which no driver can bind',
      code: `await client.query(\`DROP SCHEMA IF EXISTS \${schemaName} CASCADE\`);`,
    },
    {
      name: 'an internal table name in identifier position',
      code: `export async function countRows(table: string, orgId: string) {
  return pool.query(\`SELECT count(*) FROM \${table} WHERE org_id = $1\`, [orgId]);
}`,
    },
    {
      name: 'catalog introspection compares metadata names',
      code: `const rows = await this.query(\`SELECT "udt_name" FROM "information_schema"."columns" WHERE "table_schema" = '\${schema}' AND "table_name" = '\${name}'\`);`,
    },
    {
      name: 'a field of a row read from the database',
      code: `for (const dbColumn of dbColumns) {
  const rows = await this.query(\`SELECT "srid" FROM "geometry_columns" WHERE "f_geometry_column" = '\${dbColumn["column_name"]}'\`);
}`,
    },
    {
      name: 'a SQL fragment built elsewhere',
      code: `const rows = await db.query(\`SELECT * FROM events WHERE \${whereSql} ORDER BY id\`, params);`,
    },
    {
      name: 'a non-SQL query call with a template',
      code: `const res = await client.query(\`{ user(id: "\${id}") { name } }\`);`,
    },
  ],
});

ruleTable('sql-injection', {
  language: 'py',
  invalid: [
    {
      // Only `tables` (the keyword) is on the rule's list here: the case covers that requires word.
      name: 'QuerySet.extra(tables=…) from the request',
      code: `qs = Invoice.objects.extra(tables=[f"{request.GET['t']}"])`,
      lines: [1],
    },
    {
      name: 'cursor.execute with an f-string',
      code: `def get_invoice(request, invoice_id):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM billing_invoice WHERE id = {invoice_id}")
        return cursor.fetchone()`,
      lines: [3],
      message: /invoice_id/,
    },
    {
      name: '% formatting',
      code: `cur.execute("SELECT * FROM users WHERE email = '%s'" % email)`,
      lines: [1],
    },
    {
      name: '.format',
      code: `cur.execute("DELETE FROM sessions WHERE user_id = {}".format(user_id))`,
      lines: [1],
    },
    {
      name: 'SQLAlchemy session.execute(text(f"..."))',
      code: `@router.get("/projects")
def list_projects(org: str, db: Session = Depends(get_db)):
    return db.execute(text(f"SELECT * FROM projects WHERE org_slug = '{org}'")).all()`,
      lines: [3],
    },
    {
      name: 'Django raw with concatenation',
      code: `def search(request):
    q = request.GET["q"]
    return Contact.objects.raw("SELECT * FROM crm_contact WHERE name LIKE '%%" + q + "%%'")`,
      lines: [3],
    },
    {
      name: 'SQL in a variable, then executed',
      code: `def purge(conn, table, days):
    sql = f"DELETE FROM {table} WHERE created_at < now() - interval '{days} days'"
    conn.execute(sql)`,
      lines: [2],
    },
    {
      name: 'QuerySet.extra with an f-string',
      code: `qs = Invoice.objects.extra(where=[f"org_id = {request.GET['org']}"])`,
      lines: [1],
    },
  ],
  valid: [
    {
      name: 'DB-API params',
      code: `cursor.execute("SELECT * FROM billing_invoice WHERE id = %s AND org_id = %s", [invoice_id, org_id])`,
    },
    {
      name: 'SQLAlchemy text with binds',
      code: `db.execute(text("SELECT * FROM projects WHERE org_slug = :org"), {"org": org})`,
    },
    {
      name: 'placeholder list for IN',
      code: `placeholders = ", ".join(["%s"] * len(ids))
cursor.execute(f"SELECT * FROM files WHERE id IN ({placeholders})", ids)`,
    },
    {
      name: 'column checked against an allow-list',
      code: `ALLOWED_SORT = {"created", "total"}
def list_invoices(cursor, sort, org_id):
    if sort not in ALLOWED_SORT:
        raise ValueError(sort)
    cursor.execute(f"SELECT * FROM invoices WHERE org_id = %s ORDER BY {sort}", [org_id])`,
    },
    {
      name: 'quoted identifier from the connection',
      code: `cursor.execute("SELECT COUNT(*) FROM %s" % connection.ops.quote_name(model._meta.db_table))`,
    },
    {
      name: 'module constant and typed int',
      code: `TABLE = "audit_log"
def recent(cursor, limit: int):
    cursor.execute(f"SELECT * FROM {TABLE} ORDER BY id DESC LIMIT {limit}")`,
    },
    {
      name: 'psycopg2.sql composition',
      code: `cur.execute(sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(table)), [pk])`,
    },
    {
      name: 'placeholder list inside % formatting',
      code: `cursor.execute("DELETE FROM %s WHERE cache_key IN (%s)" % (TABLE, ", ".join(["%s"] * len(keys))), keys)`,
    },
    {
      name: '%d formats a number',
      code: `resolved.set_source_expressions([RawSQL("%d" % (idx + 1), ())])`,
    },
    {
      name: 'provisioning DDL with an identifier',
      code: `conn.exec_driver_sql("DROP DATABASE %s" % ident)`,
    },
    {
      name: 'an f-string that is not SQL',
      code: `session.execute(f"{prefix}:{key}")`,
    },
  ],
});
