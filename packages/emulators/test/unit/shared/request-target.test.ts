import { describe, expect, it } from 'vitest';
import { requestTarget } from '../../../src/shared/request-target';

// The oracle is the WHATWG URL parser itself: the fast path must give exactly what it gives, whatever the URL.
describe('requestTarget', () => {
  const origin = 'http://127.0.0.1:34541';
  const base = `${origin}/data/`;
  it.each([
    `${origin}/data/CustomersV2`,
    `${origin}/data/CustomersV2(dataAreaId='usmf',CustomerAccount='O''X%20Y')?cross-company=true`,
    `${origin}/api/data/v9.2/accounts(00000000-0000-4000-8000-000000000001)?$select=name,accountnumber`,
    `${origin}/data/CustomersV2?$filter=Name eq 'x'`,
    `${origin}/data/CustomersV2?$filter=Name%20eq%20'x'`,
    `${origin}/data/CustomersV2?`,
    `${origin}/data/CustomersV2?a=1#fragment`,
    `${origin}/data/./CustomersV2`,
    `${origin}/data/../CustomersV2`,
    `${origin}/data/x/..`,
    `${origin}/data/%2e%2E/CustomersV2`,
    `${origin}/data/.hidden/a..b`,
    `${origin}/data/Cust\\omers`,
    `${origin}/data/Cust omers`,
    `${origin}/data/Cüstomers?ü=1`,
    `${origin}/data/{x}^y\`z|"<>`,
    `${origin}/data/a\tb`,
    'http://127.0.0.1:80/data/x',
    `${origin}/`,
    `${origin}`,
    'http://127.0.0.1:3454/data/x',
    'http://other.example/data/x',
    'HTTP://127.0.0.1:34541/data/x',
    'CustomersV2?$top=1',
    '/data/CustomersV2',
    '$1',
  ])('%s', (url) => {
    const parsed = new URL(url, base);
    expect(requestTarget(url, base, origin)).toEqual({ pathname: parsed.pathname, search: parsed.search });
  });

  it('throws what the parser throws for a URL it cannot read', () => {
    expect(() => requestTarget('http://[bad/x', base, origin)).toThrow(TypeError);
    expect(() => requestTarget(`${origin}:80/data/x`, base, origin)).toThrow(TypeError);
    expect(() => requestTarget(`${origin}1/data/x`, base, origin)).toThrow(TypeError);
  });
});
