/**
 * Local wall-clock time in IANA time zones, with Herald's rules for the two hours a
 * year where wall time and real time disagree:
 *
 * - a local time that does not exist that day (the clocks jumped over it) moves
 *   forward to the first minute that exists: 02:30 on a spring-forward night in New
 *   York is 03:00 EDT;
 * - a local time that exists twice (the clocks went back over it) is the first of
 *   the two, the one with the earlier (larger) offset: 01:30 on a fall-back night in
 *   New York is 01:30 EDT, and fires once.
 *
 * Luxon does neither on its own (it shifts a gap time by the gap's length and picks
 * either side of an overlap), so resolveLocal works them out from the zone offsets.
 */
import { DateTime, IANAZone } from 'luxon';

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface WallTime extends LocalDate {
  hour: number;
  minute: number;
}

export type Period = 'daily' | 'monthly' | 'quarterly' | 'yearly';

export const PERIODS: readonly Period[] = ['daily', 'monthly', 'quarterly', 'yearly'];

const MINUTE = 60_000;

/**
 * Whether a name is an IANA time zone the runtime knows. The name is kept as given:
 * Intl's resolvedOptions() would turn Asia/Kolkata into the legacy Asia/Calcutta.
 */
export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}
const DAY = 24 * 60 * MINUTE;

/** The zone's offset from UTC at an instant, in minutes. */
function offsetAt(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).offset;
}

function wallAsUtc(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
}

/** The instants at which the zone's clocks show this wall time, earliest first. */
function instantsOf(wall: WallTime, zone: string): number[] {
  const naive = wallAsUtc(wall);
  // Offsets a day either side cover both sides of any transition near this time.
  const offsets = new Set([naive - DAY, naive, naive + DAY].map((ms) => offsetAt(ms, zone)));
  return [...offsets]
    .map((offset) => naive - offset * MINUTE)
    .filter((ms) => offsetAt(ms, zone) === (naive - ms) / MINUTE)
    .sort((a, b) => a - b);
}

/**
 * The UTC instant of a local wall time, by the rules above. A gap is never longer
 * than a few hours in the tz database, so the forward search is bounded.
 */
export function resolveLocal(wall: WallTime, zone: string): number {
  const naive = wallAsUtc(wall);
  for (let step = 0; step <= 24 * 60; step++) {
    const shifted = new Date(naive + step * MINUTE);
    const found = instantsOf(
      {
        year: shifted.getUTCFullYear(),
        month: shifted.getUTCMonth() + 1,
        day: shifted.getUTCDate(),
        hour: shifted.getUTCHours(),
        minute: shifted.getUTCMinutes(),
      },
      zone,
    );
    if (found.length > 0) return found[0];
  }
  throw new Error(`no valid local time near ${new Date(naive).toISOString()} in ${zone}`);
}

/** The wall time in the zone at an instant. */
export function wallAt(ms: number, zone: string): WallTime {
  const d = DateTime.fromMillis(ms, { zone });
  return { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute };
}

/**
 * An instant in the zone as ISO 8601 with its offset: 2026-03-08T03:00:00-04:00.
 * A zero offset is written +00:00 in every zone (luxon writes Z for UTC only).
 */
export function localIso(ms: number, zone: string): string {
  const text = DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
  return text.endsWith('Z') ? `${text.slice(0, -1)}+00:00` : text;
}

export function parseDate(text: string): LocalDate {
  const [year, month, day] = text.split('-').map(Number);
  return { year, month, day };
}

export function formatDate(date: LocalDate): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** A calendar date some days later (or earlier); months and years roll over. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Whole calendar days from one date to another (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  const a = Date.UTC(from.year, from.month - 1, from.day);
  const b = Date.UTC(to.year, to.month - 1, to.day);
  return Math.round((b - a) / DAY);
}

/** The first instant of a local day (midnight, or the first minute after a gap). */
export function startOfDay(date: LocalDate, zone: string): number {
  return resolveLocal({ ...date, hour: 0, minute: 0 }, zone);
}

/**
 * When an invoice follow-up falls due: `offsetDays` calendar days after the local
 * date of delivery, at local time `at` (HH:MM).
 */
export function followupDueAt(
  deliveredAt: number,
  offsetDays: number,
  at: string,
  zone: string,
): number {
  const [hour, minute] = at.split(':').map(Number);
  const day = addDays(wallAt(deliveredAt, zone), offsetDays);
  return resolveLocal({ ...day, hour, minute }, zone);
}

/** When an invoice becomes overdue: the start of the local day after its due date. */
export function overdueAt(dueDate: string, zone: string): number {
  return startOfDay(addDays(parseDate(dueDate), 1), zone);
}

export interface PeriodBounds {
  /** First instant of the period, UTC ms. */
  start: number;
  /** First instant of the next period, UTC ms (exclusive end). */
  end: number;
  /** First local day of the period, YYYY-MM-DD. */
  startDate: string;
  /** Last local day of the period, YYYY-MM-DD. */
  endDate: string;
}

function periodStartDate(date: LocalDate, period: Period): LocalDate {
  switch (period) {
    case 'daily':
      return date;
    case 'monthly':
      return { ...date, day: 1 };
    case 'quarterly':
      return { year: date.year, month: date.month - ((date.month - 1) % 3), day: 1 };
    case 'yearly':
      return { year: date.year, month: 1, day: 1 };
  }
}

function nextPeriodDate(start: LocalDate, period: Period): LocalDate {
  if (period === 'daily') return addDays(start, 1);
  const months = period === 'monthly' ? 1 : period === 'quarterly' ? 3 : 12;
  const index = start.month - 1 + months;
  return { year: start.year + Math.floor(index / 12), month: (index % 12) + 1, day: 1 };
}

/** The calendar period (in the zone) that holds an instant. */
export function periodAt(ms: number, period: Period, zone: string): PeriodBounds {
  const first = periodStartDate(wallAt(ms, zone), period);
  const next = nextPeriodDate(first, period);
  return {
    start: startOfDay(first, zone),
    end: startOfDay(next, zone),
    startDate: formatDate(first),
    endDate: formatDate(addDays(next, -1)),
  };
}

/** The period after the one that starts on `startDate`. */
export function nextPeriod(startDate: string, period: Period, zone: string): PeriodBounds {
  const next = nextPeriodDate(parseDate(startDate), period);
  return periodAt(startOfDay(next, zone), period, zone);
}
