import { ruleTable } from '../support/rule-tester.js';

ruleTable('global-tenant-fallback', {
  language: 'ts',
  invalid: [
    {
      name: 'Express middleware: header falls back to _global',
      code: `app.use((req, res, next) => {
  req.tenantId = req.header('x-tenant-id') ?? '_global';
  next();
});`,
      lines: [2],
      message: /falls back to the shared tenant '_global'/,
    },
    {
      name: 'Next.js route handler: || default',
      code: `export async function GET(request: Request) {
  const orgId = new URL(request.url).searchParams.get('orgId') || 'default';
  const projects = await prisma.project.findMany({ where: { orgId } });
  return Response.json(projects);
}`,
      lines: [2],
    },
    {
      name: 'session org falls back to a DEFAULT_ORG_ID constant',
      code: `import { DEFAULT_ORG_ID } from './constants';
export const listInvoices = async (req: FastifyRequest) => {
  const orgId = req.user?.orgId ?? DEFAULT_ORG_ID;
  return db('invoices').where({ org_id: orgId });
};`,
      lines: [3],
      message: /DEFAULT_ORG_ID/,
    },
    {
      name: 'NestJS service parameter default',
      code: `@Injectable()
export class ReportsService {
  async list(tenantId: string = 'public') {
    return this.repo.find({ where: { tenantId } });
  }
}`,
      lines: [3],
    },
    {
      name: 'destructuring default from the query string',
      code: `router.get('/documents', async (req, res) => {
  const { workspaceId = 'shared' } = req.query;
  res.json(await documents.list(workspaceId));
});`,
      lines: [2],
    },
    {
      name: 'a tenant resolver that returns a default org',
      code: `export function resolveTenantId(req: Request): string {
  const fromToken = req.auth?.tenantId;
  if (fromToken) return fromToken;
  return DEFAULT_TENANT;
}`,
      lines: [4],
      message: /resolveTenantId/,
    },
    {
      name: 'BullMQ job data falls back to tenant 1',
      code: `new Worker('exports', async (job) => {
  const tenantId = job.data.tenantId || 1;
  await exportAll(tenantId);
});`,
      lines: [2],
    },
    {
      // Only the configured key lets this file in (no tenant/org/workspace in it): the case pins
      // requiresFromOptions.
      name: 'a configured tenant key (company_id) falling back to a default',
      code: `export const listPatients = async (req: Request) => {
  const companyId = req.header('x-company-id') ?? 'default';
  return db('patients').where({ company_id: companyId });
};`,
      options: { tenantKeys: ['company_id', 'companyId'] },
      lines: [2],
    },
    {
      name: 'ternary fallback to a config default',
      code: `const orgId = ctx.session.orgId ? ctx.session.orgId : config.defaultOrgId;`,
      lines: [1],
    },
  ],
  valid: [
    {
      name: 'missing tenant is rejected',
      code: `app.use((req, res, next) => {
  const tenantId = req.header('x-tenant-id');
  if (!tenantId) return res.status(400).json({ error: 'missing tenant' });
  req.tenantId = tenantId;
  next();
});`,
    },
    {
      name: 'fallback to another runtime value, not a constant',
      code: `const orgId = req.params.orgId ?? req.user.orgId;`,
    },
    {
      name: 'null / empty-string fallbacks name no tenant',
      code: `const orgId = req.user?.orgId ?? null;
const tenantId = headers['x-tenant-id'] || '';`,
    },
    {
      name: 'log labels',
      code: `logger.info({ tenant: tenantId ?? 'unknown' }, 'request done');
span.setAttribute('org.id', orgId || 'none');`,
    },
    {
      name: 'a default for a non-tenant value',
      code: `const locale = req.query.locale ?? 'default';
const orgName = org?.name || 'Default workspace';`,
    },
    {
      name: 'deployment config read from env',
      code: `const tenantId = process.env.TENANT_ID ?? 'default';`,
    },
    {
      name: 'an OAuth provider option (Azure AD "common" endpoint)',
      code: `export default function AzureAD(options: AzureADOptions) {
  const tenant = options.tenantId ?? 'common';
  return { wellKnown: \`https://login.microsoftonline.com/\${tenant}/v2.0/.well-known/openid-configuration\` };
}`,
    },
    {
      name: 'a function returning a constant that is not a tenant resolver',
      code: `export function getTheme(req: Request) {
  return DEFAULT_THEME;
}`,
    },
  ],
});

ruleTable('global-tenant-fallback', {
  language: 'py',
  invalid: [
    {
      name: 'Django middleware: org_id or DEFAULT_ORG_ID',
      code: `class TenantMiddleware:
    def __call__(self, request):
        request.org_id = request.headers.get("X-Org-Id") or DEFAULT_ORG_ID
        return self.get_response(request)`,
      lines: [3],
      message: /DEFAULT_ORG_ID/,
    },
    {
      name: 'getattr with a default org',
      code: `def invoice_list(request):
    org_id = getattr(request, "org_id", DEFAULT_ORG)
    return Invoice.objects.filter(org_id=org_id)`,
      lines: [2],
    },
    {
      name: 'FastAPI header lookup with a "default" tenant',
      code: `@app.get("/documents")
async def list_documents(request: Request, db: Session = Depends(get_db)):
    tenant_id = request.headers.get("x-tenant-id", "default")
    return db.scalars(select(Document).where(Document.tenant_id == tenant_id)).all()`,
      lines: [3],
    },
    {
      name: 'function parameter default',
      code: `def export_reports(org_id: str = "global"):
    return Report.objects.filter(org_id=org_id)`,
      lines: [1],
    },
    {
      name: 'a resolver that returns the default organisation',
      code: `def get_current_org(request):
    if request.user.is_authenticated:
        return request.user.organization
    return Organization.objects.get(slug="default")`,
      lines: [4],
    },
    {
      name: 'Celery task: tenant from kwargs or 1',
      code: `@shared_task
def sync_contacts(**kwargs):
    tenant_id = kwargs.get("tenant_id") or 1
    sync_all(tenant_id)`,
      lines: [3],
    },
    {
      name: 'Django model FK with a default organisation',
      code: `class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, default=1)`,
      lines: [2],
    },
    {
      // The key is configured as one word, the code writes it as two: the gate's word is the
      // stem `clinic`, split before the id word.
      name: 'a one-word configured key (clinicid) written clinic_id',
      code: `def list_patients(request):
    clinic_id = request.GET.get("clinic_id") or "main"
    return Patient.objects.filter(clinic_id=clinic_id)`,
      options: { tenantKeys: ['clinicid'] },
      lines: [2],
    },
    {
      name: 'conditional expression fallback',
      code: `def current_org_id(request):
    org_id = request.session.get("org_id")
    return org_id if org_id else DEFAULT_ORG_ID`,
    },
  ],
  valid: [
    {
      name: 'missing tenant is rejected',
      code: `def get_current_org(request):
    org = getattr(request, "org", None)
    if org is None:
        raise PermissionDenied("no organisation")
    return org`,
    },
    {
      name: 'fallback to another runtime value',
      code: `org_id = request.GET.get("org_id") or request.user.org_id`,
    },
    {
      name: 'None fallback',
      code: `tenant_id = request.headers.get("X-Tenant-ID", None)`,
    },
    {
      name: 'log label',
      code: `logger.info("sync done", extra={"tenant": tenant_id or "unknown"})`,
    },
    {
      name: 'non-tenant defaults',
      code: `page_size = request.GET.get("page_size", 50)
theme = user.theme or DEFAULT_THEME`,
    },
    {
      name: 'deployment setting from the environment',
      code: `TENANT_ID = os.environ.get("TENANT_ID", "default")`,
    },
    {
      name: 'FK without a default',
      code: `class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    status = models.CharField(max_length=20, default="draft")`,
    },
  ],
});

ruleTable('global-tenant-fallback', {
  language: 'ts',
  invalid: [
    {
      name: 'schema.prisma: a tenant column with a shared default',
      path: 'prisma/schema.prisma',
      code: `model Document {
  id       String @id @default(cuid())
  tenantId String @default("_global")
}`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'schema.prisma: tenant column without default',
      path: 'prisma/schema.prisma',
      code: `model Document {
  id       String @id @default(cuid())
  tenantId String
  status   String @default("draft")
}`,
    },
  ],
});
