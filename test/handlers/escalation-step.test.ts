/**
 * The escalation-step handler (lambdas/handlers/escalation-step.ts) invoked as the state machine's Page task
 * invokes it (LambdaInvoke, payloadResponseOnly): the payload is the state input as JSON, the result is the next
 * state, which the Choice state (`$.done`) and the Wait state (`$.waitSeconds`) read. The inline page of the
 * escalator invokes it with the same payload.
 */
import type { Context } from 'aws-lambda';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { InMemoryOperationsStore } from '../../lambdas/adapters/in-memory/operations-store';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { planIncidentChanges } from '../../lambdas/core/deduplicate';
import { planEscalation } from '../../lambdas/core/escalation/plan';
import type { EscalationState } from '../../lambdas/core/escalation/plan';
import type { EscalationDeps } from '../../lambdas/core/escalation/run';
import type { Incident } from '../../lambdas/core/model/incident';
import { createEscalationStepHandler } from '../../lambdas/handlers/escalation-step';
import { alert, evaluated, NOW, NOW_MS } from '../support/builders';

const config = parsePipelineConfig({
  version: 1,
  people: [{ name: 'alice', contacts: [{ type: 'email', address: 'alice@example.com' }] }, { name: 'bob', contacts: [{ type: 'email', address: 'bob@example.com' }] }],
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  escalationPolicies: [
    { name: 'two', levels: [{ targets: [{ person: 'alice' }], escalateAfterMinutes: 10 }, { targets: [{ person: 'bob' }], escalateAfterMinutes: 15 }] },
  ],
  routing: { default: { service: 'platform', escalationPolicy: 'two' } },
});
const context = { functionName: 'escalationStep', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

async function setup(over: Partial<Incident> = {}) {
  const store = new InMemoryIncidentStore();
  const created = planIncidentChanges(null, [evaluated(alert({ key: 'k-1', fp: 'fp-1' }))], NOW, NOW_MS);
  const incident = { ...created.creates[0]!, route: { ...created.creates[0]!.route, escalationPolicy: 'two' }, ...over };
  await store.applyPlan({ ...created, creates: [incident] });
  const sent: string[] = [];
  const deps: EscalationDeps = {
    config, store, ops: new InMemoryOperationsStore(), clock: { now: () => new Date(NOW) },
    sender: { send: async (d) => (sent.push(d.person ?? ''), { ok: true }) },
    sleep: async () => {}, random: () => 0.5, newNonce: () => 'n', publicBaseUrl: 'https://example.test', actionLinkKey: 'k'.repeat(32),
  };
  let built = 0;
  const handler = createEscalationStepHandler(async () => (built++, deps));
  const plan = planEscalation(config, incident, 0, NOW).plan!;
  // Step Functions passes the state as JSON and takes the result as JSON.
  const task = async (state: EscalationState) => JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(state)), context))) as EscalationState;
  return { store, incident, sent, task, plan, built: () => built };
}

describe('escalation-step handler', () => {
  it('pages the step of the payload and returns the next state for the Wait and Choice states', async () => {
    const t = await setup();
    const next = await t.task({ incidentId: t.incident.id, plan: t.plan, step: 0, waitSeconds: 0, done: false });
    expect(next).toEqual({ incidentId: t.incident.id, plan: t.plan, step: 1, waitSeconds: 600, done: false });
    expect(t.sent).toEqual(['alice']);
    const last = await t.task(next);
    expect(last).toMatchObject({ step: 2, waitSeconds: 900, done: false });
    expect(t.sent).toEqual(['alice', 'bob']);
    expect(await t.task(last)).toMatchObject({ step: 2, waitSeconds: 0, done: true }); // exhausted
    expect((await t.store.timeline(t.incident.id)).filter((e) => e.type === 'page')).toHaveLength(2);
    expect(t.built()).toBe(3); // dependencies are resolved per invocation (the link key may rotate)
  });

  it('answers done without paging when the incident was acknowledged meanwhile', async () => {
    const t = await setup({ status: 'acknowledged' });
    const next = await t.task({ incidentId: t.incident.id, plan: t.plan, step: 1, waitSeconds: 600, done: false });
    expect(next).toMatchObject({ step: 1, waitSeconds: 0, done: true });
    expect(t.sent).toEqual([]);
  });

  it('answers done for an incident that no longer exists', async () => {
    const t = await setup();
    expect(await t.task({ incidentId: 'inc-missing-1', plan: t.plan, step: 0, waitSeconds: 0, done: false })).toMatchObject({ done: true, waitSeconds: 0 });
  });
});
