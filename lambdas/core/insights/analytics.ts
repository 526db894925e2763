/**
 * Analytics over incident histories (docs/insights.md): counts, MTTA / MTTR / MTTK with mean and percentiles,
 * escalation rate, reassignments, interruptions per person in their own time zone, and the noise tables per rule and
 * per fingerprint. Incremental: `add` one incident at a time (the caller pages through the store), `result` at the
 * end; memory grows with the incidents in the window (three numbers per incident for the percentiles, two intervals
 * per incident for flaps and time open), which the API bounds by the maximum range.
 */
import { DateTime } from 'luxon';
import type { Incident } from '../model/incident';
import type { IncidentFigures } from './figures';

export const GROUP_BY_FIELDS = ['service', 'team', 'severity', 'source', 'rule', 'fingerprint', 'assignee'] as const;
export type GroupBy = (typeof GROUP_BY_FIELDS)[number] | `tag:${string}`;
export const BUCKETS = ['day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Whether a `groupBy` value is one the analytics know (a field, or `tag:<key>` with a non-empty key). */
export function isGroupBy(value: string): value is GroupBy {
  return (GROUP_BY_FIELDS as readonly string[]).includes(value) || /^tag:.+$/.test(value);
}

export interface AnalyticsOptions {
  from: string;
  to: string;
  groupBy: GroupBy | null;
  bucket: Bucket | null;
  /** An incident opened within this many minutes after the previous incident of its fingerprint resolved is a flap. */
  flapWindowMinutes: number;
  /** Each person's IANA time zone; people not listed use `defaultTimezone`. */
  timezones: Readonly<Record<string, string>>;
  defaultTimezone: string;
}

/** Mean and nearest-rank percentiles, in seconds; null when no incident counts. */
export interface DurationStats {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
}

export interface Counts {
  /** Paging incidents (not suppressed) opened in the window. */
  incidents: number;
  /** Distinct alert deliveries that joined any incident (suppressed ones included). */
  alerts: number;
  /** Escalation-policy levels paged. */
  pages: number;
  /** Notifications the channels accepted. */
  notifications: number;
  /** Alerts held by a suppression rule, a maintenance window or as INSUFFICIENT_DATA. */
  suppressed: number;
  /** Alerts that joined an open incident instead of paging (alert count - 1 per paging incident). */
  deduplicated: number;
  autoResolved: number;
  /** Paging incidents still open (triggered or acknowledged). */
  open: number;
}

export interface Summary {
  counts: Counts;
  mtta: DurationStats;
  mttr: DurationStats;
  mttk: DurationStats;
  /** Incidents that paged beyond the first level. */
  escalated: number;
  /** escalated / incidents (null without incidents). */
  escalationRate: number | null;
  reassignments: number;
}

export interface InterruptionRow {
  person: string;
  timezone: string;
  business: number;
  offHours: number;
  sleep: number;
  total: number;
}

export interface NoiseRow {
  /** `route:<rule>`, `suppression:<rule>`, `tag-rule:<rule>` or a fingerprint. */
  key: string;
  incidents: number;
  pages: number;
  /** Acknowledged paging incidents / paging incidents (null without paging incidents). */
  acknowledgedShare: number | null;
  autoResolvedShare: number | null;
  flaps: number;
  suppressed: number;
  deduplicated: number;
  /** Median seconds from opened to resolved over resolved incidents. */
  medianSecondsOpen: number | null;
}

export interface AnalyticsResult {
  from: string;
  to: string;
  groupBy: GroupBy | null;
  bucket: Bucket | null;
  totals: Summary;
  groups: Array<{ key: string } & Summary>;
  buckets: Array<{ start: string } & Summary>;
  interruptions: InterruptionRow[];
  noise: { rules: NoiseRow[]; fingerprints: NoiseRow[] };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function durationStats(values: readonly number[]): DurationStats {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  const mean = arr.length === 0 ? null : Math.round((arr.reduce((s, v) => s + v, 0) / arr.length) * 10) / 10;
  return { count: arr.length, mean, p50: percentile(arr, 50), p90: percentile(arr, 90), p95: percentile(arr, 95) };
}

/** PagerDuty's split of a person's local time: business 08-18 Mon-Fri, off hours 18-22 and weekend days, sleep 22-08. */
export function interruptionPeriod(atIso: string, timezone: string): 'business' | 'offHours' | 'sleep' {
  const local = DateTime.fromISO(atIso, { zone: timezone });
  const h = local.hour;
  if (h >= 22 || h < 8) return 'sleep';
  if (local.weekday <= 5 && h < 18) return 'business';
  return 'offHours';
}

class SummaryAcc {
  counts: Counts = { incidents: 0, alerts: 0, pages: 0, notifications: 0, suppressed: 0, deduplicated: 0, autoResolved: 0, open: 0 };
  tta: number[] = [];
  ttr: number[] = [];
  ttk: number[] = [];
  escalated = 0;
  reassignments = 0;

  add(inc: Incident, f: IncidentFigures): void {
    const c = this.counts;
    c.alerts += inc.alertCount;
    if (inc.status === 'suppressed') {
      c.suppressed += inc.alertCount;
      return;
    }
    c.incidents++;
    c.deduplicated += Math.max(0, inc.alertCount - 1);
    c.pages += f.pages;
    c.notifications += f.notifications;
    if (f.autoResolved) c.autoResolved++;
    if (inc.status === 'triggered' || inc.status === 'acknowledged') c.open++;
    // Opsgenie's rule: resolved without an acknowledgement counts its resolve time as its acknowledgement time.
    const tta = f.secondsToAck ?? f.secondsToResolve;
    if (tta !== null) this.tta.push(tta);
    if (f.secondsToResolve !== null) this.ttr.push(f.secondsToResolve);
    if (f.secondsToKnow !== null) this.ttk.push(f.secondsToKnow);
    if (f.highestLevel > 0) this.escalated++;
    this.reassignments += f.reassignments;
  }

  result(): Summary {
    return {
      counts: { ...this.counts },
      mtta: durationStats(this.tta),
      mttr: durationStats(this.ttr),
      mttk: durationStats(this.ttk),
      escalated: this.escalated,
      escalationRate: this.counts.incidents === 0 ? null : round4(this.escalated / this.counts.incidents),
      reassignments: this.reassignments,
    };
  }
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

class NoiseAcc {
  incidents = 0;
  paging = 0;
  pages = 0;
  acknowledged = 0;
  autoResolved = 0;
  suppressed = 0;
  deduplicated = 0;
  open: number[] = [];
  /** [openedAt ms, resolvedAt ms or NaN] per incident, for flaps. */
  intervals: Array<[string, number, number]> = [];

  add(inc: Incident, f: IncidentFigures): void {
    this.incidents++;
    this.intervals.push([inc.fingerprint, Date.parse(inc.openedAt), f.resolvedAt === null ? Number.NaN : Date.parse(f.resolvedAt)]);
    if (inc.status === 'suppressed') {
      this.suppressed += inc.alertCount;
      return;
    }
    this.paging++;
    this.pages += f.pages;
    if (f.firstAckAt !== null) this.acknowledged++;
    if (f.autoResolved) this.autoResolved++;
    this.deduplicated += Math.max(0, inc.alertCount - 1);
    if (f.secondsToResolve !== null) this.open.push(f.secondsToResolve);
  }

  result(key: string, flapWindowMs: number): NoiseRow {
    return {
      key,
      incidents: this.incidents,
      pages: this.pages,
      acknowledgedShare: this.paging === 0 ? null : round4(this.acknowledged / this.paging),
      autoResolvedShare: this.paging === 0 ? null : round4(this.autoResolved / this.paging),
      flaps: countFlaps(this.intervals, flapWindowMs),
      suppressed: this.suppressed,
      deduplicated: this.deduplicated,
      medianSecondsOpen: durationStats(this.open).p50,
    };
  }
}

/** Per fingerprint, in opening order: an incident opened at most `windowMs` after the previous one resolved. */
function countFlaps(intervals: Array<[string, number, number]>, windowMs: number): number {
  const byFp = new Map<string, Array<[number, number]>>();
  for (const [fp, opened, resolved] of intervals) {
    const list = byFp.get(fp);
    if (list) list.push([opened, resolved]);
    else byFp.set(fp, [[opened, resolved]]);
  }
  let flaps = 0;
  for (const list of byFp.values()) {
    list.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < list.length; i++) {
      const prevResolved = list[i - 1]![1];
      const gap = list[i]![0] - prevResolved;
      if (!Number.isNaN(prevResolved) && gap >= 0 && gap <= windowMs) flaps++;
    }
  }
  return flaps;
}

/** Worst first: most pages, then most flaps, then most alerts held back, then the key. */
function worstFirst(a: NoiseRow, b: NoiseRow): number {
  return b.pages - a.pages || b.flaps - a.flaps || (b.suppressed + b.deduplicated) - (a.suppressed + a.deduplicated) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function groupKeyOf(inc: Incident, groupBy: GroupBy): string {
  const none = '(none)';
  switch (groupBy) {
    case 'service': return inc.route.service;
    case 'team': return inc.route.team ?? none;
    case 'severity': return inc.severity;
    case 'source': return inc.source;
    case 'rule': return inc.route.rule;
    case 'fingerprint': return inc.fingerprint;
    case 'assignee': return inc.assignee ?? none;
    default: return inc.tags[groupBy.slice('tag:'.length)] ?? none;
  }
}

/** The rules an incident is counted under in the noise table. */
export function noiseRulesOf(inc: Incident): string[] {
  const keys = [`route:${inc.route.rule}`];
  if (inc.status === 'suppressed') keys.push(`suppression:${inc.suppressedBy ?? inc.suppressionReason ?? 'unknown'}`);
  for (const rule of inc.taggedBy ?? []) keys.push(`tag-rule:${rule}`);
  return keys;
}

export interface Analytics {
  /** Adds one incident (opened in the window; others are ignored) with its figures. */
  add(incident: Incident, figures: IncidentFigures): void;
  result(): AnalyticsResult;
}

export function createAnalytics(options: AnalyticsOptions): Analytics {
  const fromMs = Date.parse(options.from);
  const toMs = Date.parse(options.to);
  const totals = new SummaryAcc();
  const groups = new Map<string, SummaryAcc>();
  const buckets = new Map<string, SummaryAcc>();
  const people = new Map<string, InterruptionRow>();
  const rules = new Map<string, NoiseAcc>();
  const fingerprints = new Map<string, NoiseAcc>();
  // luxon is the slow part: periods change only on 15-minute boundaries (every zone's offset is a multiple of 15
  // minutes) and buckets only on UTC days, so both are cached (bounded by the window's length).
  const periods = new Map<string, ReturnType<typeof interruptionPeriod>>();
  const periodOf = (at: string, tz: string) => {
    const key = `${tz}|${Math.floor(Date.parse(at) / 900_000)}`;
    let p = periods.get(key);
    if (p === undefined) periods.set(key, (p = interruptionPeriod(at, tz)));
    return p;
  };
  const bucketStarts = new Map<string, string>();
  const bucketOf = (openedMs: number, bucket: Bucket) => {
    const day = new Date(openedMs).toISOString().slice(0, 10);
    let start = bucketStarts.get(day);
    if (start === undefined) bucketStarts.set(day, (start = DateTime.fromISO(day, { zone: 'utc' }).startOf(bucket).toISO({ suppressMilliseconds: true }) ?? day));
    return start;
  };
  const acc = <T>(map: Map<string, T>, key: string, make: () => T): T => {
    let v = map.get(key);
    if (v === undefined) map.set(key, (v = make()));
    return v;
  };

  return {
    add(inc, f) {
      const opened = Date.parse(inc.openedAt);
      if (!(opened >= fromMs && opened <= toMs)) return;
      totals.add(inc, f);
      if (options.groupBy) acc(groups, groupKeyOf(inc, options.groupBy), () => new SummaryAcc()).add(inc, f);
      if (options.bucket) {
        acc(buckets, bucketOf(opened, options.bucket), () => new SummaryAcc()).add(inc, f);
      }
      for (const i of f.interruptions) {
        const timezone = options.timezones[i.person] ?? options.defaultTimezone;
        const row = acc(people, i.person, () => ({ person: i.person, timezone, business: 0, offHours: 0, sleep: 0, total: 0 }));
        row[periodOf(i.at, timezone)]++;
        row.total++;
      }
      for (const key of noiseRulesOf(inc)) acc(rules, key, () => new NoiseAcc()).add(inc, f);
      acc(fingerprints, inc.fingerprint, () => new NoiseAcc()).add(inc, f);
    },
    result() {
      const flapMs = options.flapWindowMinutes * 60_000;
      const sortedEntries = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        from: options.from,
        to: options.to,
        groupBy: options.groupBy,
        bucket: options.bucket,
        totals: totals.result(),
        groups: sortedEntries(groups).map(([key, a]) => ({ key, ...a.result() })),
        buckets: sortedEntries(buckets).map(([start, a]) => ({ start, ...a.result() })),
        interruptions: [...people.values()].sort((a, b) => b.total - a.total || (a.person < b.person ? -1 : 1)),
        noise: {
          rules: [...rules.entries()].map(([k, a]) => a.result(k, flapMs)).sort(worstFirst),
          fingerprints: [...fingerprints.entries()].map(([k, a]) => a.result(k, flapMs)).sort(worstFirst),
        },
      };
    },
  };
}
