import { planIncidentChanges, RECENT_MESSAGES_MAX, ALERT_LOG_MAX, incidentIdOf } from '../../lambdas/core/deduplicate';
import { cloneIncident } from '../../lambdas/core/model/incident';
import type { Incident } from '../../lambdas/core/model/incident';
import { alert, evaluated, NOW, NOW_MS } from '../support/builders';

/** Applies a plan to a tiny in-memory history (what the store would do). */
function apply(history: Incident[], plan: ReturnType<typeof planIncidentChanges>): Incident[] {
  const next = history.map((i) => (plan.update && plan.update.after.id === i.id ? plan.update.after : i));
  return [...next, ...plan.creates];
}

function run(steps: Array<ReturnType<typeof evaluated>[]>): { history: Incident[]; plans: ReturnType<typeof planIncidentChanges>[] } {
  let history: Incident[] = [];
  const plans = [];
  for (const batch of steps) {
    const sorted = [...history].sort((a, b) => b.seq - a.seq);
    const plan = planIncidentChanges(sorted[0] ?? null, batch, NOW, NOW_MS, sorted.slice(1, 2));
    plans.push(plan);
    history = apply(history, plan);
  }
  return { history, plans };
}

describe('planIncidentChanges', () => {
  it('opens a triggered incident for the first alert of a fingerprint and pages', () => {
    const { history, plans } = run([[evaluated(alert({ key: 'a1' }))]]);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ seq: 1, status: 'triggered', alertCount: 1, escalation: 'pending', severity: 'sev2' });
    expect(plans[0]!.pages.map((p) => p.id)).toEqual([history[0]!.id]);
    expect(plans[0]!.outcomes[0]).toMatchObject({ outcome: 'opened', reason: 'new-incident' });
    expect(history[0]!.description).toContain('Alert at the source: https://eu-west-1.console.aws.amazon.com/');
  });

  it.each([
    ['a second alert joins the open incident without a page', [['a1'], ['a2']], { incidents: 1, count: 2, pages: [1, 0] }],
    ['the same delivery in two messages of one batch counts once', [['a1', 'a1']], { incidents: 1, count: 1, pages: [1] }],
    ['three alerts in one batch open one incident counted three times', [['a1', 'a2', 'a3']], { incidents: 1, count: 3, pages: [1] }],
  ])('%s', (_name, batches, expected) => {
    const { history, plans } = run(batches.map((keys) => keys.map((k) => evaluated(alert({ key: k })))));
    expect(history).toHaveLength(expected.incidents);
    expect(history[0]!.alertCount).toBe(expected.count);
    expect(plans.map((p) => p.pages.length)).toEqual(expected.pages);
  });

  it('counts a redelivered message once (its key is in the incident idempotency ring)', () => {
    const a = evaluated(alert({ key: 'a1' }));
    const { history, plans } = run([[a], [evaluated(alert({ key: 'a2' }))], [a]]);
    expect(history[0]!.alertCount).toBe(2);
    expect(plans[2]!.outcomes[0]).toMatchObject({ outcome: 'duplicate', reason: 'duplicate-delivery' });
    expect(plans[2]!.update).toBeNull();
  });

  it('resolves on OK and the next ALARM opens a new incident (seq 2)', () => {
    const { history, plans } = run([
      [evaluated(alert({ key: 'alarm-1', at: '2024-06-10T14:03:00.000Z' }))],
      [evaluated(alert({ key: 'ok-1', action: 'resolve', at: '2024-06-10T14:20:00.000Z' }))],
      [evaluated(alert({ key: 'alarm-2', at: '2024-06-10T15:00:00.000Z' }))],
    ]);
    expect(history.map((i) => [i.seq, i.status])).toEqual([[1, 'resolved'], [2, 'triggered']]);
    expect(history[0]!.resolvedBy).toBe('source:cloudwatch');
    expect(plans[1]!.settled.map((s) => s.status)).toEqual(['resolved']);
    expect(plans[2]!.pages).toHaveLength(1);
  });

  it('orders one batch by time: ALARM then OK in the same batch opens and resolves', () => {
    const { history } = run([[
      evaluated(alert({ key: 'ok', action: 'resolve', at: '2024-06-10T14:20:00.000Z' })),
      evaluated(alert({ key: 'alarm', at: '2024-06-10T14:03:00.000Z' })),
    ]]);
    expect(history).toHaveLength(1);
    expect(history[0]!.status).toBe('resolved');
  });

  it.each([
    ['a resolve with no incident', [], 'resolve-without-open-incident'],
    ['an acknowledge with no incident', [], 'acknowledge-without-open-incident'],
  ])('ignores %s, with a reason', (_n, _h, reason) => {
    const action = reason.startsWith('resolve') ? 'resolve' : 'acknowledge';
    const { history, plans } = run([[evaluated(alert({ key: 'x', action }))]]);
    expect(history).toHaveLength(0);
    expect(plans[0]!.outcomes[0]).toMatchObject({ outcome: 'ignored', reason, incidentId: null });
  });

  it('ignores a resolve older than the alert that opened the incident (out-of-order delivery)', () => {
    const { history, plans } = run([
      [evaluated(alert({ key: 'alarm', at: '2024-06-10T15:00:00.000Z' }))],
      [evaluated(alert({ key: 'old-ok', action: 'resolve', at: '2024-06-10T14:00:00.000Z' }))],
    ]);
    expect(history[0]!.status).toBe('triggered');
    expect(plans[1]!.outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'stale-state-change' });
  });

  it('ignores a resolve older than the opening alert on a head written before state-change times (stale-resolve)', () => {
    const { history } = run([[evaluated(alert({ key: 'alarm', at: '2024-06-10T15:00:00.000Z' }))]]);
    const { lastStateChangeAt: _dropped, ...legacy } = history[0]!;
    const plan = planIncidentChanges(legacy, [evaluated(alert({ key: 'old-ok', action: 'resolve', at: '2024-06-10T14:00:00.000Z' }))], NOW, NOW_MS);
    expect(plan.settled).toEqual([]);
    expect(plan.outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'stale-resolve' });
  });

  describe('the newest state change of a source wins across batches (stale-state-change)', () => {
    const T = (seconds: number) => new Date(Date.parse('2024-06-10T14:00:00.000Z') + seconds * 1000).toISOString();
    const sources = [['cloudwatch'], ['events-v2'], ['alertmanager'], ['webhook']] as const;

    it.each(sources)('%s: a late trigger older than the resolve that closed the incident opens nothing and pages nobody', (source) => {
      const { history, plans } = run([
        [evaluated(alert({ source, key: 'alarm-t', at: T(0) }))],
        [evaluated(alert({ source, key: 'ok-t10', action: 'resolve', at: T(10) }))],
        [evaluated(alert({ source, key: 'alarm-t5', at: T(5) }))],
      ]);
      expect(history.map((i) => i.status)).toEqual(['resolved']);
      expect(plans[2]!.pages).toEqual([]);
      expect(plans[2]!.creates).toEqual([]);
      expect(plans[2]!.outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'stale-state-change', incidentId: null });
      expect(plans[2]!.outcomes[0]!.trace.at(-1)).toMatchObject({
        stage: 'deduplicate', outcome: 'stale', data: { lastStateChangeAt: T(10), occurredAt: T(5), incidentId: history[0]!.id },
      });
    });

    it.each(sources)('%s: a late resolve older than the latest trigger leaves the incident open', (source) => {
      const { history, plans } = run([
        [evaluated(alert({ source, key: 'alarm-t', at: T(0) }))],
        [evaluated(alert({ source, key: 'alarm-t20', at: T(20) }))],
        [evaluated(alert({ source, key: 'ok-t10', action: 'resolve', at: T(10) }))],
      ]);
      expect(history.map((i) => i.status)).toEqual(['triggered']);
      expect(plans[2]!.settled).toEqual([]);
      expect(plans[2]!.outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'stale-state-change' });
    });

    it('a state change at the same time is not stale (Alertmanager repeats a firing alert with its startsAt)', () => {
      const { history, plans } = run([
        [evaluated(alert({ source: 'alertmanager', key: 'firing-1', at: T(0) }))],
        [evaluated(alert({ source: 'alertmanager', key: 'firing-2', at: T(0) }))],
      ]);
      expect(history[0]).toMatchObject({ status: 'triggered', alertCount: 2, lastStateChangeAt: T(0) });
      expect(plans[1]!.outcomes[0]).toMatchObject({ outcome: 'joined' });
    });

    it('a resolve that finds no open incident still moves the state forward (the incident was resolved by hand)', () => {
      let { history } = run([[evaluated(alert({ key: 'alarm-t', at: T(0) }))]]);
      history = [{ ...history[0]!, status: 'resolved', resolvedAt: NOW, resolvedBy: 'api:alice', version: history[0]!.version + 1 }];
      const okPlan = planIncidentChanges(history[0]!, [evaluated(alert({ key: 'ok-t10', action: 'resolve', at: T(10) }))], NOW, NOW_MS);
      expect(okPlan.outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'resolve-without-open-incident' });
      expect(okPlan.update?.after).toMatchObject({ status: 'resolved', lastStateChangeAt: T(10) });
      const late = planIncidentChanges(okPlan.update!.after, [evaluated(alert({ key: 'alarm-t5', at: T(5) }))], NOW, NOW_MS);
      expect(late.creates).toEqual([]);
      expect(late.outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'stale-state-change' });
    });

    it('a new incident carries the state-change time on, and a newer alarm still opens it', () => {
      const { history, plans } = run([
        [evaluated(alert({ key: 'alarm-t', at: T(0) }))],
        [evaluated(alert({ key: 'ok-t10', action: 'resolve', at: T(10) }))],
        [evaluated(alert({ key: 'insufficient-t30', action: 'info', at: T(30) }))],
        [evaluated(alert({ key: 'ok-t25', action: 'resolve', at: T(25) }))],
        [evaluated(alert({ key: 'alarm-t40', at: T(40) }))],
      ]);
      expect(plans[3]!.outcomes[0]).toMatchObject({ outcome: 'ignored', reason: 'stale-state-change' });
      expect(history.map((i) => [i.seq, i.status, i.lastStateChangeAt])).toEqual([
        [1, 'resolved', T(10)], [2, 'suppressed', T(30)], [3, 'triggered', T(40)],
      ]);
    });

    it('Threat Stack alerts are events, not states: an older alert still joins', () => {
      const { history, plans } = run([
        [evaluated(alert({ source: 'threatstack', key: 'ts-2', at: T(20) }))],
        [evaluated(alert({ source: 'threatstack', key: 'ts-1', at: T(0) }))],
      ]);
      expect(history[0]).toMatchObject({ status: 'triggered', alertCount: 2 });
      expect(history[0]!.lastStateChangeAt).toBeUndefined();
      expect(plans[1]!.outcomes[0]).toMatchObject({ outcome: 'joined' });
    });
  });

  it('records INSUFFICIENT_DATA on an open incident without paging or resolving', () => {
    const { history, plans } = run([
      [evaluated(alert({ key: 'alarm' }))],
      [evaluated(alert({ key: 'insufficient', action: 'info', at: '2024-06-10T14:04:00.000Z' }))],
    ]);
    expect(history[0]).toMatchObject({ status: 'triggered', alertCount: 1 });
    expect(plans[1]!.timeline.map((t) => t.type)).toEqual(['info']);
    expect(plans[1]!.pages).toHaveLength(0);
  });

  it('opens a suppressed, non-paging incident for INSUFFICIENT_DATA with no open incident; the next ALARM pages', () => {
    const { history, plans } = run([
      [evaluated(alert({ key: 'insufficient', action: 'info' }))],
      [evaluated(alert({ key: 'alarm', at: '2024-06-10T14:10:00.000Z' }))],
    ]);
    expect(history.map((i) => i.status)).toEqual(['suppressed', 'triggered']);
    expect(history[0]!.suppressionReason).toMatch(/insufficient-data/);
    expect(history[0]!.suppressedBy).toBe('insufficient-data'); // counted per rule by the analytics' noise table
    expect(history[1]!.suppressedBy).toBeUndefined();
    expect(history[0]!.escalation).toBe('none');
    expect(plans.map((p) => p.pages.length)).toEqual([0, 1]);
  });

  it('records on the head which tagging rules matched the first alert (counted per rule in the noise table)', () => {
    const first = evaluated(alert({ key: 't1' }));
    first.evaluation.trace = [
      ...first.evaluation.trace,
      { stage: 'classify', outcome: 'tagged', reason: 'tagging rule "prod-env" matched', data: { rule: 'prod-env', when: 'true', tags: { env: 'prod' } } },
      { stage: 'classify', outcome: 'tagged', reason: 'tagging rule "db-team" matched', data: { rule: 'db-team', when: 'true', tags: { team: 'db' } } },
    ];
    const { history } = run([[first], [evaluated(alert({ key: 't2' }))]]);
    expect(history[0]!.taggedBy).toEqual(['prod-env', 'db-team']);
    const { history: untagged } = run([[evaluated(alert({ key: 'u1' }))]]);
    expect(untagged[0]!.taggedBy).toBeUndefined(); // no field when no tagging rule matched: the head stays small
  });

  it('suppressed alerts share one suppressed incident and never page', () => {
    const s = { reason: 'suppressed-by-rule: noisy', rule: 'noisy' };
    const { history, plans } = run([
      [evaluated(alert({ key: 's1' }), undefined, s)],
      [evaluated(alert({ key: 's2' }), undefined, s)],
    ]);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'suppressed', alertCount: 2, suppressionReason: s.reason, suppressedBy: 'noisy' });
    expect(plans.flatMap((p) => p.pages)).toHaveLength(0);
  });

  it('an acknowledge from the source acknowledges a triggered incident and settles escalation', () => {
    const { history, plans } = run([[evaluated(alert({ key: 't' }))], [evaluated(alert({ key: 'ack', action: 'acknowledge', at: '2024-06-10T14:04:00.000Z' }))]]);
    expect(history[0]).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'source:cloudwatch' });
    expect(plans[1]!.settled).toHaveLength(1);
  });

  it('bounds the idempotency ring and the alert log', () => {
    const batches = Array.from({ length: RECENT_MESSAGES_MAX + ALERT_LOG_MAX }, (_, i) => [evaluated(alert({ key: `k${i}` }))]);
    const { history, plans } = run(batches);
    expect(history[0]!.recentMessages).toHaveLength(RECENT_MESSAGES_MAX);
    expect(history[0]!.alertCount).toBe(batches.length);
    expect(plans.flatMap((p) => p.alertLog)).toHaveLength(ALERT_LOG_MAX);
    expect(history[0]!.alertsLogged).toBe(ALERT_LOG_MAX);
  });

  it('increments the version of the incident it updates and derives ids from fingerprint and seq', () => {
    const { history, plans } = run([[evaluated(alert({ key: 'a' }))], [evaluated(alert({ key: 'b' }))]]);
    expect(plans[1]!.update!.before.version).toBe(0);
    expect(history[0]!.version).toBe(1);
    expect(history[0]!.id).toBe(incidentIdOf(history[0]!.fingerprint, 1));
  });

  it('treats a message applied to the previous incident as a duplicate (resolve-then-reopen redelivery)', () => {
    const ok = evaluated(alert({ key: 'ok', action: 'resolve', at: '2024-06-10T14:20:00.000Z' }));
    const { history, plans } = run([
      [evaluated(alert({ key: 'alarm-1', at: '2024-06-10T14:00:00.000Z' }))],
      [ok],
      [evaluated(alert({ key: 'alarm-2', at: '2024-06-10T14:30:00.000Z' }))],
      [ok],
    ]);
    expect(history.map((i) => i.status)).toEqual(['resolved', 'triggered']);
    expect(plans[3]!.outcomes[0]!.outcome).toBe('duplicate');
  });

  it('every outcome carries a decision trace from fingerprint to deduplicate', () => {
    const { plans } = run([[evaluated(alert({ key: 'a' }))]]);
    expect(plans[0]!.outcomes[0]!.trace.map((s) => s.stage)).toEqual(['fingerprint', 'classify', 'route', 'suppress', 'deduplicate']);
  });

  describe('rules from the evaluation', () => {
    const withEval = (e: ReturnType<typeof evaluated>, over: Partial<ReturnType<typeof evaluated>['evaluation']>) => ({ ...e, evaluation: { ...e.evaluation, ...over } });

    it('a dedup window closes an incident whose last alert is too old and opens a new one', () => {
      const { history, plans } = run([
        [withEval(evaluated(alert({ key: 'a', at: '2024-06-10T14:00:00.000Z' })), { windowMinutes: 30 })],
        [withEval(evaluated(alert({ key: 'b', at: '2024-06-10T14:20:00.000Z' })), { windowMinutes: 30 })],
        [withEval(evaluated(alert({ key: 'c', at: '2024-06-10T15:00:00.000Z' })), { windowMinutes: 30 })],
      ]);
      expect(history.map((i) => [i.seq, i.status, i.alertCount])).toEqual([[1, 'resolved', 2], [2, 'triggered', 1]]);
      expect(history[0]!.resolvedBy).toBe('pipeline:dedup-window');
      expect(plans[2]!.pages).toHaveLength(1);
      expect(plans[2]!.settled.map((i) => i.id)).toEqual([history[0]!.id]);
    });

    it('keeps the hold of a delay rule on the incident it opens', () => {
      const { history } = run([[withEval(evaluated(alert({ key: 'a' })), { holdMinutes: 10 })]]);
      expect(history[0]!.holdMinutes).toBe(10);
    });

    it('an incident opened in a maintenance window remembers when the window ends, and an OK resolves it', () => {
      const m = { reason: 'maintenance: db-patching', rule: 'maintenance:db-patching', until: '2024-06-10T15:00:00.000Z' };
      const { history, plans } = run([
        [evaluated(alert({ key: 'a' }), undefined, m)],
        [evaluated(alert({ key: 'ok', action: 'resolve', at: '2024-06-10T14:30:00.000Z' }))],
      ]);
      expect(plans[0]!.creates[0]).toMatchObject({ status: 'suppressed', suppressedUntil: m.until, escalation: 'none' });
      expect(history[0]).toMatchObject({ status: 'resolved', suppressedUntil: null });
      expect(plans[1]!.settled).toHaveLength(0);
    });

    it('a paging alert after a maintenance incident opens a new incident and disarms the old one', () => {
      const m = { reason: 'maintenance: w', rule: 'maintenance:w', until: '2024-06-10T15:00:00.000Z' };
      const { history } = run([
        [evaluated(alert({ key: 'a' }), undefined, m)],
        [evaluated(alert({ key: 'b', at: '2024-06-10T16:00:00.000Z' }))],
      ]);
      expect(history.map((i) => [i.status, i.suppressedUntil])).toEqual([['suppressed', null], ['triggered', null]]);
    });
  });
});

describe('the incident planned against is copied, not changed', () => {
  it('cloneIncident copies every object-valued field (a new nested field must be copied too)', () => {
    const opened = planIncidentChanges(null, [evaluated(alert({ key: 'c1', fp: 'fp-clone' }))], NOW, NOW_MS).creates[0]!;
    const inc: Incident = { ...opened, inhibitedBy: 'inc-x-1', lastStateChangeAt: NOW };
    const copy = cloneIncident(inc);
    expect(copy).toEqual(inc);
    for (const [key, value] of Object.entries(inc)) {
      if (value !== null && typeof value === 'object') expect([key, (copy as unknown as Record<string, unknown>)[key] !== value]).toEqual([key, true]);
    }
    // The ring's entries are read-only tuples (RingEntry), shared by the copy; the ring itself is copied (above).
    expect(copy.recentMessages[0]).toBe(inc.recentMessages[0]);
  });

  it('cloneIncident gives every field of the incident, optional ones and fields it does not know included', () => {
    const opened = planIncidentChanges(null, [evaluated(alert({ key: 'c2', fp: 'fp-clone-all' }))], NOW, NOW_MS).creates[0]!;
    // Required<Incident>: a new field of Incident must be added here, so the copy is checked with it.
    const full: Required<Incident> = {
      ...opened, suppressedBy: 'rule-x', taggedBy: ['tag-rule'], lastStateChangeAt: NOW, inhibitedBy: 'inc-x-1', inhibitionReleasedAt: NOW,
    };
    for (const inc of [opened, full, { ...full, futureField: { a: 1 } }, { ...opened, holdMinutes: undefined }, { ...full, taggedBy: undefined }] as Incident[]) {
      const copy = cloneIncident(inc);
      expect(copy).toStrictEqual({ ...inc });
      expect(Object.keys(copy).sort()).toEqual(Object.keys(inc).sort());
    }
  });

  it('planning leaves the latest incident as it was', () => {
    const latest = planIncidentChanges(null, [evaluated(alert({ key: 'l1', fp: 'fp-keep' }))], NOW, NOW_MS).creates[0]!;
    const before = JSON.parse(JSON.stringify(latest));
    planIncidentChanges(latest, [evaluated(alert({ key: 'l2', fp: 'fp-keep' }), 'm2'), evaluated(alert({ key: 'l3', fp: 'fp-keep', action: 'resolve' }), 'm3')], NOW, NOW_MS + 1);
    expect(latest).toEqual(before);
  });
});
