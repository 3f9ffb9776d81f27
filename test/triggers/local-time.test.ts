import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  followupDueAt,
  localIso,
  overdueAt,
  periodAt,
  resolveLocal,
} from '../../src/triggers/local-time.ts';

// 2026 transitions: New York springs forward Mar 8 02:00 EST -> 03:00 EDT and falls
// back Nov 1 02:00 EDT -> 01:00 EST; London Mar 29 01:00 GMT -> 02:00 BST and Oct 25
// 02:00 BST -> 01:00 GMT; Lord Howe (30-minute shift) Apr 5 02:00 LHDT -> 01:30 LHST
// and Oct 4 02:00 LHST -> 02:30 LHDT; Kolkata never changes.
const WALL_TIMES: [zone: string, wall: string, local: string, utc: string, why: string][] = [
  [
    'America/New_York',
    '2026-03-08 01:59',
    '2026-03-08T01:59:00-05:00',
    '2026-03-08T06:59:00.000Z',
    'last minute before the gap',
  ],
  [
    'America/New_York',
    '2026-03-08 02:00',
    '2026-03-08T03:00:00-04:00',
    '2026-03-08T07:00:00.000Z',
    'gap start moves forward',
  ],
  [
    'America/New_York',
    '2026-03-08 02:30',
    '2026-03-08T03:00:00-04:00',
    '2026-03-08T07:00:00.000Z',
    'inside the gap: first valid minute',
  ],
  [
    'America/New_York',
    '2026-03-08 03:00',
    '2026-03-08T03:00:00-04:00',
    '2026-03-08T07:00:00.000Z',
    'first minute after the gap',
  ],
  [
    'America/New_York',
    '2026-11-01 00:59',
    '2026-11-01T00:59:00-04:00',
    '2026-11-01T04:59:00.000Z',
    'before the overlap',
  ],
  [
    'America/New_York',
    '2026-11-01 01:00',
    '2026-11-01T01:00:00-04:00',
    '2026-11-01T05:00:00.000Z',
    'overlap: the earlier, EDT',
  ],
  [
    'America/New_York',
    '2026-11-01 01:30',
    '2026-11-01T01:30:00-04:00',
    '2026-11-01T05:30:00.000Z',
    'overlap: the earlier, EDT',
  ],
  [
    'America/New_York',
    '2026-11-01 02:00',
    '2026-11-01T02:00:00-05:00',
    '2026-11-01T07:00:00.000Z',
    'after the overlap, EST',
  ],
  [
    'Europe/London',
    '2026-03-29 01:30',
    '2026-03-29T02:00:00+01:00',
    '2026-03-29T01:00:00.000Z',
    'gap: first valid minute',
  ],
  [
    'Europe/London',
    '2026-03-29 02:00',
    '2026-03-29T02:00:00+01:00',
    '2026-03-29T01:00:00.000Z',
    'first minute of BST',
  ],
  [
    'Europe/London',
    '2026-10-25 01:30',
    '2026-10-25T01:30:00+01:00',
    '2026-10-25T00:30:00.000Z',
    'overlap: the earlier, BST',
  ],
  [
    'Europe/London',
    '2026-10-25 02:00',
    '2026-10-25T02:00:00+00:00',
    '2026-10-25T02:00:00.000Z',
    'after the overlap, GMT',
  ],
  [
    'Australia/Lord_Howe',
    '2026-10-04 01:59',
    '2026-10-04T01:59:00+10:30',
    '2026-10-03T15:29:00.000Z',
    'before the 30-minute gap',
  ],
  [
    'Australia/Lord_Howe',
    '2026-10-04 02:00',
    '2026-10-04T02:30:00+11:00',
    '2026-10-03T15:30:00.000Z',
    'gap start moves forward',
  ],
  [
    'Australia/Lord_Howe',
    '2026-10-04 02:15',
    '2026-10-04T02:30:00+11:00',
    '2026-10-03T15:30:00.000Z',
    'inside the gap',
  ],
  [
    'Australia/Lord_Howe',
    '2026-10-04 02:30',
    '2026-10-04T02:30:00+11:00',
    '2026-10-03T15:30:00.000Z',
    'first minute after the gap',
  ],
  [
    'Australia/Lord_Howe',
    '2026-04-05 01:29',
    '2026-04-05T01:29:00+11:00',
    '2026-04-04T14:29:00.000Z',
    'before the overlap',
  ],
  [
    'Australia/Lord_Howe',
    '2026-04-05 01:30',
    '2026-04-05T01:30:00+11:00',
    '2026-04-04T14:30:00.000Z',
    'overlap: the earlier, LHDT',
  ],
  [
    'Australia/Lord_Howe',
    '2026-04-05 01:45',
    '2026-04-05T01:45:00+11:00',
    '2026-04-04T14:45:00.000Z',
    'overlap: the earlier, LHDT',
  ],
  [
    'Australia/Lord_Howe',
    '2026-04-05 02:00',
    '2026-04-05T02:00:00+10:30',
    '2026-04-04T15:30:00.000Z',
    'after the overlap, LHST',
  ],
  [
    'Asia/Kolkata',
    '2026-03-08 02:30',
    '2026-03-08T02:30:00+05:30',
    '2026-03-07T21:00:00.000Z',
    'no DST while New York changes',
  ],
  [
    'Asia/Kolkata',
    '2026-10-25 01:30',
    '2026-10-25T01:30:00+05:30',
    '2026-10-24T20:00:00.000Z',
    'no DST while London changes',
  ],
];

for (const [zone, wall, local, utc, why] of WALL_TIMES) {
  test(`resolves ${wall} in ${zone} to ${local} (${why})`, () => {
    const [date, time] = wall.split(' ');
    const [year, month, day] = date.split('-').map(Number);
    const [hour, minute] = time.split(':').map(Number);
    const ms = resolveLocal({ year, month, day, hour, minute }, zone);
    assert.equal(new Date(ms).toISOString(), utc);
    assert.equal(localIso(ms, zone), local);
  });
}

// deliveredAt (UTC), zone, offsetDays, at -> due local, due UTC
const FOLLOWUPS: [string, string, number, string, string, string][] = [
  [
    '2026-03-06T15:00:00Z',
    'America/New_York',
    2,
    '02:30',
    '2026-03-08T03:00:00-04:00',
    '2026-03-08T07:00:00.000Z',
  ],
  [
    '2026-03-06T15:00:00Z',
    'America/New_York',
    2,
    '09:00',
    '2026-03-08T09:00:00-04:00',
    '2026-03-08T13:00:00.000Z',
  ],
  [
    '2026-03-06T15:00:00Z',
    'America/New_York',
    1,
    '09:00',
    '2026-03-07T09:00:00-05:00',
    '2026-03-07T14:00:00.000Z',
  ],
  // 03:00Z on Mar 7 is still Mar 6 in New York: the offset counts from the local date.
  [
    '2026-03-07T03:00:00Z',
    'America/New_York',
    1,
    '09:00',
    '2026-03-07T09:00:00-05:00',
    '2026-03-07T14:00:00.000Z',
  ],
  [
    '2026-10-30T16:00:00Z',
    'America/New_York',
    2,
    '01:30',
    '2026-11-01T01:30:00-04:00',
    '2026-11-01T05:30:00.000Z',
  ],
  [
    '2026-03-28T23:30:00Z',
    'Europe/London',
    1,
    '10:00',
    '2026-03-29T10:00:00+01:00',
    '2026-03-29T09:00:00.000Z',
  ],
  [
    '2026-03-27T12:00:00Z',
    'Europe/London',
    2,
    '01:15',
    '2026-03-29T02:00:00+01:00',
    '2026-03-29T01:00:00.000Z',
  ],
  [
    '2026-10-23T12:00:00Z',
    'Europe/London',
    2,
    '01:15',
    '2026-10-25T01:15:00+01:00',
    '2026-10-25T00:15:00.000Z',
  ],
  [
    '2026-10-02T00:00:00Z',
    'Australia/Lord_Howe',
    2,
    '02:10',
    '2026-10-04T02:30:00+11:00',
    '2026-10-03T15:30:00.000Z',
  ],
  [
    '2026-04-03T00:00:00Z',
    'Australia/Lord_Howe',
    2,
    '01:40',
    '2026-04-05T01:40:00+11:00',
    '2026-04-04T14:40:00.000Z',
  ],
  [
    '2026-04-03T00:00:00Z',
    'Australia/Lord_Howe',
    3,
    '09:00',
    '2026-04-06T09:00:00+10:30',
    '2026-04-05T22:30:00.000Z',
  ],
  [
    '2026-03-06T20:00:00Z',
    'Asia/Kolkata',
    2,
    '02:30',
    '2026-03-09T02:30:00+05:30',
    '2026-03-08T21:00:00.000Z',
  ],
  [
    '2026-01-30T12:00:00Z',
    'UTC',
    30,
    '23:59',
    '2026-03-01T23:59:00+00:00',
    '2026-03-01T23:59:00.000Z',
  ],
];

for (const [delivered, zone, days, at, local, utc] of FOLLOWUPS) {
  test(`a follow-up ${days} days after ${delivered} at ${at} in ${zone} is due ${local}`, () => {
    const due = followupDueAt(Date.parse(delivered), days, at, zone);
    assert.equal(new Date(due).toISOString(), utc);
    assert.equal(localIso(due, zone), local);
  });
}

// dueDate, zone -> overdue at (start of the next local day), local and UTC
const OVERDUE: [string, string, string, string][] = [
  ['2026-03-07', 'America/New_York', '2026-03-08T00:00:00-05:00', '2026-03-08T05:00:00.000Z'],
  ['2026-03-08', 'America/New_York', '2026-03-09T00:00:00-04:00', '2026-03-09T04:00:00.000Z'],
  ['2026-10-24', 'Europe/London', '2026-10-25T00:00:00+01:00', '2026-10-24T23:00:00.000Z'],
  ['2026-10-25', 'Europe/London', '2026-10-26T00:00:00+00:00', '2026-10-26T00:00:00.000Z'],
  ['2026-10-03', 'Australia/Lord_Howe', '2026-10-04T00:00:00+10:30', '2026-10-03T13:30:00.000Z'],
  ['2026-10-04', 'Australia/Lord_Howe', '2026-10-05T00:00:00+11:00', '2026-10-04T13:00:00.000Z'],
  ['2026-03-31', 'Asia/Kolkata', '2026-04-01T00:00:00+05:30', '2026-03-31T18:30:00.000Z'],
  // Santiago moves its clocks at midnight: the day starts at 01:00.
  ['2026-09-05', 'America/Santiago', '2026-09-06T01:00:00-03:00', '2026-09-06T04:00:00.000Z'],
];

for (const [dueDate, zone, local, utc] of OVERDUE) {
  test(`an invoice due ${dueDate} in ${zone} is overdue from ${local}`, () => {
    const at = overdueAt(dueDate, zone);
    assert.equal(new Date(at).toISOString(), utc);
    assert.equal(localIso(at, zone), local);
  });
}

test('calendar periods follow the local calendar, not UTC', () => {
  // 23:30Z on Mar 31 is already April in London (BST) and in Kolkata.
  const london = periodAt(Date.parse('2026-03-31T23:30:00Z'), 'monthly', 'Europe/London');
  assert.deepEqual(
    { start: london.startDate, end: london.endDate, from: new Date(london.start).toISOString() },
    { start: '2026-04-01', end: '2026-04-30', from: '2026-03-31T23:00:00.000Z' },
  );
  const ny = periodAt(Date.parse('2026-03-31T23:30:00Z'), 'monthly', 'America/New_York');
  assert.deepEqual([ny.startDate, ny.endDate], ['2026-03-01', '2026-03-31']);
  assert.equal(new Date(ny.end).toISOString(), '2026-04-01T04:00:00.000Z');
  const day = periodAt(Date.parse('2026-10-04T12:00:00Z'), 'daily', 'Australia/Lord_Howe');
  assert.deepEqual(
    [day.startDate, new Date(day.start).toISOString()],
    ['2026-10-04', '2026-10-03T13:30:00.000Z'],
  );
  // The 4th is 23.5 hours long on Lord Howe: the clocks skip 30 minutes.
  assert.equal(day.end - day.start, 23.5 * 3600_000);
  const quarter = periodAt(Date.parse('2026-05-15T00:00:00Z'), 'quarterly', 'Asia/Kolkata');
  assert.deepEqual([quarter.startDate, quarter.endDate], ['2026-04-01', '2026-06-30']);
});
