/**
 * The benchmark's output: a table for the terminal (also valid Markdown, for the
 * README) and the JSON kept in bench/results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';

import type { MachineFacts } from './machine.ts';
import type { FigureRow } from './support/figure.ts';
import { ratioOf, TARGETS } from './targets.ts';

export interface ReportRow extends FigureRow {
  ratio: number | null;
  target: string;
  met: boolean | null;
}

export interface Report {
  mode: 'quick' | 'full';
  startedAt: string;
  seconds: number;
  machine: MachineFacts;
  rows: ReportRow[];
}

export function reportRow(row: FigureRow): ReportRow {
  const target = TARGETS[row.id] ?? { text: '', met: () => null };
  const ratio = ratioOf(row);
  return { ...row, ratio, target: target.text, met: target.met(row, ratio) };
}

function number(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '-';
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const shown = value.toLocaleString('en', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
  return `${shown} ${unit}`;
}

const metText = (met: boolean | null) => (met === null ? '' : met ? 'yes' : 'NO');

export function formatTable(report: Report): string {
  const m = report.machine;
  const header = ['figure', 'db', 'Herald', 'raw', 'ratio', 'target', 'met'];
  const lines = report.rows.map((r) => [
    r.figure,
    r.database,
    number(r.herald, r.unit),
    number(r.raw, r.unit),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.target,
    metText(r.met),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const notes = report.rows
    .filter((r) => r.note)
    .map((r) => `- ${r.figure} (${r.database}): ${r.note}`);
  return [
    `Herald benchmark, ${report.mode} mode, ${report.startedAt}, ${Math.round(report.seconds)} s`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, ` +
      `SQLite ${m.sqlite}`,
    '',
    row(header),
    row(widths.map((w) => '-'.repeat(w))),
    ...lines.map(row),
    '',
    ...notes,
  ].join('\n');
}

export const RESULTS_DIR = new URL('./results/', import.meta.url);

/** Writes the report as bench/results/latest.json; returns the file's path. */
export async function writeReport(report: Report): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = new URL('latest.json', RESULTS_DIR);
  await writeFile(file, JSON.stringify(report, null, 2) + '\n');
  return file.pathname;
}
