/** Keys per query of a read by key list: keeps URLs far below the services' limits. */
export const KEYS_PER_QUERY = 50;

/** The keys in slices of at most `size`, in order. */
export function keySlices<T>(keys: readonly T[], size = KEYS_PER_QUERY): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < keys.length; start += size) slices.push(keys.slice(start, start + size));
  return slices;
}
