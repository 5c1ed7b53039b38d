import type { Command } from 'commander';
import { cancelSignal, pauseSignal, resumeSignal } from '../../workflows/sync-accounts';
import { CliError } from '../cli-error';
import { writeLine, type CliIo } from '../cli-io';
import { contextOf } from '../command-context';
import { withTemporal } from '../temporal-session';
import { resolveSyncTarget } from './pipeline-runs';

const SIGNALS = {
  pause: {
    signal: pauseSignal,
    description: 'pause a run: batches in flight finish, nothing new starts until resume',
    done: (target: string) => `Pause requested: batches in flight finish, then the run waits for 'p2c sync resume ${target}'.`,
  },
  resume: {
    signal: resumeSignal,
    description: 'resume a paused run',
    done: () => 'Resume requested: the run picks up where it paused.',
  },
  cancel: {
    signal: cancelSignal,
    description: 'stop a run gracefully',
    done: (target: string) => `Cancel requested: batches in flight finish, then the run completes with a partial report ('p2c sync status ${target}').`,
  },
} as const;

export function registerControlCommands(sync: Command, io: CliIo): void {
  for (const [name, { signal, description, done }] of Object.entries(SIGNALS)) {
    const command = sync
      .command(name)
      .argument('<pipeline|workflow-id>', 'a pipeline name, or the workflow id of a run')
      .description(name === 'cancel' ? CANCEL_DESCRIPTION : description);
    if (name === 'cancel') command.option('--graceful', 'let batches in flight finish and end with a partial report (the run completes)');
    command.action(async (target: string, raw: Record<string, unknown>, command: Command) => {
      const context = contextOf(command, io);
      const graceful = raw.graceful === true;
      await withTemporal(context.settings, async (client) => {
        const run = await resolveSyncTarget(client, target);
        if (run.status !== 'RUNNING') throw new CliError(`workflow ${run.workflowId} (run ${run.runId}) is not running: ${run.status.toLowerCase()}`);
        // The newest run of the id: a continue-as-new between lookup and signal must not lose the signal.
        const handle = client.workflow.getHandle(run.workflowId);
        if (name === 'cancel' && !graceful) {
          await handle.cancel();
          writeLine(io.stdout, `${run.workflowId} (run ${run.runId}): ${CANCEL_DONE(target)}`);
          return;
        }
        await handle.signal(signal);
        writeLine(io.stdout, `${run.workflowId} (run ${run.runId}): ${done(target)}`);
      });
    });
  }
}

const CANCEL_DESCRIPTION =
  "stop a run within seconds, in any phase (also while an activity retries): it ends as Cancelled; with --graceful, batches in flight finish and the run completes with a partial report";
const CANCEL_DONE = (target: string) =>
  `Cancellation requested: the run stops within seconds and ends as cancelled; what it did stays readable ('p2c sync status ${target}').`;
