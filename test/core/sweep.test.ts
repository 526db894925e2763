import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { planIncidentChanges } from '../../lambdas/core/deduplicate';
import type { Incident } from '../../lambdas/core/model/incident';
import type { Escalator } from '../../lambdas/core/ports';
import { sweep } from '../../lambdas/core/sweep';
import { alert, evaluated, testConfig } from '../support/builders';

async function seed(store: InMemoryIncidentStore, over: Partial<Incident>, source: 'threatstack' | 'cloudwatch' = 'cloudwatch'): Promise<Incident> {
  const e = evaluated(alert({ key: `k-${Math.random()}`, fp: `fp-${Math.random()}`, source, at: '2024-06-10T14:00:00.000Z' }));
  const plan = planIncidentChanges(null, [e], '2024-06-10T14:00:00.000Z', Date.parse('2024-06-10T14:00:00.000Z'));
  const inc = { ...plan.creates[0]!, ...over };
  await store.applyPlan({ ...plan, creates: [inc] });
  return inc;
}

function recorder(): Escalator & { started: string[]; stopped: string[] } {
  const r = { started: [] as string[], stopped: [] as string[] };
  return Object.assign(r, {
    start: async (i: Incident) => void r.started.push(i.id),
    stop: async (i: Incident) => void r.stopped.push(i.id),
  });
}

const at = (iso: string) => ({ now: () => new Date(iso) });

describe('sweep', () => {
  it('pages an incident suppressed by a maintenance window that ended while it still fires', async () => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    const inc = await seed(store, { status: 'suppressed', escalation: 'none', suppressionReason: 'maintenance: patching', suppressedUntil: '2024-06-10T15:00:00.000Z' });
    const before = await sweep({ config: testConfig, store, escalator: esc, clock: at('2024-06-10T14:59:00.000Z') });
    expect(before.maintenanceEnded).toEqual([]);
    const after = await sweep({ config: testConfig, store, escalator: esc, clock: at('2024-06-10T15:00:30.000Z') });
    expect(after.maintenanceEnded).toEqual([inc.id]);
    expect(esc.started).toEqual([inc.id]);
    expect(await store.getIncident(inc.id)).toMatchObject({ status: 'triggered', escalation: 'pending', escalationRun: 1, suppressedUntil: null });
    expect((await store.timeline(inc.id)).map((t) => t.type)).toContain('maintenance-ended');
    // A second sweep does nothing more.
    expect((await sweep({ config: testConfig, store, escalator: esc, clock: at('2024-06-10T15:01:30.000Z') })).maintenanceEnded).toEqual([]);
  });

  it('re-escalates a snoozed incident when the snooze ends', async () => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    const inc = await seed(store, { status: 'acknowledged', snoozedUntil: '2024-06-10T14:30:00.000Z', escalation: 'started' });
    const r = await sweep({ config: testConfig, store, escalator: esc, clock: at('2024-06-10T14:31:00.000Z') });
    expect(r.snoozesEnded).toEqual([inc.id]);
    expect(await store.getIncident(inc.id)).toMatchObject({ status: 'triggered', snoozedUntil: null, acknowledgedAt: null });
    expect(esc.started).toEqual([inc.id]);
  });

  it('auto-resolves a quiet Threat Stack incident after the configured minutes, and leaves CloudWatch alone', async () => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    const ts = await seed(store, {}, 'threatstack');
    const cw = await seed(store, {}, 'cloudwatch');
    const quiet = testConfig.sources.threatstack.autoResolveAfterMinutes;
    // Quiet since the pipeline received the last alert (14:05), not since the source's time for it (14:00).
    const early = await sweep({ config: testConfig, store, escalator: esc, clock: { now: () => new Date(Date.parse('2024-06-10T14:05:00.000Z') + (quiet - 1) * 60_000) } });
    expect(early.autoResolved).toEqual([]);
    const late = await sweep({ config: testConfig, store, escalator: esc, clock: { now: () => new Date(Date.parse('2024-06-10T14:05:00.000Z') + (quiet + 1) * 60_000) } });
    expect(late.autoResolved).toEqual([ts.id]);
    expect(await store.getIncident(ts.id)).toMatchObject({ status: 'resolved', resolvedBy: 'pipeline:auto-resolve' });
    expect((await store.getIncident(cw.id))!.status).toBe('triggered');
    expect(esc.stopped).toEqual([ts.id]);
  });

  it('auto-resolves on time even when the source time is far in the future (counted from the receive time)', async () => {
    const store = new InMemoryIncidentStore();
    const esc = recorder();
    // A head as written before source times were bounded: lastSeenAt in the year 2100.
    const ts = await seed(store, { lastSeenAt: '2100-01-01T00:00:00.000Z' }, 'threatstack');
    const quiet = testConfig.sources.threatstack.autoResolveAfterMinutes;
    const r = await sweep({ config: testConfig, store, escalator: esc, clock: { now: () => new Date(Date.parse(ts.lastAlert.receivedAt) + (quiet + 1) * 60_000) } });
    expect(r.autoResolved).toEqual([ts.id]);
    expect(await store.getIncident(ts.id)).toMatchObject({ status: 'resolved', resolvedBy: 'pipeline:auto-resolve' });
  });
});
