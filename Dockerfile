# The p2c worker (and the emulators, with another command). Runs the TypeScript sources through tsx, exactly as
# `npm run worker` does. The workflow bundle is built here, once, so workers start without webpack (faster, and a
# few hundred MB less peak memory).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The npm workspaces (packages/*: the OData wire formats, the emulators) must be present for `npm ci` to link them.
COPY packages/odata-wire/package.json ./packages/odata-wire/
COPY packages/emulators/package.json ./packages/emulators/
RUN npm ci --omit=dev --no-audit --no-fund
COPY packages ./packages
COPY bin ./bin
COPY src ./src
COPY deploy/worker ./deploy/worker
COPY tsconfig.json ./
RUN node bin/p2c.cjs bundle-workflows --out /app/workflow-bundle.js
ENV P2C_WORKFLOW_BUNDLE=/app/workflow-bundle.js
RUN mkdir -p /emulator-state && chown node /emulator-state
USER node
# `worker` runs with a bounded V8 heap (P2C_WORKER_MAX_HEAP_MB, default 256): bin/p2c.cjs, PID 1, starts the worker
# with --max-old-space-size and passes `docker stop`'s SIGTERM on to it.
ENTRYPOINT ["node", "bin/p2c.cjs"]
CMD ["worker"]
