import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeIssues } from '../domain/describe-issues';
import { syncInputSchema, type SyncInput } from './sync-input';

export interface SyncResult {
  workflowId: string;
  companies: string[];
}

const { preflight } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

/**
 * Keeps F&O customers in step with Sales accounts for one pipeline. A workflow (not a script) so that a run
 * survives worker crashes, server restarts and API outages, and can be watched, paused and scheduled.
 */
export async function syncAccounts(input: SyncInput = {}): Promise<SyncResult> {
  const parsed = syncInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = describeIssues(parsed.error);
    throw ApplicationFailure.nonRetryable(`Invalid input: ${problems.join('; ')}`, 'InvalidInput', { problems });
  }
  const options = parsed.data;
  const companies = options.companies ?? (options.company ? [options.company] : undefined);
  const checked = await preflight({ companies });
  return { workflowId: workflowInfo().workflowId, companies: checked.companies };
}
