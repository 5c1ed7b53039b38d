import { formatWatermark } from '../domain/work-unit';
import type { ActivityDependencies } from './dependencies';

/**
 * The highest row version in Dataverse right now. Every later change gets a higher `versionnumber`, so the next
 * incremental run asks for `versionnumber gt <this>` and cannot miss a change made during this run.
 */
export function createReadWatermark(deps: Pick<ActivityDependencies, 'dataverse'>) {
  return async function readWatermark(): Promise<{ watermark: string }> {
    const page = await deps.dataverse.readPage({
      entitySet: 'accounts',
      select: ['versionnumber'],
      orderby: 'versionnumber desc',
      pageSize: 1,
    });
    const top = page.rows[0] as { versionnumber?: unknown } | undefined;
    const version = top?.versionnumber;
    const value = typeof version === 'number' || typeof version === 'string' ? String(version) : '0';
    if (!/^\d+$/.test(value)) throw new Error(`Dataverse returned a versionnumber that is not a whole number: ${value}`);
    return { watermark: formatWatermark({ kind: 'version', value }) };
  };
}
