# syntax=docker/dockerfile:1
# Build stage: native addons (tree-sitter, better-sqlite3) compile from source here, so the
# toolchain stays out of the image that runs.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY detectors ./detectors
COPY bin ./bin
# `prepare` compiles TypeScript to dist/ during `npm ci` (bench/ and scripts/ are not copied:
# the image needs only the App, the CLI and the rules).
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev

# Runtime stage: production dependencies and the compiled output only, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    SHIPGATE_DB_PATH=/app/data/shipgate.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
VOLUME ["/app/data"]
CMD ["node", "--expose-gc", "dist/src/github/server.js"]
