import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription, type WorkflowExecutionInfo } from '@temporalio/client';
import { z } from 'zod';
import { pipelineWorkflowId } from '../../temporal/client';
import { DRY_RUN_ATTRIBUTE, FAILED_ATTRIBUTE, MODE_ATTRIBUTE, PIPELINE_ATTRIBUTE } from '../../temporal/search-attributes';
import { CliError } from '../cli-error';
import { parseArgument } from '../parse-flags';

// Finding a pipeline's runs. `p2c sync start` runs under the pipeline's own workflow id; scheduled runs get the
// schedule's id plus a timestamp, so they are found through the P2cPipeline search attribute.

const WORKFLOW_TYPE = 'syncAccounts';
const pipelineNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const targetSchema = z.string().trim().min(1, { error: 'must name a pipeline or a workflow id' }).max(1000, { error: 'is too long for a workflow id' });

export interface RunRef {
  workflowId: string;
  runId: string;
  status: string;
  startTime: Date;
  closeTime?: Date;
}

function toRef(info: WorkflowExecutionInfo | WorkflowExecutionDescription): RunRef {
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    status: info.status.name,
    startTime: info.startTime,
    ...(info.closeTime ? { closeTime: info.closeTime } : {}),
  };
}

async function describeLatest(client: Client, workflowId: string): Promise<RunRef | undefined> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.type === WORKFLOW_TYPE ? toRef(description) : undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

async function listRuns(client: Client, query: string, limit: number): Promise<RunRef[]> {
  const runs: RunRef[] = [];
  for await (const info of client.workflow.list({ query, pageSize: limit })) {
    runs.push(toRef(info));
    if (runs.length >= limit) break;
  }
  return runs;
}

function pipelineQuery(pipeline: string): string {
  return `WorkflowType = '${WORKFLOW_TYPE}' AND (WorkflowId = '${pipelineWorkflowId(pipeline)}' OR ${PIPELINE_ATTRIBUTE.name} = '${pipeline}')`;
}

/** A run of the pipeline that is still going, however it was started; undefined when there is none. */
export async function findRunningSync(client: Client, pipeline: string): Promise<RunRef | undefined> {
  const own = await describeLatest(client, pipelineWorkflowId(pipeline));
  if (own?.status === 'RUNNING') return own;
  const [running] = await listRuns(client, `${pipelineQuery(pipeline)} AND ExecutionStatus = 'Running'`, 1);
  return running;
}

/**
 * The pipeline's live workflow if it is running (`p2c live start`'s id first, then any liveSync labelled with the
 * pipeline): a sync run would be refused by the pipeline's lock, so `sync start` names it before starting anything.
 */
export async function findRunningLive(client: Client, pipeline: string): Promise<RunRef | undefined> {
  try {
    const own = await client.workflow.getHandle(`p2c-live-${pipeline}`).describe();
    if (own.type === LIVE_WORKFLOW_TYPE && own.status.name === 'RUNNING') return toRef(own);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  const [running] = await listRuns(client, `WorkflowType = '${LIVE_WORKFLOW_TYPE}' AND ${PIPELINE_ATTRIBUTE.name} = '${pipeline}' AND ExecutionStatus = 'Running'`, 1);
  return running;
}

const LIVE_WORKFLOW_TYPE = 'liveSync';

const previousResultSchema = z.object({ watermark: z.object({ next: z.string().min(1).optional() }).optional() });

export interface PreviousWatermark {
  next: string;
  run: RunRef;
}

/**
 * Where the pipeline's next incremental run starts: the `watermark.next` of its newest completed run that has one
 * (dry runs, retries and cancelled full runs have none and are passed over).
 */
export async function previousWatermark(client: Client, pipeline: string, lookBack = 20): Promise<PreviousWatermark | undefined> {
  const runs = await listRuns(client, `${pipelineQuery(pipeline)} AND ExecutionStatus = 'Completed'`, lookBack);
  runs.sort((a, b) => (b.closeTime?.getTime() ?? 0) - (a.closeTime?.getTime() ?? 0));
  for (const run of runs) {
    const result: unknown = await client.workflow.getHandle(run.workflowId, run.runId, { followRuns: false }).result();
    const parsed = previousResultSchema.safeParse(result);
    const next = parsed.success ? parsed.data.watermark?.next : undefined;
    if (next) return { next, run };
  }
  return undefined;
}

/**
 * `<pipeline|workflow-id>` as operators type it: a running run of the pipeline first (its own id, then scheduled
 * runs), else the newest run under the pipeline's id or the literal workflow id.
 */
export async function resolveSyncTarget(client: Client, raw: string): Promise<RunRef> {
  const target = parseArgument(targetSchema, raw, '<pipeline|workflow-id>');
  const candidates: RunRef[] = [];
  const isPipeline = pipelineNameSchema.safeParse(target).success;
  if (isPipeline) {
    const own = await describeLatest(client, pipelineWorkflowId(target));
    if (own) candidates.push(own);
  }
  const literal = await describeLatest(client, target);
  if (literal) candidates.push(literal);
  if (isPipeline && !candidates.some((run) => run.status === 'RUNNING')) {
    candidates.push(...(await listRuns(client, `${pipelineQuery(target)} AND ExecutionStatus = 'Running'`, 1)));
    if (candidates.length === 0) candidates.push(...(await listRuns(client, pipelineQuery(target), 1)));
  }
  const running = candidates.find((run) => run.status === 'RUNNING');
  if (running) return running;
  const newest = candidates.sort((a, b) => b.startTime.getTime() - a.startTime.getTime())[0];
  if (newest) return newest;
  throw new CliError(
    isPipeline
      ? `no sync run found for '${target}': no pipeline run (workflow id ${pipelineWorkflowId(target)} or ${PIPELINE_ATTRIBUTE.name} = '${target}') and no workflow with that id`
      : `no sync run found with workflow id '${target}'`,
  );
}

export interface FailedRunChoice {
  run: RunRef;
  /** Says which run was taken and why, for the operator. */
  reason: string;
}

/**
 * The run whose failures `retry-failed` and `failures` mean by default: the newest closed real run of the pipeline
 * with failures — not a dry run (its failures are predictions), not a retry (unless asked), not a clean run. Found
 * through the labels the workflow sets at its end (P2cDryRun, P2cMode, P2cFailed); a literal workflow id, `--run-id`,
 * or a pipeline whose runs predate the labels fall back to resolveSyncTarget.
 */
export async function resolveFailedRun(
  client: Client,
  raw: string,
  options: { runId?: string; includeRetries?: boolean } = {},
): Promise<FailedRunChoice> {
  const target = parseArgument(targetSchema, raw, '<pipeline|workflow-id>');
  if (options.runId) {
    const run = await resolveSyncTarget(client, target);
    const chosen = await describeRun(client, run.workflowId, options.runId);
    return { run: chosen, reason: `run ${options.runId} as asked (--run-id)` };
  }
  if (pipelineNameSchema.safeParse(target).success) {
    const retries = options.includeRetries ? '' : ` AND ${MODE_ATTRIBUTE.name} != 'retry'`;
    const query = `${pipelineQuery(target)} AND ExecutionStatus != 'Running' AND ${DRY_RUN_ATTRIBUTE.name} = false AND ${FAILED_ATTRIBUTE.name} > 0${retries}`;
    const runs = await listRuns(client, query, 20);
    runs.sort((a, b) => (b.closeTime?.getTime() ?? 0) - (a.closeTime?.getTime() ?? 0));
    const [newest] = runs;
    if (newest) {
      const kinds = options.includeRetries ? 'non-dry run (retries included)' : 'non-dry, non-retry run';
      return { run: newest, reason: `the newest ${kinds} of pipeline '${target}' with failures, closed ${newest.closeTime?.toISOString() ?? '?'}` };
    }
  }
  const run = await resolveSyncTarget(client, target);
  return { run, reason: `the newest run of '${target}' (no labelled run of a pipeline '${target}' with failures found)` };
}

async function describeRun(client: Client, workflowId: string, runId: string): Promise<RunRef> {
  try {
    return toRef(await client.workflow.getHandle(workflowId, runId, { followRuns: false }).describe());
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CliError(`no run ${runId} of workflow ${workflowId}`);
    throw error;
  }
}
