import { accountNumberKey } from './account-number';
import {
  CUSTOMER_KEY_FIELDS,
  MAPPED_CUSTOMER_FIELDS,
  OPTIONAL_CUSTOMER_FIELDS,
  type CustomerField,
  type CustomerRow,
} from './customer-row';
import { sameFieldValue } from './code-equality';

/**
 * What writing one desired customer means against what F&O has. Only fields this product writes are compared, so
 * fields F&O users maintain never show up. Rules:
 * - F&O returns `""` for empty strings: unset, null and `""` are equal.
 * - Template fields (MAPPED_CUSTOMER_FIELDS) are owned: a value F&O has but the account no longer does is cleared
 *   (written as `""`), as the template's overwrite did. Optional fields (payment/delivery terms, delivery mode,
 *   sales memo, name alias) are compared only when the mapping yields a value, and never cleared.
 * - Strings compare exactly, except codes (CODE_FIELDS: groups, terms, modes, site, warehouse, currency, language,
 *   country, state, county), which compare as F&O's collation does (case-insensitive, trailing blanks ignored);
 *   key fields never produce changes (F&O compares them case-insensitively — the Account Number rule in
 *   account-number.ts — and a PATCH cannot change them). CreditLimit compares numerically at two decimals.
 */

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export type CustomerChange =
  | { kind: 'create'; row: CustomerRow }
  | { kind: 'update'; changes: Partial<CustomerRow>; fields: FieldChange[] }
  | { kind: 'unchanged' };

const KEY_FIELDS: ReadonlySet<CustomerField> = new Set(CUSTOMER_KEY_FIELDS);
const COMPARED_STRING_FIELDS = MAPPED_CUSTOMER_FIELDS.filter(
  (field): field is Exclude<(typeof MAPPED_CUSTOMER_FIELDS)[number], 'CreditLimit'> =>
    field !== 'CreditLimit' && !KEY_FIELDS.has(field),
);

function stringOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

function cents(value: unknown): number {
  if (value === null || value === undefined || value === '') return 0;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Math.round(number * 100);
}

/** Diffing against another customer's row would write one customer's data onto another: a caller's bug. */
function assertSameKey(desired: CustomerRow, existing: Readonly<Record<string, unknown>>): void {
  for (const field of CUSTOMER_KEY_FIELDS) {
    const found = existing[field];
    if (found !== undefined && accountNumberKey(stringOf(found)) !== accountNumberKey(desired[field])) {
      throw new Error(
        `diffCustomer: existing customer has ${field} '${stringOf(found)}' but the desired one '${desired[field]}'`,
      );
    }
  }
}

export function diffCustomer(desired: CustomerRow, existing: Readonly<Record<string, unknown>> | undefined): CustomerChange {
  if (existing === undefined) return { kind: 'create', row: desired };
  assertSameKey(desired, existing);
  const changes: Partial<Record<CustomerField, string | number>> = {};
  const fields: FieldChange[] = [];

  for (const field of COMPARED_STRING_FIELDS) {
    const to = stringOf(desired[field]);
    if (!sameFieldValue(field, to, stringOf(existing[field]))) {
      changes[field] = to;
      fields.push({ field, from: existing[field], to });
    }
  }
  for (const field of OPTIONAL_CUSTOMER_FIELDS) {
    const to = desired[field];
    if (to !== undefined && to !== '' && !sameFieldValue(field, to, stringOf(existing[field]))) {
      changes[field] = to;
      fields.push({ field, from: existing[field], to });
    }
  }
  const desiredCents = cents(desired.CreditLimit);
  if (desiredCents !== cents(existing.CreditLimit)) {
    changes.CreditLimit = desired.CreditLimit;
    fields.push({ field: 'CreditLimit', from: existing.CreditLimit, to: desired.CreditLimit });
  }

  return fields.length === 0 ? { kind: 'unchanged' } : { kind: 'update', changes: changes as Partial<CustomerRow>, fields };
}
