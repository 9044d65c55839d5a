import { ruleTable } from '../support/rule-tester.js';

ruleTable('eager-client-init', {
  language: 'ts',
  invalid: [
    {
      name: 'knex at module level in a Next.js route handler',
      path: 'app/api/orders/route.ts',
      code: `
import knex from 'knex';

export const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });

export async function GET() {
  return Response.json(await db('orders').limit(50));
}`,
      lines: [4],
      severity: 'P2',
      message: /`db = knex\(…\)` builds a connection pool while this serverless module is imported/,
    },
    {
      name: 'pg Pool in a pages/api route',
      path: 'pages/api/users.ts',
      code: `
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const { rows } = await pool.query('SELECT id, email FROM users LIMIT 20');
  res.json(rows);
}`,
      lines: [4],
    },
    {
      name: 'ioredis connecting at import in a Vercel function',
      path: 'api/rate.ts',
      code: `
import Redis from 'ioredis';

const redis = new Redis(process.env.REDIS_URL!);

export default async function handler(req: VercelRequest, res: VercelResponse) {
  const hits = await redis.incr(\`rate:\${req.headers['x-forwarded-for']}\`);
  res.json({ hits });
}`,
      lines: [4],
      message: /opens a connection while this serverless module is imported/,
    },
    {
      name: 'node-redis createClient + connect at module level',
      path: 'netlify/functions/session.ts',
      code: `
import { createClient } from 'redis';

const client = createClient({ url: process.env.REDIS_URL });
await client.connect();

export const handler: Handler = async (event) => {
  const session = await client.get(\`session:\${event.headers.cookie}\`);
  return { statusCode: 200, body: session ?? '{}' };
};`,
      lines: [4],
    },
    {
      name: 'bare PrismaClient in a route module',
      path: 'src/app/api/projects/route.ts',
      code: `
import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();

export async function GET() {
  return Response.json(await prisma.project.findMany());
}`,
      lines: [4],
    },
    {
      name: 'AWS Lambda handler file with a mysql2 pool',
      path: 'src/functions/report.ts',
      code: `
import mysql from 'mysql2/promise';

const pool = mysql.createPool({ uri: process.env.DATABASE_URL, connectionLimit: 10 });

export const handler = async (event: APIGatewayProxyEvent) => {
  const [rows] = await pool.query('SELECT COUNT(*) AS n FROM orders');
  return { statusCode: 200, body: JSON.stringify(rows) };
};`,
      lines: [4],
    },
    {
      name: 'pg Client connected at import (CommonJS Lambda)',
      path: 'lambdas/sync.js',
      code: `
const { Client } = require('pg');

const client = new Client({ connectionString: process.env.DATABASE_URL });
client.connect();

exports.handler = async () => {
  await client.query('REFRESH MATERIALIZED VIEW daily_totals');
};`,
      lines: [4],
    },
    {
      name: 'SDK api key set globally from process.env in a Vercel function',
      path: 'api/search.ts',
      code: `
import algoliasearch from 'algoliasearch';

algolia.apiKey = process.env.ALGOLIA_ADMIN_KEY;

export default async function search(req: Request) {
  return Response.json(await algolia.search(new URL(req.url).searchParams.get('q') ?? ''));
}`,
      lines: [4],
      message: /`algolia.apiKey` is set globally from `ALGOLIA_ADMIN_KEY`/,
    },
  ],
  valid: [
    {
      name: 'lazy getter in a route handler',
      path: 'app/api/orders/route.ts',
      code: `
import { Pool } from 'pg';

let pool: Pool | undefined;
function getPool() {
  return (pool ??= new Pool({ connectionString: process.env.DATABASE_URL, max: 1 }));
}

export async function GET() {
  const { rows } = await getPool().query('SELECT * FROM orders LIMIT 50');
  return Response.json(rows);
}`,
    },
    {
      name: "Prisma's documented global singleton",
      path: 'app/api/projects/route.ts',
      code: `
import { PrismaClient } from '@prisma/client';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
export const prisma = globalForPrisma.prisma ?? new PrismaClient();
if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;

export async function GET() {
  return Response.json(await prisma.project.findMany());
}`,
    },
    {
      name: 'a long-running server entrypoint',
      path: 'src/server.ts',
      code: `
import { Pool } from 'pg';
import Redis from 'ioredis';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const redis = new Redis(process.env.REDIS_URL!);

app.listen(3000);`,
    },
    {
      name: 'Upstash Redis is HTTP, nothing to connect',
      path: 'app/api/rate/route.ts',
      code: `
import { Redis } from '@upstash/redis';

const redis = new Redis({ url: process.env.UPSTASH_REDIS_REST_URL!, token: process.env.UPSTASH_REDIS_REST_TOKEN! });

export async function POST(req: Request) {
  return Response.json({ hits: await redis.incr('hits') });
}`,
    },
    {
      name: 'ioredis with lazyConnect',
      path: 'api/cache.ts',
      code: `
import Redis from 'ioredis';

const redis = new Redis(process.env.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });

export default async function handler(req: VercelRequest, res: VercelResponse) {
  res.json({ value: await redis.get('key') });
}`,
    },
    {
      name: 'node-redis client connected inside the handler',
      path: 'netlify/functions/session.ts',
      code: `
import { createClient } from 'redis';

const client = createClient({ url: process.env.REDIS_URL });

export const handler: Handler = async (event) => {
  if (!client.isOpen) await client.connect();
  return { statusCode: 200, body: (await client.get('k')) ?? '' };
};`,
    },
    {
      name: 'client created inside the request',
      path: 'pages/api/report.ts',
      code: `
import knex from 'knex';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 0, max: 1 } });
  try {
    res.json(await db('orders').count());
  } finally {
    await db.destroy();
  }
}`,
    },
  ],
});

ruleTable('eager-client-init', {
  language: 'py',
  invalid: [
    {
      name: 'psycopg2.connect at module level in a Lambda handler',
      path: 'handler.py',
      code: `
import os
import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])

def handler(event, context):
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM orders")
        return {"statusCode": 200, "body": str(cur.fetchone()[0])}
`,
      lines: [5],
      severity: 'P2',
      message: /opens a connection while this serverless module is imported/,
    },
    {
      name: 'redis.Redis at module level in a Vercel Python function',
      path: 'api/hits.py',
      code: `
import os
import redis
from http.server import BaseHTTPRequestHandler

r = redis.Redis.from_url(os.environ["REDIS_URL"])

class handler(BaseHTTPRequestHandler):
    def do_GET(self):
        hits = r.incr("hits")
        self.send_response(200)
        self.end_headers()
        self.wfile.write(str(hits).encode())
`,
      lines: [6],
      message: /builds a connection pool/,
    },
    {
      name: 'pymysql connection in lambda_function.py',
      path: 'lambda_function.py',
      code: `
import pymysql

connection = pymysql.connect(host=RDS_HOST, user=USER, password=PASSWORD, database=DB)

def lambda_handler(event, context):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return {"ok": True}
`,
      lines: [4],
    },
    {
      name: 'stripe.api_key from the environment in a Lambda',
      path: 'lambdas/checkout.py',
      code: `
import os
import stripe

stripe.api_key = os.environ["STRIPE_SECRET_KEY"]

def handler(event, context):
    session = stripe.checkout.Session.create(mode="payment", line_items=json.loads(event["body"]))
    return {"statusCode": 200, "body": session.url}
`,
      lines: [5],
      message: /`stripe\.api_key` is set globally from `STRIPE_SECRET_KEY`/,
    },
    {
      name: 'openai.api_key set at import in a Django views module',
      path: 'assistant/views.py',
      code: `
import os
import openai

openai.api_key = os.getenv("OPENAI_API_KEY")

def ask(request):
    answer = openai.ChatCompletion.create(model="gpt-4o-mini", messages=[{"role": "user", "content": request.POST["q"]}])
    return JsonResponse({"answer": answer.choices[0].message.content})
`,
      lines: [5],
    },
    {
      name: 'psycopg2 pool in a FastAPI app wrapped by Mangum',
      path: 'app/main.py',
      code: `
from psycopg2 import pool
from mangum import Mangum

db_pool = pool.SimpleConnectionPool(1, 10, dsn=DATABASE_URL)
app = FastAPI()
handler = Mangum(app)
`,
      lines: [5],
    },
  ],
  valid: [
    {
      name: 'lazy connection behind a getter',
      path: 'handler.py',
      code: `
import psycopg2

_conn = None

def get_conn():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg2.connect(os.environ["DATABASE_URL"])
    return _conn

def handler(event, context):
    with get_conn().cursor() as cur:
        cur.execute("SELECT 1")
`,
    },
    {
      name: 'connection opened inside the handler',
      path: 'lambda_function.py',
      code: `
def lambda_handler(event, context):
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
    finally:
        conn.close()
`,
    },
    {
      name: 'a long-running Django module',
      path: 'core/db.py',
      code: `
import redis

r = redis.Redis.from_url(settings.REDIS_URL)
conn = psycopg2.connect(settings.ANALYTICS_DSN)
`,
    },
    {
      name: 'SDK key set inside a function',
      path: 'lambdas/checkout.py',
      code: `
import stripe

def handler(event, context):
    stripe.api_key = os.environ["STRIPE_SECRET_KEY"]
    return stripe.checkout.Session.create(mode="payment")
`,
    },
    {
      name: 'SQLAlchemy engine (lazy) and boto3 client at module level',
      path: 'api/export.py',
      code: `
engine = create_engine(os.environ["DATABASE_URL"], pool_size=1)
s3 = boto3.client("s3")

def handler(event, context):
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT 1")).all()
    s3.put_object(Bucket=BUCKET, Key="x", Body=str(rows))
`,
    },
    {
      name: 'an API key from a constant, not the environment',
      path: 'lambdas/test_mode.py',
      code: `
import stripe

stripe.api_version = "2024-06-20"

def handler(event, context):
    return {"statusCode": 200}
`,
    },
    {
      name: 'sqlite3 file connection',
      path: 'api/local.py',
      code: `
import sqlite3

conn = sqlite3.connect("/tmp/cache.db")

def handler(event, context):
    return conn.execute("SELECT 1").fetchone()
`,
    },
  ],
});
