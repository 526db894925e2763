import { DynamoIncidentStore } from '../../lambdas/adapters/dynamodb/incident-store';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';
import { evaluateAlert, processEnvelopes, type ProcessDeps, type QueueRecord, envelopesOf, MAX_ENVELOPE_BYTES } from '../../lambdas/core/pipeline';
import type { Escalator, IncidentStore } from '../../lambdas/core/ports';
import type { Incident } from '../../lambdas/core/model/incident';
import { alert, envelope, NOW_MS, rules } from '../support/builders';
import { CapacityMeter } from '../../bench/lib/dynamodb-capacity';

function deps(store: IncidentStore, escalator: Escalator = { start: async () => {}, stop: async () => {} }): ProcessDeps {
  let t = Date.parse('2024-06-10T14:05:00.000Z');
  return {
    store,
    escalator,
    rules,
    clock: { now: () => new Date((t += 1)) },
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))),
    random: () => 0.5,
    log: () => {},
  };
}

const records = (envs: ReturnType<typeof envelope>[]): QueueRecord[] => envs.map((e, i) => ({ recordId: `r${i}-${Math.random()}`, envelope: e }));

describe('processEnvelopes over the embedded DynamoDB', () => {
  let dynamo: EmbeddedDynamo;
  let store: DynamoIncidentStore;
  beforeEach(async () => {
    dynamo = await startEmbeddedDynamo({ tableName: 'incidents' });
    store = new DynamoIncidentStore(dynamo.client, 'incidents');
  });
  afterEach(async () => dynamo.close());

  it('200 concurrent deliveries of one alert open exactly one incident, counted once, paged once', async () => {
    const started: string[] = [];
    const d = deps(store, { start: async (i) => void started.push(i.id), stop: async () => {} });
    const one = alert({ key: 'ts:same-alert', fp: 'ts:org:Host:host-1:title' });
    // 20 concurrent processor invocations, each a batch of 10 copies of the same delivery.
    await Promise.all(Array.from({ length: 20 }, () => processEnvelopes(records(Array.from({ length: 10 }, () => envelope([one]))), d)));
    const incidents = (await store.listIncidents({ limit: 100 })).items;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.alertCount).toBe(1);
    expect(new Set(started)).toEqual(new Set([incidents[0]!.id]));
    expect(incidents[0]!.escalation).toBe('started');
  });

  it('200 distinct alerts of one fingerprint arriving concurrently open one incident counted 200 times', async () => {
    // Real jittered backoff: 20 writers contend for one item.
    const d = { ...deps(store), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), random: Math.random };
    const batches = Array.from({ length: 20 }, (_, b) => records(Array.from({ length: 10 }, (_, i) => envelope([alert({ key: `ts:${b}-${i}`, fp: 'ts:org:Host:host-2:title' })]))));
    const results = await Promise.all(batches.map((batch) => processEnvelopes(batch, d)));
    expect(results.flatMap((r) => r.failedRecordIds)).toEqual([]);
    const incidents = (await store.listIncidents({ limit: 100 })).items;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.alertCount).toBe(200);
  });

  it('opens a new incident in at most 3 DynamoDB calls: the read, the alert log and the head with its opening events', async () => {
    const calls: string[] = [];
    dynamo.client.middlewareStack.add((next, context) => async (args) => {
      // Keys in document or attribute-value form (depending on where the document client marshals).
      type Pk = { pk?: string | { S?: string } };
      const input = args.input as { Key?: Pk; RequestItems?: Record<string, Array<{ PutRequest?: { Item: Pk } }>> };
      const pk = input.Key?.pk ?? Object.values(input.RequestItems ?? {})[0]?.[0]?.PutRequest?.Item.pk;
      const marker = String(typeof pk === 'object' ? pk.S : pk).startsWith('M#');
      if (!marker) calls.push(String((context as { commandName?: string }).commandName));
      return next(args);
    }, { step: 'initialize', name: 'countCalls' });
    const started: string[] = [];
    const d = deps(store, { start: async (i) => void started.push(i.id), stop: async () => {} });
    // One message of 10 alerts of 10 new fingerprints: the message's marker is read and written once for all of them.
    const res = await processEnvelopes(records([envelope(Array.from({ length: 10 }, (_, i) => alert({ key: `new-${i}`, fp: `fp-new-${i}` })))]), d);
    expect(res.opened).toHaveLength(10);
    expect(started).toHaveLength(10);
    expect(calls.length / 10).toBeLessThanOrEqual(3);
    for (const inc of res.opened) {
      expect((await store.getIncident(inc.id))!.escalation).toBe('started');
      expect((await store.timeline(inc.id)).map((t) => t.type)).toEqual(['opened']);
      expect(await store.alerts(inc.id)).toHaveLength(1);
    }
  });

  it('reads the heads of a batch\'s new fingerprints with one BatchGetItem per 100 and queries only those with incidents', async () => {
    // 10 fingerprints already have an incident, written by another processor (another store instance).
    await processEnvelopes(records([envelope(Array.from({ length: 10 }, (_, i) => alert({ key: `old-${i}`, fp: `fp-batch-${i}` })))]), deps(new DynamoIncidentStore(dynamo.client, 'incidents')));
    const calls: string[] = [];
    dynamo.client.middlewareStack.add((next, context) => async (args) => {
      calls.push(String((context as { commandName?: string }).commandName));
      return next(args);
    }, { step: 'initialize', name: 'countReads' });
    // A batch of 200 fingerprints, 190 of them new, in 20 messages of 10 alerts.
    const envs = Array.from({ length: 20 }, (_, m) => envelope(Array.from({ length: 10 }, (_, i) => alert({ key: `b-${m}-${i}`, fp: `fp-batch-${m * 10 + i}` }))));
    const res = await processEnvelopes(records(envs), deps(store));
    expect(res.failedRecordIds).toEqual([]);
    expect(res.opened).toHaveLength(190);
    const count = (name: string) => calls.filter((c) => c === name).length;
    expect(count('BatchGetItemCommand')).toBe(2);
    expect(count('QueryCommand')).toBe(10);
    expect((await store.listIncidents({ limit: 300 })).items).toHaveLength(200);
  });

  it('writes the alert-log entries of a batch\'s new incidents together, before any of their heads: 100 opens in 100 puts and 4 batch writes', async () => {
    const calls: Array<[string, string]> = [];
    dynamo.client.middlewareStack.add((next, context) => async (args) => {
      // Keys in document or attribute-value form (depending on where the document client marshals).
      type Key = string | { S?: string } | undefined;
      const text = (k: Key) => String(typeof k === 'object' ? k.S : k);
      const input = args.input as { Item?: { sk?: Key }; RequestItems?: Record<string, Array<{ PutRequest?: { Item: { sk?: Key; pk?: Key } } }>> };
      const first = Object.values(input.RequestItems ?? {})[0]?.[0]?.PutRequest?.Item;
      const kind = first ? (text(first.pk).startsWith('M#') ? 'marker' : 'log') : text(input.Item?.sk).startsWith('H#') ? 'head' : '';
      calls.push([String((context as { commandName?: string }).commandName), kind]);
      return next(args);
    }, { step: 'initialize', name: 'countWrites' });
    const envs = Array.from({ length: 10 }, (_, m) => envelope(Array.from({ length: 10 }, (_, i) => alert({ key: `w-${m}-${i}`, fp: `fp-w-${m * 10 + i}` }))));
    const res = await processEnvelopes(records(envs), deps(store));
    expect(res.opened).toHaveLength(100);
    const writes = calls.filter(([c]) => c === 'BatchWriteItemCommand' || c === 'PutItemCommand').map(([c, k]) => `${c === 'PutItemCommand' ? 'put' : 'batch'}:${k}`);
    expect(writes.filter((w) => w === 'batch:log')).toHaveLength(4);
    expect(writes.filter((w) => w === 'put:head')).toHaveLength(100);
    expect(writes.lastIndexOf('batch:log')).toBeLessThan(writes.indexOf('put:head'));
    for (const inc of res.opened) expect(await store.alerts(inc.id)).toHaveLength(1);
  });

  it('opens a new incident in at most 4 write units, index entries included (the bench capacity meter on dynalite)', async () => {
    const meter = new CapacityMeter();
    meter.attach(dynamo.client);
    const d = deps(store);
    // One message of 10 alerts of 10 new fingerprints; its delivery marker (one item for the message) apart.
    const res = await processEnvelopes(records([envelope(Array.from({ length: 10 }, (_, i) => alert({ key: `wru-${i}`, fp: `fp-wru-${i}` })))]), d);
    expect(res.opened).toHaveLength(10);
    const units = meter.snapshot();
    const markerUnits = units.writeUnitsByKind.marker ?? 0;
    expect((units.writeUnits - markerUnits) / 10).toBeLessThanOrEqual(4);
  });

  it('a message of one alert on an open incident writes no delivery-marker item: its marker rides in the head it writes', async () => {
    const d = deps(store);
    await processEnvelopes(records([envelope([alert({ key: 'one-1', fp: 'fp-one' })])]), d);
    const meter = new CapacityMeter();
    meter.attach(dynamo.client);
    const res = await processEnvelopes(records([envelope([alert({ key: 'one-2', fp: 'fp-one' })])]), d);
    expect(res.outcomes.map((o) => o.outcome)).toEqual(['joined']);
    const units = meter.snapshot();
    expect(units.writesByKind.marker ?? 0).toBe(0);
    expect(units.writeUnits).toBeLessThanOrEqual(2); // the head and the alert-log entry
  });

  it('a batch mixing fingerprints writes one incident per fingerprint and reports no failures', async () => {
    const d = deps(store);
    const envs = Array.from({ length: 30 }, (_, i) => envelope([alert({ key: `k${i}`, fp: `fp-${i % 3}` })]));
    const res = await processEnvelopes(records(envs), d);
    expect(res.failedRecordIds).toEqual([]);
    const incidents = (await store.listIncidents({ limit: 100 })).items;
    expect(incidents.map((i) => i.alertCount).sort()).toEqual([10, 10, 10]);
  });
});

describe('processEnvelopes failure handling', () => {
  it('a crash after the incident write and before the delivery is marked done is counted once on redelivery', async () => {
    const store = new InMemoryIncidentStore();
    const crashing = Object.create(store) as InMemoryIncidentStore;
    crashing.markMessagesDone = async () => {
      throw new Error('killed');
    };
    const env = envelope([alert({ key: 'once' })]);
    await processEnvelopes(records([env]), deps(crashing));
    await processEnvelopes(records([env]), deps(store));
    const [inc] = (await store.listIncidents({ limit: 10 })).items;
    expect(inc!.alertCount).toBe(1);
  });

  it('reports every record of a failed fingerprint group, and only those', async () => {
    const store = new InMemoryIncidentStore();
    const flaky = Object.create(store) as InMemoryIncidentStore;
    flaky.recentForFingerprint = async (fp, limit) => {
      if (fp === (await import('../../lambdas/core/fingerprint')).fingerprintOf('fp-bad')) throw new Error('throttled');
      return store.recentForFingerprint(fp, limit);
    };
    const good = envelope([alert({ key: 'g1', fp: 'fp-good' })]);
    const bad1 = envelope([alert({ key: 'b1', fp: 'fp-bad' })]);
    const bad2 = envelope([alert({ key: 'b2', fp: 'fp-bad' }), alert({ key: 'g2', fp: 'fp-good' })]);
    const res = await processEnvelopes([
      { recordId: 'good', envelope: good },
      { recordId: 'bad1', envelope: bad1 },
      { recordId: 'bad2', envelope: bad2 },
    ], deps(flaky));
    expect(res.failedRecordIds.sort()).toEqual(['bad1', 'bad2']);
    // good's marker rides on its incident's head (one fingerprint): in the ring, flagged, no marker item.
    const goodHead = (await store.recentForFingerprint((await import('../../lambdas/core/fingerprint')).fingerprintOf('fp-good'), 1))[0]!;
    expect(goodHead.recentMessages.some(([k, , onHead]) => k === good.messageKey && onHead === 1)).toBe(true);
    expect(await store.isMessageDone(good.messageKey)).toBe(false);
    expect(await store.isMessageDone(bad2.messageKey)).toBe(false);
    // The retry of bad2 once the store recovers counts g2 once (it was applied before the failure).
    const retry = await processEnvelopes([{ recordId: 'bad2', envelope: bad2 }, { recordId: 'bad1', envelope: bad1 }], deps(store));
    expect(retry.failedRecordIds).toEqual([]);
    const all = (await store.listIncidents({ limit: 10 })).items;
    const count = (fp: string) => all.find((i: Incident) => i.title && i.fingerprint === require('../../lambdas/core/fingerprint').fingerprintOf(fp))!.alertCount;
    expect(count('fp-good')).toBe(2);
    expect(count('fp-bad')).toBe(2);
  });

  it('writes the groups that open an incident before the groups that only count alerts on an open one', async () => {
    const store = new InMemoryIncidentStore();
    await processEnvelopes(records([envelope([alert({ key: 'old-1', fp: 'fp-old' })])]), deps(store));
    const order: string[] = [];
    const watching = Object.create(store) as InMemoryIncidentStore;
    watching.applyPlan = async (plan) => {
      order.push(plan.creates.length > 0 ? 'opens' : 'counts');
      return store.applyPlan(plan);
    };
    // The follower comes first in the batch; the new fingerprint is written first all the same.
    await processEnvelopes(records([envelope([alert({ key: 'old-2', fp: 'fp-old' })]), envelope([alert({ key: 'new-1', fp: 'fp-new' })])]), deps(watching));
    expect(order).toEqual(['opens', 'counts']);
  });

  it('opens and starts the escalation of every new incident of a batch, up to 64 at once, before it writes any count-only group', async () => {
    const store = new InMemoryIncidentStore();
    await processEnvelopes(records([envelope([alert({ key: 'old-a', fp: 'fp-follow' })])]), deps(store));
    const order: string[] = [];
    let inFlight = 0;
    let most = 0;
    const watching = Object.create(store) as InMemoryIncidentStore;
    watching.applyPlan = async (plan) => {
      order.push(plan.creates.length > 0 ? 'opens' : 'counts');
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return store.applyPlan(plan);
    };
    const escalator: Escalator = { start: async () => void order.push('start'), stop: async () => {} };
    // The follower first in the batch, then 40 new fingerprints.
    const envs = [envelope([alert({ key: 'old-b', fp: 'fp-follow' })]), ...Array.from({ length: 40 }, (_, i) => envelope([alert({ key: `n-${i}`, fp: `fp-open-${i}` })]))];
    await processEnvelopes(records(envs), deps(watching, escalator));
    expect(order.filter((o) => o === 'start')).toHaveLength(40);
    expect(order.at(-1)).toBe('counts');
    expect(most).toBe(40);
  });

  it('skips a delivery already marked done without touching incidents', async () => {
    const store = new InMemoryIncidentStore();
    const env = envelope([alert({ key: 'x' })]);
    await processEnvelopes(records([env]), deps(store));
    const res = await processEnvelopes(records([env]), deps(store));
    expect(res.outcomes.map((o) => o.outcome)).toEqual(['duplicate']);
  });

  it('re-drives an escalation start that a crash interrupted', async () => {
    const store = new InMemoryIncidentStore();
    const env = envelope([alert({ key: 'p' })]);
    const failing: Escalator = { start: async () => { throw new Error('state machine unavailable'); }, stop: async () => {} };
    const first = await processEnvelopes(records([env]), deps(store, failing));
    expect(first.failedRecordIds).toHaveLength(1);
    const started: string[] = [];
    await processEnvelopes(records([env]), deps(store, { start: async (i) => void started.push(i.id), stop: async () => {} }));
    const [inc] = (await store.listIncidents({ limit: 10 })).items;
    expect(started).toEqual([inc!.id]);
    expect(inc!.escalation).toBe('started');
    expect(inc!.alertCount).toBe(1);
  });
});

describe('processEnvelopes bounds source times in the future', () => {
  const RECEIVED = '2024-06-10T14:05:00.000Z'; // envelope() receives at this time
  const run = async (occurredAt: string, maxFutureSkewSeconds?: number) => {
    const store = new InMemoryIncidentStore();
    const res = await processEnvelopes(records([envelope([alert({ key: 'future', source: 'threatstack', at: occurredAt })])]),
      { ...deps(store), ...(maxFutureSkewSeconds === undefined ? {} : { maxFutureSkewSeconds }) });
    const [inc] = (await store.listIncidents({ limit: 10 })).items;
    return { inc: inc!, outcome: res.outcomes[0]!, logged: await store.alerts(inc!.id) };
  };

  it('a time in the year 2100 becomes the receive time, and the trace says by how much it was ahead', async () => {
    const { inc, outcome, logged } = await run('2100-01-01T00:00:00.000Z');
    expect(inc).toMatchObject({ lastSeenAt: RECEIVED, firstAlert: { occurredAt: RECEIVED, receivedAt: RECEIVED } });
    expect(logged[0]!.occurredAt).toBe(RECEIVED);
    expect(outcome.trace[0]).toEqual({
      stage: 'normalize', outcome: 'clamped', reason: expect.stringContaining('2100-01-01T00:00:00.000Z'),
      data: { sourceTime: '2100-01-01T00:00:00.000Z', receivedAt: RECEIVED, skewSeconds: (Date.parse('2100-01-01T00:00:00.000Z') - Date.parse(RECEIVED)) / 1000, maxFutureSkewSeconds: 300 },
    });
  });

  it('a time within the allowed skew (5 minutes by default) is kept', async () => {
    const { inc, outcome } = await run('2024-06-10T14:09:59.000Z');
    expect(inc.lastSeenAt).toBe('2024-06-10T14:09:59.000Z');
    expect(outcome.trace.map((t) => t.outcome)).not.toContain('clamped');
  });

  it('the allowed skew is configurable (processing.maxFutureSkewSeconds)', async () => {
    const { inc, outcome } = await run('2024-06-10T14:06:00.000Z', 30);
    expect(inc.lastSeenAt).toBe(RECEIVED);
    expect(outcome.trace[0]).toMatchObject({ outcome: 'clamped', data: { skewSeconds: 60, maxFutureSkewSeconds: 30 } });
  });
});

describe('envelopesOf', () => {
  it('splits a large delivery into messages under the size limit with stable keys', () => {
    const big = Array.from({ length: 40 }, (_, i) => alert({ key: `big-${i}`, raw: { blob: 'x'.repeat(60_000) } }));
    const delivery = { source: 'threatstack' as const, via: 'test', rawBody: '', alerts: big, receivedAt: '2024-06-10T14:05:00.000Z', requestId: 'r' };
    const a = envelopesOf(delivery, 'k');
    const b = envelopesOf(delivery, 'k');
    expect(a.length).toBeGreaterThan(1);
    for (const e of a) expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThan(MAX_ENVELOPE_BYTES);
    expect(a.map((e) => e.messageKey)).toEqual(b.map((e) => e.messageKey));
    expect(a.flatMap((e) => e.alerts)).toHaveLength(40);
  });

  it('gives each message the position of its first alert in the delivery, and the alert log keeps each alert\'s index', async () => {
    const big = Array.from({ length: 40 }, (_, i) => alert({ key: `big-${i}`, fp: `fp-${i}`, raw: { blob: 'x'.repeat(60_000) } }));
    const delivery = { source: 'threatstack' as const, via: 'test', rawBody: '', alerts: big, receivedAt: '2024-06-10T14:05:00.000Z', requestId: 'r' };
    const envs = envelopesOf(delivery, 'raw/k.json');
    expect(envs.map((e) => e.offset)).toEqual(envs.map((_, i) => envs.slice(0, i).reduce((n, e) => n + e.alerts.length, 0)));
    const store = new InMemoryIncidentStore();
    await processEnvelopes(records(envs.slice(1)), deps(store));
    const logged = [...store.alertLogs.values()].flat();
    expect(logged.map((r) => [r.deliveryKey, r.deliveryIndex])).toEqual(envs.slice(1).flatMap((e) => e.alerts.map((a, i) => [a.deliveryKey, e.offset! + i])));
    expect(logged[0]!.deliveryIndex).toBeGreaterThan(0);
  });

  it('keeps no index for an envelope enqueued before offsets existed', async () => {
    const store = new InMemoryIncidentStore();
    await processEnvelopes(records([envelope([alert({ key: 'old-1' })])]), deps(store));
    const [rec] = [...store.alertLogs.values()].flat();
    expect(rec!.deliveryKey).toBe('old-1');
    expect(rec).not.toHaveProperty('deliveryIndex');
  });
});

describe('evaluateAlert: the fingerprint step', () => {
  it('names the identity fields and keeps their values as Object.fromEntries would (a "__proto__" field stays a field)', () => {
    const identity: Array<[string, string]> = [['externalURL', 'https://am'], ['__proto__', 'x'], ['fingerprint', 'f1']];
    const step = evaluateAlert(alert({ identity }), rules, NOW_MS).trace.find((s) => s.stage === 'fingerprint')!;
    expect(step.reason).toBe('fingerprint from externalURL, __proto__, fingerprint');
    expect(step.data?.inputs).toStrictEqual(Object.fromEntries(identity));
    expect(Object.keys(step.data?.inputs as object)).toEqual(['externalURL', '__proto__', 'fingerprint']);
    expect(Object.getPrototypeOf(step.data?.inputs)).toBe(Object.prototype);
  });
});
