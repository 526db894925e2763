import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { onCallAt, shiftsBetween, whoIsOnCall, ScheduleOverrideSchema, type ScheduleConfig, type ScheduleOverride } from '../../../lambdas/core/oncall/schedule';
import { resolveWall } from '../../../lambdas/core/oncall/wall-clock';
import * as z from 'zod/mini';

/** An unambiguous local time in a zone, as epoch ms. */
function local(iso: string, zone: string): number {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad local time ${iso}`);
  return dt.toMillis();
}

const iso = (ms: number) => new Date(ms).toISOString();

function schedule(timezone: string, layers: ScheduleConfig['layers'], name = 'primary'): ScheduleConfig {
  return { name, timezone, layers };
}

describe('resolveWall', () => {
  const berlin = IANAZone.create('Europe/Berlin');
  it.each([
    ['an ordinary time', '2024-06-10T09:00', '2024-06-10T07:00:00.000Z', false],
    ['a time in the spring gap moves forward by the gap (RFC 5545)', '2024-03-31T02:30', '2024-03-31T01:30:00.000Z', true],
    ['the first minute of the gap', '2024-03-31T02:00', '2024-03-31T01:00:00.000Z', true],
    ['an ambiguous autumn time takes the earlier instant', '2024-10-27T02:30', '2024-10-27T00:30:00.000Z', false],
    ['the end of the ambiguous hour is unambiguous', '2024-10-27T03:00', '2024-10-27T02:00:00.000Z', false],
  ])('%s', (_name, wall, expected, gap) => {
    const r = resolveWall(berlin, Date.parse(`${wall}:00Z`));
    expect({ at: iso(r.ms), gap: r.gap }).toEqual({ at: expected, gap });
  });
});

describe('onCallAt', () => {
  describe('daily 09:00 Europe/Berlin across DST', () => {
    const s = schedule('Europe/Berlin', [{ name: 'daily', members: ['alice', 'bob', 'carol'], rotation: 'daily', start: '2024-03-25T09:00' }]);
    it.each([
      // March 31: clocks go 02:00 -> 03:00; carol's shift (from Mar 30 09:00) lasts 23 h.
      ['08:59 on the spring change day', '2024-03-31T08:59', 'carol', '2024-03-30T08:00:00.000Z', '2024-03-31T07:00:00.000Z'],
      ['09:00 on the spring change day', '2024-03-31T09:00', 'alice', '2024-03-31T07:00:00.000Z', '2024-04-01T07:00:00.000Z'],
      ['the evening before the spring change', '2024-03-30T23:00', 'carol', '2024-03-30T08:00:00.000Z', '2024-03-31T07:00:00.000Z'],
      // October 27: clocks go 03:00 -> 02:00; the shift from Oct 26 09:00 lasts 25 h.
      ['08:59 on the autumn change day', '2024-10-27T08:59', 'carol', '2024-10-26T07:00:00.000Z', '2024-10-27T08:00:00.000Z'],
      ['09:00 on the autumn change day', '2024-10-27T09:00', 'alice', '2024-10-27T08:00:00.000Z', '2024-10-28T08:00:00.000Z'],
      ['the first layer day at 09:00', '2024-03-25T09:00', 'alice', '2024-03-25T08:00:00.000Z', '2024-03-26T08:00:00.000Z'],
    ])('%s: %s local is %s', (_name, at, person, shiftStart, shiftEnd) => {
      expect(onCallAt(s, [], local(at, 'Europe/Berlin'))).toEqual({ person, schedule: 'primary', layer: 'daily', shiftStart, shiftEnd });
    });

    it('makes the spring shift 23 hours and the autumn shift 25 hours long', () => {
      const spring = onCallAt(s, [], local('2024-03-31T08:00', 'Europe/Berlin'))!;
      const autumn = onCallAt(s, [], local('2024-10-27T08:00', 'Europe/Berlin'))!;
      expect((Date.parse(spring.shiftEnd) - Date.parse(spring.shiftStart)) / 3_600_000).toBe(23);
      expect((Date.parse(autumn.shiftEnd) - Date.parse(autumn.shiftStart)) / 3_600_000).toBe(25);
    });

    it('hands over at 09:00 local every day of the year', () => {
      for (let day = DateTime.fromISO('2024-03-25T09:00', { zone: 'Europe/Berlin' }); day.year === 2024; day = day.plus({ days: 1 })) {
        const at = onCallAt(s, [], day.toMillis())!;
        expect(DateTime.fromISO(at.shiftStart, { zone: 'Europe/Berlin' }).toFormat('HH:mm')).toBe('09:00');
        expect(iso(day.toMillis())).toBe(at.shiftStart);
      }
    });
  });

  describe('weekly America/New_York across the November change', () => {
    const s = schedule('America/New_York', [{ name: 'weekly', members: ['dana', 'eve'], rotation: 'weekly', start: '2024-10-21T09:00' }]);
    it.each([
      ['Monday 08:59 after the change', '2024-11-04T08:59', 'eve', '2024-10-28T13:00:00.000Z', '2024-11-04T14:00:00.000Z'],
      ['Monday 09:00 after the change', '2024-11-04T09:00', 'dana', '2024-11-04T14:00:00.000Z', '2024-11-11T14:00:00.000Z'],
      ['Sunday of the change, before it', '2024-11-03T00:30', 'eve', '2024-10-28T13:00:00.000Z', '2024-11-04T14:00:00.000Z'],
      ['the Monday before, 09:00 EDT', '2024-10-28T09:00', 'eve', '2024-10-28T13:00:00.000Z', '2024-11-04T14:00:00.000Z'],
    ])('%s: %s local is %s', (_name, at, person, shiftStart, shiftEnd) => {
      expect(onCallAt(s, [], local(at, 'America/New_York'))).toMatchObject({ person, shiftStart, shiftEnd });
    });

    it('gives the week containing the change 169 hours', () => {
      const at = onCallAt(s, [], Date.parse('2024-11-03T12:00:00Z'))!;
      expect((Date.parse(at.shiftEnd) - Date.parse(at.shiftStart)) / 3_600_000).toBe(169);
    });
  });

  describe('custom rotations across DST', () => {
    it.each([
      // 12 h shifts at 08:00/20:00 wall time: the night shift around the spring change lasts 11 h, in autumn 13 h.
      ['12 h, spring night shift', '2024-03-30T08:00', 12, '2024-03-31T05:59:00Z', 'b', '2024-03-30T19:00:00.000Z', '2024-03-31T06:00:00.000Z'],
      ['12 h, spring morning shift', '2024-03-30T08:00', 12, '2024-03-31T06:00:00Z', 'a', '2024-03-31T06:00:00.000Z', '2024-03-31T18:00:00.000Z'],
      ['12 h, autumn night shift', '2024-10-26T08:00', 12, '2024-10-27T03:00:00Z', 'b', '2024-10-26T18:00:00.000Z', '2024-10-27T07:00:00.000Z'],
      // 6 h shifts from 02:00: Mar 31 02:00 does not exist and starts at 03:00 CEST; Oct 27 02:00 takes the first 02:00.
      ['6 h, boundary in the spring gap', '2024-03-30T02:00', 6, '2024-03-31T01:00:00Z', 'a', '2024-03-31T01:00:00.000Z', '2024-03-31T06:00:00.000Z'],
      ['6 h, shift before the spring gap', '2024-03-30T02:00', 6, '2024-03-31T00:59:00Z', 'b', '2024-03-30T19:00:00.000Z', '2024-03-31T01:00:00.000Z'],
      ['6 h, ambiguous boundary in autumn', '2024-10-26T02:00', 6, '2024-10-27T00:00:00Z', 'a', '2024-10-27T00:00:00.000Z', '2024-10-27T07:00:00.000Z'],
      ['6 h, shift before the ambiguous boundary', '2024-10-26T02:00', 6, '2024-10-26T23:59:00Z', 'b', '2024-10-26T18:00:00.000Z', '2024-10-27T00:00:00.000Z'],
    ])('%s', (_name, start, shiftHours, at, person, shiftStart, shiftEnd) => {
      const s = schedule('Europe/Berlin', [{ name: 'custom', members: ['a', 'b'], rotation: 'custom', shiftHours, start }]);
      expect(onCallAt(s, [], Date.parse(at))).toMatchObject({ person, layer: 'custom', shiftStart, shiftEnd });
    });

    it('skips a daily shift whose whole day does not exist (Samoa, 30 December 2011)', () => {
      const s = schedule('Pacific/Apia', [{ name: 'daily', members: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], rotation: 'daily', start: '2011-12-25T09:00' }]);
      const days = shiftsBetween(s, [], Date.parse('2011-12-28T00:00:00Z'), Date.parse('2011-12-31T00:00:00Z'));
      // Dec 29 (e) hands over straight to Dec 31 (g): f's day, Dec 30, never happened.
      expect(days.map((d) => d.person)).toEqual(['c', 'd', 'e', 'g']);
      const e = days.find((d) => d.person === 'e')!;
      expect((Date.parse(e.shiftEnd) - Date.parse(e.shiftStart)) / 3_600_000).toBe(24);
    });
  });

  describe('layers, windows and overrides', () => {
    const s = schedule('Europe/Berlin', [
      { name: 'base', members: ['alice'], rotation: 'weekly', start: '2024-01-01T00:00' },
      { name: 'business', members: ['bob', 'carol'], rotation: 'daily', start: '2024-01-01T09:00', activeFrom: '09:00', activeTo: '17:00' },
      { name: 'night', members: ['dave'], rotation: 'weekly', start: '2024-01-01T17:00', activeFrom: '22:00', activeTo: '06:00' },
    ]);
    const overrides: ScheduleOverride[] = [
      { id: 'ov-1', schedule: 'primary', person: 'erin', start: '2024-06-10T09:30:00+02:00', end: '2024-06-10T12:00:00+02:00', reason: 'swap' },
      { id: 'ov-other', schedule: 'secondary', person: 'zed', start: '2024-06-10T00:00:00Z', end: '2024-06-12T00:00:00Z' },
    ];
    it.each([
      ['business hours go to the business layer (day 161: carol)', '2024-06-10T10:00', [], 'carol', 'business', '2024-06-10T07:00:00.000Z', '2024-06-10T15:00:00.000Z'],
      ['the evening falls back to the base layer', '2024-06-10T18:00', [], 'alice', 'base', '2024-06-10T15:00:00.000Z', '2024-06-10T20:00:00.000Z'],
      ['the night layer covers 22:00-06:00', '2024-06-10T23:00', [], 'dave', 'night', '2024-06-10T20:00:00.000Z', '2024-06-11T04:00:00.000Z'],
      ['the night window crosses midnight', '2024-06-11T01:00', [], 'dave', 'night', '2024-06-10T20:00:00.000Z', '2024-06-11T04:00:00.000Z'],
      ['the early morning is base again', '2024-06-10T07:00', [], 'alice', 'base', '2024-06-10T04:00:00.000Z', '2024-06-10T07:00:00.000Z'],
      ['an override beats every layer', '2024-06-10T10:00', overrides, 'erin', 'override', '2024-06-10T07:30:00.000Z', '2024-06-10T10:00:00.000Z'],
      ['the layer resumes after the override', '2024-06-10T12:00', overrides, 'carol', 'business', '2024-06-10T10:00:00.000Z', '2024-06-10T15:00:00.000Z'],
      ['the layer before the override ends at its start', '2024-06-10T09:10', overrides, 'carol', 'business', '2024-06-10T07:00:00.000Z', '2024-06-10T07:30:00.000Z'],
      ['an override of another schedule does not apply', '2024-06-11T10:00', overrides, 'bob', 'business', '2024-06-11T07:00:00.000Z', '2024-06-11T15:00:00.000Z'],
    ])('%s', (_name, at, ovs, person, layer, shiftStart, shiftEnd) => {
      const expected = { person, schedule: 'primary', layer, shiftStart, shiftEnd, ...(layer === 'override' ? { overrideId: 'ov-1' } : {}) };
      expect(onCallAt(s, ovs as ScheduleOverride[], local(at, 'Europe/Berlin'))).toEqual(expected);
    });

    it('lets the later-starting of two overlapping overrides win', () => {
      const two: ScheduleOverride[] = [
        { id: 'long', schedule: 'primary', person: 'erin', start: '2024-06-10T00:00:00Z', end: '2024-06-11T00:00:00Z' },
        { id: 'short', schedule: 'primary', person: 'frank', start: '2024-06-10T10:00:00Z', end: '2024-06-10T11:00:00Z' },
      ];
      expect(onCallAt(s, two, Date.parse('2024-06-10T10:30:00Z'))).toMatchObject({ person: 'frank', overrideId: 'short' });
      expect(onCallAt(s, two, Date.parse('2024-06-10T11:30:00Z'))).toMatchObject({
        person: 'erin',
        overrideId: 'long',
        shiftStart: '2024-06-10T11:00:00.000Z',
        shiftEnd: '2024-06-11T00:00:00.000Z',
      });
    });

    it('ignores overrides with an end before the start or unreadable times', () => {
      const bad: ScheduleOverride[] = [
        { id: 'backwards', schedule: 'primary', person: 'erin', start: '2024-06-10T12:00:00Z', end: '2024-06-10T08:00:00Z' },
        { id: 'garbage', schedule: 'primary', person: 'erin', start: 'soon', end: 'later' },
      ];
      expect(onCallAt(s, bad, Date.parse('2024-06-10T10:00:00Z'))?.layer).toBe('business');
    });
  });

  describe('before the start', () => {
    const s = schedule('Europe/Berlin', [{ name: 'daily', members: ['alice', 'bob'], rotation: 'daily', start: '2024-03-25T09:00' }]);
    it.each([
      ['one minute before the first shift', '2024-03-25T08:59', null],
      ['a year before', '2023-03-25T09:00', null],
      ['at the first shift', '2024-03-25T09:00', 'alice'],
    ])('%s', (_name, at, person) => {
      expect(onCallAt(s, [], local(at, 'Europe/Berlin'))?.person ?? null).toBe(person);
    });

    it('falls back to a lower layer before a higher layer starts', () => {
      const layered = schedule('Europe/Berlin', [
        { name: 'old', members: ['alice'], rotation: 'weekly', start: '2024-01-01T09:00' },
        { name: 'new', members: ['bob'], rotation: 'weekly', start: '2024-07-01T09:00' },
      ]);
      expect(onCallAt(layered, [], local('2024-06-30T12:00', 'Europe/Berlin'))).toMatchObject({ person: 'alice', layer: 'old', shiftEnd: '2024-07-01T07:00:00.000Z' });
      expect(onCallAt(layered, [], local('2024-07-01T09:00', 'Europe/Berlin'))).toMatchObject({ person: 'bob', layer: 'new' });
    });

    it('shows nobody outside a windowed-only schedule', () => {
      const office = schedule('Europe/Berlin', [{ name: 'office', members: ['alice'], rotation: 'daily', start: '2024-01-01T09:00', activeFrom: '09:00', activeTo: '17:00' }]);
      expect(onCallAt(office, [], local('2024-06-10T20:00', 'Europe/Berlin'))).toBeNull();
      expect(onCallAt(office, [], local('2024-06-10T16:59', 'Europe/Berlin'))?.person).toBe('alice');
    });
  });
});

describe('shiftsBetween', () => {
  it('returns whole segments intersecting the range, in order, with the layers merged', () => {
    const s = schedule('Europe/Berlin', [
      { name: 'base', members: ['alice'], rotation: 'weekly', start: '2024-01-01T00:00' },
      { name: 'business', members: ['bob', 'carol'], rotation: 'daily', start: '2024-01-01T09:00', activeFrom: '09:00', activeTo: '17:00' },
    ]);
    const shifts = shiftsBetween(s, [], local('2024-06-10T12:00', 'Europe/Berlin'), local('2024-06-11T12:00', 'Europe/Berlin'));
    expect(shifts.map((x) => [x.person, x.layer, x.shiftStart, x.shiftEnd])).toEqual([
      ['carol', 'business', '2024-06-10T07:00:00.000Z', '2024-06-10T15:00:00.000Z'],
      ['alice', 'base', '2024-06-10T15:00:00.000Z', '2024-06-11T07:00:00.000Z'],
      ['bob', 'business', '2024-06-11T07:00:00.000Z', '2024-06-11T15:00:00.000Z'],
    ]);
  });

  it('returns nothing for an empty or reversed range', () => {
    const s = schedule('UTC', [{ name: 'l', members: ['a'], rotation: 'daily', start: '2024-01-01T00:00' }]);
    expect(shiftsBetween(s, [], 10, 10)).toEqual([]);
    expect(shiftsBetween(s, [], 10, 5)).toEqual([]);
  });

  it('includes an override that starts inside the range and lasts longer than any shift', () => {
    const s = schedule('UTC', [{ name: 'l', members: ['a', 'b'], rotation: 'daily', start: '2024-01-01T00:00' }]);
    const ov: ScheduleOverride = { id: 'vacation', schedule: 'primary', person: 'c', start: '2024-02-01T00:00:00Z', end: '2024-03-15T00:00:00Z' };
    const shifts = shiftsBetween(s, [ov], Date.parse('2024-01-31T12:00:00Z'), Date.parse('2024-02-02T00:00:00Z'));
    expect(shifts.map((x) => [x.person, x.shiftStart, x.shiftEnd])).toEqual([
      ['a', '2024-01-31T00:00:00.000Z', '2024-02-01T00:00:00.000Z'], // day 30 of the rotation
      ['c', '2024-02-01T00:00:00.000Z', '2024-03-15T00:00:00.000Z'],
    ]);
  });

  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Sao_Paulo', 'UTC'];
  const localDateTime = fc
    .record({ day: fc.integer({ min: 0, max: 400 }), hour: fc.integer({ min: 0, max: 23 }), minute: fc.constantFrom(0, 15, 30, 45) })
    .map(({ day, hour, minute }) => {
      const d = new Date(Date.UTC(2023, 9, 1) + day * 86_400_000);
      return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    });
  const hhmm = fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.constantFrom(0, 30) }).map(({ h, m }) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const layer = (always: boolean) =>
    fc
      .record({
        members: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 3 }),
        rotation: fc.constantFrom<'daily' | 'weekly' | 'custom'>('daily', 'weekly', 'custom'),
        shiftHours: fc.integer({ min: 1, max: 72 }),
        start: always ? fc.constant('2023-01-01T09:00') : localDateTime,
        from: hhmm,
        to: hhmm,
      })
      .map(({ members, rotation, shiftHours, start, from, to }) => ({
        members,
        rotation,
        ...(rotation === 'custom' ? { shiftHours } : {}),
        start,
        ...(always ? {} : { activeFrom: from, activeTo: to }),
      }));
  const scheduleArb = fc
    .record({ timezone: fc.constantFrom(...zones), base: layer(true), extra: fc.array(layer(false), { maxLength: 2 }) })
    .map(({ timezone, base, extra }) => schedule(timezone, [base, ...extra].map((l, i) => ({ name: `l${i}`, ...l }))));
  const overridesArb = fc.array(
    fc.record({ day: fc.integer({ min: 0, max: 400 }), hours: fc.integer({ min: 1, max: 100 }), person: fc.constantFrom('x', 'y') }),
    { maxLength: 3 },
  ).map((list) =>
    list.map(({ day, hours, person }, i): ScheduleOverride => {
      const start = Date.UTC(2023, 9, 1) + day * 86_400_000 + 3_600_000 * 7;
      return { id: `ov${i}`, schedule: 'primary', person, start: iso(start), end: iso(start + hours * 3_600_000) };
    }),
  );
  const rangeArb = fc.record({ day: fc.integer({ min: 0, max: 400 }), offsetMin: fc.integer({ min: 0, max: 1439 }), lengthHours: fc.integer({ min: 1, max: 24 * 20 }) });

  it('tiles the range without gaps or overlaps when a layer is always active (property)', () => {
    fc.assert(
      fc.property(scheduleArb, overridesArb, rangeArb, (s, ovs, r) => {
        const from = Date.UTC(2023, 9, 1) + r.day * 86_400_000 + r.offsetMin * 60_000;
        const to = from + r.lengthHours * 3_600_000;
        const shifts = shiftsBetween(s, ovs, from, to);
        expect(shifts.length).toBeGreaterThan(0);
        expect(Date.parse(shifts[0]!.shiftStart)).toBeLessThanOrEqual(from);
        expect(Date.parse(shifts[shifts.length - 1]!.shiftEnd)).toBeGreaterThanOrEqual(to);
        for (let i = 0; i < shifts.length; i++) {
          expect(Date.parse(shifts[i]!.shiftStart)).toBeLessThan(Date.parse(shifts[i]!.shiftEnd));
          if (i > 0) expect(shifts[i]!.shiftStart).toBe(shifts[i - 1]!.shiftEnd);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with onCallAt at every segment start and just before every segment end (property)', () => {
    fc.assert(
      fc.property(scheduleArb, overridesArb, rangeArb, (s, ovs, r) => {
        const from = Date.UTC(2023, 9, 1) + r.day * 86_400_000 + r.offsetMin * 60_000;
        const shifts = shiftsBetween(s, ovs, from, from + Math.min(r.lengthHours, 72) * 3_600_000);
        for (const shift of shifts.slice(0, 6)) {
          expect(onCallAt(s, ovs, Date.parse(shift.shiftStart))).toEqual(shift);
          expect(onCallAt(s, ovs, Date.parse(shift.shiftEnd) - 1)).toEqual(shift);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('whoIsOnCall', () => {
  it('answers for every schedule, with null where nobody is on call', () => {
    const config = {
      schedules: [
        schedule('Europe/Berlin', [{ name: 'daily', members: ['alice'], rotation: 'daily', start: '2024-01-01T09:00' }], 'primary'),
        schedule('Europe/Berlin', [{ name: 'daily', members: ['bob'], rotation: 'daily', start: '2030-01-01T09:00' }], 'future'),
      ],
    };
    expect(whoIsOnCall(config, Date.parse('2024-06-10T12:00:00Z'), [])).toEqual([
      { schedule: 'primary', onCall: { person: 'alice', schedule: 'primary', layer: 'daily', shiftStart: '2024-06-10T07:00:00.000Z', shiftEnd: '2024-06-11T07:00:00.000Z' } },
      { schedule: 'future', onCall: null },
    ]);
  });
});

describe('ScheduleOverrideSchema', () => {
  it.each([
    ['a valid override', { id: 'o1', schedule: 'primary', person: 'alice', start: '2024-06-10T09:00:00Z', end: '2024-06-10T17:00:00+02:00' }, true],
    ['an end before the start', { id: 'o1', schedule: 'primary', person: 'alice', start: '2024-06-10T09:00:00Z', end: '2024-06-10T08:00:00Z' }, false],
    ['a time without offset', { id: 'o1', schedule: 'primary', person: 'alice', start: '2024-06-10T09:00', end: '2024-06-10T17:00:00Z' }, false],
    ['an unknown key', { id: 'o1', schedule: 'primary', person: 'alice', start: '2024-06-10T09:00:00Z', end: '2024-06-10T17:00:00Z', extra: 1 }, false],
  ])('%s', (_name, value, ok) => {
    expect(z.safeParse(ScheduleOverrideSchema, value).success).toBe(ok);
  });
});
