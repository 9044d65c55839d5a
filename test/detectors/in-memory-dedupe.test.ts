import { ruleTable } from '../support/rule-tester.js';

ruleTable('in-memory-dedupe', {
  language: 'ts',
  invalid: [
    {
      name: 'Express Stripe webhook with a module-level Set',
      path: 'src/routes/stripe-webhook.ts',
      code: `
import express from 'express';

const processedEvents = new Set<string>();
export const router = express.Router();

router.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature']!, secret);
  if (processedEvents.has(event.id)) return res.sendStatus(200);
  processedEvents.add(event.id);
  await fulfil(event);
  res.sendStatus(200);
});`,
      lines: [4],
      severity: 'P0',
      message: /`processedEvents` remembers what was already processed in this process's memory/,
    },
    {
      name: 'Next.js route handler remembering event ids',
      path: 'app/api/webhooks/clerk/route.ts',
      code: `
const seenEventIds = new Set<string>();

export async function POST(req: Request) {
  const evt = await verifyClerk(req);
  if (seenEventIds.has(evt.data.id)) return new Response(null, { status: 200 });
  seenEventIds.add(evt.data.id);
  await syncUser(evt.data);
  return new Response(null, { status: 204 });
}`,
      lines: [2],
    },
    {
      name: 'rate limiter Map in an Express app',
      code: `
const rateLimitStore = new Map<string, { count: number; resetAt: number }>();

app.use('/api', (req, res, next) => {
  const now = Date.now();
  const entry = rateLimitStore.get(req.ip) ?? { count: 0, resetAt: now + 60_000 };
  entry.count += 1;
  rateLimitStore.set(req.ip, entry);
  if (entry.count > 100) return res.status(429).end();
  next();
});`,
      lines: [2],
      message: /rate-limit counts/,
    },
    {
      name: 'NestJS controller field (a singleton)',
      path: 'src/payments/payments.controller.ts',
      code: `
@Controller('webhooks')
export class PaymentsWebhookController {
  private readonly processedWebhooks = new Set<string>();

  @Post('adyen')
  async handle(@Body() body: AdyenNotification) {
    const id = body.notificationItems[0].NotificationRequestItem.pspReference;
    if (this.processedWebhooks.has(id)) return '[accepted]';
    this.processedWebhooks.add(id);
    await this.payments.apply(body);
    return '[accepted]';
  }
}`,
      lines: [4],
    },
    {
      name: 'Fastify idempotency keys in an object',
      code: `
const idempotencyResponses: Record<string, unknown> = {};

fastify.post('/payments', async (request, reply) => {
  const key = request.headers['idempotency-key'] as string;
  if (idempotencyResponses[key]) return idempotencyResponses[key];
  const payment = await createPayment(request.body);
  idempotencyResponses[key] = payment;
  return payment;
});`,
      lines: [2],
    },
    {
      name: 'magic-link nonces (replay protection)',
      path: 'pages/api/auth/magic-link.ts',
      code: `
const usedNonces = new Set<string>();

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const { nonce, email } = verifyLink(req.query.token as string);
  if (usedNonces.has(nonce)) return res.status(401).json({ error: 'link already used' });
  usedNonces.add(nonce);
  res.json(await signIn(email));
}`,
      lines: [2],
      message: /can be replayed/,
    },
    {
      name: 'GitHub deliveries pushed to an array',
      path: 'src/webhooks/github.ts',
      code: `
const handledDeliveries: string[] = [];

export async function onPush(req: Request, res: Response) {
  const delivery = req.header('x-github-delivery')!;
  if (handledDeliveries.includes(delivery)) return res.status(202).end();
  handledDeliveries.push(delivery);
  await enqueueBuild(req.body);
  res.status(202).end();
}`,
      lines: [2],
    },
    {
      name: 'throttled logins in a Map',
      code: `
const throttledIps = new Map<string, number>();

app.post('/api/login', (req, res) => {
  const until = throttledIps.get(req.ip) ?? 0;
  if (until > Date.now()) return res.status(429).end();
  throttledIps.set(req.ip, Date.now() + 1_000);
  res.json(login(req.body));
});`,
      lines: [2],
      message: /rate-limit counts/,
    },
    {
      name: 'SQS consumer remembering message ids',
      path: 'src/functions/orders-consumer.ts',
      code: `
const consumedMessageIds = new Set<string>();

export const handler = async (event: SQSEvent) => {
  for (const record of event.Records) {
    if (consumedMessageIds.has(record.messageId)) continue;
    consumedMessageIds.add(record.messageId);
    await apply(JSON.parse(record.body));
  }
};`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'a memo cache of computed values',
      code: `
const planCache = new Map<string, Plan>();

app.get('/plans/:id', async (req, res) => {
  let plan = planCache.get(req.params.id);
  if (!plan) {
    plan = await loadPlan(req.params.id);
    planCache.set(req.params.id, plan);
  }
  res.json(plan);
});`,
    },
    {
      name: 'a backfill script',
      path: 'scripts/backfill-invoices.ts',
      code: `
const processed = new Set<string>();
for (const invoice of await prisma.invoice.findMany()) {
  if (processed.has(invoice.customerId)) continue;
  processed.add(invoice.customerId);
  await recompute(invoice.customerId);
}`,
    },
    {
      name: 'a constant set of event types',
      code: `
const handledEventTypes = new Set(['checkout.session.completed', 'invoice.paid']);

app.post('/webhooks/stripe', async (req, res) => {
  const event = verify(req);
  if (!handledEventTypes.has(event.type)) return res.sendStatus(200);
  await fulfil(event);
  res.sendStatus(200);
});`,
    },
    {
      name: 'dedupe within one request',
      code: `
app.post('/invites', async (req, res) => {
  const seen = new Set<string>();
  const emails = req.body.emails.filter((e: string) => (seen.has(e) ? false : (seen.add(e), true)));
  await Promise.all(emails.map(invite));
  res.status(202).end();
});`,
    },
    {
      name: 'in-memory fast path in front of Redis SET NX',
      code: `
const seenEventIds = new Set<string>();

app.post('/webhooks/stripe', async (req, res) => {
  const event = verify(req);
  if (seenEventIds.has(event.id)) return res.sendStatus(200);
  const first = await redis.set(\`stripe:evt:\${event.id}\`, '1', 'EX', 86_400, 'NX');
  if (!first) return res.sendStatus(200);
  seenEventIds.add(event.id);
  await fulfil(event);
  res.sendStatus(200);
});`,
    },
    {
      name: 'documented as a fast path in front of a unique constraint',
      path: 'app/api/webhooks/helloasso/route.ts',
      code: `
// Per-instance fast path only: the unique index on orders.external_id is the real guarantee.
const processedOrders = new Set<string>();

export async function POST(req: Request) {
  const { id } = await req.json();
  if (processedOrders.has(id)) return Response.json({ received: true });
  processedOrders.add(id);
  await db.insert(orders).values({ externalId: id }).onConflictDoNothing();
  return Response.json({ received: true });
}`,
    },
    {
      name: 'presence tracking (last seen), not dedupe',
      code: `
const lastSeen = new Map<string, number>();

app.post('/api/heartbeat', (req, res) => {
  lastSeen.set(req.user.id, Date.now());
  res.sendStatus(204);
});`,
    },
    {
      name: 'a React component',
      path: 'src/components/Toasts.tsx',
      code: `
import { useEffect } from 'react';
const seenToasts = new Set<string>();

export function Toasts({ items }: { items: Toast[] }) {
  useEffect(() => {
    for (const t of items) if (!seenToasts.has(t.id)) { seenToasts.add(t.id); show(t); }
  }, [items]);
  return null;
}`,
    },
  ],
});

ruleTable('in-memory-dedupe', {
  language: 'py',
  invalid: [
    {
      name: 'Django webhook view with a module-level set',
      path: 'billing/views.py',
      code: `
PROCESSED_EVENTS = set()

@csrf_exempt
def stripe_webhook(request):
    event = stripe.Webhook.construct_event(request.body, request.META["HTTP_STRIPE_SIGNATURE"], settings.STRIPE_WEBHOOK_SECRET)
    if event["id"] in PROCESSED_EVENTS:
        return HttpResponse(status=200)
    PROCESSED_EVENTS.add(event["id"])
    fulfil(event)
    return HttpResponse(status=200)
`,
      lines: [2],
      severity: 'P0',
    },
    {
      name: 'FastAPI router with a typed set',
      path: 'app/routers/webhooks.py',
      code: `
router = APIRouter()
processed_event_ids: set[str] = set()

@router.post("/webhooks/github")
async def github_webhook(request: Request):
    delivery = request.headers["x-github-delivery"]
    if delivery in processed_event_ids:
        return {"ok": True}
    processed_event_ids.add(delivery)
    await handle(await request.json())
    return {"ok": True}
`,
      lines: [3],
    },
    {
      name: 'Flask rate limiting with a defaultdict',
      code: `
rate_limit_hits = defaultdict(list)

@app.route("/api/login", methods=["POST"])
def login():
    now = time.time()
    hits = [t for t in rate_limit_hits[request.remote_addr] if now - t < 60]
    if len(hits) >= 5:
        abort(429)
    rate_limit_hits[request.remote_addr].append(now)
    return do_login(request.form)
`,
      lines: [2],
      message: /rate-limit counts/,
    },
    {
      name: 'DRF view class attribute holding idempotency keys',
      path: 'payments/api.py',
      code: `
class CreatePaymentView(APIView):
    idempotency_responses = {}

    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if key in self.idempotency_responses:
            return Response(self.idempotency_responses[key])
        payment = create_payment(request.data)
        self.idempotency_responses[key] = PaymentSerializer(payment).data
        return Response(self.idempotency_responses[key], status=201)
`,
      lines: [3],
    },
    {
      name: 'password reset tokens remembered in memory',
      path: 'accounts/views.py',
      code: `
used_tokens = set()

def reset_password(request, token):
    if token in used_tokens:
        return HttpResponseBadRequest("link already used")
    user = verify_reset_token(token)
    used_tokens.add(token)
    user.set_password(request.POST["password"])
    user.save()
    return redirect("login")
`,
      lines: [2],
      message: /can be replayed/,
    },
    {
      name: 'webhook nonces in a TTLCache',
      path: 'api/webhooks.py',
      code: `
_nonces = TTLCache(maxsize=10_000, ttl=300)

@app.post("/webhooks/partner")
async def partner_webhook(request: Request):
    nonce = request.headers["X-Nonce"]
    if nonce in _nonces:
        raise HTTPException(status_code=409)
    _nonces[nonce] = True
    return await handle(request)
`,
      lines: [2],
    },
    {
      name: 'refresh-token jtis remembered in memory',
      code: `
spent_jtis = set()

@app.post("/auth/refresh")
def refresh(body: RefreshIn):
    claims = jwt.decode(body.token, SECRET, algorithms=["HS256"])
    if claims["jti"] in spent_jtis:
        raise HTTPException(status_code=401)
    spent_jtis.add(claims["jti"])
    return issue_tokens(claims["sub"])
`,
      lines: [2],
      message: /replayed/,
    },
    {
      name: 'SNS deliveries remembered in a Django view module',
      path: 'notifications/views.py',
      code: `
delivered_message_ids = set()

@csrf_exempt
def sns_endpoint(request):
    message = json.loads(request.body)
    if message["MessageId"] in delivered_message_ids:
        return HttpResponse(status=200)
    delivered_message_ids.add(message["MessageId"])
    dispatch(message)
    return HttpResponse(status=200)
`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'a memo cache',
      path: 'app/views.py',
      code: `
_plan_cache = {}

def plan_detail(request, plan_id):
    if plan_id not in _plan_cache:
        _plan_cache[plan_id] = Plan.objects.get(pk=plan_id)
    return JsonResponse(model_to_dict(_plan_cache[plan_id]))
`,
    },
    {
      name: 'a Django management command',
      path: 'billing/management/commands/backfill.py',
      code: `
processed = set()

class Command(BaseCommand):
    def handle(self, *args, **options):
        for invoice in Invoice.objects.iterator():
            if invoice.customer_id in processed:
                continue
            processed.add(invoice.customer_id)
            recompute(invoice.customer_id)
`,
    },
    {
      name: 'a constant set of handled event types',
      path: 'billing/views.py',
      code: `
HANDLED_EVENT_TYPES = {"checkout.session.completed", "invoice.paid"}

def stripe_webhook(request):
    event = verify(request)
    if event["type"] not in HANDLED_EVENT_TYPES:
        return HttpResponse(status=200)
    fulfil(event)
    return HttpResponse(status=200)
`,
    },
    {
      name: 'dedupe within one request',
      path: 'app/views.py',
      code: `
def invite(request):
    seen = set()
    for email in request.POST.getlist("emails"):
        if email in seen:
            continue
        seen.add(email)
        send_invite(email)
    return HttpResponse(status=202)
`,
    },
    {
      name: 'in-memory fast path in front of cache.add',
      path: 'billing/views.py',
      code: `
_seen_events = set()

def stripe_webhook(request):
    event = verify(request)
    if event["id"] in _seen_events:
        return HttpResponse(status=200)
    if not cache.add(f"stripe:evt:{event['id']}", 1, timeout=86400):
        return HttpResponse(status=200)
    _seen_events.add(event["id"])
    fulfil(event)
    return HttpResponse(status=200)
`,
    },
    {
      name: 'a Celery task module (not request handling)',
      path: 'billing/tasks.py',
      code: `
processed_invoices = set()

@shared_task
def render_invoice(invoice_id):
    if invoice_id in processed_invoices:
        return
    processed_invoices.add(invoice_id)
    render(invoice_id)
`,
    },
  ],
});
