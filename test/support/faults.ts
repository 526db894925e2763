/**
 * Fault injection for the reliability suite (test/reliability/):
 * - `throttlingStore` wraps an IncidentStore so a fraction of its calls fail the way DynamoDB throttles: the SDK's own
 *   ProvisionedThroughputExceededException (retryable, HTTP 400), as a call sees it once the SDK's retries are
 *   spent. By default the call is refused before it reaches the store (nothing written); `lostReplyFraction` makes a
 *   fraction of calls run and then fail anyway (the write happened, the answer was lost: a timeout after commit).
 * - `failingProcessor` wraps the queue processor handler so a fraction of records fail: half are taken out of the
 *   batch and reported failed without being processed (the function died before them), half are processed and then
 *   reported failed anyway (it died after the writes, before the queue deleted them).
 * Both draw from a seeded PRNG so a failing run can be replayed, count what they injected, and can be switched off
 * (`enabled = false`) to let the system settle.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { IncidentStore } from '../../lambdas/core/ports';
import type { SqsHandler } from '../../lambdas/local/queue-consumer';

/** mulberry32: deterministic pseudo-random numbers in [0, 1) (one implementation, shared with the benchmarks). */
export { prng as seededRandom } from '../../bench/lib/stats';

/** The error DynamoDB's SDK throws when a table or partition is over its throughput. */
export function throttlingError(operation: string): ProvisionedThroughputExceededException {
  return new ProvisionedThroughputExceededException({
    message: `The level of configured provisioned throughput for the table was exceeded (injected on ${operation})`,
    $metadata: { httpStatusCode: 400, attempts: 3 },
  });
}

export interface FaultSwitch {
  enabled: boolean;
}

export interface StoreFaultStats {
  calls: number;
  throttled: number;
  lostReplies: number;
  byMethod: Record<string, number>;
}

export interface ThrottlingStoreOptions {
  /** Fraction of calls refused before they reach the store. */
  fraction: number;
  /** Fraction of calls that run and then fail (the answer was lost). Default 0. */
  lostReplyFraction?: number;
  random: () => number;
  /** Only these methods are faulted (default: every method). */
  methods?: ReadonlyArray<keyof IncidentStore>;
}

export function throttlingStore(store: IncidentStore, options: ThrottlingStoreOptions): { store: IncidentStore; stats: StoreFaultStats; switch: FaultSwitch } {
  const stats: StoreFaultStats = { calls: 0, throttled: 0, lostReplies: 0, byMethod: {} };
  const sw: FaultSwitch = { enabled: true };
  const faulted = options.methods ? new Set<PropertyKey>(options.methods) : null;
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || (faulted && !faulted.has(prop))) return value;
      const method = String(prop);
      return async (...args: unknown[]) => {
        stats.calls += 1;
        if (sw.enabled && options.random() < options.fraction) {
          stats.throttled += 1;
          stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
          throw throttlingError(method);
        }
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (sw.enabled && options.lostReplyFraction && options.random() < options.lostReplyFraction) {
          stats.lostReplies += 1;
          stats.byMethod[`${method} (after)`] = (stats.byMethod[`${method} (after)`] ?? 0) + 1;
          throw throttlingError(`${method}, after it ran`);
        }
        return result;
      };
    },
  });
  return { store: wrapped, stats, switch: sw };
}

export interface ProcessorFaultStats {
  batches: number;
  records: number;
  /** Records removed from the batch and reported failed, never processed. */
  failedBefore: number;
  /** Records processed, then reported failed. */
  failedAfter: number;
  /** Records the handler itself reported failed (e.g. because of store throttles). */
  failedByHandler: number;
}

export function failingProcessor(handler: SqsHandler, options: { fraction: number; random: () => number }): { handler: SqsHandler; stats: ProcessorFaultStats; switch: FaultSwitch } {
  const stats: ProcessorFaultStats = { batches: 0, records: 0, failedBefore: 0, failedAfter: 0, failedByHandler: 0 };
  const sw: FaultSwitch = { enabled: true };
  const wrapped: SqsHandler = async (event: SQSEvent, context: unknown): Promise<SQSBatchResponse> => {
    stats.batches += 1;
    stats.records += event.Records.length;
    const before = new Set<string>();
    const after = new Set<string>();
    if (sw.enabled) {
      for (const r of event.Records) {
        if (options.random() < options.fraction) (options.random() < 0.5 ? before : after).add(r.messageId);
      }
    }
    const kept = event.Records.filter((r) => !before.has(r.messageId));
    const res = kept.length > 0 ? await handler({ Records: kept }, context) : undefined;
    const reported = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    stats.failedByHandler += reported.size;
    stats.failedBefore += before.size;
    for (const id of after) if (!reported.has(id)) stats.failedAfter += 1;
    const failures = new Set([...reported, ...before, ...after]);
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
  return { handler: wrapped, stats, switch: sw };
}
