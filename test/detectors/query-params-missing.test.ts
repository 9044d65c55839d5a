import { ruleTable } from '../support/rule-tester.js';

ruleTable('query-params-missing', {
  language: 'ts',
  invalid: [
    {
      // A CTE whose only word on the rule's list is WITH: the case covers that requires word.
      name: 'sqlite db.get of a CTE with ? and no values',
      code: `export async function latest(db: Database) {
  return db.get('WITH recent AS (TABLE events) TABLE recent LIMIT ?');
}`,
      lines: [2],
    },
    {
      name: 'pg pool.query with $1 and no values',
      code: `router.get('/invoices/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM invoices WHERE org_id = $1 AND id = $2');
  res.json(rows[0]);
});`,
      lines: [2],
      message: /\$1 placeholders but passes no parameters/,
    },
    {
      name: 'SQL in a const, run without values',
      code: `const FIND_MEMBER = 'SELECT * FROM members WHERE workspace_id = $1 AND user_id = $2';
export async function findMember(client: PoolClient) {
  return client.query(FIND_MEMBER);
}`,
      lines: [3],
    },
    {
      name: 'Prisma $queryRawUnsafe without the positional values',
      code: `export async function report(orgId: string) {
  return prisma.$queryRawUnsafe('SELECT status, count(*) FROM "Invoice" WHERE "orgId" = $1 GROUP BY status');
}`,
      lines: [2],
    },
    {
      name: 'knex.raw with ? and no bindings',
      code: `const rows = await knex.raw('select * from projects where org_id = ? and archived = false');`,
      lines: [1],
    },
    {
      name: 'knex whereRaw with a named binding and no bindings',
      code: `const q = db('tasks').whereRaw('assignee_id = :userId and due_at < now()');`,
      lines: [1],
    },
    {
      name: 'mysql2 execute with an empty values array',
      code: `const [rows] = await conn.execute('SELECT * FROM orders WHERE account_id = ?', []);`,
      lines: [1],
    },
    {
      name: 'Sequelize query with options but no replacements',
      code: `const users = await sequelize.query('SELECT * FROM users WHERE tenant_id = :tenantId', { type: QueryTypes.SELECT });`,
      lines: [1],
    },
    {
      name: 'pg config object without values',
      code: `await pool.query({ text: 'DELETE FROM sessions WHERE user_id = $1', rowMode: 'array' });`,
      lines: [1],
    },
    {
      // The statement's keyword starts a later piece, or its blank is in the next piece: the
      // file's literal pieces are what decides whether a generic method's SQL is read at all.
      name: 'SQL built from pieces, the keyword not at the start of the first literal',
      code: `export async function purge(db: Database, table: string) {
  const sub = '(' + 'SELECT id FROM ' + table + ' WHERE org_id = ?)';
  await db.all(sub);
  const sql = 'DELETE' + ' FROM ' + table + ' WHERE user_id = ?';
  await db.run(sql);
}`,
      lines: [3, 5],
    },
  ],
  valid: [
    {
      name: 'pg with values',
      code: `const { rows } = await pool.query('SELECT * FROM invoices WHERE org_id = $1 AND id = $2', [orgId, id]);`,
    },
    {
      name: 'values in a variable',
      code: `const params = [orgId];
await pool.query('SELECT * FROM invoices WHERE org_id = $1', params);`,
    },
    {
      name: 'jsonb ? operators are not placeholders',
      code: `await pool.query("SELECT * FROM flags WHERE rules ?| array['beta', 'ga'] AND meta ? 'owner'");`,
    },
    {
      name: 'casts and quoted times are not named placeholders',
      code: `await knex.raw("select created_at::date as day, count(*) from events where to_char(created_at, 'HH24:MI') > '09:30' group by 1");`,
    },
    {
      name: 'Prisma $queryRawUnsafe with spread values',
      code: `await prisma.$queryRawUnsafe('SELECT * FROM "Invoice" WHERE "orgId" = $1', ...params);`,
    },
    {
      name: 'knex.raw with named bindings',
      code: `await knex.raw('select * from tasks where assignee_id = :userId', { userId });`,
    },
    {
      name: 'a query without placeholders',
      code: `await pool.query('SELECT 1');
await pool.query('SELECT count(*) FROM jobs WHERE finished_at IS NULL');`,
    },
    {
      name: 'better-sqlite3 prepare binds later',
      code: `const stmt = db.prepare('SELECT * FROM notes WHERE owner_id = ?');
const note = stmt.get(userId);`,
    },
    {
      name: 'a non-SQL query call',
      code: `const res = await graphql.query('query Viewer($id: ID!) { node(id: $id) { id } }');`,
    },
  ],
});

ruleTable('query-params-missing', {
  language: 'py',
  invalid: [
    {
      name: 'psycopg cursor.execute with %s and no params',
      code: `def get_invoice(conn, invoice_id):
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM invoices WHERE org_id = %s AND id = %s")
        return cur.fetchone()`,
      lines: [3],
      message: /%s placeholders/,
    },
    {
      name: 'SQLAlchemy 2.0 session.execute(text()) without the bind dict',
      code: `def list_projects(session: Session, org_id: int):
    return session.execute(text("SELECT * FROM projects WHERE org_id = :org_id")).all()`,
      lines: [2],
      message: /:name/,
    },
    {
      name: 'text() bound to a name, executed without params',
      code: `STMT = text("DELETE FROM api_keys WHERE account_id = :account_id")
def revoke(conn):
    conn.execute(STMT)`,
      lines: [3],
    },
    {
      name: 'Django raw() with %s and no params',
      code: `def overdue(request):
    return Invoice.objects.raw("SELECT * FROM billing_invoice WHERE org_id = %s AND due < now()")`,
      lines: [2],
    },
    {
      name: 'sqlite3 with ? and no params',
      code: `def find_user(db, email):
    return db.execute("SELECT * FROM users WHERE email = ?").fetchone()`,
      lines: [2],
    },
    {
      name: 'named %(x)s placeholders, empty params',
      code: `cursor.execute("UPDATE members SET role = %(role)s WHERE tenant_id = %(tenant_id)s", {})`,
      lines: [1],
    },
    {
      name: 'asyncpg fetch with $1 and no args',
      code: `async def members(conn):
    return await conn.fetch("SELECT * FROM members WHERE workspace_id = $1")`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'psycopg with a params tuple',
      code: `cur.execute("SELECT * FROM invoices WHERE org_id = %s AND id = %s", (org_id, invoice_id))`,
    },
    {
      name: 'SQLAlchemy text with a bind dict',
      code: `session.execute(text("SELECT * FROM projects WHERE org_id = :org_id"), {"org_id": org_id})`,
    },
    {
      name: 'SQLAlchemy text().bindparams',
      code: `stmt = text("SELECT * FROM projects WHERE org_id = :org_id").bindparams(org_id=org_id)
session.execute(stmt)`,
    },
    {
      name: 'Django raw with params',
      code: `Invoice.objects.raw("SELECT * FROM billing_invoice WHERE org_id = %s", [org.id])`,
    },
    {
      name: 'LIKE pattern and a cast are not placeholders',
      code: `cur.execute("SELECT id::text FROM files WHERE name LIKE '%s%' AND created_at > now() - interval '1 day'")`,
    },
    {
      name: 'params passed by keyword',
      code: `conn.execute("SELECT * FROM t WHERE id = ?", parameters=(pk,))`,
    },
    {
      name: 'no placeholders',
      code: `cursor.execute("SELECT count(*) FROM django_session WHERE expire_date < now()")`,
    },
    {
      name: 'SQLAlchemy 1.x binds keyword arguments',
      code: `VIEW_SQL = text("SELECT name FROM sysobjects WHERE uid = :schema_name AND type = 'V'")
def get_view_names(connection, schema):
    return [v["name"] for v in connection.execute(VIEW_SQL, schema_name=schema)]`,
    },
    {
      name: 'params via **kwargs',
      code: `cursor.execute("SELECT * FROM t WHERE id = %s", **opts)`,
    },
  ],
});
