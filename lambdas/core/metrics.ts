/**
 * The pipeline's operational metrics, derived from what the stages return or record: pure functions from results to
 * metric points. Handlers hand the points to the `MetricsSink` port (EMF in AWS, flushed once per invocation), so
 * nothing here measures, times or writes (docs/deploy.md, "Operating the pipeline").
 */
import type { AlertOutcome } from './deduplicate';
import type { Incident, TimelineEvent } from './model/incident';
import type { MetricPoint } from './ports';

const count = (name: MetricPoint['name'], value: number, dimension?: MetricPoint['dimension']): MetricPoint =>
  ({ name, value, unit: 'Count', ...(dimension ? { dimension } : {}) });

/** A delivery accepted (archived and enqueued) with its alerts. */
export function acceptedMetrics(source: string, alerts: number): MetricPoint[] {
  return [count('AlertsAccepted', alerts, { name: 'source', value: source })];
}

/** A delivery refused with a 4xx (bad body, unknown token, bad signature, too large). */
export function rejectedMetrics(source: string): MetricPoint[] {
  return [count('DeliveriesRejected', 1, { name: 'source', value: source })];
}

/**
 * One processed batch: incidents opened, alerts deduplicated (a redelivery, or an alert joining an open incident)
 * and suppressed (rules, maintenance). Zero counts are left out.
 */
export function processMetrics(outcomes: readonly AlertOutcome[]): MetricPoint[] {
  const n = (kinds: ReadonlyArray<AlertOutcome['outcome']>) => outcomes.filter((o) => kinds.includes(o.outcome)).length;
  return [
    count('IncidentsOpened', n(['opened'])),
    count('AlertsDeduplicated', n(['duplicate', 'joined'])),
    count('AlertsSuppressed', n(['suppressed'])),
  ].filter((p) => p.value > 0);
}

/**
 * One escalation step's page, from the timeline entries it recorded: 1 page, the time from the incident's opening to
 * its first page (level 1 of round 1 only), and per channel the deliveries sent and the ones that failed for good
 * (every attempt spent, or not retryable).
 */
export function pageMetrics(incident: Incident, step: number, events: readonly TimelineEvent[], nowMs: number): MetricPoint[] {
  const points: MetricPoint[] = [];
  if (!events.some((e) => e.type === 'page')) return points;
  points.push(count('Pages', 1));
  const openedMs = Date.parse(incident.openedAt);
  if (step === 0 && Number.isFinite(openedMs)) points.push({ name: 'TimeToPage', value: Math.max(0, nowMs - openedMs), unit: 'Milliseconds' });
  for (const e of events) {
    if (e.type !== 'notification' || !e.data) continue;
    const channel = { name: 'channel', value: String(e.data.channel ?? e.data.type ?? 'unknown') };
    if (e.data.outcome === 'sent') points.push(count('NotificationsSent', 1, channel));
    else if (e.data.outcome === 'failed' && e.data.final === true) points.push(count('NotificationFailures', 1, channel));
  }
  return points;
}
