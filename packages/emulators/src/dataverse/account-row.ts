/**
 * One stored account. Every column is always present (null when empty), created in one order by `blankAccountRow`,
 * so a million rows share one hidden class and no row carries a property table of its own.
 */
export type AccountRow = {
  accountid: string;
  accountnumber: string | null;
  name: string | null;
  address1_line1: string | null;
  address1_line2: string | null;
  address1_line3: string | null;
  address1_city: string | null;
  address1_stateorprovince: string | null;
  address1_postalcode: string | null;
  address1_county: string | null;
  address1_country: string | null;
  telephone1: string | null;
  fax: string | null;
  emailaddress1: string | null;
  websiteurl: string | null;
  description: string | null;
  creditlimit: number | null;
  creditonhold: boolean | null;
  _transactioncurrencyid_value: string | null;
  customertypecode: number | null;
  paymenttermscode: number | null;
  address1_freighttermscode: number | null;
  address1_shippingmethodcode: number | null;
  statecode: number;
  /** ISO-8601 UTC without fractions (`2024-01-01T12:00:00Z`), as Dataverse writes it; sorts as text. */
  modifiedon: string;
  createdon: string;
  versionnumber: number;
  _owningbusinessunit_value: string | null;
};

/** Columns a client (or the store API) may set. */
export type AccountValues = Partial<Omit<AccountRow, 'accountid' | 'modifiedon' | 'createdon' | 'versionnumber'>>;

export function blankAccountRow(accountid: string, timestamp: string, versionnumber: number): AccountRow {
  return {
    accountid,
    accountnumber: null,
    name: null,
    address1_line1: null,
    address1_line2: null,
    address1_line3: null,
    address1_city: null,
    address1_stateorprovince: null,
    address1_postalcode: null,
    address1_county: null,
    address1_country: null,
    telephone1: null,
    fax: null,
    emailaddress1: null,
    websiteurl: null,
    description: null,
    creditlimit: null,
    creditonhold: false,
    _transactioncurrencyid_value: null,
    customertypecode: null,
    paymenttermscode: null,
    address1_freighttermscode: null,
    address1_shippingmethodcode: null,
    statecode: 0,
    modifiedon: timestamp,
    createdon: timestamp,
    versionnumber,
    _owningbusinessunit_value: null,
  };
}

/** Dataverse's timestamp form: whole seconds, `Z`. */
export function dataverseTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface TransactionCurrency {
  transactioncurrencyid: string;
  isocurrencycode: string;
  currencyname: string;
}

export interface BusinessUnit {
  businessunitid: string;
  name: string;
}
