/** Times as the operator reads them: local, to the second, with the date. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** A `datetime-local` input's value for a time, in the browser's time zone. */
export function toLocalInput(ms: number): string {
  const date = new Date(ms);
  const offset = date.getTimezoneOffset() * 60_000;
  return new Date(ms - offset).toISOString().slice(0, 16);
}

/** The ISO UTC time a `datetime-local` input's value means. */
export function fromLocalInput(value: string): string {
  return new Date(value).toISOString();
}
