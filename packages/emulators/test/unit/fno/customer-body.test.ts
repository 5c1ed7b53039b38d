import { describe, expect, it } from 'vitest';
import { parseCustomerBody } from '../../../src/fno/customer-body';
import { FnoHttpError } from '../../../src/fno/fno-http-error';

function refusal(body: string): string {
  try {
    parseCustomerBody(body);
  } catch (error) {
    if (error instanceof FnoHttpError) return JSON.stringify(error.body);
    throw error;
  }
  throw new Error(`accepted: ${body}`);
}

describe('parseCustomerBody', () => {
  it('reads a body in the order of the entity fields: nulls as empty strings, decimal text as a number, annotations ignored', () => {
    const row = parseCustomerBody(
      JSON.stringify({
        SalesMemo: null,
        CreditLimit: '12.50',
        '@odata.type': '#Microsoft.Dynamics.DataEntities.CustomerV2',
        OrganizationName: 'Contoso',
        'CustomerGroupId@odata.bind': 'x',
        CustomerAccount: 'C-1',
        dataAreaId: 'usmf',
      }),
    );
    expect(row).toEqual({ dataAreaId: 'usmf', CustomerAccount: 'C-1', OrganizationName: 'Contoso', CreditLimit: 12.5, SalesMemo: '' });
    expect(Object.keys(row)).toEqual(['dataAreaId', 'CustomerAccount', 'OrganizationName', 'CreditLimit', 'SalesMemo']);
    expect(parseCustomerBody('{"CreditLimit": -3}')).toEqual({ CreditLimit: -3 });
    expect(parseCustomerBody('{}')).toEqual({});
  });

  it('takes a body a $batch part has parsed already, and still refuses an empty or malformed one', () => {
    const text = '{"CustomerAccount":"C-2","CreditLimit":"7"}';
    expect(parseCustomerBody(text, JSON.parse(text))).toEqual({ CustomerAccount: 'C-2', CreditLimit: 7 });
    expect(refusal('   ')).toContain('The request body is empty');
    expect(refusal('{"CustomerAccount":')).toContain('The request body is not valid JSON');
    expect(refusal('[1]')).toContain('the body is not a JSON object');
  });

  it('refuses an unknown property, a wrong type and a decimal that is not one, naming the property', () => {
    expect(refusal('{"CustomerAccount":"C-1","Unknown":"x"}')).toContain("The property 'Unknown' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV2'");
    expect(refusal('{"CustomerAccount":"C-1","__proto__":{"a":1}}')).toContain("The property '__proto__' does not exist");
    expect(refusal('{"OrganizationName":42}')).toContain("Cannot convert the value of property 'OrganizationName' to the expected type 'Edm.String'");
    expect(refusal('{"CreditLimit":"lots"}')).toContain("'Edm.Decimal[Nullable=False]' of property 'CreditLimit'");
    expect(refusal('{"CreditLimit":null}')).toContain("'Edm.Decimal[Nullable=False]' of property 'CreditLimit'");
    expect(refusal('{"CreditLimit":"1e3"}')).toContain("'Edm.Decimal[Nullable=False]' of property 'CreditLimit'");
    // A wrong type before an unknown property: the wrong type is what the answer names.
    expect(refusal('{"Unknown":"x","OrganizationName":true}')).toContain("property 'OrganizationName'");
  });
});
