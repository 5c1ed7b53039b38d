// What the workflow hands to the end-of-run notification, and the JSON document sent for it. Counts, codes and ids
// only: the message leaves the company (a Teams or Slack channel), so no account name, key or value goes in.
import type { ResolvedWebhook } from '../config/notifications-config';
import type { UnitCounters } from './contracts';

export interface RunNotice {
  pipeline: string;
  status: 'completed' | 'cancelled' | 'failed';
  dryRun: boolean;
  mode?: 'full' | 'incremental';
  totals: UnitCounters;
  failures: { total: number; topCodes: { code: string; count: number }[] };
  /** A failed run: the failure's type (e.g. InvalidConfiguration). Its message may quote data, so it stays in Temporal. */
  failureType?: string;
  startedAt?: string;
  finishedAt: string;
}

export interface RunIdentity {
  namespace: string;
  workflowId: string;
  runId: string;
}

/** The run's page in the Temporal Web UI, when the configuration says where the UI is. */
export function runUrl(uiUrl: string | undefined, run: RunIdentity): string | undefined {
  if (!uiUrl) return undefined;
  return `${uiUrl}/namespaces/${encodeURIComponent(run.namespace)}/workflows/${encodeURIComponent(run.workflowId)}/${encodeURIComponent(run.runId)}/history`;
}

/** One line a person reads in the channel; the fields after it are for programs. */
export function noticeText(notice: RunNotice, link: string | undefined): string {
  const { totals } = notice;
  const what = `p2c-sync ${notice.pipeline}${notice.dryRun ? ' (dry run)' : ''}: ${notice.status}`;
  const counts = `${totals.read} read, ${totals.created} created, ${totals.updated} updated, ${totals.unchanged} unchanged, ${totals.failed} failed`;
  const failures = notice.failures.topCodes.length > 0 ? ` Failures: ${notice.failures.topCodes.map((c) => `${c.code} ×${c.count}`).join(', ')}.` : '';
  const cause = notice.failureType ? ` Failure: ${notice.failureType}.` : '';
  return `${what}. ${counts}.${failures}${cause}${link ? ` ${link}` : ''}`;
}

/** The JSON document: `text` (which Slack and Teams show) and the run's fields. */
export function webhookBody(notice: RunNotice, run: RunIdentity, format: ResolvedWebhook['format'], uiUrl: string | undefined): Record<string, unknown> {
  const link = runUrl(uiUrl, run);
  const text = noticeText(notice, link);
  const fields = {
    pipeline: notice.pipeline,
    status: notice.status,
    dryRun: notice.dryRun,
    ...(notice.mode ? { mode: notice.mode } : {}),
    counts: notice.totals,
    failures: notice.failures,
    ...(notice.failureType ? { failureType: notice.failureType } : {}),
    workflowId: run.workflowId,
    runId: run.runId,
    namespace: run.namespace,
    ...(link ? { runUrl: link } : {}),
    ...(notice.startedAt ? { startedAt: notice.startedAt } : {}),
    finishedAt: notice.finishedAt,
  };
  if (format === 'text') return { text, ...fields };
  return {
    type: 'message',
    text,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [{ type: 'TextBlock', text, wrap: true }],
          ...(link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: link }] } : {}),
        },
      },
    ],
    ...fields,
  };
}
