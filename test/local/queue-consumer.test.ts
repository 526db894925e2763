/**
 * The local queue consumer hands the processor batches the way the SQS event source does: up to the batch size, and
 * never more than Lambda's 6 MB invoke payload (a storm of 116 KB request bodies made 11.6 MB batches locally).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { DurableQueue } from '../../lambdas/local/durable-queue';
import { QueueConsumer, MAX_BATCH_PAYLOAD_BYTES } from '../../lambdas/local/queue-consumer';

describe('QueueConsumer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'consumer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts batches at Lambda’s 6 MB invoke payload, as the SQS event source does, and still delivers every message once', async () => {
    const queue = new DurableQueue(join(dir, 'q'));
    const body = 'x'.repeat(900 * 1024);
    queue.send(Array.from({ length: 20 }, (_, i) => `${i}${body}`));
    const sizes: number[] = [];
    const seen: string[] = [];
    const consumer = new QueueConsumer(queue, async (event: SQSEvent) => {
      sizes.push(JSON.stringify(event).length);
      for (const r of event.Records) seen.push(r.body.slice(0, 2));
    }, { batchSize: 100, batchWindowMs: 0, visibilityMs: 30_000, retryDelayMs: 10, queueArn: 'arn:aws:sqs:local:000000000000:q' });
    consumer.start();
    const deadline = Date.now() + 10_000;
    while (queue.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await consumer.stop();
    queue.close();
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
    expect(sizes.length).toBeGreaterThan(1);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_BATCH_PAYLOAD_BYTES);
  });
});

describe('LocalRuntime.drain', () => {
  it('waits for records that failed and wait for their retry (it returned while they were invisible)', async () => {
    const { startTestRuntime } = await import('../support/local-runtime');
    const { benchConfig } = await import('../../bench/lib/bench-config');
    const { buildStorm, webhookBody } = await import('../../bench/lib/storm');
    let failedOnce = false;
    const rt = await startTestRuntime({
      config: benchConfig('page-once'),
      retryDelayMs: 300,
      // The first batch fails as a whole (e.g. a conflict with a concurrent write): its records come back after 300 ms.
      hooks: { processor: (handler) => async (event, ctx) => {
        if (!failedOnce) {
          failedOnce = true;
          return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
        }
        return handler(event, ctx);
      } },
    });
    try {
      expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, webhookBody(buildStorm(10, 2, 3, 'drain')))).status).toBe(200);
      await rt.drain();
      expect(failedOnce).toBe(true);
      expect(rt.queue.size).toBe(0);
      expect((await rt.get('/api/incidents')).body.incidents).toHaveLength(2);
    } finally {
      await rt.cleanup();
    }
  });
});
