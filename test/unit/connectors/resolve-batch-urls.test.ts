import { describe, expect, it } from 'vitest';
import { resolveBatchUrls } from '../../../src/connectors/resolve-batch-urls';

const ROOT = 'https://org.crm.dynamics.com/api/data/v9.2/';

describe('resolveBatchUrls', () => {
  it('makes root-relative and path-absolute URLs absolute, keeps absolute ones', () => {
    const [relative, pathAbsolute, absolute] = resolveBatchUrls(
      [
        { method: 'PATCH', url: 'accounts(00000000-0000-0000-0000-000000000001)' },
        { method: 'GET', url: '/api/data/v9.2/accounts?$select=name' },
        { method: 'GET', url: 'https://org.crm.dynamics.com/api/data/v9.2/contacts' },
      ],
      ROOT,
    );
    expect(relative).toMatchObject({ url: `${ROOT}accounts(00000000-0000-0000-0000-000000000001)` });
    expect(pathAbsolute).toMatchObject({ url: `${ROOT}accounts?$select=name` });
    expect(absolute).toMatchObject({ url: 'https://org.crm.dynamics.com/api/data/v9.2/contacts' });
  });

  it('keeps Content-ID references inside change sets and everything else about the operation', () => {
    const [item] = resolveBatchUrls(
      [
        {
          changeSet: [
            { method: 'POST', url: 'accounts', body: { name: 'A' }, contentId: '1' },
            { method: 'PATCH', url: '$1', headers: { 'If-Match': '*' }, body: { name: 'B' }, contentId: '2' },
          ],
        },
      ],
      ROOT,
    );
    expect(item).toEqual({
      changeSet: [
        { method: 'POST', url: `${ROOT}accounts`, body: { name: 'A' }, contentId: '1' },
        { method: 'PATCH', url: '$1', headers: { 'If-Match': '*' }, body: { name: 'B' }, contentId: '2' },
      ],
    });
  });
});
