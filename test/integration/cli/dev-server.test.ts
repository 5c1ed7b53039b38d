import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cli-io';
import { runCli } from '../../../src/cli/program';
import { freePort } from '../../../src/util/free-port';
import { waitFor } from '../../support/worker-process';

// The README's `npx p2c dev-server`: a dev server with every search attribute the workflow sets on itself, until Ctrl-C.
describe('p2c dev-server', () => {
  it('starts Temporal with the search attributes registered, says where, and stops on Ctrl-C', async () => {
    const [port, uiPort] = [await freePort(), await freePort()];
    let stdout = '';
    let interrupt: () => void = () => undefined;
    const io: CliIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      env: process.env,
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => undefined;
      },
    };
    const done = runCli(['dev-server', '--port', String(port), '--ui-port', String(uiPort)], io);
    await waitFor(() => stdout.includes('Ctrl-C stops it.'), 'the dev server to start', 60_000);
    expect(stdout).toContain(`Temporal dev server at 127.0.0.1:${port}, Web UI at http://127.0.0.1:${uiPort}`);

    const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      const names = Object.keys(customAttributes ?? {});
      expect(names).toEqual(
        expect.arrayContaining(['P2cPipeline', 'P2cCompanies', 'P2cMode', 'P2cDryRun', 'P2cOutcome', 'P2cCreated', 'P2cUpdated', 'P2cFailed']),
      );
    } finally {
      await connection.close();
    }
    interrupt();
    expect(await done).toBe(0);
  });
});
