import { ruleTable } from '../support/rule-tester.js';

ruleTable('cors-permissive', {
  language: 'ts',
  invalid: [
    { code: `app.use(cors({ origin: '*' }));`, severity: 'P1', message: /allows every origin/ },
    {
      code: `import cors from 'cors';
const app = express();
app.use(cors({ origin: true, credentials: true }));`,
      lines: [3],
      severity: 'P0',
      message: /reflects the request's `Origin`.*with credentials/,
    },
    {
      code: `import cors from '@fastify/cors';
export async function build() {
  const app = Fastify({ logger: true });
  await app.register(cors, { origin: /.*/, credentials: true });
  return app;
}`,
      lines: [4],
      severity: 'P0',
    },
    {
      name: 'callback that echoes any origin',
      code: `app.use(cors({
  origin: (origin, callback) => callback(null, origin),
  credentials: true,
}));`,
      lines: [2],
      severity: 'P0',
    },
    {
      name: 'callback that fails open in its catch',
      code: `app.use(cors({
  async origin(origin, cb) {
    try {
      const tenant = await prisma.tenant.findFirst({ where: { domain: new URL(origin).host } });
      cb(null, tenant ? origin : false);
    } catch {
      cb(null, true);
    }
  },
}));`,
      message: /when its check throws/,
    },
    {
      name: 'callback that accepts any https origin',
      code: `const corsOptions = {
  origin(origin, cb) {
    if (!origin || origin.startsWith('https://')) return cb(null, true);
    cb(new Error('Not allowed by CORS'));
  },
};
app.use(cors(corsOptions));
router.use(cors({ ...corsOptions, origin: corsOptions.origin }));
app.use(cors({ origin: corsOptions.origin }));
export const options = cors({ origin(origin, cb) { if (!origin || origin.startsWith('https://')) return cb(null, true); cb(new Error('no')); } });`,
      lines: [10],
      message: /any https origin/,
    },
    {
      name: 'cors() without options on an app with cookie sessions',
      code: `import session from 'express-session';
app.use(session({ secret: config.sessionSecret, cookie: { httpOnly: true, secure: true } }));
app.use(cors());`,
      lines: [3],
      severity: 'P1',
    },
    { code: `const app = await NestFactory.create(AppModule);\napp.enableCors({ origin: true, credentials: true });`, lines: [2], severity: 'P0' },
    {
      code: `export function withCors(req: IncomingMessage, res: ServerResponse) {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
}`,
      lines: [2],
      severity: 'P0',
      message: /echoes the request's `Origin`/,
    },
    {
      name: 'a hand-set `*` in an app with cookie sessions',
      path: 'app/api/account/route.ts',
      code: `import { cookies } from 'next/headers';
export async function GET() {
  const session = await getSession(cookies());
  return NextResponse.json(await loadAccount(session), { headers: { 'Access-Control-Allow-Origin': '*' } });
}`,
      lines: [4],
      severity: 'P1',
    },
    `app.use(cors({ origin: /^https:\\/\\/.*$/, credentials: true }));`,
    { code: `app.use(cors({ origin: process.env.CORS_ORIGIN || '*' }));`, message: /falls back to every origin/ },
    {
      name: 'a named origin handler that ends by accepting everything',
      code: `const corsOriginHandler = (origin, callback) => {
  if (!origin) return callback(null, true);
  if (allowedOrigins.includes(origin)) return callback(null, true);
  callback(null, true); // Allow all in dev; restrict in production
};
app.use(cors({ origin: corsOriginHandler, credentials: true }));`,
      lines: [6],
      severity: 'P0',
    },
  ],
  valid: [
    `app.use(cors({ origin: ['https://app.acme.io', 'https://admin.acme.io'], credentials: true }));`,
    `app.use(cors({ origin: config.corsOrigins, credentials: true }));`,
    `app.use(cors({
  origin(origin, cb) {
    if (!origin || allowlist.includes(origin)) return cb(null, true);
    cb(new Error('Not allowed by CORS'));
  },
  credentials: true,
}));`,
    `app.use(cors({ origin: /^https:\\/\\/([a-z0-9-]+\\.)?acme\\.io$/, credentials: true }));`,
    `app.use(cors({
  origin: (origin, cb) => {
    if (!origin) return cb(null, true);
    if (ALLOWED_ORIGINS.includes(origin)) return cb(null, true);
    cb(new Error(\`Origin \${origin} not allowed\`));
  },
  credentials: true,
}));`,
    `if (process.env.NODE_ENV !== 'production') app.use(cors({ origin: true, credentials: true }));`,
    {
      name: 'cors() without options on a public, cookie-less API',
      code: `const app = express();
app.use(cors());
app.get('/v1/plans', async (_req, res) => res.json(await listPlans()));`,
    },
    `app.use((req, res, next) => {
  const origin = req.headers.origin;
  if (origin && ALLOWED_ORIGINS.has(origin)) res.setHeader('Access-Control-Allow-Origin', origin);
  next();
});`,
    `await app.register(cors, { origin: env.CORS_ORIGINS.split(','), credentials: true });`,
    `res.setHeader('Access-Control-Allow-Methods', '*');`,
    {
      name: 'a public endpoint answering `*` on purpose',
      path: 'app/api/plans/route.ts',
      code: `export async function GET() {
  return NextResponse.json(await listPlans(), { headers: { 'Access-Control-Allow-Origin': '*' } });
}`,
    },
    `app.enableCors({ origin: configService.getOrThrow<string[]>('CORS_ORIGINS'), credentials: true });`,
    `const origin = req.headers.origin;
res.setHeader('Access-Control-Allow-Origin', origin === config.appOrigin ? origin : config.appOrigin);`,
  ],
});

ruleTable('cors-permissive', {
  language: 'py',
  invalid: [
    {
      code: `app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
)`,
      lines: [4],
      severity: 'P0',
    },
    { code: `app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"])`, severity: 'P1' },
    { code: `middleware = [Middleware(CORSMiddleware, allow_origin_regex="https://.*", allow_credentials=True)]`, severity: 'P0' },
    {
      path: 'config/settings/production.py',
      code: `INSTALLED_APPS += ["corsheaders"]
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True`,
      lines: [2],
      severity: 'P0',
    },
    { path: 'project/settings.py', code: `CORS_ORIGIN_ALLOW_ALL = True`, severity: 'P1' },
    { code: `app = Flask(__name__)\nCORS(app, supports_credentials=True)`, lines: [2], severity: 'P0' },
    { code: `CORS(app, resources={r"/api/*": {"origins": "*"}})`, severity: 'P1' },
    {
      code: `def with_cors(request, response):
    response["Access-Control-Allow-Origin"] = request.headers.get("Origin")
    response["Access-Control-Allow-Credentials"] = "true"
    return response`,
      lines: [2],
      severity: 'P0',
    },
    { path: 'project/settings.py', code: `CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://.*$"]` },
  ],
  valid: [
    `app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, allow_credentials=True)`,
    `app.add_middleware(CORSMiddleware, allow_origins=["https://app.acme.io"], allow_credentials=True)`,
    { path: 'config/settings/dev.py', code: `CORS_ALLOW_ALL_ORIGINS = True` },
    { path: 'project/settings.py', code: `CORS_ALLOW_ALL_ORIGINS = DEBUG` },
    {
      path: 'project/settings.py',
      code: `if DEBUG:
    CORS_ALLOW_ALL_ORIGINS = True
else:
    CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOW_CREDENTIALS = True`,
    },
    { path: 'project/settings.py', code: `CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\\w+\\.acme\\.io$"]` },
    `CORS(app, origins=["https://app.acme.io"], supports_credentials=True)`,
    {
      name: 'flask-cors defaults on an API without sessions',
      code: `app = Flask(__name__)
CORS(app)
@app.get("/v1/plans")
def plans():
    return jsonify(list_plans())`,
    },
    `class CORSMiddleware:
    def __init__(self, app, allow_all_origins=False):
        headers = {}
        if allow_all_origins:
            headers["Access-Control-Allow-Origin"] = "*"
        self.headers = headers`,
    `def with_cors(request, response):
    origin = request.headers.get("Origin")
    if origin in settings.ALLOWED_ORIGINS:
        response["Access-Control-Allow-Origin"] = origin
    return response`,
  ],
});
