import { z } from 'zod';

/**
 * The Dataverse `account` columns the sync selects (contract §2). Reads `$select` exactly these, so a column that
 * is missing from a response is a protocol error rather than an empty value that would clear a customer field.
 */
export const ACCOUNT_COLUMNS = [
  'accountid',
  'accountnumber',
  'name',
  'address1_line1',
  'address1_line2',
  'address1_line3',
  'address1_city',
  'address1_stateorprovince',
  'address1_postalcode',
  'address1_county',
  'address1_country',
  'telephone1',
  'fax',
  'emailaddress1',
  'websiteurl',
  'description',
  'creditlimit',
  'creditonhold',
  '_transactioncurrencyid_value',
  'customertypecode',
  'paymenttermscode',
  'address1_freighttermscode',
  'address1_shippingmethodcode',
  'statecode',
  'modifiedon',
  'createdon',
  'versionnumber',
  '_owningbusinessunit_value',
] as const;

export type AccountColumn = (typeof ACCOUNT_COLUMNS)[number];

/** The `$select` value for reading accounts. */
export const ACCOUNT_SELECT = ACCOUNT_COLUMNS.join(',');

const text = z.string().nullable();
const choice = z.number().int().nullable();
const dateTime = z.iso.datetime({ offset: true });

const columnSchemas = {
  accountid: z.guid(),
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
  _transactioncurrencyid_value: z.guid().nullable(),
  customertypecode: choice,
  paymenttermscode: choice,
  address1_freighttermscode: choice,
  address1_shippingmethodcode: choice,
  statecode: z.number().int(),
  modifiedon: dateTime,
  createdon: dateTime,
  versionnumber: z.number().int().nonnegative(),
  _owningbusinessunit_value: z.guid().nullable(),
} satisfies Record<AccountColumn, z.ZodType>;

/**
 * One `accounts` row as Dataverse returns it for `$select=ACCOUNT_SELECT`. Annotations and any other extra
 * properties are dropped rather than refused: Dataverse adds them freely (formatted values, lookup metadata).
 */
export const sourceAccountSchema = z.object({
  '@odata.etag': z.string().min(1),
  ...columnSchemas,
});

export type SourceAccount = z.output<typeof sourceAccountSchema>;
