import { ruleTable } from '../support/rule-tester.js';

ruleTable('env-file-committed', {
  invalid: [
    {
      name: '.env with a live Stripe key and a random JWT secret',
      path: '.env',
      code: 'NODE_ENV=production\nPORT=3000\nSTRIPE_SECRET_KEY=sk_live_51H8xQ2LkdIwHu7ix0aB3cD4eF5gH6iJ7kL8mN9\nJWT_SECRET=9f2c1e7a4b6d8e0f1a3c5e7b9d1f3a5c\n',
      lines: [3, 4],
      message: /`STRIPE_SECRET_KEY` is committed/,
    },
    {
      name: '.env.production with a quoted webhook secret and a trailing comment',
      path: 'apps/api/.env.production',
      code: 'DATABASE_HOST=db.internal\nSTRIPE_WEBHOOK_SECRET="whsec_8fJ2kLm9QpR4sT6vW1xY3zA5bC7dE9"  # prod\n',
      lines: [2],
    },
    {
      name: '.env.local with an exported OpenAI key',
      path: '.env.local',
      code: 'export OPENAI_API_KEY=sk-proj-Zx81Kq0LmV2nB3cX4zA5sD6fG7hJ8kL9\nNEXT_PUBLIC_APP_URL=http://localhost:3000\n',
      lines: [1],
    },
    {
      name: 'production.env with a database URL whose password is real and host is remote',
      path: 'deploy/production.env',
      code: 'DATABASE_URL=postgres://app:Vq7%23nR2pLx9w@prod-db.c8x2.eu-west-1.rds.amazonaws.com:5432/app\nLOG_LEVEL=info\n',
      lines: [1],
      message: /password inside `DATABASE_URL`/,
    },
    {
      name: '.env.production keeps the database password even on localhost',
      path: '.env.production',
      code: 'DB_HOST=localhost\nDB_PASSWORD=DBIYZ_2024\n',
      lines: [2],
    },
    {
      name: '.env.staging with AWS credentials',
      path: '.env.staging',
      code: 'AWS_REGION=eu-west-1\nAWS_ACCESS_KEY_ID=AKIA4Q7XLZ2MNB5RT8WY\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ81kd9LmN\n',
      lines: [3],
    },
    {
      name: '.env.test with a real-looking Clerk secret is still a leak',
      path: '.env.test',
      code: 'CLERK_SECRET_KEY=sk_live_Qm3Xr8TfLp2Vn9Kd4Wz7Yb1Hc6Jg0Ns5\n',
      lines: [1],
      message: /not a test placeholder/,
    },
    {
      name: 'a session signing key in .env',
      path: 'server/.env',
      code: '# cookies\nSESSION_KEY=4e1b9a7c3d5f2e8a6b0c9d1e7f3a5b2c\nCOOKIE_DOMAIN=.acme.io\n',
      lines: [2],
    },
  ],
  valid: [
    {
      name: '.env.example with empty values and placeholders',
      path: '.env.example',
      code: 'STRIPE_SECRET_KEY=\nJWT_SECRET=change-me\nOPENAI_API_KEY=your-openai-key\nDATABASE_URL=postgres://user:password@localhost:5432/app\n',
    },
    {
      name: '.env.sample documents the variables',
      path: '.env.sample',
      code: 'SENDGRID_API_KEY=SG.xxxxxxxx.yyyyyyyy\nAUTH_SECRET=<generate with openssl rand -hex 32>\n',
    },
    {
      name: '.env.template may hold anything: it is meant to be committed',
      path: 'config/.env.template',
      code: 'GITHUB_CLIENT_SECRET={{ github_client_secret }}\n',
    },
    {
      name: '.env.test with test placeholders',
      path: '.env.test',
      code: 'JWT_SECRET=test-secret\nSTRIPE_SECRET_KEY=sk_test_123\nDATABASE_URL=postgres://postgres:postgres@localhost:5432/app_test\n',
    },
    {
      name: 'a .env for docker compose with stock local passwords',
      path: '.env',
      code: 'POSTGRES_PASSWORD=postgres\nDATABASE_URL=postgresql://app:s3cretpass@db:5432/app\nREDIS_URL=redis://redis:6379\n',
    },
    {
      name: 'non-secret settings with long values',
      path: '.env.production',
      code: 'NEXT_PUBLIC_API_URL=https://api.acme.io/v1\nSENTRY_ENVIRONMENT=production\nTOKEN_TTL=86400\nPASSWORD_MIN_LENGTH=12\n',
    },
    {
      name: 'secrets referenced from other variables',
      path: '.env',
      code: 'JWT_SECRET=${VAULT_JWT_SECRET}\nAPI_TOKEN=$CI_API_TOKEN\n',
    },
    {
      name: 'a local database password next to DB_HOST=localhost',
      path: '.env',
      code: 'DB_HOST=localhost\nDB_PORT=5432\nDB_USER=postgres\nDB_PASSWORD=postgres04\n',
    },
    {
      name: 'tutorial placeholders written as one word',
      path: '.env',
      code: 'PORT=5000\nMONGO_URI=mongodb://127.0.0.1:27017/authdb\nJWT_SECRET=yourjwtsecret\nSESSION_SECRET=mysecretkey\n',
    },
    {
      name: 'a comment that mentions a secret',
      path: '.env.local',
      code: '# JWT_SECRET=9f2c1e7a4b6d8e0f1a3c5e7b9d1f3a5c (ask Ana for the real one)\nJWT_SECRET=\n',
    },
  ],
});
