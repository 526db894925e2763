/**
 * People's actions on incidents (the human API), over the ports: read, apply a pure transition from lifecycle.ts,
 * write with a version check, retry on a concurrent change, then stop escalation when needed.
 */
import { NotFoundError, TransientError } from './errors';
import { acknowledgeIncident, escalateIncidentNow, escalationStarted, noteOnIncident, reassignIncident, resolveIncident, snoozeIncident, type Transition } from './lifecycle';
import type { Incident, TimelineEvent } from './model/incident';
import type { Clock, Escalator, IncidentStore } from './ports';
import { releaseHeldBy, type InhibitEdge } from './inhibition';

const MAX_ATTEMPTS = 8;

export type IncidentAction =
  | 'acknowledge'
  | 'resolve'
  | { kind: 'reassign'; person: string }
  | { kind: 'snooze'; until: string }
  | { kind: 'escalate' };

function transition(inc: Incident, action: IncidentAction, actor: string, now: string, note?: string): Transition {
  if (action === 'acknowledge') return acknowledgeIncident(inc, actor, now, note);
  if (action === 'resolve') return resolveIncident(inc, actor, now, note);
  if (action.kind === 'reassign') return reassignIncident(inc, action.person, actor, now);
  if (action.kind === 'snooze') return snoozeIncident(inc, action.until, actor, now);
  return escalateIncidentNow(inc, actor, now);
}

/** Applies a person's action (with version checks and retries), then stops or restarts escalation as needed. */
export async function actOnIncident(
  deps: { store: IncidentStore; escalator: Escalator; clock: Clock; inhibitEdges?: readonly InhibitEdge[] | undefined },
  id: string,
  action: IncidentAction,
  actor: string,
  note?: string,
): Promise<Incident> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const inc = await deps.store.getIncident(id);
    if (!inc) throw new NotFoundError(`no incident ${id}`);
    const now = deps.clock.now().toISOString();
    const t = transition(inc, action, actor, now, note);
    const res = await deps.store.replaceIncident(inc, t.after);
    if (res.kind === 'conflict') continue;
    await deps.store.appendTimeline(t.events);
    // Stop the running execution (the one named after the incident's current run) before any restart.
    if (t.stopEscalation) await deps.escalator.stop(inc, `${t.after.status} by ${actor}`);
    // A resolve releases the pages it held on dependent services (core/inhibition.ts); the sweeper retries a failure.
    if (t.after.status === 'resolved' && (deps.inhibitEdges ?? []).length > 0) await releaseHeldBy(deps, t.after).catch(() => []);
    if (t.after.escalation === 'pending' && t.after.status === 'triggered') {
      await deps.escalator.start(t.after);
      await markEscalationStarted(deps, t.after.id);
      return (await deps.store.getIncident(id)) ?? t.after;
    }
    return t.after;
  }
  throw new TransientError(`incident ${id} kept changing; gave up after ${MAX_ATTEMPTS} attempts`);
}

export async function addNote(deps: { store: IncidentStore; clock: Clock }, id: string, actor: string, text: string): Promise<TimelineEvent> {
  const inc = await deps.store.getIncident(id);
  if (!inc) throw new NotFoundError(`no incident ${id}`);
  const ev = noteOnIncident(inc, actor, text, deps.clock.now().toISOString());
  await deps.store.appendTimeline([ev]);
  return ev;
}

/** Records that escalation started for an incident (idempotent; retried on concurrent changes). */
export async function markEscalationStarted(deps: { store: IncidentStore; clock: Clock }, id: string): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const inc = await deps.store.getIncident(id);
    if (!inc || inc.escalation !== 'pending') return;
    const res = await deps.store.replaceIncident(inc, escalationStarted(inc, deps.clock.now().toISOString()));
    if (res.kind === 'applied') return;
  }
}
