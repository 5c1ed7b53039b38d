import type { BatchOperation, BatchRequestItem } from '@p2c-sync/odata-wire';

/**
 * Operation URLs relative to the service root (`accounts(…)`) made absolute: the form Microsoft's own examples
 * use, accepted by every Dynamics service, so callers can stay with short relative URLs. `$<Content-ID>`
 * references to an earlier operation of the same change set must stay as they are.
 */
export function resolveBatchUrls(items: readonly BatchRequestItem[], root: string): BatchRequestItem[] {
  const resolve = (operation: BatchOperation): BatchOperation =>
    operation.url.startsWith('$') ? operation : { ...operation, url: new URL(operation.url, root).href };
  return items.map((item) => ('changeSet' in item ? { changeSet: item.changeSet.map(resolve) } : resolve(item)));
}
