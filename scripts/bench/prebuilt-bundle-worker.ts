// A worker like `p2c worker`, but with the workflow bundle built beforehand (`--worker prebuilt`): the same
// configuration, secrets, codec, observability and activities, without webpack running inside the worker at
// start-up. Measures what a pre-built bundle would save in worker memory. Usage: <config file> <bundle file>.
import { NativeConnection } from '@temporalio/worker';
import { connectDependencies } from '../../src/activities/dependencies';
import { loadSyncConfig, resolveClientSecrets } from '../../src/config/sync-config';
import { loadWorkerEnvironment } from '../../src/config/worker-environment';
import { installWorkerObservability } from '../../src/observability/worker-observability';
import { payloadCodecFromEnvironment } from '../../src/temporal/data-converter';
import { createWorker } from '../../src/worker';

async function main(): Promise<void> {
  const [configFile, bundleFile] = process.argv.slice(2);
  if (!configFile || !bundleFile) throw new Error('usage: prebuilt-bundle-worker <config file> <bundle file>');
  const settings = loadWorkerEnvironment(process.env);
  const loaded = loadSyncConfig(configFile);
  const secrets = resolveClientSecrets(loaded.config, process.env);
  const payloadCodec = payloadCodecFromEnvironment(process.env);
  const observability = await installWorkerObservability(process.env);
  const dependencies = connectDependencies(loaded, secrets);
  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
  try {
    const worker = await createWorker({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue: settings.P2C_TASK_QUEUE,
      dependencies,
      payloadCodec,
      ...(observability.metrics ? { metrics: observability.metrics } : {}),
      workflowBundle: { codePath: bundleFile },
    });
    await worker.run();
  } finally {
    await connection.close();
    await dependencies.close();
    await observability.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
