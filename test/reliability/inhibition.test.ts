/**
 * Inhibition end to end on the local runtime (the same handlers as AWS): a database outage (sev1 on `database`)
 * holds the page of the `checkout` alert that depends on it (edge with inhibitAtOrAbove: sev1), the trace and the
 * timeline say why, and resolving the database incident while checkout still fires pages checkout at once.
 */
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  people: [{ name: 'alice', contacts: [{ type: 'email', address: 'alice@example.com' }] }],
  teams: [{ name: 'platform', members: ['alice'] }],
  services: [
    { name: 'platform', team: 'platform' },
    { name: 'database', team: 'platform' },
    { name: 'checkout', team: 'platform', dependsOn: [{ service: 'database', inhibitAtOrAbove: 'sev1' }] },
  ],
  escalationPolicies: [{ name: 'single', levels: [{ targets: [{ person: 'alice' }], escalateAfterMinutes: 5 }] }],
  routing: { default: { service: 'platform', escalationPolicy: 'single' } },
  rules: {
    routing: [
      { name: 'database', when: '"component" in alert.labels && alert.labels.component == "database"', route: { service: 'database', escalationPolicy: 'single' } },
      { name: 'checkout', when: '"component" in alert.labels && alert.labels.component == "checkout"', route: { service: 'checkout', escalationPolicy: 'single' } },
    ],
  },
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('inhibition end to end (local runtime)', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await startTestRuntime({ config, sweepIntervalMs: 0 });
  });
  afterEach(async () => rt.cleanup());

  const event = (component: string, action: 'trigger' | 'resolve', severity = 'critical') => ({
    routing_key: rt.ingestToken,
    event_action: action,
    dedup_key: `${component}-down`,
    ...(action === 'trigger' ? { payload: { summary: `${component} is down`, source: `${component}-01`, severity, component } } : {}),
  });
  const send = async (body: unknown) => {
    expect((await rt.post('/ingest/events/v2', body)).status).toBe(202);
    await rt.drain();
  };
  const incidentOf = async (service: string) =>
    (await rt.get(`/api/incidents?service=${service}`)).body.incidents[0] as { id: string; status: string; escalation: string; inhibitedBy?: string };
  const paged = (id: string) => rt.outbox.list(50, id).length;

  it('a database sev1 holds the checkout page with its reason, and the database resolve pages checkout', async () => {
    await send(event('database', 'trigger'));
    const db = await incidentOf('database');
    await until('the database page', async () => paged(db.id) > 0);

    await send(event('checkout', 'trigger', 'error'));
    const checkout = await incidentOf('checkout');
    expect(checkout).toMatchObject({ status: 'triggered', escalation: 'none', inhibitedBy: db.id });
    const detail = (await rt.get(`/api/incidents/${checkout.id}`)).body;
    const held = detail.alerts[0].trace.steps.at(-1);
    expect(held).toMatchObject({ stage: 'inhibit', outcome: 'held', data: { inhibitedBy: db.id, upstreamService: 'database' } });
    expect(held.reason).toContain('checkout depends on database');
    expect(detail.timeline.map((e: { type: string }) => e.type)).toEqual(['opened', 'inhibited']);
    await new Promise((r) => setTimeout(r, 300));
    expect(paged(checkout.id)).toBe(0);

    // The database recovers while checkout still fires: checkout pages at once.
    await send(event('database', 'resolve'));
    expect((await incidentOf('database')).status).toBe('resolved');
    await until('the released checkout page', async () => paged(checkout.id) > 0);
    const after = (await rt.get(`/api/incidents/${checkout.id}`)).body;
    expect(after.incident).toMatchObject({ status: 'triggered', escalation: 'started', inhibitedBy: db.id });
    expect(after.timeline.map((e: { type: string }) => e.type)).toContain('inhibition-released');
  });

  it('a database incident below the edge severity (sev2) does not hold checkout', async () => {
    await send(event('database', 'trigger', 'error'));
    await send(event('checkout', 'trigger', 'error'));
    const checkout = await incidentOf('checkout');
    expect(checkout.inhibitedBy).toBeUndefined();
    await until('the checkout page', async () => paged(checkout.id) > 0);
  });
});
