import { ruleTable } from '../support/rule-tester.js';

ruleTable('sensitive-payload-stored', {
  language: 'ts',
  invalid: [
    {
      name: 'Stripe event stored whole in a Prisma JSON column',
      code: `router.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature']!, secret);
  await prisma.webhookEvent.create({ data: { id: event.id, type: event.type, payload: event as any } });
  res.json({ received: true });
});`,
      lines: [3],
      message: /`event` is stored whole/,
      severity: 'P2',
    },
    {
      name: 'Express: request body as the row',
      code: `app.post('/leads', async (req, res) => {
  const lead = await prisma.lead.create({ data: req.body });
  res.status(201).json(lead);
});`,
      lines: [2],
    },
    {
      name: 'Clerk user object kept in upsert create and update',
      code: `export async function POST(req: Request) {
  const evt = wh.verify(await req.text(), svixHeaders(req)) as WebhookEvent;
  await prisma.user.upsert({
    where: { clerkId: evt.data.id },
    create: { clerkId: evt.data.id, raw: evt.data },
    update: { raw: evt.data },
  });
  return new Response('ok');
}`,
      lines: [5, 6],
    },
    {
      name: 'Knex insert of a stringified body',
      code: `app.post('/webhooks/github', async (req, res) => {
  await knex('webhook_events').insert({ provider: 'github', payload: JSON.stringify(req.body) });
  res.sendStatus(202);
});`,
      lines: [2],
    },
    {
      name: 'pg INSERT with the event as a parameter',
      code: `export async function storeEvent(event: Stripe.Event) {
  await pool.query('INSERT INTO stripe_events (id, type, body) VALUES ($1, $2, $3)', [event.id, event.type, JSON.stringify(event)]);
}`,
      lines: [2],
    },
    {
      name: 'Next.js route: parsed body into a Drizzle insert',
      path: 'app/api/forms/route.ts',
      code: `export async function POST(req: Request) {
  const body = await req.json();
  await db.insert(formSubmissions).values({ formId: body.formId, data: body });
  return Response.json({ ok: true });
}`,
      lines: [3],
    },
    {
      name: 'Mongoose document built from the body and saved',
      code: `app.post('/webhooks/shopify', async (req, res) => {
  await new WebhookLog({ source: 'shopify', body: req.body }).save();
  res.sendStatus(200);
});`,
      lines: [2],
    },
    {
      name: 'Mongoose document in a $-named variable, saved later',
      code: `app.post('/webhooks/shopify', async (req, res) => {
  const $log = new WebhookLog({ source: 'shopify', body: req.body });
  await $log.save();
  res.sendStatus(200);
});`,
      lines: [2],
    },
    {
      name: 'TypeORM entity created from an untyped payload',
      code: `@Injectable()
export class EventsService {
  async record(payload: any) {
    const entity = this.eventsRepository.create({ kind: 'inbound', payload });
    await this.eventsRepository.save(entity);
  }
}`,
      lines: [4],
    },
    // Each case below holds one word of the rule's gate and no other, so the gate is checked for it.
    {
      name: 'gate word "unwrap": OpenAI webhook unwrapped and stored',
      code: `export async function handleOpenAIWebhook(raw: string, headers: Headers) {
  const e = await openai.webhooks.unwrap(raw, headers);
  await prisma.openaiWebhook.create({ data: { id: e.id, raw: e } });
}`,
      lines: [3],
    },
    {
      name: 'gate word "notification": untyped notification parameter stored',
      code: `export async function onNotification(notification: any) {
  await prisma.inboundLog.create({ data: { source: 'sns', raw: notification } });
}`,
      lines: [2],
    },
    {
      name: 'gate word "verify": svix message stored',
      code: `export async function svixHandler(raw: string, headers: Record<string, string>) {
  const msg = wh.verify(raw, headers);
  await prisma.svixMessage.create({ data: { raw: msg } });
}`,
      lines: [3],
    },
    {
      name: 'gate word "json": JSON.parse(raw) stored',
      code: `export async function saveRaw(raw: string) {
  const data = JSON.parse(raw);
  await prisma.inboundLog.create({ data: { raw: data } });
}`,
      lines: [3],
    },
    {
      name: 'gate word "event": constructEvent result stored',
      code: `export function record(buf: Buffer, sig: string) {
  const e = stripe.webhooks.constructEvent(buf, sig, secret);
  return prisma.stripeLog.create({ data: { raw: e } });
}`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'only the fields used (and the id)',
      code: `const event = stripe.webhooks.constructEvent(req.body, sig, secret);
await prisma.webhookEvent.create({ data: { id: event.id, type: event.type, customerId: String(event.data.object.customer) } });`,
    },
    {
      name: 'allow-listed with pick',
      code: `const event = stripe.webhooks.constructEvent(req.body, sig, secret);
await prisma.webhookEvent.create({ data: { id: event.id, payload: pick(event.data.object, ['id', 'status', 'amount']) } });`,
    },
    {
      name: 'validated with zod first',
      code: `app.post('/leads', async (req, res) => {
  const input = CreateLead.parse(req.body);
  res.status(201).json(await prisma.lead.create({ data: input }));
});`,
    },
    {
      name: 'NestJS DTO body',
      code: `@Post()
create(@Body() body: CreateLeadDto) {
  return this.leadsRepository.save(body);
}`,
    },
    {
      name: 'body logged, not stored',
      code: `app.post('/webhooks/github', (req, res) => {
  logger.debug({ body: req.body }, 'github webhook');
  res.sendStatus(202);
});`,
    },
    {
      name: 'body handed to a queue',
      code: `app.post('/webhooks/github', async (req, res) => {
  await queue.add('github-event', req.body, { removeOnComplete: true });
  res.sendStatus(202);
});`,
    },
    {
      name: 'payload built by the app itself',
      code: `export async function audit(userId: string) {
  const payload = { userId, action: 'login', at: new Date().toISOString() };
  await prisma.auditLog.create({ data: { payload } });
}`,
    },
    {
      name: "a service's own untyped payload argument (not webhook code)",
      path: 'src/services/idempotency-key.js',
      code: `class IdempotencyKeyService {
  async create(payload) {
    const created = this.idempotencyKeyRepository.create(payload);
    return this.idempotencyKeyRepository.save(created);
  }
}`,
    },
    {
      name: 'an event name stored under a *_name key',
      code: `async function send(event, data, providerId) {
  const created = notificationRepository.create({ event_name: event, data, provider_id: providerId });
  await notificationRepository.save(created);
}`,
    },
    {
      name: 'cache, not a table',
      code: `app.post('/preview', async (req, res) => {
  await redis.set(\`preview:\${req.id}\`, JSON.stringify(req.body), 'EX', 60);
  res.sendStatus(204);
});`,
    },
  ],
});

ruleTable('sensitive-payload-stored', {
  language: 'py',
  invalid: [
    {
      name: 'DRF: request.data into a model',
      code: `@api_view(["POST"])
def github_webhook(request):
    WebhookEvent.objects.create(source="github", payload=request.data)
    return Response(status=202)`,
      lines: [3],
    },
    {
      name: 'Django: json.loads(request.body)',
      code: `@csrf_exempt
def hook(request):
    event = json.loads(request.body)
    WebhookEvent.objects.create(kind=event.get("type"), payload=event)
    return HttpResponse(status=200)`,
      lines: [4],
    },
    {
      name: 'Stripe object in update_or_create defaults',
      code: `def stripe_webhook(request):
    event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], settings.STRIPE_WEBHOOK_SECRET)
    StripeCustomer.objects.update_or_create(stripe_id=event["data"]["object"]["id"], defaults={"data": event["data"]["object"]})
    return HttpResponse(status=200)`,
      lines: [3],
    },
    {
      name: 'FastAPI + SQLAlchemy: await request.json() added to the session',
      code: `@router.post("/webhooks/resend")
async def resend_webhook(request: Request, session: AsyncSession = Depends(get_session)):
    payload = await request.json()
    session.add(WebhookDelivery(provider="resend", body=payload))
    await session.commit()`,
      lines: [4],
    },
    {
      name: 'Flask: json.dumps(request.get_json())',
      code: `@bp.post("/forms")
def submit():
    db.session.add(FormSubmission(data=json.dumps(request.get_json())))
    db.session.commit()
    return "", 204`,
      lines: [3],
    },
    {
      name: 'mass assignment with **request.data',
      code: `def create_lead(request):
    lead = Lead.objects.create(**request.data)
    return JsonResponse({"id": lead.id})`,
      lines: [2],
    },
    {
      name: 'SQLAlchemy core insert of an untyped event',
      code: `async def record(session, event: dict):
    await session.execute(insert(events_table).values(kind=event["type"], body=event))`,
      lines: [2],
    },
    {
      name: 'psycopg INSERT with the parsed body',
      code: `@app.post("/hooks")
def hooks():
    payload = request.get_json()
    with conn.cursor() as cur:
        cur.execute("INSERT INTO webhook_events (body) VALUES (%s)", (json.dumps(payload),))`,
      lines: [5],
    },
    // Each case below holds one word of the rule's gate and no other.
    {
      name: 'gate word "request": request.data into a model',
      code: `def create_lead(request):
    Lead.objects.create(source="form", raw=request.data)
    return HttpResponse(status=201)`,
      lines: [2],
    },
    {
      name: 'gate word "payload": untyped payload parameter stored',
      code: `def store(payload: dict):
    InboundLog.objects.create(source="sns", raw=payload)`,
      lines: [2],
    },
    {
      name: 'gate word "evt": untyped evt parameter stored',
      code: `def on_hook(evt: dict):
    HookLog.objects.create(raw=evt)`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'explicit fields only',
      code: `def stripe_webhook(request):
    event = stripe.Webhook.construct_event(request.body, sig, secret)
    WebhookEvent.objects.create(stripe_id=event["id"], type=event["type"])`,
    },
    {
      name: 'serializer.validated_data',
      code: `def create(self, request):
    serializer = LeadSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    Lead.objects.create(**serializer.validated_data)`,
    },
    {
      name: 'pydantic model dumped',
      code: `@router.post("/leads")
def create_lead(payload: LeadIn, session: Session = Depends(get_session)):
    session.add(Lead(**payload.model_dump()))
    session.commit()`,
    },
    {
      name: 'allow-listed dict',
      code: `def hook(request):
    payload = json.loads(request.body)
    WebhookEvent.objects.create(payload={k: payload[k] for k in ALLOWED_KEYS if k in payload})`,
    },
    {
      name: 'logged, not stored',
      code: `def hook(request):
    logger.info("webhook %s", request.data)
    return HttpResponse(status=200)`,
    },
    {
      name: 'handed to Celery',
      code: `def hook(request):
    process_event.delay(request.data)
    return HttpResponse(status=202)`,
    },
    {
      name: 'response model, not a table',
      code: `@router.post("/echo")
async def echo(request: Request):
    payload = await request.json()
    return EchoOut(payload=payload)`,
    },
  ],
});
