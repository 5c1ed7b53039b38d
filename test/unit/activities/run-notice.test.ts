import { describe, expect, it } from 'vitest';
import { webhookBody, type RunNotice } from '../../../src/activities/run-notice';
import { topFailureCodes } from '../../../src/workflows/sync-report';

const notice: RunNotice = {
  pipeline: 'nightly',
  status: 'completed',
  dryRun: false,
  mode: 'incremental',
  totals: { read: 120, created: 3, updated: 10, unchanged: 100, failed: 7, outOfScope: 0 },
  failures: { total: 7, topCodes: [{ code: 'UNKNOWN_COUNTRY', count: 5 }, { code: 'TOO_LONG', count: 2 }] },
  startedAt: '2026-12-05T02:00:00.000Z',
  finishedAt: '2026-12-05T02:03:00.000Z',
};
const run = { namespace: 'p2c.acct', workflowId: 'nightly/2026-12-05', runId: 'r-1' };

describe('the end-of-run message', () => {
  it('is { text, ...fields } by default, linking the run in the Web UI', () => {
    expect(webhookBody(notice, run, 'text', 'https://temporal.example.com')).toEqual({
      text: 'p2c-sync nightly: completed. 120 read, 3 created, 10 updated, 100 unchanged, 7 failed. Failures: UNKNOWN_COUNTRY ×5, TOO_LONG ×2. https://temporal.example.com/namespaces/p2c.acct/workflows/nightly%2F2026-12-05/r-1/history',
      pipeline: 'nightly',
      status: 'completed',
      dryRun: false,
      mode: 'incremental',
      counts: notice.totals,
      failures: notice.failures,
      workflowId: 'nightly/2026-12-05',
      runId: 'r-1',
      namespace: 'p2c.acct',
      runUrl: 'https://temporal.example.com/namespaces/p2c.acct/workflows/nightly%2F2026-12-05/r-1/history',
      startedAt: '2026-12-05T02:00:00.000Z',
      finishedAt: '2026-12-05T02:03:00.000Z',
    });
  });

  it('names a failed run\'s failure type, and has no link without a UI address', () => {
    const failed = webhookBody({ ...notice, status: 'failed', failureType: 'InvalidConfiguration', failures: { total: 0, topCodes: [] } }, run, 'text', undefined);
    expect(failed.text).toBe('p2c-sync nightly: failed. 120 read, 3 created, 10 updated, 100 unchanged, 7 failed. Failure: InvalidConfiguration.');
    expect(failed).not.toHaveProperty('runUrl');
  });

  it('carries an Adaptive Card for Teams Workflows when asked', () => {
    const card = webhookBody(notice, run, 'adaptive-card', 'https://temporal.example.com');
    expect(card).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            version: '1.4',
            body: [{ type: 'TextBlock', text: card.text, wrap: true }],
            actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: 'https://temporal.example.com/namespaces/p2c.acct/workflows/nightly%2F2026-12-05/r-1/history' }],
          },
        },
      ],
      pipeline: 'nightly',
    });
  });

  it('lists the most frequent failure codes first, ties by code, at most five', () => {
    const codes = ['B', 'A', 'C', 'A', 'D', 'E', 'F', 'B', 'A'].map((code) => ({ code }));
    expect(topFailureCodes(codes)).toEqual([
      { code: 'A', count: 3 },
      { code: 'B', count: 2 },
      { code: 'C', count: 1 },
      { code: 'D', count: 1 },
      { code: 'E', count: 1 },
    ]);
    expect(topFailureCodes([])).toEqual([]);
  });
});
