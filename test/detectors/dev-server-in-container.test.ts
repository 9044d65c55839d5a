import { describe, expect, it } from '@jest/globals';
import { commandText, effectiveCommand, finalStage, keyValuePairs, parseDockerfile } from '../../detectors/support/dockerfile.js';
import { ruleTable } from '../support/rule-tester.js';

const dockerfile = (code: string, extra: { lines?: number[]; message?: RegExp; path?: string } = {}) => ({
  path: 'Dockerfile',
  ...extra,
  code,
});

ruleTable('dev-server-in-container', {
  invalid: [
    dockerfile(
      `FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
`,
      { lines: [7], message: /runserver/ },
    ),
    dockerfile(
      `FROM python:3.11
ENV FLASK_APP=app.py
COPY . /srv
WORKDIR /srv
CMD flask run --host=0.0.0.0 --port=5000
`,
      { lines: [5], message: /flask run/ },
    ),
    dockerfile(
      `FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11
COPY ./app /app/app
CMD ["uvicorn", "app.main:app", \\
     "--host", "0.0.0.0", \\
     "--reload"]
`,
      { lines: [3], message: /--reload/ },
    ),
    dockerfile(
      `FROM node:20-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM node:20-alpine
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
CMD ["npx", "next", "dev", "-p", "3000"]
`,
      { lines: [10], message: /next dev/ },
    ),
    dockerfile(
      `FROM node:20 AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM node:20-slim
WORKDIR /app
COPY --from=build /app .
CMD npm run dev
`,
      { lines: [9], message: /dev. script/ },
    ),
    dockerfile(
      `FROM node:18
WORKDIR /usr/src/app
COPY . .
RUN yarn install --frozen-lockfile
ENTRYPOINT ["nodemon", "--watch", "src", "src/index.js"]
`,
      { lines: [5], message: /nodemon/ },
    ),
    dockerfile(
      `FROM node:20
WORKDIR /app
COPY . .
RUN npm ci
CMD ["npx", "ts-node", "src/main.ts"]
`,
      { message: /ts-node/ },
    ),
    {
      name: 'ENTRYPOINT npm run + CMD dev: the container runs both',
      ...dockerfile(
        `FROM node:20
COPY . /app
ENTRYPOINT ["npm", "run"]
CMD ["dev"]
`,
        { lines: [4] },
      ),
    },
    {
      name: 'the final stage inherits the dev CMD of the stage it is built from',
      ...dockerfile(
        `FROM node:20 AS dev
WORKDIR /app
COPY . .
CMD ["pnpm", "dev"]

FROM dev AS release
RUN pnpm build
`,
        { lines: [4], message: /inherited from the .dev. stage/ },
      ),
    },
    dockerfile(
      `FROM python:3.12
COPY . /app
CMD python manage.py migrate && \\
    python manage.py runserver 0.0.0.0:8000
`,
      { lines: [3] },
    ),
    dockerfile(
      `FROM node:20-alpine
COPY . .
CMD ["sh", "-c", "npm ci && yarn dev --host 0.0.0.0"]
`,
    ),
    {
      name: 'package.json in the change confirms the dev script is a dev server',
      ...dockerfile(`FROM node:20\nCOPY . .\nCMD ["npm", "run", "dev"]\n`, { lines: [3], message: /the `dev` script/ }),
      files: { 'package.json': JSON.stringify({ scripts: { dev: 'next dev', build: 'next build', start: 'next start' } }) },
    },
    dockerfile(
      `FROM node:20-alpine
WORKDIR /app
COPY . .
CMD ["npx", "vite", "--host", "0.0.0.0"]
`,
      { message: /Vite/ },
    ),
    {
      name: 'the dev command hidden in an ENV variable',
      ...dockerfile(
        `FROM python:3.12
COPY . /app
ENV UVICORN_CMD="uvicorn app:app --host 0.0.0.0 --port 8000 --reload"
CMD ["sh", "-c", "$UVICORN_CMD"]
`,
        { lines: [4], message: /--reload/ },
      ),
    },
    dockerfile(
      `# escape=\`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
COPY . C:\\app
CMD python manage.py \`
    runserver 0.0.0.0:8000
`,
      { lines: [4] },
    ),
  ],
  valid: [
    dockerfile(
      `FROM python:3.12-slim
COPY . /app
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
`,
    ),
    {
      name: 'multi-stage: the dev stage is not the final stage',
      ...dockerfile(
        `FROM node:20 AS dev
WORKDIR /app
COPY . .
CMD ["npm", "run", "dev"]

FROM node:20 AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM node:20-slim
COPY --from=build /app/dist /app/dist
CMD ["node", "/app/dist/server.js"]
`,
      ),
    },
    dockerfile(
      `FROM node:20-alpine
WORKDIR /app
COPY .next ./.next
COPY node_modules ./node_modules
CMD ["npx", "next", "start", "-p", "3000"]
`,
    ),
    dockerfile(
      `FROM python:3.12-slim
COPY ./app /app
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--workers", "4", "--proxy-headers"]
`,
    ),
    { ...dockerfile(`FROM node:20\nCOPY . .\nCMD ["npm", "run", "dev"]\n`), path: 'Dockerfile.dev' },
    { ...dockerfile(`FROM node:20\nCOPY . .\nCMD ["npm", "run", "dev"]\n`), path: 'docker/local.Dockerfile' },
    { ...dockerfile(`FROM mcr.microsoft.com/devcontainers/typescript-node:20\nCMD ["npm", "run", "dev"]\n`), path: '.devcontainer/Dockerfile' },
    dockerfile(
      `FROM node:20 AS build
COPY . .
RUN npm ci && npm run build && npx vite build

FROM nginx:1.27-alpine
COPY --from=build /dist /usr/share/nginx/html
`,
    ),
    dockerfile(
      `FROM python:3.12
COPY . /app
# CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
CMD ["gunicorn", "app.wsgi", "-b", "0.0.0.0:8000"]
`,
    ),
    {
      name: 'a --target layout: production stage first, dev stage last',
      ...dockerfile(
        `FROM node:20-slim AS production
COPY dist /app/dist
CMD ["node", "/app/dist/main.js"]

FROM node:20 AS development
COPY . /app
CMD ["npm", "run", "start:dev"]
`,
      ),
    },
    dockerfile(
      `FROM node:20
COPY . .
CMD npm run dev
CMD ["node", "dist/index.js"]
`,
    ),
    dockerfile(
      `FROM node:20-slim
WORKDIR /app
COPY . .
CMD ["node", "--enable-source-maps", "dist/server.js"]
`,
    ),
    {
      name: 'a script named start:dev that package.json shows is a plain build-and-run',
      ...dockerfile(`FROM node\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\nCMD ["npm", "run", "start:dev"]\n`),
      files: { 'package.json': JSON.stringify({ scripts: { build: 'tsc', 'start:dev': 'npm run build && node lib/index.js' } }) },
    },
    dockerfile(
      `FROM python:3.12
COPY <<EOF /app/Procfile.dev
web: flask run --reload
EOF
CMD ["gunicorn", "-w", "4", "app:create_app()"]
`,
    ),
  ],
});

describe('dockerfile support', () => {
  const source = `# syntax=docker/dockerfile:1.7
ARG NODE_VERSION=20
FROM --platform=$BUILDPLATFORM node:\${NODE_VERSION} AS Build
RUN apt-get update && \\
    # a comment inside the continuation is dropped
    apt-get install -y curl

RUN <<EOF
echo one
CMD not-an-instruction
EOF
ENV NODE_ENV=production APP_NAME="shipgate app"
ENV LEGACY value with spaces
USER node
ENTRYPOINT ["node"]

FROM build
CMD ["dist/server.js"]
`;
  const file = parseDockerfile(source);

  it('reads directives, global args and stages', () => {
    expect(file.directives.get('syntax')).toBe('docker/dockerfile:1.7');
    expect(file.globalArgs.map((a) => a.body)).toEqual(['NODE_VERSION=20']);
    expect(file.stages.map((s) => [s.index, s.name, s.image])).toEqual([
      [0, 'build', 'node:${NODE_VERSION}'],
      [1, undefined, 'build'],
    ]);
    expect(file.stages[0]!.from.flags.get('platform')).toBe('$BUILDPLATFORM');
  });

  it('joins continuation lines and keeps their line span', () => {
    const run = file.stages[0]!.instructions[0]!;
    expect(run.keyword).toBe('RUN');
    expect([run.startLine, run.endLine]).toEqual([4, 6]);
    expect(run.args.replace(/\s+/g, ' ')).toBe('apt-get update && apt-get install -y curl');
  });

  it('keeps heredoc bodies inside their instruction', () => {
    const heredoc = file.stages[0]!.instructions[1]!;
    expect([heredoc.keyword, heredoc.startLine, heredoc.endLine]).toEqual(['RUN', 8, 11]);
    expect(heredoc.heredocs).toEqual(['echo one\nCMD not-an-instruction']);
    expect(file.instructions.filter((i) => i.keyword === 'CMD')).toHaveLength(1);
  });

  it('reads exec form, key/value pairs and the effective command through stages', () => {
    const [env, legacy] = file.stages[0]!.instructions.filter((i) => i.keyword === 'ENV');
    expect(keyValuePairs(env!)).toEqual([
      { key: 'NODE_ENV', value: 'production' },
      { key: 'APP_NAME', value: 'shipgate app' },
    ]);
    expect(keyValuePairs(legacy!)).toEqual([{ key: 'LEGACY', value: 'value with spaces' }]);
    const last = finalStage(file)!;
    const { entrypoint, cmd } = effectiveCommand(file, last);
    expect(entrypoint?.exec).toEqual(['node']);
    expect(cmd && commandText(cmd)).toBe('dist/server.js');
  });

  it('clears an inherited CMD when a stage sets its own ENTRYPOINT', () => {
    const f = parseDockerfile('FROM node AS a\nCMD ["npm", "run", "dev"]\nFROM a\nENTRYPOINT ["node", "server.js"]\n');
    const { entrypoint, cmd } = effectiveCommand(f, finalStage(f)!);
    expect(entrypoint && commandText(entrypoint)).toBe('node server.js');
    expect(cmd).toBeUndefined();
  });
});
