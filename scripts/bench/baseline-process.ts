// The baseline's own process (started by baseline-run.ts): the same activities as the worker, called in a loop by
// runDirectSync, with the same configuration file and HTTP clients. Reads its job as JSON on stdin, prints the
// result as one JSON line on stdout.
import { z } from 'zod';
import { createActivities } from '../../src/activities';
import { connectDependencies } from '../../src/activities/dependencies';
import { runDirectSync } from './direct-sync';
import { loadSyncConfig } from '../../src/config/sync-config';

export const baselineJobSchema = z.object({
  configFile: z.string(),
  clientSecret: z.string(),
  batchSize: z.number().int().positive(),
  maxConcurrentBatches: z.number().int().positive(),
  pageSize: z.number().int().positive(),
});
export type BaselineJob = z.infer<typeof baselineJobSchema>;

async function main(): Promise<void> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const job = baselineJobSchema.parse(JSON.parse(text));
  const deps = connectDependencies(loadSyncConfig(job.configFile), { dataverse: job.clientSecret, fno: job.clientSecret });
  try {
    const result = await runDirectSync(createActivities(deps), job);
    // maxRSS is in kilobytes: the kernel's peak for this process.
    process.stdout.write(`${JSON.stringify({ ...result, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
  } finally {
    await deps.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
