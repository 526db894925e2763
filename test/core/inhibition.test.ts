import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { actOnIncident } from '../../lambdas/core/incident-actions';
import { atOrAbove, inhibitEdgesOf, inhibitorOf, type InhibitEdge } from '../../lambdas/core/inhibition';
import type { Incident } from '../../lambdas/core/model/incident';
import type { Severity } from '../../lambdas/core/model/alert';
import { processEnvelopes, type ProcessDeps, type QueueRecord } from '../../lambdas/core/pipeline';
import type { Escalator } from '../../lambdas/core/ports';
import type { Rules } from '../../lambdas/core/evaluate';
import { sweep } from '../../lambdas/core/sweep';
import { alert, envelope, rules as baseRules, testConfig } from '../support/builders';

/** Routes every alert to the service in its `service` label, with the severity in its `severity` field. */
const rules: Rules = {
  ...baseRules,
  route(a) {
    const service = a.labels.service ?? 'platform';
    return { route: { service, team: 'platform', escalationPolicy: 'default', rule: 'test' }, trace: [] };
  },
};

const EDGES: InhibitEdge[] = [{ from: 'checkout', to: 'database', inhibitAtOrAbove: 'sev1' }];

function recorder(): Escalator & { started: string[]; stopped: string[] } {
  const r = { started: [] as string[], stopped: [] as string[] };
  return Object.assign(r, {
    start: async (i: Incident) => void r.started.push(i.id),
    stop: async (i: Incident) => void r.stopped.push(i.id),
  });
}

let t = Date.parse('2024-06-10T14:05:00.000Z');
const clock = { now: () => new Date((t += 1000)) };

function deps(store: InMemoryIncidentStore, escalator: Escalator, inhibitEdges: InhibitEdge[] = EDGES): ProcessDeps {
  return { store, escalator, rules, inhibitEdges, clock, sleep: async () => {}, random: () => 0.5, log: () => {} };
}

const fire = (service: string, severity: Severity, action: 'trigger' | 'resolve' = 'trigger', key = `${service}-${action}-${Math.random()}`) =>
  alert({ key, fp: `cw:${service}-alarm`, action, severity, labels: { service }, at: new Date(t).toISOString() });
const run = async (d: ProcessDeps, ...alerts: ReturnType<typeof fire>[]) =>
  processEnvelopes(alerts.map((a, i): QueueRecord => ({ recordId: `r${i}`, envelope: envelope([a]) })), d);

const open = (service: string, severity: Severity, status: Incident['status'] = 'triggered', id = `inc-${service}-${severity}-${status}`) =>
  ({ id, status, severity, openedAt: '2024-06-10T14:00:00.000Z', route: { service } }) as Incident;

describe('inhibition: the decision (pure)', () => {
  it.each([
    ['sev1', 'sev1', true],
    ['sev2', 'sev1', false],
    ['sev1', 'sev2', true],
    ['sev2', 'sev2', true],
    ['sev3', 'sev2', false],
  ] as const)('%s at or above %s: %s', (sev, threshold, expected) => expect(atOrAbove(sev, threshold)).toBe(expected));

  it('only edges with inhibitAtOrAbove inhibit', () => {
    expect(inhibitEdgesOf([{ from: 'a', to: 'b' }, { from: 'a', to: 'c', inhibitAtOrAbove: 'sev2' }])).toEqual([{ from: 'a', to: 'c', inhibitAtOrAbove: 'sev2' }]);
  });

  it.each([
    ['a triggered sev1 upstream holds', [open('database', 'sev1')], 'inc-database-sev1-triggered'],
    ['an acknowledged sev1 upstream holds (still open)', [open('database', 'sev1', 'acknowledged')], 'inc-database-sev1-acknowledged'],
    ['a sev2 upstream is below the edge threshold', [open('database', 'sev2')], null],
    ['a resolved upstream does not hold', [open('database', 'sev1', 'resolved')], null],
    ['a suppressed upstream does not hold', [open('database', 'sev1', 'suppressed')], null],
    ['the worst severity wins', [open('database', 'sev1', 'triggered', 'b'), open('database', 'sev1', 'triggered', 'a')], 'a'],
  ])('%s', (_name, incidents, expected) => {
    const by = inhibitorOf('checkout', [{ from: 'checkout', to: 'database', inhibitAtOrAbove: 'sev1' }], (s) => (s === 'database' ? incidents : []));
    expect(by?.incident.id ?? null).toBe(expected);
  });

  it('a service without an inhibiting edge is never held', () => {
    expect(inhibitorOf('database', EDGES, () => [open('checkout', 'sev1')])).toBeNull();
  });
});

describe('inhibition in the processor, the API and the sweeper (core tables over the in-memory store)', () => {
  it('a database sev1 holds the checkout page, the trace and timeline say why, and the database OK pages checkout', async () => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    const d = deps(store, esc);
    const db = (await run(d, fire('database', 'sev1'))).opened[0]!;
    expect(esc.started).toEqual([db.id]);

    const res = await run(d, fire('checkout', 'sev2'));
    const checkout = res.opened[0]!;
    expect(esc.started).toEqual([db.id]); // held: no escalation started
    const stored = (await store.getIncident(checkout.id))!;
    expect(stored).toMatchObject({ status: 'triggered', escalation: 'none', inhibitedBy: db.id });
    expect(res.outcomes[0]).toMatchObject({ outcome: 'opened', reason: 'inhibited-by-dependency' });
    const inhibit = res.outcomes[0]!.trace.at(-1)!;
    expect(inhibit).toMatchObject({ stage: 'inhibit', outcome: 'held', data: { inhibitedBy: db.id, upstreamService: 'database', upstreamSeverity: 'sev1' } });
    expect(inhibit.reason).toContain('checkout depends on database');
    expect((await store.alerts(checkout.id))[0]!.trace.steps.at(-1)).toEqual(inhibit);
    expect((await store.timeline(checkout.id)).map((e) => e.type)).toEqual(['opened', 'inhibited']);

    // Resolving the database (CloudWatch OK) while checkout still fires pages checkout at once.
    await run(d, fire('database', 'sev1', 'resolve'));
    expect(esc.started).toEqual([db.id, checkout.id]);
    const released = (await store.getIncident(checkout.id))!;
    expect(released).toMatchObject({ status: 'triggered', escalation: 'started', inhibitedBy: db.id });
    expect(released.inhibitionReleasedAt).toBeDefined();
    expect((await store.timeline(checkout.id)).map((e) => e.type)).toEqual(['opened', 'inhibited', 'inhibition-released']);
  });

  it.each([
    ['a sev2 database incident (below sev1)', 'sev2', EDGES],
    ['an edge without inhibitAtOrAbove', 'sev1', []],
  ] as const)('%s does not hold the checkout page', async (_name, sev, edges) => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    const d = deps(store, esc, [...edges]);
    await run(d, fire('database', sev));
    const checkout = (await run(d, fire('checkout', 'sev2'))).opened[0]!;
    expect(esc.started).toContain(checkout.id);
    expect((await store.getIncident(checkout.id))!.inhibitedBy).toBeUndefined();
  });

  it('a resolve through the API releases the held page', async () => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    const d = deps(store, esc);
    const db = (await run(d, fire('database', 'sev1'))).opened[0]!;
    const checkout = (await run(d, fire('checkout', 'sev3'))).opened[0]!;
    await actOnIncident({ store, escalator: esc, clock, inhibitEdges: EDGES }, db.id, 'resolve', 'alice');
    expect(esc.started).toEqual([db.id, checkout.id]);
  });

  it('acknowledging the upstream keeps the page held; a checkout resolved meanwhile never pages', async () => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    const d = deps(store, esc);
    const db = (await run(d, fire('database', 'sev1'))).opened[0]!;
    const checkout = (await run(d, fire('checkout', 'sev2'))).opened[0]!;
    await actOnIncident({ store, escalator: esc, clock, inhibitEdges: EDGES }, db.id, 'acknowledge', 'alice');
    expect(esc.started).toEqual([db.id]);
    await run(d, fire('checkout', 'sev2', 'resolve'));
    await run(d, fire('database', 'sev1', 'resolve'));
    expect(esc.started).toEqual([db.id]);
    expect((await store.getIncident(checkout.id))!.status).toBe('resolved');
  });

  it('the sweeper releases a held page whose upstream resolved without a release (a crash in between)', async () => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    const d = deps(store, esc);
    const db = (await run(d, fire('database', 'sev1'))).opened[0]!;
    const checkout = (await run(d, fire('checkout', 'sev2'))).opened[0]!;
    // The resolve lands without the release (an API resolve without edges stands in for a crash after the write).
    await actOnIncident({ store, escalator: esc, clock }, db.id, 'resolve', 'alice');
    expect(esc.started).toEqual([db.id]);
    const swept = await sweep({ config: testConfig, store, escalator: esc, clock });
    expect(swept.inhibitionsReleased).toEqual([checkout.id]);
    expect(esc.started).toEqual([db.id, checkout.id]);
    expect((await sweep({ config: testConfig, store, escalator: esc, clock })).inhibitionsReleased).toEqual([]);
  });
});
