import { TransportError } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { connectWithBackoff, defaultConnectBackoff } from '../../../src/temporal/connect-with-backoff';

/** A clock whose sleeps advance time at once, recording each wait. */
function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    clock: {
      now: () => now,
      sleep: async (ms: number, signal?: AbortSignal) => {
        signal?.throwIfAborted();
        waits.push(ms);
        now += ms;
      },
    },
  };
}

function recordingLogger() {
  const lines: { message: string; meta: Record<string, unknown> | undefined }[] = [];
  return { lines, logger: { warn: (message: string, meta?: Record<string, unknown>) => void lines.push({ message, meta }) } };
}

const refused = () => new TransportError('tcp connect error: Connection refused');

describe('connectWithBackoff', () => {
  it('retries transport errors, waiting 1 s doubling to 30 s, and logs each failed attempt', async () => {
    const { clock, waits } = fakeClock();
    const { logger, lines } = recordingLogger();
    let attempts = 0;
    const connected = await connectWithBackoff({
      connect: async () => {
        attempts += 1;
        if (attempts < 9) throw refused();
        return 'connection';
      },
      logger,
      target: 'temporal:7233',
      clock,
    });
    expect(connected).toBe('connection');
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(lines.map((l) => l.meta?.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(lines[0]).toMatchObject({ message: 'Temporal unreachable, retrying', meta: { target: 'temporal:7233', retryInMs: 1_000 } });
  });

  it('gives up with the last error after about five minutes', async () => {
    const { clock, waits } = fakeClock();
    const { logger } = recordingLogger();
    const last = refused();
    let attempts = 0;
    await expect(
      connectWithBackoff({
        connect: async () => {
          attempts += 1;
          throw attempts > 5 ? last : refused();
        },
        logger,
        target: 'temporal:7233',
        clock,
      }),
    ).rejects.toBe(last);
    const waited = waits.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeLessThanOrEqual(defaultConnectBackoff.giveUpAfterMs);
    expect(waited + 30_000).toBeGreaterThan(defaultConnectBackoff.giveUpAfterMs);
    expect(attempts).toBe(waits.length + 1);
  });

  it('does not retry errors a new attempt cannot fix', async () => {
    const { clock, waits } = fakeClock();
    const { logger } = recordingLogger();
    const invalid = new TypeError('invalid address');
    await expect(
      connectWithBackoff({
        connect: async () => {
          throw invalid;
        },
        logger,
        target: 'nowhere',
        clock,
      }),
    ).rejects.toBe(invalid);
    expect(waits).toEqual([]);
  });

  it('stops waiting with the abort reason when signalled', async () => {
    const { logger } = recordingLogger();
    const controller = new AbortController();
    const reason = new Error('SIGTERM');
    let attempts = 0;
    const pending = connectWithBackoff({
      connect: async () => {
        attempts += 1;
        throw refused();
      },
      logger,
      target: 'temporal:7233',
      signal: controller.signal,
      // Real timers: the first wait is a real 1 s sleep that the abort cuts short.
    });
    setTimeout(() => controller.abort(reason), 50);
    const started = Date.now();
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(900);
    expect(attempts).toBe(1);
  });
});
