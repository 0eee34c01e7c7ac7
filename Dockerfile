# The production build of Readerfund, run as a non-root user. One image for the web process
# (the default command) and the worker (`node --import tsx scripts/worker.ts`, as compose.yaml runs it).
# See docs/deployment.md.
#
#   docker build --build-arg APP_URL=https://give.example.org -t readerfund .
#
# Next records the response headers at build time from APP_URL (HSTS only for https), and a server
# whose build disagrees with its environment refuses to start: build for the address it will serve.
# Nothing secret is needed to build; keys and passwords are given when the container starts.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG APP_URL
RUN test -n "$APP_URL" || { echo "Build with --build-arg APP_URL=<the public origin, e.g. https://give.example.org>" >&2; exit 1; }
RUN APP_URL="$APP_URL" npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000
# The build with its production dependencies, the migrations (run when the server starts) and the
# sources the worker and the stand-in run with tsx; .dockerignore keeps local data and docs out.
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
# Liveness: the process answers. A load balancer's readiness check belongs on /api/health, which
# also asks the database (docs/deployment.md).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["sh", "-c", "exec node_modules/.bin/next start --port \"$PORT\" --hostname 0.0.0.0"]
