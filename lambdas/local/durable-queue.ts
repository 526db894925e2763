/**
 * The local runtime's durable queue: the stand-in for SQS, with the same semantics the processor relies on
 * (at-least-once delivery, visibility timeout, receive count, dead-letter after maxReceiveCount, redrive).
 *
 * Storage is an append-only journal of JSON lines in the data directory: `put` records are written and fsync'ed
 * before `send` resolves (so an accepted alert survives a kill -9 or a power cut); receives and deletes are
 * appended without fsync (losing one only causes a redelivery, which the processor absorbs). On open the journal is
 * replayed (a torn last line is ignored) and compacted to the live messages. Visibility is not persisted: after a
 * restart every undeleted message is visible again, as after a visibility timeout.
 *
 * `sendGrouped` is the ingest path's send: concurrent sends share one write and one fsync (group commit), done off
 * the event loop, so ingest requests keep being parsed while the disk flushes.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

type SendBody = string | { body: string; attributes?: Record<string, string> };

export interface QueueMessage {
  id: string;
  body: string;
  receiveCount: number;
  sentAt: number;
  attributes?: Record<string, string>;
}

interface Live extends QueueMessage {
  visibleAt: number;
  /** Bytes the message takes in an SQS event (its body as a JSON string plus the record's fields), once computed. */
  eventBytes?: number;
}

/** The fields of an SQS event record around its body (ids, attributes, ARN), an upper bound in bytes. */
const RECORD_OVERHEAD_BYTES = 1024;

type JournalRecord =
  | { op: 'put'; id: string; body: string; at: number; attributes?: Record<string, string> }
  | { op: 'recv'; id: string; count: number }
  | { op: 'del'; id: string };

export interface DurableQueueOptions {
  /** Receives after which a message moves to the dead-letter queue instead of being delivered again. */
  maxReceiveCount?: number;
  deadLetter?: DurableQueue;
  now?: () => number;
}

export class DurableQueue {
  private readonly live = new Map<string, Live>();
  private fd: number;
  private readonly journalPath: string;
  private opsSinceCompaction = 0;
  private readonly now: () => number;
  private waiters: Array<() => void> = [];
  private pending: Array<{ chunk: string; messages: Live[]; resolve: () => void; reject: (err: Error) => void }> = [];
  private flushing = false;
  /** Group flushes done by `sendGrouped` (one write + one fsync each). */
  groupFlushes = 0;

  constructor(readonly dir: string, private readonly options: DurableQueueOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.journalPath = join(dir, 'journal.log');
    this.now = options.now ?? Date.now;
    this.replay();
    this.fd = this.compact();
  }

  get size(): number {
    return this.live.size;
  }

  /** Messages currently visible (not in flight). */
  visibleCount(): number {
    const now = this.now();
    let n = 0;
    for (const m of this.live.values()) if (m.visibleAt <= now) n++;
    return n;
  }

  /** Appends messages and flushes them to disk (synchronously) before returning. */
  send(bodies: ReadonlyArray<SendBody>): string[] {
    const put = this.puts(bodies);
    if (put.chunk) {
      writeSync(this.fd, put.chunk);
      fsyncSync(this.fd);
    }
    this.admit(put.messages);
    return put.messages.map((m) => m.id);
  }

  /**
   * Appends messages and resolves once they are on disk. Sends that arrive while a flush is running are written
   * and fsync'ed together by the next one (group commit), off the event loop. Messages become receivable only once
   * flushed; a failed flush rejects every send it carried (none of them is accepted).
   */
  sendGrouped(bodies: ReadonlyArray<SendBody>): Promise<string[]> {
    const put = this.puts(bodies);
    if (!put.chunk) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ ...put, resolve: () => resolve(put.messages.map((m) => m.id)), reject });
      if (!this.flushing) void this.flushPending();
    });
  }

  private async flushPending(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        try {
          const data = Buffer.from(group.map((g) => g.chunk).join(''), 'utf8');
          for (let off = 0; off < data.length;) off += (await writeAsync(this.fd, data, off, data.length - off)).bytesWritten;
          await fsyncAsync(this.fd);
          this.groupFlushes += 1;
        } catch (err) {
          for (const g of group) g.reject(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
        for (const g of group) {
          this.admit(g.messages);
          g.resolve();
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private puts(bodies: ReadonlyArray<SendBody>): { chunk: string; messages: Live[] } {
    const at = this.now();
    const messages: Live[] = [];
    let chunk = '';
    for (const b of bodies) {
      const body = typeof b === 'string' ? b : b.body;
      const attributes = typeof b === 'string' ? undefined : b.attributes;
      const id = randomUUID();
      const rec: JournalRecord = attributes ? { op: 'put', id, body, at, attributes } : { op: 'put', id, body, at };
      chunk += `${JSON.stringify(rec)}\n`;
      messages.push({ id, body, receiveCount: 0, sentAt: at, visibleAt: 0, ...(attributes ? { attributes } : {}) });
    }
    return { chunk, messages };
  }

  private admit(messages: readonly Live[]): void {
    for (const m of messages) this.live.set(m.id, m);
    this.opsSinceCompaction += messages.length;
    if (messages.length > 0) this.wake();
  }

  /**
   * Takes up to `max` visible messages, makes them invisible for `visibilityMs`, and counts the receive. Messages
   * already received `maxReceiveCount` times move to the dead-letter queue instead. With `maxEventBytes`, stops
   * before a message that would make the SQS event of the batch larger (the first message is always taken).
   */
  receive(max: number, visibilityMs: number, maxEventBytes = Number.POSITIVE_INFINITY): QueueMessage[] {
    const now = this.now();
    const out: QueueMessage[] = [];
    let journal = '';
    let bytes = 0;
    for (const m of this.live.values()) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (maxEventBytes !== Number.POSITIVE_INFINITY) {
        m.eventBytes ??= Buffer.byteLength(JSON.stringify(m.body), 'utf8') + RECORD_OVERHEAD_BYTES;
        if (out.length > 0 && bytes + m.eventBytes > maxEventBytes) break;
        bytes += m.eventBytes;
      }
      if (this.options.maxReceiveCount !== undefined && this.options.deadLetter && m.receiveCount >= this.options.maxReceiveCount) {
        this.options.deadLetter.send([{ body: m.body, attributes: { ...(m.attributes ?? {}), reason: `maxReceiveCount ${this.options.maxReceiveCount} exceeded`, sourceMessageId: m.id } }]);
        this.live.delete(m.id);
        journal += `${JSON.stringify({ op: 'del', id: m.id } satisfies JournalRecord)}\n`;
        continue;
      }
      m.receiveCount += 1;
      m.visibleAt = now + visibilityMs;
      journal += `${JSON.stringify({ op: 'recv', id: m.id, count: m.receiveCount } satisfies JournalRecord)}\n`;
      out.push({ id: m.id, body: m.body, receiveCount: m.receiveCount, sentAt: m.sentAt, ...(m.attributes ? { attributes: m.attributes } : {}) });
    }
    if (journal) {
      writeSync(this.fd, journal);
      this.opsSinceCompaction += out.length;
    }
    return out;
  }

  /** Deletes processed messages. */
  delete(ids: readonly string[]): void {
    let journal = '';
    for (const id of ids) {
      if (this.live.delete(id)) journal += `${JSON.stringify({ op: 'del', id } satisfies JournalRecord)}\n`;
    }
    if (journal) {
      writeSync(this.fd, journal);
      this.opsSinceCompaction += ids.length;
    }
    // Not while a group flush writes to the current journal handle.
    if (this.opsSinceCompaction > 50_000 && this.live.size < 5_000 && !this.flushing) {
      closeSync(this.fd);
      this.fd = this.compact();
    }
  }

  /** Makes in-flight messages visible again after `delayMs` (a failed record's retry). */
  release(ids: readonly string[], delayMs: number): void {
    const at = this.now() + delayMs;
    for (const id of ids) {
      const m = this.live.get(id);
      if (m) m.visibleAt = at;
    }
  }

  /** Every message, visible or not (for the DLQ listing). */
  peekAll(): QueueMessage[] {
    return [...this.live.values()].map(({ visibleAt: _v, eventBytes: _b, ...m }) => m);
  }

  /** Moves every message of this queue to `target` (the DLQ redrive), fsync'ed there before deleted here. */
  moveAllTo(target: DurableQueue): number {
    const all = this.peekAll();
    if (all.length === 0) return 0;
    target.send(all.map((m) => ({ body: m.body })));
    this.delete(all.map((m) => m.id));
    return all.length;
  }

  /** Resolves when a message is sent or after `ms`, whichever comes first. */
  waitForMessages(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiter = () => done();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(waiter);
    });
  }

  close(): void {
    try {
      fsyncSync(this.fd);
    } catch {
      // already closed
    }
    closeSync(this.fd);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private replay(): void {
    if (!existsSync(this.journalPath)) return;
    const text = readFileSync(this.journalPath, 'utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      let rec: JournalRecord;
      try {
        rec = JSON.parse(line) as JournalRecord;
      } catch {
        continue; // a torn write at the end of the journal (kill during append)
      }
      if (rec.op === 'put') {
        this.live.set(rec.id, { id: rec.id, body: rec.body, receiveCount: 0, sentAt: rec.at, visibleAt: 0, ...(rec.attributes ? { attributes: rec.attributes } : {}) });
      } else if (rec.op === 'recv') {
        const m = this.live.get(rec.id);
        if (m) m.receiveCount = Math.max(m.receiveCount, rec.count);
      } else if (rec.op === 'del') {
        this.live.delete(rec.id);
      }
    }
  }

  /** Rewrites the journal with only the live messages (atomic rename) and returns an append handle. */
  private compact(): number {
    const tmp = `${this.journalPath}.compact`;
    const fd = openSync(tmp, 'w');
    let buf = '';
    for (const m of this.live.values()) {
      const put: JournalRecord = m.attributes ? { op: 'put', id: m.id, body: m.body, at: m.sentAt, attributes: m.attributes } : { op: 'put', id: m.id, body: m.body, at: m.sentAt };
      buf += `${JSON.stringify(put)}\n`;
      if (m.receiveCount > 0) buf += `${JSON.stringify({ op: 'recv', id: m.id, count: m.receiveCount } satisfies JournalRecord)}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf) writeSync(fd, buf);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.journalPath);
    this.opsSinceCompaction = 0;
    return openSync(this.journalPath, 'a');
  }
}
