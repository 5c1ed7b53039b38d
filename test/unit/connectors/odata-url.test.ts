import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { customerPath } from '../../../src/connectors/fno-client';
import { buildUrl, guidKeySegment, namedKeySegment, serviceRoot } from '../../../src/connectors/odata-url';

describe('F&O key segments', () => {
  it('names both key parts', () => {
    expect(customerPath('usmf', 'ACC-01000-BVRCPS')).toBe("CustomersV2(dataAreaId='usmf',CustomerAccount='ACC-01000-BVRCPS')");
  });

  it('doubles quotes inside values', () => {
    expect(customerPath('usmf', "O'X")).toBe("CustomersV2(dataAreaId='usmf',CustomerAccount='O''X')");
  });

  it('percent-encodes what a path cannot carry and round-trips through URL parsing', () => {
    const segment = namedKeySegment({ dataAreaId: 'usmf', CustomerAccount: 'A/B #1?&%é' });
    expect(segment).toBe("(dataAreaId='usmf',CustomerAccount='A%2FB%20%231%3F%26%25%C3%A9')");
    const url = new URL(`https://env.operations.dynamics.com/data/CustomersV2${segment}`);
    expect(url.search).toBe('');
    expect(url.hash).toBe('');
    expect(decodeURIComponent(url.pathname)).toBe("/data/CustomersV2(dataAreaId='usmf',CustomerAccount='A/B #1?&%é')");
  });
});

describe('Dataverse GUID keys', () => {
  it('accepts a GUID and lower-cases it', () => {
    expect(guidKeySegment('dataverse', 'AAAAAAAA-0000-4000-8000-00000000000F')).toBe('(aaaaaaaa-0000-4000-8000-00000000000f)');
  });

  it('refuses anything else before it reaches a URL', () => {
    expect(() => guidKeySegment('dataverse', "x')?$filter=1 eq 1")).toThrow(ConnectorError);
    expect(() => guidKeySegment('dataverse', '')).toThrow(/not a GUID/);
  });
});

describe('buildUrl and serviceRoot', () => {
  it('encodes option values, keeps option names, drops empty ones', () => {
    const url = buildUrl('https://org.crm.dynamics.com/api/data/v9.2/', 'accounts', {
      $select: 'accountid,name',
      $filter: "name eq 'O''Brien & Co' and statecode eq 0",
      $orderby: undefined,
      $top: '',
    });
    expect(url).toBe(
      "https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=accountid%2Cname&$filter=name%20eq%20'O''Brien%20%26%20Co'%20and%20statecode%20eq%200",
    );
    expect(new URL(url).searchParams.get('$filter')).toBe("name eq 'O''Brien & Co' and statecode eq 0");
  });

  it('joins the environment URL and the API path with single slashes', () => {
    expect(serviceRoot('https://org.crm.dynamics.com/', 'api/data/v9.2')).toBe('https://org.crm.dynamics.com/api/data/v9.2/');
    expect(serviceRoot('http://127.0.0.1:8080', '/data/')).toBe('http://127.0.0.1:8080/data/');
    expect(serviceRoot('https://proxy.example/tenant-a', 'data')).toBe('https://proxy.example/tenant-a/data/');
  });
});
