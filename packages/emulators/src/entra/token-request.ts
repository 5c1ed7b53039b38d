import { z } from 'zod';

/**
 * The form of `POST /{tenant}/oauth2/v2.0/token` (client credentials). Optional here so the handler can answer a
 * missing field with Entra's own AADSTS900144 rather than a generic validation error; unknown fields (MSAL's
 * telemetry such as `x-client-SKU`) are ignored as Entra ignores them.
 */
export const tokenRequestSchema = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
  /** The v1 endpoint's way of naming the resource. */
  resource: z.string().optional(),
  'client-request-id': z.string().optional(),
});

export type TokenRequest = z.infer<typeof tokenRequestSchema>;

const oidcScopes = new Set(['openid', 'profile', 'offline_access', 'email']);

/**
 * The resource named by a client-credentials scope list: exactly one `{resource}/.default` (OIDC scopes that MSAL
 * may add are ignored). Undefined when the scopes do not name one resource that way.
 */
export function resourceFromScopes(scope: string): string | undefined {
  const scopes = scope.split(/\s+/).filter((item) => item && !oidcScopes.has(item));
  if (scopes.length !== 1) return undefined;
  const [only] = scopes as [string];
  if (!only.endsWith('/.default')) return undefined;
  const resource = only.slice(0, -'/.default'.length);
  return resource || undefined;
}
