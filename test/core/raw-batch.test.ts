import { acceptDelivery, carryingEnvelopeOf, envelopesOf, MAX_ENVELOPE_BYTES, processEnvelopes, type Delivery, type ProcessDeps, type QueueRecord } from '../../lambdas/core/pipeline';
import { batchObjectOf, linesOfBatch, parseArchiveRef } from '../../lambdas/core/raw-batch';
import { InMemoryRawArchive } from '../../lambdas/adapters/in-memory/raw-archive';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import type { AlertEnvelope } from '../../lambdas/core/model/alert';
import { parseEnvelope } from '../../lambdas/core/model/envelope.schema';
import { alert, rules } from '../support/builders';

const RECEIVED = '2024-06-10T14:05:00.000Z';

function delivery(n: number, over: Partial<Delivery> = {}): Delivery {
  return {
    source: 'cloudwatch', via: 'sns-https', integration: 'default', rawBody: `{ "n": ${n}, "caf\u00e9": "\\u00e9\\n" }\n`,
    alerts: [alert({ key: `d-${n}`, fp: `fp-${n}` })], receivedAt: RECEIVED, requestId: `req-${n}`, ...over,
  };
}

function queue() {
  const sent: AlertEnvelope[] = [];
  // Through JSON, as SQS carries it.
  return { sent, send: async (envs: readonly AlertEnvelope[]) => void sent.push(...envs.map((e) => parseEnvelope(JSON.stringify(e)))) };
}

function deps(store: InMemoryIncidentStore, archive?: ProcessDeps['archive']): ProcessDeps {
  let t = Date.parse('2024-06-10T14:05:01.000Z');
  return {
    store, ...(archive ? { archive } : {}), escalator: { start: async () => {}, stop: async () => {} }, rules,
    clock: { now: () => new Date((t += 1)) }, sleep: async () => {}, random: () => 0.5, log: () => {},
  };
}

const recordsOf = (envs: AlertEnvelope[]): QueueRecord[] => envs.map((envelope, i) => ({ recordId: `r${i}`, envelope }));

describe('acceptDelivery: the raw body travels in the message', () => {
  it('a delivery that fits in one message is enqueued with its body and metadata and archives nothing at ingest', async () => {
    const archive = new InMemoryRawArchive();
    const q = queue();
    const d = delivery(1);
    const result = await acceptDelivery(d, { archive, queue: q });
    expect(archive.puts).toBe(0);
    expect(result.archiveKey).toBeNull();
    expect(q.sent).toHaveLength(1);
    expect(q.sent[0]!.raw).toEqual({ body: d.rawBody, requestId: 'req-1' });
    expect(q.sent[0]!.archiveKey).toBe('');
    // The same message key as the whole-object layout gives the same delivery (a resent body dedups across both).
    expect(q.sent[0]!.messageKey).toBe(envelopesOf(d, 'k')[0]!.messageKey);
  });

  it('a delivery that needs several messages is archived at ingest (one object), then enqueued without its body', async () => {
    const archive = new InMemoryRawArchive();
    const q = queue();
    const alerts = Array.from({ length: 40 }, (_, i) => alert({ key: `big-${i}`, raw: { blob: 'x'.repeat(60_000) } }));
    const d = delivery(2, { alerts, rawBody: JSON.stringify(alerts.map((a) => a.raw)) });
    const result = await acceptDelivery(d, { archive, queue: q });
    expect(archive.puts).toBe(1);
    expect(result.archiveKey).toMatch(/^raw\/cloudwatch\/2024\/06\/10\/14\/.*_req-2\.json$/);
    expect((await archive.get(result.archiveKey!))!.body).toBe(d.rawBody);
    expect(q.sent.length).toBeGreaterThan(1);
    for (const e of q.sent) expect(e).not.toHaveProperty('raw');
    expect(new Set(q.sent.map((e) => e.archiveKey))).toEqual(new Set([result.archiveKey]));
  });

  it('a delivery whose body would push its one message over the limit takes the whole-object path', () => {
    const alerts = [alert({ key: 'half', raw: { blob: 'x'.repeat(500_000) } })];
    const d = delivery(3, { alerts, rawBody: JSON.stringify({ blob: 'x'.repeat(500_000) }) });
    expect(carryingEnvelopeOf(d)).toBeNull();
    expect(envelopesOf(d, 'k')).toHaveLength(1);
    const small = carryingEnvelopeOf(delivery(4))!;
    expect(Buffer.byteLength(JSON.stringify(small))).toBeLessThan(MAX_ENVELOPE_BYTES);
  });
});

describe('processEnvelopes archives the bodies of a batch in one object before it writes', () => {
  it('one PUT per batch; each alert log entry points to its delivery\'s line, which reads back byte for byte with its metadata', async () => {
    const archive = new InMemoryRawArchive();
    const q = queue();
    const deliveries = [delivery(1), delivery(2, { integration: undefined, via: 'eventbridge' }), delivery(3)];
    for (const d of deliveries) await acceptDelivery(d, { archive, queue: q });
    const store = new InMemoryIncidentStore();
    const result = await processEnvelopes(recordsOf(q.sent), deps(store, archive));
    expect(result.failedRecordIds).toEqual([]);
    expect(archive.puts).toBe(1);
    const [key] = [...archive.objects.keys()];
    expect(key).toMatch(/^raw\/batch\/2024\/06\/10\/14\/2024-06-10T14-05-01-\d{3}Z_[0-9a-f]{16}\.ndjson$/);
    expect(archive.objects.get(key!)!.contentType).toBe('application/x-ndjson');
    const logged = [...store.alertLogs.values()].flat();
    expect(logged).toHaveLength(3);
    for (const d of deliveries) {
      const rec = logged.find((r) => r.deliveryKey === d.alerts[0]!.deliveryKey)!;
      expect(parseArchiveRef(rec.archiveKey)!.key).toBe(key);
      expect(await archive.get(rec.archiveKey)).toEqual({
        body: d.rawBody,
        metadata: { source: 'cloudwatch', via: d.via, ...(d.integration ? { integration: d.integration } : {}), receivedAt: RECEIVED, requestId: d.requestId },
        contentType: 'application/json',
      });
    }
  });

  it('archive first: a failed PUT fails every record of the batch and writes nothing; the redelivery archives and applies', async () => {
    const archive = new InMemoryRawArchive();
    const q = queue();
    await acceptDelivery(delivery(1), { archive, queue: q });
    const store = new InMemoryIncidentStore();
    const failing = { put: async () => { throw new Error('SlowDown'); } };
    const first = await processEnvelopes(recordsOf(q.sent), deps(store, failing));
    expect(first.failedRecordIds).toEqual(['r0']);
    expect((await store.listIncidents({ limit: 10 })).items).toEqual([]);
    expect([...store.alertLogs.values()].flat()).toEqual([]);
    const again = await processEnvelopes(recordsOf(q.sent), deps(store, archive));
    expect(again.failedRecordIds).toEqual([]);
    const [rec] = [...store.alertLogs.values()].flat();
    expect((await archive.get(rec!.archiveKey))!.body).toBe(delivery(1).rawBody);
  });

  it('a batch carrying bodies without an archive fails its records rather than log alerts that point nowhere', async () => {
    const q = queue();
    await acceptDelivery(delivery(1), { archive: new InMemoryRawArchive(), queue: q });
    const store = new InMemoryIncidentStore();
    const result = await processEnvelopes(recordsOf(q.sent), deps(store));
    expect(result.failedRecordIds).toEqual(['r0']);
    expect([...store.alertLogs.values()].flat()).toEqual([]);
  });

  it('envelopes of the whole-object layout keep their key and cost no PUT', async () => {
    const archive = new InMemoryRawArchive();
    const store = new InMemoryIncidentStore();
    const env = envelopesOf(delivery(5), 'raw/cloudwatch/2024/06/10/14/2024-06-10T14-05-00-000Z_req-5.json');
    await processEnvelopes(recordsOf(env), deps(store, archive));
    expect(archive.puts).toBe(0);
    expect([...store.alertLogs.values()].flat()[0]!.archiveKey).toBe('raw/cloudwatch/2024/06/10/14/2024-06-10T14-05-00-000Z_req-5.json');
  });

  it('a redelivered message may be archived again (a second object): harmless, its alert log entry keeps the first line', async () => {
    const archive = new InMemoryRawArchive();
    const q = queue();
    await acceptDelivery(delivery(1), { archive, queue: q });
    const store = new InMemoryIncidentStore();
    await processEnvelopes(recordsOf(q.sent), deps(store, archive));
    const [first] = [...store.alertLogs.values()].flat();
    const again = await processEnvelopes(recordsOf(q.sent), deps(store, archive));
    expect(again.outcomes.map((o) => o.outcome)).toEqual(['duplicate']);
    expect(archive.puts).toBeLessThanOrEqual(2);
    const logged = [...store.alertLogs.values()].flat();
    expect(logged).toEqual([first]);
    expect((await archive.get(first!.archiveKey))!.body).toBe(delivery(1).rawBody);
  });
});

describe('batch objects', () => {
  it('every line reads back through its reference and through a whole read (replay), in order, once per message key', () => {
    const bodies = ['{"a":1}', 'caf\u00e9 \u2603 \ud83d\ude00\n{"b":2}', ''];
    const envs: AlertEnvelope[] = bodies.map((body, i) => ({
      v: 1, messageKey: `m${i}`, source: 'cloudwatch', via: 'sns-https', receivedAt: RECEIVED, archiveKey: '', raw: { body, requestId: `q${i}` }, alerts: [alert()],
    }));
    const batch = batchObjectOf([...envs, envs[0]!], new Date(RECEIVED))!;
    expect(batch.refs.size).toBe(3);
    const lines = linesOfBatch(batch.key, batch.body);
    expect(lines.map((l) => l.archived.body)).toEqual(bodies);
    expect(lines.map((l) => l.ref)).toEqual(envs.map((e) => batch.refs.get(e.messageKey)));
    const bytes = Buffer.from(batch.body, 'utf8');
    for (const l of lines) {
      const { range } = parseArchiveRef(l.ref)!;
      expect(JSON.parse(bytes.subarray(range!.first, range!.last + 1).toString('utf8')).body).toBe(l.archived.body);
    }
  });

  it('a malformed reference is no reference', () => {
    expect(parseArchiveRef('raw/x.ndjson#bytes=9-3')).toBeNull();
    expect(parseArchiveRef('raw/x.ndjson#lines=1')).toBeNull();
    expect(parseArchiveRef('raw/x.json')).toEqual({ key: 'raw/x.json', range: null });
  });

  it('the queue message schema takes the carried body and refuses a malformed one, naming the field', () => {
    const env = { v: 1, messageKey: 'm', source: 'cloudwatch', via: 'x', receivedAt: RECEIVED, archiveKey: '', alerts: [alert()] };
    expect(parseEnvelope(JSON.stringify({ ...env, raw: { body: 'b', requestId: 'r' } })).raw).toEqual({ body: 'b', requestId: 'r' });
    expect(() => parseEnvelope(JSON.stringify({ ...env, raw: { body: 1, requestId: 'r' } }))).toThrow(/raw\.body/);
  });
});
