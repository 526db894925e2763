/**
 * Stage "deduplicate" and "open or update incident" (after classify/route/suppress, before escalate).
 *
 * A pure decision: given the latest incident of one fingerprint (or none) and the evaluated alerts of that
 * fingerprint from one batch, in order, it returns the new state of that incident, the incidents to open, the
 * timeline entries, the alert log entries and one outcome with a reason for every alert. The store applies the plan
 * with a version check; on a conflict the caller re-reads and calls this again, so concurrency never double counts.
 */
import type { Fingerprint } from './fingerprint';
import { shortFingerprint } from './fingerprint';
import type { AlertAction, NormalizedAlert, Severity } from './model/alert';
import { STATEFUL_SOURCES } from './normalize/source-names';
import type { AlertRecord, AlertSummary, Incident, RingEntry, Route, TimelineEvent } from './model/incident';
import { cloneIncident, isOpen } from './model/incident';
import { REASONS } from './model/reasons';
import { step, type TraceStep } from './model/trace';

/** How many message keys an incident remembers (the idempotency ring). */
export const RECENT_MESSAGES_MAX = 16;
/**
 * Default of how many alerts per incident are kept in its alert log with their full decision traces (config
 * `processing.alertLogLimit`; the rest are counted, logged with their outcome and reason, and archived raw). Each
 * entry is a table write of about 1-2 KB, so this bounds what a storm costs (docs/performance.md).
 */
export const ALERT_LOG_MAX = 5;

/** What classify, route and suppress decided about one alert. */
export interface Evaluation {
  fingerprint: Fingerprint;
  severity: Severity;
  tags: Record<string, string>;
  route: Route;
  /** Set when the alert must not page: the reason and the rule (or built-in policy) that said so. */
  suppression: { reason: string; rule: string | null; until?: string } | null;
  /** Dedup rule window: join an open incident only if its last alert is at most this old (null = always). */
  windowMinutes: number | null;
  /** Delayed notification: hold the first page this many minutes (null = page at once). */
  holdMinutes: number | null;
  /** Trace steps of the stages before this one. */
  trace: TraceStep[];
}

/** One alert with the delivery it came in and its evaluation. */
export interface EvaluatedAlert {
  alert: NormalizedAlert;
  messageKey: string;
  receivedAt: string;
  archiveKey: string;
  /** Position of the alert among the alerts of its delivery (unknown for envelopes enqueued without `offset`). */
  deliveryIndex?: number;
  evaluation: Evaluation;
}

export type AlertOutcomeKind =
  | 'opened'
  | 'joined'
  | 'resolved'
  | 'acknowledged'
  | 'recorded'
  | 'suppressed'
  | 'duplicate'
  | 'ignored';

export interface AlertOutcome {
  deliveryKey: string;
  messageKey: string;
  incidentId: string | null;
  outcome: AlertOutcomeKind;
  reason: string;
  trace: TraceStep[];
}

export interface IncidentPlan {
  /** The latest incident before and after this batch, when it changed. */
  update: { before: Incident; after: Incident } | null;
  /** Incidents to create, in seq order. */
  creates: Incident[];
  timeline: TimelineEvent[];
  alertLog: AlertRecord[];
  outcomes: AlertOutcome[];
  /** Incidents that were opened and must page. */
  pages: Incident[];
  /** Incidents that stopped needing escalation (resolved or acknowledged by the source). */
  settled: Incident[];
  /**
   * Delivery markers the store writes before any head (message key, time applied): messages whose marker rode on a
   * head's idempotency ring and that leave the fingerprint's view with this write, because the ring drops their key
   * or because their head is no longer among the fingerprint's latest two (the processor reads only those).
   */
  markers?: Array<[messageKey: string, appliedAtMs: number]>;
}

/** Longest incident description kept on the incident item (hot item: keep it small). */
export const DESCRIPTION_MAX = 600;

/** The incident description: the alert's text, then the link back to the source. */
export function incidentDescription(alert: NormalizedAlert): string {
  const link = alert.alertUrl ? `\n\nAlert at the source: ${alert.alertUrl}` : '';
  const room = DESCRIPTION_MAX - link.length;
  const text = alert.description.length > room ? `${alert.description.slice(0, Math.max(0, room - 1))}…` : alert.description;
  return `${text}${link}`;
}

export function incidentIdOf(fp: Fingerprint, seq: number): string {
  return `inc-${shortFingerprint(fp)}-${seq}`;
}

function summary(e: EvaluatedAlert): AlertSummary {
  return {
    deliveryKey: e.alert.deliveryKey,
    title: e.alert.title,
    action: e.alert.action,
    occurredAt: e.alert.occurredAt,
    receivedAt: e.receivedAt,
  };
}

/** Orders alerts by when they happened, then by arrival, so ALARM-then-OK in one batch resolves. */
export function orderAlerts(alerts: readonly EvaluatedAlert[]): EvaluatedAlert[] {
  if (alerts.length < 2) return alerts.slice(); // most groups of a batch hold one alert
  return alerts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => (x.a.alert.occurredAt < y.a.alert.occurredAt ? -1 : x.a.alert.occurredAt > y.a.alert.occurredAt ? 1 : x.i - y.i))
    .map(({ a }) => a);
}


/** The action the incident logic applies: an `info` alert that a rule chose to page behaves like a trigger. */
function effectiveAction(e: EvaluatedAlert): AlertAction {
  return e.alert.action;
}

/**
 * Plans the effect of `alerts` (all of one fingerprint) on `latest`, the most recent incident of that fingerprint.
 * `now` is the processing time (ISO); `nowMs` the same instant in epoch ms.
 */
export function planIncidentChanges(
  latest: Incident | null,
  alerts: readonly EvaluatedAlert[],
  now: string,
  nowMs: number,
  older: readonly Incident[] = [],
  alertLogMax: number = ALERT_LOG_MAX,
  markerOnHead: ReadonlySet<string> = NONE,
): IncidentPlan {
  const planner = new IncidentPlanner(latest, now, nowMs, alertLogMax, markerOnHead, older);
  const seenDeliveries = new Set<string>();
  // Messages a previous attempt already applied (a redelivery after a crash, or a concurrent duplicate).
  // `older` are the incidents before `latest`: a message may have resolved one and opened the next.
  const previouslyApplied = new AppliedMessages(latest, older);
  for (const e of orderAlerts(alerts)) {
    if (planner.skipped(e, seenDeliveries, previouslyApplied)) continue;
    const action = effectiveAction(e);
    if (action === 'trigger') planner.trigger(e);
    else if (action === 'info') planner.info(e);
    else planner.resolveOrAcknowledge(e, action);
    planner.advanceState(e);
  }
  return planner.finish();
}

const NONE: ReadonlySet<string> = new Set();

/**
 * The message keys in the idempotency rings of `latest` and `older`, looked up by scanning the rings (at most
 * RECENT_MESSAGES_MAX keys each) instead of building a Set: a group of a batch usually asks once or twice.
 */
class AppliedMessages {
  constructor(
    private readonly latest: Incident | null,
    private readonly older: readonly Incident[],
  ) {}

  has(key: string): boolean {
    if (this.latest !== null && inRing(this.latest, key)) return true;
    for (const inc of this.older) if (inRing(inc, key)) return true;
    return false;
  }
}

function inRing(inc: Incident, key: string): boolean {
  for (const entry of inc.recentMessages) if (entry[0] === key) return true;
  return false;
}

/** The tagging rules that matched the alert (its `classify`/`tagged` trace steps): `{ taggedBy }`, or nothing. */
function taggedByOf(e: EvaluatedAlert): { taggedBy?: string[] } {
  const names = e.evaluation.trace.flatMap((s) => (s.stage === 'classify' && s.outcome === 'tagged' && typeof s.data?.rule === 'string' ? [s.data.rule] : []));
  return names.length > 0 ? { taggedBy: names } : {};
}

/** A new incident opened by `e` (suppressed when `suppressionReason` is set), carrying the fingerprint's state time. */
function newIncident(e: EvaluatedAlert, seq: number, suppressionReason: string | null, now: string, lastStateChangeAt: string | undefined): Incident {
  const first = summary(e);
  const pages = suppressionReason === null;
  return {
    id: incidentIdOf(e.evaluation.fingerprint, seq),
    fingerprint: e.evaluation.fingerprint,
    seq,
    status: pages ? 'triggered' : 'suppressed',
    version: 0,
    title: e.alert.title,
    description: incidentDescription(e.alert),
    source: e.alert.source,
    severity: e.evaluation.severity,
    tags: e.evaluation.tags,
    route: e.evaluation.route,
    alertUrl: e.alert.alertUrl,
    resource: e.alert.resource,
    openedAt: now,
    lastSeenAt: e.alert.occurredAt,
    updatedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    suppressionReason,
    ...(pages ? {} : { suppressedBy: e.evaluation.suppression?.rule ?? REASONS.insufficientData }),
    ...taggedByOf(e),
    suppressedUntil: pages ? null : (e.evaluation.suppression?.until ?? null),
    holdMinutes: pages ? e.evaluation.holdMinutes : null,
    snoozedUntil: null,
    assignee: null,
    escalation: pages ? 'pending' : 'none',
    escalationRun: 0,
    escalationStep: -1,
    alertCount: 1,
    alertsLogged: 0,
    firstAlert: first,
    lastAlert: first,
    recentMessages: [],
    ...(lastStateChangeAt !== undefined ? { lastStateChangeAt } : {}),
  };
}

/** The state of one planning run: the plan so far, the fingerprint's current incident, what was touched. One method per decision. */
class IncidentPlanner {
  private readonly plan: IncidentPlan = { update: null, creates: [], timeline: [], alertLog: [], outcomes: [], pages: [], settled: [] };
  private current: Incident | null;
  private readonly touched = new Set<Incident>();

  constructor(
    private readonly latest: Incident | null,
    private readonly now: string,
    private readonly nowMs: number,
    private readonly alertLogMax: number,
    /** Messages whose delivery marker rides on the head (all their alerts are of this fingerprint). */
    private readonly markerOnHead: ReadonlySet<string>,
    private readonly older: readonly Incident[],
  ) {
    this.current = latest ? cloneIncident(latest) : null;
  }

  /** Duplicates (in this batch, or applied before) and stale state changes are recorded and skipped. */
  skipped(e: EvaluatedAlert, seenDeliveries: Set<string>, previouslyApplied: AppliedMessages): boolean {
    const key = e.alert.deliveryKey;
    if (seenDeliveries.has(key)) {
      this.outcome(e, null, 'duplicate', REASONS.duplicateDelivery,
        step('deduplicate', 'duplicate', `delivery ${key} appears twice in this batch; counted once`));
      return true;
    }
    seenDeliveries.add(key);
    if (previouslyApplied.has(e.messageKey)) {
      this.outcome(e, null, 'duplicate', REASONS.duplicateDelivery,
        step('deduplicate', 'duplicate', `message ${e.messageKey} was already applied to this fingerprint's incidents; counted once`));
      return true;
    }
    const current = this.current;
    const lastChange = current?.lastStateChangeAt;
    if (STATEFUL_SOURCES.has(e.alert.source) && current && lastChange !== undefined && e.alert.occurredAt < lastChange) {
      this.outcome(e, null, 'ignored', REASONS.staleStateChange,
        step('deduplicate', 'stale',
          `${e.alert.sourceSeverity} from ${e.alert.occurredAt} is older than the last state change applied for this fingerprint (${lastChange}, on ${current.id}); the newest state wins: nothing opened, resolved or paged`,
          { occurredAt: e.alert.occurredAt, lastStateChangeAt: lastChange, incidentId: current.id }));
      return true;
    }
    return false;
  }

  /**
   * The state moves forward on the fingerprint's latest incident (the head this batch writes anyway), even for a
   * resolve that found nothing open: a late, older ALARM must not reopen what a person resolved by hand.
   */
  advanceState(e: EvaluatedAlert): void {
    const current = this.current;
    if (!STATEFUL_SOURCES.has(e.alert.source) || !current) return;
    if (current.lastStateChangeAt === undefined || current.lastStateChangeAt < e.alert.occurredAt) {
      current.lastStateChangeAt = e.alert.occurredAt;
      this.touched.add(current);
    }
  }

  /** A trigger: joins the open (or suppressed) incident, or opens one; an open incident past the dedup window closes first. */
  trigger(e: EvaluatedAlert): void {
    const suppression = e.evaluation.suppression;
    this.closeBeyondWindow(e);
    const current = this.current;
    if (current && isOpen(current.status)) {
      this.join(current, e);
      const why = suppression
        ? `joined open incident ${current.id} (${current.alertCount} alerts); it would have been suppressed (${suppression.reason}) but the incident already paged`
        : `joined open incident ${current.id} (${current.alertCount} alerts); no new page`;
      this.outcome(e, current, 'joined', REASONS.joinedOpenIncident, step('deduplicate', 'joined', why, { incidentId: current.id }));
    } else if (current && current.status === 'suppressed' && suppression) {
      this.join(current, e);
      this.outcome(e, current, 'suppressed', REASONS.joinedSuppressedIncident,
        step('deduplicate', 'joined', `joined suppressed incident ${current.id}: ${suppression.reason}`, { incidentId: current.id }));
    } else {
      const inc = this.open(e, suppression ? suppression.reason : null);
      const why = current
        ? `no open incident for this fingerprint (latest ${current.id} is ${current.status}); opened ${inc.id}`
        : `first alert of this fingerprint; opened ${inc.id}`;
      this.outcome(e, inc, suppression ? 'suppressed' : 'opened', suppression ? suppression.reason : 'new-incident',
        step('deduplicate', 'new-incident', why, { incidentId: inc.id, pages: !suppression }));
    }
  }

  /** Dedup rule window: an open incident whose last alert is older than the window is closed, so a new one opens. */
  private closeBeyondWindow(e: EvaluatedAlert): void {
    const current = this.current;
    const window = e.evaluation.windowMinutes;
    if (!current || !isOpen(current.status) || window === null) return;
    const gapMs = Date.parse(e.alert.occurredAt) - Date.parse(current.lastSeenAt);
    if (!(gapMs > window * 60_000)) return; // (a NaN gap never closes)
    current.status = 'resolved';
    current.resolvedAt = this.now;
    current.resolvedBy = 'pipeline:dedup-window';
    current.updatedAt = this.now;
    this.touched.add(current);
    this.plan.settled.push(current);
    this.plan.timeline.push({
      incidentId: current.id, at: this.now, type: 'resolved', actor: 'pipeline',
      message: `Closed: the next alert came ${Math.round(gapMs / 60_000)} min after the last one, beyond the dedup window of ${window} min`,
    });
  }

  /** INSUFFICIENT_DATA and the like: recorded on an open incident, or joins/opens a suppressed one; never pages. */
  info(e: EvaluatedAlert): void {
    const current = this.current;
    if (current && isOpen(current.status)) {
      current.updatedAt = this.now;
      this.remember(current, e.messageKey);
      this.plan.timeline.push({
        incidentId: current.id, at: this.now, type: 'info', actor: `source:${e.alert.source}`,
        message: `${e.alert.sourceSeverity} recorded: ${e.alert.description || e.alert.title}`,
        data: { deliveryKey: e.alert.deliveryKey },
      });
      this.outcome(e, current, 'recorded', REASONS.insufficientData,
        step('deduplicate', 'recorded', `${e.alert.sourceSeverity} recorded on open incident ${current.id}; it neither pages nor resolves`, { incidentId: current.id }));
      return;
    }
    const reason = e.evaluation.suppression?.reason ?? `${REASONS.insufficientData}: ${e.alert.sourceSeverity} is recorded without a page`;
    if (current && current.status === 'suppressed') {
      this.join(current, e);
      this.outcome(e, current, 'suppressed', REASONS.insufficientData,
        step('deduplicate', 'joined', `joined suppressed incident ${current.id}: ${reason}`, { incidentId: current.id }));
    } else {
      const inc = this.open(e, reason);
      this.outcome(e, inc, 'suppressed', REASONS.insufficientData,
        step('deduplicate', 'new-incident', `opened suppressed incident ${inc.id}: ${reason}`, { incidentId: inc.id, pages: false }));
    }
  }

  /** A resolve or acknowledge from the source: ignored without an open incident or when older than it. */
  resolveOrAcknowledge(e: EvaluatedAlert, action: 'resolve' | 'acknowledge'): void {
    const current = this.current;
    const resolvable = current !== null && (isOpen(current.status) || (action === 'resolve' && current.status === 'suppressed'));
    if (!current || !resolvable) {
      const reason = action === 'resolve' ? REASONS.resolveWithoutOpenIncident : REASONS.acknowledgeWithoutOpenIncident;
      this.outcome(e, null, 'ignored', reason,
        step('deduplicate', 'ignored', `${action} with no open incident for this fingerprint${current ? ` (latest ${current.id} is ${current.status})` : ''}`));
      return;
    }
    if (e.alert.occurredAt < current.firstAlert.occurredAt) {
      this.outcome(e, null, 'ignored', `stale-${action}`,
        step('deduplicate', 'ignored', `${action} from ${e.alert.occurredAt} is older than ${current.id}, opened by an alert from ${current.firstAlert.occurredAt}`));
      return;
    }
    this.remember(current, e.messageKey);
    current.updatedAt = this.now;
    if (action === 'resolve') this.resolve(current, e);
    else this.acknowledge(current, e);
  }

  private resolve(current: Incident, e: EvaluatedAlert): void {
    const wasOpen = isOpen(current.status);
    current.status = 'resolved';
    current.suppressedUntil = null;
    current.resolvedAt = this.now;
    current.resolvedBy = `source:${e.alert.source}`;
    current.lastAlert = summary(e);
    this.plan.timeline.push({
      incidentId: current.id, at: this.now, type: 'resolved', actor: `source:${e.alert.source}`,
      message: `Resolved by ${e.alert.source}: ${e.alert.description || e.alert.title}`, data: { deliveryKey: e.alert.deliveryKey },
    });
    if (wasOpen) this.plan.settled.push(current);
    this.outcome(e, current, 'resolved', 'resolved-by-source', step('deduplicate', 'resolved', `resolved incident ${current.id}`, { incidentId: current.id }));
  }

  private acknowledge(current: Incident, e: EvaluatedAlert): void {
    if (current.status === 'triggered') {
      current.status = 'acknowledged';
      current.acknowledgedAt = this.now;
      current.acknowledgedBy = `source:${e.alert.source}`;
      this.plan.timeline.push({
        incidentId: current.id, at: this.now, type: 'acknowledged', actor: `source:${e.alert.source}`,
        message: `Acknowledged by ${e.alert.source}`, data: { deliveryKey: e.alert.deliveryKey },
      });
      this.plan.settled.push(current);
    }
    this.outcome(e, current, 'acknowledged', 'acknowledged-by-source',
      step('deduplicate', 'acknowledged', `acknowledged incident ${current.id}`, { incidentId: current.id }));
  }

  /** Opens the next incident of the fingerprint (and remembers the message on it). */
  private open(e: EvaluatedAlert, suppressionReason: string | null): Incident {
    const current = this.current;
    if (current && current.status === 'suppressed' && current.suppressedUntil !== null) {
      // A newer incident takes over this fingerprint: the old suppressed one must not page when its window ends.
      current.suppressedUntil = null;
      current.updatedAt = this.now;
      this.touched.add(current);
    }
    const inc = newIncident(e, (current?.seq ?? 0) + 1, suppressionReason, this.now, current?.lastStateChangeAt);
    this.plan.creates.push(inc);
    this.touched.add(inc);
    this.plan.timeline.push({
      incidentId: inc.id,
      at: this.now,
      type: suppressionReason === null ? 'opened' : 'suppressed',
      actor: `source:${e.alert.source}`,
      message:
        suppressionReason === null
          ? `Opened by ${e.alert.source} alert: ${e.alert.title}`
          : `Opened suppressed (${suppressionReason}): ${e.alert.title}`,
      data: { deliveryKey: e.alert.deliveryKey, severity: inc.severity, service: inc.route.service },
    });
    if (suppressionReason === null) this.plan.pages.push(inc);
    this.current = inc;
    this.remember(inc, e.messageKey);
    return inc;
  }

  /** Counts the alert on the incident (and remembers the message). */
  private join(inc: Incident, e: EvaluatedAlert): void {
    inc.alertCount += 1;
    if (e.alert.occurredAt > inc.lastSeenAt) inc.lastSeenAt = e.alert.occurredAt;
    inc.lastAlert = summary(e);
    inc.updatedAt = this.now;
    this.remember(inc, e.messageKey);
  }

  private remember(inc: Incident, messageKey: string): void {
    if (!inc.recentMessages.some(([k]) => k === messageKey)) {
      inc.recentMessages.push(this.markerOnHead.has(messageKey) ? [messageKey, this.nowMs, 1] : [messageKey, this.nowMs]);
      while (inc.recentMessages.length > RECENT_MESSAGES_MAX) this.leaving(inc.recentMessages.shift()!);
    }
    this.touched.add(inc);
  }

  private outcome(e: EvaluatedAlert, inc: Incident | null, kind: AlertOutcomeKind, reason: string, dedup: TraceStep): void {
    const trace = [...e.evaluation.trace, dedup];
    this.plan.outcomes.push({ deliveryKey: e.alert.deliveryKey, messageKey: e.messageKey, incidentId: inc?.id ?? null, outcome: kind, reason, trace });
    if (inc) this.log(inc, e, trace);
  }

  private log(inc: Incident, e: EvaluatedAlert, trace: TraceStep[]): void {
    if (inc.alertsLogged >= this.alertLogMax) return;
    inc.alertsLogged += 1;
    this.plan.alertLog.push({
      incidentId: inc.id,
      deliveryKey: e.alert.deliveryKey,
      messageKey: e.messageKey,
      source: e.alert.source,
      action: e.alert.action,
      title: e.alert.title,
      occurredAt: e.alert.occurredAt,
      receivedAt: e.receivedAt,
      alertUrl: e.alert.alertUrl,
      archiveKey: e.archiveKey,
      ...(e.deliveryIndex !== undefined ? { deliveryIndex: e.deliveryIndex } : {}),
      trace: { steps: trace },
    });
  }

  /** A ring entry leaves the fingerprint's view: a marker that rode on the head becomes a marker item. */
  private leaving(entry: RingEntry): void {
    if (entry[2] === 1) (this.plan.markers ??= []).push([entry[0], entry[1]]);
  }

  /** The plan: the latest incident's new version, and settled incidents in their final state. */
  finish(): IncidentPlan {
    const { plan, latest, touched } = this;
    if (latest) {
      const after = [...touched].find((inc) => inc.id === latest.id);
      if (after) {
        after.version = latest.version + 1;
        plan.update = { before: latest, after };
      }
    }
    if (plan.creates.length > 0) {
      // The processor reads a fingerprint's latest two heads: the rings of heads that new incidents push out of
      // those two are no longer consulted, so the markers riding on them are written out.
      const heads = [...plan.creates].reverse().concat(latest ? [plan.update?.after ?? latest] : [], this.older);
      for (const head of heads.slice(2)) for (const entry of head.recentMessages) this.leaving(entry);
    }
    plan.settled = plan.settled.map((s) => [...touched].find((t) => t.id === s.id) ?? s);
    return plan;
  }
}
