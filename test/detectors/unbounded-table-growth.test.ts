import { describe, expect, it } from '@jest/globals';
import { ALL_LINES } from '../../src/diff/changed-lines.js';
import { Engine } from '../../src/engine/audit.js';
import { loadRules } from '../../src/engine/registry.js';
import { ruleTable } from '../support/rule-tester.js';

const SCHEMA = 'prisma/schema.prisma';
const MIGRATION_SQL = 'db/migrations/20240601_webhooks.sql';

ruleTable('unbounded-table-growth', {
  invalid: [
    {
      name: 'prisma: WebhookDelivery with createdAt and no cleanup',
      path: SCHEMA,
      code: `model WebhookEndpoint {
  id  String @id
  url String
}

model WebhookDelivery {
  id         String   @id @default(cuid())
  endpointId String
  status     Int
  createdAt  DateTime @default(now())
}`,
      lines: [6],
      message: /`WebhookDelivery` is a new append-only table/,
      severity: 'P1',
    },
    {
      name: 'prisma: AuditLog mapped to audit_logs',
      path: SCHEMA,
      code: `model AuditLog {
  id        Int      @id @default(autoincrement())
  action    String
  at        DateTime @default(now()) @map("created_at")
  @@map("audit_logs")
}`,
      lines: [1],
    },
    {
      name: 'prisma: Session without an expiry',
      path: SCHEMA,
      code: `model Session {
  id         String   @id
  userId     String
  lastSeenAt DateTime
}`,
      lines: [1],
    },
    {
      name: 'prisma: LoginAttempt',
      path: SCHEMA,
      code: `model LoginAttempt {
  id        String   @id
  email     String
  succeeded Boolean
  createdAt DateTime @default(now())
}`,
    },
    {
      name: 'prisma: Notification',
      path: SCHEMA,
      code: `model Notification {
  id     String    @id
  userId String
  readAt DateTime?
}`,
    },
    {
      name: 'prisma: qualified event (EmailEvent)',
      path: SCHEMA,
      code: `model EmailEvent {
  id         String   @id
  type       String
  occurredAt DateTime
}`,
    },
    {
      name: 'a cleanup for another table does not count',
      path: SCHEMA,
      code: `model WebhookDelivery {
  id        String   @id
  createdAt DateTime @default(now())
}`,
      files: {
        'src/jobs/prune.ts': `export async function prune() {
  await prisma.auditLog.deleteMany({ where: { createdAt: { lt: subDays(new Date(), 90) } } });
}`,
      },
      lines: [1],
    },
  ],
  valid: [
    {
      name: 'prisma: Session with expiresAt',
      path: SCHEMA,
      code: `model Session {
  id        String   @id
  userId    String
  createdAt DateTime @default(now())
  expiresAt DateTime
}`,
    },
    {
      name: 'prisma: cleanup job elsewhere in the PR',
      path: SCHEMA,
      code: `model WebhookDelivery {
  id        String   @id
  createdAt DateTime @default(now())
}`,
      files: {
        'src/jobs/prune-deliveries.ts': `export const pruneDeliveries = new Worker('prune', async () => {
  await prisma.webhookDelivery.deleteMany({ where: { createdAt: { lt: subDays(new Date(), 30) } } });
}, { connection });`,
      },
    },
    {
      name: 'prisma: not append-only (User, Invoice)',
      path: SCHEMA,
      code: `model User {
  id        String   @id
  createdAt DateTime @default(now())
}

model Invoice {
  id        String   @id
  issuedAt  DateTime
}`,
    },
    {
      name: 'prisma: no timestamp column',
      path: SCHEMA,
      code: `model AuditLog {
  id     Int    @id @default(autoincrement())
  action String
}`,
    },
    {
      name: 'prisma: calendar events are product data',
      path: SCHEMA,
      code: `model CalendarEvent {
  id       String   @id
  startsAt DateTime
}`,
    },
    {
      name: 'prisma: pg_cron SQL cleanup in the PR',
      path: SCHEMA,
      code: `model WebhookDelivery {
  id        String   @id
  createdAt DateTime @default(now())
}`,
      files: {
        'prisma/migrations/20240601_cron/migration.sql': `SELECT cron.schedule('prune-deliveries', '0 3 * * *', $$DELETE FROM "WebhookDelivery" WHERE "createdAt" < now() - interval '30 days'$$);`,
      },
    },
    // Retention recorded in another file of the PR whose only word of the rule's gate is the
    // one named: without it the fact is lost and the model is reported.
    {
      name: 'gate word "expire": MongoDB TTL index elsewhere in the PR',
      path: SCHEMA,
      code: `model AuditLog {
  id        String   @id @map("_id")
  action    String
  createdAt DateTime @default(now())
}`,
      files: {
        'src/db/indexes.ts': `await db.collection('AuditLog').createIndex({ createdAt: 1 }, { expireAfterSeconds: 60 * 60 * 24 * 30 });`,
      },
    },
    {
      name: 'gate word "retention": Timescale retention policy in a migration of the PR',
      path: SCHEMA,
      code: `model AuditLog {
  id        String   @id
  createdAt DateTime @default(now())

  @@map("audit_logs")
}`,
      files: {
        'prisma/migrations/20240602_retention/migration.sql': `SELECT add_retention_policy('audit_logs', INTERVAL '90 days');`,
      },
    },
    {
      name: 'gate word "drop_chunks": Timescale drop_chunks in a migration of the PR',
      path: SCHEMA,
      code: `model AuditLog {
  id        String   @id
  createdAt DateTime @default(now())

  @@map("audit_logs")
}`,
      files: {
        'prisma/migrations/20240602_retention/migration.sql': `SELECT drop_chunks('audit_logs', older_than => INTERVAL '90 days');`,
      },
    },
    {
      name: 'gate word "create_parent": pg_partman partitions in a migration of the PR',
      path: SCHEMA,
      code: `model AuditLog {
  id        String   @id
  createdAt DateTime @default(now())

  @@map("audit_logs")
}`,
      files: {
        'prisma/migrations/20240602_partman/migration.sql': `SELECT partman.create_parent('public.audit_logs', 'created_at', 'native', 'daily');`,
      },
    },
  ],
});

ruleTable('unbounded-table-growth', {
  invalid: [
    {
      name: 'SQL: webhook_deliveries with created_at',
      path: MIGRATION_SQL,
      code: `CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  endpoint_id bigint NOT NULL REFERENCES webhook_endpoints(id),
  status_code int,
  created_at timestamptz NOT NULL DEFAULT now()
);`,
      lines: [1],
    },
    {
      name: 'SQL: schema-qualified, quoted audit_logs',
      path: MIGRATION_SQL,
      code: `CREATE TABLE IF NOT EXISTS "public"."audit_logs" (
  "id" uuid PRIMARY KEY,
  "actor_id" uuid,
  "created_at" timestamp with time zone DEFAULT now()
);`,
      lines: [1],
    },
    {
      name: 'SQL: user_sessions without expiry',
      path: MIGRATION_SQL,
      code: `-- sessions for the dashboard
CREATE TABLE user_sessions (
  id text PRIMARY KEY,
  user_id uuid NOT NULL,
  last_seen_at timestamptz
);`,
      lines: [2],
    },
    {
      name: 'SQL: notification_history',
      path: MIGRATION_SQL,
      code: `CREATE TABLE notification_history (id serial PRIMARY KEY, sent_at timestamp NOT NULL, channel text);`,
    },
    {
      name: 'MySQL: login_attempts',
      path: 'migrations/003_login_attempts.sql',
      code: "CREATE TABLE `login_attempts` (\n  `id` INT AUTO_INCREMENT PRIMARY KEY,\n  `email` VARCHAR(255),\n  `attempted_at` DATETIME NOT NULL\n) ENGINE=InnoDB;",
    },
    {
      name: 'SQL: outbox_messages',
      path: MIGRATION_SQL,
      code: `CREATE TABLE outbox_messages (
  id uuid PRIMARY KEY,
  topic text NOT NULL,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_messages_created_at ON outbox_messages (created_at);`,
      lines: [1],
    },
  ],
  valid: [
    {
      name: 'SQL: partitioned by time',
      path: MIGRATION_SQL,
      code: `CREATE TABLE webhook_deliveries (
  id bigserial,
  created_at timestamptz NOT NULL
) PARTITION BY RANGE (created_at);`,
    },
    {
      name: 'SQL: sessions with expires_at',
      path: MIGRATION_SQL,
      code: `CREATE TABLE sessions (sid text PRIMARY KEY, data jsonb, created_at timestamptz, expires_at timestamptz NOT NULL);`,
    },
    {
      name: 'SQL: cleanup scheduled in the same migration',
      path: MIGRATION_SQL,
      code: `CREATE TABLE webhook_deliveries (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
SELECT cron.schedule('prune', '0 * * * *', $$DELETE FROM webhook_deliveries WHERE created_at < now() - interval '14 days'$$);`,
    },
    {
      name: 'SQL: users table',
      path: MIGRATION_SQL,
      code: `CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE, created_at timestamptz DEFAULT now());`,
    },
    {
      name: 'SQL: api_logs without a timestamp',
      path: MIGRATION_SQL,
      code: `CREATE TABLE api_logs (id serial PRIMARY KEY, route text, status int);`,
    },
    {
      name: 'SQL: Timescale retention policy',
      path: MIGRATION_SQL,
      code: `CREATE TABLE page_events (time timestamptz NOT NULL, path text);
SELECT create_hypertable('page_events', 'time');
SELECT add_retention_policy('page_events', INTERVAL '90 days');`,
    },
    {
      name: 'Prisma migration.sql when schema.prisma defines the model in the same PR',
      path: 'prisma/migrations/20240601_deliveries/migration.sql',
      code: `CREATE TABLE "WebhookDelivery" ("id" TEXT NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP);`,
      files: {
        [SCHEMA]: `model WebhookDelivery {
  id        String   @id
  createdAt DateTime @default(now())
}`,
      },
    },
  ],
});

ruleTable('unbounded-table-growth', {
  language: 'py',
  invalid: [
    {
      name: 'Django model WebhookDelivery',
      path: 'webhooks/models.py',
      code: `from django.db import models

class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey("Endpoint", on_delete=models.CASCADE)
    status_code = models.IntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)`,
      lines: [3],
    },
    {
      name: 'Django migration CreateModel AuditLog',
      path: 'audit/migrations/0002_auditlog.py',
      code: `class Migration(migrations.Migration):
    operations = [
        migrations.CreateModel(
            name="AuditLog",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("action", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]`,
      lines: [4],
    },
    {
      name: 'Alembic create_table login_attempts',
      path: 'alembic/versions/8f2a_login_attempts.py',
      code: `def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )`,
      lines: [3],
    },
    {
      name: 'SQLAlchemy 2.0 declarative NotificationLog',
      path: 'app/models/notifications.py',
      code: `class NotificationLog(Base):
    __tablename__ = "notification_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())`,
      lines: [1],
    },
    {
      name: 'SQLModel table EmailEvent',
      path: 'app/models.py',
      code: `class EmailEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str
    occurred_at: datetime = Field(default_factory=datetime.utcnow)`,
      lines: [1],
    },
    {
      name: 'Django model on a timestamped base',
      path: 'accounts/models.py',
      code: `from django.db import models
from model_utils.models import TimeStampedModel

class UserSession(TimeStampedModel):
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    key = models.CharField(max_length=64)`,
      lines: [4],
    },
    {
      name: 'Flask-SQLAlchemy ActivityHistory',
      path: 'app/models.py',
      code: `class ActivityHistory(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    created = db.Column(db.DateTime, default=datetime.utcnow)`,
      lines: [1],
    },
  ],
  valid: [
    {
      name: 'Django model with a Celery cleanup task in the PR',
      path: 'webhooks/models.py',
      code: `class WebhookDelivery(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)`,
      files: {
        'webhooks/tasks.py': `@shared_task
def prune_deliveries():
    WebhookDelivery.objects.filter(created_at__lt=timezone.now() - timedelta(days=30)).delete()`,
      },
    },
    {
      name: 'Django model with expires_at',
      path: 'accounts/models.py',
      code: `class LoginSession(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()`,
    },
    {
      name: 'SQLAlchemy delete(...).where(< cutoff) job in the PR',
      path: 'app/models/notifications.py',
      code: `class NotificationLog(Base):
    __tablename__ = "notification_logs"
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())`,
      files: {
        'app/jobs/prune.py': `async def prune(session: AsyncSession) -> None:
    await session.execute(delete(NotificationLog).where(NotificationLog.created_at < utcnow() - timedelta(days=30)))`,
      },
    },
    {
      name: 'Alembic partitioned table',
      path: 'alembic/versions/9a_events.py',
      code: `def upgrade():
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        postgresql_partition_by="RANGE (created_at)",
    )`,
    },
    {
      name: 'abstract Django base',
      path: 'core/models.py',
      code: `class BaseLog(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True`,
    },
    {
      name: 'pydantic schema, not a table',
      path: 'app/schemas.py',
      code: `class WebhookEvent(BaseModel):
    id: str
    created_at: datetime`,
    },
    {
      name: 'Django Invoice model',
      path: 'billing/models.py',
      code: `class Invoice(models.Model):
    issued_at = models.DateTimeField()`,
    },
    {
      name: 'Django migration when models.py defines the model in the same PR',
      path: 'webhooks/migrations/0003_webhookdelivery.py',
      code: `operations = [
    migrations.CreateModel(
        name="WebhookDelivery",
        fields=[("id", models.BigAutoField(primary_key=True)), ("created_at", models.DateTimeField(auto_now_add=True))],
    ),
]`,
      files: {
        'webhooks/models.py': `class WebhookDelivery(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)`,
      },
    },
  ],
});

ruleTable('unbounded-table-growth', {
  language: 'ts',
  invalid: [
    {
      name: 'Knex migration: webhook_deliveries with timestamps',
      path: 'migrations/20240601_webhook_deliveries.ts',
      code: `export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id');
    t.integer('status_code');
    t.timestamps(true, true);
  });
}`,
      lines: [2],
    },
    {
      name: 'Drizzle pgTable audit_logs',
      path: 'src/db/schema.ts',
      code: `export const auditLogs = pgTable('audit_logs', {
  id: serial('id').primaryKey(),
  action: text('action').notNull(),
  createdAt: timestamp('created_at').defaultNow().notNull(),
});`,
      lines: [1],
    },
    {
      name: 'TypeORM entity LoginAttempt',
      path: 'src/auth/login-attempt.entity.ts',
      code: `@Entity()
export class LoginAttempt {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() email!: string;
  @CreateDateColumn() createdAt!: Date;
}`,
      lines: [2],
    },
    {
      name: 'Knex: user_sessions with last_seen_at',
      path: 'migrations/20240602_sessions.js',
      code: `exports.up = (knex) => knex.schema.createTable('user_sessions', (table) => {
  table.string('id').primary();
  table.timestamp('last_seen_at');
});`,
      lines: [1],
    },
    {
      name: 'Drizzle mysqlTable notifications',
      path: 'src/db/schema.ts',
      code: `export const notifications = mysqlTable('notifications', {
  id: int('id').autoincrement().primaryKey(),
  sentAt: datetime('sent_at'),
});`,
      lines: [1],
    },
    {
      name: 'TypeORM entity email_events',
      path: 'src/mail/email-event.entity.ts',
      code: `@Entity('email_events')
export class EmailEvent {
  @PrimaryColumn() id!: string;
  @Column({ type: 'timestamptz' }) occurredAt!: Date;
}`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'Knex table with a Knex cleanup job in the PR',
      path: 'migrations/20240601_webhook_deliveries.ts',
      code: `export const up = (knex: Knex) => knex.schema.createTable('webhook_deliveries', (t) => {
  t.bigIncrements('id');
  t.timestamps(true, true);
});`,
      files: {
        'src/jobs/prune.ts': `export async function prune() {
  await db('webhook_deliveries').where('created_at', '<', subDays(new Date(), 30)).del();
}`,
      },
    },
    {
      name: 'Drizzle table with a Drizzle delete by age in the PR',
      path: 'src/db/schema.ts',
      code: `export const auditLogs = pgTable('audit_logs', {
  id: serial('id').primaryKey(),
  createdAt: timestamp('created_at').defaultNow().notNull(),
});`,
      files: {
        'src/jobs/retention.ts': `export async function retention() {
  await db.delete(auditLogs).where(lt(auditLogs.createdAt, subDays(new Date(), 365)));
}`,
      },
    },
    {
      name: 'TypeORM entity with expiresAt',
      path: 'src/auth/session.entity.ts',
      code: `@Entity()
export class UserSession {
  @PrimaryColumn() id!: string;
  @CreateDateColumn() createdAt!: Date;
  @Column() expiresAt!: Date;
}`,
    },
    {
      name: 'Knex users table',
      path: 'migrations/20240603_users.ts',
      code: `export const up = (knex: Knex) => knex.schema.createTable('users', (t) => {
  t.uuid('id').primary();
  t.timestamps(true, true);
});`,
    },
    {
      name: 'Knex webhook_logs without a timestamp',
      path: 'migrations/20240604_logs.ts',
      code: `export const up = (knex: Knex) => knex.schema.createTable('webhook_logs', (t) => {
  t.increments('id');
  t.text('body');
});`,
    },
    {
      name: 'TypeORM entity with a LessThan delete in the PR',
      path: 'src/auth/login-attempt.entity.ts',
      code: `@Entity()
export class LoginAttempt {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @CreateDateColumn() createdAt!: Date;
}`,
      files: {
        'src/auth/prune.service.ts': `@Injectable()
export class PruneService {
  @Cron('0 3 * * *')
  async prune() {
    await this.loginAttemptRepository.delete({ createdAt: LessThan(subDays(new Date(), 30)) });
  }
}`,
      },
    },
  ],
});

describe('unbounded-table-growth on a modified schema.prisma', () => {
  const schema = `model User {
  id        String   @id
  createdAt DateTime @default(now())
}

model AuditLog {
  id        String   @id
  action    String
  createdAt DateTime @default(now())
}

model WebhookDelivery {
  id        String   @id
  createdAt DateTime @default(now())
}
`;

  async function run(changed: { start: number; end: number }[]) {
    const rules = await loadRules();
    const engine = new Engine(rules.filter((r) => r.meta.id === 'unbounded-table-growth'));
    return engine.audit([{ path: SCHEMA, content: schema, status: 'modified', changed }]).findings;
  }

  it('reports a model whose block the change adds', async () => {
    const findings = await run([{ start: 11, end: 15 }]);
    expect(findings.map((f) => f.line)).toEqual([12]);
  });

  it('does not report an existing model that only gained a field', async () => {
    const findings = await run([{ start: 8, end: 8 }]);
    expect(findings).toEqual([]);
  });

  it('reads retention from a whole-file change elsewhere', async () => {
    const rules = await loadRules();
    const engine = new Engine(rules.filter((r) => r.meta.id === 'unbounded-table-growth'));
    const findings = engine.audit([
      { path: SCHEMA, content: schema, status: 'modified', changed: [{ start: 11, end: 15 }] },
      {
        path: 'app/jobs/prune.py',
        content: 'def prune(session):\n    session.execute(text("DELETE FROM webhook_deliveries WHERE created_at < now() - interval \'7 days\'"))\n',
        status: 'added',
        changed: ALL_LINES,
      },
    ]).findings;
    expect(findings).toEqual([]);
  });
});
