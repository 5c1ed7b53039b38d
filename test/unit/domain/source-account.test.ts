import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../src/domain/describe-issues';
import { ACCOUNT_COLUMNS, sourceAccountSchema } from '../../../src/domain/source-account';
import { sourceAccount } from './account-fixture';

describe('sourceAccountSchema', () => {
  it('accepts a row as Dataverse returns it and drops annotations', () => {
    const row = {
      ...sourceAccount(),
      '@odata.context': 'https://org.crm.dynamics.com/api/data/v9.2/$metadata#accounts(name)',
      '_transactioncurrencyid_value@OData.Community.Display.V1.FormattedValue': 'US Dollar',
      '_transactioncurrencyid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'transactioncurrency',
      'paymenttermscode@OData.Community.Display.V1.FormattedValue': 'Net 30',
    };
    const parsed = sourceAccountSchema.parse(row);
    expect(parsed).toEqual(sourceAccount());
    expect(Object.keys(parsed).sort()).toEqual(['@odata.etag', ...ACCOUNT_COLUMNS].sort());
  });

  it('accepts null in every nullable column', () => {
    const row = sourceAccount({
      accountnumber: null,
      name: null,
      creditlimit: null,
      creditonhold: null,
      _transactioncurrencyid_value: null,
      paymenttermscode: null,
      _owningbusinessunit_value: null,
    });
    expect(sourceAccountSchema.parse(row)).toEqual(row);
  });

  it('refuses a row with a missing column instead of treating it as empty', () => {
    const { address1_city: _city, ...row } = sourceAccount();
    const parsed = sourceAccountSchema.safeParse(row);
    expect(parsed.success).toBe(false);
    expect(describeIssues(parsed.error!)).toEqual(['address1_city: Invalid input: expected string, received undefined']);
  });

  it('refuses wrongly typed values, naming each column', () => {
    const parsed = sourceAccountSchema.safeParse({
      ...sourceAccount(),
      accountid: 'not-a-guid',
      paymenttermscode: '1',
      creditlimit: '100',
      modifiedon: 'yesterday',
      versionnumber: -1,
    });
    expect(parsed.success).toBe(false);
    expect(describeIssues(parsed.error!).map((problem) => problem.split(':')[0])).toEqual([
      'accountid',
      'creditlimit',
      'paymenttermscode',
      'modifiedon',
      'versionnumber',
    ]);
  });
});
