import { ruleTable } from '../support/rule-tester.js';

ruleTable('webhook-signature-missing', {
  language: 'ts',
  invalid: [
    {
      name: 'Next.js route, a receiver by its path alone: requiresUnlessPath lets the file in',
      path: 'app/api/webhooks/stripe/route.ts',
      code: `export async function POST(req: Request) {
  const event = parse(await req.text());
  await fulfil(event);
  return new Response(null, { status: 204 });
}
`,
      lines: [2],
    },
    {
      name: 'Express Stripe webhook trusting req.body',
      path: 'src/routes/billing.ts',
      code: `import { Router } from 'express';
const router = Router();

router.post('/webhooks/stripe', express.json(), async (req, res) => {
  const event = req.body;
  if (event.type === 'checkout.session.completed') {
    await prisma.org.update({ where: { stripeCustomerId: event.data.object.customer }, data: { plan: 'pro' } });
  }
  res.sendStatus(200);
});
`,
      lines: [5],
      message: /`\/webhooks\/stripe`\) acts on `req.body`/,
    },
    {
      name: 'Next.js app router route handler',
      path: 'app/api/webhooks/clerk/route.ts',
      code: `import { NextResponse } from 'next/server';

export async function POST(req: Request) {
  const evt = await req.json();
  if (evt.type === 'user.deleted') await db.user.delete({ where: { clerkId: evt.data.id } });
  return NextResponse.json({ ok: true });
}
`,
      lines: [4],
    },
    {
      name: 'Fastify route with a named handler',
      path: 'src/server.ts',
      code: `async function handleGithub(request, reply) {
  const payload = request.body as any;
  if (payload.action === 'created') await installations.add(payload.installation.id);
  return reply.send({ ok: true });
}

fastify.post('/github/webhook', handleGithub);
`,
      lines: [2],
    },
    {
      name: 'Stripe event handler on a route not named webhook',
      path: 'src/routes/payments.ts',
      code: `app.post('/api/payments/events', async (req, res) => {
  switch (req.body.type) {
    case 'invoice.payment_failed':
      await markPastDue(req.body.data.object.customer);
      break;
  }
  res.json({ received: true });
});
`,
      lines: [2],
    },
    {
      name: 'NestJS controller',
      path: 'src/billing/webhooks.controller.ts',
      code: `@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly billing: BillingService) {}

  @Post('paddle')
  async handle(@Body() event: PaddleEvent) {
    await this.billing.apply(event);
    return { ok: true };
  }
}
`,
      lines: [6],
    },
    {
      name: 'pages/api webhook',
      path: 'pages/api/webhooks/lemonsqueezy.ts',
      code: `export default async function handler(req, res) {
  const payload = req.body;
  if (payload.meta.event_name === 'order_created') await grantLicense(payload.data);
  res.status(200).end();
}
`,
      lines: [2],
    },
    {
      // The gate: no word of the rule's in the text; "Webhooks" in the path (any case) lets it in.
      name: 'pages/api receiver named by its path alone',
      path: 'pages/api/Webhooks/paddle.ts',
      code: `export default async function handler(req, res) {
  await apply(req.body);
  res.status(200).end();
}
`,
      lines: [2],
    },
    {
      name: 'a TODO comment is not a verification',
      path: 'src/routes/hooks.ts',
      code: `// TODO: verify the Stripe signature
router.post('/stripe-webhook', async (req, res) => {
  const event = req.body;
  await handleStripeEvent(event);
  res.sendStatus(200);
});
`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'Stripe constructEvent',
      path: 'src/routes/billing.ts',
      code: `router.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature']!, process.env.STRIPE_WEBHOOK_SECRET!);
  if (event.type === 'checkout.session.completed') await activate(event.data.object);
  res.sendStatus(200);
});
`,
    },
    {
      name: 'svix Webhook.verify in a Next.js route',
      path: 'app/api/webhooks/clerk/route.ts',
      code: `import { Webhook } from 'svix';
export async function POST(req: Request) {
  const body = await req.text();
  const evt = new Webhook(process.env.CLERK_WEBHOOK_SECRET!).verify(body, Object.fromEntries(req.headers));
  return Response.json({ ok: true });
}
`,
    },
    {
      name: 'HMAC + timingSafeEqual in a helper of the same file',
      path: 'src/routes/github.ts',
      code: `function isValid(raw: Buffer, header: string) {
  const digest = 'sha256=' + createHmac('sha256', process.env.GH_SECRET!).update(raw).digest('hex');
  return timingSafeEqual(Buffer.from(digest), Buffer.from(header));
}
router.post('/webhooks/github', async (req, res) => {
  if (!isValid(req.rawBody, req.get('x-hub-signature-256') ?? '')) return res.sendStatus(401);
  const event = req.body;
  await sync(event);
  res.sendStatus(204);
});
`,
    },
    {
      name: '@octokit/webhooks verifies for us',
      path: 'src/github/app.ts',
      code: `import { Webhooks, createNodeMiddleware } from '@octokit/webhooks';
const webhooks = new Webhooks({ secret: process.env.WEBHOOK_SECRET! });
webhooks.on('issues.opened', async ({ payload }) => { await triage(payload); });
app.post('/api/github/webhooks', async (req, res) => { await handle(req.body); res.end(); });
`,
    },
    {
      name: 'signature middleware on the route',
      path: 'src/routes/hooks.ts',
      code: "router.post('/webhooks/shopify', verifyShopifyHmac, async (req, res) => {\n  const event = req.body;\n  await orders.import(event);\n  res.sendStatus(200);\n});\n",
    },
    {
      name: 'webhook subscription management behind auth',
      path: 'src/routes/settings.ts',
      code: "router.post('/webhooks', requireAuth, async (req, res) => {\n  const hook = await prisma.webhook.create({ data: { url: req.body.url, orgId: req.user.orgId } });\n  res.status(201).json(hook);\n});\n",
    },
    {
      name: 'sending a webhook is not receiving one',
      path: 'src/jobs/notify.ts',
      code: "export async function notify(event: AppEvent) {\n  await axios.post(event.webhookUrl, { type: event.type, data: event.data });\n}\n",
    },
    {
      name: 'an internal route that checks a bearer token',
      path: 'src/routes/internal.ts',
      code: "router.post('/internal/webhooks/replay', async (req, res) => {\n  if (req.headers.authorization !== `Bearer ${process.env.INTERNAL_TOKEN}`) return res.sendStatus(401);\n  const event = req.body;\n  await replay(event);\n  res.sendStatus(202);\n});\n",
    },
  ],
});

ruleTable('webhook-signature-missing', {
  language: 'py',
  invalid: [
    {
      name: 'FastAPI Stripe webhook reading request.json()',
      path: 'app/api/webhooks.py',
      code: `@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, db: AsyncSession = Depends(get_db)):
    event = await request.json()
    if event["type"] == "checkout.session.completed":
        await activate_plan(db, event["data"]["object"]["customer"])
    return {"received": True}
`,
      lines: [3],
    },
    {
      name: 'FastAPI typed payload',
      path: 'app/api/clerk.py',
      code: `@app.post("/clerk/webhook")
async def clerk_webhook(event: ClerkEvent):
    if event.type == "user.deleted":
        await users.delete(event.data.id)
    return {"ok": True}
`,
      lines: [2],
    },
    {
      name: 'GitHub installation event on a route not named webhook: only \'"installation"\' lets the file in',
      path: 'app/routes/gh.py',
      code: `@app.post("/gh/events")
def on_github_event():
    payload = request.form
    if payload.get("action") == "installation":
        Installation.create(payload)
    return "", 204
`,
      lines: [3],
    },
    {
      name: 'Flask route with get_json',
      path: 'app/routes/hooks.py',
      code: `@bp.route("/webhooks/paddle", methods=["POST"])
def paddle_webhook():
    payload = request.get_json()
    Subscription.query.filter_by(paddle_id=payload["subscription_id"]).update({"status": payload["status"]})
    db.session.commit()
    return "", 204
`,
      lines: [3],
    },
    {
      name: 'Django function view',
      path: 'billing/views.py',
      code: `@csrf_exempt
@require_POST
def stripe_webhook(request):
    event = json.loads(request.body)
    if event["type"] == "invoice.paid":
        Invoice.objects.filter(stripe_id=event["data"]["object"]["id"]).update(paid=True)
    return HttpResponse(status=200)
`,
      lines: [4],
    },
    {
      name: 'DRF webhook view',
      path: 'integrations/views.py',
      code: `class GithubWebhookView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        event = request.data
        Repository.objects.filter(github_id=event["repository"]["id"]).update(pushed_at=now())
        return Response(status=204)
`,
      lines: [5],
    },
    {
      name: 'Flask post shortcut with request.json',
      path: 'app/webhooks.py',
      code: `@app.post("/webhook/twilio")
def twilio_webhook():
    event = request.json
    Message.create(sid=event["MessageSid"], body=event["Body"])
    return "", 200
`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'Stripe construct_event',
      path: 'app/api/webhooks.py',
      code: `@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, stripe_signature: str = Header(None)):
    payload = await request.body()
    event = stripe.Webhook.construct_event(payload, stripe_signature, settings.STRIPE_WEBHOOK_SECRET)
    await handle(event)
    return {"ok": True}
`,
    },
    {
      name: 'HMAC with compare_digest',
      path: 'integrations/views.py',
      code: `@csrf_exempt
def github_webhook(request):
    expected = "sha256=" + hmac.new(SECRET, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers["X-Hub-Signature-256"]):
        return HttpResponseForbidden()
    event = json.loads(request.body)
    return HttpResponse()
`,
    },
    {
      name: 'svix verify',
      path: 'app/api/clerk.py',
      code: `@app.post("/webhooks/clerk")
async def clerk(request: Request):
    body = await request.body()
    evt = Webhook(settings.CLERK_SECRET).verify(body, dict(request.headers))
    return {"ok": True}
`,
    },
    {
      name: 'authenticated endpoint managing webhooks',
      path: 'app/api/settings.py',
      code: `@router.post("/webhooks")
async def create_webhook(body: WebhookIn, user: User = Depends(get_current_user)):
    return await webhooks.create(org_id=user.org_id, url=body.url)
`,
    },
    {
      name: 'a GET route named webhook',
      path: 'app/routes/hooks.py',
      code: `@bp.route("/webhooks/stripe")
def stripe_webhook_status():
    return {"status": "ok", "last": request.args.get("since")}
`,
    },
    {
      name: 'a Celery task handling an already verified event',
      path: 'billing/tasks.py',
      code: `@shared_task
def process_stripe_event(event_id):
    event = StripeEvent.objects.get(id=event_id)
    apply(event.payload)
`,
    },
    {
      name: 'an internal route with an API key dependency',
      path: 'app/api/internal.py',
      code: `@router.post("/internal/webhook-replay")
async def replay(payload: ReplayPayload, _: None = Depends(verify_internal_key)):
    await bus.publish(payload.event)
`,
    },
  ],
});
