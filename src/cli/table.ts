/**
 * Plain-text tables for the terminal: columns as wide as their widest cell, two
 * spaces apart, a header row, no borders, so `grep` and `awk` still work on them.
 */
export interface Column<T> {
  title: string;
  value: (row: T) => string | number | null | undefined;
  /** Cells longer than this are cut with an ellipsis. */
  max?: number;
  align?: 'left' | 'right';
}

export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row), c.max)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i].align === 'right' ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join('\n') + '\n';
}

function cell(value: string | number | null | undefined, max?: number): string {
  if (value === null || value === undefined || value === '') return '-';
  // One line per row: a multi-line error message would break the columns.
  const text = String(value).replace(/\s+/g, ' ');
  if (max === undefined || text.length <= max) return text;
  return text.slice(0, max - 1) + '…';
}

/** A time as the CLI shows it: ISO 8601 in UTC, to the second. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
