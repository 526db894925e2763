/**
 * The Escalator port's logic, shared by AWS and the local runtime: freeze the plan when the incident opens, page the
 * first level inline (unless a delay rule holds it), then, if the plan has more steps, start an execution named
 * after the incident and its escalation run (so a redelivered alert cannot start two) at the wait before the next
 * step, and stop it on acknowledge/resolve. Transports (Step Functions, Lambda, the local runner) come in as functions.
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import type { Incident } from '../model/incident';
import type { Clock, Escalator, EscalationTransport, IncidentStore } from '../ports';
import { needsExecution, planEscalation, stepAt, type EscalationState } from './plan';

/** The execution name of an incident's escalation run (Step Functions names: ≤ 80 chars of [A-Za-z0-9-_]). */
export function executionNameOf(incident: Pick<Incident, 'id' | 'escalationRun'>): string {
  return `${incident.id}-r${incident.escalationRun}`.slice(0, 80);
}

export function createEscalator(deps: { config: PipelineConfig; clock: Clock; store: IncidentStore; transport: EscalationTransport }): Escalator {
  return {
    async start(incident) {
      const now = deps.clock.now().toISOString();
      const decision = planEscalation(deps.config, incident, incident.holdMinutes, now);
      if (!decision.plan) {
        await deps.store.appendTimeline([{ incidentId: incident.id, at: now, type: 'page', actor: 'pipeline', message: `Not paged: ${decision.message}`, data: { reason: decision.reason } }]);
        return;
      }
      const plan = decision.plan;
      // Escalate-now continues after the last paged step.
      const step = Math.max(0, incident.escalationStep + 1);
      const state: EscalationState = { incidentId: incident.id, plan, step, waitSeconds: step === 0 ? plan.holdSeconds : 0, done: false };
      const first = stepAt(plan, 0);
      // The first level pages at once, without the state machine (unless a delay rule holds it). A plan with more to
      // do starts its execution at the wait before the second step, so an incident acknowledged at level 1 costs
      // one state transition (that Wait; acknowledging stops the execution) instead of four. The execution starts
      // before the inline page, so an acknowledgement prompted by that page always finds it to stop.
      const inline = step === 0 && plan.holdSeconds === 0 && first.kind === 'page';
      // The inline page carries the incident as written, so the page reads it only right before the send.
      const inlineState: EscalationState = { ...state, incident };
      if (inline && !needsExecution(plan)) {
        await deps.transport.pageInline(inlineState);
        return;
      }
      await deps.transport.startExecution(executionNameOf(incident), inline ? { ...state, step: 1, waitSeconds: first.waitSeconds } : state);
      await deps.store.appendTimeline([{
        incidentId: incident.id, at: now, type: 'escalated', actor: 'pipeline',
        message: `Escalation started with policy ${plan.policy}: ${plan.levels.length} level(s)${plan.repeat ? `, ${plan.repeat} repeat(s)` : ''}${plan.holdSeconds ? `, first page held ${Math.round(plan.holdSeconds / 60)} min` : ''}${inline ? `; level 1 paged at once, the next step in ${Math.round(first.waitSeconds / 60)} min unless acknowledged` : ''}`,
        data: { execution: executionNameOf(incident), step: inline ? 1 : step },
      }]);
      if (inline) await deps.transport.pageInline(inlineState);
    },
    async stop(incident, reason) {
      await deps.transport.stopExecution(executionNameOf(incident), reason);
    },
  };
}
