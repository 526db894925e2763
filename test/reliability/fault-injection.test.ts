/**
 * Reliability under injected faults: the processor fails a random 30 % of the records it receives (half before
 * processing them, half after), and the incident store the processor uses throttles a random 5 % of its calls
 * (ProvisionedThroughputExceededException) and loses the answer of another 2 % after the write. Afterwards every
 * accepted alert is accounted for exactly: in an incident, counted once, or in the dead-letter queue; after the
 * faults stop and the dead letters are redriven, every accepted alert is in an incident exactly once and every
 * incident was paged exactly once.
 *
 * Two levels: over HTTP against the local runtime (the real handler, queue, consumer and embedded DynamoDB, faults
 * injected through the runtime hooks), and `processEnvelopes` against the in-memory store over many seeds (fast,
 * so it explores many interleavings of failures and redeliveries).
 */
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { processEnvelopes, type QueueRecord } from '../../lambdas/core/pipeline';
import type { AlertEnvelope } from '../../lambdas/core/model/alert';
import type { Escalator } from '../../lambdas/core/ports';
import type { SqsHandler } from '../../lambdas/local/queue-consumer';
import { alert, envelope, rules } from '../support/builders';
import { failingProcessor, seededRandom, throttlingStore } from '../support/faults';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { pagesByIncident, pagingConfig, readIncidents, until } from './harness';

const config = pagingConfig({ maxReceiveCount: 5, batchSize: 10 });

const FINGERPRINTS = 60;
const REQUESTS = 60;
const PER_REQUEST = 10;

/**
 * Alert i of the load (request i / 10): each request carries 5 alerts of each of two fingerprints (hosts), and each
 * fingerprint gets its 10 alerts from two requests 30 apart.
 */
const fingerprintOfAlert = (i: number) => (2 * Math.floor(i / PER_REQUEST) + (i % PER_REQUEST < PER_REQUEST / 2 ? 0 : 1)) % FINGERPRINTS;
const alertFor = (i: number) => ({
  id: `fault-${String(i).padStart(4, '0')}`,
  title: 'Unexpected outbound connection',
  created_at: 1718028000123 + i,
  severity: 2,
  organization_id: '5f0e1d2c3b4a596877665544',
  server_or_region: `host-${fingerprintOfAlert(i)}`,
  source: 'Host',
});

/** Incidents, their logged alerts, and the delivery keys of every dead-lettered message. */
async function account(rt: TestRuntime) {
  const { incidents, logged } = await readIncidents(rt);
  const deadLettered = new Set<string>();
  for (const m of rt.deadLetterQueue.peekAll()) {
    for (const a of (JSON.parse(m.body) as AlertEnvelope).alerts) deadLettered.add(a.deliveryKey);
  }
  return { incidents, logged, deadLettered };
}

describe('fault injection over HTTP: 30 % of records fail, the store throttles', () => {
  let rt: TestRuntime;
  afterEach(async () => rt?.cleanup());

  it('accounts for every accepted alert exactly, before and after the dead letters are redriven', async () => {
    const random = seededRandom(Number(process.env.FAULT_SEED ?? 20261124));
    let store: ReturnType<typeof throttlingStore> | undefined;
    let processor: ReturnType<typeof failingProcessor> | undefined;
    const retriedToSuccess = new Set<string>();
    rt = await startTestRuntime({
      config,
      sweepIntervalMs: 0,
      retryDelayMs: 20,
      hooks: {
        processorStore: (s) => (store = throttlingStore(s, { fraction: 0.05, lostReplyFraction: 0.02, random })).store,
        processor: (h) => {
          processor = failingProcessor(h, { fraction: 0.3, random });
          const counted: SqsHandler = async (event, ctx) => {
            const res = await processor!.handler(event, ctx);
            const failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
            for (const r of event.Records) {
              if (!failed.has(r.messageId) && Number(r.attributes.ApproximateReceiveCount) > 1) retriedToSuccess.add(r.messageId);
            }
            return res;
          };
          return counted;
        },
      },
    });

    const accepted = new Set<string>();
    let next = 0;
    await Promise.all(Array.from({ length: 6 }, async () => {
      while (next < REQUESTS) {
        const r = next++;
        const alerts = Array.from({ length: PER_REQUEST }, (_, k) => alertFor(r * PER_REQUEST + k));
        const res = await rt.post(`/ingest/threatstack/${rt.ingestToken}`, { alerts });
        expect(res.status).toBe(200);
        for (const a of alerts) accepted.add(`ts:${a.id}`);
      }
    }));
    expect(accepted.size).toBe(REQUESTS * PER_REQUEST);

    // Phase 1: faults on until the queue is empty (every message processed or dead-lettered).
    await until('the queue to empty under faults', () => rt.queue.size === 0);
    await rt.drain();
    const first = await account(rt);
    const loggedOnce = new Set(first.logged);
    expect(loggedOnce.size).toBe(first.logged.length); // no alert recorded twice
    const counted = first.incidents.reduce((n, i) => n + i.alertCount, 0);
    expect(counted).toBe(loggedOnce.size); // counts match the alerts recorded: nothing counted twice
    for (const key of accepted) expect(loggedOnce.has(key) || first.deadLettered.has(key)).toBe(true);
    expect(new Set(first.incidents.map((i) => i.fingerprint)).size).toBe(first.incidents.length); // one incident per fingerprint
    for (const n of pagesByIncident(rt).values()) expect(n).toBe(1); // never paged twice

    // Phase 2: faults off, dead letters redriven: everything lands, exactly once.
    store!.switch.enabled = false;
    processor!.switch.enabled = false;
    const deadLetterMessages = rt.deadLetterQueue.size;
    expect((await rt.apiPost('/local/dead-letters/redrive')).body.moved).toBe(deadLetterMessages);
    await until('the redriven messages to be processed', () => rt.queue.size === 0);
    await rt.drain();
    const second = await account(rt);
    expect(second.deadLettered.size).toBe(0);
    expect(new Set(second.logged).size).toBe(second.logged.length);
    expect([...second.logged].sort()).toEqual([...accepted].sort());
    expect(second.incidents.reduce((n, i) => n + i.alertCount, 0)).toBe(accepted.size);
    expect(second.incidents).toHaveLength(FINGERPRINTS);
    const pages = pagesByIncident(rt);
    expect(pages.size).toBe(FINGERPRINTS);
    for (const n of pages.values()) expect(n).toBe(1);

    const p = processor!.stats;
    const s = store!.stats;
    console.log(
      `fault injection: accepted ${accepted.size} alerts in ${REQUESTS} messages; ${p.records} records received, ` +
      `${p.failedBefore} failed before processing, ${p.failedAfter} failed after processing, ${p.failedByHandler} failed by the handler; ` +
      `store: ${s.calls} calls, ${s.throttled} throttled, ${s.lostReplies} answers lost; ` +
      `after the faults: ${loggedOnce.size} alerts in ${first.incidents.length} incidents, ${[...first.deadLettered].filter((k) => !loggedOnce.has(k)).length} only in the DLQ ` +
      `(${deadLetterMessages} dead-lettered messages, ${first.deadLettered.size} alerts), ${retriedToSuccess.size} messages retried to success; ` +
      `after the redrive: ${accepted.size} of ${accepted.size} in ${second.incidents.length} incidents, each paged once`,
    );
    // The faults really happened (the seed is fixed; these guard against a silently inert injector).
    expect(p.failedBefore + p.failedAfter).toBeGreaterThan(10);
    expect(s.throttled).toBeGreaterThan(5);
    expect(retriedToSuccess.size).toBeGreaterThan(5);
  }, 60_000);
});

describe('processEnvelopes under faults, many seeds (in-memory store)', () => {
  const escalator: Escalator = { start: async () => {}, stop: async () => {} };
  const FPS = 8;
  const MESSAGES = 24;

  /** 24 messages of 3 alerts over 6 fingerprints; some messages are delivered twice (SQS at-least-once). */
  function load(seed: number): { records: QueueRecord[]; keys: string[] } {
    const random = seededRandom(seed);
    const records: QueueRecord[] = [];
    const keys: string[] = [];
    for (let m = 0; m < MESSAGES; m++) {
      const alerts = Array.from({ length: 3 }, (_, k) => {
        const key = `s${seed}-m${m}-a${k}`;
        keys.push(key);
        return alert({ key, fp: `cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:fault-${Math.floor(random() * FPS)}` });
      });
      const env = envelope(alerts);
      records.push({ recordId: `r${m}`, envelope: env });
      if (random() < 0.25) records.push({ recordId: `r${m}-dup`, envelope: env });
    }
    return { records, keys };
  }

  it.each(Array.from({ length: 25 }, (_, i) => 1000 + i))('seed %i: every alert counted exactly once after retries', async (seed) => {
    const random = seededRandom(seed);
    const base = new InMemoryIncidentStore();
    const faults = throttlingStore(base, { fraction: 0.15, lostReplyFraction: 0.05, random });
    const { records, keys } = load(seed);
    let pending = records;
    let now = Date.parse('2024-06-10T14:05:00.000Z');
    for (let round = 0; pending.length > 0; round++) {
      if (round === 12) faults.switch.enabled = false; // the throttling ends; the queue keeps retrying
      expect(round).toBeLessThan(40);
      // The queue hands the pending records over in batches of up to 10, in an order that changes per round.
      const shuffled = [...pending].sort(() => random() - 0.5);
      const failed: QueueRecord[] = [];
      for (let i = 0; i < shuffled.length; i += 10) {
        const batch = shuffled.slice(i, i + 10);
        // The processor itself dies on 20 % of records before or after them.
        const dropped = batch.filter(() => faults.switch.enabled && random() < 0.2);
        const result = await processEnvelopes(batch.filter((r) => !dropped.includes(r)), {
          store: faults.store, escalator, rules, alertLogMax: 1000, clock: { now: () => new Date(now) },
          sleep: async () => {}, random, log: () => {},
        });
        const failedIds = new Set([...result.failedRecordIds, ...dropped.map((r) => r.recordId)]);
        failed.push(...batch.filter((r) => failedIds.has(r.recordId)));
      }
      pending = failed;
      now += 1000;
    }
    const incidents = (await base.listIncidents({ limit: 100 })).items;
    const total = incidents.reduce((n, i) => n + i.alertCount, 0);
    const logged = (await Promise.all(incidents.map((i) => base.alerts(i.id)))).flat().map((a) => a.deliveryKey);
    expect(new Set(incidents.map((i) => i.fingerprint)).size).toBe(incidents.length);
    expect(total).toBe(keys.length);
    expect(new Set(logged).size).toBe(logged.length);
    expect(logged.sort()).toEqual([...keys].sort());
  });
});
