import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * Whether any worker polls a task queue (for workflow tasks and for activity tasks), from the server's own record
 * of recent pollers. A run on a queue nobody polls waits silently for ever; the CLI says so instead.
 */
export async function workersPolling(client: Client, taskQueue: string): Promise<{ workflow: number; activity: number }> {
  const count = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) => {
    const response = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    return response.pollers?.length ?? 0;
  };
  const [workflow, activity] = await Promise.all([
    count(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
    count(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
  ]);
  return { workflow, activity };
}

export function noWorkerMessage(taskQueue: string, namespace: string): string {
  return `no worker polls task queue '${taskQueue}' (namespace ${namespace}): the run waits until one does — start one with 'p2c worker' (same --task-queue)`;
}
