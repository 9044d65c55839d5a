import { ruleTable } from '../support/rule-tester.js';

ruleTable('empty-catch', {
  language: 'ts',
  invalid: [
    {
      name: 'Express handler: refund failure swallowed',
      code: `import express from 'express';
const router = express.Router();
router.post('/orders/:id/refund', async (req, res) => {
  try {
    await stripe.refunds.create({ payment_intent: req.params.id });
  } catch {}
  res.json({ ok: true });
});`,
      lines: [6],
      message: /swallows every error/,
    },
    {
      name: 'catch (e) {} around a Prisma write',
      code: `export async function markPaid(orderId: string) {
  try {
    await prisma.order.update({ where: { id: orderId }, data: { status: 'PAID' } });
  } catch (e) {
  }
}`,
      lines: [4],
    },
    {
      name: 'BullMQ worker swallowing a failed email',
      code: `import { Worker } from 'bullmq';
new Worker('emails', async (job) => {
  try {
    await mailer.sendMail(job.data);
  } catch (err) {}
});`,
      lines: [5],
    },
    {
      name: 'a TODO is not an explanation',
      code: `export async function syncCustomer(id: string) {
  try {
    await hubspot.contacts.update(id, payload);
  } catch (error) {
    // TODO: handle
  }
}`,
      lines: [4],
    },
    {
      name: 'promise .catch(() => {}) on a queue job',
      code: `fastify.post('/signup', async (request, reply) => {
  const user = await createUser(request.body);
  welcomeQueue.add('welcome', { userId: user.id }).catch(() => {});
  return reply.code(201).send(user);
});`,
      lines: [3],
      message: /discards the rejection/,
    },
    {
      name: 'Next.js route handler: Slack notification swallowed',
      path: 'app/api/orders/route.ts',
      code: `export async function POST(req: Request) {
  const order = await createOrder(await req.json());
  try {
    await slack.chat.postMessage({ channel: '#sales', text: \`order \${order.id}\` });
  } catch {}
  return Response.json(order, { status: 201 });
}`,
      lines: [5],
    },
    {
      name: '.catch(function () {}) on a Knex insert',
      code: `export function audit(db, entry) {
  db('audit_log').insert(entry).catch(function () {});
}`,
      lines: [2],
    },
  ],
  valid: [
    {
      name: 'a comment says why',
      code: `export async function warmCache() {
  try {
    await redis.set('warm', '1');
  } catch {
    // best effort: the cache is optional, the next request rebuilds it
  }
}`,
    },
    {
      name: 'logs with context',
      code: `router.post('/orders/:id/refund', async (req, res) => {
  try {
    await stripe.refunds.create({ payment_intent: req.params.id });
  } catch (err) {
    req.log.error({ err }, 'refund failed');
    throw err;
  }
});`,
    },
    {
      name: 'cleanup in finally',
      code: `export async function withClient(pool, fn) {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    try { client.release(); } catch {}
  }
}`,
    },
    {
      name: 'try body only cleans up a temp file',
      code: `export async function convert(tmpPath: string) {
  const out = await render(tmpPath);
  try {
    await fs.promises.unlink(tmpPath);
  } catch {}
  return out;
}`,
    },
    {
      name: 'optional dependency load',
      code: `let sharp;
try {
  sharp = require('sharp');
} catch {}`,
    },
    {
      name: 'a cleanup promise with .catch(() => {})',
      code: `process.on('SIGTERM', async () => {
  await server.close();
  redis.quit().catch(() => {});
});`,
    },
    {
      name: 'returns a default: a decision in code',
      code: `export function parseCursor(raw: string | undefined) {
  try {
    return JSON.parse(Buffer.from(raw ?? '', 'base64').toString('utf8'));
  } catch {
    return null;
  }
}`,
    },
    {
      name: 'eslint acknowledgement',
      code: `export async function flushMetrics() {
  try {
    await metrics.push();
    // eslint-disable-next-line no-empty
  } catch {}
}`,
    },
    {
      name: 'a parse attempt, not an operation',
      code: `export function parseCursor(raw: string) {
  let cursor = { id: 0 };
  try {
    cursor = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {}
  return cursor;
}`,
    },
    {
      name: 'fallback: the value is checked right after',
      code: `export async function loadProfile(userId: string) {
  let profile;
  try {
    profile = await crm.fetchProfile(userId);
  } catch {}
  if (!profile) return defaultProfile(userId);
  return profile;
}`,
    },
    {
      name: 'rollback on the error path, original error rethrown',
      code: `export async function transfer(queryRunner, from, to, amount) {
  try {
    await queryRunner.query('UPDATE accounts SET balance = balance - $1 WHERE id = $2', [amount, from]);
  } catch (error) {
    try {
      await queryRunner.rollbackTransaction();
    } catch {}
    throw error;
  }
}`,
    },
    {
      name: 'a kept promise marked handled',
      code: `export class Stream {
  constructor(private readonly ready: Promise<void>) {
    this.ready.catch(() => {});
  }
}`,
    },
    {
      name: 'the same swallow in a script',
      path: 'scripts/backfill-invoices.ts',
      code: `export async function run() {
  for (const id of ids) {
    try {
      await prisma.invoice.update({ where: { id }, data: { synced: true } });
    } catch {}
  }
}`,
    },
    {
      name: '.catch with a real handler',
      code: `queue.add('sync', { id }).catch((err) => logger.error({ err }, 'enqueue failed'));`,
    },
  ],
});

ruleTable('empty-catch', {
  language: 'py',
  invalid: [
    {
      name: 'Django view: except Exception: pass around a payment call',
      path: 'billing/views.py',
      code: `import logging
from django.http import JsonResponse

logger = logging.getLogger(__name__)

def refund(request, order_id):
    order = Order.objects.get(pk=order_id)
    try:
        stripe.Refund.create(payment_intent=order.payment_intent)
    except Exception:
        pass
    return JsonResponse({"ok": True})
`,
      lines: [10],
      suggestion: '        logger.warning("refund: ignored error", exc_info=True)',
    },
    {
      name: 'bare except: pass',
      path: 'billing/services/quickbooks.py',
      code: `def sync_invoices(session):
    for invoice in session.scalars(select(Invoice)).all():
        try:
            sync_invoice_to_quickbooks(invoice)
        except:
            pass
`,
      lines: [5],
      message: /KeyboardInterrupt/,
    },
    {
      name: 'except Exception as e: ... (ellipsis)',
      path: 'orders/tasks.py',
      code: `@shared_task
def send_receipt(order_id):
    try:
        mail.send(render_receipt(order_id))
    except Exception as e:
        ...
`,
      lines: [5],
    },
    {
      name: 'tuple that includes Exception',
      path: 'app/api/notify.py',
      code: `async def notify(user_id: int):
    try:
        await client.post("/notify", json={"user": user_id})
    except (httpx.TimeoutException, Exception):
        pass
`,
      lines: [4],
    },
    {
      name: 'FastAPI endpoint swallowing a DB commit',
      path: 'app/api/orders.py',
      code: `from fastapi import APIRouter
router = APIRouter()

@router.post("/orders")
def create_order(payload: OrderIn, db: Session = Depends(get_db)):
    db.add(Order(**payload.model_dump()))
    try:
        db.commit()
    except BaseException:
        pass
    return {"ok": True}
`,
      lines: [9],
    },
    {
      name: '# TODO is not an explanation',
      path: 'accounts/signals.py',
      code: `def on_user_deleted(sender, instance, **kwargs):
    try:
        search_index.delete(instance.pk)
    except Exception:  # TODO
        pass
`,
      lines: [4],
    },
  ],
  valid: [
    {
      name: 'a comment says why',
      path: 'shop/views.py',
      code: `def warm_cache(key):
    try:
        cache.set(key, compute(key))
    except Exception:
        # best effort: the next request recomputes it
        pass
`,
    },
    {
      name: 'optional import',
      path: 'shop/views.py',
      code: `try:
    import ujson as json
except ImportError:
    import json
try:
    import orjson
except ImportError:
    pass
`,
    },
    {
      name: 'a specific expected exception',
      path: 'shop/views.py',
      code: `def forget(session_store, key):
    try:
        del session_store[key]
    except KeyError:
        pass
`,
    },
    {
      name: 'contextlib.suppress is explicit',
      path: 'shop/views.py',
      code: `from contextlib import suppress

def remove_upload(path):
    with suppress(FileNotFoundError):
        os.remove(path)
`,
    },
    {
      name: 'cleanup in finally',
      path: 'shop/views.py',
      code: `def export(conn):
    try:
        return run_export(conn)
    finally:
        try:
            conn.close()
        except Exception:
            pass
`,
    },
    {
      name: 'cleanup-only try body',
      path: 'shop/views.py',
      code: `def handle_upload(tmp_path):
    result = process(tmp_path)
    try:
        os.remove(tmp_path)
    except Exception:
        pass
    return result
`,
    },
    {
      name: 'logs the error',
      path: 'shop/views.py',
      code: `def refund(order):
    try:
        stripe.Refund.create(payment_intent=order.payment_intent)
    except stripe.error.StripeError:
        logger.exception("refund failed for %s", order.pk)
        raise
`,
    },
    {
      name: 'StopIteration in an iterator',
      path: 'shop/views.py',
      code: `def first_row(rows):
    try:
        return next(rows)
    except StopIteration:
        pass
`,
    },
    {
      name: 'the same swallow in a management command (not server code)',
      path: 'shop/management/commands/resync.py',
      code: `from django.core.management.base import BaseCommand

class Command(BaseCommand):
    def handle(self, *args, **options):
        for order in Order.objects.all():
            try:
                order.save()
            except Exception:
                pass
`,
    },
    {
      name: 'optional feature behind an import',
      path: 'media/services/tagging.py',
      code: `def tag_mp3(path, artist, title):
    try:
        from mutagen.easyid3 import EasyID3
        audio = EasyID3(path)
        audio["artist"] = artist
        audio.save()
    except Exception:
        pass
`,
    },
    {
      name: 'try/except/else',
      path: 'shop/views.py',
      code: `def breadcrumbs(url):
    try:
        view = resolve(url)
    except Exception:
        pass
    else:
        return [view]
    return []
`,
    },
    {
      name: 'a probe with no operation in it',
      path: 'shop/views.py',
      code: `def supports_ipv6(host):
    has_ipv6 = False
    sock = socket.socket(socket.AF_INET6)
    try:
        sock.bind((host, 0))
        has_ipv6 = True
    except Exception:
        pass
    return has_ipv6
`,
    },
    {
      name: '__del__ may not raise',
      path: 'shop/views.py',
      code: `class Tunnel:
    def __del__(self):
        try:
            self.proc.kill()
            self.sock = None
        except Exception:
            pass
`,
    },
  ],
});
