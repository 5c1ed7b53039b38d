import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodecServer, type RunningCodecServer } from '../../../src/codec/codec-server';
import { EncryptionCodec } from '../../../src/codec/encryption-codec';
import { fromJsonPayloads, toJsonPayloads } from '../../../src/codec/payload-json';
import { generatePayloadKey, loadPayloadProtection } from '../../../src/codec/payload-keys';

const keys = `${generatePayloadKey('k2')},${generatePayloadKey('k1')}`;
const protection = loadPayloadProtection({ P2C_PAYLOAD_KEYS: keys });
if (protection.kind !== 'encrypted') throw new Error('expected keys');
const codec = new EncryptionCodec(protection.keyring);
const UI = 'http://127.0.0.1:8233';
const TOKEN = 'operator-token-0123456789';
const account = { name: 'Müller & Söhne GmbH', emailaddress1: 'anna.mueller@example.de' };

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const wire = (...values: unknown[]) => toJsonPayloads(values.map((value) => defaultPayloadConverter.toPayload(value)));
const values = async (response: Response) => fromJsonPayloads((await response.json()) as { payloads: [] }).map((p: Payload) => defaultPayloadConverter.fromPayload(p));

describe('codec server over HTTP', () => {
  let open: RunningCodecServer;
  let guarded: RunningCodecServer;

  beforeAll(async () => {
    open = await startCodecServer({ codec, corsOrigins: [UI] });
    guarded = await startCodecServer({ codec, corsOrigins: [UI], bearerToken: TOKEN });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
  });

  it('decodes what a worker encrypted, and encodes what the UI sends', async () => {
    const sealed = await codec.encode([defaultPayloadConverter.toPayload(account), defaultPayloadConverter.toPayload(7)]);
    const decoded = await post(`${open.url}/decode`, toJsonPayloads(sealed), { 'x-namespace': 'default' });
    expect(decoded.status).toBe(200);
    expect(await values(decoded)).toEqual([account, 7]);

    const encoded = await post(`${open.url}/encode`, wire({ pipeline: 'nightly' }));
    const body = (await encoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(body.payloads[0]?.metadata.encoding ?? '', 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(body.payloads[0]?.metadata['encryption-key-id'] ?? '', 'base64').toString()).toBe('k2');
    expect((await codec.decode(fromJsonPayloads(body))).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([{ pipeline: 'nightly' }]);
  });

  it('answers under any path prefix, as the protocol asks', async () => {
    const response = await post(`${open.url}/codec/default/decode`, toJsonPayloads(await codec.encode([defaultPayloadConverter.toPayload('x')])));
    expect(await values(response)).toEqual(['x']);
    expect((await post(`${open.url}/codec/other`, wire(1))).status).toBe(404);
  });

  it('lets the configured UI origin call from a browser, and no other', async () => {
    const preflight = await fetch(`${open.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-namespace/);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);

    const foreign = await fetch(`${open.url}/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const actual = await post(`${open.url}/decode`, wire(1), { origin: UI });
    expect(actual.headers.get('access-control-allow-origin')).toBe(UI);
    expect((await post(`${open.url}/decode`, wire(1), { origin: 'http://evil.example' })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('requires the bearer token when one is configured (preflights excepted)', async () => {
    const sealed = toJsonPayloads(await codec.encode([defaultPayloadConverter.toPayload(account)]));
    const none = await post(`${guarded.url}/decode`, sealed);
    expect(none.status).toBe(401);
    expect(JSON.stringify(await none.json())).not.toContain('anna');
    expect((await post(`${guarded.url}/decode`, sealed, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await post(`${guarded.url}/decode`, sealed, { authorization: TOKEN })).status).toBe(401);
    expect(await values(await post(`${guarded.url}/decode`, sealed, { authorization: `Bearer ${TOKEN}` }))).toEqual([account]);
    const preflight = await fetch(`${guarded.url}/decode`, { method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
  });

  it('refuses malformed bodies and undecryptable payloads with a reason and no value', async () => {
    const malformed = await post(`${open.url}/decode`, { payloads: [{ data: 'not base64!' }] });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'invalid payloads', problems: ['payloads[0].data: must be base64'] });
    expect((await post(`${open.url}/decode`, { payloads: 'x' })).status).toBe(400);
    // The temporal CLI sends `{}` for a query without input (protobuf JSON omits empty lists): nothing to decode.
    const empty = await post(`${open.url}/decode`, {});
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ payloads: [] });

    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(account)]);
    const data = Buffer.from(sealed?.data ?? []);
    data[15] = (data[15] ?? 0) ^ 0xff;
    const tampered = await post(`${open.url}/decode`, toJsonPayloads([{ ...sealed, data }]));
    expect(tampered.status).toBe(422);
    const text = await tampered.text();
    expect(text).toMatch(/failed authentication with key \\"k2\\"/);
    expect(text).not.toContain('anna');

    const foreignKey = new EncryptionCodec({ current: { id: 'k9', key: Buffer.alloc(32, 1) }, byId: new Map() });
    const unknown = await post(`${open.url}/decode`, toJsonPayloads(await foreignKey.encode([defaultPayloadConverter.toPayload(1)])));
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toEqual({ error: 'payload was encrypted with key "k9", which is not configured (configured: k2, k1)' });
  });
});

describe('p2c codec-server (as a process)', () => {
  const script = path.join(__dirname, 'codec-server-cli.ts');
  const tsx = path.join(__dirname, '../../../node_modules/tsx/dist/cli.mjs');
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'p2c-codec-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const run = (args: string[], env: NodeJS.ProcessEnv) => {
    const child = spawn(process.execPath, [tsx, script, 'codec-server', ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const line = async (message: string) => {
      for (let waited = 0; waited < 20_000; waited += 50) {
        const found = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.message === message);
        if (found) return found;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no "${message}" line; stdout: ${stdout} stderr: ${stderr}`);
    };
    return { child, exited, line, output: () => ({ stdout, stderr }) };
  };

  it('serves with the keys from the environment, a token file and CORS, and stops on SIGTERM', async () => {
    const tokenFile = path.join(scratch, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const server = run(['--port', '0', '--cors-origin', UI, 'http://localhost:8233/', '--token-file', tokenFile], { P2C_PAYLOAD_KEYS: keys });
    try {
      const ready = await server.line('codec server listening');
      expect(ready).toMatchObject({ level: 'info', keyIds: ['k2', 'k1'], corsOrigins: [UI, 'http://localhost:8233'], auth: 'bearer' });
      const url = ready.url as string;
      const sealed = toJsonPayloads(await codec.encode([defaultPayloadConverter.toPayload(account)]));
      expect((await post(`${url}/decode`, sealed)).status).toBe(401);
      expect(await values(await post(`${url}/decode`, sealed, { authorization: `Bearer ${TOKEN}`, origin: UI }))).toEqual([account]);
      expect(JSON.stringify(server.output())).not.toContain(keys.split(',')[0]?.split(':')[1]);
      expect(JSON.stringify(server.output())).not.toContain('anna');
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('refuses to start without keys, or with a bad origin, naming the problem', async () => {
    const keyless = run(['--port', '0'], {});
    expect(await keyless.exited).toBe(1);
    expect(keyless.output().stderr).toMatch(/No payload encryption key/);

    const badOrigin = run(['--port', '0', '--cors-origin', 'localhost:8233'], { P2C_PAYLOAD_KEYS: keys });
    expect(await badOrigin.exited).toBe(1);
    expect(badOrigin.output().stderr).toMatch(/corsOrigin\[0\]: must be an http\(s\) origin/);
  });
});
