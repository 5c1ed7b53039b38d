import { z } from 'zod';
import { ConnectorError } from './errors';
import type { ServiceRequester } from './service-requester';

/** An OData SimpleIdentifier: what an entity set name must look like (CSDL 4.0, without the rarer Unicode classes). */
const entitySetNamesSchema = z
  .array(z.string().regex(/^[\p{L}_][\p{L}\p{N}_]{0,127}$/u, 'is not an OData identifier'))
  .min(1, 'no EntitySet in any EntityContainer');

const COMMENT = /<!--[\s\S]*?-->/g;
// Element names may carry a namespace prefix (`<edm:EntityContainer>`); CSDL documents seldom use one, but may.
const CONTAINER = /<(?:[\w.-]+:)?EntityContainer\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?EntityContainer\s*>)/g;
const ENTITY_SET = /<(?:[\w.-]+:)?EntitySet\b([^>]*?)\/?>/g;
const NAME_ATTRIBUTE = /(?:^|\s)Name\s*=\s*(?:"([^"]*)"|'([^']*)')/;

/**
 * The entity set names of a CSDL (`$metadata`) document: the `Name` of every `EntitySet` inside an
 * `EntityContainer`. A careful extraction rather than a general XML parser (none is a dependency): comments are
 * dropped first, both quote styles and namespace prefixes are read, and names must be OData identifiers. A document
 * without any entity set is not F&O's metadata: the connection points somewhere else.
 */
export function entitySetNamesOf(xml: string): string[] {
  const names: string[] = [];
  const text = xml.replace(COMMENT, '');
  for (const container of text.matchAll(CONTAINER)) {
    for (const set of (container[1] ?? '').matchAll(ENTITY_SET)) {
      const name = NAME_ATTRIBUTE.exec(set[1] ?? '');
      if (name) names.push(name[1] ?? name[2] ?? '');
    }
  }
  const parsed = entitySetNamesSchema.safeParse(names);
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
  return parsed.data;
}

// The F&O metadata document is large (every public entity); give it longer than an ordinary request.
const METADATA_TIMEOUT_MS = 180_000;

/**
 * Which entity sets an F&O environment publishes, from its `$metadata`. Environments differ (licences,
 * configuration keys, versions, customisations), so a client that wants to read an optional set asks first.
 */
export class FnoMetadataReader {
  constructor(
    private readonly requester: ServiceRequester,
    /** The OData service root, e.g. `https://env.operations.dynamics.com/data/`. */
    private readonly root: string,
  ) {}

  async entitySetNames(): Promise<ReadonlySet<string>> {
    const url = `${this.root}$metadata`;
    const response = await this.requester.send({
      method: 'GET',
      url,
      headers: { Accept: 'application/xml', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
      timeoutMs: METADATA_TIMEOUT_MS,
      retryTransient: true,
    });
    try {
      return new Set(entitySetNamesOf(response.body));
    } catch (error) {
      throw new ConnectorError(`GET ${url}: the answer is not an OData metadata document with entity sets: ${(error as Error).message}`, {
        service: 'fno',
        kind: 'configuration',
        status: response.status,
      });
    }
  }
}
