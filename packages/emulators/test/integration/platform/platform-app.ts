import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { z } from 'zod';
import {
  createEmulatorServer,
  FaultInjector,
  type FaultSettingsInput,
  installAuth,
  installCounters,
  installFaults,
  processSigningKeys,
  registerAdminRoutes,
  ServiceCounters,
  signJwt,
  TokenVerifier,
} from '../../../src/shared';

/**
 * A minimal service built from the platform exactly as the emulators use it: faults first, then auth, counters,
 * admin routes, and one write route that commits before the "commit then time out" hook.
 */
export interface PlatformApp {
  app: FastifyInstance;
  url: string;
  counters: ServiceCounters;
  faults: FaultInjector;
  committed: string[];
  token(overrides?: { aud?: string; exp?: number }): string;
  close(): Promise<void>;
}

export async function startPlatformApp(faults: FaultSettingsInput = {}): Promise<PlatformApp> {
  const app = createEmulatorServer();
  const counters = new ServiceCounters('test');
  const injector = new FaultInjector(faults);
  const committed: string[] = [];
  installFaults(app, injector, { errorBody: (status) => ({ error: { code: 'injected', status } }) });
  installAuth(app, {
    verifier: new TokenVerifier(),
    unauthorized: (reply, reason) => reply.code(401).send({ error: { code: 'unauthorized', message: reason } }),
  });
  installCounters(app, counters);
  registerAdminRoutes(app, { counters, faults: injector, health: () => ({ rows: committed.length }) });
  app.get('/items', async () => ({ value: committed }));
  app.post('/items', async (req, reply) => {
    const body = z.object({ name: z.string() }).parse(req.body);
    committed.push(body.name);
    counters.countWrites();
    if (injector.afterCommit(req, reply)) return reply;
    return reply.code(201).send({ name: body.name });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  const now = Math.floor(Date.now() / 1000);
  const token = (overrides: { aud?: string; exp?: number } = {}) =>
    signJwt(
      {
        aud: overrides.aud ?? url,
        iss: 'https://127.0.0.1/tenant/',
        iat: now,
        nbf: now,
        exp: overrides.exp ?? now + 3600,
        appid: 'p2c-sync',
        tid: 'tenant',
        oid: 'o',
        sub: 'o',
        ver: '1.0',
      },
      processSigningKeys(),
    );
  return { app, url, counters, faults: injector, committed, token, close: () => app.close() };
}

export async function send(
  service: PlatformApp,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; token?: string | null; headersTimeout?: number } = {},
) {
  const token = options.token === undefined ? service.token() : options.token;
  const response = await request(`${service.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    headersTimeout: options.headersTimeout,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}
