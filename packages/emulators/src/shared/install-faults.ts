import type { Server } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerBase } from 'fastify';
import { isAdminUrl } from './admin-paths';
import type { FaultInjector } from './fault-injector';
import { retryAfterSeconds } from './retry-after';

export interface InstallFaultsOptions {
  /** The body of an injected 5xx in the service's own error shape. */
  errorBody?: (status: number) => unknown;
}

const defaultErrorBody = (status: number) => ({
  error: { code: '', message: status === 503 ? 'Service Unavailable' : 'An error has occurred.' },
});

/**
 * Installs the faults that strike before a request is handled — outages, connection resets and 5xx answers — as
 * the first `onRequest` hook, latency as a `preHandler` hook, and lets `refuse` outages close the app's listener.
 * Write handlers add "commit then time out" themselves by calling `injector.afterCommit(request, reply)` after
 * committing. Install before the auth hook so an outage answers before the token is looked at, as a real front
 * end does.
 */
export function installFaults<S extends RawServerBase>(
  app: FastifyInstance<S>,
  injector: FaultInjector,
  options: InstallFaultsOptions = {},
): void {
  const errorBody = options.errorBody ?? defaultErrorBody;
  injector.attach(app.server as unknown as Server);
  app.addHook('onClose', async () => {
    injector.close();
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isAdminUrl(request.url)) return;
    const outage = injector.activeOutage();
    if (outage) {
      injector.record('outageRejections');
      if (outage.mode === 'refuse') return destroy(request, reply);
      return reply
        .code(503)
        .header('Retry-After', String(retryAfterSeconds(outage.until - Date.now())))
        .send(errorBody(503));
    }
    if (injector.draw('reset', request.method)) {
      injector.record('resets');
      return destroy(request, reply);
    }
    if (injector.draw('error', request.method)) {
      injector.record('errors');
      const status = injector.current().errorStatus;
      return reply.code(status).send(errorBody(status));
    }
  });
  // Latency stands for the service's own processing time, so it runs after admission (auth, throttling): a slow
  // request holds its concurrency slot and counts as execution time, as on the real service.
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (isAdminUrl(request.url)) return;
    const delay = injector.drawLatencyMs();
    if (delay > 0) {
      injector.record('delayed');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  });
}

function destroy(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.hijack();
  request.raw.socket.destroy();
  return reply;
}
