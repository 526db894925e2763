/**
 * The local runtime runs the handlers AWS runs, invoked the way their triggers invoke them: the sweeper handler with
 * EventBridge's scheduled event, the escalation-step handler as the Page task of the synthesized state machine
 * (payload = the state, result = the next state) and for the inline page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { ESCALATION_STATES } from '../../lib/constructs/escalation-state-machine';
import { synthesizeEscalationStateMachine } from '../../lambdas/local/synthesized-state-machine';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  people: [{ name: 'alice', contacts: [{ type: 'email', address: 'alice@example.com' }] }, { name: 'bob', contacts: [{ type: 'email', address: 'bob@example.com' }] }],
  teams: [{ name: 'platform', members: ['alice', 'bob'] }],
  services: [{ name: 'platform', team: 'platform' }],
  escalationPolicies: [
    { name: 'two', levels: [{ targets: [{ person: 'alice' }], escalateAfterMinutes: 10 }, { targets: [{ person: 'bob' }], escalateAfterMinutes: 10 }] },
  ],
  routing: { default: { service: 'platform', escalationPolicy: 'two' } },
});
const bareAlert = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'threatstack', 'bare-alert.json'), 'utf8'));

type Call = { event: any; result: any };
/** Every handler the runtime builds with these factories, recording each invocation's event and result. */
const mockCalls: Record<'sweeper' | 'escalationStep', { built: number; calls: Call[] }> = {
  sweeper: { built: 0, calls: [] },
  escalationStep: { built: 0, calls: [] },
};
function mockRecord(name: keyof typeof mockCalls, handler: (event: unknown, context: unknown) => Promise<unknown>) {
  mockCalls[name].built++;
  return async (event: unknown, context: unknown) => {
    const result = await handler(event, context);
    mockCalls[name].calls.push({ event, result });
    return result;
  };
}
jest.mock('../../lambdas/handlers/sweeper', () => {
  const actual = jest.requireActual('../../lambdas/handlers/sweeper');
  return { ...actual, createSweeperHandler: (...args: unknown[]) => mockRecord('sweeper', actual.createSweeperHandler(...args)) };
});
jest.mock('../../lambdas/handlers/escalation-step', () => {
  const actual = jest.requireActual('../../lambdas/handlers/escalation-step');
  return { ...actual, createEscalationStepHandler: (...args: unknown[]) => mockRecord('escalationStep', actual.createEscalationStepHandler(...args)) };
});

describe('the local runtime runs the handlers of the function table', () => {
  let rt: TestRuntime | undefined;
  beforeEach(() => {
    for (const m of Object.values(mockCalls)) Object.assign(m, { built: 0, calls: [] });
  });
  afterEach(async () => rt?.cleanup());

  it('maps the Page task of the synthesized definition (and its Catch, which records a failed page) to the escalation-step function', async () => {
    expect((await synthesizeEscalationStateMachine(config)).tasks).toEqual({ [ESCALATION_STATES.page]: 'escalationStep', [ESCALATION_STATES.recordFailure]: 'escalationStep' });
  });

  it('sweeps through the sweeper handler with a scheduled event', async () => {
    const sweeper = mockCalls.sweeper;
    rt = await startTestRuntime({ config, sweepIntervalMs: 0 });
    expect(sweeper.built).toBe(1);
    const result = await rt.sweepNow();
    expect(result).toEqual({ maintenanceEnded: [], snoozesEnded: [], autoResolved: [], inhibitionsReleased: [], alarmsReconciled: [], errors: [] });
    expect(sweeper.calls).toHaveLength(1);
    expect(sweeper.calls[0]!.event).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
    expect(sweeper.calls[0]!.result).toBe(result);
  });

  it('pages level 1 inline and level 2 from the Page task, both through the escalation-step handler', async () => {
    const step = mockCalls.escalationStep;
    rt = await startTestRuntime({ config, timeScale: 6000, sweepIntervalMs: 0 });
    expect(step.built).toBe(1);
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, bareAlert)).status).toBe(200);
    await rt.drain();
    await rt.escalations!.idle();
    const [inc] = (await rt.get('/api/incidents')).body.incidents;
    // Level 1 inline (step 0), then the execution's Page task: level 2 (step 1), then the plan is exhausted (step 2).
    // (The inline page is not awaited, so it may finish after the execution's first Page: order by step.)
    const steps = step.calls.map((c) => [c.event.step, c.result.step, c.result.done]).sort((a, b) => a[0] - b[0]);
    expect(steps).toEqual([[0, 1, false], [1, 2, false], [2, 2, true]]);
    expect(step.calls.every((c) => c.event.incidentId === inc.id)).toBe(true);
    expect(rt.outbox.list(10, inc.id).map((n) => n.person).sort()).toEqual(['alice', 'bob']);
  });
});
