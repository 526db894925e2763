import { createAnalytics, type AnalyticsResult, type DurationStats } from '../../../lambdas/core/insights/analytics';
import { incidentFigures } from '../../../lambdas/core/insights/figures';
import {
  analyticsFromRollups, bucketEstimate, fitsRollups, histogramBucket, rollupDays, rollupUpdatesOf, rowsOfUpdates, type RolledUpGroupBy,
} from '../../../lambdas/core/insights/rollup';
import { history, TIMEZONES, WINDOW } from '../../support/insights-history';

const from = new Date(WINDOW.from).toISOString();
const to = new Date(WINDOW.to).toISOString();

function exact(groupBy: RolledUpGroupBy | null, bucket: 'day' | 'week' | 'month' | null): AnalyticsResult {
  const a = createAnalytics({ from, to, groupBy, bucket, flapWindowMinutes: 30, timezones: TIMEZONES, defaultTimezone: 'UTC' });
  for (const { incident, timeline } of history()) a.add(incident, incidentFigures(incident, timeline));
  return a.result();
}

/** Resolved incidents as stored rollup rows, the others as live updates: what the API does. */
function fromRollups(groupBy: RolledUpGroupBy | null, bucket: 'day' | 'week' | 'month' | null) {
  const { firstDay, lastDay } = rollupDays(from, to);
  const updates = history()
    .filter(({ incident }) => incident.openedAt.slice(0, 10) >= firstDay && incident.openedAt.slice(0, 10) <= lastDay)
    .flatMap(({ incident, timeline }) => rollupUpdatesOf(incident, incidentFigures(incident, timeline), TIMEZONES, 'UTC'));
  return analyticsFromRollups({ from, to, groupBy, bucket, timezones: TIMEZONES, defaultTimezone: 'UTC' }, rowsOfUpdates(updates));
}

const within5 = (estimate: DurationStats, truth: DurationStats) => {
  expect(estimate.count).toBe(truth.count);
  expect(estimate.mean).toBe(truth.mean); // sums are exact
  for (const p of ['p50', 'p90', 'p95'] as const) {
    if (truth[p] === null) expect(estimate[p]).toBeNull();
    else expect(Math.abs(estimate[p]! - truth[p]!)).toBeLessThanOrEqual(0.05 * truth[p]!);
  }
};

describe('log-spaced histogram (ratio 1.1)', () => {
  it('estimates every whole number of seconds up to a day, and every 7th up to 30 days, within 5 %; small ones exactly', () => {
    let worst = 0;
    for (let v = 1; v <= 30 * 86_400; v += v < 86_400 ? 1 : 7) worst = Math.max(worst, Math.abs(bucketEstimate(histogramBucket(v)) - v) / v);
    expect(worst).toBeLessThanOrEqual(0.05);
    expect([0, 1, 2, 5, 10].map((v) => bucketEstimate(histogramBucket(v)))).toEqual([0, 1, 2, 5, 10]);
    expect(histogramBucket(86_400 * 365)).toBeLessThan(400); // a year needs fewer than 400 buckets
  });
});

describe('analytics from rollups agree with analytics over incidents (hand-built history)', () => {
  it.each([
    [null, null], ['service', 'month'], ['team', 'week'], ['severity', 'day'], ['source', null],
  ] as Array<[RolledUpGroupBy | null, 'day' | 'week' | 'month' | null]>)('groupBy %s, bucket %s: counts, means and interruptions exact, percentiles within 5 %', (groupBy, bucket) => {
    const truth = exact(groupBy, bucket);
    const est = fromRollups(groupBy, bucket);
    expect(est.basis).toBe('rollups');
    const summaries = [[est.totals, truth.totals], ...est.groups.map((g, i) => [g, truth.groups[i]!]), ...est.buckets.map((b, i) => [b, truth.buckets[i]!])] as const;
    expect(est.groups.map((g) => g.key)).toEqual(truth.groups.map((g) => g.key));
    expect(est.buckets.map((b) => b.start)).toEqual(truth.buckets.map((b) => b.start));
    for (const [e, t] of summaries) {
      expect(e.counts).toEqual(t.counts);
      expect([e.escalated, e.escalationRate, e.reassignments]).toEqual([t.escalated, t.escalationRate, t.reassignments]);
      within5(e.mtta, t.mtta);
      within5(e.mttr, t.mttr);
      within5(e.mttk, t.mttk);
    }
    expect(est.interruptions).toEqual(truth.interruptions);
    expect(est.noise).toBeNull();
  });

  it('the totals written in the analytics test, from rollups', () => {
    const { totals } = fromRollups(null, null);
    expect(totals.counts).toEqual({ incidents: 5, alerts: 12, pages: 6, notifications: 6, suppressed: 4, deduplicated: 3, autoResolved: 1, open: 2 });
    // Exact over incidents: p50 600, p90 1200, p95 1200 (MTTA); 1200, 7200, 7200 (MTTR). The means are exact.
    expect(totals.mtta).toEqual({ count: 4, mean: 825, p50: 622.3, p90: 1212.7, p95: 1212.7 });
    expect(totals.mttr).toEqual({ count: 3, mean: 3200, p50: 1212.7, p90: 7416.6, p95: 7416.6 });
  });
});

describe('which requests rollups answer', () => {
  it.each([
    ['whole days, no groupBy', { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', groupBy: null, filters: [] }, true],
    ['to at the end of a day', { from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T23:59:59.000Z', groupBy: 'service', filters: [] }, true],
    ['from inside a day', { from: '2026-03-01T06:00:00.000Z', to: '2026-04-01T00:00:00.000Z', groupBy: null, filters: [] }, false],
    ['groupBy not rolled up', { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', groupBy: 'fingerprint', filters: [] }, false],
    ['groupBy tag', { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', groupBy: 'tag:env', filters: [] }, false],
    ['a filter', { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', groupBy: null, filters: ['db'] }, false],
  ])('%s', (_name, q, fits) => {
    expect(fitsRollups(q)).toBe(fits);
  });

  it('a window ending at midnight ends the day before', () => {
    expect(rollupDays('2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z')).toEqual({ firstDay: '2026-03-01', lastDay: '2026-03-31' });
    expect(rollupDays('2026-03-01T00:00:00.000Z', '2026-03-31T23:59:59.999Z')).toEqual({ firstDay: '2026-03-01', lastDay: '2026-03-31' });
  });
});
