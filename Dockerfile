# kubedrill's image: built ahead of time into dist/ (the server bundled by esbuild, the client
# by Vite, an initialised embedded database), started as plain JavaScript — nothing is
# transpiled or rebuilt when a container starts (bin/kubedrill.js runs dist/ while it is
# newer than the sources, which it is here).
#   docker build -t kubedrill .
#   docker run -p 3000:3000 -v kubedrill-data:/data kubedrill                # embedded database
#   docker run -p 3000:3000 -e DATABASE_URL=postgresql://… -e REDIS_URL=redis://… kubedrill
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall generates the Prisma client (no engine binary is downloaded: see package.json).
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 KUBEDRILL_DATA_DIR=/data
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Node flags as `npm start` has them (package.json; README "Configuration").
CMD ["node", "--max-semi-space-size=128", "bin/kubedrill.js", "serve"]
