/**
 * The queue processor on its own worker thread (`processorThread`, as `npm start` and the bench run it), with the
 * inline pages: one incident and one page per fingerprint as in one thread, every message processed, and a thread that dies in the
 * middle of a batch loses nothing (the batch is delivered again to a new thread) and pages once. (Alert counts are not
 * compared: with shuffled start times an alert older than the incident's last state change is `stale-state-change`,
 * so the count depends on which alert opened the incident.)
 */
import { threadId } from 'node:worker_threads';
import { benchConfig } from '../../bench/lib/bench-config';
import { buildStorm, batches, webhookBody } from '../../bench/lib/storm';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

jest.setTimeout(90_000);

describe('processor on its own thread', () => {
  let rt: TestRuntime;
  afterEach(async () => rt?.cleanup());

  const post = async (bodies: string[]) => {
    for (const body of bodies) expect((await rt.post(`/ingest/alertmanager/${rt.ingestToken}`, body)).status).toBe(200);
  };
  const settle = async () => {
    await rt.drain(60_000);
    await rt.escalations!.idle();
  };

  it('opens one incident and sends one page per fingerprint, every message processed, off the main thread', async () => {
    rt = await startTestRuntime({ config: benchConfig('page-once'), processorThread: true });
    expect(rt.processorThread).not.toBeNull();
    const storm = buildStorm(300, 3, 7, 'thread');
    const bodies = batches(storm, 50).map(webhookBody);
    await post(bodies);
    await post(bodies.slice(0, 2)); // a sender's retry
    await settle();
    const incidents = (await rt.get('/api/incidents')).body.incidents as Array<{ id: string; alertCount: number }>;
    expect(incidents).toHaveLength(3);
    expect(incidents.every((i) => i.alertCount > 0 && i.alertCount <= 100)).toBe(true);
    expect(rt.outbox.list(100)).toHaveLength(3);
    expect([rt.queue.size, rt.deadLetterQueue.size]).toEqual([0, 0]);
    expect(threadId).toBe(0);
    // The inline pages ran on the processor's thread too, apart from the thread that ingests.
    expect(rt.processorThread!.pagesRun).toBe(3);
  });

  it('a thread that dies in the middle of a batch loses nothing: the batch comes back to a new thread, one page per fingerprint', async () => {
    rt = await startTestRuntime({ config: benchConfig('page-once'), processorThread: true, retryDelayMs: 20 });
    const thread = rt.processorThread! as unknown as { worker: { terminate(): Promise<number> } | null };
    const first = thread.worker;
    const storm = buildStorm(300, 3, 7, 'thread');
    const posting = post(batches(storm, 50).map(webhookBody));
    await new Promise((r) => setTimeout(r, 150)); // while it processes the first batches
    await first!.terminate();
    await posting;
    await settle();
    expect(thread.worker).not.toBe(first);
    const incidents = (await rt.get('/api/incidents')).body.incidents as Array<{ alertCount: number }>;
    expect(incidents).toHaveLength(3);
    expect(rt.outbox.list(100)).toHaveLength(3);
    expect([rt.queue.size, rt.deadLetterQueue.size]).toEqual([0, 0]);
  });
});
