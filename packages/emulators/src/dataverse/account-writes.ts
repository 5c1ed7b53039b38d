import { ACCOUNT_FILTER_COLUMNS } from './account-columns';
import { parseAccountBody } from './account-body';
import { renderAccount } from './account-reads';
import type { AccountRow, AccountValues } from './account-row';
import type { AccountStore } from './account-store';
import { errors } from './dataverse-error';
import { contextUrl, emptyResponse, jsonResponse, type OperationResponse, serviceRoot, weakEtag } from './odata-response';
import type { BodyInput, OperationInput, ServiceContext } from './operation';
import { parsePreferences, parseQueryOptions } from './query-options';

/** `POST accounts`: creates; a missing Account Number is generated as the Prospect to cash solution does. */
export function createAccount(context: ServiceContext, input: OperationInput): OperationResponse {
  const body = requireJson(input.body);
  const write = parseAccountBody(body, context.store, 'create');
  if (write.accountid !== undefined && context.store.get(write.accountid) !== undefined) throw errors.duplicate();
  const row = context.store.create(withCreateDefaults(context.store, write.values), write.accountid);
  context.onWrite();
  return written(input, row, 'created');
}

/**
 * `PATCH accounts(<id>)`: upsert by default; `If-Match: *` update only, `If-Match: W/"n"` update only that version,
 * `If-None-Match: *` create only.
 */
export function patchAccount(context: ServiceContext, input: OperationInput, id: string): OperationResponse {
  const body = requireJson(input.body);
  const ifMatch = input.headers['if-match']?.trim();
  const ifNoneMatch = input.headers['if-none-match']?.trim();
  const existing = context.store.get(id);
  if (ifNoneMatch === '*' && existing !== undefined) throw errors.duplicate();
  if (ifMatch !== undefined) {
    if (existing === undefined) throw errors.doesNotExist('account', id);
    if (ifMatch !== '*' && !etagMatches(ifMatch, existing.versionnumber)) throw errors.staleVersion();
  }
  const write = parseAccountBody(body, context.store, existing === undefined ? 'create' : 'update');
  if (write.accountid !== undefined && write.accountid !== id) {
    throw errors.payload(`The accountid '${write.accountid}' in the body does not match the key '${id}' in the URL.`);
  }
  if (existing !== undefined) {
    const row = context.store.update(existing, write.values);
    context.onWrite();
    return written(input, row, 'updated');
  }
  const row = context.store.create(withCreateDefaults(context.store, write.values), id);
  context.onWrite();
  return written(input, row, 'created');
}

export function deleteAccount(context: ServiceContext, input: OperationInput, id: string): OperationResponse {
  const existing = context.store.get(id);
  if (existing === undefined) throw errors.doesNotExist('account', id);
  const ifMatch = input.headers['if-match']?.trim();
  if (ifMatch !== undefined && ifMatch !== '*' && !etagMatches(ifMatch, existing.versionnumber)) throw errors.staleVersion();
  context.store.delete(id);
  context.onWrite();
  return emptyResponse(204);
}

function requireJson(body: BodyInput): unknown {
  if (body.kind === 'none') throw errors.payload('The request body is empty.');
  if (body.kind === 'invalid') throw errors.payload(`The request body is not valid JSON: ${body.detail}`);
  return body.value;
}

/** `W/"12"` or `"12"` (clients differ in whether they keep the weak marker). */
function etagMatches(header: string, version: number): boolean {
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === `"${version}"`);
}

function withCreateDefaults(store: AccountStore, values: AccountValues): AccountValues {
  const defaults = store.defaults();
  const result: AccountValues = { ...values };
  if (result.accountnumber === undefined || result.accountnumber === null || result.accountnumber === '') result.accountnumber = store.nextAccountNumber();
  if (result._transactioncurrencyid_value === undefined) result._transactioncurrencyid_value = defaults.currencyId;
  if (result._owningbusinessunit_value === undefined) result._owningbusinessunit_value = defaults.businessUnitId;
  return result;
}

/** 204 with `OData-EntityId`, or the entity itself under `Prefer: return=representation` (201 created, 200 updated). */
function written(input: OperationInput, row: AccountRow, outcome: 'created' | 'updated'): OperationResponse {
  const entityId = `${serviceRoot(input.origin)}accounts(${row.accountid})`;
  const headers = { 'OData-EntityId': entityId, ETag: weakEtag(row.versionnumber) };
  if (!parsePreferences(input.headers['prefer']).returnRepresentation) return emptyResponse(204, headers);
  const select = parseQueryOptions(input.search, ACCOUNT_FILTER_COLUMNS, 'account').select;
  const body = { '@odata.context': contextUrl(input.origin, 'accounts', select, '/$entity'), ...renderAccount(row, select) };
  return jsonResponse(outcome === 'created' ? 201 : 200, body, { ...headers, 'Preference-Applied': 'return=representation' });
}

/** The bound action's name after the entity set: `accounts/Microsoft.Dynamics.CRM.UpdateMultiple`. */
export const UPDATE_MULTIPLE_ACTION = 'Microsoft.Dynamics.CRM.UpdateMultiple';
const ACCOUNT_TYPE = 'Microsoft.Dynamics.CRM.account';

/**
 * `POST accounts/Microsoft.Dynamics.CRM.UpdateMultiple` with `{ Targets: [ { "@odata.type": "Microsoft.Dynamics.CRM.account",
 * accountid, …changed columns } ] }` → 204 (Microsoft's bulk operation messages). On a standard table the message
 * is one transaction: any target that fails (missing row, validation) rolls back every target, and the answer is
 * that target's error. Row versions are not checked: Microsoft documents that `UpdateMultipleRequest.ConcurrencyBehavior`
 * is not applied (known issue), and the Web API action has no row-version parameter; `@odata.etag` in a target and an
 * `If-Match` header on the action are ignored, so a target overwrites whatever the row holds now. Two targets naming
 * the same row: only the first is applied (Microsoft: later ones are ignored).
 */
export function updateMultipleAccounts(context: ServiceContext, input: OperationInput): OperationResponse {
  const body = requireJson(input.body);
  const targets = (body as { Targets?: unknown } | null)?.Targets;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(targets)) {
    throw errors.bulkPayload("UpdateMultiple: the parameter 'Targets' is required and must be an array of account records.");
  }
  for (const key of Object.keys(body)) {
    if (key !== 'Targets') throw errors.bulkPayload(`UpdateMultiple: '${key}' is not a parameter of the action (its only parameter is 'Targets').`);
  }
  if (targets.length === 0) throw errors.bulkPayload("UpdateMultiple: 'Targets' holds no records.");
  const writes = targets.map((target, index) => {
    if (typeof target !== 'object' || target === null || Array.isArray(target)) {
      throw errors.bulkPayload(`UpdateMultiple: Targets[${index}] is not a record.`);
    }
    const type = (target as Record<string, unknown>)['@odata.type'];
    if (type !== ACCOUNT_TYPE) {
      throw errors.bulkPayload(
        `UpdateMultiple: Targets[${index}] must carry "@odata.type": "${ACCOUNT_TYPE}" (got ${type === undefined ? 'none' : JSON.stringify(type)}).`,
      );
    }
    const write = parseAccountBody(target, context.store, 'update');
    if (write.accountid === undefined) throw errors.bulkPayload(`UpdateMultiple: Targets[${index}] has no accountid.`);
    return { id: write.accountid, values: write.values };
  });
  // Microsoft: "the operation is performed on the first record only" when two targets name the same row.
  const seen = new Set<string>();
  const applied = writes.filter(({ id }) => !seen.has(id) && seen.add(id) !== undefined);
  context.store.atomicallyOrJoin(() => {
    for (const { id, values } of applied) {
      const existing = context.store.get(id);
      if (existing === undefined) throw errors.doesNotExist('account', id);
      context.store.update(existing, values);
    }
  });
  for (let i = 0; i < applied.length; i++) context.onWrite();
  return { ...emptyResponse(204), operations: applied.length };
}
