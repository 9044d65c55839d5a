import { ruleTable } from '../support/rule-tester.js';

ruleTable('long-lived-token', {
  language: 'ts',
  invalid: [
    {
      name: 'jsonwebtoken access token for 7 days',
      path: 'src/auth/login.ts',
      code: `import jwt from 'jsonwebtoken';

export async function login(req: Request, res: Response) {
  const user = await prisma.user.findUniqueOrThrow({ where: { email: req.body.email } });
  const token = jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET!, { expiresIn: '7d' });
  res.json({ token });
}
`,
      lines: [5],
      severity: 'P1',
      message: /access token stays valid for 7 days/,
    },
    {
      name: 'expiresIn as seconds arithmetic',
      code: "const accessToken = jwt.sign(payload, secret, { algorithm: 'HS256', expiresIn: 60 * 60 * 24 * 30 });\n",
      lines: [1],
      message: /30 days/,
    },
    {
      name: 'NestJS JwtModule signOptions',
      path: 'src/auth/auth.module.ts',
      code: `@Module({
  imports: [
    JwtModule.register({
      secret: process.env.JWT_SECRET,
      signOptions: { expiresIn: '60d' },
    }),
  ],
  providers: [AuthService],
})
export class AuthModule {}
`,
      lines: [5],
    },
    {
      name: 'NestJS JwtService.signAsync for an impersonation token',
      path: 'src/admin/impersonation.service.ts',
      code: `@Injectable()
export class ImpersonationService {
  constructor(private readonly jwt: JwtService) {}

  async impersonate(adminId: string, userId: string) {
    return this.jwt.signAsync({ sub: userId, act: adminId }, { expiresIn: '2d' });
  }
}
`,
      lines: [6],
      message: /privileged token/,
    },
    {
      name: 'a literal fallback behind an env var',
      code: "const token = jwt.sign({ id: user.id }, JWT_SECRET, { expiresIn: process.env.JWT_EXPIRES_IN || '30d' });\n",
      lines: [1],
      message: /unless the environment overrides it/,
    },
    {
      name: 'jose SignJWT',
      path: 'src/lib/session.ts',
      code: `export async function createSession(userId: string) {
  return new SignJWT({ userId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('7d')
    .sign(key);
}
`,
      lines: [2],
    },
    {
      name: 'a module constant for the lifetime',
      code: "const TOKEN_TTL = '90d';\nexport const issue = (user: User) => jwt.sign({ sub: user.id }, SECRET, { expiresIn: TOKEN_TTL });\n",
      lines: [2],
    },
    {
      name: 'cookie-session (the session is the cookie) for 30 days is a weaker finding',
      code: "app.use(cookieSession({ name: 'session', keys: [process.env.SESSION_KEY!], maxAge: 30 * 24 * 60 * 60 * 1000 }));\n",
      lines: [1],
      severity: 'P2',
    },
    {
      name: 'an auth cookie set by Express for a year',
      code: "res.cookie('access_token', token, { httpOnly: true, secure: true, maxAge: 365 * 24 * 60 * 60 * 1000 });\n",
      lines: [1],
      severity: 'P2',
    },
    {
      name: 'NextAuth session maxAge',
      path: 'src/auth.ts',
      code: "import NextAuth from 'next-auth';\nexport const { handlers, auth } = NextAuth({\n  providers: [GitHub],\n  session: { strategy: 'jwt', maxAge: 90 * 24 * 60 * 60 },\n});\n",
      lines: [4],
      severity: 'P2',
    },
  ],
  valid: [
    "const accessToken = jwt.sign({ sub: user.id }, secret, { expiresIn: '15m' });",
    "const token = jwt.sign({ sub: user.id }, secret, { expiresIn: 60 * 60 * 24 });",
    {
      name: 'refresh token for 30 days',
      code: "const refreshToken = jwt.sign({ sub: user.id, jti }, process.env.REFRESH_TOKEN_SECRET!, { expiresIn: '30d' });\nawait prisma.refreshToken.create({ data: { jti, userId: user.id } });\n",
    },
    {
      name: 'a payload that says it is a refresh token',
      code: "const t = this.jwtService.sign({ sub: user.id, type: 'refresh' }, { expiresIn: '14d' });\n",
    },
    {
      name: 'invitation link token',
      code: "export function createInviteToken(email: string, orgId: string) {\n  return jwt.sign({ email, orgId }, INVITE_SECRET, { expiresIn: '7d' });\n}\n",
    },
    {
      name: 'email verification token',
      code: "const verificationToken = jwt.sign({ uid: user.id }, secret, { expiresIn: '3d' });\nawait mailer.sendVerification(user.email, verificationToken);\n",
    },
    {
      name: 'S3 presigned URL expiresIn is not a token',
      code: "const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key }), { expiresIn: 604800 });\n",
    },
    {
      name: 'jsonwebtoken string without a unit is milliseconds',
      code: "const token = jwt.sign(payload, secret, { expiresIn: '86400000' });\n",
    },
    {
      name: 'a theme cookie',
      code: "res.cookie('theme', 'dark', { maxAge: 365 * 24 * 60 * 60 * 1000 });\n",
    },
    {
      name: 'expiresIn from config only',
      code: "const token = jwt.sign(payload, config.jwt.secret, { expiresIn: config.jwt.accessTtl });\n",
    },
    {
      name: 'express-session keeps sessions server-side, where logout destroys them',
      code: "app.use(session({ store: new RedisStore({ client: redis }), secret: process.env.SESSION_SECRET!, cookie: { httpOnly: true, maxAge: 30 * 24 * 60 * 60 * 1000 } }));\n",
    },
    {
      name: 'NextAuth database sessions',
      path: 'src/auth.ts',
      code: "import NextAuth from 'next-auth';\nexport const { auth } = NextAuth({ adapter: PrismaAdapter(prisma), session: { strategy: 'database', maxAge: 30 * 24 * 60 * 60 } });\n",
    },
    {
      name: 'a cache maxAge',
      code: "app.use(express.static('public', { maxAge: 7 * 24 * 60 * 60 * 1000 }));\n",
    },
  ],
});

ruleTable('long-lived-token', {
  language: 'py',
  invalid: [
    {
      name: 'PyJWT exp claim a week out',
      path: 'app/auth/tokens.py',
      code: `import jwt
from datetime import datetime, timedelta, timezone

def create_access_token(user):
    payload = {"sub": str(user.id), "exp": datetime.now(timezone.utc) + timedelta(days=7)}
    return jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")
`,
      lines: [5],
      message: /7 days/,
    },
    {
      name: 'FastAPI template setting: 8 days in minutes',
      path: 'app/core/config.py',
      code: `class Settings(BaseSettings):
    SECRET_KEY: str
    # 60 minutes * 24 hours * 8 days = 8 days
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8
`,
      lines: [4],
      message: /8 days/,
    },
    {
      name: 'SimpleJWT access lifetime',
      path: 'config/settings.py',
      code: `SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(days=30),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=60),
    "ROTATE_REFRESH_TOKENS": True,
}
`,
      lines: [2],
    },
    {
      name: 'flask-jwt-extended config',
      path: 'app/__init__.py',
      code: 'app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(days=30)\n',
      lines: [1],
    },
    {
      name: 'create_access_token with expires_delta',
      path: 'app/routes/auth.py',
      code: `@bp.post("/login")
def login():
    user = authenticate(request.json["email"], request.json["password"])
    token = create_access_token(identity=user.id, expires_delta=timedelta(hours=72))
    return {"access_token": token}
`,
      lines: [4],
      message: /3 days/,
    },
    {
      name: 'exp as epoch arithmetic',
      path: 'app/auth/admin.py',
      code: `def admin_token(admin):
    claims = {"sub": admin.id, "role": "admin", "exp": int(time.time()) + 14 * 24 * 3600}
    return jwt.encode(claims, KEY, algorithm="HS256")
`,
      lines: [2],
      message: /privileged token stays valid for 14 days/,
    },
    {
      name: 'exp from a timestamp: `timestamp` is the only word of requires here',
      path: 'app/auth/tokens.py',
      code: `def issue(user, issued_at):
    claims = {"sub": user.id, "exp": issued_at.timestamp() + 30 * 86400}
    return jwt.encode(claims, KEY, algorithm="HS256")
`,
      lines: [2],
      message: /30 days/,
    },
    {
      name: 'a token lifetime setting in hours',
      path: 'app/core/config.py',
      code: 'ACCESS_TOKEN_TTL_HOURS = 72\n',
      lines: [1],
      message: /3 days/,
    },
    {
      name: 'a session cookie for a month',
      path: 'app/routes/auth.py',
      code: `def login(request):
    response = redirect("/")
    response.set_cookie("session", make_session(request.user), max_age=30 * 24 * 3600, httponly=True)
    return response
`,
      lines: [3],
      severity: 'P2',
    },
    {
      name: 'Flask cookie session lifetime a month (weaker)',
      path: 'app/config.py',
      code: 'class ProductionConfig(Config):\n    PERMANENT_SESSION_LIFETIME = timedelta(days=30)\n',
      lines: [2],
      severity: 'P2',
    },
  ],
  valid: [
    {
      name: 'short exp',
      path: 'app/auth/tokens.py',
      code: 'payload = {"sub": uid, "exp": datetime.utcnow() + timedelta(minutes=15)}\n',
    },
    {
      name: 'refresh token for 30 days',
      path: 'app/auth/tokens.py',
      code: `def create_refresh_token(user):
    payload = {"sub": str(user.id), "exp": datetime.utcnow() + timedelta(days=30), "jti": uuid4().hex}
    return jwt.encode(payload, settings.REFRESH_SECRET, algorithm="HS256")
`,
    },
    {
      name: 'claims say refresh',
      path: 'app/auth/tokens.py',
      code: 'token = jwt.encode({"sub": uid, "type": "refresh", "exp": now + timedelta(days=14)}, KEY)\n',
    },
    {
      name: 'SimpleJWT refresh lifetime only',
      path: 'config/settings.py',
      code: 'SIMPLE_JWT = {"ACCESS_TOKEN_LIFETIME": timedelta(minutes=5), "REFRESH_TOKEN_LIFETIME": timedelta(days=1)}\n',
    },
    {
      name: 'password reset token lifetime',
      path: 'app/core/config.py',
      code: 'EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48\n',
    },
    {
      name: 'a cache TTL in days',
      path: 'app/cache.py',
      code: 'CACHE_TTL_DAYS = 30\nresult_expires = timedelta(days=7)\n',
    },
    {
      name: 'access token expire minutes within a day',
      path: 'app/core/config.py',
      code: 'ACCESS_TOKEN_EXPIRE_MINUTES = 60\n',
    },
    {
      name: 'Django sessions live server-side',
      path: 'config/settings/production.py',
      code: 'SESSION_COOKIE_AGE = 60 * 60 * 24 * 30\n',
    },
    {
      name: 'a framework default table',
      path: 'flask/app.py',
      code: 'default_config = ImmutableDict({"DEBUG": None, "PERMANENT_SESSION_LIFETIME": timedelta(days=31)})\n',
    },
    {
      name: 'a signed download link',
      path: 'app/files.py',
      code: 'def download_link(f):\n    return jwt.encode({"file": f.id, "exp": datetime.utcnow() + timedelta(days=7)}, KEY)\n',
    },
  ],
});
