// Bundled into the workflow sandbox (see workflowBundleOptions in src/temporal/workflow-bundle.ts): imports only @temporalio/workflow
// and pure code.
import { ContinueAsNew, log, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { countsOf } from './result-counts';

/**
 * One log line when a run starts, ends or continues as new, through the workflow logger (a sink: the worker adds
 * workflow id, run id, type, namespace and task queue, and replays log nothing). The report's counters and status
 * go in; its failures, plan and watermark do not.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        log.info('workflow started');
        try {
          const result = await next(input);
          log.info('workflow completed', { result: countsOf(result) });
          return result;
        } catch (error) {
          if (error instanceof ContinueAsNew) log.info('workflow continued as new');
          // Other failures are logged by the SDK (class and type only, see json-logger).
          throw error;
        }
      },
    },
  ],
});
