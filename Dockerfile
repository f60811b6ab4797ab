# One image for both roles. Default: the stateless API (`--role=api`); the projector runs the same
# image with `command: ["dist/apps/projector/src/main.js"]`, migrations with `["dist/tools/migrate.js"]`.
#   docker build -t endpointslice-registry .
# Not exercised by CI (no Docker there); the Node version is the one the test suite runs on.

# Build: every dependency, the whole TypeScript build (tsc + path aliases, as `npm run build`).
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci applies patches/ (patch-package) to the installed packages.
COPY patches patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps apps
COPY libs libs
COPY migrations migrations
COPY tools tools
RUN npm run build

# Production dependencies only, installed apart so that no build tool reaches the runtime image.
FROM node:20.20.2-bookworm-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
# Root-owned and read-only for the process: the app never writes next to its code.
COPY --from=production-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
# Only embedded mode (no DATABASE_URL, no KAFKA_BROKERS) writes here; mount a volume to keep it.
RUN mkdir -p /data && chown node:node /data
# The unprivileged user of the official Node images (uid 1000).
USER node
# 4000: HTTP (GraphQL, Kubernetes API, metrics); 8600: DNS (DNS_PORT); 18000: Envoy xDS (XDS_PORT).
EXPOSE 4000 8600/udp 8600/tcp 18000
# Nest's shutdown hooks handle SIGTERM: the API drains, the projector commits its batch in flight.
STOPSIGNAL SIGTERM
# The slim image has no curl; Node 20 has fetch. Liveness only: /readyz would restart a healthy
# process whenever Kafka or Postgres is away.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Same heap cap as `npm run start:api` / `start:projector`: V8 collects before it grows.
ENTRYPOINT ["node", "--max-old-space-size=256"]
CMD ["dist/apps/registry/src/main.js", "--role=api"]
