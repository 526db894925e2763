/**
 * People's actions on incidents (the human API), over the ports: read, apply a pure transition from lifecycle.ts,
 * write with a version check, retry on a concurrent change, then stop escalation when needed.
 */
import { NotFoundError } from './errors';
import { acknowledgeIncident, escalationStarted, noteOnIncident, resolveIncident, type Transition } from './lifecycle';
import type { Incident, TimelineEvent } from './model/incident';
import type { Clock, Escalator, IncidentStore } from './ports';

const MAX_ATTEMPTS = 8;

export type IncidentAction = 'acknowledge' | 'resolve';

export async function actOnIncident(
  deps: { store: IncidentStore; escalator: Escalator; clock: Clock },
  id: string,
  action: IncidentAction,
  actor: string,
  note?: string,
): Promise<Incident> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const inc = await deps.store.getIncident(id);
    if (!inc) throw new NotFoundError(`no incident ${id}`);
    const now = deps.clock.now().toISOString();
    const t: Transition = action === 'acknowledge' ? acknowledgeIncident(inc, actor, now, note) : resolveIncident(inc, actor, now, note);
    const res = await deps.store.replaceIncident(inc, t.after);
    if (res.kind === 'conflict') continue;
    await deps.store.appendTimeline(t.events);
    if (t.stopEscalation) await deps.escalator.stop(t.after, `${t.after.status} by ${actor}`);
    return t.after;
  }
  throw new Error(`incident ${id} kept changing; gave up after ${MAX_ATTEMPTS} attempts`);
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
