import { ruleTable } from '../support/rule-tester.js';

ruleTable('gdpr-delete-unimplemented', {
  language: 'ts',
  invalid: [
    {
      name: 'Clerk webhook (svix): user.deleted case only logs',
      path: 'app/api/webhooks/clerk/route.ts',
      code: `export async function POST(req: Request) {
  const evt = wh.verify(await req.text(), headersOf(req)) as WebhookEvent;
  switch (evt.type) {
    case 'user.created':
      await prisma.user.create({ data: { clerkId: evt.data.id, email: primaryEmail(evt.data) } });
      break;
    case 'user.deleted':
      console.log('user deleted', evt.data.id);
      break;
  }
  return new Response('ok');
}`,
      lines: [7],
      message: /only logs/,
      severity: 'P0',
    },
    {
      name: 'Stripe: customer.deleted branch holds a TODO',
      code: `router.post('/webhooks/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature']!, secret);
  if (event.type === 'customer.deleted') {
    // TODO: remove the customer's billing data
    return res.json({ received: true });
  }
  await handleBilling(event);
  res.json({ received: true });
});`,
      lines: [3],
      message: /TODO/,
    },
    {
      name: 'emitter.on with an empty arrow',
      code: `events.on('account.deleted', async (payload: AccountDeleted) => {
  logger.info({ accountId: payload.id }, 'account deleted');
});`,
      lines: [1],
    },
    {
      name: 'named handler that throws not implemented',
      code: `export async function handleUserDeleted(event: UserDeletedEvent): Promise<void> {
  throw new Error('Not implemented');
}`,
      lines: [1],
    },
    {
      name: 'handler map entry returning early',
      code: `const handlers: Record<string, (e: ClerkEvent) => Promise<unknown>> = {
  'user.updated': (e) => syncUser(e.data),
  'user.deleted': async () => {
    return;
  },
};`,
      lines: [3],
      message: /only returns/,
    },
    {
      name: 'fall-through case into a logging case',
      code: `switch (event.type) {
  case 'member.removed':
  case 'member.deleted':
    this.logger.warn(\`member gone: \${event.data.id}\`);
    break;
  default:
    await this.sync(event);
}`,
      lines: [2, 3],
    },
    {
      name: 'Inngest function for clerk/user.deleted',
      code: `export const userDeleted = inngest.createFunction(
  { id: 'user-deleted' },
  { event: 'clerk/user.deleted' },
  async ({ event }) => {
    console.info('deleted', event.data.id);
  },
);`,
      lines: [3],
    },
    {
      name: 'Shopify customers/redact GDPR webhook answered 200 only',
      code: `app.post('/webhooks/customers/redact', verifyShopify, (req, res) => {
  if (req.get('X-Shopify-Topic') === 'customers/redact') {
    res.sendStatus(200);
  }
});`,
      lines: [2],
    },
    // Each case below names the deletion with one word of the rule's gate and no other.
    {
      name: 'gate word "removed": member.removed listener only logs',
      code: `emitter.on('member.removed', async (evt) => {
  logger.info('member gone', evt.id);
});`,
      lines: [1],
      message: /only logs/,
    },
    {
      name: 'gate word "erasure": erasure request answered with 200',
      code: `export function onMailingEvent(event: MailingEvent, res: Response) {
  if (event.type === 'subscriber.erasure_requested') {
    return res.sendStatus(200);
  }
  return syncSubscriber(event, res);
}`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'deletes the user in a transaction',
      code: `switch (evt.type) {
  case 'user.deleted':
    await prisma.$transaction([
      prisma.session.deleteMany({ where: { userId: evt.data.id } }),
      prisma.user.delete({ where: { clerkId: evt.data.id } }),
    ]);
    break;
}`,
    },
    {
      name: 'anonymises the customer',
      code: `if (event.type === 'customer.deleted') {
  await db('customers').where({ stripe_id: event.data.object.id }).update({ email: null, name: 'deleted' });
}`,
    },
    {
      name: 'enqueues a deletion job',
      code: `events.on('account.deleted', async (payload) => {
  logger.info({ accountId: payload.id }, 'scheduling erasure');
  await erasureQueue.add('erase-account', { accountId: payload.id }, { jobId: payload.id });
});`,
    },
    {
      name: 'delegates to a service',
      code: `export async function handleUserDeleted(event: UserDeletedEvent) {
  await usersService.eraseByExternalId(event.data.id);
}`,
    },
    {
      name: 'a no-op that explains why',
      code: `switch (evt.type) {
  case 'user.deleted':
    // We store nothing about users outside Clerk; sessions expire on their own.
    break;
}`,
    },
    {
      name: 'other events that only log',
      code: `switch (event.type) {
  case 'customer.subscription.deleted':
    console.log('subscription ended');
    break;
  case 'user.updated':
    console.log('updated');
    break;
}`,
    },
    {
      name: 'comparing against the event with !==',
      code: `if (evt.type !== 'user.deleted') {
  return new Response('ignored');
}
await removeUser(evt.data.id);`,
    },
    {
      name: 'a deletion util, not a handler name',
      code: `export function userDeletedMessage(name: string) {
  return \`\${name} was deleted\`;
}`,
    },
  ],
});

ruleTable('gdpr-delete-unimplemented', {
  language: 'py',
  invalid: [
    {
      name: 'def handle_user_deleted only logs',
      code: `def handle_user_deleted(event: dict) -> None:
    logger.info("user deleted: %s", event["data"]["id"])`,
      lines: [1],
    },
    {
      name: 'Stripe webhook view: customer.deleted branch is pass with a TODO',
      path: 'billing/views.py',
      code: `@csrf_exempt
def stripe_webhook(request):
    event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], settings.STRIPE_WEBHOOK_SECRET)
    if event["type"] == "invoice.paid":
        mark_paid(event["data"]["object"])
    elif event["type"] == "customer.deleted":
        # TODO: delete customer data
        pass
    return HttpResponse(status=200)`,
      lines: [6],
    },
    {
      name: 'match/case on the event type returning a response',
      code: `async def clerk_webhook(request: Request):
    event = await verified_event(request)
    match event["type"]:
        case "user.created":
            await create_user(event["data"])
        case "user.deleted":
            return {"ok": True}
    return {"ok": True}`,
      lines: [6],
    },
    {
      name: 'Celery task handler with a docstring TODO',
      code: `@shared_task
def on_account_deleted(account_id: int) -> None:
    """TODO: erase the account's documents and audit trail."""`,
      lines: [2],
    },
    {
      name: 'raise NotImplementedError',
      code: `class ClerkEvents:
    def handle_user_deleted(self, payload):
        raise NotImplementedError`,
      lines: [2],
    },
    {
      name: 'event type in a tuple',
      code: `def dispatch(event):
    if event.type in ("user.deleted", "user.removed"):
        print("user gone", event.data.id)
        return
    sync_user(event.data)`,
      lines: [2],
    },
    // Each case below names the deletion with one word of the rule's gate and no other.
    {
      name: 'gate word "destroyed": handler name, only logs',
      code: `def on_account_destroyed(event):
    logger.info("account gone: %s", event["id"])`,
      lines: [1],
      message: /only logs/,
    },
    {
      name: 'gate word "erased": empty branch',
      code: `def handle(event):
    if event["type"] == "contact.erased":
        pass
    sync_contact(event)`,
      lines: [2],
    },
    {
      // The condition's text never spells the word: the rule must not skip it on that ground.
      name: 'event type split across adjacent literals',
      code: `# handles deleted users
def handle(event):
    if event["type"] == "user.del" "eted":
        pass
    sync_user(event)`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'deletes the user',
      code: `def handle_user_deleted(event: dict) -> None:
    User.objects.filter(clerk_id=event["data"]["id"]).delete()`,
    },
    {
      name: 'anonymises in a transaction',
      code: `def stripe_webhook(request):
    event = construct(request)
    if event["type"] == "customer.deleted":
        with transaction.atomic():
            Customer.objects.filter(stripe_id=event["data"]["object"]["id"]).update(email=None, name="")
    return HttpResponse(status=200)`,
    },
    {
      name: 'enqueues the erasure',
      code: `def on_account_deleted(account_id: int) -> None:
    logger.info("erasing %s", account_id)
    erase_account.delay(account_id)`,
    },
    {
      name: 'post_delete signal receiver (the row is already gone)',
      code: `@receiver(post_delete, sender=User)
def on_user_deleted(sender, instance, **kwargs):
    logger.info("user %s deleted", instance.pk)`,
    },
    {
      name: 'explained no-op',
      code: `match event["type"]:
    case "user.deleted":
        # Users live only in Clerk; we keep no personal data for them.
        pass`,
    },
    {
      name: 'subscription deleted only logs (not a person)',
      code: `if event["type"] == "customer.subscription.deleted":
    logger.info("subscription ended")`,
    },
    {
      name: 'a helper with a similar name',
      code: `def user_deleted_count(since):
    return User.objects.filter(deleted_at__gte=since).count()`,
    },
  ],
});
