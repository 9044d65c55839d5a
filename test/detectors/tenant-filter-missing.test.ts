import { describe, expect, it } from '@jest/globals';
import { ALL_LINES } from '../../src/diff/changed-lines.js';
import { Engine, type SourceFile } from '../../src/engine/audit.js';
import { loadRules } from '../../src/engine/registry.js';
import { ruleTable } from '../support/rule-tester.js';

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Invoice {
  id        String   @id @default(cuid())
  orgId     String
  org       Organization @relation(fields: [orgId], references: [id])
  projectId String
  status    String
  total     Int
}

model Project {
  id    String @id
  orgId String
  name  String
}

model Task {
  id        String @id
  orgId     String
  projectId String
}

model Invite {
  id    String @id
  orgId String
  token String @unique
}

model User {
  id    String @id
  orgId String
  email String @unique
}

model Post {
  id    String @id
  title String
}
`;

const DJANGO_MODELS = `from django.db import models

class Organization(models.Model):
    name = models.CharField(max_length=100)

class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=20)

    class Meta:
        db_table = "billing_invoice"

class Project(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)

class Task(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
`;

const SQLALCHEMY_MODELS = `from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    status: Mapped[str] = mapped_column(String(20))
`;

/** Where the app resolves the caller's tenant: what makes a codebase multi-tenant rather than about organisations. */
const TS_TENANCY = { 'src/lib/tenant.ts': 'export const currentOrgId = (req: Request): string => req.user.orgId;\n' };
const PY_TENANCY = { 'app/tenancy.py': 'def current_org(request):\n    return request.user.organization\n' };

const withSchema = { 'prisma/schema.prisma': PRISMA_SCHEMA, ...TS_TENANCY };
const withDjango = { 'billing/models.py': DJANGO_MODELS, ...PY_TENANCY };
const withSqlalchemy = { 'app/models.py': SQLALCHEMY_MODELS, ...PY_TENANCY };

ruleTable('tenant-filter-missing', {
  language: 'ts',
  invalid: [
    {
      name: 'Next.js route handler: findUnique by id, no ownership check (schema.prisma evidence)',
      code: `export async function GET(req: Request, { params }: { params: { id: string } }) {
  const invoice = await prisma.invoice.findUnique({ where: { id: params.id } });
  return Response.json(invoice);
}`,
      files: withSchema,
      lines: [2],
      message: /`prisma\.invoice\.findUnique` on tenant-scoped model Invoice looks a row up by id without orgId/,
    },
    {
      name: 'Express: findMany by status, while the same file filters Invoice by orgId',
      code: `router.get('/invoices', async (req, res) => {
  res.json(await prisma.invoice.findMany({ where: { orgId: req.user.orgId } }));
});
router.get('/invoices/overdue', async (req, res) => {
  res.json(await prisma.invoice.findMany({ where: { status: 'overdue' } }));
});`,
      lines: [5],
      message: /`prisma\.invoice\.findMany` on tenant-scoped model Invoice filters without orgId: it returns rows of every tenant/,
    },
    {
      name: 'NestJS service: updateMany with nested AND, model listed in config',
      code: `@Injectable()
export class InvoicesService {
  constructor(private readonly prisma: PrismaService) {}
  archive(before: Date) {
    return this.prisma.invoice.updateMany({ where: { AND: [{ status: 'paid' }, { paidAt: { lt: before } }] }, data: { archived: true } });
  }
}`,
      options: { tenantModels: ['Invoice'] },
      lines: [5],
      message: /changes rows of every tenant/,
    },
    {
      name: 'Knex: lookup by id on a table created with org_id in a migration',
      code: `export async function getProject(req: Request, res: Response) {
  const project = await db('projects').where({ id: req.params.id }).first();
  res.json(project);
}`,
      files: { 'migrations/20240101_projects.sql': 'CREATE TABLE projects (\n  id uuid primary key,\n  org_id uuid not null references orgs(id),\n  name text\n);\n', ...TS_TENANCY },
      lines: [2],
      message: /db\('projects'\).*tenant-scoped table projects.*without org_id/,
    },
    {
      name: 'TypeORM repository find on an @Entity with a tenantId column',
      code: `@Injectable()
export class ReportService {
  constructor(@InjectRepository(Report) private readonly reportRepository: Repository<Report>) {}
  listFailed() {
    return this.reportRepository.find({ where: { status: 'failed' } });
  }
}`,
      files: {
        'src/reports/report.entity.ts': `@Entity('reports')
export class Report {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() tenantId: string;
  @Column() status: string;
}`,
        ...TS_TENANCY,
      },
      lines: [5],
      message: /tenant-scoped model Report filters without tenantId/,
    },
    {
      name: 'raw SQL through pg, while another query of the PR scopes the table',
      code: `export async function invoiceById(id: string) {
  const { rows } = await pool.query('SELECT * FROM invoices WHERE id = $1', [id]);
  return rows[0];
}`,
      files: { 'src/invoices/list.ts': "export const list = (orgId: string) => pool.query('SELECT * FROM invoices WHERE org_id = $1', [orgId]);\n", ...TS_TENANCY },
      lines: [2],
      message: /SELECT … FROM invoices/,
    },
    {
      name: 'deleteMany on a model whose create() writes orgId',
      files: TS_TENANCY,
      code: `export async function createTask(orgId: string, projectId: string) {
  return prisma.task.create({ data: { orgId, projectId, title: 'New' } });
}
export async function clearDone(projectId: string) {
  return prisma.task.deleteMany({ where: { projectId, done: true } });
}`,
      lines: [5],
    },
    {
      name: 'BullMQ worker that has the tenant in hand but does not use it',
      code: `new Worker('invoice-reminders', async (job) => {
  const { orgId } = job.data;
  const invoices = await prisma.invoice.findMany({ where: { status: 'overdue' } });
  await sendReminders(orgId, invoices);
});`,
      path: 'src/workers/reminders.ts',
      files: withSchema,
      lines: [3],
    },
    {
      name: 'a query file (sqlc/pgtyped) on a scoped table',
      path: 'db/queries/invoices.sql',
      files: TS_TENANCY,
      code: `-- name: GetInvoice :one
SELECT * FROM invoices WHERE id = $1;

-- name: ListInvoices :many
SELECT * FROM invoices WHERE org_id = $1 ORDER BY created_at DESC;
`,
      lines: [2],
    },
    {
      // The file's only gate word is `await db`: a bare knex root names no method.
      name: 'a whole knex table awaited bare',
      code: `export async function listProjects() {
  return await db('projects');
}`,
      files: { 'migrations/20240101_projects.sql': 'CREATE TABLE projects (\n  id uuid primary key,\n  org_id uuid not null\n);\n', ...TS_TENANCY },
      lines: [2],
      message: /returns rows of every tenant/,
    },
  ],
  valid: [
    {
      name: 'findFirst by id and orgId',
      code: `export async function GET(req: Request, { params }: { params: { id: string } }) {
  const session = await auth();
  const invoice = await prisma.invoice.findFirst({ where: { id: params.id, orgId: session.orgId } });
  return Response.json(invoice);
}`,
      files: withSchema,
    },
    {
      name: 'findUnique by id followed by an ownership check',
      code: `export async function getInvoice(req: Request, res: Response) {
  const invoice = await prisma.invoice.findUnique({ where: { id: req.params.id } });
  if (!invoice || invoice.orgId !== req.user.orgId) return res.sendStatus(404);
  res.json(invoice);
}`,
      files: withSchema,
    },
    {
      name: 'filter through a relation that is tenant-filtered',
      code: `export const tasksOf = (projectId: string, orgId: string) =>
  prisma.task.findMany({ where: { projectId, project: { orgId } } });`,
      files: withSchema,
    },
    {
      name: 'a tenant-scoped client',
      code: `export const list = (orgId: string) => tenantDb(orgId).invoice.findMany({ where: { status: 'open' } });`,
      files: withSchema,
    },
    {
      name: 'superadmin code listed in crossTenantPaths',
      path: 'src/admin/invoices.ts',
      code: `export const allOverdue = () => prisma.invoice.findMany({ where: { status: 'overdue' } });`,
      files: withSchema,
      options: { crossTenantPaths: ['src/admin/**'] },
    },
    {
      name: 'a Prisma migration',
      path: 'prisma/migrations/20240301_backfill/migration.sql',
      code: `UPDATE invoices SET status = 'open' WHERE status IS NULL;`,
      files: { 'db/schema.sql': 'CREATE TABLE invoices (id uuid, org_id uuid, status text);' },
    },
    {
      name: 'not multi-tenant: queries on a model owned by an organization, nothing resolves a caller tenant',
      code: `export const orgEvents = (organizationId: string) => prisma.event.findMany({ where: { organizationId } });
export const allEvents = () => prisma.event.findMany({ orderBy: { startsAt: 'asc' } });`,
    },
    {
      name: 'a model with no tenant column anywhere in the PR',
      code: `export const latest = () => prisma.post.findMany({ where: { published: true } });`,
      files: withSchema,
    },
    {
      name: 'find with the tenant, then update by id',
      code: `export async function markPaid(id: string, orgId: string) {
  const invoice = await prisma.invoice.findFirst({ where: { id, orgId } });
  if (!invoice) throw new NotFoundException();
  return prisma.invoice.update({ where: { id }, data: { status: 'paid' } });
}`,
      files: withSchema,
    },
    {
      name: 'owner check on the loaded row, then delete by id',
      code: `export async function DELETE(_req: Request, { params }: { params: { id: string } }) {
  const session = await auth();
  const chat = await prisma.task.findUnique({ where: { id: params.id } });
  if (!chat || chat.userId !== session.user.id) return NextResponse.json({ error: 'not found' }, { status: 404 });
  await prisma.task.delete({ where: { id: params.id } });
  return NextResponse.json({ ok: true });
}`,
      files: withSchema,
    },
    {
      name: 'lookup by an invite token',
      code: `export async function acceptInvite(token: string) {
  return prisma.invite.findUnique({ where: { token } });
}`,
      files: withSchema,
    },
    {
      name: 'login looks the user up by email',
      code: `export async function login(email: string, password: string) {
  const user = await prisma.user.findUnique({ where: { email } });
  return user && verify(user.passwordHash, password) ? user : null;
}`,
      files: withSchema,
    },
    {
      name: 'children of a row loaded with the tenant',
      code: `export async function projectTasks(id: string, orgId: string) {
  const project = await prisma.project.findFirstOrThrow({ where: { id, orgId } });
  return prisma.task.findMany({ where: { projectId: project.id } });
}`,
      files: withSchema,
    },
    {
      name: 'a nightly job without a tenant in hand',
      path: 'src/jobs/mark-overdue.ts',
      code: `export async function markOverdue() {
  await prisma.invoice.updateMany({ where: { status: 'open', dueAt: { lt: new Date() } }, data: { status: 'overdue' } });
}`,
      files: withSchema,
    },
    {
      name: 'a superadmin branch',
      code: `export async function listInvoices(session: Session) {
  if (session.user.isSuperAdmin) {
    return prisma.invoice.findMany({ where: { status: 'overdue' } });
  }
  return prisma.invoice.findMany({ where: { status: 'overdue', orgId: session.user.orgId } });
}`,
      files: withSchema,
    },
    {
      name: 'update by the id of a row already loaded',
      code: `export async function settle(invoice: Invoice) {
  return prisma.invoice.update({ where: { id: invoice.id }, data: { status: 'paid' } });
}`,
      files: withSchema,
    },
    {
      name: 'knex chain that filters on the joined table tenant column',
      code: `export const tasks = (orgId: string) =>
  db('tasks').join('projects', 'projects.id', 'tasks.project_id').where('projects.org_id', orgId).select('tasks.*');`,
      files: { 'migrations/001.sql': 'CREATE TABLE tasks (\n  id uuid,\n  org_id uuid,\n  project_id uuid\n);' },
    },
  ],
});

ruleTable('tenant-filter-missing', {
  language: 'py',
  invalid: [
    {
      name: 'Django view: get by pk on a model with an org ForeignKey',
      code: `def invoice_detail(request, pk):
    invoice = Invoice.objects.get(pk=pk)
    return render(request, "billing/invoice.html", {"invoice": invoice})`,
      path: 'billing/views.py',
      files: withDjango,
      lines: [2],
      message: /`Invoice\.objects\.get` on tenant-scoped model Invoice looks a row up by id without org/,
    },
    {
      name: 'DRF ViewSet whose queryset is every tenant',
      code: `class ProjectViewSet(viewsets.ModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer`,
      path: 'projects/api.py',
      files: withDjango,
      lines: [2],
    },
    {
      name: 'SQLAlchemy 2.0 select().where() without org_id',
      code: `@router.get("/invoices/open")
def open_invoices(db: Session = Depends(get_db)):
    return db.scalars(select(Invoice).where(Invoice.status == "open")).all()`,
      files: withSqlalchemy,
      lines: [3],
      message: /`select\(Invoice\)` on tenant-scoped model Invoice filters without org_id/,
    },
    {
      name: 'SQLAlchemy 1.x session.query().filter() by id',
      code: `def get_invoice(session, invoice_id):
    return session.query(Invoice).filter(Invoice.id == invoice_id).first()`,
      files: withSqlalchemy,
      lines: [2],
    },
    {
      name: 'FastAPI: session.get by id, returned as is',
      code: `@router.get("/invoices/{invoice_id}")
async def read_invoice(invoice_id: int, session: AsyncSession = Depends(get_session)):
    invoice = await session.get(Invoice, invoice_id)
    return invoice`,
      files: withSqlalchemy,
      lines: [3],
    },
    {
      name: 'raw SQL on the Django table of a scoped model',
      code: `def invoice_numbers(request, status):
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM billing_invoice WHERE status = %s", [status])
        return cursor.fetchall()`,
      files: withDjango,
      lines: [3],
    },
    {
      name: 'Celery task that receives org_id and forgets it',
      code: `@shared_task
def recalc_totals(org_id):
    for invoice in Invoice.objects.filter(status="open"):
        invoice.recalculate()`,
      path: 'billing/tasks.py',
      files: withDjango,
      lines: [3],
    },
    {
      name: 'Flask-SQLAlchemy Model.query filter_by, scoped by another query of the file',
      code: `@bp.route("/projects")
def projects():
    return jsonify(Project.query.filter_by(org_id=g.org_id).all())

@bp.route("/projects/<int:pk>/archive", methods=["POST"])
def archive(pk):
    Project.query.filter_by(id=pk).update({"archived": True})
    db.session.commit()
    return "", 204`,
      lines: [7],
      message: /changes rows of every tenant|by id/,
    },
    {
      // The file's only gate word is `get_object_or_404`.
      name: 'get_object_or_404 by pk on a model with an org ForeignKey',
      code: `from django.shortcuts import get_object_or_404, render

def invoice_detail(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    return render(request, "billing/detail.html", {"invoice": invoice})`,
      files: withDjango,
      lines: [4],
      message: /get_object_or_404\(Invoice\)/,
    },
  ],
  valid: [
    {
      name: 'Django: filter by org and pk',
      code: `def invoice_detail(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk, org=request.org)
    return render(request, "billing/invoice.html", {"invoice": invoice})`,
      files: withDjango,
    },
    {
      name: 'get by pk followed by an ownership check',
      code: `def invoice_detail(request, pk):
    invoice = Invoice.objects.get(pk=pk)
    if invoice.org_id != request.user.org_id:
        raise PermissionDenied
    return render(request, "billing/invoice.html", {"invoice": invoice})`,
      files: withDjango,
    },
    {
      name: 'a tenant-scoped manager',
      code: `def open_invoices(request):
    return Invoice.objects.for_org(request.org).filter(status="open")`,
      files: withDjango,
    },
    {
      name: 'filter through a relation that is tenant-filtered',
      code: `def tasks(request, project_id):
    return Task.objects.filter(project_id=project_id, project__org=request.org)`,
      files: withDjango,
    },
    {
      name: 'DRF ViewSet with get_queryset filtering by org',
      code: `class ProjectViewSet(viewsets.ModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return Project.objects.filter(org=self.request.user.org)`,
      files: withDjango,
    },
    {
      name: 'an alembic migration',
      path: 'alembic/versions/3f2a_backfill_status.py',
      code: `def upgrade():
    op.execute("UPDATE invoices SET status = 'open' WHERE status IS NULL")`,
      files: withSqlalchemy,
    },
    {
      name: 'a Django data migration',
      path: 'billing/migrations/0007_backfill.py',
      code: `def forwards(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    for invoice in Invoice.objects.all():
        invoice.save()`,
      files: withDjango,
    },
    {
      name: 'items owned by the signed-in user',
      code: `def my_tasks(request):
    return Task.objects.filter(assignee=request.user, done=False)`,
      files: withDjango,
    },
    {
      name: 'SQLAlchemy query built in steps, org filter added later',
      code: `def list_invoices(session, org_id, status=None):
    stmt = select(Invoice)
    if status:
        stmt = stmt.where(Invoice.status == status)
    stmt = stmt.where(Invoice.org_id == org_id)
    return session.scalars(stmt).all()`,
      files: withSqlalchemy,
    },
    {
      name: 'a management command crosses tenants on purpose',
      path: 'billing/management/commands/close_year.py',
      code: `class Command(BaseCommand):
    def handle(self, *args, **options):
        Invoice.objects.filter(status="draft").delete()`,
      files: withDjango,
    },
    {
      name: 'children of a project loaded within the org',
      code: `def project_tasks(request, pk):
    project = get_object_or_404(Project, pk=pk, org=request.org)
    return Task.objects.filter(project=project)`,
      files: withDjango,
    },
    {
      name: 'a superuser branch',
      code: `def visible_projects(user):
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(org=user.org)`,
      files: withDjango,
    },
    {
      name: 'a signal handler reloading the instance it was given',
      code: `def clear_cache(sender, instance, using, **kwargs):
    cached = Project.objects.using(using).get(pk=instance.pk)
    cache.delete(cached.cache_key)`,
      files: withDjango,
    },
    {
      name: 'bulk_create through using()',
      code: `def copy_projects(projects, using):
    Project.objects.using(using).bulk_create(projects)`,
      files: withDjango,
    },
    {
      name: 'not multi-tenant: a clubs app whose events belong to an organization',
      code: `def get_org_events(org):
    return Event.objects.filter(organization=org)

def get_event(id):
    return Event.objects.get(id=id)`,
    },
    {
      name: 'a model without a tenant column',
      code: `def countries(request):
    return Country.objects.all()`,
      files: withDjango,
    },
  ],
});

/**
 * In a pull request the rule reads a file whole only when the file names a tenant field (it may
 * hold evidence); any other file is read where the diff is. A finding on a chain of calls must
 * still be found when only a later line of the chain changed, and evidence on unchanged lines
 * or in context files must still count.
 */
describe('tenant-filter-missing in a pull request', () => {
  const audit = async (files: readonly SourceFile[]): Promise<string[]> => {
    const rule = (await loadRules()).find((r) => r.meta.id === 'tenant-filter-missing')!;
    return new Engine([rule]).audit(files).findings.map((f) => `${f.path}:${f.line}`);
  };
  const changed = (path: string, content: string, lines: readonly number[]): SourceFile => ({
    path,
    content,
    status: 'modified',
    changed: lines.map((n) => ({ start: n, end: n })),
  });
  const added = (files: Readonly<Record<string, string>>): SourceFile[] =>
    Object.entries(files).map(([path, content]) => ({ path, content, status: 'added', changed: ALL_LINES }));
  const context = (files: Readonly<Record<string, string>>): SourceFile[] =>
    Object.entries(files).map(([path, content]) => ({ path, content, status: 'modified', changed: [], context: true }));

  it('flags a Django chain when only its last line changed', async () => {
    const code = `def overdue(request):
    return (Invoice.objects
            .filter(status="overdue")
            .order_by("-due"))
`;
    expect(await audit([changed('billing/views.py', code, [4]), ...context(withDjango)])).toEqual(['billing/views.py:2']);
  });

  it('flags a knex chain when only its last call changed', async () => {
    const code = `export async function getProject(id: string) {
  return db('projects')
    .where({ id })
    .first();
}
`;
    const files = { 'migrations/20240101_projects.sql': 'CREATE TABLE projects (\n  id uuid primary key,\n  org_id uuid not null\n);\n', ...TS_TENANCY };
    expect(await audit([changed('src/projects.ts', code, [4]), ...context(files)])).toEqual(['src/projects.ts:2']);
  });

  it('counts evidence on unchanged lines of a changed file', async () => {
    const code = `router.get('/invoices', async (req, res) => {
  res.json(await prisma.invoice.findMany({ where: { orgId: req.user.orgId } }));
});
router.get('/invoices/overdue', async (req, res) => {
  res.json(await prisma.invoice.findMany({ where: { status: 'overdue' } }));
});
`;
    expect(await audit([changed('src/routes.ts', code, [5])])).toEqual(['src/routes.ts:5']);
  });

  it('counts evidence in a context file and reports nothing off the diff', async () => {
    const code = `export async function GET(req: Request, { params }: { params: { id: string } }) {
  const invoice = await prisma.invoice.findUnique({ where: { id: params.id } });
  return Response.json(invoice);
}
export async function DELETE(req: Request, { params }: { params: { id: string } }) {
  await prisma.invoice.delete({ where: { id: params.id } });
}
`;
    expect(await audit([changed('app/api/invoices/route.ts', code, [6]), ...context(withSchema)])).toEqual(['app/api/invoices/route.ts:6']);
    expect(await audit([changed('app/api/invoices/route.ts', code, [1]), ...added(withSchema)])).toEqual([]);
  });
});
