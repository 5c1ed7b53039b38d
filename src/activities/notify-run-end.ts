import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ResolvedWebhook } from '../config/notifications-config';
import { postWebhook, WebhookError } from '../connectors/webhook-client';
import { webhookBody, type RunNotice } from './run-notice';

export type NotifyResult = { sent: true; status: number } | { sent: false; reason: 'not configured' | 'status not selected' };

/**
 * Posts the end of a run to the configured webhook. Called by every run (the workflow cannot know the worker's
 * configuration); without a webhook it does nothing. A webhook that is down is retried by Temporal a few times
 * (the workflow bounds the attempts); one that refuses (a 4xx other than 408/429) is not. The workflow ignores the
 * outcome either way: a notification never fails a run.
 */
export function createNotifyRunEnd(deps: { webhook?: ResolvedWebhook }) {
  return async function notifyRunEnd(notice: RunNotice): Promise<NotifyResult> {
    const { webhook } = deps;
    if (!webhook) return { sent: false, reason: 'not configured' };
    if (!webhook.on.includes(notice.status)) return { sent: false, reason: 'status not selected' };
    const { info } = Context.current();
    const run = { namespace: info.workflowNamespace ?? info.activityNamespace, workflowId: info.workflowExecution?.workflowId ?? '', runId: info.workflowExecution?.runId ?? '' };
    try {
      return { sent: true, ...(await postWebhook(webhook.url, webhookBody(notice, run, webhook.format, webhook.uiUrl), webhook.timeoutSeconds * 1000)) };
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      if (error.retryable) throw ApplicationFailure.retryable(error.message, 'WebhookUnavailable', { status: error.status });
      throw ApplicationFailure.nonRetryable(error.message, 'WebhookRefused', { status: error.status });
    }
  };
}
