/**
 * Stage "escalate" (after "open or update incident", before "notify"): the escalation plan of a paging incident.
 *
 * The plan is frozen when the incident opens (style guide §1.6, Grafana OnCall's escalation snapshot): it copies the
 * policy's levels and targets, so editing the config later never changes an escalation in flight. Targets are
 * resolved to people only when a step runs (escalation/recipients.ts), so a schedule pages whoever is on call then.
 * Every step has one result shape (`stepAt`), which the state machine runs as a Wait/Choice loop; a plan with one
 * level, no repeat and no hold needs no state machine execution at all (`needsExecution`), which saves the state
 * transitions that are most of the cost per alert (docs/limits-and-prices.md §3).
 */
import type { PipelineConfig } from '../config/pipeline-config.schema';
import type { Incident } from '../model/incident';

export type Target = PipelineConfig['escalationPolicies'][number]['levels'][number]['targets'][number];

export interface PlanLevel {
  targets: Target[];
  waitSeconds: number;
  roundRobin: boolean;
}

export interface EscalationPlan {
  incidentId: string;
  policy: string;
  /** Delayed notification: wait this long before the first page, then page only if still triggered. */
  holdSeconds: number;
  levels: PlanLevel[];
  /** How many more rounds after the first (0 = the levels run once). */
  repeat: number;
  /** When the plan was frozen (ISO). */
  frozenAt: string;
}

/** The state machine's data between steps (also the input of the first step). */
export interface EscalationState {
  incidentId: string;
  plan: EscalationPlan;
  /** The next step to page (stepAt numbering). */
  step: number;
  /** How long the Wait state waits before the next Page. */
  waitSeconds: number;
  done: boolean;
  /**
   * The incident as the processor has just written it, carried by the inline page alone (the payload of a Lambda
   * event invoke), so the step does not read it first. The re-read right before every send still decides whether
   * the page goes out (acknowledged, resolved, or the step already paged), and the step is recorded on the head that
   * re-read found. Never carried into a state machine execution (a later step needs the incident as it is then).
   */
  incident?: Incident;
}

/** Why there is (or is not) a plan: string constants, for the timeline, logs and metric dimensions. */
export const PLAN_REASONS = {
  policyFromRoute: 'policy-from-route',
  policyFromService: 'policy-from-service',
  policyFromServiceSeverity: 'policy-from-service-severity',
  noEscalationPolicy: 'no-escalation-policy',
  unknownEscalationPolicy: 'unknown-escalation-policy',
  notTriggered: 'incident-not-triggered',
} as const;
export type PlanReason = (typeof PLAN_REASONS)[keyof typeof PLAN_REASONS];

export interface PlanDecision {
  plan: EscalationPlan | null;
  reason: PlanReason;
  /** One human sentence, for the incident timeline. */
  message: string;
}

export type EscalationStep =
  | { kind: 'page'; level: number; round: number; targets: Target[]; waitSeconds: number }
  | { kind: 'exhausted' };

/** Which policy applies: the route's, else the service's (a name, or per severity with `default`). */
function choosePolicy(config: PipelineConfig, incident: Incident): { name: string | null; reason: PlanReason; message: string } {
  if (incident.route.escalationPolicy) {
    return { name: incident.route.escalationPolicy, reason: PLAN_REASONS.policyFromRoute, message: `route "${incident.route.rule}" names policy "${incident.route.escalationPolicy}"` };
  }
  const service = config.services.find((s) => s.name === incident.route.service);
  const policy = service?.escalationPolicy;
  if (typeof policy === 'string') {
    return { name: policy, reason: PLAN_REASONS.policyFromService, message: `service "${incident.route.service}" uses policy "${policy}"` };
  }
  if (policy) {
    const bySeverity = policy[incident.severity];
    if (bySeverity) {
      return { name: bySeverity, reason: PLAN_REASONS.policyFromServiceSeverity, message: `service "${incident.route.service}" uses policy "${bySeverity}" for ${incident.severity}` };
    }
    if (policy.default) {
      return { name: policy.default, reason: PLAN_REASONS.policyFromServiceSeverity, message: `service "${incident.route.service}" uses its default policy "${policy.default}" for ${incident.severity}` };
    }
  }
  return {
    name: null,
    reason: PLAN_REASONS.noEscalationPolicy,
    message: `no escalation policy: the route names none and service "${incident.route.service}" has none for ${incident.severity}`,
  };
}

function copyTarget(t: Target): Target {
  if ('person' in t) return { person: t.person };
  if ('schedule' in t) return { schedule: t.schedule };
  if ('team' in t) return { team: t.team };
  return { channel: t.channel };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Freezes the escalation of a newly opened incident. Returns `plan: null` with a reason when nothing should page:
 * no policy on the route or the service, a policy name missing from the config, or an incident that is not
 * triggered. The returned plan is a deep copy (and deeply frozen): later config changes do not reach it.
 *
 * @example
 * const { plan, reason } = planEscalation(config, incident, evaluation.holdMinutes, now);
 * if (!plan) timeline.push({ type: 'info', message: `not paged: ${reason}` });
 */
export function planEscalation(config: PipelineConfig, incident: Incident, holdMinutes: number | null, nowIso: string): PlanDecision {
  if (incident.status !== 'triggered') {
    return { plan: null, reason: PLAN_REASONS.notTriggered, message: `incident ${incident.id} is ${incident.status}; only a triggered incident escalates` };
  }
  const chosen = choosePolicy(config, incident);
  if (chosen.name === null) return { plan: null, reason: chosen.reason, message: chosen.message };
  const policy = config.escalationPolicies.find((p) => p.name === chosen.name);
  if (!policy) {
    return { plan: null, reason: PLAN_REASONS.unknownEscalationPolicy, message: `${chosen.message}, but no such policy is configured` };
  }
  const plan: EscalationPlan = {
    incidentId: incident.id,
    policy: policy.name,
    holdSeconds: Math.max(0, Math.round((holdMinutes ?? 0) * 60)),
    levels: policy.levels.map((level) => ({
      targets: level.targets.map(copyTarget),
      waitSeconds: level.escalateAfterMinutes * 60,
      roundRobin: level.roundRobin,
    })),
    repeat: policy.repeat,
    frozenAt: nowIso,
  };
  return { plan: deepFreeze(plan), reason: chosen.reason, message: chosen.message };
}

/**
 * Whether the plan needs a state machine execution: not when there is one level, no repeat and no hold. Then the
 * caller pages inline (step 0) and there is nothing to wait for.
 */
export function needsExecution(plan: EscalationPlan): boolean {
  return plan.levels.length > 1 || plan.repeat > 0 || plan.holdSeconds > 0;
}

/** Number of steps: levels × (repeat + 1). */
export function stepCount(plan: EscalationPlan): number {
  return plan.levels.length * (plan.repeat + 1);
}

/**
 * Step `step` (0-based) of a plan: level `step mod levels`, round `floor(step / levels)`. A round-robin level pages
 * one target per round, in turn (round r pages `targets[r mod n]`). Past the last step: `exhausted`.
 *
 * @example
 * stepAt(plan, 0) // { kind: 'page', level: 0, round: 0, targets: [{ schedule: 'primary' }], waitSeconds: 900 }
 */
export function stepAt(plan: EscalationPlan, step: number): EscalationStep {
  if (!Number.isInteger(step) || step < 0 || step >= stepCount(plan)) return { kind: 'exhausted' };
  const levelIndex = step % plan.levels.length;
  const round = Math.floor(step / plan.levels.length);
  const level = plan.levels[levelIndex]!;
  const targets = level.roundRobin ? [level.targets[round % level.targets.length]!] : level.targets;
  return { kind: 'page', level: levelIndex, round, targets: targets.map(copyTarget), waitSeconds: level.waitSeconds };
}
