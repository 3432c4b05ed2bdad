# The one image the chart runs: `mezzo controller` and `mezzo agent` (DaemonSet).
# Build: docker build -t ghcr.io/mezzo-dev/mezzo:0.1.0 .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Install without lifecycle scripts first so the layer caches; build once sources are in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY proto ./proto
COPY src ./src
COPY test ./test
COPY bench ./bench
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim
# tar and ca-certificates for the agent's fetcher; procps for operators debugging a node;
# python3 for tasks such as the demo's `web` (python3 -m http.server).
RUN apt-get update \
  && apt-get install -y --no-install-recommends tar gzip unzip ca-certificates procps python3 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/mezzo
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/bin ./bin
COPY --from=build /src/proto ./proto
COPY crds ./crds
ENV NODE_ENV=production MEZZO_LOG_FORMAT=json
# The controller runs as this user (the chart sets runAsUser: 65532); the agent pod runs
# privileged as root because it manages cgroups.
USER 65532:65532
ENTRYPOINT ["node", "/opt/mezzo/bin/mezzo.js"]
CMD ["--help"]
