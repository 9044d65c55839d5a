import { ruleTable } from '../support/rule-tester.js';

ruleTable('health-check-always-ok', {
  language: 'ts',
  invalid: [
    {
      name: 'Express: catch answers a 200 saying "down"',
      code: `
app.get('/health', async (req, res) => {
  try {
    await db.raw('select 1');
    res.json({ status: 'ok' });
  } catch (err) {
    logger.error({ err }, 'health check failed');
    res.json({ status: 'down', error: String(err) });
  }
});`,
      lines: [8],
      severity: 'P0',
      message: /answers 200 from its failure path/,
      suggestion: "    res.status(503).json({ status: 'down', error: String(err) });",
    },
    {
      name: 'Fastify: returned object from the catch',
      code: `
fastify.get('/readyz', async (request, reply) => {
  try {
    await redis.ping();
    return { status: 'ready' };
  } catch {
    return { status: 'unavailable' };
  }
});`,
      lines: [7],
      suggestion: "    return reply.code(503).send({ status: 'unavailable' });",
    },
    {
      name: 'Next.js route handler: NextResponse.json without a status',
      path: 'app/api/health/route.ts',
      code: `
export async function GET() {
  try {
    await prisma.$queryRaw\`SELECT 1\`;
    return NextResponse.json({ status: 'ok' });
  } catch (error) {
    return NextResponse.json({ status: 'error', message: (error as Error).message });
  }
}`,
      lines: [7],
      suggestion: "    return NextResponse.json({ status: 'error', message: (error as Error).message }, { status: 503 });",
    },
    {
      name: 'Express: a 200 body that says down when the check fails',
      code: `
router.get('/healthz', async (_req, res) => {
  const dbOk = await pingDatabase();
  res.json({ status: dbOk ? 'ok' : 'down', uptime: process.uptime() });
});`,
      lines: [4],
      message: /report the service as down with a 200 status/,
      suggestion: "  res.status(503).json({ status: dbOk ? 'ok' : 'down', uptime: process.uptime() });",
    },
    {
      name: 'explicit 200 in the catch',
      code: `
app.get('/api/health', async (req, res) => {
  try {
    await mongoose.connection.db.admin().ping();
    res.status(200).json({ healthy: true });
  } catch (e) {
    res.status(200).json({ healthy: false });
  }
});`,
      lines: [7],
      suggestion: '    res.status(503).json({ healthy: false });',
    },
    {
      name: 'NestJS controller returning an error object',
      code: `
@Controller('health')
export class HealthController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  async check() {
    try {
      await this.prisma.$queryRaw\`SELECT 1\`;
      return { status: 'ok' };
    } catch (err) {
      return { status: 'error', details: 'database unreachable' };
    }
  }
}`,
      lines: [12],
    },
    {
      name: 'named handler with a promise .catch',
      code: `
function healthCheck(req: Request, res: Response) {
  pool
    .query('SELECT 1')
    .then(() => res.send('OK'))
    .catch(() => res.send('UNHEALTHY'));
}
router.get('/health', healthCheck);`,
      lines: [6],
      suggestion: "    .catch(() => res.status(503).send('UNHEALTHY'));",
    },
    {
      name: 'Koa: ctx.body set in the catch',
      code: `
router.get('/status', async (ctx) => {
  try {
    await sequelize.authenticate();
    ctx.body = { status: 'up' };
  } catch (err) {
    ctx.body = { status: 'down' };
  }
});`,
      lines: [7],
    },
    {
      name: 'pages/api health route',
      path: 'pages/api/health.ts',
      code: `
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  try {
    await redis.ping();
    res.status(200).json({ ok: true });
  } catch {
    res.json({ ok: false });
  }
}`,
      lines: [7],
    },
    {
      // The gate: the path says health, the text does not; requiresUnlessPath lets this file in.
      name: 'Next.js route handler whose body flag can be false',
      path: 'app/api/healthz/route.ts',
      code: `
export function GET() {
  const up = probeQueue();
  return Response.json({ ok: up ? true : false });
}`,
      lines: [4],
      message: /report the service as down/,
    },
    {
      // The gate: no word of the rule's in the text; the path, past a route group and a version, does it.
      name: 'Next.js readiness route under a route group',
      path: 'app/(ops)/v1/readiness/route.ts',
      code: `
export async function GET() {
  try {
    await ping();
    return Response.json({ up: 1 });
  } catch {
    return Response.json({ up: 0 });
  }
}`,
      lines: [7],
    },
    {
      // The gate: "'ready" is the only word of the rule's in this file (Nest paths need no leading slash).
      name: 'NestJS readiness route without a leading slash',
      code: `
@Controller('ops')
export class OpsController {
  @Get('ready')
  async probe() {
    try {
      await this.db.ping();
      return { up: true };
    } catch {
      return { up: false };
    }
  }
}`,
      lines: [10],
    },
  ],
  valid: [
    {
      name: 'Express: 503 from the catch',
      code: `
app.get('/health', async (req, res) => {
  try {
    await db.raw('select 1');
    res.json({ status: 'ok' });
  } catch (err) {
    res.status(503).json({ status: 'down' });
  }
});`,
    },
    {
      name: 'liveness that checks nothing',
      code: `app.get('/livez', (req, res) => res.json({ status: 'ok' }));`,
    },
    {
      name: 'status computed from the same check as the body',
      code: `
router.get('/healthz', async (_req, res) => {
  const healthy = await pingDatabase();
  res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'down' });
});`,
    },
    {
      name: 'an order status endpoint is not a health check',
      code: `
router.get('/orders/:id/status', async (req, res) => {
  try {
    const order = await Order.findByPk(req.params.id);
    res.json({ status: order.status });
  } catch (err) {
    res.json({ status: 'failed' });
  }
});`,
    },
    {
      name: 'a helper that returns data to the handler',
      code: `
async function checkDatabaseHealth() {
  try {
    await prisma.$queryRaw\`SELECT 1\`;
    return { status: 'up' };
  } catch {
    return { status: 'down' };
  }
}`,
    },
    {
      name: 'per-dependency failures aggregated into a 503',
      code: `
app.get('/ready', async (req, res) => {
  const checks = await Promise.all(
    dependencies.map(async (dep) => {
      try {
        await dep.ping();
        return { name: dep.name, status: 'up' };
      } catch {
        return { name: dep.name, status: 'down' };
      }
    }),
  );
  const allUp = checks.every((c) => c.status === 'up');
  res.status(allUp ? 200 : 503).json({ checks });
});`,
    },
    {
      name: 'the catch hands the error to Express',
      code: `
app.get('/health', async (req, res, next) => {
  try {
    await db.raw('select 1');
    res.json({ ok: true });
  } catch (err) {
    next(err);
  }
});`,
    },
    {
      name: 'statusCode set before ending the response',
      code: `
server.get('/healthz', async (req, res) => {
  try {
    await knex.raw('select 1');
    res.end('ok');
  } catch {
    res.statusCode = 503;
    res.end('database unreachable');
  }
});`,
    },
    {
      name: 'Next.js health route with a 503',
      path: 'app/api/health/route.ts',
      code: `
export async function GET() {
  try {
    await prisma.$queryRaw\`SELECT 1\`;
    return NextResponse.json({ status: 'ok' });
  } catch {
    return NextResponse.json({ status: 'error' }, { status: 503 });
  }
}`,
    },
    {
      name: 'NestJS throwing ServiceUnavailableException',
      code: `
@Controller('health')
export class HealthController {
  @Get()
  async check() {
    try {
      await this.prisma.$queryRaw\`SELECT 1\`;
      return { status: 'ok' };
    } catch {
      throw new ServiceUnavailableException({ status: 'error' });
    }
  }
}`,
    },
  ],
});

ruleTable('health-check-always-ok', {
  language: 'py',
  invalid: [
    {
      name: 'FastAPI: dict returned from the except',
      code: `
@app.get("/health")
async def health(session: AsyncSession = Depends(get_session)):
    try:
        await session.execute(text("SELECT 1"))
        return {"status": "ok"}
    except Exception:
        logger.exception("health check failed")
        return {"status": "error"}
`,
      lines: [9],
      severity: 'P0',
    },
    {
      name: 'FastAPI: JSONResponse without status_code',
      code: `
@router.get("/readyz")
def readyz():
    try:
        redis_client.ping()
    except redis.ConnectionError as exc:
        return JSONResponse({"status": "unavailable", "detail": str(exc)})
    return JSONResponse({"status": "ready"})
`,
      lines: [7],
      suggestion: '        return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)',
    },
    {
      name: 'Django function view: JsonResponse without status',
      code: `
def healthz(request):
    try:
        connection.ensure_connection()
    except OperationalError:
        return JsonResponse({"status": "down"})
    return JsonResponse({"status": "ok"})
`,
      lines: [6],
      suggestion: '        return JsonResponse({"status": "down"}, status=503)',
    },
    {
      name: 'Flask: jsonify from the except',
      code: `
from flask import Flask, jsonify

@app.route("/health")
def health():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok")
    except SQLAlchemyError:
        return jsonify(status="down")
`,
      lines: [10],
      suggestion: '        return jsonify(status="down"), 503',
    },
    {
      name: 'DRF class-based health view',
      code: `
class HealthCheckView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        try:
            cache.set("health", "ok", 5)
        except Exception:
            return Response({"status": "unhealthy"})
        return Response({"status": "healthy"})
`,
      lines: [9],
      suggestion: '            return Response({"status": "unhealthy"}, status=503)',
    },
    {
      name: 'FastAPI: 200 body that says down',
      code: `
@app.get("/api/health")
async def health():
    db_ok = await check_db()
    return {"status": "ok" if db_ok else "down", "version": settings.VERSION}
`,
      lines: [5],
      message: /report the service as down/,
    },
    {
      name: 'Flask: explicit 200 in the tuple',
      code: `
@bp.route("/status")
def status():
    try:
        mongo.db.command("ping")
    except PyMongoError:
        return {"status": "down"}, 200
    return {"status": "up"}, 200
`,
      lines: [7],
    },
    {
      // The gate: `/ready` is the only word of the rule's list in this module.
      name: 'FastAPI readiness route answering from its except',
      code: `
@router.get("/ready")
def probe():
    try:
        ping_broker()
    except Exception:
        return {"up": 0}
    return {"up": 1}
`,
      lines: [7],
      message: /failure path/,
    },
    {
      // The gate: '"status' is the only word of the rule's in this module (no leading slash).
      name: 'FastAPI status route answering from its except',
      code: `
@router.get("status")
def probe():
    try:
        ping_broker()
    except Exception:
        return {"up": 0}
    return {"up": 1}
`,
      lines: [7],
      message: /failure path/,
    },
  ],
  valid: [
    {
      name: 'FastAPI raising HTTPException(503)',
      code: `
@app.get("/health")
async def health(session: AsyncSession = Depends(get_session)):
    try:
        await session.execute(text("SELECT 1"))
    except Exception as exc:
        raise HTTPException(status_code=503, detail="database unavailable") from exc
    return {"status": "ok"}
`,
    },
    {
      name: 'JSONResponse with status_code=503',
      code: `
@router.get("/readyz")
def readyz():
    try:
        redis_client.ping()
    except redis.ConnectionError:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return {"status": "ready"}
`,
    },
    {
      name: 'Django JsonResponse(status=503)',
      code: `
def healthz(request):
    try:
        connection.ensure_connection()
    except OperationalError:
        return JsonResponse({"status": "down"}, status=503)
    return JsonResponse({"status": "ok"})
`,
    },
    {
      name: 'Flask tuple with 503',
      code: `
@app.route("/health")
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="down"), 503
    return jsonify(status="ok")
`,
    },
    {
      name: 'FastAPI response.status_code set before returning',
      code: `
@app.get("/health")
async def health(response: Response):
    try:
        await database.execute("SELECT 1")
    except Exception:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "down"}
    return {"status": "ok"}
`,
    },
    {
      name: 'liveness that checks nothing',
      code: `
@app.get("/livez")
def livez():
    return {"status": "ok"}
`,
    },
    {
      name: 'a job status endpoint is not a health check',
      code: `
@router.get("/jobs/{job_id}/status")
def job_status(job_id: str):
    try:
        job = Job.fetch(job_id, connection=redis_conn)
    except NoSuchJobError:
        return {"status": "failed"}
    return {"status": job.get_status()}
`,
    },
    {
      name: 'a helper that returns data to the view',
      code: `
def check_db_health():
    try:
        connection.ensure_connection()
        return {"status": "up"}
    except OperationalError:
        return {"status": "down"}
`,
    },
    {
      name: 'DRF Response with a status constant',
      code: `
class ReadinessView(APIView):
    def get(self, request):
        try:
            cache.set("ready", "1", 5)
        except Exception:
            return Response({"status": "unhealthy"}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"status": "ready"})
`,
    },
  ],
});
