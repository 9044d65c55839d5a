import { ruleTable } from '../support/rule-tester.js';

ruleTable('metrics-high-cardinality', {
  language: 'ts',
  invalid: [
    {
      name: 'Express middleware: prom-client counter labelled by originalUrl',
      code: `import express from 'express';
import client from 'prom-client';
const httpRequests = new client.Counter({ name: 'http_requests_total', help: 'requests', labelNames: ['method', 'path', 'status'] });
app.use((req, res, next) => {
  res.on('finish', () => {
    httpRequests.inc({ method: req.method, path: req.originalUrl, status: res.statusCode });
  });
  next();
});`,
      lines: [6],
      message: /raw URL path/,
      suggestion: "    httpRequests.inc({ method: req.method, path: req.route?.path ?? 'unmatched', status: res.statusCode });",
    },
    {
      name: 'Fastify onResponse hook: histogram.labels(request.url)',
      code: `import Fastify from 'fastify';
const app = Fastify();
app.addHook('onResponse', async (request, reply) => {
  requestDuration.labels(request.method, request.url, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
});`,
      lines: [4],
      suggestion: '  requestDuration.labels(request.method, request.routeOptions.url, String(reply.statusCode)).observe(reply.elapsedTime / 1000);',
    },
    {
      name: 'histogram.observe with a user id label',
      code: `export function track(user: User, ms: number) {
  checkoutLatency.observe({ userId: user.id, plan: user.plan }, ms);
}`,
      lines: [2],
      message: /an id/,
    },
    {
      name: 'startTimer end() labelled by req.path',
      code: `router.use((req, res, next) => {
  const end = httpDuration.startTimer();
  res.on('finish', () => end({ route: req.path, code: res.statusCode }));
  next();
});`,
      lines: [3],
    },
    {
      name: 'OpenTelemetry counter attribute from the raw URL',
      code: `const meter = metrics.getMeter('api');
const requests = meter.createCounter('http.server.requests');
export function onRequest(req: IncomingMessage) {
  requests.add(1, { 'http.target': req.url, 'http.method': req.method });
}`,
      lines: [4],
    },
    {
      name: 'StatsD tags with the customer email',
      code: `export async function charge(customer: Customer, amount: number) {
  statsd.increment('billing.charge', 1, [\`email:\${customer.email}\`, 'currency:usd']);
}`,
      lines: [2],
      message: /email/,
    },
    {
      name: 'StatsD metric name built from the path (hot-shots)',
      code: `app.use((req, res, next) => {
  metrics.timing(\`http.\${req.path}.latency\`, Date.now() - req.startedAt);
  next();
});`,
      lines: [2],
      message: /metric name/,
    },
    {
      name: 'route label falls back to the raw path for unmatched requests',
      code: `res.on('finish', () => {
  httpRequests.labels({ route: req.route?.path ?? req.path, status: String(res.statusCode) }).inc();
});`,
      lines: [2],
    },
    {
      name: 'Next.js middleware: pathname as a label',
      code: `export function middleware(request: NextRequest) {
  pageViews.inc({ page: request.nextUrl.pathname });
  return NextResponse.next();
}`,
      lines: [2],
    },
    // Each case below sets labels through one word of the rule's gate and no other.
    {
      name: 'gate word "set": prom-client gauge set by user id',
      code: `inflightTotal.set({ userId: req.user.id }, 1);`,
      lines: [1],
    },
    {
      name: 'gate word "dec": prom-client dec by user id',
      code: `activeRequests.dec({ userId });`,
      lines: [1],
    },
    {
      name: 'gate word "add": OpenTelemetry counter add with a user id attribute',
      code: `httpRequests.add(1, { userId });`,
      lines: [1],
    },
    {
      name: 'gate word "record": OpenTelemetry histogram record with a user id attribute',
      code: `requestLatency.record(elapsed, { userId });`,
      lines: [1],
    },
    {
      name: 'gate word "gauge": StatsD metric name built from a user id',
      code: 'statsd.gauge(`queue.depth.${userId}`, depth);',
      lines: [1],
    },
    {
      name: 'gate word "count": StatsD tag with a user id',
      code: "metrics.count('api.calls', 1, [`user:${userId}`]);",
      lines: [1],
    },
  ],
  valid: [
    {
      name: 'Express: label by req.route.path',
      code: `res.on('finish', () => {
  httpRequests.inc({ method: req.method, path: req.route?.path ?? 'unmatched', status: res.statusCode });
});`,
    },
    {
      name: 'Fastify: label by routeOptions.url',
      code: `app.addHook('onResponse', async (request, reply) => {
  requestDuration.labels(request.method, request.routeOptions.url, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
});`,
    },
    {
      name: 'status code and method only',
      code: `httpRequests.labels(req.method, String(res.statusCode)).inc();`,
    },
    {
      name: 'tenant-level label (bounded by customers, on purpose)',
      code: `jobsProcessed.inc({ queue: job.queueName, orgId: job.data.orgId });`,
    },
    {
      name: 'Map.set and Set.add are not metrics',
      code: `seen.add(req.originalUrl);
cache.set(req.path, body);`,
    },
    {
      name: 'logger with the URL (logs may hold ids)',
      code: `logger.info({ path: req.originalUrl, userId: req.user.id }, 'request done');`,
    },
    {
      name: 'OpenTelemetry attribute by route template',
      code: `const requests = meter.createCounter('http.server.requests');
requests.add(1, { 'http.route': req.route.path, 'http.status_code': res.statusCode });`,
    },
    {
      name: 'Koa router matched route',
      code: `httpRequests.inc({ route: ctx._matchedRoute, status: ctx.status });`,
    },
  ],
});

ruleTable('metrics-high-cardinality', {
  language: 'py',
  invalid: [
    {
      name: 'FastAPI middleware: prometheus_client labels(path=request.url.path)',
      code: `@app.middleware("http")
async def metrics(request: Request, call_next):
    response = await call_next(request)
    REQUEST_COUNT.labels(method=request.method, path=request.url.path, status=response.status_code).inc()
    return response`,
      lines: [4],
      message: /raw URL path/,
    },
    {
      name: 'Django middleware: positional request.path',
      code: `class MetricsMiddleware:
    def __call__(self, request):
        response = self.get_response(request)
        REQUEST_LATENCY.labels(request.method, request.path).observe(time.monotonic() - request._start)
        return response`,
      lines: [4],
    },
    {
      name: 'user_id label',
      code: `def record_login(user):
    LOGINS.labels(user_id=str(user.id)).inc()`,
      lines: [2],
    },
    {
      name: 'Flask: full_path via a local',
      code: `@app.after_request
def count(response):
    path = request.full_path
    REQUESTS.labels(path, response.status_code).inc()
    return response`,
      lines: [4],
    },
    {
      name: 'datadog statsd tags with the email (f-string)',
      code: `def on_signup(user):
    statsd.increment("signup", tags=[f"email:{user.email}", "source:web"])`,
      lines: [2],
    },
    {
      name: 'OpenTelemetry histogram attributes with the raw URL',
      code: `latency = meter.create_histogram("http.server.duration")
async def dispatch(self, request, call_next):
    response = await call_next(request)
    latency.record(elapsed, attributes={"http.target": str(request.url)})
    return response`,
      lines: [4],
    },
    {
      name: 'Django get_full_path()',
      code: `def process_response(self, request, response):
    PAGE_VIEWS.labels(page=request.get_full_path()).inc()
    return response`,
      lines: [2],
    },
    {
      name: 'gate word "labels": labels set from the raw path',
      code: `REQUESTS.labels(endpoint=request.path)`,
      lines: [1],
    },
  ],
  valid: [
    {
      name: 'Starlette route template',
      code: `route = request.scope.get("route")
REQUEST_COUNT.labels(method=request.method, path=route.path if route else "unmatched").inc()`,
    },
    {
      name: 'scope["route"].path',
      code: `REQUEST_COUNT.labels(method=request.method, path=request.scope["route"].path, status=response.status_code).inc()`,
    },
    {
      name: 'Flask url_rule',
      code: `REQUESTS.labels(request.method, request.url_rule.rule if request.url_rule else "404").inc()`,
    },
    {
      name: 'Django resolver_match.route',
      code: `REQUEST_LATENCY.labels(request.method, request.resolver_match.route).observe(elapsed)`,
    },
    {
      name: 'status code only',
      code: `RESPONSES.labels(status=str(response.status_code)).inc()`,
    },
    {
      name: 'logging the path is fine',
      code: `logger.info("request %s %s", request.method, request.url.path)`,
    },
    {
      name: 'dict.set / set.add',
      code: `seen.add(request.url.path)
cache.set(request.path, body)`,
    },
  ],
});
