import type { Server as HttpsServer } from 'node:https';
import fastify, { type FastifyHttpsOptions, type FastifyInstance } from 'fastify';

export interface EmulatorServerOptions {
  /** Large enough for a `$batch` of 5000 operations with full customer bodies (about 10 MB). */
  bodyLimitBytes?: number;
  /** fastify's pino logger (with request logging); off by default because logging every request halves throughput. */
  logger?: boolean;
}

export const defaultBodyLimitBytes = 64 * 1024 * 1024;

/**
 * fastify with the emulators' defaults: no request logging, keep-alive longer than clients' pools keep sockets
 * (so the server never closes a socket a client is about to reuse), open connections destroyed on close, long
 * route parameters (OData keys live in the path), and body parsers for `$batch` (multipart/mixed → the raw string)
 * and forms (application/x-www-form-urlencoded → a string record).
 */
export function createEmulatorServer(options: EmulatorServerOptions = {}): FastifyInstance {
  const app = fastify(baseOptions(options));
  addRawBodyParsers(app, options.bodyLimitBytes);
  return app;
}

/** The same over TLS (the Entra emulator: MSAL accepts only https authorities). */
export function createEmulatorHttpsServer(
  options: EmulatorServerOptions & { https: { key: string; cert: string } },
): FastifyInstance<HttpsServer> {
  const httpsOptions: FastifyHttpsOptions<HttpsServer> = { ...baseOptions(options), https: options.https };
  const app = fastify(httpsOptions);
  addRawBodyParsers(app, options.bodyLimitBytes);
  return app;
}

/** Options valid for both server kinds (left to inference: FastifyServerOptions is tied to one server type). */
function baseOptions(options: EmulatorServerOptions) {
  return {
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? defaultBodyLimitBytes,
    keepAliveTimeout: 72_000,
    forceCloseConnections: true,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 8192, ignoreTrailingSlash: true },
  };
}

function addRawBodyParsers(
  app: Pick<FastifyInstance, 'addContentTypeParser'> | Pick<FastifyInstance<HttpsServer>, 'addContentTypeParser'>,
  bodyLimit = defaultBodyLimitBytes,
): void {
  const target = app as Pick<FastifyInstance, 'addContentTypeParser'>;
  target.addContentTypeParser('multipart/mixed', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    done(null, body);
  });
  target.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
}
