import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorChannels, type ExchangeEvent, type ResendEvent, type ThrottledEvent } from '../../../src/connectors/connector-events';
import { ConnectorError } from '../../../src/connectors/errors';
import { HttpClient } from '../../../src/connectors/http-client';
import { ServiceRequester } from '../../../src/connectors/service-requester';
import { ThrottleGate } from '../../../src/connectors/throttle-gate';
import { freePort } from '../../../src/util/free-port';

// The connectors' hooks for metrics, over real HTTP: what they publish for answers, no answer, 429s and resends.
describe('connector events', () => {
  let server: Server;
  let url: string;
  const script: number[] = [];
  const events: { exchange: ExchangeEvent[]; throttled: ThrottledEvent[]; resend: ResendEvent[] } = { exchange: [], throttled: [], resend: [] };
  const listeners = {
    exchange: (message: unknown) => events.exchange.push(message as ExchangeEvent),
    throttled: (message: unknown) => events.throttled.push(message as ThrottledEvent),
    resend: (message: unknown) => events.resend.push(message as ResendEvent),
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const status = script.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
      // A body quoting a record: it must not reach any event.
      response.end(JSON.stringify({ error: { code: 'x', message: 'name jane.doe@example.com rejected' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const name of ['exchange', 'throttled', 'resend'] as const) subscribe(connectorChannels[name], listeners[name]);
  });

  afterAll(async () => {
    for (const name of ['exchange', 'throttled', 'resend'] as const) unsubscribe(connectorChannels[name], listeners[name]);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('publishes each exchange with its status and duration, each 429 and each resend, with no URL or body', async () => {
    const http = new HttpClient();
    try {
      const requester = new ServiceRequester({
        service: 'dataverse',
        http,
        gate: new ThrottleGate({ service: 'dataverse' }),
        maxWaitMs: 10_000,
        backoff: { baseMs: 1, maxMs: 5 },
      });
      script.push(429, 503, 200);
      const response = await requester.send({ method: 'get', url: `${url}/api/data/v9.2/accounts`, retryTransient: true });
      expect(response.status).toBe(200);

      expect(events.exchange.map((e) => [e.service, e.method, e.status])).toEqual([
        ['dataverse', 'GET', 429],
        ['dataverse', 'GET', 503],
        ['dataverse', 'GET', 200],
      ]);
      for (const event of events.exchange) expect(event.durationMs).toBeGreaterThan(0);
      // Retry-After: 0 still holds the identity back for the connectors' minimum wait.
      expect(events.throttled).toEqual([{ service: 'dataverse', waitMs: 100 }]);
      expect(events.resend).toEqual([
        { service: 'dataverse', reason: 'throttled' },
        { service: 'dataverse', reason: 'transient' },
      ]);
      expect(JSON.stringify(events)).not.toMatch(/jane|accounts|127\.0\.0\.1/);
    } finally {
      await http.close();
    }
  });

  it('publishes a request that got no answer with its failure kind', async () => {
    events.exchange.length = 0;
    const http = new HttpClient({ connectTimeoutMs: 2_000 });
    try {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const error = await http.request({ service: 'fno', method: 'POST', url: `${closed}/data/$batch`, body: '{}' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectorError);
      expect(events.exchange).toHaveLength(1);
      expect(events.exchange[0]).toMatchObject({ service: 'fno', method: 'POST', failure: (error as ConnectorError).kind });
      expect(events.exchange[0]?.status).toBeUndefined();
    } finally {
      await http.close();
    }
  });

  it('does not resend a read whose connection was refused (nothing listens), but does resend one that was reset', async () => {
    events.exchange.length = 0;
    events.resend.length = 0;
    const http = new HttpClient({ connectTimeoutMs: 2_000 });
    try {
      const requester = new ServiceRequester({ service: 'fno', http, gate: new ThrottleGate({ service: 'fno' }), maxWaitMs: 10_000, backoff: { baseMs: 1, maxMs: 5 } });
      const closed = `http://127.0.0.1:${await freePort()}`;
      const error = await requester.send({ method: 'GET', url: `${closed}/data/$metadata`, retryTransient: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'transient', service: 'fno', code: 'ECONNREFUSED' });
      expect(events.exchange).toHaveLength(1);
      expect(events.resend).toEqual([]);

      // A connection reset once, then answered: resent, and the read succeeds.
      const resetOnce = createServer((request, response) => {
        if (!events.resend.length) request.socket.destroy();
        else response.end('{}');
      });
      await new Promise<void>((resolve) => resetOnce.listen(0, '127.0.0.1', resolve));
      try {
        const answer = await requester.send({ method: 'GET', url: `http://127.0.0.1:${(resetOnce.address() as AddressInfo).port}/data/x`, retryTransient: true });
        expect(answer.status).toBe(200);
        expect(events.resend).toEqual([{ service: 'fno', reason: 'transient' }]);
      } finally {
        resetOnce.closeAllConnections();
        await new Promise<void>((resolve) => resetOnce.close(() => resolve()));
      }
    } finally {
      await http.close();
    }
  });

  it('publishes a 429 seen inside a batch through the gate, as the F&O client reports it', () => {
    events.throttled.length = 0;
    new ThrottleGate({ service: 'fno' }).blockFor(2_500);
    expect(events.throttled).toEqual([{ service: 'fno', waitMs: 2500 }]);
  });
});
