import { ruleTable } from '../support/rule-tester.js';

ruleTable('secret-fallback-default', {
  language: 'ts',
  invalid: [
    {
      code: `import jwt from 'jsonwebtoken';
const jwtSecret = process.env.JWT_SECRET || 'dev-secret';
export const issue = (userId: string) => jwt.sign({ sub: userId }, jwtSecret, { expiresIn: '15m' });`,
      lines: [2],
      message: /`JWT_SECRET` falls back to a hardcoded value/,
    },
    `import fastifyJwt from '@fastify/jwt';
export default async function auth(app) {
  app.register(fastifyJwt, { secret: process.env.JWT_SECRET ?? 'supersecret' });
}`,
    {
      name: 'NestJS ConfigService.get with a default',
      code: `@Injectable()
export class TokenService {
  constructor(private readonly configService: ConfigService) {}
  sign(payload: object) {
    return jwt.sign(payload, this.configService.get<string>('JWT_SECRET', 'dev'));
  }
}`,
      lines: [5],
      suggestion: "    return jwt.sign(payload, this.configService.getOrThrow<string>('JWT_SECRET'));",
    },
    {
      name: 'zod env schema with a default secret',
      code: `import { z } from 'zod';
export const env = z.object({
  DATABASE_URL: z.string().url(),
  SESSION_SECRET: z.string().min(32).default('a-development-only-session-secret-value'),
}).parse(process.env);`,
      lines: [4],
      suggestion: '  SESSION_SECRET: z.string().min(32),',
    },
    `const { STRIPE_WEBHOOK_SECRET = 'whsec_dev' } = process.env;
app.post('/webhooks/stripe', express.raw({ type: 'application/json' }), (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], STRIPE_WEBHOOK_SECRET);
  res.json({ received: event.id });
});`,
    `app.use(session({ secret: process.env.SESSION_SECRET || 'keyboard cat', resave: false, saveUninitialized: false }));`,
    {
      name: 'empty fallback that nothing rejects',
      code: `export function verifyWebhook(body: string, signature: string) {
  const digest = crypto.createHmac('sha256', process.env.WEBHOOK_SECRET ?? '').update(body).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(digest), Buffer.from(signature));
}`,
      message: /empty string/,
    },
    {
      name: 'zod .catch() fallback: no config object in sight, `catch` is the word that lets it in',
      code: `import { z } from 'zod';
export const schema = z.object({ SESSION_SECRET: z.string().min(32).catch('a-development-only-session-secret-value') });`,
      lines: [2],
    },
    {
      name: 'envalid default',
      code: `import { cleanEnv, str, port } from 'envalid';
export const env = cleanEnv(process.env, {
  PORT: port({ default: 3000 }),
  JWT_SECRET: str({ default: 'dev-secret' }),
});`,
      lines: [4],
      suggestion: '  JWT_SECRET: str(),',
    },
    'export const encryptionKey = Buffer.from(process.env.ENCRYPTION_KEY || `0123456789abcdef0123456789abcdef`, "hex");',
    `export const config = { auth: { jwtSecret: process.env.JWT_SECRET ?? 'local-secret', accessTtl: '15m' } };`,
    { name: 'a `cfg` object', code: `export const signer = new Signer(cfg.jwtSecret || 'local-secret');` },
  ],
  valid: [
    `const port = Number(process.env.PORT || 3000);
const logLevel = process.env.LOG_LEVEL ?? 'info';
app.listen({ port, host: '0.0.0.0' });`,
    {
      name: 'empty fallback rejected at start-up',
      code: `const jwtSecret = process.env.JWT_SECRET ?? '';
if (!jwtSecret) {
  throw new Error('JWT_SECRET must be set');
}
export const sign = (sub: string) => jwt.sign({ sub }, jwtSecret);`,
    },
    `if (process.env.NODE_ENV === 'test') {
  process.env.JWT_SECRET ??= 'test-secret';
}`,
    `export const jwtSecret = process.env.NODE_ENV !== 'production' ? process.env.JWT_SECRET || 'dev-secret' : required('JWT_SECRET');`,
    `export const jwtOptions = { issuer: process.env.JWT_ISSUER || 'acme', expiresIn: process.env.JWT_EXPIRES_IN || '15m' };`,
    `export const env = cleanEnv(process.env, { JWT_SECRET: str({ devDefault: 'dev-secret' }) });`,
    `app.addHook('onRequest', async (req) => { const token = req.headers.authorization || ''; req.user = await verify(token); });`,
    `const secret = this.configService.getOrThrow<string>('JWT_SECRET');`,
    `export const sessionCookieName = process.env.SESSION_COOKIE_NAME || 'sid';`,
    {
      name: 'empty fallback normalised to "not configured"',
      code: `const SENDGRID_API_KEY = (process.env.SENDGRID_API_KEY || '').trim() || null;
export const mailer = SENDGRID_API_KEY ? createSendgridTransport(SENDGRID_API_KEY) : createLogTransport();`,
    },
    `export const stripePublishableKey = process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY || '';
export const jwtPublicKey = process.env.JWT_PUBLIC_KEY ?? '';`,
    {
      name: 'config object with an empty fallback checked afterwards',
      code: `export const config = { stripe: { webhookSecret: process.env.STRIPE_WEBHOOK_SECRET ?? '' } };
if (!config.stripe.webhookSecret) throw new Error('STRIPE_WEBHOOK_SECRET is required');`,
    },
  ],
});

ruleTable('secret-fallback-default', {
  language: 'py',
  invalid: [
    {
      path: 'config/settings/base.py',
      code: `import os
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-dev-key")
DEBUG = os.environ.get("DEBUG") == "1"`,
      lines: [2],
      suggestion: 'SECRET_KEY = os.environ["SECRET_KEY"]',
    },
    { code: `JWT_SECRET = os.getenv("JWT_SECRET", "dev")`, suggestion: 'JWT_SECRET = os.environ["JWT_SECRET"]' },
    {
      name: 'Flask config class with `or` fallback',
      code: `class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "hard to guess string"
    SQLALCHEMY_TRACK_MODIFICATIONS = False`,
      suggestion: '    SECRET_KEY = os.environ["SECRET_KEY"]',
    },
    {
      code: `from pydantic_settings import BaseSettings
class Settings(BaseSettings):
    database_url: str
    jwt_secret: str = "change-me"
    jwt_algorithm: str = "HS256"`,
      lines: [4],
      suggestion: '    jwt_secret: str',
    },
    { code: `from decouple import config\nSECRET_KEY = config("SECRET_KEY", default="dev")`, suggestion: 'SECRET_KEY = config("SECRET_KEY")' },
    { code: `env = environ.Env()\nSECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local")`, lines: [2] },
    {
      name: 'empty fallback with no check',
      code: `import stripe
stripe.api_key = os.environ.get("STRIPE_API_KEY", "")`,
      message: /empty string/,
    },
    `class Settings(BaseSettings):
    webhook_secret: SecretStr = Field(default="whsec_local", description="Stripe endpoint secret")`,
    `def verify(request):
    secret = getattr(settings, "WEBHOOK_SECRET", "dev")
    return hmac.compare_digest(sign(request.body, secret), request.headers["X-Signature"])`,
  ],
  valid: [
    `DEBUG = os.environ.get("DEBUG", "false") == "true"
PORT = int(os.getenv("PORT", "8000"))`,
    {
      name: 'empty default rejected right after',
      code: `SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is not set")`,
    },
    `if DEBUG:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only")
else:
    SECRET_KEY = os.environ["SECRET_KEY"]`,
    `SECRET_KEY = os.environ["SECRET_KEY"]`,
    `class Settings(BaseSettings):
    jwt_secret: SecretStr
    jwt_algorithm: str = "HS256"
    access_token_expire_minutes: int = 15`,
    `LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")`,
    `@api_view(["POST"])
def ingest(request):
    api_key = request.headers.get("X-Api-Key", "")
    return Response(status=401 if not api_key else 202)`,
    `SECRET_NAME = os.environ.get("SECRET_NAME", "prod/app/django")`,
    `if os.environ.get("ENV") == "test":
    JWT_SECRET = os.environ.get("JWT_SECRET", "test-secret")`,
    `JWT_SECRET = os.environ.get("JWT_SECRET", "")
assert JWT_SECRET, "JWT_SECRET must be set"`,
  ],
});
