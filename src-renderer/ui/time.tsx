// Times as people read them: relative, with the exact time on hover.
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function relativeTime(at: number, now = Date.now()): string {
  const delta = at - now;
  for (const [unit, ms] of units) {
    if (Math.abs(delta) >= ms || unit === 'second')
      return relative.format(Math.round(delta / ms), unit);
  }
  return '';
}

export function Time({ at }: { at: number }) {
  const date = new Date(at);
  return (
    <time dateTime={date.toISOString()} title={date.toLocaleString()}>
      {relativeTime(at)}
    </time>
  );
}
