import type { FilterExpression } from '../odata-filter';

export interface KeyBound {
  value: string;
  inclusive: boolean;
}

/** What a `CustomersV2` filter says about the key, lower-cased; an absent field does not narrow. */
export interface KeyConstraints {
  companies?: Set<string>;
  accounts?: Set<string>;
  lower?: KeyBound;
  upper?: KeyBound;
}

/**
 * Reads the key narrowing off a filter: `dataAreaId eq`, `CustomerAccount eq` (or an `or` of them — F&O has no
 * `in`) and `CustomerAccount` range bounds among the conjuncts. Every operand of an `and` must hold, at any depth:
 * the parser keeps a parenthesised `a and (b and c)` as a nested node (clients send ranges that way), so the chain
 * is flattened first. Nothing is read through `or` or `not`, where a condition need not hold, so the result is
 * sound (it never excludes a matching row) though not complete.
 */
export function keyConstraints(filter: FilterExpression): KeyConstraints {
  const constraints: KeyConstraints = {};
  for (const operand of conjuncts(filter)) {
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

/** The leaves of an `and` chain however it is nested; a filter that is not an `and` is its own only conjunct. */
function conjuncts(filter: FilterExpression): FilterExpression[] {
  if (filter.kind !== 'and') return [filter];
  return filter.operands.flatMap(conjuncts);
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

function tighten(constraints: KeyConstraints, side: 'lower' | 'upper', bound: KeyBound): void {
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
