/** Any `$filter` / `$orderby` text the service must refuse with a 400; `position` is the 0-based offset in the text. */
export class FilterParseError extends Error {
  override name = 'FilterParseError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/**
 * A property name that is not a column of the entity. Separate from other parse errors because each service words
 * it its own way (Dataverse: `Could not find a property named '<x>' on type 'Microsoft.Dynamics.CRM.account'.`).
 */
export class FilterUnknownColumnError extends FilterParseError {
  override name = 'FilterUnknownColumnError';
  constructor(
    readonly column: string,
    position: number,
  ) {
    super(`Could not find a property named '${column}'`, position);
  }
}
