import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { RRule } from 'rrule';
import type { MaintenanceWindow } from '../../../lambdas/core/rules/maintenance';
import { compileSchedule, currentOccurrence, localToInstant, upcomingOccurrences } from '../../../lambdas/core/rules/maintenance';

const at = (iso: string) => Date.parse(iso);

function recurring(rrule: string, timezone: string, firstStart: string, durationMinutes: number, name = 'w'): MaintenanceWindow {
  return { name, services: ['batch'], when: null, rrule, timezone, firstStart, durationMinutes };
}

describe('currentOccurrence', () => {
  describe('one-off windows', () => {
    const w: MaintenanceWindow = { name: 'db-upgrade', services: ['db'], when: null, start: '2024-06-10T22:00:00+02:00', end: '2024-06-11T01:00:00+02:00' };
    it.each([
      ['at the start (inclusive)', '2024-06-10T20:00:00.000Z'],
      ['inside', '2024-06-10T22:59:59.999Z'],
    ])('matches %s', (_what, now) => {
      expect(currentOccurrence(w, at(now))).toEqual({ start: '2024-06-10T20:00:00.000Z', end: '2024-06-10T23:00:00.000Z' });
    });
    it.each([
      ['before the start', '2024-06-10T19:59:59.999Z'],
      ['at the end (exclusive)', '2024-06-10T23:00:00.000Z'],
      ['after the end', '2024-06-12T00:00:00.000Z'],
    ])('does not match %s', (_what, now) => {
      expect(currentOccurrence(w, at(now))).toBeNull();
    });
  });

  describe('recurring windows across DST', () => {
    it.each([
      // A weekly Sunday 02:30 window in Berlin: on the spring-forward Sunday 02:30 does not exist and becomes 03:30 CEST.
      ['Berlin 02:30 on the spring-forward Sunday (shifted to 03:30 CEST = 01:30Z)', recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T02:30', 60), '2024-03-31T01:45:00Z', '2024-03-31T01:30:00.000Z', '2024-03-31T02:30:00.000Z'],
      ['Berlin 02:30 the Sunday before (CET = 01:30Z)', recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T02:30', 60), '2024-03-24T01:45:00Z', '2024-03-24T01:30:00.000Z', '2024-03-24T02:30:00.000Z'],
      ['Berlin 02:30 the Sunday after (CEST = 00:30Z)', recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T02:30', 60), '2024-04-07T00:45:00Z', '2024-04-07T00:30:00.000Z', '2024-04-07T01:30:00.000Z'],
      ['New York 02:30 on the spring-forward Sunday (03:30 EDT = 07:30Z)', recurring('FREQ=WEEKLY;BYDAY=SU', 'America/New_York', '2024-01-07T02:30', 60), '2024-03-10T07:45:00Z', '2024-03-10T07:30:00.000Z', '2024-03-10T08:30:00.000Z'],
      // Fall-back: 02:30 in Berlin exists twice on 2024-10-27; the first (CEST, 00:30Z) is taken.
      ['Berlin weekly 02:30 on the fall-back Sunday (first instant, CEST)', recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T02:30', 90), '2024-10-27T00:30:00Z', '2024-10-27T00:30:00.000Z', '2024-10-27T02:00:00.000Z'],
      ['Berlin weekly 02:30 the Sunday after the fall-back (CET)', recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T02:30', 90), '2024-11-03T02:00:00Z', '2024-11-03T01:30:00.000Z', '2024-11-03T03:00:00.000Z'],
      ['New York weekly 01:30 on the fall-back Sunday (first instant, EDT = 05:30Z)', recurring('FREQ=WEEKLY;BYDAY=SU', 'America/New_York', '2024-09-01T01:30', 60), '2024-11-03T05:30:00Z', '2024-11-03T05:30:00.000Z', '2024-11-03T06:30:00.000Z'],
      // A weekly window that spans the fall-back: durations are real minutes, so 3 h from 01:00 CEST ends 03:00 CET.
      ['Berlin weekly 01:00 for 3 h across the fall-back (ends 02:00Z)', recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T01:00', 180), '2024-10-27T01:59:00Z', '2024-10-26T23:00:00.000Z', '2024-10-27T02:00:00.000Z'],
      // Crossing midnight: daily 23:00-01:00 local.
      ['daily 23:00 Berlin for 2 h, just after local midnight', recurring('FREQ=DAILY', 'Europe/Berlin', '2024-01-01T23:00', 120), '2024-06-11T22:30:00Z', '2024-06-11T21:00:00.000Z', '2024-06-11T23:00:00.000Z'],
      ['daily 23:00 New York for 2 h, on the local day after (UTC next day)', recurring('FREQ=DAILY', 'America/New_York', '2024-01-01T23:00', 120), '2024-07-05T03:59:00Z', '2024-07-05T03:00:00.000Z', '2024-07-05T05:00:00.000Z'],
      ['monthly on the 31st (skips short months)', recurring('FREQ=MONTHLY', 'Europe/Berlin', '2024-01-31T12:00', 60), '2024-07-31T10:30:00Z', '2024-07-31T10:00:00.000Z', '2024-07-31T11:00:00.000Z'],
      ['last Friday of the month', recurring('FREQ=MONTHLY;BYDAY=-1FR', 'America/New_York', '2023-01-27T18:00', 240), '2024-06-28T23:00:00Z', '2024-06-28T22:00:00.000Z', '2024-06-29T02:00:00.000Z'],
      // Weeks (WKST=MO) of 1 Jan, 15 Jan, ... 3 Jun 2024: Saturday 8 June is one of them.
      ['every second week', recurring('FREQ=WEEKLY;INTERVAL=2;BYDAY=SA', 'Europe/Berlin', '2024-01-06T08:00', 60), '2024-06-08T06:30:00Z', '2024-06-08T06:00:00.000Z', '2024-06-08T07:00:00.000Z'],
      ['yearly on 24 December', recurring('FREQ=YEARLY', 'Europe/Berlin', '2019-12-24T00:00', 1440), '2025-12-24T12:00:00Z', '2025-12-23T23:00:00.000Z', '2025-12-24T23:00:00.000Z'],
    ])('matches %s', (_what, window, now, start, end) => {
      expect(currentOccurrence(window, at(now))).toEqual({ start, end });
    });

    it.each([
      ['Berlin spring-forward window before its shifted start', recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T02:30', 60), '2024-03-31T01:29:59Z'],
      ['Berlin fall-back window at the second 02:30 (the first was taken, 90 min ended)', recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T02:30', 60), '2024-10-27T01:30:00Z'],
      ['an odd week of an every-second-week window', recurring('FREQ=WEEKLY;INTERVAL=2;BYDAY=SA', 'Europe/Berlin', '2024-01-06T08:00', 60), '2024-06-15T06:30:00Z'],
      ['before firstStart', recurring('FREQ=DAILY', 'Europe/Berlin', '2030-01-01T00:00', 1440), '2029-12-31T12:00:00Z'],
      ['after COUNT occurrences', recurring('FREQ=DAILY;COUNT=3', 'Europe/Berlin', '2024-01-01T00:00', 60), '2024-01-04T00:30:00+01:00'],
      ['after UNTIL', recurring('FREQ=DAILY;UNTIL=20240105T000000', 'Europe/Berlin', '2024-01-01T00:00', 60), '2024-01-06T00:30:00+01:00'],
      ['a short month for a monthly-on-the-31st window', recurring('FREQ=MONTHLY', 'Europe/Berlin', '2024-01-31T12:00', 60), '2024-06-30T10:30:00Z'],
    ])('does not match %s', (_what, window, now) => {
      expect(currentOccurrence(window, at(now))).toBeNull();
    });

    it('takes the latest-starting occurrence when occurrences overlap', () => {
      const w = recurring('FREQ=HOURLY', 'UTC', '2024-01-01T00:00', 90);
      expect(currentOccurrence(w, at('2024-05-05T10:20:00Z'))).toEqual({ start: '2024-05-05T10:00:00.000Z', end: '2024-05-05T11:30:00.000Z' });
    });

    it('rejects a recurring window without a time zone', () => {
      const { timezone: _tz, ...w } = recurring('FREQ=DAILY', 'Europe/Berlin', '2024-01-01T00:00', 60);
      expect(() => currentOccurrence(w, 0)).toThrow(/needs timezone/);
    });

    it('rejects a window with neither end nor recurrence', () => {
      expect(() => currentOccurrence({ name: 'open', services: [], when: null, start: '2024-01-01T00:00:00Z' }, 0)).toThrow(/needs start and end/);
    });
  });
});

describe('localToInstant', () => {
  const berlin = IANAZone.create('Europe/Berlin');
  it.each([
    ['a normal winter time', '2024-01-15T12:00:00Z', '2024-01-15T11:00:00.000Z'],
    ['a normal summer time', '2024-07-15T12:00:00Z', '2024-07-15T10:00:00.000Z'],
    ['a time in the spring-forward gap (shifted forward by the gap)', '2024-03-31T02:30:00Z', '2024-03-31T01:30:00.000Z'],
    ['the first instant of an ambiguous fall-back time', '2024-10-27T02:30:00Z', '2024-10-27T00:30:00.000Z'],
    ['just after the ambiguous hour', '2024-10-27T03:00:00Z', '2024-10-27T02:00:00.000Z'],
  ])('places %s', (_what, floating, instant) => {
    expect(new Date(localToInstant(berlin, at(floating))).toISOString()).toBe(instant);
  });
});

describe('upcomingOccurrences', () => {
  it('lists the current occurrence first, then the next ones, across the spring-forward change', () => {
    const w = recurring('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2024-01-07T02:30', 60);
    expect(upcomingOccurrences(w, at('2024-03-24T02:00:00Z'), 3)).toEqual([
      { start: '2024-03-24T01:30:00.000Z', end: '2024-03-24T02:30:00.000Z' },
      { start: '2024-03-31T01:30:00.000Z', end: '2024-03-31T02:30:00.000Z' },
      { start: '2024-04-07T00:30:00.000Z', end: '2024-04-07T01:30:00.000Z' },
    ]);
  });

  it('lists a one-off window until it ends', () => {
    const w: MaintenanceWindow = { name: 'x', services: ['a'], when: null, start: '2024-06-10T00:00:00Z', end: '2024-06-11T00:00:00Z' };
    expect(upcomingOccurrences(w, at('2024-06-09T00:00:00Z'), 5)).toHaveLength(1);
    expect(upcomingOccurrences(w, at('2024-06-11T00:00:00Z'), 5)).toEqual([]);
  });

  it('stops at COUNT', () => {
    expect(upcomingOccurrences(recurring('FREQ=DAILY;COUNT=3', 'UTC', '2024-01-01T00:00', 60), at('2023-01-01T00:00:00Z'), 10)).toHaveLength(3);
  });
});

// ---- properties -------------------------------------------------------------------------------------------------

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'America/Santiago'];
const RULES = [
  'FREQ=WEEKLY;BYDAY=SU',
  'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH',
  'FREQ=DAILY',
  'FREQ=DAILY;INTERVAL=3',
  'FREQ=MONTHLY;BYDAY=-1FR',
  'FREQ=MONTHLY',
  'FREQ=YEARLY',
  'FREQ=HOURLY;INTERVAL=5',
  'FREQ=MONTHLY;BYMONTHDAY=15,-1;BYHOUR=2,14',
  'FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU',
];
const FROM = at('2019-01-01T00:00:00Z');
const TO = at('2028-01-01T00:00:00Z');

const windowArb = fc.record({
  rrule: fc.constantFrom(...RULES),
  timezone: fc.constantFrom(...ZONES),
  firstStart: fc.date({ min: new Date('2019-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 16)),
  durationMinutes: fc.integer({ min: 1, max: 3 * 24 * 60 }),
}).map((w): MaintenanceWindow => ({ name: 'p', services: ['s'], when: null, ...w }));
const nowArb = fc.integer({ min: FROM, max: TO });

/** Every occurrence start (as an instant) of the window, from firstStart on, found the slow way. */
function naiveStarts(w: MaintenanceWindow, untilMs: number): number[] {
  const [y, mo, d, h, mi] = (w.firstStart as string).split(/[-T:]/).map(Number) as [number, number, number, number, number];
  const rule = new RRule({ ...RRule.parseString(w.rrule as string), dtstart: new Date(Date.UTC(y, mo - 1, d, h, mi)) }, true);
  const zone = IANAZone.create(w.timezone as string);
  return rule.between(new Date(0), new Date(untilMs + 2 * 86_400_000), true).map((f) => localToInstant(zone, f.getTime()));
}

describe('maintenance properties', () => {
  it('returns an occurrence only when start <= now < end', () => {
    fc.assert(
      fc.property(windowArb, nowArb, (w, now) => {
        const occ = currentOccurrence(w, now);
        if (occ !== null) {
          expect(Date.parse(occ.start)).toBeLessThanOrEqual(now);
          expect(now).toBeLessThan(Date.parse(occ.end));
          expect(Date.parse(occ.end) - Date.parse(occ.start)).toBe((w.durationMinutes as number) * 60_000);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with a full expansion from firstStart (no occurrence is missed near now)', () => {
    fc.assert(
      fc.property(windowArb, nowArb, (w, now) => {
        const duration = (w.durationMinutes as number) * 60_000;
        const covering = naiveStarts(w, now).filter((s) => s <= now && now < s + duration);
        const expected = covering.length === 0 ? null : Math.max(...covering);
        const occ = compileSchedule(w).current(now);
        expect(occ === null ? null : Date.parse(occ.start)).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('lists upcoming occurrences in order, each not over yet', () => {
    fc.assert(
      fc.property(windowArb, nowArb, fc.integer({ min: 1, max: 5 }), (w, from, count) => {
        const list = upcomingOccurrences(w, from, count);
        expect(list.length).toBeLessThanOrEqual(count);
        for (const o of list) expect(Date.parse(o.end)).toBeGreaterThan(from);
        for (let i = 1; i < list.length; i++) expect(Date.parse(list[i]!.start)).toBeGreaterThanOrEqual(Date.parse(list[i - 1]!.start));
        // The first one listed is the current occurrence, or an earlier-starting one still running (overlaps).
        const current = currentOccurrence(w, from);
        if (current !== null) expect(Date.parse(list[0]!.start)).toBeLessThanOrEqual(Date.parse(current.start));
      }),
      { numRuns: 100 },
    );
  });
});
