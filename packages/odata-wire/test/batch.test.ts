import { describe, expect, it } from 'vitest';
import {
  BatchFormatError,
  type BatchOperation,
  decodeBatchRequest,
  decodeBatchResponse,
  encodeBatchRequest,
  encodeBatchResponse,
} from '../src';

describe('encodeBatchRequest / decodeBatchRequest', () => {
  it('round-trips single requests and change sets with Content-ID, headers and JSON bodies', () => {
    const { contentType, body } = encodeBatchRequest([
      { method: 'GET', url: 'accounts?$select=name', headers: { Accept: 'application/json' } },
      {
        changeSet: [
          { method: 'POST', url: 'https://org.example/api/data/v9.2/accounts', body: { name: 'Fourth Coffee' }, contentId: '1' },
          { method: 'PATCH', url: '$1', headers: { 'If-Match': '*' }, body: { name: "O'Brien\r\n--x" }, contentId: '2' },
        ],
      },
      { method: 'DELETE', url: 'accounts(00000000-0000-0000-0000-000000000001)' },
    ]);
    expect(contentType).toMatch(/^multipart\/mixed; boundary=batch_[0-9a-f-]{36}$/);
    expect(body).toContain('Content-Transfer-Encoding: binary\r\n');
    expect(body.endsWith('--\r\n')).toBe(true);

    const items = decodeBatchRequest(contentType, body);
    expect(items).toHaveLength(3);
    expect(items[0]).toEqual({ method: 'GET', url: 'accounts?$select=name', headers: { accept: 'application/json' } });
    const changeSet = items[1];
    if (changeSet === undefined || !('changeSet' in changeSet)) throw new Error('expected a change set');
    expect(changeSet.changeSet).toHaveLength(2);
    expect(changeSet.changeSet[0]).toMatchObject({
      method: 'POST',
      url: 'https://org.example/api/data/v9.2/accounts',
      body: { name: 'Fourth Coffee' },
      contentId: '1',
      headers: { 'content-type': 'application/json' },
    });
    expect(changeSet.changeSet[1]).toMatchObject({ method: 'PATCH', url: '$1', body: { name: "O'Brien\r\n--x" }, headers: { 'if-match': '*' } });
    expect(items[2]).toMatchObject({ method: 'DELETE', url: 'accounts(00000000-0000-0000-0000-000000000001)' });
    expect((items[2] as BatchOperation).body).toBeUndefined();
    expect((items[2] as BatchOperation).rawBody).toBeUndefined();
  });

  it('reads a hand-written batch with LF line endings, a preamble, quoted boundary and header case variants', () => {
    const body = [
      'This is a preamble and is ignored',
      '--b1',
      'content-type: application/http',
      'CONTENT-TRANSFER-ENCODING:binary',
      '',
      'GET accounts(1) HTTP/1.1',
      'Prefer: odata.maxpagesize=10',
      '',
      '',
      '--b1',
      'Content-Type: multipart/mixed;boundary=cs1',
      '',
      '--cs1',
      'Content-Type: application/http',
      'Content-ID: 7',
      '',
      'POST accounts HTTP/1.1',
      'Content-Type: application/json; type=entry',
      '',
      '{"name":"x"}',
      '--cs1--',
      '--b1--',
      'epilogue',
    ].join('\n');
    const items = decodeBatchRequest('multipart/mixed; boundary="b1"', body);
    expect(items).toEqual([
      { method: 'GET', url: 'accounts(1)', headers: { prefer: 'odata.maxpagesize=10' } },
      {
        changeSet: [
          {
            method: 'POST',
            url: 'accounts',
            headers: { 'content-type': 'application/json; type=entry' },
            body: { name: 'x' },
            rawBody: '{"name":"x"}',
            contentId: '7',
          },
        ],
      },
    ]);
  });

  it('keeps a malformed JSON body as rawBody without failing the whole batch', () => {
    const { contentType, body } = encodeBatchRequest([{ method: 'POST', url: 'accounts', rawBody: '{"name": ' }]);
    const [operation] = decodeBatchRequest(contentType, body) as BatchOperation[];
    expect(operation?.rawBody).toBe('{"name": ');
    expect(operation?.body).toBeUndefined();
  });

  it('does not mistake a longer boundary that starts with the real one for a delimiter', () => {
    const body = '--abc\r\nContent-Type: application/http\r\n\r\nPOST accounts HTTP/1.1\r\n\r\n{"note":"x"}\r\n--abcdef\r\n--abc--\r\n';
    const [operation] = decodeBatchRequest('multipart/mixed; boundary=abc', body) as BatchOperation[];
    expect(operation?.rawBody).toBe('{"note":"x"}\r\n--abcdef');
  });

  it.each([
    ['no content type', undefined, '--b\r\n\r\n--b--'],
    ['not multipart', 'application/json', '{}'],
    ['no boundary', 'multipart/mixed', '--b--'],
    ['missing close delimiter', 'multipart/mixed; boundary=b', '--b\r\nContent-Type: application/http\r\n\r\nGET a HTTP/1.1\r\n\r\n'],
    ['no parts', 'multipart/mixed; boundary=b', '--b--\r\n'],
    ['no delimiter at all', 'multipart/mixed; boundary=b', 'hello'],
    ['part without content type', 'multipart/mixed; boundary=b', '--b\r\nX: y\r\n\r\nGET a HTTP/1.1\r\n--b--'],
    ['wrong part type', 'multipart/mixed; boundary=b', '--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--'],
    ['bad request line', 'multipart/mixed; boundary=b', '--b\r\nContent-Type: application/http\r\n\r\nHELLO\r\n--b--'],
    ['unknown method', 'multipart/mixed; boundary=b', '--b\r\nContent-Type: application/http\r\n\r\nTRACE a HTTP/1.1\r\n--b--'],
    ['empty http part', 'multipart/mixed; boundary=b', '--b\r\nContent-Type: application/http\r\n\r\n\r\n--b--'],
    ['malformed header', 'multipart/mixed; boundary=b', '--b\r\nContent-Type: application/http\r\n\r\nGET a HTTP/1.1\r\nnocolon\r\n--b--'],
    ['base64 encoding', 'multipart/mixed; boundary=b', '--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: base64\r\n\r\nR0VU\r\n--b--'],
    ['GET inside change set', 'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: application/http\r\n\r\nGET a HTTP/1.1\r\n--c--\r\n--b--'],
    ['nested change set', 'multipart/mixed; boundary=b',
      '--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: multipart/mixed; boundary=d\r\n\r\n--d--\r\n--c--\r\n--b--'],
    ['empty change set', 'multipart/mixed; boundary=b', '--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c--\r\n--b--'],
  ])('rejects %s with BatchFormatError', (_label, contentType, body) => {
    expect(() => decodeBatchRequest(contentType, body)).toThrow(BatchFormatError);
  });

  it('refuses to encode a GET inside a change set', () => {
    expect(() => encodeBatchRequest([{ changeSet: [{ method: 'GET', url: 'accounts' }] }])).toThrow(BatchFormatError);
  });
});

describe('encodeBatchResponse / decodeBatchResponse', () => {
  it('round-trips status lines, headers, bodies and Content-ID, flattening change sets in order', () => {
    const { contentType, body } = encodeBatchResponse([
      { status: 200, headers: { 'Content-Type': 'application/json; odata.metadata=minimal' }, body: '{"value":[]}' },
      {
        changeSet: [
          { status: 204, headers: { 'OData-EntityId': 'accounts(1)' }, body: '', contentId: '1' },
          { status: 201, headers: {}, body: '{"accountid":"2"}', contentId: '2' },
        ],
      },
      { status: 412, headers: { 'Content-Type': 'application/json' }, body: '{"error":{"code":"0x80060882","message":"stale"}}' },
    ]);
    expect(contentType).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(body).toContain('HTTP/1.1 204 No Content\r\n');
    expect(body).toContain('HTTP/1.1 412 Precondition Failed\r\n');
    expect(decodeBatchResponse(contentType, body)).toEqual([
      { status: 200, headers: { 'content-type': 'application/json; odata.metadata=minimal' }, body: '{"value":[]}' },
      { status: 204, headers: { 'odata-entityid': 'accounts(1)' }, body: '', contentId: '1' },
      { status: 201, headers: {}, body: '{"accountid":"2"}', contentId: '2' },
      { status: 412, headers: { 'content-type': 'application/json' }, body: '{"error":{"code":"0x80060882","message":"stale"}}' },
    ]);
  });

  it('decodes a response written like the Dataverse documentation sample', () => {
    const body = [
      '--batchresponse_c1bd45c1',
      'Content-Type: multipart/mixed; boundary=changesetresponse_ff83b4f1',
      '',
      '--changesetresponse_ff83b4f1',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      'HTTP/1.1 204 No Content',
      'OData-Version: 4.0',
      'Location: https://org/api/data/v9.2/tasks(a59c24f3-fafc-e411-80dd-00155d2a68cb)',
      '',
      '',
      '--changesetresponse_ff83b4f1--',
      '--batchresponse_c1bd45c1',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json; odata.metadata=minimal',
      '',
      '{"value":[{"subject":"Task 1"}]}',
      '--batchresponse_c1bd45c1--',
      '',
    ].join('\r\n');
    const parts = decodeBatchResponse('multipart/mixed; boundary=batchresponse_c1bd45c1', body);
    expect(parts.map((part) => part.status)).toEqual([204, 200]);
    expect(parts[0]?.contentId).toBe('1');
    expect(parts[0]?.headers['location']).toContain('tasks(a59c24f3');
    expect(parts[0]?.body).toBe('');
    expect(JSON.parse(parts[1]?.body ?? '')).toEqual({ value: [{ subject: 'Task 1' }] });
  });

  it('rejects a malformed status line', () => {
    expect(() => decodeBatchResponse('multipart/mixed; boundary=b', '--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 OK\r\n--b--')).toThrow(
      BatchFormatError,
    );
  });

  it('survives arbitrary truncations and corruptions of a valid batch without crashing', () => {
    const { contentType, body } = encodeBatchRequest([
      { method: 'GET', url: 'accounts' },
      { changeSet: [{ method: 'PATCH', url: 'accounts(1)', body: { a: 1 } }] },
    ]);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 500; i += 1) {
      const cut = Math.floor(random() * body.length);
      const mutated = i % 2 === 0 ? body.slice(0, cut) : body.slice(0, cut) + String.fromCharCode(Math.floor(random() * 128)) + body.slice(cut + 1);
      try {
        decodeBatchRequest(contentType, mutated);
      } catch (error) {
        expect(error).toBeInstanceOf(BatchFormatError);
      }
    }
  });
});
