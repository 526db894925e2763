/**
 * The iCalendar (RFC 5545) feed of a schedule: one VEVENT per effective segment of shiftsBetween (oncall/schedule.ts),
 * served by the on-call API for calendar subscriptions. Pure; written by hand (about 60 lines) instead of a library,
 * so Lambda bundles stay small. What RFC 5545 asks for and this file does:
 * - CRLF line endings (§3.1), lines folded at 75 octets without splitting a UTF-8 character, continuation lines
 *   starting with one space;
 * - TEXT values escaped (§3.3.11: backslash, semicolon, comma, newline) with other control characters removed;
 * - times in UTC (`DTSTART:20240331T070000Z`), so no VTIMEZONE is needed; DTSTAMP is the feed's generation time;
 * - a UID per segment that does not change between fetches (a hash of schedule, layer or override, person and start).
 */
import { createHash } from 'node:crypto';
import type { PipelineConfig } from '../config/pipeline-config.schema';
import { shiftsBetween, type OnCall, type ScheduleConfig, type ScheduleOverride } from './schedule';

const PRODID = '-//aws-alert-pipeline//on-call schedule//EN';
const UID_DOMAIN = 'alert-pipeline.on-call';

/** Escapes a TEXT value (RFC 5545 §3.3.11) and drops control characters other than newline and tab. */
export function escapeIcalText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');
}

/** Folds one content line into physical lines of at most 75 octets (RFC 5545 §3.1), joined with CRLF. */
export function foldIcalLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with a space, which counts
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.map((l, i) => (i === 0 ? l : ` ${l}`)).join('\r\n');
}

/** `20240331T070000Z` (seconds precision, UTC). */
export function icalUtc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function uidOf(shift: OnCall): string {
  const key = [shift.schedule, shift.overrideId !== undefined ? `override:${shift.overrideId}` : `layer:${shift.layer}`, shift.person, shift.shiftStart].join('\n');
  return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${UID_DOMAIN}`;
}

/**
 * The feed of one schedule over [fromMs, toMs): every shift intersecting the range, whole. `nowMs` becomes DTSTAMP.
 *
 * @example
 * icalFeed(schedule, overrides, config.people, now - 7 * DAY, now + 90 * DAY, now)
 * // 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n...BEGIN:VEVENT\r\nUID:...@alert-pipeline.on-call\r\n...'
 */
export function icalFeed(
  schedule: ScheduleConfig,
  overrides: readonly ScheduleOverride[],
  people: PipelineConfig['people'],
  fromMs: number,
  toMs: number,
  nowMs: number,
): string {
  const displayName = new Map(people.map((p) => [p.name, p.displayName ?? p.name]));
  const reasons = new Map(overrides.map((o) => [o.id, o.reason]));
  const stamp = icalUtc(nowMs);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeIcalText(`On call: ${schedule.name}`)}`,
    `X-WR-TIMEZONE:${schedule.timezone}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
  ];
  for (const shift of shiftsBetween(schedule, overrides, fromMs, toMs)) {
    const start = icalUtc(Date.parse(shift.shiftStart));
    const end = icalUtc(Date.parse(shift.shiftEnd));
    if (end <= start) continue; // a sub-second segment: nothing to show at seconds precision
    const who = displayName.get(shift.person) ?? shift.person;
    const reason = shift.overrideId !== undefined ? reasons.get(shift.overrideId) : undefined;
    const description =
      shift.overrideId !== undefined
        ? `Override ${shift.overrideId} on schedule ${shift.schedule}${reason ? `: ${reason}` : ''}`
        : `Layer ${shift.layer} of schedule ${shift.schedule}`;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${uidOf(shift)}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${start}`,
      `DTEND:${end}`,
      `SUMMARY:${escapeIcalText(`On call: ${who} (${shift.schedule})`)}`,
      `DESCRIPTION:${escapeIcalText(description)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldIcalLine).join('\r\n')}\r\n`;
}
