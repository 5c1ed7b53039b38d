import { fnoError, type FnoErrorBody } from '@p2c-sync/odata-wire';

/** A request the F&O emulator refuses; carries the status and the body in F&O's error shape. */
export class FnoHttpError extends Error {
  override name = 'FnoHttpError';
  constructor(
    readonly status: number,
    readonly body: FnoErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error.innererror?.message ?? body.error.message);
  }
}

const odataException = 'Microsoft.OData.ODataException';

/** 400 for a query option or URL the OData layer cannot use (the wording of ASP.NET OData, which F&O runs on). */
export function badQuery(detail: string): FnoHttpError {
  return new FnoHttpError(400, fnoError(`The query specified in the URI is not valid. ${detail}`, detail, odataException));
}

/** 400 for a body the OData layer cannot read. */
export function badBody(detail: string): FnoHttpError {
  return new FnoHttpError(400, fnoError('An error has occurred.', detail, odataException));
}

/** 400 with the routing message F&O gives for a key segment it cannot match (contract §3). */
export function noRouteData(): FnoHttpError {
  return new FnoHttpError(400, { error: { code: '', message: 'No route data was found for this request.' } });
}

export function notFound(message: string): FnoHttpError {
  return new FnoHttpError(404, { error: { code: '', message } });
}

export function methodNotAllowed(method: string): FnoHttpError {
  return new FnoHttpError(405, { error: { code: '', message: `The requested resource does not support http method '${method}'.` } });
}

export function unknownProperty(property: string, entityType: string): string {
  return `Could not find a property named '${property}' on type '${entityType}'.`;
}
