import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fnoError } from '@p2c-sync/odata-wire';
import {
  adminJsonBody,
  createEmulatorServer,
  type EmulatorAdmin,
  FaultInjector,
  type FaultSettingsInput,
  installAuth,
  installCounters,
  installFaults,
  isAdminUrl,
  registerAdminRoutes,
  replyBytes,
  retryAfterSeconds,
  SeededRandom,
  serverTimeDraw,
  type ServerTimeSettings,
  ServiceCounters,
  type SnapshotFile,
  TokenVerifier,
} from '../shared';
import { CustomerStore } from './customer-store';
import { type AfterFailedChangeSet, afterFailedChangeSetModes, handleBatch, throttledBody } from './fno-batch';
import { persistCustomerStore } from './fno-persistence';
import { type CodeSpelling, FnoService } from './fno-service';
import { FnoThrottle, type FnoLimitsInput } from './fno-throttle';
import { metadataXml, serviceDocument } from './metadata';
import { type FnoReferenceData, fnoReferenceDataSchema, ReferenceIndex } from './reference-data';
import { referenceEntitySetNames } from './reference-entity-sets';

export interface FnoEmulatorOptions {
  reference: FnoReferenceData;
  /** The company reads see without `cross-company=true` (default `usmf`). */
  defaultCompany?: string;
  /** Server-driven page size (default 10,000, as F&O). */
  maxPageSize?: number;
  limits?: FnoLimitsInput;
  faults?: FaultSettingsInput;
  verifier?: TokenVerifier;
  /** Resource URLs tokens must be issued for; default: the request's own origin. */
  audiences?: readonly string[];
  /**
   * What `$batch` does after a failed change set (default `as-preferred`: OData's rule, stop unless the request
   * prefers `odata.continue-on-error`). F&O's own behaviour is undocumented; see `AfterFailedChangeSet`.
   */
  afterFailedChangeSet?: AfterFailedChangeSet;
  /** Keep customers here across restarts (`fno-customers.jsonl`). */
  stateDir?: string;
  persistDebounceMs?: number;
  /**
   * Reference entity sets to leave out of this tenant (404, absent from `$metadata`), e.g. `['DeliveryModesV2']`:
   * real tenants differ in what they publish (licences, configuration keys, versions).
   */
  hiddenReferenceSets?: readonly string[];
  /** How a code written in another case is stored (default `as-written`; see `FnoServiceOptions.codeSpelling`). */
  codeSpelling?: CodeSpelling;
  /**
   * Server time of each operation (a plain request, or each operation of a `$batch` in turn): the answer waits that
   * long while the request holds its concurrency slot. Default 0. Counted as `readOperations` / `writeOperations`.
   */
  serverTime?: Partial<ServerTimeSettings>;
}

export interface FnoAdmin extends EmulatorAdmin {
  readonly throttle: FnoThrottle;
}

export interface FnoEmulator {
  app: FastifyInstance;
  store: CustomerStore;
  service: FnoService;
  reference: FnoReferenceData;
  admin: FnoAdmin;
}

const unauthorizedType = 'System.UnauthorizedAccessException';

/**
 * The Dynamics 365 F&O OData emulator (contract §3) on fastify: `/data/CustomersV2` and reference entity sets,
 * `$batch`, `$metadata`, Bearer tokens from the Entra emulator, resource throttling, faults and `/_admin`.
 * Not listening yet: the caller picks host and port.
 */
export function createFnoEmulator(options: FnoEmulatorOptions): FnoEmulator {
  const reference = fnoReferenceDataSchema.parse(options.reference);
  const index = new ReferenceIndex(reference);
  const defaultCompany = (options.defaultCompany ?? 'usmf').toLowerCase();
  if (!index.companies.has(defaultCompany)) throw new Error(`the default company '${defaultCompany}' has no reference data`);
  const store = new CustomerStore();
  const snapshot: SnapshotFile | undefined = options.stateDir
    ? persistCustomerStore(store, options.stateDir, options.persistDebounceMs)
    : undefined;
  const hidden = new Set(options.hiddenReferenceSets ?? []);
  for (const name of hidden) {
    if (!referenceEntitySetNames.includes(name)) throw new Error(`hiddenReferenceSets: '${name}' is not a reference entity set (sets: ${referenceEntitySetNames.join(', ')})`);
  }
  const exposed = new Set(referenceEntitySetNames.filter((name) => !hidden.has(name)));
  const service = new FnoService({
    store,
    reference: index,
    defaultCompany,
    maxPageSize: options.maxPageSize ?? 10_000,
    exposedReferenceSets: exposed,
    codeSpelling: options.codeSpelling ?? 'as-written',
  });
  const counters = new ServiceCounters('fno');
  const serverTime = serverTimeDraw(options.serverTime, new SeededRandom(1), counters);
  const faults = new FaultInjector(options.faults);
  const throttle = new FnoThrottle(options.limits);
  const afterFailedChangeSet = z.enum(afterFailedChangeSetModes).parse(options.afterFailedChangeSet ?? 'as-preferred');

  const app = createEmulatorServer();
  // Service bodies reach the service as text: it parses them itself, so a body inside a $batch and a body of a
  // plain request get the same errors. The platform's admin routes (PUT /_admin/faults) validate parsed JSON.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (!isAdminUrl(request.url)) return done(null, body);
    const parsed = adminJsonBody(String(body));
    if (!parsed.ok) return done(Object.assign(new Error(parsed.detail), { statusCode: 400 }), undefined);
    return done(null, parsed.value);
  });

  installFaults(app, faults, { errorBody: (status) => fnoError('An error has occurred.', `HTTP ${status} (injected fault)`, 'System.Web.HttpException') });
  installAuth(app, {
    verifier: options.verifier ?? new TokenVerifier(),
    ...(options.audiences ? { audiences: options.audiences } : {}),
    unauthorized: (reply, reason) =>
      reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer')
        .send(fnoError('Authorization has been denied for this request.', reason, unauthorizedType)),
  });
  app.addHook('onRequest', async (request, reply) => {
    if (isAdminUrl(request.url)) return;
    const admission = throttle.admit(isBatchUrl(request.url));
    if (!admission.ok) {
      const seconds = retryAfterSeconds(admission.retryAfterMs);
      return reply.code(429).header('Retry-After', String(seconds)).send(throttledBody(seconds));
    }
    // 'close' fires however the exchange ends (answered, reset by a fault, abandoned by the client).
    reply.raw.once('close', admission.release);
  });
  installCounters(app, counters);
  registerAdminRoutes(app, {
    counters,
    faults,
    health: () => ({ customers: store.size, companies: [...index.companies], inFlight: throttle.inFlight(), budgetLeft: throttle.remaining() }),
  });
  app.post('/_admin/clear', async (_request, reply) => {
    store.clear();
    return reply.code(204).send();
  });
  app.addHook('onClose', async () => {
    snapshot?.close();
  });

  const originOf = (request: FastifyRequest) => `${request.protocol}://${request.headers.host ?? request.hostname}`;
  const send = (reply: FastifyReply, status: number, headers: Record<string, string>, body: unknown) => {
    reply.code(status).headers(headers);
    return body === undefined ? reply.send() : reply.send(body);
  };

  app.get('/data/$metadata', async (_request, reply) =>
    reply.header('content-type', 'application/xml').header('OData-Version', '4.0').send(metadataXml(exposed)),
  );
  app.get('/data', async (request) => serviceDocument(originOf(request), exposed));
  app.post('/data/$batch', async (request, reply) => {
    const outcome = await handleBatch(request.headers['content-type'], typeof request.body === 'string' ? request.body : '', {
      origin: originOf(request),
      service,
      store,
      throttle,
      operationLatencyMs: () => faults.drawOperationLatencyMs(),
      serverTime,
      afterFailedChangeSet,
      prefer: [request.headers.prefer ?? []].flat().join(','),
    });
    counters.increment('batchOperations', outcome.operations);
    counters.countWrites(outcome.writes);
    if (outcome.throttled > 0) counters.countThrottled(outcome.throttled);
    if (outcome.writes > 0 && faults.afterCommit(request, reply)) return reply;
    return send(reply, outcome.status, outcome.headers, typeof outcome.body === 'string' ? replyBytes(outcome.body, outcome.headers) : outcome.body);
  });
  app.route({
    method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: '/data/*',
    handler: async (request, reply) => {
      const response = service.handle(
        {
          method: request.method,
          url: request.url,
          headers: request.headers as Record<string, string | undefined>,
          bodyText: typeof request.body === 'string' ? request.body : undefined,
        },
        originOf(request),
      );
      counters.countWrites(response.writes);
      const ms = serverTime(request.method);
      if (ms >= 1) await sleep(ms);
      if (response.writes > 0 && faults.afterCommit(request, reply)) return reply;
      return send(reply, response.status, response.headers, response.body);
    },
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ error: { code: '', message: `No HTTP resource was found that matches the request URI '${originOf(request)}${request.url}'.` } }),
  );
  app.setErrorHandler(async (error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    return reply.code(status).send(fnoError('An error has occurred.', error.message, status < 500 ? 'Microsoft.OData.ODataException' : 'System.Exception'));
  });

  return { app, store, service, reference, admin: { counters, faults, throttle } };
}

function isBatchUrl(url: string): boolean {
  return url === '/data/$batch' || url.startsWith('/data/$batch?');
}
