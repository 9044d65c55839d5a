import { ruleTable } from '../support/rule-tester.js';

ruleTable('container-runs-as-root', {
  invalid: [
    {
      name: 'single-stage Node image without USER',
      path: 'Dockerfile',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "dist/server.js"]\n',
      lines: [1],
      message: /`FROM node:20-slim`\) sets no `USER`/,
    },
    {
      name: 'multi-stage: the build stage has a USER, the final one does not',
      path: 'Dockerfile',
      code: 'FROM node:20 AS build\nUSER node\nWORKDIR /home/node/app\nRUN npm ci && npm run build\n\nFROM node:20-slim\nCOPY --from=build /home/node/app/dist /app\nCMD ["node", "/app/server.js"]\n',
      lines: [6],
    },
    {
      name: 'switches to root at the end',
      path: 'docker/api.Dockerfile',
      code: 'FROM python:3.12-slim\nRUN useradd --uid 10001 app\nUSER app\nCOPY . /srv\nUSER root\nCMD ["gunicorn", "app:app"]\n',
      lines: [5],
    },
    {
      name: 'USER 0 is root',
      path: 'Dockerfile',
      code: 'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y curl\nUSER 0:0\nENTRYPOINT ["/usr/local/bin/worker"]\n',
      lines: [3],
    },
    {
      name: 'distroless without the nonroot tag runs as root',
      path: 'Dockerfile',
      code: 'FROM golang:1.22 AS build\nRUN go build -o /out/api ./cmd/api\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/api /api\nENTRYPOINT ["/api"]\n',
      lines: [3],
    },
    {
      name: 'python image for a Django app',
      path: 'Dockerfile.prod',
      code: 'FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000"]\n',
      lines: [1],
    },
    {
      name: 'final stage built from an earlier stage that is root',
      path: 'Dockerfile',
      code: 'FROM node:20-alpine AS base\nWORKDIR /app\nFROM base AS runner\nCOPY . .\nCMD ["npm", "start"]\n',
      lines: [3],
    },
  ],
  valid: [
    {
      name: 'USER node in the final stage',
      path: 'Dockerfile',
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\nCMD ["node", "dist/server.js"]\n',
    },
    {
      name: 'numeric non-zero uid',
      path: 'Dockerfile',
      code: 'FROM python:3.12-slim\nRUN useradd -u 10001 app\nCOPY . /app\nUSER 10001:10001\nCMD ["uvicorn", "app.main:app"]\n',
    },
    {
      name: 'distroless nonroot',
      path: 'Dockerfile',
      code: 'FROM node:20 AS build\nRUN npm ci && npm run build\nFROM gcr.io/distroless/nodejs20-debian12:nonroot\nCOPY --from=build /app/dist /app\nCMD ["/app/server.js"]\n',
    },
    {
      name: 'Chainguard base image',
      path: 'Dockerfile',
      code: 'FROM cgr.dev/chainguard/python:latest-dev AS build\nRUN pip install --user -r requirements.txt\nFROM cgr.dev/chainguard/python:latest\nCOPY --from=build /home/nonroot/.local /home/nonroot/.local\nENTRYPOINT ["python", "-m", "app"]\n',
    },
    {
      name: 'root in the build stage only',
      path: 'Dockerfile',
      code: 'FROM node:20 AS build\nUSER root\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\nUSER node\nCMD ["node", "/app/server.js"]\n',
    },
    {
      name: 'final stage inherits a non-root USER from its parent stage',
      path: 'Dockerfile',
      code: 'FROM python:3.12-slim AS base\nRUN useradd app\nUSER app\nFROM base AS runtime\nCOPY . /app\nCMD ["python", "-m", "app"]\n',
    },
    {
      name: 'USER from a build argument',
      path: 'Dockerfile',
      code: 'FROM node:20-slim\nARG APP_USER=node\nCOPY . /app\nUSER ${APP_USER}\nCMD ["node", "/app/server.js"]\n',
    },
    {
      name: 'Docker-in-Docker needs root',
      path: 'Dockerfile',
      code: 'FROM oven/bun:1.3\nRUN apt-get update && apt-get install -y docker.io supervisor\nWORKDIR /app\nCMD ["/usr/bin/supervisord"]\n',
    },
    {
      name: 'distroless debug-nonroot',
      path: 'Dockerfile',
      code: 'FROM gcr.io/distroless/base-debian12:debug-nonroot\nCOPY app /app\nENTRYPOINT ["/app"]\n',
    },
  ],
});
