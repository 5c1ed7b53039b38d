import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { formatNumber } from '../text-table';

/** An activity the server has scheduled or started for a running sync, as `p2c sync status` shows it. */
export interface PendingActivity {
  type: string;
  state: 'scheduled' | 'started' | 'cancel requested' | 'paused' | 'unknown';
  attempt: number;
  lastHeartbeatAt?: string;
  /** Figures from the last heartbeat (accounts read, numbers assigned, customers written …). */
  progress?: Record<string, number>;
  /** Why the previous attempt failed, when this is a retry. */
  lastFailure?: string;
}

/** The heartbeat figures worth showing an operator; the rest (checkpoint versions, key lists) is bookkeeping. */
const SHOWN_FIGURES = ['scanned', 'assigned', 'renumbered', 'read', 'existing', 'written', 'of'] as const;

const STATES: Record<number, PendingActivity['state']> = { 1: 'scheduled', 2: 'started', 3: 'cancel requested', 4: 'paused' };

/**
 * The run's activities in flight, from the server's description of the workflow. The workflow's own progress query
 * only learns what an activity did once it completes; a long one (the upgrade script numbering thousands of
 * accounts under Dataverse's request window) is visible here through its heartbeats. Heartbeat details are payloads
 * like any other: decoded with this client's codec, and left out when it cannot decode them (no key).
 */
export async function pendingActivitiesOf(client: Client, workflowId: string): Promise<PendingActivity[]> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const converter = client.options.loadedDataConverter;
  return await Promise.all(
    (raw.pendingActivities ?? []).map(async (pending): Promise<PendingActivity> => {
      const progress = await decodeArrayFromPayloads(converter, pending.heartbeatDetails?.payloads).then(figuresOf, () => undefined);
      const heartbeatSeconds = pending.lastHeartbeatTime?.seconds;
      // Failure messages are encrypted in history (they may quote a record); this client's codec reads them.
      const lastFailure = await decodeOptionalFailureToOptionalError(converter, pending.lastFailure).then(
        (error) => error?.message,
        () => pending.lastFailure?.message ?? undefined,
      );
      return {
        type: pending.activityType?.name ?? '?',
        state: STATES[pending.state ?? 0] ?? 'unknown',
        attempt: pending.attempt ?? 1,
        ...(heartbeatSeconds != null ? { lastHeartbeatAt: new Date(Number(heartbeatSeconds) * 1000).toISOString() } : {}),
        ...(progress ? { progress } : {}),
        ...(lastFailure ? { lastFailure } : {}),
      };
    }),
  );
}

function figuresOf(details: unknown[]): Record<string, number> | undefined {
  const last = details.at(-1);
  if (typeof last !== 'object' || last === null) return undefined;
  const figures: Record<string, number> = {};
  for (const name of SHOWN_FIGURES) {
    const value = (last as Record<string, unknown>)[name];
    if (typeof value === 'number') figures[name] = value;
  }
  return Object.keys(figures).length > 0 ? figures : undefined;
}

const MAX_SHOWN = 10;

/** `assignAccountNumbers  started, attempt 1, heartbeat 01:02:03  assigned 4,200` — one line per activity. */
export function renderPendingActivities(activities: readonly PendingActivity[]): string {
  if (activities.length === 0) return 'Activities in flight: none';
  const lines = activities.slice(0, MAX_SHOWN).map((activity) => {
    const heartbeat = activity.lastHeartbeatAt ? `, heartbeat ${activity.lastHeartbeatAt.slice(11, 19)}` : '';
    const figures = Object.entries(activity.progress ?? {}).map(([name, value]) => `${name} ${formatNumber(value)}`).join('  ');
    const failure = activity.lastFailure ? `  (previous attempt: ${activity.lastFailure})` : '';
    return `  ${activity.type}  ${activity.state}, attempt ${activity.attempt}${heartbeat}${figures ? `  ${figures}` : ''}${failure}`;
  });
  const more = activities.length > MAX_SHOWN ? [`  (+${activities.length - MAX_SHOWN} more)`] : [];
  return ['Activities in flight:', ...lines, ...more].join('\n');
}
