/**
 * The processor's cache of CloudWatch alarm details, per alarm ARN, in the memory of one processor instance (no
 * table read or write): an answer is reused for `ttlSeconds`, a failed lookup for at most FAILURE_TTL_SECONDS (so a
 * storm of one alarm whose tags cannot be read does not call CloudWatch once per alert), concurrent lookups of one
 * ARN share one call, and at most `maxEntries` alarms are kept (least recently used out first).
 */
import type { AlarmDetails, AlarmInfo, AlarmRef, AlarmStateReading, Clock } from '../ports';

/** How long a failed lookup is remembered (capped by the TTL). */
export const FAILURE_TTL_SECONDS = 60;

export interface AlarmCacheOptions {
  clock: Clock;
  /** 0 = no cache (concurrent lookups still share one call). */
  ttlSeconds: number;
  maxEntries: number;
}

interface Entry {
  /** Epoch ms after which the entry is looked up again. */
  expiresAtMs: number;
  /** Settled (or in flight) answer. */
  answer: Promise<AlarmInfo>;
}

export interface CachedAlarmDetails extends AlarmDetails {
  /** Alarms currently cached. */
  size(): number;
}

export function cachedAlarmDetails(inner: AlarmDetails, options: AlarmCacheOptions): CachedAlarmDetails {
  const entries = new Map<string, Entry>();
  const ttlMs = options.ttlSeconds * 1000;
  const failureTtlMs = Math.min(ttlMs, FAILURE_TTL_SECONDS * 1000);
  const remember = (arn: string, entry: Entry) => {
    entries.delete(arn);
    entries.set(arn, entry);
    while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
  };
  return {
    describe(arn) {
      const nowMs = options.clock.now().getTime();
      const hit = entries.get(arn);
      if (hit && hit.expiresAtMs > nowMs) {
        remember(arn, hit); // most recently used
        return hit.answer;
      }
      const entry: Entry = { expiresAtMs: Number.POSITIVE_INFINITY, answer: inner.describe(arn) }; // in flight: shared
      remember(arn, entry);
      entry.answer.then(
        () => {
          entry.expiresAtMs = options.clock.now().getTime() + ttlMs;
          if (ttlMs === 0 && entries.get(arn) === entry) entries.delete(arn);
        },
        () => {
          entry.expiresAtMs = options.clock.now().getTime() + failureTtlMs;
          if (failureTtlMs === 0 && entries.get(arn) === entry) entries.delete(arn);
        },
      );
      return entry.answer;
    },
    states(alarms: readonly AlarmRef[]): Promise<AlarmStateReading[]> {
      return inner.states(alarms); // the sweeper wants the state now: never cached
    },
    apiCalls: () => inner.apiCalls(),
    size: () => entries.size,
  };
}
