# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 8080
ENTRYPOINT ["node", "packages/cli/dist/piperelay.mjs"]
CMD ["serve"]
