import { validateAccountValues } from './account-body';
import type { AccountRow, AccountValues, BusinessUnit, TransactionCurrency } from './account-row';
import type { AccountStore } from './account-store';
import { errors } from './dataverse-error';

/** An account as the store API takes it: the writable columns, lookups as `_…_value` GUIDs, an optional id. */
export type AccountInput = AccountValues & { accountid?: string };

/**
 * The emulator's data, in process, for tests, the demo and benchmarks: seed and inspect accounts without HTTP.
 * Values are validated like an HTTP write (lengths, types, choices, lookups; throws DataverseError), but nothing
 * is generated: an account inserted without a number stays without one, as accounts that existed before the
 * Prospect to cash solution was installed. Rows returned are copies.
 */
export interface DataverseStore {
  insertAccount(input: AccountInput): AccountRow;
  /** Inserts many in one go (validated one by one); returns how many. */
  insertAccounts(inputs: Iterable<AccountInput>): number;
  getAccount(id: string): AccountRow | undefined;
  listAccounts(): AccountRow[];
  updateAccount(id: string, values: AccountValues): AccountRow;
  deleteAccount(id: string): boolean;
  /**
   * An update in a slow transaction: its row version is taken now, it becomes visible only at `commit()` (the
   * rowversion race that change tracking survives and `versionnumber gt N` does not). Values validated now.
   */
  beginLateUpdate(id: string, values: AccountValues): { version: number; commit(): AccountRow };
  accountCount(): number;
  /** The highest `versionnumber` handed out so far (creates, updates and deletes all take one). */
  maxVersion(): number;
  setCurrencies(currencies: Iterable<TransactionCurrency>): void;
  setBusinessUnits(units: Iterable<BusinessUnit>): void;
  listCurrencies(): TransactionCurrency[];
  listBusinessUnits(): BusinessUnit[];
}

export function createDataverseStore(store: AccountStore, onChange: () => void): DataverseStore {
  const insert = (input: AccountInput): AccountRow => {
    const write = validateAccountValues(input, store, 'create');
    if (write.accountid !== undefined && store.get(write.accountid) !== undefined) throw errors.duplicate();
    return store.create(write.values, write.accountid);
  };
  return {
    insertAccount(input) {
      const row = insert(input);
      onChange();
      return { ...row };
    },
    insertAccounts(inputs) {
      let count = 0;
      for (const input of inputs) {
        insert(input);
        count += 1;
      }
      if (count > 0) onChange();
      return count;
    },
    getAccount(id) {
      const row = store.get(id);
      return row === undefined ? undefined : { ...row };
    },
    listAccounts() {
      return Array.from(store.values(), (row) => ({ ...row }));
    },
    updateAccount(id, values) {
      const row = store.get(id);
      if (row === undefined) throw errors.doesNotExist('account', id);
      const write = validateAccountValues(values, store, 'update');
      const updated = { ...store.update(row, write.values) };
      onChange();
      return updated;
    },
    deleteAccount(id) {
      const deleted = store.delete(id);
      if (deleted) onChange();
      return deleted;
    },
    beginLateUpdate(id, values) {
      const row = store.get(id);
      if (row === undefined) throw errors.doesNotExist('account', id);
      const write = validateAccountValues(values, store, 'update');
      const late = store.beginLateUpdate(row);
      return {
        version: late.version,
        commit() {
          const updated = { ...late.commit(write.values) };
          onChange();
          return updated;
        },
      };
    },
    accountCount: () => store.size,
    maxVersion: () => store.maxVersion,
    setCurrencies(currencies) {
      store.setCurrencies(currencies);
      onChange();
    },
    setBusinessUnits(units) {
      store.setBusinessUnits(units);
      onChange();
    },
    listCurrencies: () => store.listCurrencies(),
    listBusinessUnits: () => store.listBusinessUnits(),
  };
}
