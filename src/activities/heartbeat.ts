import { Context, heartbeat } from '@temporalio/activity';

const MIN_PACE_MS = 1_000;
const MAX_PACE_MS = 15_000;

/**
 * Runs `work` while heartbeating `details()` at a steady pace. The heartbeat timeout is there to notice a dead
 * worker quickly, not to judge how long a request may take: a request can legitimately wait longer than the
 * timeout (a throttle block, a slow `$batch`, a queue for the client's concurrency slots), and every such wait is
 * bounded by the connectors' request timeout and maximum throttle wait. While this process is alive and waiting,
 * it says so; when it dies, the heartbeats stop and Temporal hands the work on after one heartbeat timeout.
 */
export async function heartbeatWhile<T>(work: () => Promise<T>, details: () => unknown): Promise<T> {
  const timeoutMs = Context.current().info.heartbeatTimeoutMs;
  if (!timeoutMs) return await work();
  // Several beats per timeout, so one late beat (a busy event loop, the SDK's own throttling) is not a timeout.
  const pace = Math.min(MAX_PACE_MS, Math.max(MIN_PACE_MS, Math.floor(timeoutMs / 4)));
  const timer = setInterval(() => heartbeat(details()), pace);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
