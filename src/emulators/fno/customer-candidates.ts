import type { FilterExpression, OrderByKey } from '../odata-filter';
import { type CustomerStore, etagOf, type StoredCustomer } from './customer-store';
import type { QueryRow } from './query-runner';

interface Bound {
  value: string;
  inclusive: boolean;
}

interface KeyConstraints {
  companies?: Set<string>;
  accounts?: Set<string>;
  lower?: Bound;
  upper?: Bound;
}

/**
 * The rows a `CustomersV2` query can possibly match, in key order, read through the index instead of a full
 * scan: the filter's top-level `and` is searched for `dataAreaId eq`, `CustomerAccount eq` (or an `or` of them —
 * F&O has no `in`) and `CustomerAccount` range bounds. These only narrow the candidates; the full filter is still
 * evaluated on each, so the narrowing needs to be sound, not complete.
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

function keyConstraints(filter: FilterExpression): KeyConstraints {
  const constraints: KeyConstraints = {};
  const operands = filter.kind === 'and' ? filter.operands : [filter];
  for (const operand of operands) {
    if (operand.kind === 'compare' && typeof operand.value === 'string') {
      const value = operand.value.toLowerCase();
      if (operand.column === 'dataAreaId' && operand.op === 'eq') {
        constraints.companies = intersect(constraints.companies, new Set([value]));
      } else if (operand.column === 'CustomerAccount') {
        if (operand.op === 'eq') constraints.accounts = intersect(constraints.accounts, new Set([value]));
        else if (operand.op === 'gt' || operand.op === 'ge') tighten(constraints, 'lower', { value, inclusive: operand.op === 'ge' });
        else if (operand.op === 'lt' || operand.op === 'le') tighten(constraints, 'upper', { value, inclusive: operand.op === 'le' });
      }
    } else if (operand.kind === 'or') {
      const accounts = accountsOfDisjunction(operand.operands);
      if (accounts) constraints.accounts = intersect(constraints.accounts, accounts);
    }
  }
  return constraints;
}

/** `CustomerAccount eq 'a' or CustomerAccount eq 'b' or …` → {a, b}; undefined for any other disjunction. */
function accountsOfDisjunction(operands: readonly FilterExpression[]): Set<string> | undefined {
  const accounts = new Set<string>();
  for (const operand of operands) {
    if (operand.kind === 'or') {
      const nested = accountsOfDisjunction(operand.operands);
      if (!nested) return undefined;
      for (const account of nested) accounts.add(account);
      continue;
    }
    if (operand.kind !== 'compare' || operand.column !== 'CustomerAccount' || operand.op !== 'eq' || typeof operand.value !== 'string') {
      return undefined;
    }
    accounts.add(operand.value.toLowerCase());
  }
  return accounts;
}

function intersect(current: Set<string> | undefined, next: Set<string>): Set<string> {
  if (!current) return next;
  return new Set([...current].filter((value) => next.has(value)));
}

function tighten(constraints: KeyConstraints, side: 'lower' | 'upper', bound: Bound): void {
  const current = constraints[side];
  if (!current) {
    constraints[side] = bound;
    return;
  }
  const tighter =
    side === 'lower'
      ? bound.value > current.value || (bound.value === current.value && !bound.inclusive)
      : bound.value < current.value || (bound.value === current.value && !bound.inclusive);
  if (tighter) constraints[side] = bound;
}
