import { DefaultFailureConverter } from '@temporalio/common';

// Loaded by path: bundled into the workflow sandbox and required by the worker, which is why this file imports
// nothing but @temporalio/common. Error messages and stack traces can quote account values ("name too long: …"),
// so they travel as an encoded payload that the encryption codec seals like any other.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
