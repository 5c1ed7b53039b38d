import { readHighestVersion } from '../connectors/account-reads';
import { formatWatermark } from '../domain/work-unit';
import type { ActivityDependencies } from './dependencies';

/**
 * The highest row version in Dataverse right now. Every later change gets a higher `versionnumber`, so the next
 * incremental run asks for `versionnumber gt <this>` and cannot miss a change made during this run.
 */
export function createReadWatermark(deps: Pick<ActivityDependencies, 'dataverse'>) {
  return async function readWatermark(): Promise<{ watermark: string }> {
    return { watermark: formatWatermark({ kind: 'version', value: await readHighestVersion(deps.dataverse) }) };
  };
}
