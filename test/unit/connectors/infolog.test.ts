import { describe, expect, it } from 'vitest';
import { customerFieldForLabel } from '../../../src/connectors/customer-field-labels';
import { firstProblem, parseInfolog } from '../../../src/connectors/infolog';

const WRITE_FAILED = "Write failed for table row of type 'CustCustomerV2Entity'. Infolog: ";

describe('parseInfolog', () => {
  it('splits the entries after "Infolog:" and keeps each severity', () => {
    const entries = parseInfolog(
      `${WRITE_FAILED}Warning: The value 'ZZ' in field 'Customer group' is not found in the related table 'Customer groups'.; Error: Validation failed for the record.`,
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      severity: 'Warning',
      problem: 'not-found',
      label: 'Customer group',
      value: 'ZZ',
      table: 'Customer groups',
    });
    expect(entries[1]).toMatchObject({ severity: 'Error', text: 'Validation failed for the record.' });
    expect(entries[1]?.problem).toBeUndefined();
  });

  it('recognises a required field left empty', () => {
    const [entry] = parseInfolog(`${WRITE_FAILED}Error: Field 'Currency' must be filled in.`);
    expect(entry).toMatchObject({ problem: 'required', label: 'Currency' });
    expect(entry?.value).toBeUndefined();
  });

  it('recognises the duplicate key message with its table', () => {
    const [entry] = parseInfolog(
      `${WRITE_FAILED}Error: Cannot create a record in Customers (CustTable). Customer account: ACC-01000-BVRCPS, usmf. The record already exists.`,
    );
    expect(entry).toMatchObject({ problem: 'duplicate', table: 'Customers (CustTable)' });
  });

  it('reads the duplicate key as F&O writes it: severity Info, a line break before the last sentence', () => {
    // Verbatim from a real CustomerGroups $batch answer (docs/fidelity.md), and the same form for CustTable.
    const [group] = parseInfolog(
      `Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). Customer group: Batch2, Batch 2 Test group T1.\nThe record already exists..`,
    );
    expect(group).toEqual({
      severity: 'Info',
      text: 'Cannot create a record in Customer groups (CustGroup). Customer group: Batch2, Batch 2 Test group T1. The record already exists..',
      problem: 'duplicate',
      table: 'Customer groups (CustGroup)',
    });
    const [customer] = parseInfolog(
      `${WRITE_FAILED}Info: Cannot create a record in Customers (CustTable). Customer account: ACC-01000-BVRCPS.\r\nThe record already exists..`,
    );
    expect(customer).toMatchObject({ severity: 'Info', problem: 'duplicate', table: 'Customers (CustTable)' });
  });

  it('recognises too-long values with and without the value in the message', () => {
    const [withValue] = parseInfolog(`${WRITE_FAILED}Error: The value 'ABCDEFGHIJKL' in field 'ZIP/postal code' is too long.`);
    expect(withValue).toMatchObject({ problem: 'too-long', label: 'ZIP/postal code', value: 'ABCDEFGHIJKL' });
    const [withoutValue] = parseInfolog(`${WRITE_FAILED}Error: The field 'Search name' is too long (maximum 20 characters).`);
    expect(withoutValue).toMatchObject({ problem: 'too-long', label: 'Search name' });
  });

  it('recognises too-long values that state the lengths', () => {
    const [entry] = parseInfolog(`${WRITE_FAILED}Warning: The value 'ABCDEFGHIJKL' in field 'ZIP/postal code' is too long: 12 characters, at most 10 are allowed.`);
    expect(entry).toMatchObject({ problem: 'too-long', label: 'ZIP/postal code', value: 'ABCDEFGHIJKL' });
  });

  it('recognises "is not valid" with and without a detail', () => {
    const [plain] = parseInfolog(`${WRITE_FAILED}Warning: The value 'Maybe' in field 'Externally maintained' is not valid.`);
    expect(plain).toMatchObject({ problem: 'invalid-value', label: 'Externally maintained', value: 'Maybe' });
    const [detailed] = parseInfolog(`${WRITE_FAILED}Warning: The value '24' in field 'Warehouse' is not valid for site '2'.`);
    expect(detailed).toMatchObject({ problem: 'invalid-value', label: 'Warehouse', value: '24' });
  });

  it('recognises an invalid value for a field', () => {
    const [entry] = parseInfolog(`${WRITE_FAILED}Error: The value 'Maybe' is not a valid value for field 'Is externally maintained'.`);
    expect(entry).toMatchObject({ problem: 'invalid-value', label: 'Is externally maintained', value: 'Maybe' });
  });

  it('keeps values that contain quotes and semicolons intact', () => {
    const [entry] = parseInfolog(
      `${WRITE_FAILED}Warning: The value 'O'Brien; Sons' in field 'Terms of payment' is not found in the related table 'Terms of payment'.`,
    );
    expect(entry).toMatchObject({ problem: 'not-found', value: "O'Brien; Sons", label: 'Terms of payment' });
  });

  it('treats a message without an Infolog marker as a single entry', () => {
    const entries = parseInfolog('Something unexpected happened');
    expect(entries).toEqual([{ text: 'Something unexpected happened' }]);
    expect(firstProblem(entries)).toBeUndefined();
  });

  it('picks the first entry that names a problem', () => {
    const entries = parseInfolog(`${WRITE_FAILED}Info: Posting started.; Error: Field 'Customer group' must be filled in.; Error: Field 'Currency' must be filled in.`);
    expect(firstProblem(entries)).toMatchObject({ label: 'Customer group' });
  });
});

describe('customerFieldForLabel', () => {
  it('maps CustomersV2 labels to OData property names, ignoring case and spacing', () => {
    expect(customerFieldForLabel('Customer group')).toBe('CustomerGroupId');
    expect(customerFieldForLabel('  customer   GROUP ')).toBe('CustomerGroupId');
    expect(customerFieldForLabel('Currency')).toBe('SalesCurrencyCode');
    expect(customerFieldForLabel('Terms of payment')).toBe('PaymentTerms');
    expect(customerFieldForLabel('Mode of delivery')).toBe('DeliveryMode');
    expect(customerFieldForLabel('ZIP/postal code')).toBe('AddressZipCode');
    expect(customerFieldForLabel('Country/region')).toBe('AddressCountryRegionId');
    expect(customerFieldForLabel('Externally maintained')).toBe('IsExternallyMaintained');
    expect(customerFieldForLabel('Mandatory credit limit')).toBe('CreditLimitIsMandatory');
  });

  it('accepts the property name itself and knows nothing else', () => {
    expect(customerFieldForLabel('WarehouseId')).toBe('WarehouseId');
    expect(customerFieldForLabel('Colour')).toBeUndefined();
  });
});
