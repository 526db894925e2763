/**
 * Loaded by the local runtime's processor thread in the benchmark (runtime-child.ts passes it as
 * `processorThread.hooksModule`): counts the thread's DynamoDB calls as the runtime child counts the main thread's,
 * the processor's incident store in scope `processor` and its delivery markers in scope `marker`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ProcessorThreadHooks } from '../../lambdas/local/processor-worker';
import type { IncidentStore } from '../../lambdas/core/ports';
import { CapacityMeter } from './dynamodb-capacity';

/**
 * The processor's incident store with each call run in a named scope of the meter: `processor`, or `marker` for the
 * delivery markers (per queue message, not per incident), so opening an incident is counted apart from the page.
 */
export function scopedStore(store: IncidentStore, scope: AsyncLocalStorage<string>): IncidentStore {
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      const name = key === 'isMessageDone' || key === 'markMessagesDone' ? 'marker' : 'processor';
      return typeof value === 'function' ? (...args: unknown[]) => scope.run(name, () => (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
    },
  });
}

export function processorThreadHooks(): ProcessorThreadHooks {
  const meter = new CapacityMeter();
  const scope = new AsyncLocalStorage<string>();
  return {
    dynamoClient: (client) => meter.attach(client, () => scope.getStore()),
    processorStore: (store) => scopedStore(store, scope),
    measure: (command) => {
      if (command === 'reset') meter.reset();
      return meter.snapshot();
    },
  };
}
