import type { FastifyInstance, RawServerBase } from 'fastify';
import { z } from 'zod';
import { adminPrefix } from './admin-paths';
import type { EmulatorAdmin } from './emulator-admin';
import { faultSettingsSchema } from './fault-settings';

export interface AdminRouteOptions extends EmulatorAdmin {
  /** Extra facts for `GET /_admin/health` (e.g. row counts). */
  health?: () => Record<string, unknown>;
}

/**
 * `/_admin` routes every emulator has: counters, faults, health. They need no token and are neither counted,
 * throttled nor faulted. Service-specific admin routes (seeding, store dumps) are added by each emulator.
 */
export function registerAdminRoutes<S extends RawServerBase>(app: FastifyInstance<S>, options: AdminRouteOptions): void {
  const startedAt = new Date().toISOString();
  app.get(`${adminPrefix}/health`, async () => ({
    status: 'ok',
    service: options.counters.service,
    startedAt,
    ...options.health?.(),
  }));
  app.get(`${adminPrefix}/counters`, async () => ({
    ...options.counters.snapshot(),
    faults: options.faults.status().injected,
  }));
  app.post(`${adminPrefix}/reset-counters`, async (_request, reply) => {
    options.counters.reset();
    options.faults.resetCounts();
    return reply.code(204).send();
  });
  app.get(`${adminPrefix}/faults`, async () => options.faults.status());
  app.put(`${adminPrefix}/faults`, async (request, reply) => {
    const parsed = faultSettingsSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.code(400).send({ error: { message: 'Invalid fault settings', issues: z.treeifyError(parsed.error) } });
    }
    options.faults.configure(parsed.data);
    return options.faults.status();
  });
}
