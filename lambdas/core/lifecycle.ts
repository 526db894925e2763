/**
 * Stage "acknowledge/resolve": what people do to an incident through the API. Pure: returns the new incident and
 * the timeline entries, or throws ConflictError when the transition makes no sense (acknowledging a resolved
 * incident). The caller writes with a version check and retries on a concurrent change.
 */
import { ConflictError } from './errors';
import type { Incident, TimelineEvent } from './model/incident';

export interface Transition {
  after: Incident;
  events: TimelineEvent[];
  /** Whether escalation must stop. */
  stopEscalation: boolean;
}

function bump(inc: Incident, now: string): Incident {
  return { ...structuredClone(inc), version: inc.version + 1, updatedAt: now };
}

export function acknowledgeIncident(inc: Incident, actor: string, now: string, note?: string): Transition {
  if (inc.status === 'acknowledged') {
    throw new ConflictError(`incident ${inc.id} is already acknowledged by ${inc.acknowledgedBy ?? 'someone'}`, { status: inc.status });
  }
  if (inc.status !== 'triggered') {
    throw new ConflictError(`incident ${inc.id} is ${inc.status}; only a triggered incident can be acknowledged`, { status: inc.status });
  }
  const after = bump(inc, now);
  after.status = 'acknowledged';
  after.acknowledgedAt = now;
  after.acknowledgedBy = actor;
  return {
    after,
    events: [{ incidentId: inc.id, at: now, type: 'acknowledged', actor, message: note ? `Acknowledged: ${note}` : 'Acknowledged' }],
    stopEscalation: true,
  };
}

export function resolveIncident(inc: Incident, actor: string, now: string, note?: string): Transition {
  if (inc.status === 'resolved') {
    throw new ConflictError(`incident ${inc.id} is already resolved by ${inc.resolvedBy ?? 'someone'}`, { status: inc.status });
  }
  const after = bump(inc, now);
  after.status = 'resolved';
  after.resolvedAt = now;
  after.resolvedBy = actor;
  if (inc.status === 'suppressed') after.suppressionReason = inc.suppressionReason;
  return {
    after,
    events: [{ incidentId: inc.id, at: now, type: 'resolved', actor, message: note ? `Resolved: ${note}` : 'Resolved' }],
    stopEscalation: inc.status === 'triggered' || inc.status === 'acknowledged',
  };
}

export function noteOnIncident(inc: Incident, actor: string, text: string, now: string): TimelineEvent {
  return { incidentId: inc.id, at: now, type: 'note', actor, message: text };
}

/** Marks an incident's escalation as started (after the escalator confirmed it). */
export function escalationStarted(inc: Incident, now: string): Incident {
  const after = bump(inc, now);
  after.escalation = 'started';
  return after;
}

/**
 * Reassign: from now on the incident pages `person` instead of the policy's targets. A triggered incident pages the
 * new assignee at once (a new escalation run); an acknowledged one just changes hands.
 */
export function reassignIncident(inc: Incident, person: string, actor: string, now: string): Transition {
  if (inc.status === 'resolved' || inc.status === 'suppressed') throw new ConflictError(`incident ${inc.id} is ${inc.status}`, { status: inc.status });
  const after = bump(inc, now);
  after.assignee = person;
  const repage = inc.status === 'triggered';
  if (repage) {
    after.escalation = 'pending';
    after.escalationRun = inc.escalationRun + 1;
    after.escalationStep = -1;
  }
  return {
    after,
    events: [{ incidentId: inc.id, at: now, type: 'reassigned', actor, message: `Reassigned to ${person}${repage ? '; paging them now' : ''}`, data: { person } }],
    stopEscalation: repage,
  };
}

/**
 * Snooze: the incident is acknowledged until `until`, then returns to triggered and escalates again (the sweeper
 * does that). A triggered incident is acknowledged by the snooze; a resolved or suppressed one cannot be snoozed.
 */
export function snoozeIncident(inc: Incident, until: string, actor: string, now: string): Transition {
  if (inc.status !== 'triggered' && inc.status !== 'acknowledged') {
    throw new ConflictError(`incident ${inc.id} is ${inc.status}; only an open incident can be snoozed`, { status: inc.status });
  }
  const after = bump(inc, now);
  after.status = 'acknowledged';
  after.acknowledgedAt ??= now;
  after.acknowledgedBy ??= actor;
  after.snoozedUntil = until;
  return {
    after,
    events: [{ incidentId: inc.id, at: now, type: 'snoozed', actor, message: `Snoozed until ${until}`, data: { until } }],
    stopEscalation: inc.status === 'triggered',
  };
}

/** A snooze ended (or a maintenance window ended with the incident still firing): back to triggered, escalate again. */
export function retriggerIncident(inc: Incident, reason: string, now: string): Transition {
  const after = bump(inc, now);
  after.status = 'triggered';
  after.snoozedUntil = null;
  after.suppressedUntil = null;
  after.acknowledgedAt = null;
  after.acknowledgedBy = null;
  after.escalation = 'pending';
  after.escalationRun = inc.escalationRun + 1;
  after.escalationStep = -1;
  return {
    after,
    events: [{ incidentId: inc.id, at: now, type: inc.status === 'suppressed' ? 'maintenance-ended' : 'escalated', actor: 'pipeline', message: reason }],
    stopEscalation: false,
  };
}

/** Escalate now: skip the wait and page the next level (a new execution continues from the next step). */
export function escalateIncidentNow(inc: Incident, actor: string, now: string): Transition {
  if (inc.status !== 'triggered' && inc.status !== 'acknowledged') {
    throw new ConflictError(`incident ${inc.id} is ${inc.status}; only an open incident can be escalated`, { status: inc.status });
  }
  const after = bump(inc, now);
  after.status = 'triggered';
  after.acknowledgedAt = null;
  after.acknowledgedBy = null;
  after.snoozedUntil = null;
  after.escalation = 'pending';
  after.escalationRun = inc.escalationRun + 1;
  return {
    after,
    events: [{ incidentId: inc.id, at: now, type: 'escalated', actor, message: `Escalated now to the next level (after step ${inc.escalationStep})` }],
    stopEscalation: true,
  };
}

/** Auto-resolve after a quiet period (sources that never resolve, such as Threat Stack). */
export function autoResolveIncident(inc: Incident, quietMinutes: number, now: string): Transition {
  const t = resolveIncident(inc, 'pipeline:auto-resolve', now);
  t.events = [{
    incidentId: inc.id, at: now, type: 'resolved', actor: 'pipeline:auto-resolve',
    message: `Auto-resolved: no new alert for ${quietMinutes} min (the source sends no resolves)`,
  }];
  return t;
}
