import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server as HttpsServer } from 'node:https';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createEmulatorHttpsServer,
  type EmulatorAdmin,
  FaultInjector,
  type FaultSettingsInput,
  installCounters,
  installFaults,
  normalizeResource,
  processSigningKeys,
  registerAdminRoutes,
  ServiceCounters,
  signJwt,
  type SigningKeys,
} from '../shared';
import { entraError, type EntraErrorKind } from './entra-error';
import { openIdMetadata } from './openid-metadata';
import { createTlsMaterial, type TlsMaterial } from './tls-certificate';
import { resourceFromScopes, tokenRequestSchema } from './token-request';

export interface EntraClient {
  clientId: string;
  clientSecret: string;
}

export interface EntraEmulatorOptions {
  /** Default: a fixed GUID, so URLs printed by one run still work in the next. */
  tenantId?: string;
  /** Other names the tenant answers to (e.g. `contoso.onmicrosoft.com`). */
  tenantAliases?: readonly string[];
  clients: readonly EntraClient[];
  /** Access token lifetime (default 3600 s). */
  tokenLifetimeSeconds?: number;
  /** Resource URLs tokens may be issued for (compared like Entra: case and trailing slash ignored); any when omitted. */
  resources?: () => readonly string[];
  /** TLS certificate and key; generated (see `createTlsMaterial`) when omitted. */
  tls?: TlsMaterial;
  /** Extra subject alternative names for the generated certificate. */
  certificateNames?: readonly string[];
  /** Keeps the generated CA here between runs. */
  caDirectory?: string;
  keys?: SigningKeys;
  faults?: FaultSettingsInput;
}

export interface EntraEmulator {
  app: FastifyInstance<HttpsServer>;
  tenantId: string;
  caCertPem: string;
  admin: EmulatorAdmin;
}

export const defaultTenantId = '5f0c1a7e-2b3d-4c8e-9a61-7d2e4b9c0e11';

/**
 * Microsoft Entra ID's client-credentials token endpoint over TLS, with the OpenID discovery document and JWKS an
 * unmodified MSAL reads. Tokens are RS256 JWTs (v1 claims: `aud` = resource, `appid` = client) signed with the
 * process key that the resource emulators' `TokenVerifier` checks.
 */
export async function createEntraEmulator(options: EntraEmulatorOptions): Promise<EntraEmulator> {
  const tenantId = options.tenantId ?? defaultTenantId;
  const tenantNames = new Set([tenantId, ...(options.tenantAliases ?? [])].map((name) => name.toLowerCase()));
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const keys = options.keys ?? processSigningKeys();
  const clients = new Map(options.clients.map((client) => [client.clientId, client.clientSecret]));
  const tls =
    options.tls ??
    (await createTlsMaterial({
      ...(options.certificateNames ? { names: options.certificateNames } : {}),
      ...(options.caDirectory ? { caDirectory: options.caDirectory } : {}),
    }));

  const app = createEmulatorHttpsServer({ https: { key: tls.keyPem, cert: tls.certPem } });
  const counters = new ServiceCounters('entra');
  const faults = new FaultInjector(options.faults);
  installFaults(app, faults, {
    errorBody: (status) => ({ error: 'temporarily_unavailable', error_description: `HTTP ${status} (injected fault)` }),
  });
  installCounters(app, counters);
  registerAdminRoutes(app, { counters, faults });

  const originOf = (request: FastifyRequest) => `https://${request.headers.host ?? request.hostname}`;
  const knownTenant = (tenant: string) => tenantNames.has(tenant.toLowerCase());
  const fail = (request: FastifyRequest, reply: FastifyReply, kind: EntraErrorKind, message: string) => {
    const { status, body } = entraError(kind, message, originOf(request));
    return reply.code(status).header('cache-control', 'no-store, no-cache').send(body);
  };
  const tenantNotFound = (request: FastifyRequest, reply: FastifyReply, tenant: string) =>
    fail(
      request,
      reply,
      'tenantNotFound',
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );

  const discovery = async (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    if (!knownTenant(request.params.tenant)) return tenantNotFound(request, reply, request.params.tenant);
    return reply.send(openIdMetadata(originOf(request), tenantId));
  };
  app.get('/:tenant/v2.0/.well-known/openid-configuration', discovery);
  app.get('/:tenant/.well-known/openid-configuration', discovery);
  const jwks = async () => ({ keys: [keys.jwk] });
  app.get('/:tenant/discovery/v2.0/keys', jwks);
  app.get('/common/discovery/keys', jwks);

  const token = async (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    const { tenant } = request.params;
    if (!knownTenant(tenant)) return tenantNotFound(request, reply, tenant);
    const form = tokenRequestSchema.safeParse(typeof request.body === 'object' && request.body ? request.body : {});
    const fields = form.success ? form.data : {};
    if (!fields.grant_type) {
      return fail(request, reply, 'missingParameter', "The request body must contain the following parameter: 'grant_type'.");
    }
    if (fields.grant_type !== 'client_credentials') {
      return fail(request, reply, 'unsupportedGrantType', `The provided value for the input parameter 'grant_type' is not valid. Only client_credentials is supported by this emulator.`);
    }
    const basic = basicCredentials(request.headers.authorization);
    const clientId = fields.client_id ?? basic?.clientId;
    const clientSecret = fields.client_secret ?? basic?.clientSecret;
    if (!clientId) {
      return fail(request, reply, 'missingParameter', "The request body must contain the following parameter: 'client_id'.");
    }
    const expectedSecret = clients.get(clientId);
    if (expectedSecret === undefined) {
      return fail(request, reply, 'unknownClient', `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    }
    if (clientSecret === undefined) {
      return fail(request, reply, 'missingSecret', "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (!sameSecret(clientSecret, expectedSecret)) {
      return fail(request, reply, 'invalidSecret', `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    const resource = fields.scope !== undefined ? resourceFromScopes(fields.scope) : fields.resource?.replace(/\/+$/, '');
    if (fields.scope === undefined && fields.resource === undefined) {
      return fail(request, reply, 'missingParameter', "The request body must contain the following parameter: 'scope'.");
    }
    if (!resource) {
      return fail(request, reply, 'invalidScope', `The provided value for scope ${fields.scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    const known = options.resources?.();
    if (known && !known.some((candidate) => normalizeResource(candidate) === normalizeResource(resource))) {
      return fail(request, reply, 'unknownResource', `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
    }
    const now = Math.floor(Date.now() / 1000);
    const objectId = stableObjectId(clientId);
    const accessToken = signJwt(
      {
        aud: resource,
        iss: `${originOf(request)}/${tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + lifetime,
        appid: clientId,
        azp: clientId,
        tid: tenantId,
        oid: objectId,
        sub: objectId,
        idtyp: 'app',
        ver: '1.0',
      },
      keys,
    );
    counters.increment('tokensIssued');
    return reply
      .header('cache-control', 'no-store, no-cache')
      .header('pragma', 'no-cache')
      .send({ token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
  };
  app.post('/:tenant/oauth2/v2.0/token', token);
  app.post('/:tenant/oauth2/token', token);

  return { app, tenantId, caCertPem: tls.caCertPem, admin: { counters, faults } };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `client_secret_basic`: both parts form-encoded, then base64 (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const formDecode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part;
    }
  };
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
}

const objectIds = new Map<string, string>();

/** The service principal's object id: random, but the same for a client for the life of the process. */
function stableObjectId(clientId: string): string {
  let id = objectIds.get(clientId);
  if (!id) {
    id = randomUUID();
    objectIds.set(clientId, id);
  }
  return id;
}
