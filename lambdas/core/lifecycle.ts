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
