/** AlertQueue and DeadLetters ports over the local durable queue (the local stand-ins for SQS). */
import type { AlertEnvelope } from '../core/model/alert';
import type { AlertQueue, DeadLetters } from '../core/ports';
import type { DurableQueue } from './durable-queue';

export class LocalAlertQueue implements AlertQueue {
  constructor(private readonly queue: DurableQueue) {}
  async send(envelopes: readonly AlertEnvelope[]): Promise<void> {
    await this.queue.sendGrouped(envelopes.map((e) => JSON.stringify(e)));
  }
}

export class LocalDeadLetters implements DeadLetters {
  constructor(private readonly queue: DurableQueue) {}
  async put(body: string, reason: string): Promise<void> {
    await this.queue.sendGrouped([{ body, attributes: { reason } }]);
  }
}
