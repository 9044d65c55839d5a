import { ruleTable } from '../support/rule-tester.js';

ruleTable('http-no-timeout', {
  language: 'ts',
  invalid: [
    {
      code: `import { Router } from 'express';
export const invoices = Router();
invoices.get('/:id', async (req, res) => {
  const upstream = await fetch(\`\${BILLING_URL}/invoices/\${req.params.id}\`);
  res.status(upstream.status).json(await upstream.json());
});`,
      lines: [4],
      message: /`fetch\(\)` has no `signal`/,
      suggestion: '  const upstream = await fetch(`${BILLING_URL}/invoices/${req.params.id}`, { signal: AbortSignal.timeout(10_000) });',
    },
    {
      code: `import express from 'express';
export async function notify(url: string, body: string) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}`,
      suggestion: "  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });",
    },
    {
      code: `import axios from 'axios';
import { Injectable } from '@nestjs/common';
@Injectable()
export class GeoService {
  async lookup(ip: string) {
    const { data } = await axios.get(\`https://geo.example.net/\${ip}\`);
    return data;
  }
}`,
      lines: [6],
      suggestion: '    const { data } = await axios.get(`https://geo.example.net/${ip}`, { timeout: 10_000 });',
    },
    {
      code: `import axios from 'axios';
export const pushEvent = (event: object) => axios.post(WEBHOOK_URL, event, { headers: { 'x-api-key': API_KEY } });`,
      suggestion: "export const pushEvent = (event: object) => axios.post(WEBHOOK_URL, event, { headers: { 'x-api-key': API_KEY }, timeout: 10_000 });",
    },
    {
      code: `import axios from 'axios';
export const crm = axios.create({ baseURL: process.env.CRM_URL });`,
      message: /`axios.create\(\)` makes a client without a `timeout`/,
      suggestion: 'export const crm = axios.create({ baseURL: process.env.CRM_URL, timeout: 10_000 });',
    },
    {
      code: `import { Worker } from 'bullmq';
import got from 'got';
export const worker = new Worker('enrich', async (job) => {
  const profile = await got(\`https://api.clearbit.example/v2/people/\${job.data.email}\`).json();
  await db('profiles').insert(profile);
});`,
      lines: [4],
      suggestion: '  const profile = await got(`https://api.clearbit.example/v2/people/${job.data.email}`, { timeout: { request: 10_000 } }).json();',
    },
    `import got from 'got';
export const github = got.extend({ prefixUrl: 'https://api.github.com', headers: { 'user-agent': 'acme' } });`,
    {
      path: 'app/api/weather/route.ts',
      code: `export async function GET(request: NextRequest) {
  const res = await fetch('https://api.weather.example/now', { headers: { accept: 'application/json' } });
  return NextResponse.json(await res.json());
}`,
    },
    `import axios from 'axios';
export async function charge(amount: number) {
  return axios.request({ url: PAYMENTS_URL, method: 'POST', data: { amount } });
}`,
  ],
  valid: [
    `import express from 'express';
export const ping = () => fetch(HEALTH_URL, { signal: AbortSignal.timeout(2_000) });`,
    `import axios from 'axios';
const api = axios.create({ baseURL: process.env.API_URL, timeout: 5_000 });
export const getUser = (id: string) => api.get(\`/users/\${id}\`);`,
    {
      path: 'src/components/Profile.tsx',
      code: `export function Profile() {
  useEffect(() => { fetch('/api/me').then((r) => r.json()).then(setMe); }, []);
  return null;
}`,
    },
    {
      path: 'src/lib/api.ts',
      code: `'use client';
export const loadCart = () => fetch('/api/cart').then((r) => r.json());`,
    },
    `import axios from 'axios';
export const fetchReport = (url: string, config: AxiosRequestConfig) => axios.get(url, config);`,
    `import axios from 'axios';
axios.defaults.timeout = 10_000;
export const getRates = () => axios.get(RATES_URL);`,
    `import got from 'got';
export const rates = () => got(RATES_URL, { timeout: { request: 5_000 } }).json();`,
    `@Injectable()
export class RatesService {
  constructor(private readonly http: HttpService) {}
  rates() { return this.http.get(RATES_URL); }
}`,
    `import express from 'express';
const ResponseClass = (await fetch('data:,')).constructor;`,
    {
      name: 'a Redux thunk runs in the browser',
      path: 'src/store/productSlice.ts',
      code: `import { createAsyncThunk } from '@reduxjs/toolkit';
import axios from 'axios';
export const fetchProducts = createAsyncThunk('product/fetch', async () => (await axios.get('/api/products')).data);`,
    },
    {
      name: 'a one-off script that runs its own main()',
      path: 'src/validate-token.js',
      code: `const axios = require('axios');
async function main() {
  const me = await axios.get(\`https://graph.facebook.com/v19.0/me?access_token=\${process.env.META_TOKEN}\`);
  console.log(me.data.name);
}
main();`,
    },
    { path: 'scripts/seed.ts', code: `const res = await fetch(SEED_URL);\nawait prisma.plan.createMany({ data: await res.json() });` },
    `import express from 'express';
export const forward = (url: string, init: RequestInit) => fetch(url, { ...init, method: 'POST' });`,
  ],
});

ruleTable('http-no-timeout', {
  language: 'py',
  invalid: [
    {
      code: `import requests
def fetch_rates():
    return requests.get(RATES_URL).json()`,
      suggestion: '    return requests.get(RATES_URL, timeout=10).json()',
    },
    {
      code: `@shared_task
def notify(event_id):
    requests.post(WEBHOOK_URL, json=load(event_id), headers={"X-Api-Key": settings.API_KEY})`,
      suggestion: '    requests.post(WEBHOOK_URL, json=load(event_id), headers={"X-Api-Key": settings.API_KEY}, timeout=10)',
    },
    {
      code: `def sync_customer(customer):
    response = requests.put(
        f"{CRM_URL}/customers/{customer.id}",
        json=customer.as_dict(),
    )
    response.raise_for_status()`,
      lines: [2],
      suggestion: '        json=customer.as_dict(), timeout=10,',
    },
    {
      code: `from urllib.request import urlopen, Request
def get_jwks():
    return json.load(urlopen(Request(JWKS_URL)))`,
      suggestion: '    return json.load(urlopen(Request(JWKS_URL), timeout=10))',
    },
    {
      name: 'httpx client with its default timeout turned off',
      code: `import httpx
async def fetch_rates():
    async with httpx.AsyncClient(timeout=None) as client:
        return (await client.get(RATES_URL)).json()`,
      lines: [3],
      message: /turns off httpx's 5 s default/,
      suggestion: '    async with httpx.AsyncClient(timeout=10) as client:',
    },
    {
      name: 'httpx call with Timeout(None)',
      code: `import httpx
def get_user(uid):
    return httpx.get(f"{USERS_URL}/{uid}", timeout=httpx.Timeout(None)).json()`,
      lines: [3],
    },
    {
      name: 'httpx Client imported by name',
      code: `from httpx import Client
client = Client(base_url=BILLING_URL, timeout=None)`,
      lines: [2],
    },
    {
      name: 'aiohttp ClientTimeout with no bound',
      code: `from aiohttp import ClientSession, ClientTimeout
async def poll():
    async with ClientSession(timeout=ClientTimeout(total=None)) as session:
        return await (await session.get(STATUS_URL)).json()`,
      lines: [3],
      message: /sets no bound/,
    },
    { code: `import boto3\ns3 = boto3.client("s3")`, severity: 'P2', message: /no `Config` with timeouts/ },
    { code: `import boto3\nfrom botocore.config import Config\nsqs = boto3.client("sqs", config=Config(retries={"max_attempts": 3}))`, severity: 'P2' },
    `class ProfileView(APIView):
    def get(self, request):
        r = requests.get(f"{AUTH_URL}/userinfo", headers={"Authorization": request.headers["Authorization"]})
        return Response(r.json())`,
  ],
  valid: [
    `r = requests.get(RATES_URL, timeout=5)`,
    `r = httpx.get(RATES_URL)`,
    `r = httpx.get(RATES_URL, timeout=10)`,
    `client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))`,
    `client = httpx.Client(timeout=httpx.Timeout(None, connect=5.0))`,
    `timeout = aiohttp.ClientTimeout(total=30)`,
    `timeout = aiohttp.ClientTimeout(total=None, sock_read=30)`,
    // Not httpx's Client: nothing says where it comes from.
    `from myapp.rpc import Client\nclient = Client(timeout=None)`,
    `def call(method, url, **kwargs):
    return requests.request(method, url, **kwargs)`,
    `import boto3\nfrom botocore.config import Config\ns3 = boto3.client("s3", config=Config(connect_timeout=5, read_timeout=10))`,
    `import boto3\ns3 = boto3.client("s3", config=BOTO_CONFIG)`,
    `data = urlopen(JWKS_URL, timeout=5).read()`,
    {
      path: 'billing/management/commands/sync_rates.py',
      code: `class Command(BaseCommand):
    def handle(self, *args, **options):
        requests.get(RATES_URL).json()`,
    },
    `session = build_session()
r = session.get(RATES_URL)`,
    `def test_convert_endpoint():
    response = requests.post("http://localhost:8089/convert", data=b"# title")
    assert response.status_code == 200`,
    `if __name__ == "__main__":
    print(requests.get(HEALTH_URL).status_code)`,
  ],
});
