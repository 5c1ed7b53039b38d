import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorsReadyLine } from '../../../src/cli/emulators-command';
import { ACCOUNT_TABLE_COLUMN_NAMES } from '@p2c-sync/emulators';

const entry = path.join(__dirname, 'emulators-cli.ts');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Started {
  child: ChildProcess;
  ready: EmulatorsReadyLine;
  exit: Promise<number | null>;
}

async function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', entry, 'emulators', ...args], {
    cwd: path.resolve(__dirname, '../../..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(stdout.slice(0, newline));
    });
    void exit.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { child, ready: JSON.parse(line) as EmulatorsReadyLine, exit };
}

async function token(ready: EmulatorsReadyLine, resource: string): Promise<string> {
  const agent = new Agent({ connect: { ca: readFileSync(ready.caCertFile, 'utf8') } });
  try {
    const response = await request(`${ready.authority}/${ready.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: ready.clientId,
        client_secret: readFileSync(ready.clientSecretFile, 'utf8'),
        scope: `${resource}/.default`,
      }).toString(),
    });
    const body = (await response.body.json()) as { access_token: string };
    expect(response.statusCode).toBe(200);
    return body.access_token;
  } finally {
    await agent.close();
  }
}

describe('p2c emulators', () => {
  // No wall-clock bound on readiness: most of it is tsx compiling the sources and Node starting, which on a loaded
  // machine took over 5 s. Generating the accounts, the part that grows with their number, is bounded in CPU time
  // by test/unit/emulators/data/account-generator.test.ts.
  it('is ready with 10,000 accounts, serves all of them page by page, and stops on SIGTERM', async () => {
    const { child, ready, exit } = await startCli(['--generate', '10000', '--seed', '3'], {
      P2C_EMULATOR_CLIENT_SECRET: 'cli-secret',
    });
    expect(Object.keys(ready).sort()).toEqual(
      ['authority', 'caCertFile', 'clientId', 'clientSecretFile', 'dataverseUrl', 'fnoUrl', 'tenantId'].sort(),
    );
    expect(ready.dataverseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.authority).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(ready)).not.toContain('cli-secret');
    expect(readFileSync(ready.clientSecretFile, 'utf8')).toBe('cli-secret');
    expect(statSync(ready.clientSecretFile).mode & 0o077).toBe(0);

    const bearer = await token(ready, ready.dataverseUrl);
    const ids = new Set<string>();
    let next: string | undefined = `${ready.dataverseUrl}/api/data/v9.2/accounts?$select=accountid,name`;
    let pages = 0;
    while (next) {
      const response = await request(next, {
        headers: { authorization: `Bearer ${bearer}`, accept: 'application/json', prefer: 'odata.maxpagesize=5000' },
      });
      expect(response.statusCode).toBe(200);
      const page = (await response.body.json()) as { value: Array<{ accountid: string }>; '@odata.nextLink'?: string };
      for (const row of page.value) ids.add(row.accountid);
      next = page['@odata.nextLink'];
      pages += 1;
    }
    expect(ids.size).toBe(10_000);
    expect(pages).toBe(2);

    const fnoToken = await token(ready, ready.fnoUrl);
    const groups = await request(`${ready.fnoUrl}/data/CustomerGroups?$select=CustomerGroupId`, {
      headers: { authorization: `Bearer ${fnoToken}` },
    });
    expect(groups.statusCode).toBe(200);

    const secretDir = path.dirname(ready.clientSecretFile);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    // Without a state directory the files lived in a temporary directory, removed on exit.
    expect(existsSync(secretDir)).toBe(false);
  });

  it('keeps its files in --state-dir and refuses bad flags with a message', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'p2c-cli-state-'));
    try {
      const { child, ready, exit } = await startCli(['--state-dir', stateDir, '--fno-faults', '{"latencyMs":5}']);
      expect(ready.caCertFile).toBe(path.join(stateDir, 'entra-ca.pem'));
      expect(ready.clientSecretFile).toBe(path.join(stateDir, 'client-secret'));
      const faults = await request(`${ready.fnoUrl}/_admin/faults`).then((r) => r.body.json());
      expect(faults).toMatchObject({ settings: { latencyMs: 5 } });
      child.kill('SIGINT');
      expect(await exit).toBe(0);
      expect(existsSync(path.join(stateDir, 'client-secret'))).toBe(true);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }

    const bad = spawn(process.execPath, ['--require', 'tsx/cjs', entry, 'emulators', '--fno-faults', '{"errorRate":7}'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(bad);
    let stderr = '';
    bad.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('fnoFaults');
  });

  it('loads a real export: every standard account column (statuscode, address2_*, lookups …) accepted; unknown names refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'p2c-export-'));
    try {
      // An account as a Web API export carries it: every column of the table (null when empty), annotations, and
      // values in columns the emulator does not model.
      const row: Record<string, unknown> = Object.fromEntries([...ACCOUNT_TABLE_COLUMN_NAMES].map((name) => [name, null]));
      Object.assign(row, {
        '@odata.etag': 'W/"4711"',
        accountid: '0a1b2c3d-0000-4000-8000-000000004711',
        accountnumber: 'ACC-04711-EXPORT',
        name: 'Exported Ltd',
        address1_stateorprovince: 'Pennsylvania',
        address1_country: 'United States',
        address2_city: 'Pittsburgh',
        statecode: 0,
        statuscode: 1,
        'statuscode@OData.Community.Display.V1.FormattedValue': 'Active',
        accountcategorycode: 2,
        numberofemployees: 120,
        revenue: 1250000,
        exchangerate: 1,
        donotemail: false,
        _ownerid_value: '0a1b2c3d-0000-4000-8000-00000000aaaa',
        _parentaccountid_value: null,
        _owningbusinessunit_value: '3c1f2a90-7b4d-4f7e-8a11-000000000001',
        _transactioncurrencyid_value: '6a7f4c02-1d5e-4e0b-9c31-000000000840',
        creditlimit: 5000,
        modifiedon: '2025-06-01T10:00:00Z',
        versionnumber: 4711,
      });
      const file = path.join(dir, 'export.json');
      writeFileSync(file, JSON.stringify({ accounts: [row] }));
      const { child, ready, exit } = await startCli(['--accounts', file]);
      const bearer = await token(ready, ready.dataverseUrl);
      const response = await request(
        `${ready.dataverseUrl}/api/data/v9.2/accounts?$select=accountid,accountnumber,name,address1_stateorprovince,creditlimit,statecode`,
        { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } },
      );
      expect(response.statusCode).toBe(200);
      const page = (await response.body.json()) as { value: Array<Record<string, unknown>> };
      expect(page.value).toEqual([
        expect.objectContaining({
          accountid: '0a1b2c3d-0000-4000-8000-000000004711',
          accountnumber: 'ACC-04711-EXPORT',
          name: 'Exported Ltd',
          address1_stateorprovince: 'Pennsylvania',
          creditlimit: 5000,
          statecode: 0,
        }),
      ]);
      child.kill('SIGTERM');
      expect(await exit).toBe(0);

      writeFileSync(file, JSON.stringify({ accounts: [{ ...row, statuscode: 1, accountcolour: 'blue' }] }));
      const refused = spawn(process.execPath, ['--require', 'tsx/cjs', entry, 'emulators', '--accounts', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(refused);
      let stderr = '';
      refused.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await new Promise<number | null>((resolve) => refused.once('exit', resolve))).toBe(1);
      expect(stderr).toContain("accounts[0]: 'accountcolour' is not a column of the Dataverse account table");
      expect(stderr).not.toContain('statuscode');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
