import { createAnalytics, interruptionPeriod, isGroupBy, percentile, type AnalyticsOptions } from '../../../lambdas/core/insights/analytics';
import { incidentFigures } from '../../../lambdas/core/insights/figures';
import { FP_A, FP_B, FP_C, FP_D, history, TIMEZONES, WINDOW } from '../../support/insights-history';

const options = (over: Partial<AnalyticsOptions> = {}): AnalyticsOptions => ({
  ...WINDOW, groupBy: null, bucket: null, flapWindowMinutes: 30, timezones: TIMEZONES, defaultTimezone: 'UTC', ...over,
});

function analyze(over: Partial<AnalyticsOptions> = {}) {
  const a = createAnalytics(options(over));
  for (const { incident, timeline } of history()) a.add(incident, incidentFigures(incident, timeline));
  return a.result();
}

describe('incidentFigures', () => {
  it('reads the detection chain, escalations and reassignments of an incident from its timeline', () => {
    const i3 = history()[2]!;
    expect(incidentFigures(i3.incident, [...i3.timeline].reverse())).toEqual({
      incidentId: 'i3',
      firstSignalAt: '2026-03-09T11:58:00Z', openedAt: '2026-03-09T12:00:00Z',
      firstPageAt: '2026-03-09T12:00:00Z', firstNotificationAt: '2026-03-09T12:01:00Z', firstAckAt: '2026-03-09T12:20:00Z', resolvedAt: null,
      secondsToAck: 1200, secondsToResolve: null, secondsToKnow: 180,
      pages: 2, notifications: 2, highestLevel: 1, escalations: 1, reassignments: 1, snoozes: 0, autoResolved: false,
      interruptions: [
        { person: 'alice', at: '2026-03-09T12:01:00Z', type: 'sms' },
        { person: 'bob', at: '2026-03-09T12:15:10Z', type: 'email' },
      ],
    });
  });

  it('an incident resolved by its source is auto-resolved and has no acknowledgement', () => {
    const i2 = history()[1]!;
    expect(incidentFigures(i2.incident, i2.timeline)).toMatchObject({ autoResolved: true, firstAckAt: null, secondsToAck: null, secondsToResolve: 1200, secondsToKnow: 80 });
  });
});

describe('analytics over a hand-built history', () => {
  it('counts incidents, alerts, pages, notifications, suppressed, deduplicated and auto-resolved in the window', () => {
    expect(analyze().totals.counts).toEqual({
      incidents: 5, alerts: 12, pages: 6, notifications: 6, suppressed: 4, deduplicated: 3, autoResolved: 1, open: 2,
    });
  });

  it('MTTA counts a resolve without acknowledgement as the acknowledgement and leaves out open unacknowledged incidents', () => {
    // I1 300, I2 1200 (resolved unacknowledged), I3 1200, I4 600; I5 is open and unacknowledged.
    expect(analyze().totals.mtta).toEqual({ count: 4, mean: 825, p50: 600, p90: 1200, p95: 1200 });
  });

  it('MTTR over resolved incidents only; MTTK from the first raw signal to the first delivered notification', () => {
    const { mttr, mttk } = analyze().totals;
    expect(mttr).toEqual({ count: 3, mean: 3200, p50: 1200, p90: 7200, p95: 7200 });
    expect(mttk).toEqual({ count: 5, mean: 94, p50: 90, p90: 180, p95: 180 });
  });

  it('escalation rate and reassignments', () => {
    expect(analyze().totals).toMatchObject({ escalated: 1, escalationRate: 0.2, reassignments: 1 });
  });

  it('splits interruptions in each person\'s time zone, across both daylight-saving changes', () => {
    expect(analyze().interruptions).toEqual([
      // Saturday 09:00 and 09:25 EST (off hours); Monday 08:01 EDT (business: 07:01, sleep, in EST)
      { person: 'alice', timezone: 'America/New_York', business: 1, offHours: 2, sleep: 0, total: 3 },
      // Monday 13:15 CET (business); Sunday 03:30 CEST (sleep); Monday 18:30 CEST (off hours: 17:30, business, in CET)
      { person: 'bob', timezone: 'Europe/Berlin', business: 1, offHours: 1, sleep: 1, total: 3 },
    ]);
  });

  it('the noise table per rule, worst first', () => {
    expect(analyze().noise.rules).toEqual([
      { key: 'route:db-route', incidents: 3, pages: 4, acknowledgedShare: 0.6667, autoResolvedShare: 0.3333, flaps: 1, suppressed: 0, deduplicated: 2, medianSecondsOpen: 1200 },
      { key: 'route:default', incidents: 3, pages: 2, acknowledgedShare: 0.5, autoResolvedShare: 0, flaps: 0, suppressed: 4, deduplicated: 1, medianSecondsOpen: 7200 },
      // I1 and I4: tagged by the tagging rule "prod-env" (the head's taggedBy)
      { key: 'tag-rule:prod-env', incidents: 2, pages: 2, acknowledgedShare: 1, autoResolvedShare: 0, flaps: 0, suppressed: 0, deduplicated: 1, medianSecondsOpen: 1200 },
      { key: 'suppression:noisy', incidents: 1, pages: 0, acknowledgedShare: null, autoResolvedShare: null, flaps: 0, suppressed: 4, deduplicated: 0, medianSecondsOpen: null },
    ]);
  });

  it('the noise table per fingerprint, worst first', () => {
    expect(analyze().noise.fingerprints.map((r) => [r.key, r.pages, r.flaps, r.acknowledgedShare, r.suppressed, r.deduplicated, r.medianSecondsOpen])).toEqual([
      [FP_A, 4, 1, 0.6667, 0, 2, 1200],
      [FP_B, 1, 0, 1, 0, 1, 7200],
      [FP_D, 1, 0, 0, 0, 0, null],
      [FP_C, 0, 0, null, 4, 0, null],
    ]);
  });

  it('a flap needs the re-open within the window', () => {
    expect(analyze({ flapWindowMinutes: 4 }).noise.fingerprints[0]!.flaps).toBe(0);
  });

  it('groups by a field or a tag, and buckets by week (Monday, UTC)', () => {
    const bySvc = analyze({ groupBy: 'service' }).groups;
    expect(bySvc.map((g) => [g.key, g.counts.incidents, g.counts.suppressed, g.mttr.mean])).toEqual([['db', 3, 0, 1200], ['web', 2, 4, 7200]]);
    const byTag = analyze({ groupBy: 'tag:env' }).groups;
    expect(byTag.map((g) => [g.key, g.counts.incidents])).toEqual([['(none)', 2], ['=cmd|calc', 1], ['prod', 2]]);
    const weeks = analyze({ bucket: 'week' }).buckets;
    expect(weeks.map((b) => [b.start, b.counts.incidents, b.counts.suppressed])).toEqual([
      ['2026-03-02T00:00:00Z', 2, 0], ['2026-03-09T00:00:00Z', 1, 4], ['2026-03-23T00:00:00Z', 1, 0], ['2026-03-30T00:00:00Z', 1, 0],
    ]);
  });

  it('an empty window answers zeros and nulls', () => {
    const r = createAnalytics(options()).result();
    expect(r.totals).toMatchObject({ escalationRate: null, mtta: { count: 0, mean: null, p50: null, p90: null, p95: null } });
  });
});

describe('helpers', () => {
  it('nearest-rank percentiles', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(v, 50), percentile(v, 90), percentile(v, 95), percentile([7], 95), percentile([], 50)]).toEqual([5, 9, 10, 7, null]);
  });

  it.each([
    ['2026-03-06T13:00:00Z', 'Europe/Berlin', 'business'], // Friday 14:00
    ['2026-03-06T17:00:00Z', 'Europe/Berlin', 'offHours'], // Friday 18:00
    ['2026-03-06T21:00:00Z', 'Europe/Berlin', 'sleep'], // Friday 22:00
    ['2026-03-07T06:59:00Z', 'Europe/Berlin', 'sleep'], // Saturday 07:59
    ['2026-03-07T09:00:00Z', 'Europe/Berlin', 'offHours'], // Saturday 10:00
    ['2026-11-02T04:00:00Z', 'America/New_York', 'sleep'], // Sunday 23:00 EST, Monday in UTC
  ])('%s in %s is %s', (at, tz, period) => {
    expect(interruptionPeriod(at, tz)).toBe(period);
  });

  it('knows its groupBy values', () => {
    expect(['service', 'team', 'severity', 'source', 'rule', 'fingerprint', 'assignee', 'tag:env'].every(isGroupBy)).toBe(true);
    expect(['tag:', 'owner', ''].some(isGroupBy)).toBe(false);
  });
});
