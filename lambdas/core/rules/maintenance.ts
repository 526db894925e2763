/**
 * Maintenance windows in time, for stage "suppress" (rules/compile.ts decides whether a window covers an alert;
 * this file decides whether it is in effect at a given instant). Pure: the instant comes in as `nowMs`.
 *
 * One-off windows are `[start, end)`. Recurring windows expand an RFC 5545 RRULE in floating local time
 * (DTSTART = `firstStart`, no TZID) and place each local start in `timezone` with RFC 5545 semantics at DST changes:
 * a local time in a spring-forward gap is shifted forward by the gap (it is read with the offset before the gap), and
 * an ambiguous fall-back time is the first (earlier) instant. Each occurrence lasts `durationMinutes` real minutes.
 *
 * Expansion never starts from `firstStart` when it can be avoided: for rules without COUNT the DTSTART is moved
 * forward by whole periods (INTERVAL x FREQ), keeping every implicit BYxxx value, so only occurrences near the
 * queried instant are generated.
 */
import { IANAZone } from 'luxon';
import { RRule, Weekday, type Options } from 'rrule';
import { ConfigError } from '../errors';

/** A maintenance window in effect (from config or created through the API), as the suppress stage sees it. */
export interface MaintenanceWindow {
  name: string;
  reason?: string;
  /** Services (after routing) it covers; empty = decided by `when` alone. */
  services: string[];
  /** CEL condition; null = every alert of the listed services. */
  when: string | null;
  /** One-off: start and end (ISO). Recurring: rrule, timezone, firstStart (local), durationMinutes. */
  start?: string;
  end?: string;
  rrule?: string;
  timezone?: string;
  firstStart?: string;
  durationMinutes?: number;
}

export interface Occurrence {
  /** ISO 8601 UTC start (inclusive). */
  start: string;
  /** ISO 8601 UTC end (exclusive). */
  end: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Slack around a query in floating time: covers any UTC offset change (Samoa skipped a whole day in 2011). */
const OFFSET_SLACK_MS = 26 * HOUR;
/** Most occurrences upcomingOccurrences returns. */
export const MAX_UPCOMING = 1000;

/** A window's schedule, parsed once. */
export interface WindowSchedule {
  /** The occurrence in effect at nowMs (start <= now < end), the latest-starting one if several overlap. */
  current(nowMs: number): Occurrence | null;
  /** Occurrences not yet over at fromMs (end > fromMs), by start, at most `count`. */
  upcoming(fromMs: number, count: number): Occurrence[];
}

/** Parses a window's timing; throws an Error naming the problem when the window is neither one-off nor recurring. */
export function compileSchedule(window: MaintenanceWindow): WindowSchedule {
  if (window.rrule !== undefined || window.firstStart !== undefined || window.durationMinutes !== undefined || window.timezone !== undefined) {
    return recurringSchedule(window);
  }
  return oneOffSchedule(window);
}

const scheduleCache = new Map<string, WindowSchedule>();
const SCHEDULE_CACHE_MAX = 256;

function cachedSchedule(window: MaintenanceWindow): WindowSchedule {
  const key = [window.start, window.end, window.rrule, window.timezone, window.firstStart, window.durationMinutes].join('\u0000');
  let schedule = scheduleCache.get(key);
  if (!schedule) {
    schedule = compileSchedule(window);
    if (scheduleCache.size >= SCHEDULE_CACHE_MAX) scheduleCache.delete(scheduleCache.keys().next().value as string);
    scheduleCache.set(key, schedule);
  }
  return schedule;
}

/** The occurrence of `window` in effect at nowMs, or null. Throws on a window without valid timing. */
export function currentOccurrence(window: MaintenanceWindow, nowMs: number): Occurrence | null {
  return cachedSchedule(window).current(nowMs);
}

/** The next `count` occurrences of `window` that are not over at fromMs (the current one first, if any). */
export function upcomingOccurrences(window: MaintenanceWindow, fromMs: number, count: number): Occurrence[] {
  return cachedSchedule(window).upcoming(fromMs, count);
}

// ---------------------------------------------------------------------------------------------------------------

function oneOffSchedule(window: MaintenanceWindow): WindowSchedule {
  if (window.start === undefined || window.end === undefined) {
    throw ConfigError.problem(`maintenance window "${window.name}" needs start and end, or rrule, timezone, firstStart and durationMinutes`);
  }
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  if (Number.isNaN(start) || Number.isNaN(end)) throw ConfigError.problem(`maintenance window "${window.name}": start and end must be ISO 8601 times`);
  if (end <= start) throw ConfigError.problem(`maintenance window "${window.name}": end must be after start`);
  const occ: Occurrence = { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  return {
    current: (nowMs) => (start <= nowMs && nowMs < end ? occ : null),
    upcoming: (fromMs, count) => (end > fromMs && count > 0 ? [occ] : []),
  };
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

function recurringSchedule(window: MaintenanceWindow): WindowSchedule {
  const missing = (['rrule', 'timezone', 'firstStart', 'durationMinutes'] as const).filter((k) => window[k] === undefined);
  if (missing.length > 0) throw ConfigError.problem(`recurring maintenance window "${window.name}" needs ${missing.join(', ')}`);
  const zone = IANAZone.create(window.timezone as string);
  if (!zone.isValid) throw ConfigError.problem(`maintenance window "${window.name}": unknown time zone "${window.timezone}"`);
  const durationMs = (window.durationMinutes as number) * MINUTE;
  if (!(durationMs > 0)) throw ConfigError.problem(`maintenance window "${window.name}": durationMinutes must be positive`);
  const m = LOCAL_DATE_TIME.exec(window.firstStart as string);
  if (!m) throw ConfigError.problem(`maintenance window "${window.name}": firstStart must be YYYY-MM-DDTHH:MM local time`);
  const [, y, mo, d, h, mi, s] = m;
  const dtstart = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)));
  let parsed: Partial<Options>;
  try {
    parsed = RRule.parseString((window.rrule as string).replace(/^RRULE:/i, ''));
  } catch (err) {
    throw ConfigError.problem(`maintenance window "${window.name}": invalid rrule: ${(err as Error).message}`, { cause: err });
  }
  if (parsed.dtstart || parsed.tzid) throw ConfigError.problem(`maintenance window "${window.name}": put the start in firstStart, not in the rrule`);
  const base = new RRule({ ...parsed, dtstart }, true);

  /** The rule with DTSTART moved forward to at least one period before `lowFloating` (same occurrences after it). */
  const ruleNear = (lowFloating: number): RRule => shiftedRule(base, lowFloating) ?? base;
  const toInstant = (floating: Date) => localToInstant(zone, floating.getTime());
  const offsetMs = (instant: number) => zone.offset(instant) * MINUTE;

  // One batch of alerts is evaluated at one instant: remember the last answer.
  let lastNow = Number.NaN;
  let lastCurrent: Occurrence | null = null;

  return {
    current(nowMs) {
      if (nowMs === lastNow) return lastCurrent;
      const nowFloating = nowMs + offsetMs(nowMs);
      const low = nowFloating - durationMs - OFFSET_SLACK_MS;
      const high = nowFloating + OFFSET_SLACK_MS;
      let best: number | null = null;
      for (const local of ruleNear(low).between(new Date(low), new Date(high), true)) {
        const start = toInstant(local);
        if (start <= nowMs && nowMs < start + durationMs && (best === null || start > best)) best = start;
      }
      lastNow = nowMs;
      lastCurrent = best === null ? null : occurrence(best, durationMs);
      return lastCurrent;
    },
    upcoming(fromMs, count) {
      const wanted = Math.min(Math.max(0, Math.floor(count)), MAX_UPCOMING);
      if (wanted === 0) return [];
      const low = fromMs + offsetMs(fromMs) - durationMs - OFFSET_SLACK_MS;
      const out: number[] = [];
      // Starts are in floating order; instants may reorder only within the slack, so collect a little past `wanted`.
      let lastFloating = Number.NEGATIVE_INFINITY;
      ruleNear(low).all((local) => {
        if (local.getTime() < low) return true;
        if (out.length >= wanted && local.getTime() > lastFloating + OFFSET_SLACK_MS) return false;
        const start = toInstant(local);
        if (start + durationMs > fromMs) {
          out.push(start);
          if (out.length === wanted) lastFloating = local.getTime();
        }
        return true;
      });
      return out
        .sort((a, b) => a - b)
        .slice(0, wanted)
        .map((start) => occurrence(start, durationMs));
    },
  };
}

function occurrence(startMs: number, durationMs: number): Occurrence {
  return { start: new Date(startMs).toISOString(), end: new Date(startMs + durationMs).toISOString() };
}

/**
 * The instant of a local wall-clock time (given as "floating" milliseconds: the local fields read as UTC) in a zone,
 * RFC 5545 §3.3.5: an ambiguous time is the earlier instant; a time in a gap uses the offset before the gap, which
 * shifts it forward by the gap's length.
 */
export function localToInstant(zone: IANAZone, floatingMs: number): number {
  const before = zone.offset(floatingMs - DAY);
  const after = zone.offset(floatingMs + DAY);
  const candidates = new Set<number>([before, after, zone.offset(floatingMs - before * MINUTE), zone.offset(floatingMs - after * MINUTE)]);
  let best: number | null = null;
  for (const offset of candidates) {
    const instant = floatingMs - offset * MINUTE;
    if (zone.offset(instant) === offset && (best === null || instant < best)) best = instant;
  }
  // In a gap no offset fits: read the time with the offset in effect before the gap.
  return best ?? floatingMs - before * MINUTE;
}

/**
 * A copy of `rule` whose DTSTART is moved forward by whole periods so that it lies at least one period before
 * `lowFloating`; null when that is not possible (COUNT counts from the original start) or not needed. Every value
 * the original took implicitly from DTSTART (BYMONTH, BYMONTHDAY, BYDAY, BYHOUR, BYMINUTE, BYSECOND) is made
 * explicit, so the shifted rule yields exactly the original's occurrences from its new DTSTART on.
 */
function shiftedRule(rule: RRule, lowFloating: number): RRule | null {
  const o = rule.options;
  if (o.count !== null && o.count !== undefined) return null;
  const start = o.dtstart.getTime();
  const interval = o.interval || 1;
  let dtstart: Date | null = null;
  if (o.freq === RRule.YEARLY || o.freq === RRule.MONTHLY) {
    const stepMonths = interval * (o.freq === RRule.YEARLY ? 12 : 1);
    const low = new Date(lowFloating);
    const monthsBetween = (low.getUTCFullYear() - o.dtstart.getUTCFullYear()) * 12 + (low.getUTCMonth() - o.dtstart.getUTCMonth());
    const k = Math.floor(monthsBetween / stepMonths) - 1;
    if (k <= 0) return null;
    // First day of the period's first month (January for YEARLY), at DTSTART's time of day.
    const month = o.dtstart.getUTCMonth() + k * stepMonths;
    dtstart = new Date(
      Date.UTC(o.dtstart.getUTCFullYear(), o.freq === RRule.YEARLY ? month - o.dtstart.getUTCMonth() : month, 1,
        o.dtstart.getUTCHours(), o.dtstart.getUTCMinutes(), o.dtstart.getUTCSeconds()),
    );
  } else {
    const unit = o.freq === RRule.WEEKLY ? 7 * DAY : o.freq === RRule.DAILY ? DAY : o.freq === RRule.HOURLY ? HOUR : o.freq === RRule.MINUTELY ? MINUTE : 1000;
    const period = interval * unit;
    const k = Math.floor((lowFloating - start) / period) - 1;
    if (k <= 0) return null;
    dtstart = new Date(start + k * period);
  }
  const byweekday = [
    ...(o.byweekday ?? []).map((d) => new Weekday(d)),
    ...(o.bynweekday ?? []).map(([d, n]) => new Weekday(d, n)),
  ];
  return new RRule(
    {
      freq: o.freq,
      dtstart,
      interval,
      wkst: o.wkst,
      until: o.until,
      bysetpos: o.bysetpos,
      bymonth: o.bymonth,
      bymonthday: [...(o.bymonthday ?? []), ...(o.bynmonthday ?? [])],
      byyearday: o.byyearday,
      byweekno: o.byweekno,
      byweekday: byweekday.length > 0 ? byweekday : null,
      byhour: o.byhour,
      byminute: o.byminute,
      bysecond: o.bysecond,
      byeaster: o.byeaster,
    },
    true,
  );
}
