// Requests per second the emulators sustain with zero latency: simple Dataverse GETs (one account by id with
// $select) and single-customer F&O POSTs. The emulators run in this process; the load comes from a second process
// (this script again, with `--client`), using undici with keep-alive connections, so client and server each have
// their own core. Run: npx tsx scripts/bench-emulators.ts [--seconds 3] [--connections 16] [--accounts 10000]
import { spawn } from 'node:child_process';
import { Agent, Pool, request } from 'undici';
import { z } from 'zod';
import { startEmulators } from '@p2c-sync/emulators';

const argsSchema = z.object({
  seconds: z.coerce.number().positive().default(3),
  connections: z.coerce.number().int().positive().default(16),
  accounts: z.coerce.number().int().positive().default(10_000),
});

const clientInputSchema = z.object({
  dataverseUrl: z.string(),
  fnoUrl: z.string(),
  authority: z.string(),
  tenantId: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  caCertPem: z.string(),
  accountIds: z.array(z.string()),
  seconds: z.number(),
  connections: z.number(),
});
type ClientInput = z.infer<typeof clientInputSchema>;

interface Measurement {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
}

function parseArgs(argv: string[]): z.infer<typeof argsSchema> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i];
    if (name?.startsWith('--') && argv[i + 1] !== undefined) raw[name.slice(2)] = argv[(i += 1)] as string;
  }
  return argsSchema.parse(raw);
}

async function runServer(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const emulators = await startEmulators({
    generate: { count: args.accounts, seed: 1 },
    clientSecret: 'bench-secret',
    // Service protection would throttle a benchmark within a second; it is measured by the tests instead.
    dataverse: { limits: { maxRequests: 100_000_000, maxExecutionMs: 1e12, maxConcurrent: 10_000 } },
    fno: { limits: { requestBudget: 100_000_000, maxConcurrentRequests: 10_000 } },
  });
  try {
    const input: ClientInput = {
      dataverseUrl: emulators.dataverse.url,
      fnoUrl: emulators.fno.url,
      authority: emulators.entra.authority,
      tenantId: emulators.entra.tenantId,
      clientId: emulators.client.clientId,
      clientSecret: emulators.client.clientSecret,
      caCertPem: emulators.entra.caCertPem,
      accountIds: emulators.dataverse.store.listAccounts().slice(0, 2000).map((row) => row.accountid),
      seconds: args.seconds,
      connections: args.connections,
    };
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', __filename, '--client'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify(input));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the load process failed with ${code}`);
    const results = z.array(z.object({ name: z.string(), requests: z.number(), errors: z.number(), seconds: z.number(), perSecond: z.number() })).parse(JSON.parse(output));
    console.log(`emulators in this process (pid ${process.pid}); load from a second process with undici, ${args.connections} keep-alive connections, zero latency`);
    for (const result of results) {
      console.log(`${result.name.padEnd(34)} ${Math.round(result.perSecond).toString().padStart(7)} requests/s  (${result.requests} in ${result.seconds.toFixed(2)} s, ${result.errors} errors)`);
    }
    console.log(`F&O customers created: ${emulators.fno.store.size}`);
  } finally {
    await emulators.close();
  }
}

async function runClient(): Promise<void> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const input = clientInputSchema.parse(JSON.parse(text));
  const tokenFor = async (resource: string) => {
    const agent = new Agent({ connect: { ca: input.caCertPem } });
    const response = await request(`${input.authority}/${input.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: input.clientId, client_secret: input.clientSecret, scope: `${resource}/.default` }).toString(),
    });
    const body = z.object({ access_token: z.string() }).parse(await response.body.json());
    await agent.close();
    return body.access_token;
  };
  const dataverseToken = await tokenFor(input.dataverseUrl);
  const fnoToken = await tokenFor(input.fnoUrl);

  let sequence = 0;
  const results = [
    await measure('Dataverse GET accounts(id)?$select', input.dataverseUrl, input, (pool) => {
      const id = input.accountIds[sequence++ % input.accountIds.length] as string;
      return pool.request({
        method: 'GET',
        path: `/api/data/v9.2/accounts(${id})?$select=name,accountnumber`,
        headers: { authorization: `Bearer ${dataverseToken}`, accept: 'application/json', 'odata-version': '4.0' },
      });
    }),
    await measure('F&O POST CustomersV2', input.fnoUrl, input, (pool) => {
      const account = `BENCH-${(sequence++).toString(36).toUpperCase()}`;
      return pool.request({
        method: 'POST',
        path: '/data/CustomersV2',
        headers: { authorization: `Bearer ${fnoToken}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          dataAreaId: 'usmf',
          CustomerAccount: account,
          OrganizationName: `Bench customer ${account}`,
          CustomerGroupId: '10',
          SalesCurrencyCode: 'USD',
          LanguageId: 'en-us',
          SiteId: '1',
          WarehouseId: '13',
          AddressCountryRegionId: 'USA',
          AddressCity: 'Seattle',
          IsExternallyMaintained: 'Yes',
        }),
      });
    }),
  ];
  process.stdout.write(JSON.stringify(results));
}

async function measure(
  name: string,
  origin: string,
  input: ClientInput,
  send: (pool: Pool) => Promise<{ statusCode: number; body: { dump(): Promise<void> } }>,
): Promise<Measurement> {
  const pool = new Pool(origin, { connections: input.connections, pipelining: 1 });
  // A short warm-up: JIT, connection set-up.
  await loop(pool, send, 300, input.connections);
  const started = performance.now();
  const deadline = started + input.seconds * 1000;
  const counts = await loop(pool, send, deadline, input.connections, true);
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { name, requests: counts.requests, errors: counts.errors, seconds, perSecond: counts.requests / seconds };
}

async function loop(
  pool: Pool,
  send: (pool: Pool) => Promise<{ statusCode: number; body: { dump(): Promise<void> } }>,
  until: number,
  workers: number,
  absolute = false,
): Promise<{ requests: number; errors: number }> {
  const end = absolute ? until : performance.now() + until;
  const counts = { requests: 0, errors: 0 };
  await Promise.all(
    Array.from({ length: workers * 2 }, async () => {
      while (performance.now() < end) {
        const response = await send(pool);
        await response.body.dump();
        counts.requests += 1;
        if (response.statusCode >= 300) counts.errors += 1;
      }
    }),
  );
  return counts;
}

const main = process.argv.includes('--client') ? runClient : runServer;
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
