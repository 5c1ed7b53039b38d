import { defineSearchAttributeKey } from '@temporalio/common';

// Custom search attributes that let operators filter runs in the Web UI and `temporal workflow list`.
// The dev server registers them at start (see dev-server.ts); a production namespace needs
// `temporal operator search-attribute create` once with the same names and types.
export const PIPELINE_ATTRIBUTE = defineSearchAttributeKey('P2cPipeline', 'KEYWORD');
export const COMPANIES_ATTRIBUTE = defineSearchAttributeKey('P2cCompanies', 'KEYWORD_LIST');
export const MODE_ATTRIBUTE = defineSearchAttributeKey('P2cMode', 'KEYWORD');

export const customSearchAttributes: Record<string, 'Keyword' | 'KeywordList'> = {
  [PIPELINE_ATTRIBUTE.name]: 'Keyword',
  [COMPANIES_ATTRIBUTE.name]: 'KeywordList',
  [MODE_ATTRIBUTE.name]: 'Keyword',
};
