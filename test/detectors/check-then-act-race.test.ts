import { ruleTable } from '../support/rule-tester.js';

ruleTable('check-then-act-race', {
  language: 'ts',
  invalid: [
    {
      name: 'NestJS OTP verified, then deleted',
      code: `
@Injectable()
export class OtpService {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  async verify(userId: string, code: string) {
    const stored = await this.redis.get(\`otp:\${userId}\`);
    if (stored !== code) throw new UnauthorizedException('invalid code');
    await this.redis.del(\`otp:\${userId}\`);
    return this.sessions.issue(userId);
  }
}`,
      lines: [7],
      severity: 'P1',
      message: /read, compared \(line 8\) and deleted \(line 9\) in separate steps/,
    },
    {
      name: 'Express password-reset token',
      code: `
router.post('/password-reset/confirm', async (req, res) => {
  const key = \`reset:\${req.body.token}\`;
  const userId = await redis.get(key);
  if (userId !== req.body.userId) return res.status(400).json({ error: 'invalid token' });
  await redis.del(key);
  await users.setPassword(userId, req.body.password);
  res.sendStatus(204);
});`,
      lines: [4],
    },
    {
      name: 'rate limit counter read, checked, then set',
      code: `
export async function checkLimit(ip: string) {
  const count = Number(await redis.get(\`rl:\${ip}\`));
  if (count >= 100) throw new TooManyRequestsError();
  await redis.set(\`rl:\${ip}\`, count + 1, 'EX', 60);
}`,
      lines: [3],
      message: /written back \(line 5\)/,
    },
    {
      name: 'cache-manager in NestJS',
      code: `
@Injectable()
export class EmailConfirmationService {
  constructor(@Inject(CACHE_MANAGER) private readonly cacheManager: Cache, private readonly users: UsersService) {}

  async confirmEmail(email: string, token: string) {
    const expected = await this.cacheManager.get<string>(\`confirm:\${email}\`);
    if (expected !== token) throw new BadRequestException();
    await this.cacheManager.del(\`confirm:\${email}\`);
    await this.users.markConfirmed(email);
  }
}`,
      lines: [7],
    },
    {
      name: 'constant-time compare, then delete',
      code: `
export async function consumeMagicLink(id: string, secret: string) {
  const stored = await redis.get(\`magic:\${id}\`);
  if (!stored || !timingSafeEqual(Buffer.from(stored), Buffer.from(secret))) return null;
  await redis.del(\`magic:\${id}\`);
  return createSession(id);
}`,
      lines: [3],
    },
    {
      name: 'hash field read then hdel',
      code: `
export async function acceptInvite(nonce: string, email: string) {
  const invited = await redis.hget('invites', nonce);
  if (invited !== email) throw new Error('invite does not match');
  await redis.hdel('invites', nonce);
  await memberships.create(email);
}`,
      lines: [3],
    },
    {
      name: 'Vercel KV one-time code',
      path: 'app/api/verify/route.ts',
      code: `
export async function POST(req: Request) {
  const { phone, code } = await req.json();
  const expected = await kv.get<string>(\`sms:\${phone}\`);
  if (expected != code) return Response.json({ ok: false }, { status: 401 });
  await kv.del(\`sms:\${phone}\`);
  return Response.json({ ok: true });
}`,
      lines: [4],
    },
    {
      // Only a gap word (`kv` then a newline, the dot on the next line) lets this file in.
      name: 'Cloudflare KV calls broken before the dot',
      code: `
export async function redeem(env: Env, code: string, email: string) {
  const owner = await env.INVITES_KV
    .get(\`invite:\${code}\`);
  if (owner !== email) throw new Error('invalid invite');
  await env.INVITES_KV
    .delete(\`invite:\${code}\`);
}`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'GETDEL consumes atomically',
      code: `
export async function verify(userId: string, code: string) {
  const stored = await redis.getdel(\`otp:\${userId}\`);
  if (stored !== code) throw new UnauthorizedException();
}`,
    },
    {
      name: 'cache-aside read then fill',
      code: `
export async function getProfile(id: string) {
  const cached = await redis.get(\`profile:\${id}\`);
  if (cached) return JSON.parse(cached);
  const profile = await prisma.profile.findUnique({ where: { id } });
  await redis.set(\`profile:\${id}\`, JSON.stringify(profile), 'EX', 300);
  return profile;
}`,
    },
    {
      name: 'null check then fill',
      code: `
export async function getRates() {
  const cached = await cache.get('fx:rates');
  if (cached !== null) return JSON.parse(cached);
  const rates = await fetchRates();
  await cache.set('fx:rates', JSON.stringify(rates), 'EX', 60);
  return rates;
}`,
    },
    {
      name: 'claim with SET NX',
      code: `
export async function claimJob(jobId: string, me: string) {
  const owner = await redis.get(\`job:\${jobId}:owner\`);
  if (owner === me) return true;
  return (await redis.set(\`job:\${jobId}:owner\`, me, 'EX', 30, 'NX')) === 'OK';
}`,
    },
    {
      name: 'WATCH + MULTI',
      code: `
export async function consume(key: string, expected: string) {
  await redis.watch(key);
  const value = await redis.get(key);
  if (value !== expected) { await redis.unwatch(); return false; }
  const result = await redis.multi().del(key).exec();
  return result !== null;
}`,
    },
    {
      name: 'in-memory Map (synchronous, cannot interleave)',
      code: `
export function takePending(id: string, token: string) {
  const entry = store.get(id);
  if (entry !== token) return false;
  store.delete(id);
  return true;
}`,
    },
    {
      name: 'read one key, delete another',
      code: `
export async function verify(userId: string, code: string) {
  const stored = await redis.get(\`otp:\${userId}\`);
  if (stored !== code) {
    await redis.del(\`otp-attempts-window:\${userId}\`);
    throw new UnauthorizedException();
  }
}`,
    },
  ],
});

ruleTable('check-then-act-race', {
  language: 'py',
  invalid: [
    {
      name: 'Django cache OTP',
      code: `
def verify_otp(request):
    key = f"otp:{request.user.pk}"
    stored = cache.get(key)
    if stored != request.POST["code"]:
        return HttpResponseForbidden()
    cache.delete(key)
    login_second_factor(request)
    return redirect("home")
`,
      lines: [4],
      severity: 'P1',
      message: /deleted \(line 7\)/,
    },
    {
      name: 'redis-py token with decode',
      code: `
def confirm_email(token: str) -> None:
    stored = r.get(f"confirm:{token}")
    if stored is None or stored.decode() != "pending":
        raise InvalidToken()
    r.delete(f"confirm:{token}")
    mark_confirmed(token)
`,
      lines: [3],
    },
    {
      name: 'hmac.compare_digest then delete on a service',
      code: `
class MagicLinks:
    def consume(self, link_id: str, secret: str) -> bool:
        stored = self.redis.get(f"magic:{link_id}")
        if not stored or not hmac.compare_digest(stored, secret.encode()):
            return False
        self.redis.delete(f"magic:{link_id}")
        return True
`,
      lines: [4],
    },
    {
      name: 'rate limit counter read, checked, set',
      code: `
def check_rate(ip: str) -> None:
    count = int(r.get(f"rl:{ip}") or 0)
    if count >= 100:
        raise TooManyRequests()
    r.set(f"rl:{ip}", count + 1, ex=60)
`,
      lines: [3],
      message: /written back/,
    },
    {
      name: 'FastAPI async redis',
      code: `
@router.post("/verify")
async def verify(body: VerifyIn, redis: Redis = Depends(get_redis)):
    stored = await redis.get(f"sms:{body.phone}")
    if stored != body.code:
        raise HTTPException(status_code=401)
    await redis.delete(f"sms:{body.phone}")
    return {"ok": True}
`,
      lines: [4],
    },
    {
      name: 'named cache alias',
      code: `
def accept_invite(request, nonce):
    invited = caches["invites"].get(nonce)
    if invited != request.user.email:
        raise PermissionDenied
    caches["invites"].delete(nonce)
    Membership.objects.create(user=request.user)
`,
      lines: [3],
    },
    {
      name: 'Django cache attempt counter',
      code: `
def login_attempt(username):
    attempts = cache.get(f"login:{username}", 0)
    if attempts >= 5:
        raise Locked()
    cache.set(f"login:{username}", attempts + 1, 300)
`,
      lines: [3],
    },
    {
      // The short names (`r`, `kv`) are not gate words: with whitespace around the dot only the
      // gap words (a newline or space before `.get`, or before `get`) let the file in.
      name: 'redis-py read split across lines inside parentheses',
      code: `
def redeem_invite(r, code: str, email: str) -> None:
    owner = (r
             .get(f"invite:{code}"))
    if owner != email.encode():
        raise InvalidInvite()
    r.delete(f"invite:{code}")
`,
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'GETDEL',
      code: `
def verify_otp(user_id, code):
    stored = r.getdel(f"otp:{user_id}")
    return stored is not None and hmac.compare_digest(stored.decode(), code)
`,
    },
    {
      name: 'cache-aside',
      code: `
def get_rates():
    rates = cache.get("fx:rates")
    if rates is None:
        rates = fetch_rates()
        cache.set("fx:rates", rates, 60)
    return rates
`,
    },
    {
      name: 'cache.add claims atomically',
      code: `
def claim(job_id):
    if not cache.add(f"job:{job_id}", 1, 30):
        return False
    return True
`,
    },
    {
      name: 'inside a redis lock',
      code: `
def consume(link_id, secret):
    with r.lock(f"lock:magic:{link_id}", timeout=5):
        stored = r.get(f"magic:{link_id}")
        if stored != secret:
            return False
        r.delete(f"magic:{link_id}")
        return True
`,
    },
    {
      name: 'WATCH pipeline',
      code: `
def consume(key, expected):
    with r.pipeline() as pipe:
        pipe.watch(key)
        value = r.get(key)
        if value != expected:
            return False
        pipe.multi()
        pipe.delete(key)
        pipe.execute()
        return True
`,
    },
    {
      name: 'SET NX',
      code: `
def claim(job_id, me):
    owner = r.get(f"job:{job_id}")
    if owner == me:
        return True
    return bool(r.set(f"job:{job_id}", me, ex=30, nx=True))
`,
    },
    {
      name: 'INCR counts atomically',
      code: `
def check_rate(ip):
    count = r.incr(f"rl:{ip}")
    if count == 1:
        r.expire(f"rl:{ip}", 60)
    if count > 100:
        raise TooManyRequests()
`,
    },
  ],
});
