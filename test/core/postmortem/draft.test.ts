import { DEFAULT_TEMPLATE } from '../../../lambdas/core/postmortem/config';
import { draftPostmortem, nonEventWindow } from '../../../lambdas/core/postmortem/draft';
import { T0, at, delayed, delayedAlerts, later, laterAlerts, main, mainAlerts, mainTimeline, maintenance, related, suppressed, suppressedAlerts } from './fixtures';

const NOW = '2026-11-20T12:00:00.000Z';
const window = nonEventWindow(main, 60, NOW);
const draft = () => draftPostmortem({
  incident: main, timeline: mainTimeline, alerts: mainAlerts,
  neighbours: [{ incident: main, alerts: mainAlerts }, { incident: suppressed, alerts: suppressedAlerts }, { incident: maintenance, alerts: [] }, { incident: delayed, alerts: delayedAlerts }, { incident: later, alerts: laterAlerts }],
  related, template: { ...DEFAULT_TEMPLATE, checklists: ['release'] }, checklists: [{ name: 'release', items: ['Runbook updated', 'Status page closed'] }],
  window, nowIso: NOW, by: 'alice',
});

describe('draftPostmortem (hand-built incident, fixed clock)', () => {
  it('searches from an hour before the first signal to an hour after the resolve', () => {
    expect(window).toEqual({ from: at(-62), to: at(100) });
  });

  it('measures detection from the first raw signal: signal -> page -> ack -> resolve', () => {
    expect(draft().facts.detection).toEqual({
      firstSignalAt: at(-2), openedAt: T0, firstPageAt: T0, firstNotificationAt: at(1), firstAckAt: at(7), resolvedAt: at(40),
      signalToPageSeconds: 120, pageToAckSeconds: 420, signalToAckSeconds: 540, signalToResolveSeconds: 2520, heldBy: null,
    });
  });

  it('lists the full timeline, alerts and events, oldest first', () => {
    expect(draft().facts.timeline.map((l) => [l.at, l.kind])).toEqual([
      [at(-2), 'alert'], [T0, 'opened'], [T0, 'page'], [at(1), 'notification'], [at(3), 'alert'], [at(7), 'acknowledged'], [at(20), 'note'], [at(40), 'resolved'],
    ]);
    expect(draft().facts.timeline[4]!.text).toBe('trigger: ALARM: checkout-5xx (joined open incident inc-main)');
  });

  it('lists the non-events of the service in the window, each with its rule and reason', () => {
    expect(draft().facts.nonEvents.map((n) => [n.at, n.kind, n.incidentId, n.rule, n.alsoCounted ?? 0])).toEqual([
      [at(-10), 'suppressed', 'inc-canary', 'checkout-canary', 0],
      [at(3), 'deduplicated', 'inc-main', 'identity:AlarmArn', 2],
      [at(5), 'maintenance', 'inc-db', 'maintenance:db-upgrade', 2],
      [at(15), 'delayed', 'inc-latency', 'hold-latency', 0],
      [at(16), 'deduplicated', 'inc-latency', 'latency-group', 0],
    ]);
    expect(draft().facts.nonEvents[0]!.reason).toBe('suppression rule "checkout-canary" matched: canary noise');
    expect(draft().facts.nonEvents[2]!.reason).toBe('maintenance: db-upgrade: planned');
  });

  it('lists related incidents of the previous 30 days, same fingerprint first', () => {
    expect(draft().facts.related.map((r) => [r.id, r.match])).toEqual([['inc-old-fp', 'fingerprint'], ['inc-old-svc', 'service']]);
  });

  it('starts a draft at version 1 with the template sections, checklists and a revision by its author', () => {
    const pm = draft();
    expect(pm.sections.map((s) => s.id)).toEqual(['summary', 'impact', 'detection', 'response', 'recovery', 'timeline', 'contributing-factors', 'went-well', 'went-badly', 'got-lucky', 'action-items']);
    expect(pm.checklists).toEqual([{ name: 'release', items: [{ id: '1', text: 'Runbook updated', done: false }, { id: '2', text: 'Status page closed', done: false }] }]);
    expect([pm.status, pm.version, pm.history]).toEqual(['draft', 1, [{ version: 1, at: NOW, by: 'alice', changes: ['created'] }]]);
  });

  it('names the delay rule that held the first page', () => {
    const pm = draftPostmortem({
      incident: delayed, timeline: [], alerts: delayedAlerts, neighbours: [], related: [], template: DEFAULT_TEMPLATE, checklists: [],
      window: nonEventWindow(delayed, 60, NOW), nowIso: NOW, by: 'x',
    });
    expect(pm.facts.detection.heldBy).toEqual({ rule: 'hold-latency', minutes: 5 });
  });
});
