import type { EventEmitter } from 'node:events';
import type { FastifyInstance, RawServerBase } from 'fastify';
import { isAdminUrl } from './admin-paths';
import type { ServiceCounters } from './service-counters';

/** Counts every answered request by method and status, and the requests in flight (admin routes excepted). */
export function installCounters<S extends RawServerBase>(app: FastifyInstance<S>, counters: ServiceCounters): void {
  // In flight from the moment a request arrives, before any hook: a request the service then refuses (429 above
  // its concurrency ceiling, 401, an injected fault) was still sent at that moment, and what callers send together
  // is what the peak must show.
  (app.server as unknown as EventEmitter).on('request', (request: { url?: string }, response: EventEmitter) => {
    if (isAdminUrl(request.url ?? '')) return;
    counters.requestStarted();
    // 'close' comes once per response, whether it was sent or the client went away first.
    response.once('close', () => counters.requestEnded());
  });
  app.addHook('onResponse', async (request, reply) => {
    if (isAdminUrl(request.url)) return;
    counters.countResponse(request.method, reply.statusCode);
  });
}
