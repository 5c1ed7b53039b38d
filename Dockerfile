# The p2c worker (and the emulators, with another command). Runs the TypeScript sources through tsx, exactly as
# `npm run worker` does; the workflow bundle is built by the worker at start-up.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY deploy/worker ./deploy/worker
COPY tsconfig.json ./
RUN mkdir -p /emulator-state && chown node /emulator-state
USER node
ENTRYPOINT ["node", "bin/p2c.cjs"]
CMD ["worker"]
