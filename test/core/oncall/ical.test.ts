import fc from 'fast-check';
import { escapeIcalText, foldIcalLine, icalFeed, icalUtc } from '../../../lambdas/core/oncall/ical';
import { shiftsBetween, type ScheduleConfig, type ScheduleOverride } from '../../../lambdas/core/oncall/schedule';

/** A small RFC 5545 reader: checks line endings and folding, unfolds, splits properties, unescapes TEXT. */
interface Prop {
  name: string;
  params: string;
  value: string;
}
function parseIcal(text: string): { calendar: Prop[]; events: Array<Record<string, string>> } {
  expect(text.endsWith('\r\n')).toBe(true);
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) {
    expect(line).not.toMatch(/[\r\n]/); // no bare CR or LF
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  }
  const logical: string[] = [];
  for (const line of physical) {
    if (line.startsWith(' ') || line.startsWith('\t')) logical[logical.length - 1] += line.slice(1);
    else logical.push(line);
  }
  const props = logical.map((line): Prop => {
    const m = /^([A-Z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    if (!m) throw new Error(`not a content line: ${line}`);
    return { name: m[1]!, params: m[2]!, value: m[3]! };
  });
  const unescape = (v: string) => v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
  const calendar: Prop[] = [];
  const events: Array<Record<string, string>> = [];
  let current: Record<string, string> | null = null;
  const stack: string[] = [];
  for (const p of props) {
    if (p.name === 'BEGIN') {
      stack.push(p.value);
      if (p.value === 'VEVENT') current = {};
    } else if (p.name === 'END') {
      expect(stack.pop()).toBe(p.value);
      if (p.value === 'VEVENT') {
        events.push(current!);
        current = null;
      }
    } else if (current) {
      expect(current[p.name]).toBeUndefined();
      current[p.name] = unescape(p.value);
    } else calendar.push(p);
  }
  expect(stack).toEqual([]);
  expect(props[0]).toMatchObject({ name: 'BEGIN', value: 'VCALENDAR' });
  return { calendar, events };
}

const schedule: ScheduleConfig = {
  name: 'primary',
  timezone: 'Europe/Berlin',
  layers: [{ name: 'daily', members: ['alice', 'bob'], rotation: 'daily', start: '2024-03-25T09:00' }],
};
const people = [
  { name: 'alice', displayName: 'Alice Ångström, SRE; "core" \\ team', contacts: [], channels: [] },
  { name: 'bob', contacts: [], channels: [] },
];
const overrides: ScheduleOverride[] = [
  { id: 'ov-1', schedule: 'primary', person: 'bob', start: '2024-03-29T12:00:00Z', end: '2024-03-29T18:00:00Z', reason: 'Swap with Alice,\nback at 20:00' },
];
const FROM = Date.parse('2024-03-29T00:00:00Z');
const TO = Date.parse('2024-04-02T00:00:00Z');
const NOW = Date.parse('2024-03-28T10:11:12.345Z');

describe('icalFeed', () => {
  const feed = icalFeed(schedule, overrides, people, FROM, TO, NOW);
  const { calendar, events } = parseIcal(feed);

  it('is a VCALENDAR with version, product id and a name', () => {
    const get = (n: string) => calendar.find((p) => p.name === n)?.value;
    expect(get('VERSION')).toBe('2.0');
    expect(get('PRODID')).toMatch(/^-\/\/.+\/\/EN$/);
    expect(get('X-WR-CALNAME')).toBe('On call: primary');
  });

  it('has one VEVENT per shift with the shift times in UTC and DTSTAMP from now', () => {
    const shifts = shiftsBetween(schedule, overrides, FROM, TO);
    expect(events).toHaveLength(shifts.length);
    events.forEach((e, i) => {
      expect(e.DTSTART).toBe(icalUtc(Date.parse(shifts[i]!.shiftStart)));
      expect(e.DTEND).toBe(icalUtc(Date.parse(shifts[i]!.shiftEnd)));
      expect(e.DTSTAMP).toBe('20240328T101112Z');
    });
    const alice = 'On call: Alice Ångström, SRE; "core" \\ team (primary)';
    const bob = 'On call: bob (primary)';
    expect(events.map((e) => [e.DTSTART, e.DTEND, e.SUMMARY])).toEqual([
      ['20240328T080000Z', '20240329T080000Z', bob],
      ['20240329T080000Z', '20240329T120000Z', alice],
      ['20240329T120000Z', '20240329T180000Z', bob], // the override
      ['20240329T180000Z', '20240330T080000Z', alice],
      ['20240330T080000Z', '20240331T070000Z', bob], // 23 h: the spring change
      ['20240331T070000Z', '20240401T070000Z', alice],
      ['20240401T070000Z', '20240402T070000Z', bob],
    ]);
  });

  it('round-trips escaped text: commas, semicolons, backslashes and newlines', () => {
    const override = events.find((e) => e.DESCRIPTION!.startsWith('Override'))!;
    expect(override.DESCRIPTION).toBe('Override ov-1 on schedule primary: Swap with Alice,\nback at 20:00');
    expect(feed.replace(/\r\n[ \t]/g, '')).toContain('Swap with Alice\\,\\nback at 20:00');
  });

  it('gives every event a unique UID that is stable across fetches and ranges', () => {
    const uids = events.map((e) => e.UID!);
    expect(new Set(uids).size).toBe(uids.length);
    const later = parseIcal(icalFeed(schedule, overrides, people, FROM + 86_400_000, TO + 86_400_000, NOW + 3_600_000)).events;
    for (const e of later) {
      const same = events.find((x) => x.DTSTART === e.DTSTART);
      if (same) expect(e.UID).toBe(same.UID);
    }
    expect(later.filter((e) => uids.includes(e.UID!)).length).toBeGreaterThanOrEqual(4);
  });

  it('uses CRLF everywhere and folds long lines at 75 octets without splitting characters', () => {
    const long = icalFeed(schedule, [], [{ name: 'alice', displayName: 'Ä'.repeat(100) + '😀'.repeat(30), contacts: [], channels: [] }, people[1]!], FROM, TO, NOW);
    const { events: evs } = parseIcal(long);
    expect(evs.find((e) => e.SUMMARY!.includes('Ä'))!.SUMMARY).toBe(`On call: ${'Ä'.repeat(100)}${'😀'.repeat(30)} (primary)`);
    expect(long.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('is an empty calendar when nobody is on call in the range', () => {
    const { events: evs } = parseIcal(icalFeed(schedule, [], people, Date.parse('2020-01-01T00:00:00Z'), Date.parse('2020-01-02T00:00:00Z'), NOW));
    expect(evs).toEqual([]);
  });
});

describe('iCalendar text helpers', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b;c\\d', 'a\\,b\\;c\\\\d'],
    ['line1\r\nline2\nline3', 'line1\\nline2\\nline3'],
    ['bell\u0007 and nul\u0000 removed', 'bell and nul removed'],
  ])('escapes %j', (input, expected) => {
    expect(escapeIcalText(input)).toBe(expected);
  });

  it('folds any line into physical lines of at most 75 octets that unfold to the original (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (s) => {
        const line = `SUMMARY:${s.replace(/[\r\n]/g, '')}`;
        const folded = foldIcalLine(line);
        const parts = folded.split('\r\n');
        parts.forEach((p, i) => {
          expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
          if (i > 0) expect(p.startsWith(' ')).toBe(true);
        });
        expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
      }),
    );
  });
});
