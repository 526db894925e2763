/**
 * Uptime from the recorded status changes. Pure.
 *
 * Uptime of a component over [from, to) = operational time / (observed time - maintenance time), where observed
 * time starts at the first recorded status (time before it is "no data", not downtime) and maintenance time is
 * time spent under_maintenance. Any status other than operational and under_maintenance is downtime, whether
 * derived from incidents, a dependency or an override. null when nothing was observed outside maintenance.
 */
import type { ComponentStatus, StatusChange } from './model';
import { OUTAGE_ORDER, type OutageStatus } from './model';

export const DAY_MS = 24 * 3600 * 1000;

export interface UptimeDay {
  /** UTC date, YYYY-MM-DD. */
  date: string;
  /** Share of the day's observed, non-maintenance time spent operational (0..1), or null (no data). */
  uptime: number | null;
  /** The worst status seen that day (under_maintenance only if nothing worse), or null (no data). */
  worst: ComponentStatus | null;
}

interface Segment {
  start: number;
  end: number;
  status: ComponentStatus;
}

/** Segments of constant status within [from, to) from a component's changes (any order). */
function segments(changes: readonly StatusChange[], from: number, to: number): Segment[] {
  const sorted = [...changes].sort((a, b) => a.at.localeCompare(b.at));
  const out: Segment[] = [];
  sorted.forEach((c, i) => {
    const start = Math.max(Date.parse(c.at), from);
    const next = sorted[i + 1];
    const end = Math.min(next ? Date.parse(next.at) : to, to);
    if (end > start) out.push({ start, end, status: c.status });
  });
  return out;
}

export function uptime(changes: readonly StatusChange[], from: number, to: number): number | null {
  let up = 0;
  let counted = 0;
  for (const s of segments(changes, from, to)) {
    if (s.status === 'under_maintenance') continue;
    counted += s.end - s.start;
    if (s.status === 'operational') up += s.end - s.start;
  }
  return counted > 0 ? up / counted : null;
}

/** One entry per UTC day, oldest first, for the `days` days ending with the day of `now`. */
export function uptimeDays(changes: readonly StatusChange[], now: Date, days = 90): UptimeDay[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: UptimeDay[] = [];
  for (let d = days - 1; d >= 0; d--) {
    const from = today - d * DAY_MS;
    const to = Math.min(from + DAY_MS, now.getTime());
    const segs = segments(changes, from, to);
    let worstSeen: ComponentStatus | null = null;
    for (const s of segs) {
      if (worstSeen === null) worstSeen = s.status;
      else if (s.status !== 'under_maintenance') {
        worstSeen = worstSeen === 'under_maintenance' ? s.status : OUTAGE_ORDER.indexOf(s.status) > OUTAGE_ORDER.indexOf(worstSeen as OutageStatus) ? s.status : worstSeen;
      }
    }
    out.push({ date: new Date(from).toISOString().slice(0, 10), uptime: uptime(changes, from, to), worst: worstSeen });
  }
  return out;
}
