import { ruleTable } from '../support/rule-tester.js';

ruleTable('transaction-no-timeout', {
  language: 'ts',
  invalid: [
    {
      name: 'interactive transaction looping over rows, no options',
      code: `
export async function closeInvoices(orgId: string) {
  await prisma.$transaction(async (tx) => {
    const drafts = await tx.invoice.findMany({ where: { orgId, status: 'draft' } });
    for (const invoice of drafts) {
      await tx.invoice.update({ where: { id: invoice.id }, data: { status: 'issued', number: await nextNumber(tx) } });
    }
  });
}`,
      lines: [3],
      severity: 'P1',
      message: /`prisma\.\$transaction\(…\)` \(line 3\) is an interactive transaction with no `timeout`\/`maxWait` around awaits in a loop/,
      suggestion: '  }, { timeout: 10_000, maxWait: 5_000 });',
    },
    {
      name: 'an awaited call to something else inside the transaction',
      code: `
export async function convert(walletId: string, currency: string) {
  return prisma.$transaction(async (tx) => {
    const wallet = await tx.wallet.findUniqueOrThrow({ where: { id: walletId } });
    const rate = await fetchExchangeRate(wallet.currency, currency);
    return tx.wallet.update({ where: { id: walletId }, data: { balance: wallet.balance * rate, currency } });
  });
}`,
      lines: [3],
      message: /around `fetchExchangeRate\(…\)`/,
    },
    {
      name: 'P0: the file defines a transaction timeout constant the call does not pass',
      code: `
const TX_TIMEOUT_MS = 15_000;

export async function closeMonth(orgId: string) {
  return prisma.$transaction(async (tx) => {
    const invoices = await tx.invoice.findMany({ where: { orgId, status: 'draft' } });
    for (const invoice of invoices) await tx.invoice.update({ where: { id: invoice.id }, data: { status: 'issued' } });
  });
}`,
      lines: [5],
      severity: 'P0',
      message: /defines `TX_TIMEOUT_MS`/,
      suggestion: '  }, { timeout: TX_TIMEOUT_MS, maxWait: 5_000 });',
    },
    {
      name: 'options with only an isolation level',
      code: `
await this.prisma.$transaction(async (tx) => {
  const seats = await tx.seat.findMany({ where: { id: { in: seatIds }, heldBy: null } });
  await Promise.all(seats.map(async (seat) => tx.seat.update({ where: { id: seat.id }, data: { heldBy: await holdFor(userId) } })));
}, { isolationLevel: Prisma.TransactionIsolationLevel.Serializable });`,
      lines: [2],
      suggestion: '}, { isolationLevel: Prisma.TransactionIsolationLevel.Serializable, timeout: 10_000, maxWait: 5_000 });',
    },
    {
      name: 'function expression callback in a Next.js route handler',
      path: 'app/api/orders/route.ts',
      code: `
export async function POST(req: Request) {
  const body = await req.json();
  const order = await prisma.$transaction(async function createOrder(tx) {
    const order = await tx.order.create({ data: body });
    for (const line of body.lines) {
      await tx.inventory.update({ where: { sku: line.sku }, data: { stock: { decrement: line.quantity } } });
    }
    return order;
  });
  return Response.json(order, { status: 201 });
}`,
      lines: [4],
    },
    {
      name: 'SET LOCAL statement_timeout of a minute through Prisma raw SQL',
      code: `
await prisma.$transaction(async (tx) => {
  await tx.$executeRawUnsafe("SET LOCAL statement_timeout = '60s'");
  await tx.$executeRaw\`REFRESH MATERIALIZED VIEW CONCURRENTLY report_totals\`;
}, { timeout: 70_000 });`,
      lines: [3],
      message: /statement of this transaction run for 1 min/,
    },
    {
      name: 'Knex raw SET LOCAL statement_timeout in milliseconds',
      code: `
await knex.transaction(async (trx) => {
  await trx.raw('SET LOCAL statement_timeout = 120000');
  await trx('events').where('created_at', '<', cutoff).delete();
});`,
      lines: [3],
      message: /2 min/,
    },
    {
      name: 'statement timeout switched off with 0',
      code: `
await client.query('BEGIN');
await client.query("SET LOCAL statement_timeout TO 0");
await client.query('UPDATE accounts SET frozen = true WHERE org_id = $1', [orgId]);`,
      lines: [3],
      message: /switches the statement timeout off/,
    },
    {
      name: 'template string filled from a constant',
      code: `
const REPORT_TIMEOUT_MS = 5 * 60 * 1000;
await pool.query(\`SET LOCAL statement_timeout = \${REPORT_TIMEOUT_MS}\`);`,
      lines: [3],
      message: /5 min/,
    },
  ],
  valid: [
    {
      name: "two quick writes on the handle, bounded by Prisma's default",
      code: `
export async function transfer(from: string, to: string, amount: number) {
  await prisma.$transaction(async (tx) => {
    await tx.account.update({ where: { id: from }, data: { balance: { decrement: amount } } });
    await tx.account.update({ where: { id: to }, data: { balance: { increment: amount } } });
  });
}`,
    },
    {
      name: 'a helper handed the transaction handle',
      code: `
const invoice = await prisma.$transaction(async (tx) => {
  const number = await nextInvoiceNumber(tx);
  return tx.invoice.create({ data: { ...input, number } });
});`,
    },
    {
      name: 'batch transaction',
      code: `
await prisma.$transaction([
  prisma.post.deleteMany({ where: { authorId: userId } }),
  prisma.user.delete({ where: { id: userId } }),
]);`,
    },
    {
      name: 'interactive transaction with timeout and maxWait',
      code: `
await prisma.$transaction(async (tx) => {
  await tx.ledger.create({ data: entry });
}, { timeout: 10_000, maxWait: 5_000 });`,
    },
    {
      name: 'options passed as a shared constant',
      code: `
const TX_OPTIONS = { timeout: 10_000, maxWait: 5_000 } as const;
await prisma.$transaction(async (tx) => {
  await tx.ledger.create({ data: entry });
}, TX_OPTIONS);`,
    },
    {
      name: 'timeout passed from the constant',
      code: `
const TX_TIMEOUT_MS = 15_000;
await prisma.$transaction(async (tx) => {
  await tx.ledger.create({ data: entry });
}, { timeout: TX_TIMEOUT_MS });`,
    },
    {
      name: 'client configured with transactionOptions in the same change',
      code: `
export async function rename(id: string, name: string) {
  await prisma.$transaction(async (tx) => {
    for (const member of members) await tx.membership.update({ where: { id: member.id }, data: { projectName: name } });
  });
}`,
      files: {
        'src/lib/prisma.ts': `export const prisma = new PrismaClient({ transactionOptions: { timeout: 10_000, maxWait: 5_000 } });`,
      },
    },
    {
      name: 'a short SET LOCAL statement_timeout',
      code: `
await knex.transaction(async (trx) => {
  await trx.raw("SET LOCAL statement_timeout = '5s'");
  await trx('orders').where({ id }).update({ status: 'paid' });
});`,
    },
    {
      name: 'lock_timeout, not statement_timeout',
      code: `await trx.raw("SET LOCAL lock_timeout = '60s'");`,
    },
    {
      name: 'a long statement timeout in a migration',
      path: 'db/migrations/20240101_add_index.ts',
      code: `
export async function up(knex: Knex) {
  await knex.raw("SET LOCAL statement_timeout = '30min'");
  await knex.raw('CREATE INDEX CONCURRENTLY orders_org_id_idx ON orders (org_id)');
}`,
    },
    {
      name: 'TypeORM transaction (no Prisma options to pass)',
      code: `
await this.dataSource.transaction(async (manager) => {
  await manager.save(order);
});`,
    },
  ],
});

ruleTable('transaction-no-timeout', {
  language: 'py',
  invalid: [
    {
      name: 'SQLAlchemy text() with SET LOCAL statement_timeout of a minute',
      code: `
def rebuild_totals(session: Session) -> None:
    with session.begin():
        session.execute(text("SET LOCAL statement_timeout = '60s'"))
        session.execute(text("REFRESH MATERIALIZED VIEW report_totals"))
`,
      lines: [4],
      message: /1 min/,
    },
    {
      name: 'Django cursor with a statement timeout in milliseconds',
      code: `
@transaction.atomic
def export_orders(request):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 300000")
        cursor.execute("SELECT * FROM orders WHERE org_id = %s", [request.user.org_id])
        rows = cursor.fetchall()
    return JsonResponse({"rows": rows})
`,
      lines: [5],
      message: /5 min/,
    },
    {
      name: 'asyncpg statement timeout of two minutes',
      code: `
async def purge(conn: asyncpg.Connection) -> None:
    async with conn.transaction():
        await conn.execute("SET LOCAL statement_timeout TO '2min'")
        await conn.execute("DELETE FROM events WHERE created_at < now() - interval '90 days'")
`,
      lines: [4],
    },
    {
      name: 'statement timeout disabled',
      code: `
with engine.begin() as conn:
    conn.execute(text("SET LOCAL statement_timeout = 0"))
    conn.execute(text("UPDATE accounts SET frozen = true WHERE org_id = :org"), {"org": org_id})
`,
      lines: [3],
      message: /switches the statement timeout off/,
    },
    {
      name: 'set_config with is_local = true',
      code: `
async with session.begin():
    await session.execute(text("SELECT set_config('statement_timeout', '45s', true)"))
    await session.execute(stmt)
`,
      lines: [3],
    },
    {
      name: 'f-string filled from a module constant',
      code: `
REPORT_TIMEOUT_MS = 10 * 60 * 1000

def run_report(cursor):
    cursor.execute(f"SET LOCAL statement_timeout = {REPORT_TIMEOUT_MS}")
    cursor.execute(REPORT_SQL)
`,
      lines: [5],
      message: /10 min/,
    },
  ],
  valid: [
    {
      name: 'a short statement timeout',
      code: `
with session.begin():
    session.execute(text("SET LOCAL statement_timeout = '5s'"))
    session.execute(update(Order).where(Order.id == order_id).values(status="paid"))
`,
    },
    {
      name: 'statement timeout just under 30 s',
      code: `cursor.execute("SET LOCAL statement_timeout = 29000")`,
    },
    {
      name: 'lock_timeout',
      code: `cursor.execute("SET LOCAL lock_timeout = '60s'")`,
    },
    {
      name: 'a docstring that mentions it',
      code: `
def run_report(cursor):
    """Runs the report. Callers must not SET LOCAL statement_timeout = '5min' here."""
    cursor.execute(REPORT_SQL)
`,
    },
    {
      name: 'an Alembic migration that needs a long statement',
      path: 'alembic/versions/3f2a_add_index.py',
      code: `
def upgrade():
    op.execute("SET LOCAL statement_timeout = '30min'")
    op.create_index("ix_orders_org_id", "orders", ["org_id"], postgresql_concurrently=True)
`,
    },
    {
      name: 'f-string from a value that is not a constant',
      code: `
def with_timeout(cursor, ms: int):
    cursor.execute(f"SET LOCAL statement_timeout = {ms}")
`,
    },
  ],
});
