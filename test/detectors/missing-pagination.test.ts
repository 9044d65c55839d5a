import { ruleTable } from '../support/rule-tester.js';

ruleTable('missing-pagination', {
  language: 'ts',
  invalid: [
    {
      name: 'Next.js route handler returns every invoice of the org',
      path: 'app/api/invoices/route.ts',
      code: `export async function GET(req: NextRequest) {
  const { orgId } = await requireSession(req);
  const invoices = await prisma.invoice.findMany({ where: { orgId }, orderBy: { createdAt: 'desc' } });
  return NextResponse.json(invoices);
}`,
      lines: [3],
      message: /no `take`/,
      severity: 'P1',
    },
    {
      name: 'Express: findMany straight into res.json',
      code: `router.get('/users', requireAdmin, async (req, res) => {
  res.json(await prisma.user.findMany({ select: { id: true, email: true } }));
});`,
      lines: [2],
    },
    {
      name: 'Fastify + Knex: list returned from the handler',
      code: `fastify.get('/orders', { preHandler: auth }, async (request, reply) => {
  const orders = await knex('orders').where({ org_id: request.user.orgId }).orderBy('created_at', 'desc');
  return orders;
});`,
      lines: [2],
      message: /no `\.limit\(\)`/,
    },
    {
      name: 'pg: SELECT without LIMIT sent to the client',
      code: `app.get('/events', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM events WHERE org_id = $1 ORDER BY created_at DESC', [req.orgId]);
  res.json({ events: rows });
});`,
      lines: [2],
      message: /no `LIMIT`/,
    },
    {
      name: 'NestJS @Get returning repository.find()',
      code: `@Controller('users')
export class UsersController {
  constructor(@InjectRepository(User) private readonly usersRepository: Repository<User>) {}

  @Get()
  findAll() {
    return this.usersRepository.find({ order: { createdAt: 'DESC' } });
  }
}`,
      lines: [7],
    },
    {
      name: 'tRPC query procedure',
      path: 'src/server/api/routers/post.ts',
      code: `export const postRouter = createTRPCRouter({
  mine: protectedProcedure.query(({ ctx }) =>
    ctx.prisma.post.findMany({ where: { authorId: ctx.session.user.id } }),
  ),
});`,
      lines: [3],
    },
    {
      name: 'Next.js pages/api handler, rows mapped to DTOs',
      path: 'pages/api/posts.ts',
      code: `export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const posts = await prisma.post.findMany({ orderBy: { createdAt: 'desc' } });
  res.status(200).json(posts.map(toPostDto));
}`,
      lines: [2],
    },
    {
      name: 'Fastify route options with a GET handler',
      code: `app.route({
  method: 'GET',
  url: '/audit-logs',
  handler: async () => db('audit_logs').select('*').orderBy('id', 'desc'),
});`,
      lines: [4],
    },
    // Each case below holds one word of the rule's gate and no other (and no database word:
    // a Knex client may be plain `db`).
    {
      name: 'gate word "export": pages/api default export answering with a Knex query',
      path: 'pages/api/audit.js',
      code: `export default async (req, res) => {
  const rows = await db('audit_logs');
  res.json(rows);
};`,
      lines: [2],
    },
    {
      name: 'gate word "procedure": tRPC query outside a router',
      code: `const postProcedures = {
  list: publicProcedure.query(() => prisma.post.findMany()),
};`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'findMany with take and cursor',
      path: 'app/api/invoices/route.ts',
      code: `export async function GET(req: NextRequest) {
  const cursor = req.nextUrl.searchParams.get('cursor');
  const invoices = await prisma.invoice.findMany({ where: { orgId }, take: 50, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) });
  return NextResponse.json(invoices);
}`,
    },
    {
      name: 'pagination arguments spread in',
      code: `router.get('/users', async (req, res) => {
  res.json(await prisma.user.findMany({ where: { orgId: req.orgId }, ...pageArgs(req.query) }));
});`,
    },
    {
      name: 'BullMQ worker reads everything, no HTTP handler',
      path: 'src/queues/digest.ts',
      code: `export const digest = new Worker('digest', async (job) => {
  const users = await prisma.user.findMany({ where: { digest: true } });
  for (const u of users) await sendDigest(u);
}, { connection });`,
    },
    {
      name: 'only the count is answered',
      code: `app.get('/stats', async (req, res) => {
  const users = await prisma.user.findMany({ where: { orgId: req.orgId } });
  res.json({ users: users.length });
});`,
    },
    {
      name: 'POST handler (a command, not a list endpoint)',
      code: `app.post('/exports', async (req, res) => {
  const rows = await prisma.order.findMany({ where: { orgId: req.orgId } });
  res.json(await startExport(rows));
});`,
    },
    {
      name: 'narrowed to a set of ids',
      code: `app.get('/users/batch', async (req, res) => {
  const ids = String(req.query.ids).split(',').slice(0, 100);
  res.json(await prisma.user.findMany({ where: { id: { in: ids } } }));
});`,
    },
    {
      name: 'knex with limit/offset',
      code: `fastify.get('/orders', async (request) => {
  const { page = 0 } = request.query as { page?: number };
  return knex('orders').where({ org_id: request.user.orgId }).limit(50).offset(page * 50);
});`,
    },
    {
      name: 'SQL with LIMIT',
      code: `app.get('/events', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM events WHERE org_id = $1 ORDER BY id DESC LIMIT 100', [req.orgId]);
  res.json(rows);
});`,
    },
    {
      name: 'knex .first() by id',
      code: `app.get('/orders/:id', async (req, res) => {
  res.json(await db('orders').where({ id: req.params.id }).first());
});`,
    },
    {
      name: 'stream of rows to CSV',
      code: `app.get('/export.csv', async (req, res) => {
  const stream = db('orders').where({ org_id: req.orgId }).stream();
  stream.pipe(csv()).pipe(res);
});`,
    },
  ],
});

ruleTable('missing-pagination', {
  language: 'py',
  invalid: [
    {
      name: 'FastAPI + SQLAlchemy 2.0: scalars().all() returned',
      path: 'app/routers/items.py',
      code: `@router.get("/items", response_model=list[ItemOut])
async def list_items(org: Org = Depends(current_org), db: AsyncSession = Depends(get_db)):
    result = await db.execute(select(Item).where(Item.org_id == org.id).order_by(Item.created_at))
    return result.scalars().all()`,
      lines: [3],
    },
    {
      name: 'FastAPI + SQLAlchemy 1.x: query().all() returned',
      path: 'app/main.py',
      code: `@app.get("/users")
def read_users(db: Session = Depends(get_db)):
    return db.query(User).order_by(User.id).all()`,
      lines: [3],
    },
    {
      name: 'DRF: pagination_class = None on a list view',
      path: 'shop/views.py',
      code: `class OrderList(generics.ListAPIView):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    pagination_class = None`,
      lines: [4],
      severity: 'P1',
    },
    {
      name: 'DRF: ModelViewSet without pagination and no default in the PR',
      path: 'shop/views.py',
      code: `class CustomerViewSet(viewsets.ModelViewSet):
    queryset = Customer.objects.select_related("org").order_by("-created_at")
    serializer_class = CustomerSerializer`,
      lines: [2],
      severity: 'P2',
    },
    {
      name: 'a queryset beside get_object_or_404, not inside it, is still every row',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def customer_orders(request):
    customer = get_object_or_404(Customer, user=request.user)
    orders = Order.objects.filter(customer=customer)
    return Response(OrderSerializer(orders, many=True).data)`,
      lines: [4],
    },
    {
      name: 'a queryset filtered by an object fetched by primary key is still every row',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def customer_orders(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    orders = Order.objects.filter(customer=customer)
    return Response(OrderSerializer(orders, many=True).data)`,
      lines: [4],
    },
    {
      name: 'a queryset filtered by a value read with .get() is still every row',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def orders_by_status(request):
    status = request.GET.get("status", "open")
    orders = Order.objects.filter(status=status)
    return Response(OrderSerializer(orders, many=True).data)`,
      lines: [4],
    },
    {
      name: 'a queryset kept in a variable and read whole, the slice taken after list()',
      path: 'shop/views.py',
      code: `def order_export(request):
    orders = Order.objects.filter(customer__user=request.user)
    rows = list(orders.values("id", "total"))[:100]
    return JsonResponse(rows, safe=False)`,
      lines: [2],
    },
    {
      name: 'get_list_or_404 returns every matching row',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def open_orders(request):
    orders = get_list_or_404(Order, customer__user=request.user, status="open")
    return Response(OrderSerializer(orders, many=True).data)`,
      lines: [3],
    },
    {
      name: 'get_list_or_404 over a queryset: the queryset is reported, once',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def open_orders(request):
    orders = get_list_or_404(Order.objects.filter(customer__user=request.user))
    return Response(OrderSerializer(orders, many=True).data)`,
      lines: [3],
    },
    {
      name: 'Django view: JsonResponse of every order',
      path: 'shop/views.py',
      code: `def orders(request):
    qs = Order.objects.filter(customer__user=request.user).values("id", "total", "created_at")
    return JsonResponse(list(qs), safe=False)`,
      lines: [2],
    },
    {
      name: 'Flask: jsonify over User.query.all()',
      path: 'app/api/users.py',
      code: `@bp.route("/users")
def list_users():
    return jsonify([u.to_dict() for u in User.query.order_by(User.name).all()])`,
      lines: [3],
    },
    {
      name: 'DRF function view: serializer over the queryset',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def order_list(request):
    orders = Order.objects.filter(customer=request.user.customer)
    serializer = OrderSerializer(orders, many=True)
    return Response(serializer.data)`,
      lines: [3],
    },
    {
      name: 'DRF: get_queryset without pagination',
      path: 'shop/views.py',
      code: `class InvoiceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return Invoice.objects.filter(org=self.request.user.org)`,
      lines: [4],
      severity: 'P2',
    },
    {
      name: 'gate word "listmodelmixin": a DRF list mixin on its own',
      code: `class OrderList(ListModelMixin):
    queryset = Order.objects.all()`,
      lines: [2],
      severity: 'P2',
    },
  ],
  valid: [
    {
      name: 'look-alike: a queryset kept in a variable, narrowed and sliced where it is read',
      path: 'hyperkitty/views/thread.py',
      code: `def suggest_tags(request, mlist_fqdn, threadid):
    term = request.GET.get("term")
    current_tags = Tag.objects.filter(threads__thread_id=threadid).values_list("name", flat=True)
    if term:
        tags_db = Tag.objects.filter(threads__mailinglist__name=mlist_fqdn, name__istartswith=term)
    else:
        tags_db = Tag.objects.all()
    tag_names = list(tags_db.exclude(name__in=current_tags).values_list("name", flat=True)[:20])
    return HttpResponse(json.dumps(tag_names), content_type="application/javascript")`,
    },
    {
      name: 'look-alike: a statement built in a variable and sliced there',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def recent(request, pk):
    customer = Customer.objects.get(pk=pk)
    latest = Order.objects.filter(customer=customer).order_by("-created_at")[:20]
    return Response(OrderSerializer(latest, many=True).data)`,
    },
    {
      name: 'look-alike: get_list_or_404 with a page taken from it',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def open_orders(request):
    page = Paginator(get_list_or_404(Order, customer__user=request.user), 25).get_page(request.GET.get("page"))
    return Response(OrderSerializer(page, many=True).data)`,
    },
    {
      name: 'look-alike: get_list_or_404 by primary key (one row at most)',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def order_lines(request, pk):
    lines = get_list_or_404(OrderLine, pk=pk)
    return Response(OrderLineSerializer(lines, many=True).data)`,
    },
    {
      name: 'look-alike: get_list_or_404 over a sliced queryset',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def recent_orders(request):
    orders = get_list_or_404(Order.objects.filter(customer__user=request.user).order_by("-created_at")[:50])
    return Response(OrderSerializer(orders, many=True).data)`,
    },
    {
      name: 'look-alike: get_list_or_404 in a POST view',
      path: 'shop/api.py',
      code: `@api_view(["POST"])
def import_orders(request):
    orders = get_list_or_404(Order, customer__user=request.user)
    return Response(OrderSerializer(orders, many=True).data)`,
    },
    {
      name: 'look-alike: a queryset narrowing get_object_or_404 (one object comes back)',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def order_detail(request, pk):
    order = get_object_or_404(Order.objects.filter(customer__user=request.user), pk=pk)
    return Response(OrderSerializer(order).data)`,
    },
    {
      name: 'look-alike: get_object_or_404 by a non-key field, on a narrowed queryset, awaited',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
async def profile(request):
    user = await aget_object_or_404(User.objects.filter(is_active=True), email=request.GET["email"])
    return Response(UserSerializer(user).data)`,
    },
    {
      name: 'look-alike: django.shortcuts.get_object_or_404 over a queryset variable',
      path: 'shop/api.py',
      code: `@api_view(["GET"])
def invoice(request, number):
    return Response(InvoiceSerializer(shortcuts.get_object_or_404(Invoice.objects.select_related("org").filter(org=request.user.org), number=number)).data)`,
    },
    {
      name: 'FastAPI with limit/offset parameters',
      path: 'app/routers/items.py',
      code: `@router.get("/items")
async def list_items(limit: int = Query(50, le=100), offset: int = 0, db: AsyncSession = Depends(get_db)):
    result = await db.execute(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return result.scalars().all()`,
    },
    {
      name: 'DRF view with a pagination class',
      path: 'shop/views.py',
      code: `class OrderList(generics.ListAPIView):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    pagination_class = StandardResultsSetPagination`,
    },
    {
      name: 'DRF view when the PR sets DEFAULT_PAGINATION_CLASS',
      path: 'shop/views.py',
      code: `class CustomerViewSet(viewsets.ModelViewSet):
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer`,
      files: {
        'config/settings/base.py': `REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
}`,
      },
    },
    {
      name: 'Celery task reads everything (not an endpoint)',
      path: 'shop/tasks.py',
      code: `@shared_task
def recompute_totals():
    for order in Order.objects.all():
        order.recompute()`,
    },
    {
      name: 'lookup by id',
      path: 'app/routers/users.py',
      code: `@router.get("/users/{user_id}")
def read_user(user_id: int, db: Session = Depends(get_db)):
    return db.execute(select(User).where(User.id == user_id)).scalars().all()`,
    },
    {
      name: 'Django Paginator',
      path: 'shop/views.py',
      code: `def orders(request):
    qs = Order.objects.filter(customer__user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return JsonResponse({"results": list(page.object_list.values())})`,
    },
    {
      name: 'streamed with yield_per',
      path: 'app/routers/export.py',
      code: `@router.get("/export")
def export(db: Session = Depends(get_db)):
    rows = db.execute(select(Order).execution_options(yield_per=1000)).scalars().yield_per(1000)
    return StreamingResponse(to_csv(rows), media_type="text/csv")`,
    },
    {
      name: 'custom base view (may paginate)',
      path: 'shop/views.py',
      code: `class OrderViewSet(TenantScopedViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer`,
    },
    {
      name: 'server-rendered template page (not a list API)',
      path: 'notification/views.py',
      code: `def notice_settings(request):
    notice_types = NoticeType.objects.all()
    return render(request, "notification/notice_settings.html", {"notice_types": notice_types})`,
    },
    {
      name: 'sliced queryset',
      path: 'shop/views.py',
      code: `class LatestOrders(generics.ListAPIView):
    queryset = Order.objects.order_by("-created_at")[:20]
    serializer_class = OrderSerializer`,
    },
  ],
});
