import { ConnectorError } from '../connectors/errors';
import type { FnoClient } from '../connectors/fno-client';
import { codeKey } from '../domain/code-equality';
import { recordFailure, type RecordFailure, type RecordIdentity } from '../domain/record-failure';
import { readCodes, REFERENCE_SETS, type ReferenceSet } from './reference-data';

// A dry run writes nothing, so F&O never gets to refuse a value that is not in its related table; the real run then
// fails those records with REFERENCE_NOT_FOUND. The plan checks every would-be write against the same reference
// data instead, so it predicts those failures: preflight checks only the codes the mapping itself can write
// (defaults, value maps), while an account's own currency or country reaches F&O as it is.

/** Customer fields whose value must exist in an F&O table: the configurable ones, and the country/region. */
const CHECKED: Record<string, ReferenceSet> = {
  // Fields no published entity set lists (the language) cannot be checked ahead, only by F&O on write.
  ...Object.fromEntries(Object.entries(REFERENCE_SETS).filter((entry): entry is [string, ReferenceSet] => entry[1]?.entitySet !== undefined)),
  AddressCountryRegionId: { entitySet: 'AddressCountryRegions', codeField: 'CountryRegion', perCompany: false, label: 'country/region' },
};

/** Codes read once per unit (an activity attempt): a dry run's unit checks hundreds of rows against the same tables. */
export class PlanReferences {
  private readonly codes = new Map<string, Promise<Set<string> | undefined>>();

  constructor(private readonly fno: FnoClient) {}

  /** The failure the real run would get for this write, or undefined when every referenced code exists. */
  async refusal(identity: RecordIdentity & { company: string }, written: Readonly<Record<string, unknown>>): Promise<RecordFailure | undefined> {
    for (const [field, set] of Object.entries(CHECKED)) {
      const value = written[field];
      // An empty value clears the field; F&O checks only values.
      if (typeof value !== 'string' || value === '') continue;
      const known = await this.codesOf(set, identity.company);
      if (!known || known.has(codeKey(value))) continue;
      const where = set.perCompany ? ` in company '${identity.company}'` : '';
      return recordFailure(
        identity,
        'REFERENCE_NOT_FOUND',
        `F&O would refuse the customer: ${set.label} '${value}' does not exist in F&O${where} (${set.entitySet}); add it there or map the value to one that exists`,
        { field, value },
      );
    }
    return undefined;
  }

  private codesOf(set: ReferenceSet, company: string): Promise<Set<string> | undefined> {
    const key = `${set.entitySet}|${set.perCompany ? company : ''}`;
    let codes = this.codes.get(key);
    if (!codes) {
      codes = this.read(set, company);
      this.codes.set(key, codes);
    }
    return codes;
  }

  private async read(set: ReferenceSet, company: string): Promise<Set<string> | undefined> {
    try {
      return new Set((await readCodes(this.fno, set, company)).map(codeKey));
    } catch (error) {
      // An environment that does not publish the table cannot be checked ahead; the real run's write still is.
      // (F&O answers 404 for an entity set it does not publish.)
      if (error instanceof ConnectorError && (error.kind === 'not-found' || error.status === 404)) return undefined;
      throw error;
    }
  }
}
