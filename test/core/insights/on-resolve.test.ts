import { InMemoryIncidentStore } from '../../../lambdas/adapters/in-memory/incident-store';
import { InMemoryDocuments } from '../../../lambdas/adapters/in-memory/postmortem-store';
import { InMemoryRollupStore } from '../../../lambdas/adapters/in-memory/rollup-store';
import { backfillRollups, recordingResolves, type ResolveRecorderDeps } from '../../../lambdas/core/insights/on-resolve';
import { acknowledgeIncident, resolveIncident } from '../../../lambdas/core/lifecycle';
import type { Incident } from '../../../lambdas/core/model/incident';
import type { IncidentPlan } from '../../../lambdas/core/deduplicate';
import { history, TIMEZONES } from '../../support/insights-history';

const CLOCK = { now: () => new Date('2026-03-07T15:00:00Z') };

function setup(over: Partial<ResolveRecorderDeps> = {}) {
  const inner = new InMemoryIncidentStore();
  const rollups = new InMemoryRollupStore();
  const docs = new InMemoryDocuments();
  const logs: Array<[string, Record<string, unknown>]> = [];
  const store = recordingResolves(inner, {
    rollups, history: docs, timezones: TIMEZONES, incidentUrl: (id) => `https://alerts.example.com/api/incidents/${id}`, clock: CLOCK,
    log: (m, d) => logs.push([m, d]), ...over,
  });
  // I1 of the hand-built history, still triggered, with its timeline.
  const { incident, timeline } = history()[0]!;
  const open: Incident = { ...incident, status: 'triggered', acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null };
  inner.incidents.set(open.id, structuredClone(open));
  inner.timelines.set(open.id, structuredClone(timeline));
  return { inner, store, rollups, docs, logs, open };
}

const plan = (update: IncidentPlan['update'], creates: Incident[] = []): IncidentPlan => ({ update, creates, timeline: [], alertLog: [], outcomes: [], pages: [], settled: [] } as IncidentPlan);

describe('rollups and history on resolve', () => {
  it('a replace that resolves rolls the incident up into every dimension of its opening day and writes its snapshot', async () => {
    const { store, rollups, docs, open } = setup();
    const t = resolveIncident(open, 'api:alice', '2026-03-07T14:20:00.000Z');
    expect(await store.replaceIncident(open, t.after)).toEqual({ kind: 'applied' });
    const all = await rollups.read('all', '2026-03-07', '2026-03-07');
    expect(all).toHaveLength(1);
    expect(all[0]!.values).toMatchObject({ incidents: 1, alerts: 1, pages: 1, notifications: 1, 'mttr.n': 1, 'mttr.sum': 1200, 'mttk.sum': 90 });
    expect((await rollups.read('service', '2026-03-07', '2026-03-07')).map((r) => r.value)).toEqual(['db']);
    expect((await rollups.read('person', '2026-03-07', '2026-03-07'))[0]).toMatchObject({ value: 'alice', values: { offHours: 1 } });
    const line = docs.docs.get('history/dt=2026-03-07/i1.json');
    expect(line?.contentType).toBe('application/x-ndjson');
    expect(JSON.parse(line!.body)).toMatchObject({
      incident_id: 'i1', service: 'db', status: 'resolved', tags: { env: 'prod', team: 'db' }, tagged_by: ['prod-env'],
      seconds_to_resolve: 1200, seconds_to_know: 90, pages: 1, interruptions: 1, incident_url: 'https://alerts.example.com/api/incidents/i1',
    });
    expect(line!.body.endsWith('\n') && line!.body.split('\n').length).toBe(2);
  });

  it('a replace that does not resolve, or conflicts, rolls nothing up', async () => {
    const { store, rollups, open } = setup();
    const ack = acknowledgeIncident(open, 'alice', '2026-03-07T14:05:00.000Z');
    await store.replaceIncident(open, ack.after);
    const stale = resolveIncident(open, 'api:bob', '2026-03-07T14:06:00.000Z');
    expect((await store.replaceIncident(open, stale.after)).kind).toBe('conflict');
    expect(rollups.rows.size).toBe(0);
  });

  it('a plan that resolves (a source OK), or opens and resolves at once, is rolled up; one that opens is not', async () => {
    const { store, rollups, open } = setup();
    const resolved = resolveIncident(open, 'source:cloudwatch', '2026-03-07T14:20:00.000Z').after;
    await store.applyPlan(plan({ before: open, after: resolved }));
    const opened: Incident = { ...open, id: 'i9', seq: 9, version: 0 };
    await store.applyPlan(plan(null, [opened]));
    expect([...rollups.markers]).toEqual(['i1']);
    await store.applyPlan(plan(null, [{ ...opened, id: 'i10', seq: 10, status: 'resolved', resolvedAt: '2026-03-07T14:30:00.000Z', resolvedBy: 'source:cloudwatch' }]));
    expect([...rollups.markers]).toEqual(['i1', 'i10']);
  });

  it('a failing rollup is logged and never fails the resolve', async () => {
    const failing = new InMemoryRollupStore();
    failing.addResolved = async () => { throw new Error('throttled'); };
    const { store, inner, logs, open } = setup({ rollups: failing });
    const t = resolveIncident(open, 'api:alice', '2026-03-07T14:20:00.000Z');
    expect(await store.replaceIncident(open, t.after)).toEqual({ kind: 'applied' });
    expect(inner.incidents.get('i1')!.status).toBe('resolved');
    expect(logs).toEqual([['rollup of a resolved incident failed', { incidentId: 'i1', error: 'throttled' }]]);
  });

  it('without history only the rollups are written; every other method is the store\'s', async () => {
    const { store, docs, open } = setup({ history: null });
    await store.replaceIncident(open, resolveIncident(open, 'api:alice', '2026-03-07T14:20:00.000Z').after);
    expect(docs.docs.size).toBe(0);
    expect((await store.getIncident('i1'))!.status).toBe('resolved');
  });
});

describe('backfillRollups', () => {
  it('rolls up the resolved incidents of the window that are not rolled up yet, and only those', async () => {
    const inner = new InMemoryIncidentStore();
    const rollups = new InMemoryRollupStore();
    for (const { incident, timeline } of history()) {
      inner.incidents.set(incident.id, incident);
      inner.timelines.set(incident.id, timeline);
    }
    const deps: ResolveRecorderDeps = { rollups, history: null, timezones: TIMEZONES, incidentUrl: (id) => id, clock: CLOCK, log: () => {} };
    await rollups.addResolved('i1', [], CLOCK.now().toISOString()); // already rolled up (by the hook)
    const window = { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
    expect(await backfillRollups(inner, deps, window)).toEqual({ resolved: 3, added: 2 }); // I1 (skipped), I2, I4
    expect([...rollups.markers].sort()).toEqual(['i1', 'i2', 'i4']);
    expect(await backfillRollups(inner, deps, window)).toEqual({ resolved: 3, added: 0 });
    const [all] = await rollups.read('all', '2026-03-07', '2026-03-07');
    expect(all!.values.incidents).toBe(1); // I2 only: I1's marker says it was rolled up
  });
});
