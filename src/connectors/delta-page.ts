import { z } from 'zod';
import { ConnectorError } from './errors';

/**
 * One page of a Dataverse change-tracking answer (`Prefer: odata.track-changes`, then the `@odata.deltaLink`):
 * rows created or changed, in full, and rows removed, by id. The last page carries the delta link for the next
 * read; earlier ones a next link.
 */
export interface DeltaPage {
  changed: Record<string, unknown>[];
  /** Ids of rows deleted, or removed from the tracked set (`reason: "changed"`). */
  removed: string[];
  nextLink?: string;
  deltaLink?: string;
}

const deltaEnvelopeSchema = z.looseObject({
  value: z.array(z.record(z.string(), z.unknown())),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

// OData 4.01 JSON §15: a removed entity is `{ "@odata.context": "…/$deletedEntity", "id": …, "reason"? }`.
const removedEntitySchema = z.looseObject({
  '@odata.context': z.string().regex(/\$deletedEntity$/),
  id: z.string().min(1),
  reason: z.enum(['deleted', 'changed']).optional(),
});

export function parseDeltaPage(url: string, bodyText: string, primaryKey: string): DeltaPage {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    json = undefined;
  }
  const parsed = deltaEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConnectorError(`Dataverse answered ${new URL(url).pathname} with something that is not a change-tracking page`, {
      kind: 'configuration',
      service: 'dataverse',
    });
  }
  const changed: Record<string, unknown>[] = [];
  const removed: string[] = [];
  for (const item of parsed.data.value) {
    // Only an item with an `@odata.context` can be a tombstone: a changed row is not parsed against its schema
    // (a failed parse builds an error, for every row of a start read of change tracking).
    const tombstone = '@odata.context' in item ? removedEntitySchema.safeParse(item) : undefined;
    if (tombstone?.success) removed.push(idOf(tombstone.data.id));
    else if (typeof item[primaryKey] === 'string') changed.push(item);
    else {
      throw new ConnectorError(`Dataverse returned a change without its key ${primaryKey} or a $deletedEntity context`, {
        kind: 'configuration',
        service: 'dataverse',
      });
    }
  }
  const nextLink = parsed.data['@odata.nextLink'];
  const deltaLink = parsed.data['@odata.deltaLink'];
  return { changed, removed, ...(nextLink ? { nextLink } : {}), ...(deltaLink ? { deltaLink } : {}) };
}

/** A removed entity's id is the key, or (OData allows it) the entity's URL ending in `(<key>)`. */
function idOf(id: string): string {
  const match = /\(([0-9a-fA-F-]{36})\)$/.exec(id);
  return (match ? (match[1] as string) : id).toLowerCase();
}
