import { defineSearchAttributeKey } from '@temporalio/common';

// Custom search attributes that let operators filter runs in the Web UI and `temporal workflow list`.
// The dev server registers them at start (see dev-server.ts); a production namespace needs
// `temporal operator search-attribute create` once with the same names and types (README, "Search attributes").
// The workflow sets them itself (at start: pipeline, mode, companies, dry run; at the end: outcome and counts), so a
// run started from the Web UI's form or a plain `temporal workflow start` is labelled like one `p2c` started.
export const PIPELINE_ATTRIBUTE = defineSearchAttributeKey('P2cPipeline', 'KEYWORD');
export const COMPANIES_ATTRIBUTE = defineSearchAttributeKey('P2cCompanies', 'KEYWORD_LIST');
export const MODE_ATTRIBUTE = defineSearchAttributeKey('P2cMode', 'KEYWORD');
export const DRY_RUN_ATTRIBUTE = defineSearchAttributeKey('P2cDryRun', 'BOOL');
/** `running` until the end, then `ok`, `with-failures`, `failed`, `cancelled` or `dry-run`. */
export const OUTCOME_ATTRIBUTE = defineSearchAttributeKey('P2cOutcome', 'KEYWORD');
export const CREATED_ATTRIBUTE = defineSearchAttributeKey('P2cCreated', 'INT');
export const UPDATED_ATTRIBUTE = defineSearchAttributeKey('P2cUpdated', 'INT');
/** Records that failed (or, in a dry run, would fail). */
export const FAILED_ATTRIBUTE = defineSearchAttributeKey('P2cFailed', 'INT');

export type SearchAttributeTypeName = 'Keyword' | 'KeywordList' | 'Bool' | 'Int';

/** Names and types as `temporal server start-dev --search-attribute` and `temporal operator search-attribute create` take them. */
export const customSearchAttributes: Record<string, SearchAttributeTypeName> = {
  [PIPELINE_ATTRIBUTE.name]: 'Keyword',
  [COMPANIES_ATTRIBUTE.name]: 'KeywordList',
  [MODE_ATTRIBUTE.name]: 'Keyword',
  [DRY_RUN_ATTRIBUTE.name]: 'Bool',
  [OUTCOME_ATTRIBUTE.name]: 'Keyword',
  [CREATED_ATTRIBUTE.name]: 'Int',
  [UPDATED_ATTRIBUTE.name]: 'Int',
  [FAILED_ATTRIBUTE.name]: 'Int',
};
