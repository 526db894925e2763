/**
 * A hand-built incident history for the insights tests (analytics, export): six incidents in March 2026, across the
 * US (2026-03-08) and EU (2026-03-29) daylight-saving changes, paging alice (America/New_York) and bob
 * (Europe/Berlin), plus one incident outside the window. The expected figures are written in the tests.
 */
import type { Fingerprint } from '../../lambdas/core/fingerprint';
import type { Incident, TimelineEvent } from '../../lambdas/core/model/incident';

export const FP_A = 'a'.repeat(64) as Fingerprint;
export const FP_B = 'b'.repeat(64) as Fingerprint;
export const FP_C = 'c'.repeat(64) as Fingerprint;
export const FP_D = 'd'.repeat(64) as Fingerprint;

export function incident(over: Partial<Incident> & { id: string; fingerprint: Fingerprint; openedAt: string; firstSignalAt: string }): Incident {
  const { firstSignalAt, ...rest } = over;
  const first = { deliveryKey: `${over.id}-k1`, title: over.title ?? `Alert ${over.id}`, action: 'trigger' as const, occurredAt: firstSignalAt, receivedAt: over.openedAt };
  return {
    seq: 1, status: 'triggered', version: 1, title: `Alert ${over.id}`, description: '', source: 'cloudwatch', severity: 'sev2', tags: {},
    route: { service: 'web', team: 'web-team', escalationPolicy: 'default', rule: 'default' },
    alertUrl: null, resource: null, lastSeenAt: over.openedAt, updatedAt: over.openedAt, acknowledgedAt: null, acknowledgedBy: null,
    resolvedAt: null, resolvedBy: null, suppressionReason: null, suppressedUntil: null, holdMinutes: null, snoozedUntil: null,
    assignee: null, escalation: 'started', escalationRun: 1, escalationStep: 0, alertCount: 1, alertsLogged: 1,
    firstAlert: first, lastAlert: first, recentMessages: [],
    ...rest,
  };
}

const ev = (incidentId: string, at: string, type: TimelineEvent['type'], data?: Record<string, unknown>, message = type): TimelineEvent =>
  data === undefined ? { incidentId, at, type, actor: 'pipeline', message } : { incidentId, at, type, actor: 'pipeline', message, data };
export const page = (id: string, at: string, level: number) => ev(id, at, 'page', { step: level, level, round: 0, recipients: [], deliveries: 1 });
export const sent = (id: string, at: string, person: string, type = 'sms') => ev(id, at, 'notification', { outcome: 'sent', attempt: 1, type, channel: null, person });
export const ack = (id: string, at: string) => ev(id, at, 'acknowledged');

export interface HistoryEntry { incident: Incident; timeline: TimelineEvent[] }

export const WINDOW = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
export const TIMEZONES = { alice: 'America/New_York', bob: 'Europe/Berlin' };

const dbRoute = { service: 'db', team: 'db-team', escalationPolicy: 'db', rule: 'db-route' };

export function history(): HistoryEntry[] {
  return [
    // I1: Saturday 09:00 in New York (EST): acknowledged after 300 s, resolved by alice after 1200 s; knew after 90 s.
    {
      incident: incident({
        id: 'i1', fingerprint: FP_A, seq: 1, status: 'resolved', severity: 'sev1', route: dbRoute, tags: { env: 'prod', team: 'db' }, taggedBy: ['prod-env'],
        firstSignalAt: '2026-03-07T13:59:00Z', openedAt: '2026-03-07T14:00:00Z', acknowledgedAt: '2026-03-07T14:05:00Z', acknowledgedBy: 'alice',
        resolvedAt: '2026-03-07T14:20:00Z', resolvedBy: 'api:alice', alertUrl: 'https://console.example/alarm/1',
      }),
      timeline: [page('i1', '2026-03-07T14:00:00Z', 0), sent('i1', '2026-03-07T14:00:30Z', 'alice'), ack('i1', '2026-03-07T14:05:00Z')],
    },
    // I2: the same fingerprint re-opens 5 min after I1 resolved (a flap); never acknowledged, resolved by the source.
    {
      incident: incident({
        id: 'i2', fingerprint: FP_A, seq: 2, status: 'resolved', severity: 'sev1', route: dbRoute, alertCount: 3, tags: { env: '=cmd|calc' },
        firstSignalAt: '2026-03-07T14:24:00Z', openedAt: '2026-03-07T14:25:00Z', resolvedAt: '2026-03-07T14:45:00Z', resolvedBy: 'source:cloudwatch',
        title: '=HYPERLINK("http://evil")',
      }),
      timeline: [page('i2', '2026-03-07T14:25:00Z', 0), sent('i2', '2026-03-07T14:25:20Z', 'alice')],
    },
    // I3: Monday 08:01 in New York, after the US change (EDT); escalated to bob (13:15 in Berlin, CET), reassigned, still open.
    {
      incident: incident({
        id: 'i3', fingerprint: FP_A, seq: 3, status: 'acknowledged', severity: 'sev1', route: dbRoute,
        firstSignalAt: '2026-03-09T11:58:00Z', openedAt: '2026-03-09T12:00:00Z', acknowledgedAt: '2026-03-09T12:20:00Z', acknowledgedBy: 'bob', assignee: 'bob',
      }),
      timeline: [
        page('i3', '2026-03-09T12:00:00Z', 0), sent('i3', '2026-03-09T12:01:00Z', 'alice'),
        page('i3', '2026-03-09T12:15:00Z', 1), sent('i3', '2026-03-09T12:15:10Z', 'bob', 'email'),
        ack('i3', '2026-03-09T12:20:00Z'),
        { incidentId: 'i3', at: '2026-03-09T12:21:00Z', type: 'reassigned', actor: 'api:bob', message: 'Reassigned to bob', data: { person: 'bob' } },
      ],
    },
    // I4: Sunday 03:30 in Berlin, just after the EU change (CEST): sleep hours; acknowledged after 600 s, snoozed, resolved after 7200 s.
    {
      incident: incident({
        id: 'i4', fingerprint: FP_B, status: 'resolved', alertCount: 2, tags: { env: 'prod' }, taggedBy: ['prod-env'],
        firstSignalAt: '2026-03-29T01:29:00Z', openedAt: '2026-03-29T01:30:00Z', acknowledgedAt: '2026-03-29T01:40:00Z', acknowledgedBy: 'bob',
        resolvedAt: '2026-03-29T03:30:00Z', resolvedBy: 'api:bob',
      }),
      timeline: [
        page('i4', '2026-03-29T01:30:00Z', 0), sent('i4', '2026-03-29T01:30:30Z', 'bob'), ack('i4', '2026-03-29T01:40:00Z'),
        { incidentId: 'i4', at: '2026-03-29T01:41:00Z', type: 'snoozed', actor: 'api:bob', message: 'Snoozed', data: { until: '2026-03-29T02:41:00Z' } },
      ],
    },
    // I5: Monday 18:30 in Berlin (CEST; it would be 17:30 business hours in CET): off hours; still triggered, never acknowledged.
    {
      incident: incident({ id: 'i5', fingerprint: FP_D, severity: 'sev3', firstSignalAt: '2026-03-30T16:29:30Z', openedAt: '2026-03-30T16:30:00Z' }),
      timeline: [page('i5', '2026-03-30T16:30:00Z', 0), sent('i5', '2026-03-30T16:30:00Z', 'bob')],
    },
    // I6: suppressed by the rule "noisy": four alerts held, nobody paged.
    {
      incident: incident({
        id: 'i6', fingerprint: FP_C, status: 'suppressed', severity: 'sev3', alertCount: 4, suppressionReason: 'suppressed-by-rule: noisy', suppressedBy: 'noisy',
        escalation: 'none', escalationStep: -1, firstSignalAt: '2026-03-10T00:00:00Z', openedAt: '2026-03-10T00:00:00Z',
      }),
      timeline: [],
    },
    // I7: outside the window.
    {
      incident: incident({ id: 'i7', fingerprint: FP_D, seq: 2, firstSignalAt: '2026-04-02T00:00:00Z', openedAt: '2026-04-02T00:00:00Z' }),
      timeline: [page('i7', '2026-04-02T00:00:00Z', 0), sent('i7', '2026-04-02T00:00:05Z', 'bob')],
    },
  ];
}
