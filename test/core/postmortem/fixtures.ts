/** A hand-built incident history around one checkout incident, with a fixed clock (docs/postmortems.md example). */
import type { AlertRecord, Incident, TimelineEvent } from '../../../lambdas/core/model/incident';
import { step, type TraceStep } from '../../../lambdas/core/model/trace';
import type { Fingerprint } from '../../../lambdas/core/fingerprint';

const fpOf = (s: string) => s as unknown as Fingerprint;

export const T0 = '2026-11-20T10:00:00.000Z';
export const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

export function incident(id: string, over: Partial<Incident> = {}): Incident {
  const openedAt = over.openedAt ?? T0;
  const summary = { deliveryKey: `${id}-a1`, title: over.title ?? 'ALARM: checkout-5xx', action: 'trigger' as const, occurredAt: openedAt, receivedAt: openedAt };
  return {
    id, fingerprint: over.fingerprint ?? fpOf(`fp-${id}`), seq: 1, status: 'resolved', version: 3, title: 'ALARM: checkout-5xx', description: '',
    source: 'cloudwatch', severity: 'sev1', tags: {}, route: { service: 'checkout', team: 'payments', escalationPolicy: 'payments', rule: 'checkout-route' },
    alertUrl: null, resource: null, openedAt, lastSeenAt: openedAt, updatedAt: openedAt, acknowledgedAt: null, acknowledgedBy: null,
    resolvedAt: null, resolvedBy: null, suppressionReason: null, suppressedUntil: null, holdMinutes: null, snoozedUntil: null, assignee: null,
    escalation: 'none', escalationRun: 0, escalationStep: -1, alertCount: 1, alertsLogged: 1, firstAlert: summary, lastAlert: summary, recentMessages: [],
    ...over,
  };
}

export function alertRecord(incidentId: string, occurredAt: string, steps: TraceStep[], title = 'ALARM: checkout-5xx'): AlertRecord {
  return {
    incidentId, deliveryKey: `${incidentId}-${occurredAt}`, messageKey: `m-${occurredAt}`, source: 'cloudwatch', action: 'trigger', title,
    occurredAt, receivedAt: occurredAt, alertUrl: null, archiveKey: 'raw/x.json', trace: { steps },
  };
}

const fp = step('fingerprint', 'computed', 'fingerprint from AlarmArn', { inputs: { AlarmArn: 'arn:checkout-5xx' } });

/** The incident under review: signal at T0-2 min, opened T0, paged T0+0, notified T0+1, acked T0+7, resolved T0+40. */
export const main = incident('inc-main', {
  fingerprint: fpOf('fp-checkout'),
  firstAlert: { deliveryKey: 'd1', title: 'ALARM: checkout-5xx', action: 'trigger', occurredAt: at(-2), receivedAt: T0 },
  acknowledgedAt: at(7), acknowledgedBy: 'alice', resolvedAt: at(40), resolvedBy: 'alice', alertCount: 4, alertsLogged: 2,
});
export const mainAlerts = [
  alertRecord('inc-main', at(-2), [fp, step('suppress', 'none', 'no suppression rule matched'), step('deduplicate', 'new-incident', 'opened incident inc-main', { incidentId: 'inc-main', pages: true })]),
  alertRecord('inc-main', at(3), [fp, step('deduplicate', 'joined', 'joined open incident inc-main', { incidentId: 'inc-main' })]),
];
export const mainTimeline: TimelineEvent[] = [
  { incidentId: 'inc-main', at: T0, type: 'opened', actor: 'pipeline', message: 'Opened by ALARM: checkout-5xx' },
  { incidentId: 'inc-main', at: T0, type: 'page', actor: 'pipeline', message: 'Level 1 of policy payments: paging alice', data: { step: 0, level: 0, round: 0 } },
  { incidentId: 'inc-main', at: at(1), type: 'notification', actor: 'pipeline', message: 'Sent sms to alice', data: { outcome: 'sent' } },
  { incidentId: 'inc-main', at: at(7), type: 'acknowledged', actor: 'alice', message: 'Acknowledged' },
  { incidentId: 'inc-main', at: at(20), type: 'note', actor: 'alice', message: 'Rolled back deploy 4711' },
  { incidentId: 'inc-main', at: at(40), type: 'resolved', actor: 'alice', message: 'Resolved' },
];

/** Same service, suppressed by rule `checkout-canary` 10 minutes before. */
export const suppressed = incident('inc-canary', {
  status: 'suppressed', openedAt: at(-10), title: 'ALARM: checkout-canary', suppressionReason: 'canary noise', resolvedAt: null,
});
export const suppressedAlerts = [alertRecord('inc-canary', at(-10), [fp, step('suppress', 'suppressed', 'suppression rule "checkout-canary" matched: canary noise', { rule: 'checkout-canary', reason: 'canary noise' })], 'ALARM: checkout-canary')];

/** Same service, held by the maintenance window `db-upgrade`; alerts not logged (alert log limit 0). */
export const maintenance = incident('inc-db', {
  status: 'suppressed', openedAt: at(5), title: 'ALARM: checkout-db', suppressionReason: 'maintenance: db-upgrade: planned', alertCount: 2, alertsLogged: 0,
});

/** Same service, delayed by rule `hold-latency` and deduplicated once by dedup rule `latency-group`. */
export const delayed = incident('inc-latency', { status: 'resolved', openedAt: at(15), holdMinutes: 5, alertCount: 2, alertsLogged: 2, title: 'ALARM: checkout-latency' });
export const delayedAlerts = [
  alertRecord('inc-latency', at(15), [fp, step('delay', 'delayed', 'delay rule "hold-latency" matched; hold the first page 5 minutes', { rule: 'hold-latency', holdMinutes: 5 })], 'ALARM: checkout-latency'),
  alertRecord('inc-latency', at(16), [step('fingerprint', 'dedup-rule', 'dedup rule "latency-group" matched', { rule: 'latency-group' }), fp, step('deduplicate', 'joined', 'joined open incident inc-latency', { incidentId: 'inc-latency' })], 'ALARM: checkout-latency'),
];

/** Outside the window (3 hours later): not a non-event. */
export const later = incident('inc-later', { status: 'suppressed', openedAt: at(180), suppressionReason: 'canary noise' });
export const laterAlerts = [alertRecord('inc-later', at(180), [step('suppress', 'suppressed', 'suppression rule "checkout-canary" matched', { rule: 'checkout-canary' })])];

/** Related: same fingerprint 10 days before, same service 20 days before, another service, and 40 days before. */
export const related = [
  incident('inc-old-fp', { fingerprint: fpOf('fp-checkout'), openedAt: new Date(Date.parse(T0) - 10 * 86_400_000).toISOString() }),
  incident('inc-old-svc', { openedAt: new Date(Date.parse(T0) - 20 * 86_400_000).toISOString() }),
  incident('inc-other', { openedAt: new Date(Date.parse(T0) - 2 * 86_400_000).toISOString(), route: { service: 'search', team: null, escalationPolicy: null, rule: 'default' } }),
  incident('inc-too-old', { fingerprint: fpOf('fp-checkout'), openedAt: new Date(Date.parse(T0) - 40 * 86_400_000).toISOString() }),
];
