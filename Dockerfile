# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies, then drop them.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime stage: production dependencies and compiled code only, as the unprivileged `node` user.
# Nothing is written to the filesystem at run time, so a read-only root filesystem works.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY policies/schema.json ./policies/schema.json
USER node
ENTRYPOINT ["node", "/app/dist/main.js"]
# Mount or sync the policy repository at /policies.
CMD ["reconcile", "--once", "--policies", "/policies"]
