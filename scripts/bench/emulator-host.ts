// Entry of an emulator process driven over IPC (`EmulatorProcess.start({ via: 'ipc' })`): `startEmulators` in this
// process, its in-process admin handles (faults, counters) reachable from the parent by messages. Used where the
// HTTP admin routes cannot be (a F&O `PUT /_admin/faults` body is not parsed as JSON), and otherwise the same as
// `p2c emulators`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { EmulatorAdmin } from '@p2c-sync/emulators';
import { startEmulators, type EmulatorOptions } from '@p2c-sync/emulators';

const requestSchema = z.object({
  id: z.number(),
  op: z.enum(['setFaults', 'faults', 'counters', 'resetCounters']),
  service: z.enum(['dataverse', 'fno', 'entra']),
  settings: z.unknown().optional(),
});

export type HostRequest = z.infer<typeof requestSchema>;
export type HostAnswer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
  const scratch = mkdtempSync(path.join(tmpdir(), 'p2c-emulator-host-'));
  const running = await startEmulators({ ...options, caCertFile: path.join(scratch, 'entra-ca.pem') });
  const clientSecretFile = path.join(scratch, 'client-secret');
  writeFileSync(clientSecretFile, running.client.clientSecret, { mode: 0o600 });
  const admins: Record<HostRequest['service'], EmulatorAdmin> = { dataverse: running.dataverse.admin, fno: running.fno.admin, entra: running.entra.admin };

  process.on('message', (message: unknown) => {
    const parsed = requestSchema.safeParse(message);
    if (!parsed.success) return;
    const { id, op, service, settings } = parsed.data;
    const admin = admins[service];
    let answer: HostAnswer;
    try {
      const value =
        op === 'setFaults'
          ? (admin.faults.configure(settings as Parameters<typeof admin.faults.configure>[0]), admin.faults.status())
          : op === 'faults'
            ? admin.faults.status()
            : op === 'counters'
              ? { ...admin.counters.snapshot(), faults: admin.faults.status().injected }
              : (admin.counters.reset(), admin.faults.resetCounts(), undefined);
      answer = { id, ok: true, value };
    } catch (error) {
      answer = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    process.send?.(answer);
  });

  const stop = () => {
    void running.close().finally(() => {
      rmSync(scratch, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.stdout.write(
    `${JSON.stringify({
      dataverseUrl: running.dataverse.url,
      fnoUrl: running.fno.url,
      authority: running.entra.authority,
      tenantId: running.entra.tenantId,
      clientId: running.client.clientId,
      caCertFile: running.entra.caCertFile ?? path.join(scratch, 'entra-ca.pem'),
      clientSecretFile,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
