import { z } from 'zod';
import { ConnectorError, type ConnectorService } from './errors';

/** An OData collection answer: rows plus the opaque link to the next page when there is one. */
export const collectionEnvelopeSchema = z.looseObject({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().optional(),
});

export interface CollectionPage {
  rows: unknown[];
  nextLink?: string;
}

/** Reads a collection body; a body that is not one is the service (or the URL) being something else. */
export function parseCollectionPage(service: ConnectorService, url: string, bodyText: string): CollectionPage {
  const parsed = collectionEnvelopeSchema.safeParse(parseJson(bodyText));
  if (!parsed.success) {
    throw new ConnectorError(`${describe(service)} answered ${pathOf(url)} with something that is not an OData collection`, {
      kind: 'configuration',
      service,
    });
  }
  const nextLink = parsed.data['@odata.nextLink'];
  return { rows: parsed.data.value, ...(nextLink ? { nextLink } : {}) };
}

/** Reads a single entity body (a JSON object). */
export function parseEntity(service: ConnectorService, url: string, bodyText: string): Record<string, unknown> {
  const parsed = z.record(z.string(), z.unknown()).safeParse(parseJson(bodyText));
  if (!parsed.success) {
    throw new ConnectorError(`${describe(service)} answered ${pathOf(url)} with something that is not an entity`, {
      kind: 'configuration',
      service,
    });
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(service: ConnectorService): string {
  return service === 'fno' ? 'F&O' : service === 'dataverse' ? 'Dataverse' : 'Entra ID';
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
