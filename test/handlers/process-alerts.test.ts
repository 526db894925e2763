/**
 * The processor handler's archive wiring: the raw bodies a batch's messages carry go to the archive as one object
 * before the batch is processed; a message whose carried body is malformed is dead-lettered whole, with its reason.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { InMemoryRawArchive } from '../../lambdas/adapters/in-memory/raw-archive';
import { createProcessAlertsHandler } from '../../lambdas/handlers/process-alerts';
import { alert, envelope, NOW, testConfig } from '../support/builders';

const context = { functionName: 'fn', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

function setup() {
  const store = new InMemoryIncidentStore();
  const archive = new InMemoryRawArchive();
  const dead: Array<{ body: string; reason: string }> = [];
  const handler = createProcessAlertsHandler({
    config: testConfig, store, archive, escalator: { start: async () => {}, stop: async () => {} },
    deadLetters: { put: async (body, reason) => void dead.push({ body, reason }) }, clock: { now: () => new Date(NOW) },
  });
  return { store, archive, dead, handler };
}

const carrying = (key: string, body: string) => envelope([alert({ key, fp: `fp-${key}` })], { archiveKey: '', raw: { body, requestId: `req-${key}` } });

describe('process-alerts: the raw bodies of a batch', () => {
  it('archives the carried bodies of a batch in one object and logs each alert with its line; a malformed carried body is dead-lettered whole', async () => {
    const t = setup();
    const poison = JSON.stringify({ ...carrying('p', 'x'), raw: { body: 42, requestId: 'req-p' } });
    const event = { Records: [
      { messageId: 'a', body: JSON.stringify(carrying('a', '{"a": 1}')) },
      { messageId: 'p', body: poison },
      { messageId: 'b', body: JSON.stringify(carrying('b', '{"b":\t2}\n')) },
    ] } as unknown as SQSEvent;
    const res = await t.handler(event, context);
    expect(res).toEqual({ batchItemFailures: [] });
    expect(t.archive.puts).toBe(1);
    expect(t.dead).toEqual([{ body: poison, reason: expect.stringMatching(/^processor: .*raw\.body/) }]);
    const logged = [...t.store.alertLogs.values()].flat();
    expect(await Promise.all(logged.map(async (r) => [r.deliveryKey, (await t.archive.get(r.archiveKey))?.body]))).toEqual(
      expect.arrayContaining([['a', '{"a": 1}'], ['b', '{"b":\t2}\n']]),
    );
  });

  it('a failed archive write fails every record of the batch (they come again) and writes no incident', async () => {
    const t = setup();
    t.archive.put = async () => { throw new Error('SlowDown'); };
    const event = { Records: [{ messageId: 'a', body: JSON.stringify(carrying('a', '{}')) }, { messageId: 'b', body: JSON.stringify(carrying('b', '{}')) }] } as unknown as SQSEvent;
    const res = await t.handler(event, context);
    expect(res!.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['a', 'b']);
    expect((await t.store.listIncidents({ limit: 10 })).items).toEqual([]);
  });
});
