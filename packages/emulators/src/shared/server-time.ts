import { z } from 'zod';
import type { SeededRandom } from './seeded-random';
import type { ServiceCounters } from './service-counters';

/**
 * Server time of one operation (a plain request, a `$batch` part, a bulk message's record): `readMs` for a GET,
 * `writeMs` for anything else, plus a uniform jitter in [0, jitterMs). Emulator choice: Microsoft publishes no
 * per-operation durations, so benchmarks state theirs.
 */
export const serverTimeSettingsSchema = z
  .object({
    readMs: z.number().min(0).max(600_000).default(0),
    writeMs: z.number().min(0).max(600_000).default(0),
    jitterMs: z.number().min(0).max(600_000).default(0),
  })
  .strict();

export type ServerTimeSettings = z.output<typeof serverTimeSettingsSchema>;

/**
 * Draws each operation's server time and counts the operation (`readOperations`, `writeOperations`): what a
 * benchmark's limits model charges for it.
 */
export function serverTimeDraw(settings: Partial<ServerTimeSettings> | undefined, random: SeededRandom, counters: ServiceCounters): (method: string) => number {
  const { readMs, writeMs, jitterMs } = serverTimeSettingsSchema.parse(settings ?? {});
  return (method) => {
    const read = method.toUpperCase() === 'GET';
    counters.increment(read ? 'readOperations' : 'writeOperations');
    return (read ? readMs : writeMs) + (jitterMs > 0 ? random.next() * jitterMs : 0);
  };
}
