import fastify, { type FastifyInstance } from 'fastify';

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
  const bodyLimit = options.bodyLimitBytes ?? defaultBodyLimitBytes;
  const app = fastify({
    logger: options.logger ?? false,
    bodyLimit,
    keepAliveTimeout: 72_000,
    forceCloseConnections: true,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 8192, ignoreTrailingSlash: true },
  });
  addRawBodyParsers(app, bodyLimit);
  return app;
}

/** The same parsers for an app created elsewhere (the Entra emulator's https server). */
export function addRawBodyParsers(app: Pick<FastifyInstance, 'addContentTypeParser'>, bodyLimit = defaultBodyLimitBytes): void {
  app.addContentTypeParser('multipart/mixed', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    done(null, body);
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
}
