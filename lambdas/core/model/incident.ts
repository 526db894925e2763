/**
 * Incidents: what alerts are deduplicated into. An incident belongs to one fingerprint; a fingerprint has a
 * sequence of incidents (seq 1, 2, ...), of which only the latest can be open.
 */
import type { Fingerprint } from '../fingerprint';
import type { AlertAction, RegisteredSourceName, Severity } from './alert';
import type { DecisionTrace } from './trace';

/**
 * - `triggered` -> `acknowledged` -> `resolved`: the lifecycle of a paging incident (README.md §What it does).
 * - `suppressed`: opened only by alerts that must not page (suppression rule, maintenance, INSUFFICIENT_DATA);
 *   visible with its reason, never pages, and not "open": the next alert that should page opens a new incident.
 */
export const INCIDENT_STATUSES = ['triggered', 'acknowledged', 'resolved', 'suppressed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export function isOpen(status: IncidentStatus): boolean {
  return status === 'triggered' || status === 'acknowledged';
}

/** Where an incident goes: the service it belongs to and the escalation policy that pages for it. */
export interface Route {
  service: string;
  team: string | null;
  escalationPolicy: string | null;
  /** The routing rule that chose this route, or `default`. */
  rule: string;
}

/** A short summary of one alert, kept on the incident (first and last). */
export interface AlertSummary {
  deliveryKey: string;
  title: string;
  action: AlertAction;
  occurredAt: string;
  receivedAt: string;
}

export interface Incident {
  id: string;
  fingerprint: Fingerprint;
  seq: number;
  status: IncidentStatus;
  /** Optimistic-concurrency version: every write checks and increments it. */
  version: number;
  title: string;
  /** What happened, ending with the link back to the alert at the source. Bounded. */
  description: string;
  source: RegisteredSourceName;
  severity: Severity;
  tags: Record<string, string>;
  route: Route;
  alertUrl: string | null;
  resource: string | null;
  openedAt: string;
  lastSeenAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** Why it is suppressed (only for status `suppressed`). */
  suppressionReason: string | null;
  /**
   * What suppressed it (only for status `suppressed`): the suppression rule's name, `maintenance:<window>`, or
   * `insufficient-data`; counted per rule by the analytics' noise table. Absent on heads written before it existed.
   */
  suppressedBy?: string | null;
  /**
   * The tagging (classification) rules that matched the first alert, in rule order, from its decision trace; counted
   * per rule (`tag-rule:<name>`) by the analytics' noise table. Absent when none matched (and on older heads).
   */
  taggedBy?: string[];
  /**
   * For incidents suppressed by a maintenance window: when the window ends. If the incident is still suppressed
   * (not resolved) then, it pages as it would have (the sweeper turns it into a triggered incident).
   */
  suppressedUntil: string | null;
  /** Delayed notification from a delay rule: the first page waits this long (null = at once). */
  holdMinutes: number | null;
  /** Acknowledged incidents can be snoozed: at this time they return to triggered and escalate again. */
  snoozedUntil: string | null;
  /** Who the incident is assigned to (set by reassign; null = the escalation policy decides). */
  assignee: string | null;
  /**
   * Escalation bookkeeping: `started` once the escalation runs (a new paging incident is written `started` by the
   * processor that starts it right after; a crash in between is retried by the redelivery of its opening message),
   * `pending` when it must start again (snooze end, escalate-now, a released hold) until the escalator confirms,
   * `none` for incidents that never page.
   */
  escalation: 'pending' | 'started' | 'none';
  /** How many times escalation was (re)started (snooze end, escalate-now, maintenance end): names the execution. */
  escalationRun: number;
  /** The escalation step the last page reached (-1 = none yet); escalate-now continues from the next one. */
  escalationStep: number;
  /** Distinct alert deliveries that joined this incident (redeliveries counted once). */
  alertCount: number;
  /** How many joined alerts are stored in the alert log (the first ones); the raw archive keeps all. */
  alertsLogged: number;
  firstAlert: AlertSummary;
  lastAlert: AlertSummary;
  /**
   * Message keys recently applied to this incident, with the time applied (epoch ms), newest last: the guard that
   * makes applying a delivery idempotent under concurrency and crashes. Bounded (see RECENT_MESSAGES_MAX). A third
   * element `1` says the message has no delivery-marker item: its marker rides here, and the processor writes the
   * marker item when the key leaves the ring or the incident leaves the fingerprint's latest two (deduplicate.ts).
   */
  recentMessages: RingEntry[];
  /**
   * For sources that report state (CloudWatch, Events v2, Alertmanager, configured webhooks): the source time of
   * the newest state change applied to this fingerprint, carried from one incident to the next. An alert older
   * than this is stale (reason `stale-state-change`): SNS and SQS do not keep order across batches, and the newest
   * state must win. Absent for Threat Stack (events, not states) and on heads written before it existed.
   */
  lastStateChangeAt?: string;
  /**
   * Inhibition (core/inhibition.ts): the upstream incident, of a service this one depends on over an edge with
   * `inhibitAtOrAbove`, that was open when this one opened; its page was held. Kept after the release as a record.
   */
  inhibitedBy?: string;
  /** When the held page went out because the upstream incident was no longer open (absent: still held or never). */
  inhibitionReleasedAt?: string;
}

/** One typed entry of an incident's append-only timeline. */
export interface TimelineEvent {
  incidentId: string;
  at: string;
  type:
    | 'opened'
    | 'alert'
    | 'info'
    | 'acknowledged'
    | 'resolved'
    | 'note'
    | 'suppressed'
    | 'resolve-ignored'
    | 'reassigned'
    | 'snoozed'
    | 'escalated'
    | 'page'
    | 'notification'
    | 'maintenance-ended'
    | 'inhibited'
    | 'inhibition-released';
  actor: string;
  message: string;
  data?: Record<string, unknown>;
}

/** One alert as stored in an incident's alert log, with the decision trace that explains it. */
export interface AlertRecord {
  incidentId: string;
  deliveryKey: string;
  messageKey: string;
  source: RegisteredSourceName;
  action: AlertAction;
  title: string;
  occurredAt: string;
  receivedAt: string;
  alertUrl: string | null;
  archiveKey: string;
  /** Position of the alert among the alerts of its archived delivery (absent for entries logged before it was kept). */
  deliveryIndex?: number;
  trace: DecisionTrace;
}

/**
 * A copy of an incident that shares nothing mutable with it (the planner changes its copy). Field by field rather
 * than `structuredClone`, which took ~20 µs of the ~25 µs a fingerprint group's plan costs (docs/performance.md);
 * a new object-valued field of `Incident` must be copied here (test/core/deduplicate.test.ts checks every one).
 */
/**
 * An idempotency-ring entry: message key, time applied (epoch ms), and `1` when its marker rides on the head. Read-only:
 * copies of an incident share the entries (cloneIncident copies the ring, not each entry).
 */
export type RingEntry = readonly [messageKey: string, appliedAtMs: number] | readonly [messageKey: string, appliedAtMs: number, markerOnHead: 1];

export function cloneIncident(inc: Incident): Incident {
  // Field by field into one literal: the planner's incidents come in several hidden classes (V8 maps), which made the
  // spread's inline cache megamorphic and a copy ~3 µs (a quarter of the dedup decision); the literal is ~0.3 µs.
  const copy: Incident = {
    id: inc.id,
    fingerprint: inc.fingerprint,
    seq: inc.seq,
    status: inc.status,
    version: inc.version,
    title: inc.title,
    description: inc.description,
    source: inc.source,
    severity: inc.severity,
    tags: { ...inc.tags },
    route: { ...inc.route },
    alertUrl: inc.alertUrl,
    resource: inc.resource,
    openedAt: inc.openedAt,
    lastSeenAt: inc.lastSeenAt,
    updatedAt: inc.updatedAt,
    acknowledgedAt: inc.acknowledgedAt,
    acknowledgedBy: inc.acknowledgedBy,
    resolvedAt: inc.resolvedAt,
    resolvedBy: inc.resolvedBy,
    suppressionReason: inc.suppressionReason,
    suppressedUntil: inc.suppressedUntil,
    holdMinutes: inc.holdMinutes,
    snoozedUntil: inc.snoozedUntil,
    assignee: inc.assignee,
    escalation: inc.escalation,
    escalationRun: inc.escalationRun,
    escalationStep: inc.escalationStep,
    alertCount: inc.alertCount,
    alertsLogged: inc.alertsLogged,
    firstAlert: { ...inc.firstAlert },
    lastAlert: { ...inc.lastAlert },
    recentMessages: inc.recentMessages.slice(), // the entries are never changed in place: sharing them is safe
  };
  let fields = REQUIRED_FIELDS;
  if (inc.suppressedBy !== undefined) (copy.suppressedBy = inc.suppressedBy), fields++;
  if (inc.taggedBy !== undefined) (copy.taggedBy = inc.taggedBy), fields++; // never changed in place (as the spread shared it)
  if (inc.lastStateChangeAt !== undefined) (copy.lastStateChangeAt = inc.lastStateChangeAt), fields++;
  if (inc.inhibitedBy !== undefined) (copy.inhibitedBy = inc.inhibitedBy), fields++;
  if (inc.inhibitionReleasedAt !== undefined) (copy.inhibitionReleasedAt = inc.inhibitionReleasedAt), fields++;
  // A field this code does not know (a head written by a newer version), or one missing or undefined: copy it all.
  if (Object.keys(inc).length !== fields || lacksARequiredField(copy)) return spreadCopy(inc);
  return copy;
}

/** The fields every incident has (the literal in cloneIncident). */
const REQUIRED_FIELDS = 33;

function lacksARequiredField(c: Incident): boolean {
  return (
    c.id === undefined || c.fingerprint === undefined || c.seq === undefined || c.status === undefined || c.version === undefined ||
    c.title === undefined || c.description === undefined || c.source === undefined || c.severity === undefined ||
    c.alertUrl === undefined || c.resource === undefined || c.openedAt === undefined || c.lastSeenAt === undefined ||
    c.updatedAt === undefined || c.acknowledgedAt === undefined || c.acknowledgedBy === undefined || c.resolvedAt === undefined ||
    c.resolvedBy === undefined || c.suppressionReason === undefined || c.suppressedUntil === undefined ||
    c.holdMinutes === undefined || c.snoozedUntil === undefined || c.assignee === undefined || c.escalation === undefined ||
    c.escalationRun === undefined || c.escalationStep === undefined || c.alertCount === undefined || c.alertsLogged === undefined
  );
}

/** The generic copy: every own field, nested fields copied as in cloneIncident. */
function spreadCopy(inc: Incident): Incident {
  const copy = { ...inc };
  copy.tags = { ...inc.tags };
  copy.route = { ...inc.route };
  copy.firstAlert = { ...inc.firstAlert };
  copy.lastAlert = { ...inc.lastAlert };
  copy.recentMessages = inc.recentMessages.slice();
  return copy;
}
