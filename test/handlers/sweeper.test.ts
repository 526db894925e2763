/**
 * The sweeper handler (lambdas/handlers/sweeper.ts) invoked as its EventBridge schedule invokes it: with a
 * "Scheduled Event" (the sample of the EventBridge documentation). It sweeps as of its clock, not the event's time.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { planIncidentChanges } from '../../lambdas/core/deduplicate';
import type { Incident } from '../../lambdas/core/model/incident';
import type { Escalator } from '../../lambdas/core/ports';
import { createSweeperHandler } from '../../lambdas/handlers/sweeper';
import { alert, evaluated, testConfig } from '../support/builders';

const SCHEDULED_EVENT: ScheduledEvent = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2015-10-08T16:53:06Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
  detail: {},
};
const context = { functionName: 'sweeper', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const OPENED = '2024-06-10T14:00:00.000Z';

async function seed(store: InMemoryIncidentStore, source: 'threatstack' | 'cloudwatch', over: Partial<Incident> = {}): Promise<Incident> {
  const plan = planIncidentChanges(null, [evaluated(alert({ key: `k-${source}`, fp: `fp-${source}`, source, at: OPENED }))], OPENED, Date.parse(OPENED));
  const inc = { ...plan.creates[0]!, ...over };
  await store.applyPlan({ ...plan, creates: [inc] });
  return inc;
}

function setup(nowIso: string) {
  let now = nowIso;
  const store = new InMemoryIncidentStore();
  const started: string[] = [];
  const stopped: string[] = [];
  const escalator: Escalator = { start: async (i) => void started.push(i.id), stop: async (i) => void stopped.push(i.id) };
  const handler = createSweeperHandler({ config: testConfig, store, escalator, clock: { now: () => new Date(now) } });
  return { store, started, stopped, at: (iso: string) => void (now = iso), run: () => handler(SCHEDULED_EVENT, context) };
}

describe('sweeper handler', () => {
  const quiet = testConfig.sources.threatstack.autoResolveAfterMinutes;
  // Quiet minutes count from when the incident's last alert was received.
  const minutesAfterLastAlert = (inc: Incident, minutes: number) => new Date(Date.parse(inc.lastAlert.receivedAt) + minutes * 60_000).toISOString();

  it('auto-resolves a quiet Threat Stack incident on a scheduled event and returns what it did', async () => {
    const t = setup(OPENED);
    const ts = await seed(t.store, 'threatstack');
    const cw = await seed(t.store, 'cloudwatch');
    t.at(minutesAfterLastAlert(ts, quiet + 1));
    expect(await t.run()).toEqual({ maintenanceEnded: [], snoozesEnded: [], autoResolved: [ts.id], inhibitionsReleased: [], alarmsReconciled: [], errors: [] });
    expect(await t.store.getIncident(ts.id)).toMatchObject({ status: 'resolved', resolvedBy: 'pipeline:auto-resolve' });
    expect((await t.store.getIncident(cw.id))!.status).toBe('triggered');
    expect(t.stopped).toEqual([ts.id]);
  });

  it('re-escalates an incident whose snooze ended, and a second run does nothing more', async () => {
    const t = setup('2024-06-10T14:31:00.000Z');
    const inc = await seed(t.store, 'cloudwatch', { status: 'acknowledged', snoozedUntil: '2024-06-10T14:30:00.000Z', escalation: 'started' });
    expect((await t.run()).snoozesEnded).toEqual([inc.id]);
    expect(t.started).toEqual([inc.id]);
    expect(await t.run()).toEqual({ maintenanceEnded: [], snoozesEnded: [], autoResolved: [], inhibitionsReleased: [], alarmsReconciled: [], errors: [] });
  });

  it('sweeps as of its clock, not the time in the event (a late or retried invocation)', async () => {
    const t = setup(OPENED);
    const ts = await seed(t.store, 'threatstack');
    t.at(minutesAfterLastAlert(ts, quiet - 1));
    expect((await t.run()).autoResolved).toEqual([]);
    t.at(minutesAfterLastAlert(ts, quiet + 1));
    expect((await t.run()).autoResolved).toEqual([ts.id]);
  });
});
