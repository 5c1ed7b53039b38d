import { dataverseError } from '@p2c-sync/odata-wire';

/**
 * A request the service refuses. Thrown anywhere below the operation executor and turned into the Dataverse error
 * shape once, so every route (and every `$batch` part) answers the same way.
 */
export class DataverseError extends Error {
  override name = 'DataverseError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body() {
    return dataverseError(this.code, this.message);
  }
}

/** `Microsoft.Dynamics.CRM.<logical name>` for each entity set. */
export type EntityLogicalName = 'account' | 'transactioncurrency' | 'businessunit';

// Codes as the service sends them; where Microsoft does not document one, the closest real code is used.
export const errors = {
  // 0x0 is the code Microsoft's troubleshooting page shows for this message.
  unknownProperty: (property: string, entity: EntityLogicalName = 'account') =>
    new DataverseError(400, '0x0', `Could not find a property named '${property}' on type 'Microsoft.Dynamics.CRM.${entity}'.`),
  querySyntax: (message: string) => new DataverseError(400, '0x80060888', message),
  resourceNotFound: (segment: string) => new DataverseError(404, '0x8006088a', `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: (method: string) =>
    new DataverseError(405, '0x80060888', `The HTTP method '${method}' is not allowed on this resource.`),
  payload: (detail: string) =>
    new DataverseError(400, '0x80048d19', `Error identified in Payload provided by the user for Entity :'accounts'. ${detail}`),
  tooLong: (column: string, max: number) =>
    new DataverseError(
      400,
      '0x80044331',
      `A validation error occurred.  The length of the '${column}' attribute of the 'account' entity exceeded the maximum allowed length of '${max}'.`,
    ),
  outOfRange: (column: string, value: unknown) =>
    new DataverseError(400, '0x8004431a', `A validation error occurred. The value ${String(value)} of '${column}' on record of type 'account' is outside the valid range.`),
  required: (column: string) =>
    new DataverseError(400, '0x80040200', `A validation error occurred. The value for the '${column}' attribute of the 'account' entity is required.`),
  doesNotExist: (entity: EntityLogicalName, id: string) =>
    new DataverseError(404, '0x80040217', `${entity} With Id = ${id} Does Not Exist`),
  staleVersion: () =>
    new DataverseError(412, '0x80060882', "The version of the existing record doesn't match the RowVersion property provided."),
  duplicate: () => new DataverseError(412, '0x80040237', 'A record with matching key values already exists.'),
  unauthorized: (reason: string) => new DataverseError(401, '0x80072560', `The user is not authenticated: ${reason}.`),
  expiredDeltaToken: () =>
    new DataverseError(400, '0x80044352', 'Version stamp associated with the client has expired. Please perform a full sync.'),
  bulkPayload: (message: string) => new DataverseError(400, '0x80048d19', message),
  badBatch: (message: string) => new DataverseError(400, '0x80060888', message),
  unexpected: (message = 'An unexpected error occurred.') => new DataverseError(500, '0x80040216', message),
  entityDefinitionNotFound: (logicalName: string) =>
    new DataverseError(404, '0x80040217', `Could not find entity with LogicalName = ${logicalName}.`),
  unknownMetadataProperty: (property: string) =>
    new DataverseError(400, '0x80060888', `Could not find a property named '${property}' on type 'Microsoft.Dynamics.CRM.EntityMetadata'.`),
};
