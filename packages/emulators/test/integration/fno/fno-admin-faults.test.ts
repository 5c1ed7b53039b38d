import { afterEach, describe, expect, it } from 'vitest';
import { customer, type FnoServer, startFno } from './fno-server';

let fno: FnoServer | undefined;

afterEach(async () => {
  await fno?.close();
  fno = undefined;
});

describe('F&O faults through PUT /_admin/faults', () => {
  it('takes JSON settings over HTTP, applies them, and switches them off again', async () => {
    const server = (fno = await startFno());
    const put = await server.call('PUT', '/_admin/faults', { body: { errorRate: 1, errorStatus: 502, methods: ['post'] }, token: null });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ settings: { errorRate: 1, errorStatus: 502, methods: ['POST'] } });
    expect((await server.call('GET', '/_admin/faults', { token: null })).json).toMatchObject({ settings: { errorRate: 1 } });

    const refused = await server.call('POST', '/data/CustomersV2', { body: customer('ADM-1') });
    expect(refused.status).toBe(502);
    expect(refused.json).toMatchObject({ error: { message: 'An error has occurred.' } });
    expect(server.emulator.store.size).toBe(0);
    // Service bodies still reach the service as text: a GET is not in `methods` and is answered.
    expect((await server.call('GET', '/data/CustomersV2')).status).toBe(200);

    expect((await server.call('PUT', '/_admin/faults', { body: {}, token: null })).status).toBe(200);
    expect((await server.call('POST', '/data/CustomersV2', { body: customer('ADM-1') })).status).toBe(201);
    expect(server.emulator.admin.faults.status().injected.errors).toBe(1);
  });

  it('refuses invalid settings and malformed JSON with 400, keeping the settings in force', async () => {
    const server = (fno = await startFno({ faults: { latencyMs: 1 } }));
    const invalid = await server.call('PUT', '/_admin/faults', { body: { errorRate: 2 }, token: null });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ error: { message: 'Invalid fault settings' } });
    const unknown = await server.call('PUT', '/_admin/faults', { body: { latencyMillis: 5 }, token: null });
    expect(unknown.status).toBe(400);
    const malformed = await server.call('PUT', '/_admin/faults', { rawBody: '{"errorRate": 1', headers: { 'content-type': 'application/json' }, token: null });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('not valid JSON');
    expect(server.emulator.admin.faults.current().latencyMs).toBe(1);
  });

  it('still hands malformed service JSON to the service, answered in the F&O shape', async () => {
    const server = (fno = await startFno());
    const answer = await server.call('POST', '/data/CustomersV2', { rawBody: '{"dataAreaId": ', headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: '', innererror: {} } });
  });
});
