import type { FastifyInstance, RawServerBase } from 'fastify';
import { isAdminUrl } from './admin-paths';
import type { ServiceCounters } from './service-counters';

/** Counts every answered request by method and status (admin routes excepted). */
export function installCounters<S extends RawServerBase>(app: FastifyInstance<S>, counters: ServiceCounters): void {
  app.addHook('onResponse', async (request, reply) => {
    if (isAdminUrl(request.url)) return;
    counters.countResponse(request.method, reply.statusCode);
  });
}
