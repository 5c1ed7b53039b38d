import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { connectDependencies } from '../activities/dependencies';
import { startDemoCodec } from '../codec/demo-codec';
import { emulatorSyncConfig } from '../config/emulator-profile';
import { parseSyncConfig } from '../config/sync-config';
import { DEFAULT_TASK_QUEUE } from '../config/worker-environment';
import { startEmulators } from '../emulators/start-emulators';
import { clientDataConverter } from '../temporal/data-converter';
import { startDevServer } from '../temporal/dev-server';
import { createWorker } from '../worker';
import { syncAccounts } from '../workflows';

/** `p2c demo`: everything in one process tree, so a newcomer sees a real run with one command. */
export async function runDemo(): Promise<void> {
  console.log('Starting the Temporal dev server (with Web UI) and the Dynamics emulators ...');
  const codec = await startDemoCodec();
  const [server, emulators] = await Promise.all([
    startDevServer({ uiCodecEndpoint: codec.endpoint }),
    startEmulators({ generate: { count: 5000, seed: 1 } }),
  ]);
  const loaded = parseSyncConfig(
    emulatorSyncConfig({
      dataverseUrl: emulators.dataverse.url,
      fnoUrl: emulators.fno.url,
      authority: emulators.entra.authority,
      tenantId: emulators.entra.tenantId,
      clientId: emulators.client.clientId,
    }),
  );
  const secret = emulators.client.clientSecret;
  const dependencies = connectDependencies(loaded, { dataverse: secret, fno: secret }, { caPem: emulators.entra.caCertPem });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  try {
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue: DEFAULT_TASK_QUEUE,
      dependencies,
      payloadCodec: codec.payloadCodec,
    });
    const client = new Client({ connection, dataConverter: clientDataConverter(codec.payloadCodec) });
    const workflowId = `p2c-demo-${randomUUID().slice(0, 8)}`;
    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start(syncAccounts, { taskQueue: DEFAULT_TASK_QUEUE, workflowId, args: [{}] });
      console.log(`Workflow id: ${workflowId}`);
      console.log(`Web UI:      ${server.uiUrl}/namespaces/default/workflows/${workflowId}`);
      return await handle.result();
    });
    console.log('Result:');
    console.log(JSON.stringify({ ...result, failures: { total: result.failures.total } }, null, 2));
  } finally {
    await connection.close();
    await nativeConnection.close();
    await dependencies.close();
    await emulators.close();
    await server.stop();
    await codec.close();
  }
}
