# syntax=docker/dockerfile:1
# Node 24 LTS (supported to April 2028), pinned to an exact release in both stages so that a
# rebuild gets the same runtime; bump both deliberately. Node 20 is end of life (April 2026), and
# AWS SDK releases from January 2027 require Node 22 or later. The SDK's Node warning stays on.

# Build stage: compile TypeScript with the dev dependencies, then drop them.
FROM node:24.11.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime stage: production dependencies and compiled code only, owned by root and read-only to
# the unprivileged `node` user (uid 1000) that runs them. Nothing is written to the filesystem at
# run time (logs go to stderr, state to DynamoDB), so a read-only root filesystem works.
FROM node:24.11.1-bookworm-slim
ENV NODE_ENV=production \
    EDAGUARD_HTTP_PORT=8080 \
    EDAGUARD_LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY policies/schema.json ./policies/schema.json
USER node
# Health and metrics: /healthz, /readyz, /metrics.
EXPOSE 8080
# Docker and ECS (when the task definition asks for it) probe liveness; Kubernetes uses its own probes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.EDAGUARD_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The controller handles SIGTERM itself (graceful shutdown); node runs as PID 1 without a shell.
STOPSIGNAL SIGTERM
# The same V8 flag as the bin's shebang (src/main.ts): a young generation sized to edaguard's live data.
ENTRYPOINT ["node", "--max-semi-space-size=4", "/app/dist/main.js"]
# Mount or sync the policy repository at /policies.
CMD ["run", "--policies", "/policies"]
