import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { HttpClient } from '../../../src/connectors/http-client';
import { createTlsMaterial } from '@p2c-sync/emulators';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

interface TestServer {
  url: string;
  /** Requests whose head reached the server, in order. */
  received: { method: string; url: string; body: string }[];
  connections: number;
}

const servers: Server[] = [];
const clients: HttpClient[] = [];

async function serve(handler: Handler, server: Server = createServer()): Promise<TestServer> {
  const state: TestServer = { url: '', received: [], connections: 0 };
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.received.push({ method: request.method ?? '', url: request.url ?? '', body });
      handler(request, response, body);
    });
  });
  server.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return state;
}

function client(options: ConstructorParameters<typeof HttpClient>[0] = {}): HttpClient {
  const created = new HttpClient(options);
  clients.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections?.();
          s.close(() => resolve());
        }),
    ),
  );
});

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('HttpClient', () => {
  it('returns status, lower-case headers and body, reusing one kept-alive connection', async () => {
    const server = await serve((request, response, body) => {
      response.setHeader('X-Echo-Method', request.method ?? '');
      response.setHeader('Set-Cookie', ['a=1', 'b=2']);
      response.end(JSON.stringify({ path: request.url, body, auth: request.headers.authorization ?? null }));
    });
    // One socket per origin: without keep-alive every request below would need a new connection.
    const http = client({ connectionsPerOrigin: 1 });
    const first = await http.request({ service: 'dataverse', method: 'post', url: `${server.url}/api/x?$top=1`, headers: { Authorization: 'Bearer t' }, body: 'héllo' });
    expect(first.status).toBe(200);
    expect(first.headers['x-echo-method']).toBe('POST');
    expect(first.headers['set-cookie']).toBe('a=1, b=2');
    expect(JSON.parse(first.body)).toEqual({ path: '/api/x?$top=1', body: 'héllo', auth: 'Bearer t' });
    for (let i = 0; i < 3; i += 1) await http.request({ service: 'dataverse', method: 'GET', url: `${server.url}/again` });
    expect(server.connections).toBe(1);
  });

  it('returns error answers as answers: classifying them is the caller’s job', async () => {
    const server = await serve((_request, response) => {
      response.statusCode = 503;
      response.setHeader('Retry-After', '3');
      response.end('busy');
    });
    const answer = await client().request({ service: 'fno', method: 'GET', url: server.url });
    expect(answer).toMatchObject({ status: 503, body: 'busy' });
    expect(answer.headers['retry-after']).toBe('3');
  });

  it('a refused connection is transient and never ambiguous, even for a write', async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const error = await failure(client().request({ service: 'fno', method: 'POST', url, body: '{}' }));
    expect(error).toMatchObject({ kind: 'transient', ambiguous: false, service: 'fno', code: 'ECONNREFUSED' });
  });

  it('a connection reset after a write was sent is ambiguous; after a read it is not', async () => {
    const server = await serve((request) => request.socket.destroy());
    const http = client();
    const write = await failure(http.request({ service: 'dataverse', method: 'PATCH', url: `${server.url}/accounts(1)`, body: '{"name":"x"}' }));
    expect(write).toMatchObject({ kind: 'transient', ambiguous: true });
    expect(write.message).toContain('may have been applied');
    const read = await failure(http.request({ service: 'dataverse', method: 'GET', url: `${server.url}/accounts` }));
    expect(read).toMatchObject({ kind: 'transient', ambiguous: false });
    expect(server.received.map((r) => r.method)).toEqual(['PATCH', 'GET']);
  });

  it('a write that gets no answer in time is ambiguous', async () => {
    const server = await serve(() => undefined);
    const started = Date.now();
    const error = await failure(client().request({ service: 'fno', method: 'POST', url: `${server.url}/data/$batch`, body: 'x', timeoutMs: 200 }));
    expect(error).toMatchObject({ kind: 'transient', ambiguous: true, code: 'ETIMEDOUT' });
    // The request's own 200 ms, not the client's defaults (minutes); room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.received).toHaveLength(1);
  });

  it('a request that times out while queued for a connection is never sent, so it is not ambiguous', async () => {
    const hung: ServerResponse[] = [];
    const server = await serve((_request, response) => hung.push(response));
    const http = client({ connectionsPerOrigin: 1 });
    const blocker = http.request({ service: 'fno', method: 'GET', url: `${server.url}/slow`, timeoutMs: 1_000 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const queued = await failure(http.request({ service: 'fno', method: 'POST', url: `${server.url}/write`, body: '{}', timeoutMs: 100 }));
    expect(queued).toMatchObject({ kind: 'transient', ambiguous: false });
    for (const response of hung) response.end('late');
    await blocker;
    // Give the freed connection the chance to (wrongly) send the abandoned write.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.received.map((r) => r.url)).toEqual(['/slow']);
  });

  it('refuses an answer larger than the limit', async () => {
    const server = await serve((_request, response) => response.end('x'.repeat(10_000)));
    const error = await failure(client({ maxResponseBytes: 1_000 }).request({ service: 'dataverse', method: 'GET', url: server.url }));
    expect(error.kind).toBe('configuration');
  });

  it('trusts a private CA only when given its certificate', async () => {
    const tls = await createTlsMaterial();
    const httpsServer = createHttpsServer({ key: tls.keyPem, cert: tls.certPem });
    const server = await serve((_request, response) => response.end('secure'), httpsServer);
    const url = server.url.replace('http://', 'https://');
    const trusted = await client({ caPem: tls.caCertPem }).request({ service: 'entra', method: 'GET', url });
    expect(trusted.body).toBe('secure');
    const untrusted = await failure(client().request({ service: 'entra', method: 'GET', url }));
    expect(untrusted.kind).toBe('configuration');
    expect(untrusted.message).toMatch(/certificate/i);
  });
});
