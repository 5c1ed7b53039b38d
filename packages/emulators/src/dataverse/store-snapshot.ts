import { z } from 'zod';
import { SnapshotFile } from '../shared';
import type { AccountRow } from './account-row';
import type { AccountStore, StoreState } from './account-store';

const guid = z.string().regex(/^[0-9a-fA-F-]{36}$/);

const stateSchema = z.object({
  version: z.number().int().min(0),
  sequence: z.number().int().min(0),
  currencies: z.array(z.object({ transactioncurrencyid: guid, isocurrencycode: z.string(), currencyname: z.string() })),
  businessUnits: z.array(z.object({ businessunitid: guid, name: z.string() })),
  tombstones: z.array(z.object({ version: z.number().int(), id: guid, deletedAtMs: z.number() })),
});

const text = z.string().nullable();
const rowSchema = z.object({
  accountid: guid,
  accountnumber: text,
  name: text,
  address1_line1: text,
  address1_line2: text,
  address1_line3: text,
  address1_city: text,
  address1_stateorprovince: text,
  address1_postalcode: text,
  address1_county: text,
  address1_country: text,
  telephone1: text,
  fax: text,
  emailaddress1: text,
  websiteurl: text,
  description: text,
  creditlimit: z.number().nullable(),
  creditonhold: z.boolean().nullable(),
  _transactioncurrencyid_value: guid.nullable(),
  customertypecode: z.number().int().nullable(),
  paymenttermscode: z.number().int().nullable(),
  address1_freighttermscode: z.number().int().nullable(),
  address1_shippingmethodcode: z.number().int().nullable(),
  statecode: z.number().int(),
  modifiedon: z.string(),
  createdon: z.string(),
  versionnumber: z.number().int().positive(),
  _owningbusinessunit_value: guid.nullable(),
}) satisfies z.ZodType<AccountRow>;

/**
 * Keeps the store in a JSON Lines file across restarts (the platform's SnapshotFile does the writing): loads it
 * when present, then rewrites it shortly after changes and on close. Delta tokens stay valid across a restart
 * because tombstones are kept too.
 */
export function persistStore(store: AccountStore, file: string): SnapshotFile {
  const saved = SnapshotFile.read(file);
  if (saved !== undefined) {
    const state: StoreState = stateSchema.parse(saved.meta);
    store.restore(state, saved.rows.map((row, index) => {
      const parsed = rowSchema.safeParse(row);
      if (!parsed.success) throw new Error(`${file}: row ${index + 1} is not an account: ${parsed.error.message}`);
      return parsed.data;
    }));
  }
  return new SnapshotFile({ file, capture: () => ({ meta: store.state(), rows: store.values() }) });
}
