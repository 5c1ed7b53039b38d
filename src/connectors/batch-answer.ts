import { type BatchResponsePart, decodeBatchResponse } from '@p2c-sync/odata-wire';
import { ConnectorError } from './errors';
import type { HttpResponse } from './http-client';

export function isMultipartAnswer(response: HttpResponse): boolean {
  return (response.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/mixed');
}

/**
 * Decodes a `$batch` answer. One that cannot be read leaves every operation's outcome unknown, which is what
 * `ambiguous` says: the caller re-reads before deciding anything.
 */
export function decodeBatchAnswer(service: 'dataverse' | 'fno', response: HttpResponse): BatchResponsePart[] {
  try {
    return decodeBatchResponse(response.headers['content-type'], response.body);
  } catch (error) {
    const name = service === 'fno' ? 'F&O' : 'Dataverse';
    throw new ConnectorError(
      `${name} $batch answer cannot be read (${(error as Error).message}); the operations may have been applied`,
      { kind: 'transient', service, status: response.status, ambiguous: true },
    );
  }
}
