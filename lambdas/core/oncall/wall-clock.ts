/**
 * Wall-clock arithmetic for schedules (used by oncall/schedule.ts). Pure: luxon's IANA zone data only.
 *
 * A "wall" time is a local date and time written as if it were UTC milliseconds (`Date.UTC(y, m - 1, d, h, mi)`),
 * so adding days or hours to it is plain addition with no DST in the way. `resolveWall` turns a wall time in a zone
 * into an instant with RFC 5545 semantics (§3.3.5): a local time inside a DST gap is read with the offset before the
 * gap (02:30 on a spring-forward night in Berlin is 03:30 CEST), and an ambiguous local time takes its first, earlier
 * occurrence (02:30 on the autumn night is 02:30 CEST). luxon's own `DateTime.fromObject` picks the later instant for
 * ambiguous times, which is why this file exists.
 */
import { IANAZone } from 'luxon';
import { ConfigError } from '../errors';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Longest DST or offset-change gap looked at (Samoa skipped a whole day in 2011): 26 h. */
export const MAX_GAP_MS = 26 * HOUR_MS;

export function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new ConfigError([{ path: 'timezone', message: `unknown time zone "${name}"` }]);
  return zone;
}

/** The local wall time of an instant in a zone. */
export function wallOf(zone: IANAZone, ms: number): number {
  return ms + zone.offset(ms) * MINUTE_MS;
}

/**
 * The instant of a wall time: the earlier one when it is ambiguous, read with the offset before the gap when it does
 * not exist (`gap: true`). Assumes at most one offset change within a day on each side of the time, true of every
 * zone in the tz database.
 */
export function resolveWall(zone: IANAZone, wallMs: number): { ms: number; gap: boolean } {
  const before = zone.offset(wallMs - DAY_MS);
  const after = zone.offset(wallMs + DAY_MS);
  let best: number | null = null;
  for (const offset of before === after ? [before] : [before, after]) {
    const ms = wallMs - offset * MINUTE_MS;
    if (zone.offset(ms) === offset && (best === null || ms < best)) best = ms;
  }
  if (best !== null) return { ms: best, gap: false };
  return { ms: wallMs - before * MINUTE_MS, gap: true };
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Parses `YYYY-MM-DDTHH:MM[:SS]` (no offset) into a wall time; throws ConfigError for a date that does not exist. */
export function parseLocalDateTime(value: string, path: string): number {
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) throw new ConfigError([{ path, message: `expected YYYY-MM-DDTHH:MM, got "${value}"` }]);
  const [y, mo, d, h, mi, s] = m.slice(1).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new ConfigError([{ path, message: `"${value}" is not a real date and time` }]);
  }
  return wall;
}

/** Parses `HH:MM` into minutes after midnight. */
export function parseLocalTime(value: string, path: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new ConfigError([{ path, message: `expected HH:MM, got "${value}"` }]);
  return minutes;
}

/** Midnight (wall time) of the local day containing a wall time. */
export function wallDay(wallMs: number): number {
  return Math.floor(wallMs / DAY_MS) * DAY_MS;
}
