/**
 * The incident history (docs/insights.md §History): a snapshot of a resolved incident as one JSON line, the columns
 * of the Glue table (config.ts), under `history/dt=<opened day>/<incident id>.json`. One object per incident: a
 * function has nowhere to gather lines across invocations (batching would need a Firehose stream), an incident
 * resolves once so its key is written once (a retry rewrites the same object), and Athena reads thousands of small
 * objects a day without trouble.
 */
import type { Incident } from '../model/incident';
import type { HistoryColumn } from './config';
import { HISTORY_PREFIX } from './config';
import type { IncidentFigures } from './figures';

export type HistoryRow = Record<HistoryColumn, string | number | boolean | null | string[] | Record<string, string>>;

/** `history/dt=YYYY-MM-DD/<id>.json`, the day the incident opened (UTC): the partition analytics windows select on. */
export function historyKeyOf(inc: Incident): string {
  return `${HISTORY_PREFIX}dt=${new Date(Date.parse(inc.openedAt)).toISOString().slice(0, 10)}/${inc.id}.json`;
}

export function historyRowOf(inc: Incident, f: IncidentFigures, incidentUrl: string): HistoryRow {
  return {
    incident_id: inc.id,
    title: inc.title,
    service: inc.route.service,
    team: inc.route.team,
    escalation_policy: inc.route.escalationPolicy,
    severity: inc.severity,
    status: inc.status,
    source: inc.source,
    tags: inc.tags,
    tagged_by: inc.taggedBy ?? [],
    route_rule: inc.route.rule,
    fingerprint: inc.fingerprint,
    alert_count: inc.alertCount,
    suppressed_by: inc.suppressedBy ?? null,
    created: inc.openedAt,
    first_signal: f.firstSignalAt,
    first_page: f.firstPageAt,
    first_notification: f.firstNotificationAt,
    acknowledged: f.firstAckAt,
    resolved: f.resolvedAt,
    resolved_by: inc.resolvedBy,
    seconds_to_ack: f.secondsToAck,
    seconds_to_resolve: f.secondsToResolve,
    seconds_to_know: f.secondsToKnow,
    pages: f.pages,
    notifications: f.notifications,
    highest_level: f.highestLevel,
    escalations: f.escalations,
    reassignments: f.reassignments,
    snoozes: f.snoozes,
    auto_resolved: f.autoResolved,
    interruptions: f.interruptions.length,
    source_url: inc.alertUrl,
    incident_url: incidentUrl,
  };
}

/** The object's body: one JSON line. */
export function historyLine(row: HistoryRow): string {
  return `${JSON.stringify(row)}\n`;
}
