/**
 * What the batch does after a change set (or an operation outside one) failed. F&O does not document it, so the
 * emulator offers each plausible behaviour: `continue` runs every part whatever the request says (what OData
 * WebApi did before 5.7, and after it when the header is only checked for presence); `stop` ends the batch after
 * the failed part whatever the request says (a handler that does not honour the preference), and the answer simply
 * ends after that part; `as-preferred` is OData's rule: stop unless the request sent
 * `Prefer: odata.continue-on-error`, and say `Preference-Applied` when continuing because of it.
 */
export const afterFailedChangeSetModes = ['continue', 'stop', 'as-preferred'] as const;
export type AfterFailedChangeSet = (typeof afterFailedChangeSetModes)[number];
