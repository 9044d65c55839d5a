import { ruleTable } from '../support/rule-tester.js';

ruleTable('unsafe-payload-access', {
  language: 'ts',
  invalid: [
    {
      name: 'Express: req.body.amount * 100',
      code: `router.post('/checkout', async (req, res) => {
  const intent = await stripe.paymentIntents.create({
    amount: req.body.amount * 100,
    currency: 'eur',
  });
  res.json({ clientSecret: intent.client_secret });
});`,
      lines: [3],
      message: /`req.body.amount` comes from the request unchecked/,
    },
    {
      name: 'Stripe webhook: event.data.object.amount / 100',
      code: `export async function handleEvent(event: Stripe.Event) {
  if (event.type === 'payment_intent.succeeded') {
    const euros = event.data.object.amount / 100;
    await prisma.payment.create({ data: { euros } });
  }
}`,
      lines: [3],
    },
    {
      name: 'destructured body fields',
      code: `app.post('/orders', async (req, res) => {
  const { quantity, unitPrice } = req.body;
  const total = quantity * unitPrice;
  await knex('orders').insert({ total });
  res.sendStatus(201);
});`,
      lines: [3],
    },
    {
      name: 'Next.js route handler indexes the JSON body',
      path: 'app/api/invite/route.ts',
      code: `export async function POST(request: Request) {
  const body = await request.json();
  const firstEmail = body.emails[0];
  await inviteQueue.add('invite', { email: firstEmail });
  return Response.json({ ok: true });
}`,
      lines: [3],
      message: /non-empty list/,
    },
    {
      name: 'Fastify handler without a schema',
      code: `fastify.post('/cart/items', async (request, reply) => {
  const item = await prisma.item.findUniqueOrThrow({ where: { id: request.body.itemId } });
  const price = item.price * request.body.qty;
  return reply.send({ price });
});`,
      lines: [3],
    },
    {
      name: 'a try/catch does not catch NaN',
      code: `router.post('/automations/:id/trigger', async (ctx) => {
  try {
    await runAutomation(ctx.params.id, { timeout: ctx.request.body.timeout * 1000 });
  } catch (err) {
    ctx.throw(500, err);
  }
});`,
      lines: [3],
    },
    {
      name: 'query string arithmetic for an offset',
      code: `router.get('/invoices', async (req, res) => {
  const offset = (req.query.page - 1) * 20;
  res.json(await db('invoices').offset(offset).limit(20));
});`,
      lines: [2],
    },
    {
      name: 'loop over body items',
      code: `export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  let total = 0;
  for (const line of req.body.lines) {
    total = total + line.price * line.qty;
  }
  res.json({ total });
}`,
      lines: [4],
    },
  ],
  valid: [
    {
      name: 'zod parse result',
      code: `const Checkout = z.object({ amount: z.number().positive() });
router.post('/checkout', async (req, res) => {
  const { amount } = Checkout.parse(req.body);
  res.json(await createIntent(amount * 100));
});`,
    },
    {
      name: 'zod safeParse data',
      path: 'app/api/invite/route.ts',
      code: `export async function POST(request: Request) {
  const parsed = InviteSchema.safeParse(await request.json());
  if (!parsed.success) return Response.json(parsed.error.flatten(), { status: 400 });
  const first = parsed.data.emails[0];
  return Response.json({ first });
}`,
    },
    {
      name: 'Fastify route with a JSON schema',
      code: `fastify.post('/cart/items', { schema: { body: CartItemBody } }, async (request, reply) => {
  return reply.send({ price: request.body.unitPrice * request.body.qty });
});`,
    },
    {
      name: 'express validation middleware before the handler',
      code: `router.post('/checkout', validate(checkoutSchema), async (req, res) => {
  res.json(await createIntent(req.body.amount * 100));
});`,
    },
    {
      name: 'checked with typeof first',
      code: `router.post('/checkout', async (req, res) => {
  if (typeof req.body.amount !== 'number' || req.body.amount <= 0) {
    return res.status(400).json({ error: 'amount must be a positive number' });
  }
  res.json(await createIntent(req.body.amount * 100));
});`,
    },
    {
      name: 'explicit Number() cast with default',
      code: `router.get('/invoices', async (req, res) => {
  const page = Number(req.query.page ?? 1);
  res.json(await db('invoices').offset((page - 1) * 20).limit(20));
});`,
    },
    {
      name: 'optional chaining on the index',
      code: `export async function POST(request: Request) {
  const body = await request.json();
  return Response.json({ first: body.emails?.[0] ?? null });
}`,
    },
    {
      name: 'NestJS DTO validated by the ValidationPipe',
      code: `@Controller('checkout')
export class CheckoutController {
  @Post()
  create(@Body() dto: CheckoutDto) {
    return this.payments.charge(dto.amount * 100);
  }
}`,
    },
    {
      name: 'NaN falls back with ||',
      code: `export async function trigger(ctx) {
  const timeout = ctx.request.body.timeout * 1000 || DEFAULT_TIMEOUT_MS;
  return runAutomation(ctx.params.id, { timeout });
}`,
    },
    {
      name: 'string concatenation is not arithmetic',
      code: `app.post('/greet', (req, res) => {
  res.send('Hello ' + req.body.name);
});`,
    },
  ],
});

ruleTable('unsafe-payload-access', {
  language: 'py',
  invalid: [
    {
      name: 'Stripe webhook: intent["amount_received"] / 100',
      path: 'billing/webhooks.py',
      code: `@csrf_exempt
def stripe_webhook(request):
    event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], settings.STRIPE_WEBHOOK_SECRET)
    if event["type"] == "payment_intent.succeeded":
        intent = event["data"]["object"]
        Payment.objects.create(amount=intent["amount_received"] / 100)
    return HttpResponse(status=200)
`,
      lines: [6],
      message: /external payload/,
    },
    {
      name: 'DRF view: request.data["quantity"] * price',
      path: 'shop/views.py',
      code: `class CartView(APIView):
    def post(self, request):
        product = Product.objects.get(pk=request.data["product_id"])
        total = request.data["quantity"] * product.price
        return Response({"total": total})
`,
      lines: [4],
    },
    {
      name: '.get("x", [""])[0] fails on an empty list',
      code: `@app.post("/invites")
async def invite(request: Request):
    payload = await request.json()
    email = payload.get("emails", [""])[0]
    await send_invite(email)
    return {"ok": True}
`,
      lines: [4],
      message: /empty list/,
    },
    {
      name: 'Flask: request.json items indexed',
      code: `@bp.route("/orders", methods=["POST"])
def create_order():
    first = request.json["items"][0]
    db.session.add(Order(sku=first["sku"]))
    db.session.commit()
    return {"ok": True}
`,
      lines: [3],
    },
    {
      name: 'Django query string: string repetition',
      code: `def invoices(request):
    page = request.GET.get("page", 1)
    offset = (page - 1) * 20
    return JsonResponse(list(Invoice.objects.all()[offset:offset + 20].values()), safe=False)
`,
      lines: [3],
    },
    {
      name: 'Celery task over a webhook payload loop',
      code: `@shared_task
def record_refunds(payload: dict):
    refunds = payload["data"]["object"]["refunds"]["data"]
    for refund in refunds:
        Refund.objects.create(amount=refund["amount"] / 100)
`,
      lines: [5],
    },
    {
      name: 'third-party API response indexed',
      code: `def latest_rate(currency):
    resp = requests.get(f"https://api.example.com/rates/{currency}", timeout=5)
    return resp.json()["rates"][0]
`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'DRF serializer validated_data',
      path: 'shop/views.py',
      code: `class CartView(APIView):
    def post(self, request):
        serializer = CartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        total = serializer.validated_data["quantity"] * serializer.validated_data["price"]
        return Response({"total": total})
`,
    },
    {
      name: 'pydantic body in FastAPI',
      code: `@router.post("/checkout")
def checkout(body: CheckoutIn):
    return create_intent(amount=body.amount * 100)
`,
    },
    {
      name: 'int() cast inside try',
      code: `def invoices(request):
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        return HttpResponseBadRequest("page must be a number")
    return paginate(Invoice.objects.all(), (page - 1) * 20)
`,
    },
    {
      name: 'arithmetic inside a try that catches KeyError/TypeError',
      code: `def stripe_webhook(request):
    event = json.loads(request.body)
    try:
        amount = event["data"]["object"]["amount"] / 100
    except (KeyError, TypeError):
        return HttpResponseBadRequest()
    return record(amount)
`,
    },
    {
      name: 'presence and type checked first',
      code: `@bp.route("/orders", methods=["POST"])
def create_order():
    data = request.get_json()
    if not isinstance(data.get("items"), list) or not data["items"]:
        abort(400)
    first = data["items"][0]
    return {"sku": first["sku"]}
`,
    },
    {
      name: 'Django form cleaned_data',
      code: `def transfer(request):
    form = TransferForm(request.POST)
    if form.is_valid():
        cents = form.cleaned_data["amount"] * 100
        Transfer.objects.create(cents=cents)
    return redirect("home")
`,
    },
    {
      name: '% formatting of a message is not arithmetic',
      code: `def sitemap(request):
    page = request.GET.get("p", 1)
    raise Http404("No page '%s'" % page)
`,
    },
    {
      name: 'string concatenation, not arithmetic',
      code: `def greet(request):
    return HttpResponse("Hello " + request.GET["name"])
`,
    },
    {
      name: 'local list, not a payload',
      code: `def first_admin(org):
    admins = list(org.members.filter(role="admin"))
    return admins[0]
`,
    },
  ],
});
