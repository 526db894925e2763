/**
 * AlertQueue and DeadLetters on SQS. `send` packs envelopes into SendMessageBatch calls (at most 10 entries and
 * 1 MiB per call), retries entries SQS reports as failed, and throws if any envelope is still not enqueued, so the
 * ingest handler never answers 200 for an alert that is not durably queued.
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { InvariantError, TransientError } from '../../core/errors';
import type { AlertEnvelope } from '../../core/model/alert';
import type { AlertQueue, DeadLetters } from '../../core/ports';

const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1024 * 1024 - 16 * 1024;
const MAX_ATTEMPTS = 4;

export class SqsAlertQueue implements AlertQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async send(envelopes: readonly AlertEnvelope[]): Promise<void> {
    const bodies = envelopes.map((e) => JSON.stringify(e));
    const batches: string[][] = [];
    let current: string[] = [];
    let bytes = 0;
    for (const body of bodies) {
      const size = Buffer.byteLength(body, 'utf8');
      if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(body);
      bytes += size;
    }
    if (current.length > 0) batches.push(current);
    await Promise.all(batches.map((b) => this.sendBatch(b)));
  }

  private async sendBatch(bodies: string[]): Promise<void> {
    let pending = bodies.map((body, i) => ({ Id: String(i), MessageBody: body }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      const senderFault = (out.Failed ?? []).find((f) => f.SenderFault);
      if (senderFault) throw new InvariantError(`SQS rejected a message: ${senderFault.Code} ${senderFault.Message ?? ''}`);
      pending = pending.filter((e) => failed.has(e.Id));
      if (pending.length > 0 && attempt >= MAX_ATTEMPTS) {
        throw new TransientError(`${pending.length} message(s) not enqueued after ${attempt} attempts`);
      }
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

export class SqsDeadLetters implements DeadLetters {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async put(body: string, reason: string): Promise<void> {
    await this.sqs.send(new SendMessageCommand({
      QueueUrl: this.queueUrl,
      MessageBody: body,
      MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
    }));
  }
}
