/**
 * Rollups (docs/insights.md §Rollups): per UTC day of opening and per dimension value (everything, service, team,
 * severity, source; people for interruptions), the sums the analytics summary needs: counters, duration sums and
 * counts, and log-spaced histograms (ratio 1.1) of the seconds to acknowledge, resolve and know, from which the
 * percentiles are estimated within ±5 %. An incident is rolled up once, when it resolves (its figures no longer
 * change); incidents not resolved are few and read live. Pure: the adapter stores the deltas as numeric attributes
 * that it ADDs, so updates of different incidents commute.
 */
import { DateTime } from 'luxon';
import type { Incident } from '../model/incident';
import { interruptionPeriod, type AnalyticsOptions, type AnalyticsResult, type Bucket, type Counts, type DurationStats, type InterruptionRow, type Summary } from './analytics';
import type { IncidentFigures } from './figures';

/** The dimensions rolled up: `all` (one value, `all`) and four of the analytics' groupBy fields. */
export const ROLLUP_DIMENSIONS = ['all', 'service', 'team', 'severity', 'source'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];
/** Interruptions are rolled up per person (counters `business`, `offHours`, `sleep`). */
export type RollupKind = RollupDimension | 'person';
/** The analytics' groupBy values that rollups answer. */
export type RolledUpGroupBy = Exclude<RollupDimension, 'all'>;

/** Consecutive histogram bucket bounds differ by this ratio. */
export const HISTOGRAM_RATIO = 1.1;
const LN_RATIO = Math.log(HISTOGRAM_RATIO);

const COUNTERS = ['incidents', 'alerts', 'pages', 'notifications', 'suppressed', 'deduplicated', 'autoResolved', 'open'] as const satisfies ReadonlyArray<keyof Counts>;
const DURATIONS = ['mtta', 'mttr', 'mttk'] as const;
type Duration = (typeof DURATIONS)[number];

/** Attribute name -> increment: `incidents`, `escalated`, `mtta.n`, `mtta.sum`, `mtta.h37`, `business`, ... */
export type RollupValues = Record<string, number>;

/** One rollup item to add to: the incident's opening day (`YYYY-MM-DD`, UTC), a dimension and its value. */
export interface RollupUpdate {
  day: string;
  kind: RollupKind;
  value: string;
  delta: RollupValues;
}

/** A stored rollup item: the sums of every update added to it. */
export interface RollupRow {
  day: string;
  kind: RollupKind;
  value: string;
  values: RollupValues;
}

/**
 * The histogram bucket of a duration in whole seconds: 0 for 0 s, else 1 + floor(log_1.1(seconds)), so bucket b
 * holds [1.1^(b-1), 1.1^b).
 */
export function histogramBucket(seconds: number): number {
  if (seconds < 1) return 0;
  return 1 + Math.floor(Math.log(seconds) / LN_RATIO + 1e-12);
}

const estimates = new Map<number, number>();
/**
 * The value a bucket stands for: the geometric middle of the whole seconds it can hold (0.1 s precision), so every
 * whole number of seconds in the bucket is within 5 % of it (exact for buckets holding one whole number).
 */
export function bucketEstimate(bucket: number): number {
  if (bucket <= 0) return 0;
  const cached = estimates.get(bucket);
  if (cached !== undefined) return cached;
  let lo = Math.max(1, Math.ceil(HISTOGRAM_RATIO ** (bucket - 1)));
  while (histogramBucket(lo) < bucket) lo++;
  while (lo > 1 && histogramBucket(lo - 1) === bucket) lo--;
  let hi = Math.max(lo, Math.ceil(HISTOGRAM_RATIO ** bucket) - 1);
  while (hi > lo && histogramBucket(hi) > bucket) hi--;
  while (histogramBucket(hi + 1) === bucket) hi++;
  const value = Math.round(Math.sqrt(lo * hi) * 10) / 10;
  estimates.set(bucket, value);
  return value;
}

const add = (v: RollupValues, key: string, n: number) => {
  if (n !== 0) v[key] = (v[key] ?? 0) + n;
};

function addDuration(v: RollupValues, d: Duration, seconds: number | null): void {
  if (seconds === null) return;
  add(v, `${d}.n`, 1);
  add(v, `${d}.sum`, seconds);
  add(v, `${d}.h${histogramBucket(seconds)}`, 1);
}

/**
 * What one incident adds to the summary sums: the same rules as the analytics over incidents (docs/insights.md
 * §Figures; `SummaryAcc` in analytics.ts), as counters and durations.
 */
export function contributionOf(inc: Incident, f: IncidentFigures): RollupValues {
  const v: RollupValues = {};
  add(v, 'alerts', inc.alertCount);
  if (inc.status === 'suppressed') {
    add(v, 'suppressed', inc.alertCount);
    return v;
  }
  add(v, 'incidents', 1);
  add(v, 'deduplicated', Math.max(0, inc.alertCount - 1));
  add(v, 'pages', f.pages);
  add(v, 'notifications', f.notifications);
  if (f.autoResolved) add(v, 'autoResolved', 1);
  if (inc.status === 'triggered' || inc.status === 'acknowledged') add(v, 'open', 1);
  addDuration(v, 'mtta', f.secondsToAck ?? f.secondsToResolve);
  addDuration(v, 'mttr', f.secondsToResolve);
  addDuration(v, 'mttk', f.secondsToKnow);
  if (f.highestLevel > 0) add(v, 'escalated', 1);
  add(v, 'reassignments', f.reassignments);
  return v;
}

/** Each configured person's IANA time zone (people without one are left out: UTC). */
export function timezonesOf(people: ReadonlyArray<{ name: string; timezone?: string | undefined }>): Record<string, string> {
  return Object.fromEntries(people.flatMap((p) => (p.timezone ? [[p.name, p.timezone]] : [])));
}

/** The value of an incident for a dimension (as `groupKeyOf` in analytics.ts). */
export function dimensionValue(inc: Incident, kind: RollupDimension): string {
  switch (kind) {
    case 'all': return 'all';
    case 'service': return inc.route.service;
    case 'team': return inc.route.team ?? '(none)';
    case 'severity': return inc.severity;
    case 'source': return inc.source;
  }
}

/**
 * The rollup updates of one incident: its contribution to each dimension's item of its opening day, and each person
 * it interrupted (period in that person's time zone).
 */
export function rollupUpdatesOf(inc: Incident, f: IncidentFigures, timezones: Readonly<Record<string, string>>, defaultTimezone: string): RollupUpdate[] {
  const day = new Date(Date.parse(inc.openedAt)).toISOString().slice(0, 10);
  const delta = contributionOf(inc, f);
  const updates: RollupUpdate[] = ROLLUP_DIMENSIONS.map((kind) => ({ day, kind, value: dimensionValue(inc, kind), delta }));
  const people = new Map<string, RollupValues>();
  for (const i of f.interruptions) {
    let v = people.get(i.person);
    if (v === undefined) people.set(i.person, (v = {}));
    add(v, interruptionPeriod(i.at, timezones[i.person] ?? defaultTimezone), 1);
  }
  for (const [person, v] of people) updates.push({ day, kind: 'person', value: person, delta: v });
  return updates;
}

export function isRolledUpGroupBy(groupBy: string): groupBy is RolledUpGroupBy {
  return groupBy !== 'all' && (ROLLUP_DIMENSIONS as readonly string[]).includes(groupBy);
}

/** Whether a request can be answered from rollups: whole UTC days, a rolled-up groupBy (or none), no filters. */
export function fitsRollups(q: { from: string; to: string; groupBy: string | null; filters: readonly unknown[] }): boolean {
  const midnight = (iso: string) => iso.endsWith('T00:00:00.000Z');
  const endOfDay = (iso: string) => iso.endsWith('T23:59:59.000Z') || iso.endsWith('T23:59:59.999Z');
  return midnight(q.from) && (midnight(q.to) || endOfDay(q.to))
    && (q.groupBy === null || isRolledUpGroupBy(q.groupBy))
    && q.filters.every((f) => f === undefined);
}

/** The days (`YYYY-MM-DD`) a whole-day window covers: `to` at midnight ends the day before it. */
export function rollupDays(from: string, to: string): { firstDay: string; lastDay: string } {
  const lastMs = to.endsWith('T00:00:00.000Z') && to > from ? Date.parse(to) - 1 : Date.parse(to);
  return { firstDay: from.slice(0, 10), lastDay: new Date(lastMs).toISOString().slice(0, 10) };
}

function mergeInto(target: RollupValues, values: RollupValues): void {
  for (const [k, n] of Object.entries(values)) target[k] = (target[k] ?? 0) + n;
}

function estimatedStats(v: RollupValues, d: Duration): DurationStats {
  const count = v[`${d}.n`] ?? 0;
  if (count === 0) return { count: 0, mean: null, p50: null, p90: null, p95: null };
  const prefix = `${d}.h`;
  const buckets = Object.entries(v)
    .filter(([k, n]) => k.startsWith(prefix) && n > 0)
    .map(([k, n]) => [Number(k.slice(prefix.length)), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * count));
    let seen = 0;
    for (const [b, n] of buckets) if ((seen += n) >= rank) return bucketEstimate(b);
    return bucketEstimate(buckets[buckets.length - 1]![0]);
  };
  return { count, mean: Math.round(((v[`${d}.sum`] ?? 0) / count) * 10) / 10, p50: at(50), p90: at(90), p95: at(95) };
}

/** The analytics summary of summed rollup values: counts and means exact, percentiles estimated (±5 %). */
export function summaryOfValues(v: RollupValues): Summary {
  const counts = Object.fromEntries(COUNTERS.map((c) => [c, v[c] ?? 0])) as unknown as Counts;
  const escalated = v.escalated ?? 0;
  return {
    counts,
    mtta: estimatedStats(v, 'mtta'),
    mttr: estimatedStats(v, 'mttr'),
    mttk: estimatedStats(v, 'mttk'),
    escalated,
    escalationRate: counts.incidents === 0 ? null : Math.round((escalated / counts.incidents) * 10_000) / 10_000,
    reassignments: v.reassignments ?? 0,
  };
}

export type RollupAnalyticsResult = Omit<AnalyticsResult, 'noise'> & { basis: 'rollups'; noise: null };

/**
 * The analytics answer from rollup rows (of `all`, of the groupBy dimension and of `person`, for the window's days)
 * plus the updates of the incidents read live (not resolved yet). The noise table needs every incident (flaps,
 * fingerprints): `noise` is null, ask `basis=incidents` for it.
 */
export function analyticsFromRollups(
  options: Pick<AnalyticsOptions, 'from' | 'to' | 'bucket' | 'timezones' | 'defaultTimezone'> & { groupBy: RolledUpGroupBy | null },
  rows: readonly RollupRow[],
): RollupAnalyticsResult {
  const totals: RollupValues = {};
  const groups = new Map<string, RollupValues>();
  const buckets = new Map<string, RollupValues>();
  const people = new Map<string, RollupValues>();
  const bucketStart = (day: string, bucket: Bucket) => DateTime.fromISO(day, { zone: 'utc' }).startOf(bucket).toISO({ suppressMilliseconds: true }) ?? day;
  const into = (m: Map<string, RollupValues>, key: string, v: RollupValues) => {
    let t = m.get(key);
    if (t === undefined) m.set(key, (t = {}));
    mergeInto(t, v);
  };
  for (const r of rows) {
    if (r.kind === 'all') {
      mergeInto(totals, r.values);
      if (options.bucket) into(buckets, bucketStart(r.day, options.bucket), r.values);
    } else if (r.kind === 'person') into(people, r.value, r.values);
    else if (r.kind === options.groupBy) into(groups, r.value, r.values);
  }
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const interruptions: InterruptionRow[] = sorted(people).map(([person, v]) => {
    const [business, offHours, sleep] = [v.business ?? 0, v.offHours ?? 0, v.sleep ?? 0];
    return { person, timezone: options.timezones[person] ?? options.defaultTimezone, business, offHours, sleep, total: business + offHours + sleep };
  }).sort((a, b) => b.total - a.total || (a.person < b.person ? -1 : 1));
  return {
    from: options.from,
    to: options.to,
    groupBy: options.groupBy,
    bucket: options.bucket,
    basis: 'rollups',
    totals: summaryOfValues(totals),
    groups: sorted(groups).map(([key, v]) => ({ key, ...summaryOfValues(v) })),
    buckets: sorted(buckets).map(([start, v]) => ({ start, ...summaryOfValues(v) })),
    interruptions,
    noise: null,
  };
}

/** Rows of live incidents' updates (summed per item), to merge with the stored rows. */
export function rowsOfUpdates(updates: readonly RollupUpdate[]): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const u of updates) {
    const key = `${u.kind}|${u.day}|${u.value}`;
    let r = rows.get(key);
    if (r === undefined) rows.set(key, (r = { day: u.day, kind: u.kind, value: u.value, values: {} }));
    mergeInto(r.values, u.delta);
  }
  return [...rows.values()];
}
