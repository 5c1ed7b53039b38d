import { randomUUID } from 'node:crypto';

/** Entra ID's OAuth error codes the emulator uses, with their AADSTS numbers and HTTP statuses. */
export const entraErrors = {
  tenantNotFound: { error: 'invalid_request', code: 90002, status: 400 },
  missingParameter: { error: 'invalid_request', code: 900144, status: 400 },
  unsupportedGrantType: { error: 'unsupported_grant_type', code: 70003, status: 400 },
  unknownClient: { error: 'unauthorized_client', code: 700016, status: 400 },
  missingSecret: { error: 'invalid_client', code: 7000218, status: 401 },
  invalidSecret: { error: 'invalid_client', code: 7000215, status: 401 },
  invalidScope: { error: 'invalid_scope', code: 1002012, status: 400 },
  unknownResource: { error: 'invalid_resource', code: 500011, status: 400 },
} as const;

export type EntraErrorKind = keyof typeof entraErrors;

export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** Entra's error body: `error_description` starts with `AADSTS<code>: ` and ends with trace/correlation ids. */
export function entraError(
  kind: EntraErrorKind,
  message: string,
  origin: string,
  correlationId: string = randomUUID(),
): { status: number; body: EntraErrorBody } {
  const { error, code, status } = entraErrors[kind];
  const traceId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${origin}/error?code=${code}`,
    },
  };
}
