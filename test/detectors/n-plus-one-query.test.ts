import { ruleTable } from '../support/rule-tester.js';

ruleTable('n-plus-one-query', {
  language: 'ts',
  invalid: [
    {
      name: 'Express: findUnique per post of a findMany',
      code: `router.get('/posts', async (req, res) => {
  const posts = await prisma.post.findMany({ where: { published: true } });
  for (const post of posts) {
    post.author = await prisma.user.findUnique({ where: { id: post.authorId } });
  }
  res.json(posts);
});`,
      lines: [4],
      message: /once per item of `posts`/,
    },
    {
      name: 'Knex: forEach with an awaited query per row',
      code: `export async function syncEndpoints(db: Knex) {
  const deliveries = await db('webhook_deliveries').where('status', 'pending');
  deliveries.forEach(async (delivery) => {
    const endpoint = await db('webhook_endpoints').where({ id: delivery.endpoint_id }).first();
    await send(endpoint.url, delivery.body);
  });
}`,
      lines: [4],
    },
    {
      name: 'Promise.all over map of findUnique is N queries too',
      code: `export async function GET() {
  const orders = await prisma.order.findMany({ take: 50 });
  const customers = await Promise.all(orders.map((o) => prisma.customer.findUnique({ where: { id: o.customerId } })));
  return NextResponse.json({ orders, customers });
}`,
      lines: [3],
    },
    {
      name: 'pg: a query per row of a destructured result',
      code: `app.get('/orders', async (req, res) => {
  const { rows } = await pool.query('SELECT id, total FROM orders WHERE org_id = $1 LIMIT 100', [req.org.id]);
  for (const row of rows) {
    const items = await pool.query('SELECT * FROM order_items WHERE order_id = $1', [row.id]);
    row.items = items.rows;
  }
  res.json(rows);
});`,
      lines: [4],
    },
    {
      name: 'NestJS + TypeORM: repository lookup per entity',
      code: `@Injectable()
export class UsersService {
  async listWithProfiles() {
    const users = await this.userRepository.find({ take: 20 });
    for (const user of users) {
      user.profile = await this.profileRepository.findOneBy({ userId: user.id });
    }
    return users;
  }
}`,
      lines: [6],
    },
    {
      name: 'classic for loop over .length',
      code: `export async function totals(orgId: string) {
  const invoices = await prisma.invoice.findMany({ where: { orgId } });
  for (let i = 0; i < invoices.length; i++) {
    invoices[i].paid = await prisma.payment.count({ where: { invoiceId: invoices[i].id } });
  }
  return invoices;
}`,
      lines: [4],
    },
    {
      name: 'for…of directly over an awaited query (Next.js route handler)',
      code: `export async function GET() {
  const result = [];
  for (const team of await prisma.team.findMany({ take: 100 })) {
    const members = await prisma.member.findMany({ where: { teamId: team.id } });
    result.push({ ...team, members });
  }
  return Response.json(result);
}`,
      lines: [4],
    },
    {
      name: 'relation rows of a row: loop over order.items',
      code: `export async function priceOrder(id: string) {
  const order = await prisma.order.findUnique({ where: { id }, include: { items: true } });
  let total = 0;
  for (const item of order!.items) {
    const product = await prisma.product.findUnique({ where: { id: item.productId } });
    total += product!.price * item.quantity;
  }
  return total;
}`,
      lines: [5],
    },
    {
      name: 'Mongoose: findById per post',
      code: `export async function feed() {
  const posts = await Post.find({ published: true }).lean();
  for (const p of posts) {
    p.author = await User.findById(p.authorId).lean();
  }
  return posts;
}`,
      lines: [4],
    },
    {
      name: 'BullMQ worker: endpoint lookup per pending delivery',
      code: `new Worker('deliveries', async () => {
  const pending = await knex('webhook_deliveries').where({ status: 'pending' }).limit(500);
  for (const delivery of pending) {
    const endpoint = await knex('webhook_endpoints').where('id', delivery.endpoint_id).first();
    await deliver(endpoint, delivery);
  }
}, { connection });`,
      lines: [4],
    },
  ],
  valid: [
    {
      name: 'loop over a literal list of plans',
      code: `export async function ensurePlans() {
  for (const slug of ['free', 'pro', 'enterprise']) {
    const plan = await prisma.plan.findUnique({ where: { slug } });
    if (!plan) throw new Error('missing plan ' + slug);
  }
}`,
    },
    {
      name: 'one batched IN query after collecting ids',
      code: `export async function GET() {
  const posts = await prisma.post.findMany({ take: 20 });
  const authorIds = posts.map((p) => p.authorId);
  const authors = await prisma.user.findMany({ where: { id: { in: authorIds } } });
  return Response.json({ posts, authors });
}`,
    },
    {
      name: 'loop over request input, not query results',
      code: `app.post('/cart', async (req, res) => {
  for (const item of req.body.items) {
    const product = await prisma.product.findUnique({ where: { id: item.productId } });
    if (!product) return res.status(404).end();
  }
  res.status(204).end();
});`,
    },
    {
      name: 'relation loaded with include, read in the loop',
      code: `export async function GET() {
  const posts = await prisma.post.findMany({ take: 20, include: { author: true } });
  for (const post of posts) {
    post.authorName = post.author.name;
  }
  return Response.json(posts);
}`,
    },
    {
      name: 'chunks of ids, one IN query per chunk',
      code: `export async function backfill(ids: string[]) {
  const users = await prisma.user.findMany({ select: { id: true } });
  for (const batch of chunk(users, 500)) {
    await prisma.profile.findMany({ where: { userId: { in: batch.map((u) => u.id) } } });
  }
}`,
    },
    {
      name: 'only outside calls per row (email), no query',
      code: `export async function remind() {
  const users = await prisma.user.findMany({ where: { trialEndsAt: { lt: new Date() } }, take: 100 });
  for (const user of users) {
    await mailer.send({ to: user.email, template: 'trial-ended' });
  }
}`,
    },
    {
      name: 'enqueue a BullMQ job per row',
      code: `export async function fanOut() {
  const orgs = await db('organizations').select('id');
  for (const org of orgs) {
    await queue.add('sync-org', { orgId: org.id });
  }
}`,
    },
    {
      name: 'map that only reshapes rows',
      code: `export async function GET() {
  const users = await prisma.user.findMany({ take: 50 });
  return Response.json(users.map((u) => ({ id: u.id, name: u.name })));
}`,
    },
    {
      name: 'for…in over a row’s keys',
      code: `export async function dump(id: string) {
  const user = await prisma.user.findUnique({ where: { id } });
  for (const key in user) {
    await prisma.user.findFirst({ where: { id } });
  }
}`,
    },
    {
      name: 'lookup guarded by a cache: once per distinct author',
      code: `export async function GET() {
  const posts = await prisma.post.findMany({ take: 50 });
  const authors = new Map<string, User | null>();
  for (const post of posts) {
    if (!authors.has(post.authorId)) authors.set(post.authorId, await prisma.user.findUnique({ where: { id: post.authorId } }));
  }
  return Response.json({ posts, authors: [...authors.values()] });
}`,
    },
    {
      name: 'seed script',
      path: 'prisma/seed.ts',
      code: `const users = await prisma.user.findMany();
for (const u of users) {
  await prisma.account.findFirst({ where: { userId: u.id } });
}`,
    },
  ],
});

ruleTable('n-plus-one-query', {
  language: 'py',
  invalid: [
    {
      name: 'Django: related manager per order, no prefetch',
      code: `def order_summary(request):
    orders = Order.objects.filter(status="paid")
    data = []
    for order in orders:
        data.append({"id": order.id, "items": list(order.items.all())})
    return JsonResponse(data, safe=False)`,
      lines: [5],
      message: /prefetch_related\("items"\)/,
    },
    {
      name: 'Django: .objects.get per line',
      code: `def invoice_total(invoice):
    total = 0
    for line in InvoiceLine.objects.filter(invoice=invoice):
        product = Product.objects.get(pk=line.product_id)
        total += product.price * line.quantity
    return total`,
      lines: [4],
    },
    {
      name: 'SQLAlchemy 2.0: session.execute per user',
      code: `def user_orders(session: Session):
    users = session.scalars(select(User).where(User.active.is_(True))).all()
    out = {}
    for u in users:
        out[u.id] = session.execute(select(Order).where(Order.user_id == u.id)).scalars().all()
    return out`,
      lines: [5],
    },
    {
      name: 'SQLAlchemy 1.x: query per row',
      code: `@app.get("/users")
def list_users(db: Session = Depends(get_db)):
    result = []
    for user in db.query(User).limit(100).all():
        address = db.query(Address).filter(Address.user_id == user.id).first()
        result.append({"user": user.id, "city": address.city})
    return result`,
      lines: [5],
    },
    {
      name: 'comprehension with a count per author',
      code: `def authors(request):
    return JsonResponse([{"id": a.id, "books": a.book_set.count()} for a in Author.objects.all()], safe=False)`,
      lines: [2],
    },
    {
      name: 'Celery task: customer lookup per subscription',
      code: `@shared_task
def renew_subscriptions():
    for sub in Subscription.objects.filter(active=True, renews_at__lte=timezone.now()):
        customer = Customer.objects.get(id=sub.customer_id)
        charge(customer, sub)`,
      lines: [4],
    },
    {
      name: 'Django admin action over its queryset',
      code: `@admin.action(description="Ship")
def mark_shipped(modeladmin, request, queryset):
    for order in queryset:
        if order.lines.filter(shipped=False).exists():
            continue
        order.ship()`,
      lines: [4],
    },
    {
      name: 'async SQLAlchemy: scalars per team',
      code: `async def teams_with_members(session: AsyncSession):
    result = await session.execute(select(Team))
    teams = []
    for team in result.scalars():
        members = await session.scalars(select(Member).where(Member.team_id == team.id))
        teams.append((team, members.all()))
    return teams`,
      lines: [5],
    },
  ],
  valid: [
    {
      name: 'prefetch_related for the relation read in the loop',
      code: `def order_summary(request):
    orders = Order.objects.filter(status="paid").prefetch_related("items")
    return JsonResponse([{"id": o.id, "items": [i.sku for i in o.items.all()]} for o in orders], safe=False)`,
    },
    {
      name: 'loop over a constant list',
      code: `def currencies():
    return [Currency.objects.get(code=code) for code in ["USD", "EUR", "GBP"]]`,
    },
    {
      name: 'batched IN query',
      code: `def products_for(lines):
    ids = [line.product_id for line in lines]
    return Product.objects.filter(id__in=ids)`,
    },
    {
      name: 'JSON field dict .get on a row is not a query',
      code: `def event_types():
    types = []
    for event in WebhookEvent.objects.all()[:100]:
        types.append(event.payload.get("type"))
    return types`,
    },
    {
      name: 'loop over request data (not query results)',
      code: `@api_view(["POST"])
def add_to_cart(request):
    for item in request.data["items"]:
        Product.objects.get(pk=item["id"])
    return Response(status=204)`,
    },
    {
      name: 'a write per row is not an N+1 read',
      code: `def backfill_profiles():
    for user in User.objects.filter(profile__isnull=True):
        Profile.objects.create(user=user)`,
    },
    {
      name: 'selectinload: relation loaded with the users',
      code: `def spend(session):
    users = session.scalars(select(User).options(selectinload(User.orders))).all()
    return {u.id: sum(o.total for o in u.orders) for u in users}`,
    },
    {
      name: 'data migration',
      path: 'shop/migrations/0007_backfill_totals.py',
      code: `def forwards(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    for order in Order.objects.all():
        order.total = sum(l.amount for l in order.lines.all())
        order.save()`,
    },
    {
      name: 'a command per row, not a read (ROLLBACK PREPARED)',
      code: `def drop_prepared(conn):
    for xid in conn.execute(text("select gid from pg_prepared_xacts")).scalars():
        conn.execute("ROLLBACK PREPARED '%s'" % xid)`,
    },
    {
      name: 'query only on a cache miss',
      code: `def owners(session):
    cache = {}
    for item in session.scalars(select(Item)).all():
        if item.owner_id not in cache:
            cache[item.owner_id] = session.get(User, item.owner_id)
    return cache`,
    },
    {
      name: 'only logging per row',
      code: `def audit():
    for row in session.execute(select(User)).scalars():
        logger.info("user %s", row.id)`,
    },
  ],
});
