import { ruleTable } from '../support/rule-tester.js';

// Real-format keys are assembled at run time, so that this file holds no credential literal of
// its own: the repository's own scan reads test files for secrets, and so do GitHub's scanners.
const STRIPE_LIVE = 'sk_' + 'live_' + '51HxoTzKZ7RM8Jf53DGPw7cEnVAf99PiOe8F';
const STRIPE_TEST = 'sk_' + 'test_' + '51HxoTzKZ7RM8Jf53DGPw7cEnVAf99PiOe8F';
const STRIPE_PLACEHOLDER = 'sk_' + 'live_' + 'x'.repeat(24);
const WEBHOOK_SECRET = 'whsec_' + 'NMS2su7TdzFLclygGNUlGQ6kTmhzmVnG';
const AWS_KEY_ID = 'AK' + 'IA' + 'V5UZ3JY2VO5BBQ2L';
const AWS_SECRET = 'nYGbq5lI1pdpwmgiHszowlB/' + 'gmTQ1q5GNM+OO8gD';
const GITHUB_TOKEN = 'gh' + 'p_' + 'NMS2su7TdzFLclygGNUlGQ6kTmhzmVnG6lCI';
const SLACK_TOKEN = 'xo' + 'xb-' + '2948571036-5820193746-Zcqr5lS3uZvfYHE4';
const GOOGLE_KEY = 'AI' + 'za' + 'U4T1gTshjgwc2AUwdtxmupPGsojXPE6l1aN';
const SENDGRID_KEY = 'SG' + '.Zcqr5lS3uZvfYHE4ZlT1T9.' + 'roYMqrEOj2ZZKXWfTLDn36BGUDObGsbhOVOaUXRfqJF';
const PEM_BODY = [
  'RN0jxk+QgnzBPK5viUKK9bJ71KWgXtfxffQ8wCJgaPCYVDUVJ6ZZFaGuwc8H4qNL',
  '/6Tck8PCxwP7mHn1mcVFFFU+kOdQwzvD0PsYRm86dQHauZB1kvJQs95V5vKYNPXl',
  '41rlY5DHLervXoa4FjSswibNNLI60P9v8M4vlx78eh+i6stnmw19QUDMiu3ZCOnW',
];
const PEM = ['-----BEGIN RSA PRIVATE' + ' KEY-----', ...PEM_BODY, '-----END RSA PRIVATE KEY-----'].join('\n');
const PEM_ESCAPED = PEM.split('\n').join('\\n') + '\\n';
const PROD_DB_URL = 'postgresql://' + 'billing:' + 'h7Gk2Pq9Lm4Zx8Wt' + '@prod-db.cluster-c9x.eu-west-1.rds.amazonaws.com:5432/billing';
const MONGO_URL = 'mongodb+srv://' + 'orders:' + 'Qm7vT2xLp9Kd4Rz' + '@cluster0.x1y2z.mongodb.net/orders';
const REDIS_URL = 'redis://' + 'cache:' + 'Vb3nR8kW2qZt6Yp' + '@cache.internal:6379/0';
// Random values that are secrets only because of the name they are given.
const RANDOM_40 = 'xy3i6Xi0TDey86gObGXjZFV60zw5VzhrpRk9GpMK';
const DJANGO_KEY = 'django-insecure-' + ')_(kip&^reen12fb1)a-rsfnp!t!d7qwkj7&woeywpzwj*)as5';

ruleTable('hardcoded-secret', {
  language: 'ts',
  invalid: [
    {
      code: `import Stripe from 'stripe';
import { Router } from 'express';

const stripe = new Stripe('${STRIPE_LIVE}', { apiVersion: '2024-06-20' });
export const billing = Router();
billing.post('/checkout', async (req, res) => {
  const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: req.body.items });
  res.json({ url: session.url });
});`,
      lines: [4],
      message: /live Stripe secret key \(`sk_live_…`\)/,
    },
    {
      code: `import { Octokit } from '@octokit/rest';
const GITHUB_TOKEN = '${GITHUB_TOKEN}';
export const octokit = new Octokit({ auth: GITHUB_TOKEN });`,
      message: /GitHub token/,
    },
    {
      name: 'AWS key id by format, its secret by name',
      code: `import { S3Client } from '@aws-sdk/client-s3';
export const s3 = new S3Client({
  region: 'eu-west-1',
  credentials: {
    accessKeyId: '${AWS_KEY_ID}',
    secretAccessKey: '${AWS_SECRET}',
  },
});`,
      lines: [5, 6],
    },
    `import { WebClient } from '@slack/web-api';
export const slack = new WebClient('${SLACK_TOKEN}');`,
    `import sgMail from '@sendgrid/mail';
sgMail.setApiKey('${SENDGRID_KEY}');
export const sendMail = (to: string, html: string) => sgMail.send({ to, from: 'noreply@acme.io', subject: 'Hi', html });`,
    {
      code: `import jwt from 'jsonwebtoken';
const privateKey = \`${PEM}\`;
export const issue = (sub: string) => jwt.sign({ sub }, privateKey, { algorithm: 'RS256', expiresIn: '15m' });`,
      lines: [2],
      message: /RSA private key/,
    },
    {
      code: `import knex from 'knex';
export const db = knex({ client: 'pg', connection: '${PROD_DB_URL}', pool: { min: 0, max: 10 } });`,
      message: /postgresql URL with its password inline/,
    },
    {
      // Between the name and the literal: a parenthesis, a block comment, a line comment. The
      // literal's parent is asked only when the text before it allows a name.
      name: 'generated secrets under secret names with comments and parentheses before the value',
      code: `export const config = {
  apiKey: /* rotated in March */ '${RANDOM_40}',
};
export const signingSecret = ('${RANDOM_40}');
export const sessionSecret =
  // from the dashboard
  '${RANDOM_40}';`,
      lines: [2, 4, 7],
    },
    {
      name: 'NestJS JwtModule with a generated secret',
      code: `import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
@Module({
  imports: [JwtModule.register({ secret: '${RANDOM_40}', signOptions: { expiresIn: '15m' } })],
})
export class AuthModule {}`,
      message: /`secret` is set to a literal/,
    },
    `import type { FastifyInstance } from 'fastify';
export default async function webhooks(app: FastifyInstance) {
  app.post('/webhooks/stripe', { config: { rawBody: true } }, async (req) => {
    const event = app.stripe.webhooks.constructEvent(req.rawBody!, req.headers['stripe-signature'] as string, '${WEBHOOK_SECRET}');
    return { received: event.id };
  });
}`,
    {
      name: 'a Google key on the server (Gemini) is a secret',
      code: `import { GoogleGenerativeAI } from '@google/generative-ai';
export const genai = new GoogleGenerativeAI('${GOOGLE_KEY}');`,
    },
    {
      name: 'a live key in a test file is still a live key',
      path: 'test/billing.test.ts',
      code: `import Stripe from 'stripe';
const stripe = new Stripe('${STRIPE_LIVE}');
it('creates a customer', async () => { expect((await stripe.customers.create({})).id).toBeDefined(); });`,
    },
    {
      name: 'a MongoDB URL with its password: the scheme is all the requires gate has to go on',
      code: `import { MongoClient } from 'mongodb';
export const client = new MongoClient('${MONGO_URL}');`,
      message: /mongodb\+srv URL with its password inline/,
    },
    {
      name: 'Authorization header with a generated bearer token',
      code: `export const api = axios.create({ baseURL: 'https://api.vendor.io', headers: { Authorization: 'Bearer ${RANDOM_40}' } });`,
    },
  ],
  valid: [
    `import Stripe from 'stripe';
export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, { apiVersion: '2024-06-20' });`,
    {
      name: 'Stripe test-mode key in a test',
      path: 'test/billing.test.ts',
      code: `import Stripe from 'stripe';
const stripe = new Stripe('${STRIPE_TEST}');
it('lists prices', async () => { await stripe.prices.list(); });`,
    },
    `const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '${STRIPE_PLACEHOLDER}');`,
    `export const config = { apiKey: '<your-api-key>', webhookSecret: 'your-webhook-secret-here' };`,
    {
      name: 'a string that contains example code is not a key',
      code: `export const snippet = "const stripe = new Stripe('${STRIPE_LIVE}');";`,
    },
    {
      name: 'Firebase web config: the apiKey is public by design',
      path: 'src/lib/firebase.ts',
      code: `import { initializeApp } from 'firebase/app';
export const app = initializeApp({
  apiKey: '${GOOGLE_KEY}',
  authDomain: 'acme-prod.firebaseapp.com',
  projectId: 'acme-prod',
  appId: '1:123456789:web:abc123',
});`,
    },
    `export const STRIPE_SECRET_KEY_ENV = 'STRIPE_SECRET_KEY';
export const TOKEN_TYPE = 'Bearer';
export const passwordResetPath = '/auth/password-reset/confirm';`,
    `import knex from 'knex';
export default knex({ client: 'pg', connection: 'postgres://postgres:postgres@localhost:5432/app_dev' });`,
    `export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';`,
    `app.use((req, res, next) => { const apiKey = req.headers['x-api-key']; if (!apiKey) return res.status(401).end(); next(); });`,
    {
      name: 'generated-looking values named like secrets in tests are fixtures',
      path: 'test/auth.test.ts',
      code: `const secret = '${RANDOM_40}';
it('signs', () => { expect(jwt.sign({ sub: '1' }, secret)).toBeTruthy(); });`,
    },
    {
      name: 'a webhook signing secret and a private key in a test are fixtures',
      path: 'src/webhooks/stripe.test.ts',
      code: `const endpointSecret = '${WEBHOOK_SECRET}';
const signingKey = \`${PEM}\`;
it('rejects a bad signature', async () => { await expect(verify(payload, 'bad', endpointSecret)).rejects.toThrow(); });`,
    },
    `export const JWT_ALGORITHM = 'HS256';
export const sessionCookieName = '__Host-session-v2';`,
  ],
});

ruleTable('hardcoded-secret', {
  language: 'py',
  invalid: [
    {
      code: `import stripe
stripe.api_key = "${STRIPE_LIVE}"`,
      lines: [2],
    },
    {
      path: 'config/settings/production.py',
      code: `from .base import *  # noqa
DEBUG = False
SECRET_KEY = "${DJANGO_KEY}"`,
      message: /`SECRET_KEY` is set to a literal/,
    },
    {
      path: 'config/settings/production.py',
      code: `DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "app",
        "USER": "app",
        "PASSWORD": "${RANDOM_40}",
        "HOST": "db.internal",
    }
}`,
      lines: [6],
    },
    {
      code: `import boto3
s3 = boto3.client("s3", aws_access_key_id="${AWS_KEY_ID}", aws_secret_access_key="${AWS_SECRET}")`,
    },
    `SQLALCHEMY_DATABASE_URI = "${PROD_DB_URL.replace('postgresql://', 'postgresql+psycopg2://')}"`,
    {
      name: 'a key split by implicit concatenation is read whole (its text has no format prefix)',
      code: `from stripe import StripeClient
client = StripeClient("${STRIPE_LIVE.slice(0, 5)}" "${STRIPE_LIVE.slice(5)}")  # the live key`,
      message: /live Stripe secret key/,
    },
    {
      name: 'a secret under a secret name after an auth scheme, with spaces around it',
      code: `HEADERS = {"Authorization": "  Bearer ${RANDOM_40} "}`,
      lines: [1],
    },
    `from slack_sdk import WebClient
client = WebClient(token="${SLACK_TOKEN}")`,
    {
      name: 'Flask app.config secret',
      code: `from flask import Flask
app = Flask(__name__)
app.config["SECRET_KEY"] = "${RANDOM_40}"`,
      lines: [3],
    },
    {
      code: `SIGNING_KEY = """${PEM}
"""`,
      message: /private key/,
    },
    `from pydantic_settings import BaseSettings
class Settings(BaseSettings):
    github_token: str = "${GITHUB_TOKEN}"`,
    {
      name: 'a generated value under a `pin` name (requires has to keep `pin`, in every `mapping`)',
      code: `DEVICE_PIN = "${RANDOM_40}"`,
      lines: [1],
    },
    {
      name: 'an app password under a password setting',
      path: 'config/settings/production.py',
      code: `EMAIL_HOST = "smtp.gmail.com"
EMAIL_HOST_USER = "team@acme.io"
EMAIL_HOST_PASSWORD = "dujtqeryixlqvdfm"`,
      lines: [3],
    },
  ],
  valid: [
    `import os
SECRET_KEY = os.environ["SECRET_KEY"]`,
    `SECRET_KEY = "changeme"`,
    { path: 'config/settings/dev.py', code: `SECRET_KEY = "${DJANGO_KEY}"` },
    {
      path: 'tests/test_billing.py',
      code: `import stripe
stripe.api_key = "${STRIPE_TEST}"
def test_checkout(client):
    assert client.post("/checkout").status_code == 303`,
    },
    `DATABASE_URL = "postgresql://postgres:postgres@localhost:5432/app_test"`,
    `def configure():
    """Export STRIPE_API_KEY=${STRIPE_LIVE} before running, see the README."""`,
    `PASSWORD_RESET_TIMEOUT = 3600
TOKEN_URL = "https://oauth2.googleapis.com/token"`,
    `DEFAULT_PASSWORD_HASH = "pbkdf2_sha256$600000$Zcqr5lS3uZvfYHE4ZlT1T9$roYMqrEOj2ZZKXWfTLDn36BGUDObGsbhOVOa="`,
    `api_key = "<your-api-key>"
client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))`,
    `app = Flask(__name__)
app.secret_key = "fraud_detection_secret_key_2024"`,
    `SECRET_KEY = "not-a-secret&zbldkgh^t36tqa@$e*-16asoa!u(%$%2)asbmj71h^s##eq6e"`,
    `DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "USER": "app", "PASSWORD": "mysecretpassword"}}
EMAIL_HOST_PASSWORD = "Password123!"`,
  ],
});

ruleTable('hardcoded-secret', {
  invalid: [
    { name: 'a live key committed in a template .env file', path: '.env.example', code: `NODE_ENV=production\nSTRIPE_SECRET_KEY=${STRIPE_LIVE}\n`, lines: [2] },
    { name: 'a live key under a neutral name in a real .env file', path: '.env', code: `NODE_ENV=production\nSTRIPE=${STRIPE_LIVE}\n`, lines: [2] },
    {
      path: 'docker-compose.yml',
      code: `services:
  worker:
    image: acme/worker:1.4.2
    environment:
      - NODE_ENV=production
      - GITHUB_TOKEN=${GITHUB_TOKEN}
`,
      lines: [6],
    },
    { path: 'config/production.yaml', code: `server:\n  port: 8080\nauth:\n  jwt_secret: "${RANDOM_40}"\n`, lines: [4] },
    {
      path: 'deploy/service-account.json',
      code: `{
  "type": "service_account",
  "project_id": "acme-prod",
  "private_key": "${PEM_ESCAPED}",
  "client_email": "deployer@acme-prod.iam.gserviceaccount.com"
}`,
      lines: [4],
    },
    { name: 'a Redis URL with its password in YAML', path: 'config/production.yaml', code: `cache:\n  url: ${REDIS_URL}\n`, lines: [2] },
    { path: 'config/production.toml', code: `[mail]\nprovider = "sendgrid"\napi_key = "${SENDGRID_KEY}"\n`, lines: [3] },
    { path: 'Dockerfile', code: `FROM node:20-slim\nENV SENDGRID_API_KEY=${SENDGRID_KEY}\nCMD ["node", "dist/server.js"]\n`, lines: [2] },
    { path: 'Dockerfile', code: `FROM node:20-slim\nARG NPM_TOKEN=${RANDOM_40}\nRUN npm ci\n`, lines: [2] },
    {
      path: 'k8s/tls-secret.yaml',
      code: `apiVersion: v1
kind: Secret
metadata:
  name: api-tls
stringData:
  tls.key: |
${PEM.split('\n').map((l) => '    ' + l).join('\n')}
`,
      lines: [7],
    },
  ],
  valid: [
    { path: '.env.example', code: `STRIPE_SECRET_KEY=${STRIPE_PLACEHOLDER}\nDATABASE_URL=postgres://user:password@localhost:5432/app\n` },
    {
      path: '.github/workflows/release.yml',
      code: `jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: \${{ secrets.NPM_TOKEN }}
`,
    },
    {
      path: 'docker-compose.yml',
      code: `services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
  api:
    environment:
      - DATABASE_URL=postgres://postgres:postgres@db:5432/app
`,
    },
    {
      path: 'k8s/sealed-db.yaml',
      code: `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: db
spec:
  encryptedData:
    password: AgBy3i4OJSWK+PiTySYZZA${RANDOM_40}==
`,
    },
    {
      path: 'package.json',
      code: `{
  "name": "@acme/api",
  "version": "1.0.0",
  "scripts": { "start": "node dist/server.js" },
  "dependencies": { "stripe": "16.2.0" }
}`,
    },
    {
      path: 'openapi.yaml',
      code: `components:
  schemas:
    ApiKey:
      type: string
      example: ${STRIPE_LIVE}
`,
    },
    { path: 'Dockerfile', code: `FROM node:20-slim\nARG NPM_TOKEN\nENV NODE_ENV=production\nRUN --mount=type=secret,id=npm_token npm ci\n` },
    { path: '.env', code: `JWT_SECRET=change-me-in-production\nSESSION_SECRET=\n` },
    { name: 'a secret-named key in a real .env file is env-file-committed\'s finding, not a second comment', path: '.env.production', code: `STRIPE_SECRET_KEY=${STRIPE_LIVE}\n` },
  ],
});
