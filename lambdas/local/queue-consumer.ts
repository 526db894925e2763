/**
 * Drives the processor handler from the local durable queue the way the SQS event source drives it in AWS:
 * batches of up to `batchSize` gathered for at most `batchWindowMs` and no larger than Lambda's 6 MB invoke payload, an SQS-shaped event, partial batch failures
 * (failed records become visible again after `retryDelayMs`), receive counts and dead-lettering by the queue.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DurableQueue } from './durable-queue';
import { localContext } from './http-server';

export interface ConsumerOptions {
  batchSize: number;
  batchWindowMs: number;
  /** How long a received batch stays invisible (the SQS visibility timeout). */
  visibilityMs: number;
  /** When a failed record becomes visible again. */
  retryDelayMs: number;
  queueArn: string;
  onError?(err: unknown): void;
}

/** Lambda's synchronous invoke payload limit, which caps an SQS event source batch in AWS. */
export const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** The event's own fields around its records. */
const EVENT_OVERHEAD_BYTES = 64;

export type SqsHandler = (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse | void>;

export class QueueConsumer {
  private running = false;
  private loop: Promise<void> | null = null;
  private busy = false;
  processedBatches = 0;

  constructor(private readonly queue: DurableQueue, private readonly handler: SqsHandler, private readonly options: ConsumerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Whether the consumer is idle with nothing visible to take. */
  get idle(): boolean {
    return !this.busy && this.queue.visibleCount() === 0;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.queue.visibleCount() === 0) {
        await this.queue.waitForMessages(200);
        continue;
      }
      if (this.options.batchWindowMs > 0 && this.queue.visibleCount() < this.options.batchSize) {
        await new Promise((r) => setTimeout(r, this.options.batchWindowMs));
      }
      const messages = this.queue.receive(this.options.batchSize, this.options.visibilityMs, MAX_BATCH_PAYLOAD_BYTES - EVENT_OVERHEAD_BYTES);
      if (messages.length === 0) continue;
      this.busy = true;
      try {
        const event: SQSEvent = {
          Records: messages.map((m) => ({
            messageId: m.id,
            receiptHandle: m.id,
            body: m.body,
            attributes: {
              ApproximateReceiveCount: String(m.receiveCount),
              SentTimestamp: String(m.sentAt),
              SenderId: 'local',
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: this.options.queueArn,
            awsRegion: 'local',
          })),
        };
        let failed = new Set<string>();
        try {
          const res = await this.handler(event, localContext('processAlerts', 60_000));
          failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (err) {
          this.options.onError?.(err);
          failed = new Set(messages.map((m) => m.id));
        }
        this.queue.delete(messages.filter((m) => !failed.has(m.id)).map((m) => m.id));
        if (failed.size > 0) this.queue.release([...failed], this.options.retryDelayMs);
        this.processedBatches++;
      } finally {
        this.busy = false;
      }
    }
  }
}
