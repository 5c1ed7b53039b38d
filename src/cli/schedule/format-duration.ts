/** `900000` → `15m`, `5400000` → `1h30m`: milliseconds as people write durations. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = ms;
  let text = '';
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return rest > 0 ? `${text}${rest}ms` : text;
}
