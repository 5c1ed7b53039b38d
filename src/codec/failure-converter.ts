import { DefaultFailureConverter, type LoadedDataConverter, type ProtoFailure } from '@temporalio/common';

// Loaded by path: bundled into the workflow sandbox and required by the worker, which is why this file imports
// nothing but @temporalio/common. Error messages and stack traces can quote account values ("name too long: …"),
// so they travel as an encoded payload that the encryption codec seals like any other.
//
// What stays readable without the key is what kind of failure it was — the failure type, the activity, the
// timeout — never its text: `temporal workflow show` and the Web UI list then say `Encoded failure
// (InvalidConfiguration)` instead of a bare `Encoded failure`. p2c, `--codec-endpoint` and the UI's codec decode
// the message itself. Failures whose text this product writes from ids alone (a busy pipeline names the run that
// holds it) stay plain.

type PayloadConverter = LoadedDataConverter['payloadConverter'];

/** Application failure types whose messages hold workflow and run ids only. */
const PLAIN_TYPES = new Set(['PipelineBusy']);

class KindShowingFailureConverter extends DefaultFailureConverter {
  constructor() {
    super({ encodeCommonAttributes: true });
  }

  override errorToFailure(err: unknown, payloadConverter: PayloadConverter, context?: unknown): ProtoFailure {
    const failure = (super.errorToFailure as (e: unknown, p: PayloadConverter, c?: unknown) => ProtoFailure)(err, payloadConverter, context);
    if (!failure.encodedAttributes) return failure;
    const type = failure.applicationFailureInfo?.type ?? undefined;
    if (type && PLAIN_TYPES.has(type)) {
      const attributes = payloadConverter.fromPayload<{ message?: unknown }>(failure.encodedAttributes);
      if (typeof attributes.message === 'string') {
        failure.message = attributes.message;
        return failure;
      }
    }
    const kind = kindOf(failure);
    if (kind) failure.message = `Encoded failure (${kind})`;
    return failure;
  }
}

function kindOf(failure: ProtoFailure): string | undefined {
  if (failure.applicationFailureInfo) return failure.applicationFailureInfo.type || 'Error';
  if (failure.activityFailureInfo) return `activity ${failure.activityFailureInfo.activityType?.name ?? ''} failed`.replace('  ', ' ');
  if (failure.timeoutFailureInfo) return 'timeout';
  if (failure.canceledFailureInfo) return 'cancelled';
  if (failure.terminatedFailureInfo) return 'terminated';
  if (failure.childWorkflowExecutionFailureInfo) return `child workflow ${failure.childWorkflowExecutionFailureInfo.workflowType?.name ?? ''} failed`;
  return undefined;
}

export const failureConverter = new KindShowingFailureConverter();
