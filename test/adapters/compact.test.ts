/**
 * Compact item bodies (lambdas/adapters/dynamodb/compact.ts): any JSON document round-trips; an unknown dictionary
 * or a damaged body fails loudly; on the embedded store a storm-size incident head with a full idempotency ring and
 * an alert-log entry with its decision trace each take one write unit; heads written before the encoding still read.
 */
import fc from 'fast-check';
import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BODY_DICTIONARY, packBody, unpackBody } from '../../lambdas/adapters/dynamodb/compact';
import { DynamoIncidentStore } from '../../lambdas/adapters/dynamodb/incident-store';
import { planIncidentChanges, RECENT_MESSAGES_MAX } from '../../lambdas/core/deduplicate';
import { sha256Hex, shortFingerprint } from '../../lambdas/core/fingerprint';
import { startEmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';
import { alert, evaluated, NOW, NOW_MS } from '../support/builders';
import { loadExpected } from '../support/fixtures';

describe('compact bodies', () => {
  it('round-trip any JSON document with either dictionary', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(BODY_DICTIONARY.incident, BODY_DICTIONARY.alert), (doc, dict) => {
      expect(unpackBody(packBody(dict, doc))).toEqual(JSON.parse(JSON.stringify(doc)));
    }), { numRuns: 300 });
  });

  it('refuse an unknown dictionary and a damaged body', () => {
    expect(() => packBody(9, {})).toThrow('unknown body dictionary 9');
    const body = packBody(BODY_DICTIONARY.incident, { a: 1 });
    expect(() => unpackBody(Uint8Array.from([7, ...body.subarray(1)]))).toThrow('unknown dictionary 7');
    expect(() => unpackBody(Uint8Array.from([body[0]!, 255, 254, 253]))).toThrow();
  });
});

describe('DynamoIncidentStore items on the embedded store', () => {
  it('a storm-size incident head with a full ring and an alert-log entry each take one write unit', async () => {
    const dynamo = await startEmbeddedDynamo({ tableName: 'incidents' });
    try {
      const units: number[] = [];
      dynamo.client.middlewareStack.add((next) => async (args) => {
        const out = await next({ ...args, input: { ...(args.input as object), ReturnConsumedCapacity: 'TOTAL' } });
        const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) units.push(c.CapacityUnits ?? 0);
        return out;
      }, { step: 'initialize', name: 'units' });
      const store = new DynamoIncidentStore(dynamo.client, 'incidents');
      // A real CloudWatch alarm (its description is 233 characters), then 16 more deliveries so the ring is full.
      const cw = loadExpected('cloudwatch', 'alarm-lambda-metric')[0]!;
      const opened = planIncidentChanges(null, [evaluated(cw)], NOW, NOW_MS);
      expect(await store.applyPlan(opened)).toEqual({ kind: 'applied' });
      let head = opened.creates[0]!;
      for (let i = 0; i < RECENT_MESSAGES_MAX; i++) {
        const next = evaluated(alert({ ...cw, key: `${cw.deliveryKey}-${i}`, fp: cw.fingerprintKey }), sha256Hex(`m${i}`).slice(0, 32));
        const plan = planIncidentChanges(head, [next], NOW, NOW_MS + i);
        expect(await store.applyPlan(plan)).toEqual({ kind: 'applied' });
        head = plan.update!.after;
      }
      expect(head.recentMessages).toHaveLength(RECENT_MESSAGES_MAX);
      units.length = 0;
      const last = planIncidentChanges(head, [evaluated(alert({ ...cw, key: 'last', fp: cw.fingerprintKey }), sha256Hex('last').slice(0, 32))], NOW, NOW_MS + 99);
      expect(last.alertLog).toHaveLength(0); // past the alert-log limit: the head alone
      expect(await store.applyPlan(last)).toEqual({ kind: 'applied' });
      expect(units).toEqual([1]);
      // The opening events rode on the head until it would have outgrown one unit with them; shown once throughout.
      expect((await store.timeline(head.id)).map((t) => t.type)).toEqual(['opened']);
      // The first alert's entry, with its full decision trace, read back from one unit's worth of item.
      units.length = 0;
      expect(await store.applyPlan({ ...opened, update: null, creates: [], timeline: [] })).toEqual({ kind: 'applied' });
      expect(units).toEqual([1]);
      const [entry] = await store.alerts(head.id);
      expect(entry).toEqual(opened.alertLog[0]);
      expect(await store.getIncident(head.id)).toEqual(last.update!.after);
    } finally {
      await dynamo.close();
    }
  });

  it('reads an incident head written with plain attributes (before the compact body)', async () => {
    const dynamo = await startEmbeddedDynamo({ tableName: 'incidents' });
    try {
      const inc = planIncidentChanges(null, [evaluated(alert({ key: 'old', fp: 'fp-old' }))], NOW, NOW_MS).creates[0]!;
      const sortKey = `${inc.openedAt}#${inc.id}`;
      await DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } }).send(new PutCommand({
        TableName: 'incidents',
        Item: { pk: `FP#${shortFingerprint(inc.fingerprint)}`, sk: 'H#00000001', itemKind: 'incident', ...inc, g1pk: `STATUS#${inc.status}`, g1sk: sortKey, g2pk: `SVC#${inc.route.service}`, g2sk: sortKey, g3pk: 'INCIDENTS', g3sk: sortKey },
      }));
      const store = new DynamoIncidentStore(dynamo.client, 'incidents');
      expect(await store.getIncident(inc.id)).toEqual(inc);
      expect((await store.listIncidents({ limit: 10 })).items).toEqual([inc]);
    } finally {
      await dynamo.close();
    }
  });
});
