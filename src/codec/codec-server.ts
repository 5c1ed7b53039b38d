import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { describeIssues } from '../domain/describe-issues';
import { PayloadDecryptionError } from './encryption-codec';
import { fromJsonPayloads, payloadsBodySchema, toJsonPayloads } from './payload-json';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /**
   * Browser origins allowed to call (the Web UI's, e.g. `http://localhost:8233`), or a test of the origin; none:
   * only non-browser callers (the `temporal` CLI).
   */
  corsOrigins?: readonly string[] | ((origin: string) => boolean);
  /** When set, every /encode and /decode must carry `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Where request outcomes go (never payloads); silent when omitted. */
  logger?: Logger;
  /** Largest request body; the UI batches a page of payloads, each up to Temporal's 2 MB limit. */
  bodyLimitBytes?: number;
}

export interface RunningCodecServer {
  /** `http://host:port` — what `--ui-codec-endpoint` and `temporal --codec-endpoint` take. */
  readonly url: string;
  close(): Promise<void>;
}

const ALLOWED_HEADERS = 'content-type, x-namespace, authorization';

/**
 * The remote codec protocol Temporal's Web UI and CLI speak: `POST …/encode` and `POST …/decode` with protobuf-JSON
 * `{ payloads }` both ways (only the last path segment counts, so the server can sit under any prefix). This is what
 * lets authorised operators read encrypted history in the UI without the key ever leaving the server side.
 */
export function createCodecServer(options: CodecServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 32 * 1024 * 1024 });
  const allowed = originTest(options.corsOrigins);
  const expectedToken = options.bearerToken ? digest(options.bearerToken) : undefined;

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    const corsAllowed = origin !== undefined && allowed(origin);
    if (corsAllowed) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
    }
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', ALLOWED_HEADERS);
      reply.header('access-control-max-age', '600');
      // A preflight never carries credentials; the real request is checked.
      return reply.code(corsAllowed ? 204 : 403).send();
    }
    if (request.method === 'POST' && expectedToken && !authorised(request, expectedToken)) {
      options.logger?.warn('codec request refused: missing or wrong bearer token', describe(request));
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a valid bearer token is required' });
    }
    return undefined;
  });

  const handle = (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = payloadsBodySchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid payloads', problems: describeIssues(parsed.error, '(body)') });
    const payloads = fromJsonPayloads(parsed.data);
    try {
      const result = direction === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      options.logger?.debug(`codec ${direction}`, { ...describe(request), payloads: payloads.length });
      return reply.send(toJsonPayloads(result));
    } catch (error) {
      if (!(error instanceof PayloadDecryptionError)) throw error;
      options.logger?.warn(`codec ${direction} refused`, { ...describe(request), reason: error.message });
      return reply.code(422).send({ error: error.message });
    }
  };
  app.post('/*', async (request, reply) => {
    const last = request.url.split('?')[0]?.split('/').pop();
    if (last === 'encode' || last === 'decode') return await handle(last)(request, reply);
    return reply.code(404).send({ error: 'POST …/encode or …/decode' });
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}

/** Starts a codec server on `host:port` (port 0: a free one). */
export async function startCodecServer(options: CodecServerOptions & { host?: string; port?: number }): Promise<RunningCodecServer> {
  const app = createCodecServer(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${port}`, close: () => app.close() };
}

function originTest(origins: CodecServerOptions['corsOrigins']): (origin: string) => boolean {
  if (typeof origins === 'function') return origins;
  const set = new Set(origins ?? []);
  return (origin) => set.has(origin);
}

/** `http://127.0.0.1:PORT`, `http://localhost:PORT`, `http://[::1]:PORT`: a UI on this machine. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const { protocol, hostname } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
  } catch {
    return false;
  }
}

function authorised(request: FastifyRequest, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  // Digests compare in constant time whatever the token lengths.
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function describe(request: FastifyRequest): Record<string, unknown> {
  return { path: request.url.split('?')[0], namespace: request.headers['x-namespace'], origin: request.headers.origin };
}
