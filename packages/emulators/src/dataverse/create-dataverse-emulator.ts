import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  adminPrefix,
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
  SeededRandom,
  serverTimeDraw,
  type ServerTimeSettings,
  ServiceCounters,
  TokenVerifier,
} from '../shared';
import type { AccountValues, BusinessUnit, TransactionCurrency } from './account-row';
import { AccountStore } from './account-store';
import { executeBatch } from './batch-executor';
import { DataverseError, errors } from './dataverse-error';
import { DataverseService } from './dataverse-service';
import { type AccountInput, createDataverseStore, type DataverseStore } from './dataverse-store';
import { JSON_CONTENT_TYPE, type OperationResponse } from './odata-response';
import { bodyFromText } from './operation';
import { API_BASE_PATH } from './resource-path';
import { ServiceProtection, type ServiceProtectionLimits } from './service-protection';
import { persistStore } from './store-snapshot';

export interface DataverseEmulatorOptions {
  /** Checks bearer tokens (the platform's verifier of tokens issued by the Entra emulator); a default one otherwise. */
  verifier?: TokenVerifier;
  /** Resource URLs tokens must be issued for; default: the origin the client called (`http://{Host}`). */
  audiences?: readonly string[];
  faults?: FaultSettingsInput;
  /** Service protection limits (defaults: 5 min window, 6000 requests, 1200 s execution, 52 concurrent). */
  limits?: Partial<ServiceProtectionLimits>;
  /**
   * Server time of each operation (a plain request, or each operation inside a `$batch`): the answer waits that
   * long and the execution-time limit is charged with it. Default 0 (answers as fast as the emulator can).
   */
  serverTime?: Partial<ServerTimeSettings>;
  /** Delta tokens (and tombstones) expire after this long (default 7 days). */
  deltaTokenTtlMs?: number;
  /** The `account` table's "Track changes" setting (default on, as for the standard table in most orgs). */
  changeTrackingEnabled?: boolean;
  /** The clock for timestamps, token expiry and the service protection windows (tests move it). */
  now?: () => Date;
  /** Seeds the random part of generated account numbers. */
  seed?: number;
  accountNumberStart?: number;
  data?: { currencies?: TransactionCurrency[]; businessUnits?: BusinessUnit[]; accounts?: Iterable<AccountInput> };
  /** Keeps the data in this file across restarts (JSON Lines, written shortly after changes and on close). */
  stateFile?: string;
  bodyLimitBytes?: number;
  logger?: boolean;
}

export type { ServerTimeSettings };

export interface DataverseEmulator {
  /** Not listening yet: the caller listens (port 0 for a free port). */
  app: FastifyInstance;
  store: DataverseStore;
  admin: EmulatorAdmin;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

const referenceDataSchema = z.strictObject({
  currencies: z
    .array(z.strictObject({ transactioncurrencyid: z.uuid(), isocurrencycode: z.string().min(1).max(5), currencyname: z.string().min(1).max(100) }))
    .optional(),
  businessUnits: z.array(z.strictObject({ businessunitid: z.uuid(), name: z.string().min(1).max(160) })).optional(),
});
const accountsSeedSchema = z.array(z.record(z.string(), z.unknown())).max(100_000);
const lateUpdateSchema = z.strictObject({ values: z.record(z.string(), z.unknown()), commitAfterMs: z.number().int().min(0).max(600_000) });

/**
 * Dataverse Web API v9.2 for the `account` table and the two lookup tables it points to (contract §2): keyset
 * paging, filters, ETags, upsert/create-only/update-only, change tracking, `$batch` with atomic change sets,
 * bearer tokens and the per-user service protection limits — on the platform's faults, counters and admin routes.
 */
export function createDataverseEmulator(options: DataverseEmulatorOptions = {}): DataverseEmulator {
  const now = options.now ?? (() => new Date());
  const deltaTokenTtlMs = options.deltaTokenTtlMs ?? 7 * 24 * 3600_000;
  const accounts = new AccountStore({
    now,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.accountNumberStart === undefined ? {} : { accountNumberStart: options.accountNumberStart }),
    tombstoneRetentionMs: deltaTokenTtlMs,
  });
  const snapshot = options.stateFile === undefined ? undefined : persistStore(accounts, options.stateFile);
  const store = createDataverseStore(accounts, () => snapshot?.markDirty());
  // Initial data seeds an empty store only: after a restart the kept state wins.
  if (accounts.maxVersion === 0 && accounts.size === 0) {
    if (options.data?.currencies) store.setCurrencies(options.data.currencies);
    if (options.data?.businessUnits) store.setBusinessUnits(options.data.businessUnits);
    if (options.data?.accounts) store.insertAccounts(options.data.accounts);
  }

  const counters = new ServiceCounters('dataverse');
  const serverTime = serverTimeDraw(options.serverTime, new SeededRandom(options.seed ?? 1), counters);
  // A request's server time, charged to its user's execution-time window when its operations start to run.
  const charges = new WeakMap<object, (ms: number) => void>();
  /** The answer waits out its server time, holding its place among the requests in flight as the service would. */
  const spend = async (request: FastifyRequest, ms: number): Promise<void> => {
    charges.get(request.raw)?.(ms);
    if (ms >= 1) await new Promise((resolve) => setTimeout(resolve, ms));
  };
  const faults = new FaultInjector(options.faults);
  const protection = new ServiceProtection(options.limits, () => now().getTime());
  const service = new DataverseService({
    store: accounts,
    now,
    deltaTokenTtlMs,
    changeTrackingEnabled: options.changeTrackingEnabled ?? true,
    onWrite: () => {
      counters.countWrites();
      snapshot?.markDirty();
    },
  });

  const app = createEmulatorServer({
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  // Service bodies reach the executor as text: malformed JSON must be answered in the Dataverse shape, not
  // fastify's. The platform's admin routes get parsed JSON, as they expect.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (!isAdminUrl(request.url)) return done(null, body);
    const parsed = bodyFromText(String(body));
    if (parsed.kind === 'invalid') return done(Object.assign(new Error(parsed.detail), { statusCode: 400 }), undefined);
    return done(null, parsed.kind === 'json' ? parsed.value : undefined);
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  // Service protection starts the clock and counts the request in flight on arrival, before injected latency
  // (which is server time to a client); the verifier caches tokens, so identifying the caller here costs a look-up.
  const verifier = options.verifier ?? new TokenVerifier();
  app.addHook('onRequest', async (request, reply) => {
    if (isAdminUrl(request.url)) return;
    const check = verifier.verify(request.headers.authorization, options.audiences ?? [`${request.protocol}://${request.headers.host ?? ''}`]);
    if (!check.ok) return;
    const user = check.clientId;
    const started = performance.now();
    const charged = { ms: 0 };
    charges.set(request.raw, (ms) => {
      protection.charge(user, ms);
      charged.ms += ms;
    });
    protection.arrive(user);
    reply.raw.once('close', () => protection.depart(user, performance.now() - started - charged.ms));
  });
  installFaults(app, faults, { errorBody: (status) => errors.unexpected(status === 503 ? 'Service Unavailable' : undefined).body() });
  installAuth(app, {
    verifier,
    ...(options.audiences === undefined ? {} : { audiences: options.audiences }),
    unauthorized: (reply, reason) =>
      send(reply, {
        status: 401,
        headers: { 'Content-Type': JSON_CONTENT_TYPE, 'WWW-Authenticate': 'Bearer error="invalid_token"' },
        body: errors.unauthorized(reason).body(),
      }),
  });
  app.addHook('onRequest', async (request, reply) => {
    if (isAdminUrl(request.url) || request.clientId === undefined) return;
    const refusal = protection.admit(request.clientId) ?? protection.checkConcurrency(request.clientId);
    if (refusal !== undefined) return send(reply, refusalResponse(refusal));
  });
  installCounters(app, counters);
  registerAdminRoutes(app, { counters, faults, health: () => ({ accounts: accounts.size, maxVersion: accounts.maxVersion }) });
  registerDataAdminRoutes(app, store);

  app.all(`${API_BASE_PATH}*`, async (request, reply) => {
    const [pathname = '', search = ''] = splitUrl(request.url);
    const origin = `${request.protocol}://${request.headers.host ?? 'localhost'}`;
    const user = request.clientId ?? 'anonymous';
    const headers = flattenHeaders(request);
    const text = typeof request.body === 'string' ? request.body : undefined;
    if (pathname === `${API_BASE_PATH}$batch` || pathname === `${API_BASE_PATH}$batch/`) {
      if (request.method !== 'POST') return send(reply, refusalResponse(errors.methodNotAllowed(request.method)));
      let serverMs = 0;
      const result = executeBatch(
        { contentType: headers['content-type'], body: text ?? '', headers, origin, user },
        { service, store: accounts, onOperation: (method, operations) => (serverMs += serverTimeOfMany(serverTime, method, operations)) },
      );
      counters.increment('batchOperations', result.operations);
      await spend(request, serverMs);
      if (result.operations > 0 && faults.afterCommit(request, reply)) return reply;
      return reply.code(result.status).headers(result.headers).send(replyBytes(result.body, result.headers));
    }
    const response = service.execute({ method: request.method, pathname, search, headers, body: bodyFromText(text), origin, user });
    if ((response.operations ?? 1) > 1) counters.increment('bulkOperations', response.operations ?? 1);
    await spend(request, serverTimeOfMany(serverTime, request.method, response.operations ?? 1));
    if (WRITE_METHODS.has(request.method) && response.status < 300 && faults.afterCommit(request, reply)) return reply;
    return send(reply, response);
  });

  app.setNotFoundHandler((request, reply) => send(reply, refusalResponse(errors.resourceNotFound(splitUrl(request.url)[0] ?? ''))));
  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    return send(reply, refusalResponse(new DataverseError(status, status >= 500 ? '0x80040216' : '0x80060888', error.message ?? 'Error')));
  });
  app.addHook('onClose', async () => snapshot?.close());

  return { app, store, admin: { counters, faults } };
}

/** Server time of `operations` record operations of one kind (a bulk message: one per target), each drawn. */
function serverTimeOfMany(serverTime: (method: string) => number, method: string, operations: number): number {
  let total = 0;
  for (let i = 0; i < operations; i++) total += serverTime(method);
  return total;
}

/** Serialised here so fastify sends the OData content type exactly as set (it would rewrite it for objects). */
function send(reply: FastifyReply, response: OperationResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  return response.body === undefined ? reply.send() : reply.send(replyBytes(JSON.stringify(response.body), response.headers));
}

function refusalResponse(error: DataverseError): OperationResponse {
  return { status: error.status, headers: { 'Content-Type': JSON_CONTENT_TYPE, 'OData-Version': '4.0', ...error.headers }, body: error.body() };
}

function splitUrl(url: string): [string, string] {
  const question = url.indexOf('?');
  return question === -1 ? [url, ''] : [url.slice(0, question), url.slice(question)];
}

function flattenHeaders(request: FastifyRequest): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** Seeding over HTTP for a separate process (the demo, `p2c emulators`); no token, like every `/_admin` route. */
function registerDataAdminRoutes(app: FastifyInstance, store: DataverseStore): void {
  app.put(`${adminPrefix}/dataverse/reference-data`, async (request, reply) => {
    const parsed = referenceDataSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { code: '0x80048d19', message: z.prettifyError(parsed.error) } });
    if (parsed.data.currencies) store.setCurrencies(parsed.data.currencies);
    if (parsed.data.businessUnits) store.setBusinessUnits(parsed.data.businessUnits);
    return reply.code(204).send();
  });
  app.post(`${adminPrefix}/dataverse/accounts`, async (request, reply) => {
    const parsed = accountsSeedSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { code: '0x80048d19', message: z.prettifyError(parsed.error) } });
    try {
      const inserted = store.insertAccounts(parsed.data as AccountInput[]);
      return reply.code(201).send({ inserted, maxVersion: store.maxVersion() });
    } catch (error) {
      if (error instanceof DataverseError) return reply.code(error.status).send(error.body());
      throw error;
    }
  });
  // The rowversion race on demand: the version is taken now, the change commits `commitAfterMs` later.
  app.post(`${adminPrefix}/dataverse/accounts/:id/late-update`, async (request, reply) => {
    const parsed = lateUpdateSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: { code: '0x80048d19', message: z.prettifyError(parsed.error) } });
    try {
      const late = store.beginLateUpdate((request.params as { id: string }).id, parsed.data.values as AccountValues);
      setTimeout(() => late.commit(), parsed.data.commitAfterMs).unref();
      return reply.code(202).send({ version: late.version });
    } catch (error) {
      if (error instanceof DataverseError) return reply.code(error.status).send(error.body());
      throw error;
    }
  });
  app.get(`${adminPrefix}/dataverse/accounts/:id`, async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const row = store.getAccount(id);
    return row === undefined ? reply.code(404).send(errors.doesNotExist('account', id).body()) : row;
  });
}

