/**
 * The escalator (lambdas/core/escalation/escalator.ts) over a recording transport, and the step record of
 * runEscalationStep: level 1 pages inline; a plan with more steps starts its execution first, at the wait before
 * step 1; a hold or escalate-now goes through the execution alone; a page marks a pending escalation started.
 */
import { InMemoryIncidentStore } from '../../../lambdas/adapters/in-memory/incident-store';
import { InMemoryOperationsStore } from '../../../lambdas/adapters/in-memory/operations-store';
import { parsePipelineConfig } from '../../../lambdas/core/config/parse-pipeline-config';
import { planIncidentChanges } from '../../../lambdas/core/deduplicate';
import { createEscalator } from '../../../lambdas/core/escalation/escalator';
import type { EscalationState } from '../../../lambdas/core/escalation/plan';
import { runEscalationStep } from '../../../lambdas/core/escalation/run';
import type { EscalationTransport } from '../../../lambdas/core/ports';
import type { Incident } from '../../../lambdas/core/model/incident';
import { alert, evaluated, NOW, NOW_MS } from '../../support/builders';

const config = parsePipelineConfig({
  version: 1,
  people: [{ name: 'alice', contacts: [{ type: 'email', address: 'alice@example.com' }] }, { name: 'bob', contacts: [{ type: 'email', address: 'bob@example.com' }] }],
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  escalationPolicies: [
    { name: 'single', levels: [{ targets: [{ person: 'alice' }], escalateAfterMinutes: 5 }] },
    { name: 'two', levels: [{ targets: [{ person: 'alice' }], escalateAfterMinutes: 10 }, { targets: [{ person: 'bob' }], escalateAfterMinutes: 15 }] },
  ],
  routing: { default: { service: 'platform', escalationPolicy: 'single' } },
});

async function openIncident(store: InMemoryIncidentStore, policy: string, over: Partial<Incident> = {}): Promise<Incident> {
  const plan = planIncidentChanges(null, [evaluated(alert({ key: `k-${policy}`, fp: `fp-${policy}` }))], NOW, NOW_MS);
  const inc = { ...plan.creates[0]!, route: { ...plan.creates[0]!.route, escalationPolicy: policy }, ...over };
  expect(await store.applyPlan({ ...plan, creates: [inc] })).toEqual({ kind: 'applied' });
  return inc;
}

function recordingTransport() {
  const calls: Array<[string, ...unknown[]]> = [];
  const transport: EscalationTransport = {
    startExecution: async (name, state) => void calls.push(['start', name, { step: state.step, waitSeconds: state.waitSeconds }]),
    stopExecution: async (name, reason) => void calls.push(['stop', name, reason]),
    pageInline: async (state) => void calls.push(['inline', { step: state.step, waitSeconds: state.waitSeconds }]),
  };
  return { calls, transport };
}

describe('createEscalator().start', () => {
  const clock = { now: () => new Date(NOW) };

  it.each([
    ['one level, no hold: pages inline, no execution', 'single', {}, [['inline', { step: 0, waitSeconds: 0 }]]],
    ['two levels: the execution first (at the wait before level 2), then level 1 inline', 'two', {},
      [['start', 'inc-ID-r0', { step: 1, waitSeconds: 600 }], ['inline', { step: 0, waitSeconds: 0 }]]],
    ['a hold (delay rule): the execution waits it out and pages level 1 itself', 'two', { holdMinutes: 3 },
      [['start', 'inc-ID-r0', { step: 0, waitSeconds: 180 }]]],
    ['a one-level plan with a hold also goes through the execution', 'single', { holdMinutes: 3 },
      [['start', 'inc-ID-r0', { step: 0, waitSeconds: 180 }]]],
    ['escalate-now after level 1: the next step at once, through the execution', 'two', { escalationStep: 0, escalationRun: 1 },
      [['start', 'inc-ID-r1', { step: 1, waitSeconds: 0 }]]],
  ] as const)('%s', async (_name, policy, over, expected) => {
    const store = new InMemoryIncidentStore();
    const inc = await openIncident(store, policy, over as Partial<Incident>);
    const { calls, transport } = recordingTransport();
    await createEscalator({ config, clock, store, transport }).start(inc);
    expect(JSON.parse(JSON.stringify(calls).replaceAll(inc.id, 'inc-ID'))).toEqual(expected);
    const escalated = (await store.timeline(inc.id)).filter((t) => t.type === 'escalated');
    expect(escalated).toHaveLength(calls.some(([k]) => k === 'start') ? 1 : 0);
    if (policy === 'two' && !('holdMinutes' in over) && !('escalationStep' in over)) {
      expect(escalated[0]!.message).toContain('level 1 paged at once, the next step in 10 min unless acknowledged');
    }
  });
  it('the inline page carries the incident it pages (the page reads it only right before the send); the execution never does', async () => {
    const store = new InMemoryIncidentStore();
    const inc = await openIncident(store, 'two');
    const states: Array<[string, EscalationState]> = [];
    const transport: EscalationTransport = {
      startExecution: async (_name, state) => void states.push(['start', state]),
      stopExecution: async () => {},
      pageInline: async (state) => void states.push(['inline', state]),
    };
    await createEscalator({ config, clock, store, transport }).start(inc);
    expect(states.map(([k, s]) => [k, s.incident])).toEqual([['start', undefined], ['inline', inc]]);
  });
});

describe('runEscalationStep', () => {
  it('records the paged step and marks a pending escalation started in the same write (apart from the version: no conflict with the processor)', async () => {
    const store = new InMemoryIncidentStore();
    const inc = await openIncident(store, 'two');
    expect(inc).toMatchObject({ escalation: 'pending', escalationStep: -1 });
    const sent: string[] = [];
    const plan = { incidentId: inc.id, policy: 'two', holdSeconds: 0, repeat: 0, frozenAt: NOW,
      levels: config.escalationPolicies[1]!.levels.map((l) => ({ targets: l.targets, waitSeconds: l.escalateAfterMinutes * 60, roundRobin: false })) };
    const state: EscalationState = { incidentId: inc.id, plan, step: 0, waitSeconds: 0, done: false };
    const next = await runEscalationStep({
      config, store, ops: new InMemoryOperationsStore(), clock: { now: () => new Date(NOW) },
      sender: { send: async (d) => (sent.push(d.person ?? ''), { ok: true }) },
      sleep: async () => {}, random: () => 0.5, newNonce: () => 'n', publicBaseUrl: 'https://example.test', actionLinkKey: 'k'.repeat(32),
    }, state);
    expect(next).toMatchObject({ step: 1, waitSeconds: 600, done: false });
    expect(sent).toEqual(['alice']);
    expect(await store.getIncident(inc.id)).toMatchObject({ escalation: 'started', escalationStep: 0, version: inc.version });
  });
});
