import { ruleTable } from '../support/rule-tester.js';

ruleTable('timing-unsafe-compare', {
  language: 'ts',
  invalid: [
    {
      code: `app.post('/webhooks/github', express.raw({ type: 'application/json' }), (req, res) => {
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(req.body).digest('hex');
  if (req.headers['x-hub-signature-256'] !== expected) return res.status(401).end();
  res.sendStatus(204);
});`,
      lines: [3],
      message: /x-hub-signature-256.* is compared with `!==`/,
    },
    `export function requireApiKey(req: Request, res: Response, next: NextFunction) {
  if (req.headers['x-api-key'] !== process.env.INTERNAL_API_KEY) return res.status(403).json({ error: 'forbidden' });
  next();
}`,
    `export async function verifyOtp(userId: string, body: { code: string }) {
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
  if (user.otpCode !== body.code) throw new UnauthorizedException('invalid code');
  return prisma.user.update({ where: { id: userId }, data: { otpCode: null } });
}`,
    `fastify.post('/hooks/billing', async (request, reply) => {
  const signature = createHmac('sha256', fastify.config.BILLING_SECRET).update(request.rawBody).digest('base64');
  if (signature === request.headers['x-billing-signature']) return handle(request.body);
  return reply.code(401).send();
});`,
    `@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly configService: ConfigService) {}
  canActivate(context: ExecutionContext): boolean {
    const apiKey = context.switchToHttp().getRequest().headers['x-api-key'];
    return apiKey === this.configService.get('API_KEY');
  }
}`,
    `const record = await db('password_resets').where({ email }).first();
if (!record || record.resetToken !== token) throw new Error('invalid or expired link');`,
    `if (hmac != providedHmac) { return new Response('bad signature', { status: 401 }); }`,
    {
      path: 'app/api/revalidate/route.ts',
      code: `export async function POST(request: NextRequest) {
  const secret = request.nextUrl.searchParams.get('secret');
  if (secret !== process.env.REVALIDATE_SECRET) return NextResponse.json({ ok: false }, { status: 401 });
  revalidatePath('/');
  return NextResponse.json({ ok: true });
}`,
    },    {
      name: 'an "auth header" pair: only the word header lets the file in',
      code: `if (req.get('X-Auth-Header') !== authHeaderValue) return res.sendStatus(401);`,
    },
    {
      name: 'a verification code: only the word code lets the file in',
      code: `if (user.smsCode !== body.smsCode) throw new UnauthorizedException();`,
    },
  ],
  valid: [
    `if (token === undefined || token === null) return res.status(401).end();`,
    `if (tokenType === 'bearer' && payload.typ !== 'refresh') next();`,
    `if (signature.length !== expected.length) return false;
return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected));`,
    `if (typeof apiKey !== 'string') throw new BadRequestException('x-api-key header missing');`,
    `do {
  const page = await client.send(new ListObjectsV2Command({ Bucket, ContinuationToken: nextToken }));
  if (page.NextContinuationToken === nextToken) break;
  nextToken = page.NextContinuationToken;
} while (nextToken);`,
    {
      name: 'browser form: nobody to time but the user',
      path: 'src/components/SignupForm.tsx',
      code: `export function SignupForm() {
  const [password, setPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const mismatch = password !== confirmPassword;
  return <form>{mismatch && <p>Passwords differ</p>}</form>;
}`,
    },
    `if (req.user.id !== session.userId) throw new ForbiddenException();`,
    `user.pushTokens = user.pushTokens.filter((t) => t.deviceToken !== deviceToken);`,
    `if (apiKey.status === ApiKeyStatus.Revoked) return reply.code(401).send();`,
    `const ok = crypto.timingSafeEqual(Buffer.from(digest), Buffer.from(String(header)));`,
    {
      name: 'a data fingerprint called signature, in a file that signs nothing',
      code: `function renderToggles(defs: Def[]) {
  const signature = defs.map((d) => d.id).join(',');
  if (state.toggleSignature !== signature) rebuild(defs);
}`,
    },
    `const stale = () => Boolean(result && signature(read()) !== signature(result.query));`,
    `if (this.serverClient && this.serverClientApiKey === apiKey) return this.serverClient;`,
    `if (res.headers['sec-websocket-accept'] !== digest) return abortHandshake(socket, 'Invalid Sec-WebSocket-Accept header');`,
    `export class Credentials {
  equals(other: Credentials) { return this.username === other.username && this.password === other.password; }
}`,
  ],
});

ruleTable('timing-unsafe-compare', {
  language: 'py',
  invalid: [
    {
      code: `import hmac, hashlib
def verify(request):
    expected = hmac.new(settings.WEBHOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    if request.headers.get("X-Signature") != expected:
        return HttpResponseForbidden()`,
      lines: [4],
      message: /X-Signature.* is compared with `!=`/,
    },
    {
      name: 'FastAPI API key dependency, suggestion with the imported module',
      code: `import secrets
from fastapi import Header, HTTPException
def require_api_key(x_api_key: str = Header(...)):
    api_key = x_api_key
    if api_key != settings.API_KEY:
        raise HTTPException(status_code=403)`,
      lines: [5],
      suggestion: '    if not secrets.compare_digest(api_key, settings.API_KEY):',
    },
    {
      code: `import hmac
def confirm_login(user, submitted_code):
    if user.otp_code == submitted_code:
        login(user)`,
      suggestion: '    if hmac.compare_digest(user.otp_code, submitted_code):',
    },
    `@app.post("/hooks/shop")
def shop_hook():
    computed_signature = sign(request.get_data())
    if request.headers["X-Shop-Signature"] == computed_signature:
        process(request.json)`,
    `@app.get("/admin/export")
def export():
    if request.args.get("token") != current_app.config["ADMIN_TOKEN"]:
        abort(403)
    return send_file(build_export())`,
    `@shared_task
def apply(payload):
    if payload["sig"] != sign(payload["body"]):
        raise PermissionDenied("bad signature")`,    {
      name: 'pass_word joins to password: only the word "word" lets the file in',
      code: `def check(form, user):
    if user.pass_word != form["pass_word"]:
        raise Forbidden()`,
    },
    {
      name: 'a PIN: only the word pin lets the file in',
      code: `if account.pin != request.POST["pin"]:
    raise Forbidden()`,
    },
  ],
  valid: [
    `if token is None:
    raise AuthenticationFailed("missing token")`,
    `if token_type != "bearer":
    raise AuthenticationFailed("unsupported token type")`,
    `if len(signature) != 64:
    return False`,
    `if not hmac.compare_digest(signature, expected):
    return HttpResponseForbidden()`,
    `if user.api_key_id == key_id:
    return user`,
    `if request.user.pk != token.user_id:
    raise PermissionDenied()`,
    `while True:
    page = client.list(page_token=page_token)
    if page.next_page_token == page_token:
        break`,
    `if conn_index.sig != metadata_index.sig:
    diffs.append(("modify_index", conn_index, metadata_index))`,
    `def find_invitation(token):
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    return next((i for i in invitations if i.token_hash == token_hash), None)`,
    `if settings.SECRET_KEY == "":
    raise ImproperlyConfigured("SECRET_KEY is empty")`,
  ],
});
