/** core/metrics.ts: the metric points derived from what the stages return or record (pure). */
import type { AlertOutcome } from '../../lambdas/core/deduplicate';
import { pageMetrics, processMetrics, rejectedMetrics } from '../../lambdas/core/metrics';
import type { Incident, TimelineEvent } from '../../lambdas/core/model/incident';

const outcome = (o: AlertOutcome['outcome']): AlertOutcome => ({ deliveryKey: 'k', messageKey: 'm', incidentId: null, outcome: o, reason: 'r', trace: [] });
const note = (data: Record<string, unknown>): TimelineEvent => ({ incidentId: 'i', at: '2024-06-10T14:05:00.000Z', type: 'notification', actor: 'pipeline', message: '', data });

describe('pipeline metrics', () => {
  it('counts opened, deduplicated (redeliveries and joins) and suppressed alerts of a batch, leaving out zeros', () => {
    const points = processMetrics(['opened', 'joined', 'duplicate', 'suppressed', 'suppressed', 'resolved', 'recorded'].map((o) => outcome(o as AlertOutcome['outcome'])));
    expect(points).toEqual([
      { name: 'IncidentsOpened', value: 1, unit: 'Count' },
      { name: 'AlertsDeduplicated', value: 2, unit: 'Count' },
      { name: 'AlertsSuppressed', value: 2, unit: 'Count' },
    ]);
    expect(processMetrics([outcome('resolved')])).toEqual([]);
  });

  it('counts a refused delivery per source', () => {
    expect(rejectedMetrics('alertmanager')).toEqual([{ name: 'DeliveriesRejected', value: 1, unit: 'Count', dimension: { name: 'source', value: 'alertmanager' } }]);
  });

  it('measures time to page on the first step only, and counts only final delivery failures per channel', () => {
    const incident = { openedAt: '2024-06-10T14:00:00.000Z' } as Incident;
    const page: TimelineEvent = { incidentId: 'i', at: '', type: 'page', actor: 'pipeline', message: '' };
    const events = [page, note({ outcome: 'failed', final: false, channel: 'ops-slack' }), note({ outcome: 'failed', final: true, channel: 'ops-slack' }), note({ outcome: 'sent', type: 'sms' })];
    const first = pageMetrics(incident, 0, events, Date.parse('2024-06-10T14:00:02.500Z'));
    expect(first).toEqual([
      { name: 'Pages', value: 1, unit: 'Count' },
      { name: 'TimeToPage', value: 2500, unit: 'Milliseconds' },
      { name: 'NotificationFailures', value: 1, unit: 'Count', dimension: { name: 'channel', value: 'ops-slack' } },
      { name: 'NotificationsSent', value: 1, unit: 'Count', dimension: { name: 'channel', value: 'sms' } },
    ]);
    expect(pageMetrics(incident, 1, events, 0).map((p) => p.name)).not.toContain('TimeToPage');
    expect(pageMetrics(incident, 0, [], 0)).toEqual([]);
  });
});
