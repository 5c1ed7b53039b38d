import type { FastifyInstance, RawServerBase } from 'fastify';
import { isAdminUrl } from './admin-paths';
import type { ServiceCounters } from './service-counters';

/** Counts every answered request by method and status, and the requests in flight (admin routes excepted). */
export function installCounters<S extends RawServerBase>(app: FastifyInstance<S>, counters: ServiceCounters): void {
  app.addHook('onRequest', async (request, reply) => {
    if (isAdminUrl(request.url)) return;
    counters.requestStarted();
    // 'close' comes once per response, whether it was sent or the client went away first.
    reply.raw.once('close', () => counters.requestEnded());
  });
  app.addHook('onResponse', async (request, reply) => {
    if (isAdminUrl(request.url)) return;
    counters.countResponse(request.method, reply.statusCode);
  });
}
