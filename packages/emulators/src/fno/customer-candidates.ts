import type { FilterExpression, OrderByKey } from '../odata-filter';
import { type KeyConstraints, keyConstraints } from './customer-key-constraints';
import { type CustomerStore, etagOf, type StoredCustomer } from './customer-store';
import type { QueryRow } from './query-runner';

/**
 * The rows a `CustomersV2` query can possibly match, in key order, read through the index instead of a full
 * scan: the filter's `and` chain (at any depth) is searched for `dataAreaId eq`, `CustomerAccount eq` (or an `or` of
 * them — F&O has no `in`) and `CustomerAccount` range bounds (see `keyConstraints`). These only narrow the
 * candidates; the full filter is still evaluated on each, so the narrowing needs to be sound, not complete.
 */
export function customerCandidates(
  store: CustomerStore,
  filter: FilterExpression | undefined,
  companiesInScope: readonly string[],
): Iterable<QueryRow> {
  const constraints = filter ? keyConstraints(filter) : {};
  const companies = companiesInScope.filter((company) => !constraints.companies || constraints.companies.has(company));
  return generate(store, companies, constraints);
}

/** Whether `$orderby` asks for the order candidates already come in. */
export function isNaturalCustomerOrder(orderBy: readonly OrderByKey[], singleCompany: boolean): boolean {
  if (orderBy.some((key) => key.direction !== 'asc')) return false;
  const columns = orderBy.map((key) => key.column).join(',');
  return (
    columns === '' ||
    columns === 'dataAreaId' ||
    columns === 'dataAreaId,CustomerAccount' ||
    (singleCompany && columns === 'CustomerAccount')
  );
}

function* generate(store: CustomerStore, companies: readonly string[], constraints: KeyConstraints): Generator<QueryRow> {
  for (const company of companies) {
    if (constraints.accounts) {
      for (const account of [...constraints.accounts].sort()) {
        const stored = store.get(company, account);
        if (stored && withinBounds(account, constraints)) yield toQueryRow(stored);
      }
      continue;
    }
    const from = constraints.lower;
    for (const stored of store.scan(company, from?.value, from ? !from.inclusive : false)) {
      const account = String(stored.row.CustomerAccount).toLowerCase();
      const upper = constraints.upper;
      if (upper && (account > upper.value || (!upper.inclusive && account === upper.value))) break;
      yield toQueryRow(stored);
    }
  }
}

export function toQueryRow(stored: StoredCustomer): QueryRow {
  return { values: stored.row, etag: etagOf(stored) };
}

function withinBounds(account: string, constraints: KeyConstraints): boolean {
  const { lower, upper } = constraints;
  if (lower && (account < lower.value || (!lower.inclusive && account === lower.value))) return false;
  if (upper && (account > upper.value || (!upper.inclusive && account === upper.value))) return false;
  return true;
}
