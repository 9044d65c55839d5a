import { ruleTable } from '../support/rule-tester.js';

ruleTable('external-call-in-transaction', {
  language: 'ts',
  invalid: [
    {
      // Nothing but `.tx` names the transaction here: the case covers that requires word.
      name: 'pg-promise db.tx posting to a webhook',
      code: `
export async function settle(id: string) {
  await db.tx(async (t) => {
    await t.none('UPDATE payouts SET state = $1 WHERE id = $2', ['settled', id]);
    await axios.post(process.env.LEDGER_URL!, { id });
  });
}`,
      lines: [5],
      message: /HTTP request made inside `db\.tx\(…\)`/,
    },
    {
      name: 'Prisma interactive transaction charging with Stripe',
      code: `
export async function placeOrder(userId: string, cart: Cart) {
  return prisma.$transaction(async (tx) => {
    const order = await tx.order.create({ data: { userId, total: cart.total } });
    await stripe.paymentIntents.create({ amount: order.total, currency: 'eur', customer: cart.customerId });
    return order;
  });
}`,
      lines: [5],
      message: /stripe\.paymentIntents\.create\(…\)` is a Stripe API call made inside `prisma\.\$transaction\(…\)`/,
    },
    {
      name: 'Knex transaction posting to a webhook with axios',
      code: `
router.post('/orders', async (req, res) => {
  await db.transaction(async (trx) => {
    const [order] = await trx('orders').insert(req.body).returning('*');
    await axios.post(process.env.FULFILMENT_URL!, { orderId: order.id });
  });
  res.status(201).end();
});`,
      lines: [5],
      message: /HTTP request/,
    },
    {
      name: 'TypeORM transaction sending mail through the injected mailer',
      code: `
@Injectable()
export class SignupService {
  constructor(private readonly dataSource: DataSource, private readonly mailer: MailerService) {}

  async signup(dto: SignupDto) {
    await this.dataSource.transaction(async (manager) => {
      const user = await manager.save(User, { email: dto.email });
      await this.mailer.sendMail({ to: user.email, subject: 'Welcome', template: 'welcome' });
    });
  }
}`,
      lines: [9],
      message: /email send/,
    },
    {
      name: 'Sequelize managed transaction enqueuing a BullMQ job',
      code: `
const invoiceQueue = new Queue('invoices', { connection });

export async function issueInvoice(data: InvoiceInput) {
  return sequelize.transaction(async (t) => {
    const invoice = await Invoice.create(data, { transaction: t });
    await invoiceQueue.add('render-pdf', { invoiceId: invoice.id });
    return invoice;
  });
}`,
      lines: [7],
      message: /job can start before the transaction commits/,
    },
    {
      name: 'an OpenAI completion inside a Drizzle transaction',
      code: `
const openai = new OpenAI();

export async function summarise(ticketId: string) {
  await db.transaction(async (tx) => {
    const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, ticketId)).for('update');
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: ticket.body }] });
    await tx.update(tickets).set({ summary: completion.choices[0].message.content }).where(eq(tickets.id, ticketId));
  });
}`,
      lines: [7],
      message: /LLM API call/,
    },
    {
      name: 'an S3 upload (AWS SDK v3 command) inside a Knex transaction',
      code: `
const s3 = new S3Client({ region: 'eu-west-1' });

export async function saveAvatar(userId: string, file: Buffer) {
  await knex.transaction(async (trx) => {
    await trx('users').where({ id: userId }).update({ avatar_key: \`avatars/\${userId}\` });
    await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: \`avatars/\${userId}\`, Body: file }));
  });
}`,
      lines: [7],
      message: /S3 call/,
    },
    {
      name: 'fetch in a Promise.all fan-out inside the transaction',
      code: `
await prisma.$transaction(async (tx) => {
  const hooks = await tx.webhook.findMany({ where: { event: 'order.created' } });
  await Promise.all(hooks.map((hook) => fetch(hook.url, { method: 'POST', body: JSON.stringify(payload) })));
});`,
      lines: [4],
    },
    {
      name: 'NestJS HttpService call through firstValueFrom',
      code: `
export class PaymentsService {
  constructor(private readonly http: HttpService, private readonly dataSource: DataSource) {}

  async capture(id: string) {
    await this.dataSource.transaction(async (em) => {
      await em.update(Payment, id, { status: 'capturing' });
      await firstValueFrom(this.http.post(\`\${PSP_URL}/captures\`, { id }));
    });
  }
}`,
      lines: [8],
    },
    {
      name: 'typed axios call (await x.post<T>(…))',
      code: `
await db.transaction(async (trx) => {
  const { data } = await axios.post<Quote>(\`\${RATES_URL}/quotes\`, { currency });
  await trx('quotes').insert({ currency, rate: data.rate });
});`,
      lines: [3],
    },
    {
      name: 'a project helper that sends an email',
      code: `
await prisma.$transaction(async (tx) => {
  const user = await tx.user.create({ data: { email } });
  await sendWelcomeEmail(user.email);
});`,
      lines: [4],
    },
  ],
  valid: [
    {
      name: 'batch transaction, HTTP call after it',
      code: `
await prisma.$transaction([
  prisma.order.update({ where: { id }, data: { status: 'paid' } }),
  prisma.auditLog.create({ data: { action: 'order.paid', orderId: id } }),
]);
await fetch(process.env.SLACK_WEBHOOK_URL!, { method: 'POST', body: JSON.stringify({ text: 'paid' }) });`,
    },
    {
      name: 'Stripe called before the transaction, result passed in',
      code: `
const intent = await stripe.paymentIntents.create({ amount, currency: 'eur' });
await prisma.$transaction(async (tx) => {
  await tx.order.create({ data: { amount, paymentIntentId: intent.id } });
  await tx.outbox.create({ data: { type: 'order.created', payload: { amount } } });
});`,
    },
    {
      name: 'only calls on the transaction handle',
      code: `
await db.transaction(async (trx) => {
  const [account] = await trx('accounts').where({ id }).forUpdate();
  await trx('accounts').where({ id }).update({ balance: account.balance - amount });
  await trx.raw('select pg_notify(?, ?)', ['balance', id]);
});`,
    },
    {
      name: 'outbox helper handed the transaction handle',
      code: `
await prisma.$transaction(async (tx) => {
  const user = await tx.user.create({ data: { email } });
  await sendWelcomeEmail(tx, { userId: user.id });
});`,
    },
    {
      name: 'pure helpers inside the transaction',
      code: `
await dataSource.transaction(async (manager) => {
  const hash = await hashPassword(dto.password);
  const totals = computeTotals(cart);
  await manager.save(User, { email: dto.email, hash, totals });
});`,
    },
    {
      name: 'Sequelize afterCommit hook sends the email after the commit',
      code: `
await sequelize.transaction(async (t) => {
  const user = await User.create({ email }, { transaction: t });
  t.afterCommit(async () => {
    await mailer.sendMail({ to: user.email, subject: 'Welcome' });
  });
});`,
    },
    {
      name: 'Stripe webhook signature check is local computation',
      code: `
await prisma.$transaction(async (tx) => {
  const event = stripe.webhooks.constructEvent(rawBody, signature, process.env.STRIPE_WEBHOOK_SECRET!);
  await tx.stripeEvent.create({ data: { id: event.id, type: event.type } });
});`,
    },
    {
      name: 'queue.add after the transaction returns',
      code: `
const order = await prisma.$transaction(async (tx) => {
  return tx.order.create({ data });
});
await emailQueue.add('order-confirmation', { orderId: order.id });`,
    },
    {
      name: 'axios error helper in a catch inside the transaction',
      code: `
await knex.transaction(async (trx) => {
  try {
    await trx('jobs').insert(job);
  } catch (error) {
    if (axios.isAxiosError(error)) throw error;
    throw error;
  }
});`,
    },
  ],
});

ruleTable('external-call-in-transaction', {
  language: 'py',
  invalid: [
    {
      name: 'Django atomic block posting to a webhook',
      code: `
def confirm_order(order):
    with transaction.atomic():
        order.status = "confirmed"
        order.save(update_fields=["status"])
        requests.post(settings.FULFILMENT_URL, json={"order_id": order.id}, timeout=10)
`,
      lines: [6],
      message: /`requests\.post\(…\)` is an HTTP request made inside `with transaction\.atomic\(\):`/,
    },
    {
      name: '@transaction.atomic DRF view sending mail',
      code: `
class SignupView(APIView):
    @transaction.atomic
    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        send_mail("Welcome", "Thanks for signing up", None, [user.email])
        return Response(status=201)
`,
      lines: [8],
      message: /email send/,
    },
    {
      name: 'SQLAlchemy session.begin() creating a Stripe customer',
      code: `
def create_account(session: Session, email: str) -> Account:
    with session.begin():
        account = Account(email=email)
        session.add(account)
        customer = stripe.Customer.create(email=email)
        account.stripe_customer_id = customer.id
    return account
`,
      lines: [6],
      message: /Stripe API call/,
    },
    {
      name: 'Celery task enqueued inside the atomic block',
      code: `
def issue_invoice(order_id):
    with transaction.atomic():
        invoice = Invoice.objects.create(order_id=order_id)
        render_invoice_pdf.delay(invoice.id)
`,
      lines: [5],
      message: /job can start before the transaction commits/,
    },
    {
      name: 'FastAPI async session transaction with an httpx client',
      code: `
http = httpx.AsyncClient(timeout=10)

@router.post("/payouts")
async def create_payout(body: PayoutIn, session: AsyncSession = Depends(get_session)):
    async with session.begin():
        payout = Payout(amount=body.amount)
        session.add(payout)
        await http.post(f"{PSP_URL}/payouts", json={"amount": body.amount})
    return payout
`,
      lines: [9],
    },
    {
      name: 'boto3 S3 upload inside sessionmaker.begin()',
      code: `
s3 = boto3.client("s3")

def save_report(report_id: int, body: bytes) -> None:
    with SessionLocal.begin() as session:
        session.execute(update(Report).where(Report.id == report_id).values(status="stored"))
        s3.put_object(Bucket=BUCKET, Key=f"reports/{report_id}.pdf", Body=body)
`,
      lines: [7],
      message: /S3 call/,
    },
    {
      name: 'OpenAI completion in an atomic block',
      code: `
client = OpenAI()

def summarise(ticket_id):
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        completion = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": ticket.body}])
        ticket.summary = completion.choices[0].message.content
        ticket.save()
`,
      lines: [7],
      message: /LLM API call/,
    },
  ],
  valid: [
    {
      name: 'transaction.on_commit(lambda: send_mail(...)) is the fix',
      code: `
def signup(request):
    with transaction.atomic():
        user = User.objects.create_user(email=request.POST["email"])
        transaction.on_commit(lambda: send_mail("Welcome", "Hi", None, [user.email]))
    return redirect("home")
`,
    },
    {
      name: 'on_commit with functools.partial of a Celery task',
      code: `
@transaction.atomic
def issue_invoice(order_id):
    invoice = Invoice.objects.create(order_id=order_id)
    transaction.on_commit(partial(render_invoice_pdf.delay, invoice.id))
`,
    },
    {
      name: 'outside call after the with block',
      code: `
def confirm_order(order):
    with transaction.atomic():
        order.status = "confirmed"
        order.save()
    requests.post(settings.FULFILMENT_URL, json={"order_id": order.id}, timeout=10)
`,
    },
    {
      name: 'SQLAlchemy session.get is a database read, not HTTP',
      code: `
def rename(session: Session, user_id: int, name: str) -> None:
    with session.begin():
        user = session.get(User, user_id)
        user.name = name
`,
    },
    {
      name: 'a with block that is not a transaction',
      code: `
def export(path):
    with open(path, "rb") as fh:
        requests.put(UPLOAD_URL, data=fh, timeout=30)
`,
    },
    {
      name: 'a nested helper defined (not called) in the transaction',
      code: `
@transaction.atomic
def close_ticket(ticket):
    ticket.closed = True
    ticket.save()

    def notify():
        requests.post(SLACK_URL, json={"text": f"closed {ticket.id}"}, timeout=5)

    transaction.on_commit(notify)
`,
    },
    {
      name: 'Stripe webhook signature check inside the transaction',
      code: `
@csrf_exempt
@transaction.atomic
def stripe_webhook(request):
    event = stripe.Webhook.construct_event(request.body, request.META["HTTP_STRIPE_SIGNATURE"], settings.STRIPE_WEBHOOK_SECRET)
    StripeEvent.objects.create(id=event["id"], type=event["type"])
    return HttpResponse(status=200)
`,
    },
  ],
});
