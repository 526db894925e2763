import { mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableQueue } from '../../lambdas/local/durable-queue';

describe('DurableQueue', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'queue-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps sent messages across a reopen, in order, until deleted', () => {
    const q = new DurableQueue(join(dir, 'q'));
    q.send(['a', 'b', 'c']);
    const [first] = q.receive(1, 60_000);
    q.delete([first!.id]);
    q.close();
    const again = new DurableQueue(join(dir, 'q'));
    expect(again.receive(10, 60_000).map((m) => m.body)).toEqual(['b', 'c']);
    again.close();
  });

  it('group commit: concurrent sendGrouped calls share one flush, are receivable once resolved, and survive a reopen', async () => {
    const q = new DurableQueue(join(dir, 'q'));
    const sends = Array.from({ length: 50 }, (_, i) => q.sendGrouped([`m${i}`, { body: `n${i}`, attributes: { k: String(i) } }]));
    expect(q.receive(100, 60_000)).toHaveLength(0); // nothing is receivable before it is on disk
    const ids = await Promise.all(sends);
    expect(ids.flat()).toHaveLength(100);
    // The first send flushes alone; the 49 that arrived meanwhile share the next flush.
    expect(q.groupFlushes).toBe(2);
    expect(q.receive(200, 0)).toHaveLength(100);
    q.close();
    const again = new DurableQueue(join(dir, 'q'));
    const got = again.receive(200, 60_000);
    expect(got.map((m) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => [`m${i}`, `n${i}`]).flat());
    expect(got[1]!.attributes).toEqual({ k: '0' });
    again.close();
  });

  it('hides received messages for the visibility timeout and shows them again after it', () => {
    let now = 1_000;
    const q = new DurableQueue(join(dir, 'q'), { now: () => now });
    q.send(['a']);
    expect(q.receive(10, 5_000)).toHaveLength(1);
    expect(q.receive(10, 5_000)).toHaveLength(0);
    now += 5_001;
    const [m] = q.receive(10, 5_000);
    expect(m!.receiveCount).toBe(2);
    q.close();
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives, with the reason', () => {
    let now = 0;
    const dlq = new DurableQueue(join(dir, 'dlq'), { now: () => now });
    const q = new DurableQueue(join(dir, 'q'), { maxReceiveCount: 3, deadLetter: dlq, now: () => now });
    q.send(['poison']);
    for (let i = 0; i < 3; i++) {
      expect(q.receive(1, 10)).toHaveLength(1);
      now += 11;
    }
    expect(q.receive(1, 10)).toHaveLength(0);
    expect(q.size).toBe(0);
    const [dead] = dlq.peekAll();
    expect(dead!.body).toBe('poison');
    expect(dead!.attributes!.reason).toMatch(/maxReceiveCount 3/);
    expect(dlq.moveAllTo(q)).toBe(1);
    expect(q.receive(1, 10).map((m) => m.body)).toEqual(['poison']);
    q.close();
    dlq.close();
  });

  it('persists receive counts, so a restart does not reset the dead-letter countdown', () => {
    const q = new DurableQueue(join(dir, 'q'));
    q.send(['a']);
    q.receive(1, 0);
    q.receive(1, 0);
    q.close();
    const again = new DurableQueue(join(dir, 'q'));
    expect(again.receive(1, 10)[0]!.receiveCount).toBe(3);
    again.close();
  });

  it('ignores a torn last journal line (a kill during an append)', () => {
    const q = new DurableQueue(join(dir, 'q'));
    q.send(['kept']);
    q.close();
    appendFileSync(join(dir, 'q', 'journal.log'), '{"op":"put","id":"x","bo');
    const again = new DurableQueue(join(dir, 'q'));
    expect(again.peekAll().map((m) => m.body)).toEqual(['kept']);
    again.close();
  });

  it('makes released messages visible again after the retry delay', () => {
    let now = 0;
    const q = new DurableQueue(join(dir, 'q'), { now: () => now });
    q.send(['a']);
    const [m] = q.receive(1, 60_000);
    q.release([m!.id], 100);
    expect(q.receive(1, 60_000)).toHaveLength(0);
    now += 101;
    expect(q.receive(1, 60_000)).toHaveLength(1);
    q.close();
  });
});
