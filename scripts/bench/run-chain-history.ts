import type { Client } from '@temporalio/client';

export interface RunChainHistory {
  executions: number;
  /** History events summed over every execution of the chain (the first run and its continuations). */
  totalEvents: number;
  maxEventsPerExecution: number;
  totalBytes: number;
  maxBytesPerExecution: number;
}

/**
 * History of a run chain (one workflow id: the first execution and every continue-as-new) from visibility. Waits
 * until visibility lists `expectedExecutions` closed executions: the dev server indexes them a moment after they close.
 */
export async function runChainHistory(client: Client, workflowId: string, expectedExecutions: number, timeoutMs = 30_000): Promise<RunChainHistory> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lengths: { events: number; bytes: number }[] = [];
    let open = 0;
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      if (!execution.closeTime) open += 1;
      lengths.push({ events: execution.historyLength, bytes: execution.historySize ?? 0 });
    }
    if ((lengths.length >= expectedExecutions && open === 0) || Date.now() > deadline) {
      return {
        executions: lengths.length,
        totalEvents: sum(lengths.map((l) => l.events)),
        maxEventsPerExecution: Math.max(0, ...lengths.map((l) => l.events)),
        totalBytes: sum(lengths.map((l) => l.bytes)),
        maxBytesPerExecution: Math.max(0, ...lengths.map((l) => l.bytes)),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Resolves once a worker polls both the workflow and the activity task queue (it has bundled and connected). */
export async function waitForPollers(client: Client, taskQueue: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const counts = await Promise.all(
      [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY].map(async (taskQueueType) => {
        const answer = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType });
        return answer.pollers?.length ?? 0;
      }),
    );
    if (counts.every((count) => count > 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no worker polled task queue ${taskQueue} within ${timeoutMs} ms`);
}

// temporal.api.enums.v1.TaskQueueType (the proto package is not a direct dependency).
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
