/** The processor's per-ARN cache of alarm details: TTL, failures remembered briefly, shared in-flight calls, LRU bound. */
import { cachedAlarmDetails, FAILURE_TTL_SECONDS } from '../../../lambdas/core/enrich/alarm-details-cache';
import type { AlarmDetails } from '../../../lambdas/core/ports';

function counting(fail = false): AlarmDetails & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async describe(arn) {
      calls.push(arn);
      if (fail) throw new Error('Throttling');
      return { tags: { n: String(calls.length) }, description: '' };
    },
    async states() {
      return [];
    },
    apiCalls: () => calls.length,
  };
}

describe('cachedAlarmDetails', () => {
  // ttl (s), seconds between the two lookups, whether the second lookup calls CloudWatch again
  it.each([
    [300, 0, false],
    [300, 299, false],
    [300, 300, true],
    [300, 301, true],
    [60, 59, false],
    [60, 61, true],
    [0, 0, true],
  ])('ttl %i s, second lookup %i s later: calls again = %s', async (ttl, later, again) => {
    let now = 1_000_000;
    const inner = counting();
    const cache = cachedAlarmDetails(inner, { clock: { now: () => new Date(now) }, ttlSeconds: ttl, maxEntries: 10 });
    await cache.describe('a');
    now += later * 1000;
    await cache.describe('a');
    expect(inner.calls.length).toBe(again ? 2 : 1);
    expect(cache.apiCalls()).toBe(inner.calls.length);
  });

  it.each([
    [300, FAILURE_TTL_SECONDS - 1, false],
    [300, FAILURE_TTL_SECONDS, true],
    [30, 29, false],
    [30, 30, true],
  ])('a failure with ttl %i s is remembered: %i s later calls again = %s', async (ttl, later, again) => {
    let now = 1_000_000;
    const inner = counting(true);
    const cache = cachedAlarmDetails(inner, { clock: { now: () => new Date(now) }, ttlSeconds: ttl, maxEntries: 10 });
    await expect(cache.describe('a')).rejects.toThrow('Throttling');
    now += later * 1000;
    await expect(cache.describe('a')).rejects.toThrow('Throttling');
    expect(inner.calls.length).toBe(again ? 2 : 1);
  });

  it('a storm of 1,000 concurrent lookups of one alarm makes one call', async () => {
    const inner = counting();
    const cache = cachedAlarmDetails(inner, { clock: { now: () => new Date(0) }, ttlSeconds: 300, maxEntries: 10 });
    const answers = await Promise.all(Array.from({ length: 1000 }, () => cache.describe('a')));
    expect(inner.calls).toEqual(['a']);
    expect(new Set(answers.map((a) => a.tags.n))).toEqual(new Set(['1']));
  });

  it('keeps at most maxEntries alarms, the least recently used out first', async () => {
    const inner = counting();
    const cache = cachedAlarmDetails(inner, { clock: { now: () => new Date(0) }, ttlSeconds: 300, maxEntries: 2 });
    await cache.describe('a');
    await cache.describe('b');
    await cache.describe('a'); // a is now the most recently used
    await cache.describe('c'); // evicts b
    expect(cache.size()).toBe(2);
    await cache.describe('a');
    expect(inner.calls).toEqual(['a', 'b', 'c']);
    await cache.describe('b');
    expect(inner.calls).toEqual(['a', 'b', 'c', 'b']);
  });
});
