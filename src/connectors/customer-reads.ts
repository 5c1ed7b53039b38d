import { z } from 'zod';
import { CUSTOMER_FIELDS, type CustomerField } from '../domain/customer-row';
import { quoteLiteral } from '@p2c-sync/odata-wire';
import type { FnoClient } from './fno-client';
import { keySlices } from './key-slices';
import { parseRows } from './parse-rows';

// F&O `CustomersV2` reads by purpose: one company's customers by a range of keys or a list of keys, each read owning
// its `$filter` and key slicing, rows parsed with the schema below.

/** What the reads need of the client (tests may hand in a wrapped one). */
export type CustomerSource = Pick<FnoClient, 'queryCustomers'>;

/** Which customers of a company: keys in (after, upTo] (null: unbounded), or exactly these keys. */
export type CustomerSelection =
  | { kind: 'range'; after: string | null; upTo: string | null }
  | { kind: 'keys'; keys: readonly string[] };

// CustomersV2 as `$metadata` types the fields this product writes: Edm.String (enums such as NoYes as their names)
// and Edm.Decimal for the credit limit. F&O answers "" for an empty string; null is accepted all the same.
const text = z.string().nullable().optional();
type TextField = Exclude<CustomerField, 'dataAreaId' | 'CustomerAccount' | 'CreditLimit'>;
const textFields = Object.fromEntries(CUSTOMER_FIELDS.map((field) => [field, text])) as Record<TextField, typeof text>;

/** A customer as F&O holds it: the written fields only (everything else belongs to F&O users). */
export const existingCustomerSchema = z.object({
  ...textFields,
  dataAreaId: z.string(),
  CustomerAccount: z.string(),
  // Edm.Decimal: a JSON number, or a string when the client asks for IEEE754Compatible.
  CreditLimit: z.union([z.number(), z.string()]).nullable().optional(),
});

export type ExistingCustomer = z.output<typeof existingCustomerSchema>;

/** The company's customers of a selection, the fields this product writes, a page at a time. */
export async function* readCustomers(fno: CustomerSource, company: string, selection: CustomerSelection): AsyncGenerator<ExistingCustomer[]> {
  for (const filter of customerFilters(selection)) {
    for await (const rows of fno.queryCustomers({ dataAreaId: company, ...(filter !== undefined ? { filter } : {}), select: [...CUSTOMER_FIELDS] })) {
      yield parseRows(existingCustomerSchema, rows, 'a customer', 'fno');
    }
  }
}

/** Customers maintained from Sales (IsExternallyMaintained = Yes) by their hold status (F&O enum CustVendorBlocked). */
export interface MaintainedCustomerQuery {
  /** Only these keys; every such customer of the company when absent. */
  keys?: readonly string[];
  /** Customers whose OnHoldStatus is (`is: true`) or is not (`is: false`) this value, e.g. `All`. */
  hold: { status: string; is: boolean };
}

/** Keys (CustomerAccount) of a company's customers maintained from Sales with or without a hold, a page at a time. */
export async function* readMaintainedCustomerKeys(fno: CustomerSource, company: string, query: MaintainedCustomerQuery): AsyncGenerator<string[]> {
  if (!/^[A-Za-z]+$/.test(query.hold.status)) throw new Error(`'${query.hold.status}' is not a CustVendorBlocked value`);
  const conditions = [
    "IsExternallyMaintained eq Microsoft.Dynamics.DataEntities.NoYes'Yes'",
    `OnHoldStatus ${query.hold.is ? 'eq' : 'ne'} Microsoft.Dynamics.DataEntities.CustVendorBlocked'${query.hold.status}'`,
  ].join(' and ');
  const filters = query.keys === undefined ? [conditions] : customerFilters({ kind: 'keys', keys: query.keys }).map((keys) => `${keys} and ${conditions}`);
  for (const filter of filters) {
    for await (const rows of fno.queryCustomers({ dataAreaId: company, filter, select: ['CustomerAccount'] })) {
      yield parseRows(customerKeySchema, rows, 'a customer key', 'fno').map((row) => row.CustomerAccount);
    }
  }
}

const customerKeySchema = z.object({ CustomerAccount: z.string() });

/** `$filter` clauses of a selection; undefined for a range without bounds (every customer of the company). */
function customerFilters(selection: CustomerSelection): (string | undefined)[] {
  if (selection.kind === 'keys') {
    return keySlices(selection.keys).map((keys) => `(${keys.map((key) => `CustomerAccount eq ${quoteLiteral(key)}`).join(' or ')})`);
  }
  const bounds = [
    ...(selection.after === null ? [] : [`CustomerAccount gt ${quoteLiteral(selection.after)}`]),
    ...(selection.upTo === null ? [] : [`CustomerAccount le ${quoteLiteral(selection.upTo)}`]),
  ];
  return [bounds.length > 0 ? bounds.join(' and ') : undefined];
}
