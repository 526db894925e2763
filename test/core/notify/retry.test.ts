import fc from 'fast-check';
import { classifyDeliveryFailure, retryDelays } from '../../../lambdas/core/notify/retry';

describe('retryDelays', () => {
  it('grows exponentially up to the cap with full jitter', () => {
    expect(retryDelays(6, 100, 1_000, () => 0.999999)).toEqual([99, 199, 399, 799, 999, 999]);
    expect(retryDelays(3, 100, 1_000, () => 0)).toEqual([0, 0, 0]);
    expect(retryDelays(3, 100, 1_000, () => 0.5)).toEqual([50, 100, 200]);
  });

  it.each([0, -1, 0.5])('returns nothing for %p attempts', (n) => {
    expect(retryDelays(n, 100, 1_000, () => 0.5)).toEqual([]);
  });

  it('stays in [0, min(max, base × 2^i)) even with a random source out of range (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 600_000 }), fc.double({ min: -2, max: 3, noNaN: true }), (n, base, max, r) => {
        const delays = retryDelays(n, base, max, () => r);
        expect(delays).toHaveLength(n);
        delays.forEach((d, i) => {
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(Math.max(1, Math.min(max, base * 2 ** i)));
        });
      }),
    );
  });
});

describe('classifyDeliveryFailure', () => {
  it.each([
    [429, undefined, true, 'rate-limited'],
    [408, undefined, true, 'timeout'],
    [500, undefined, true, 'server-error'],
    [502, undefined, true, 'server-error'],
    [503, 'Service Unavailable', true, 'server-error'],
    [400, 'invalid_payload', false, 'client-error'],
    [401, undefined, false, 'auth'],
    [403, 'invalid_token', false, 'auth'],
    [404, 'no_service', false, 'not-found'],
    [410, 'channel_is_archived', false, 'not-found'],
    [413, undefined, false, 'client-error'],
    [422, undefined, false, 'client-error'],
    [301, undefined, false, 'redirect'],
    [undefined, 'ECONNRESET', true, 'network'],
    [undefined, 'getaddrinfo EAI_AGAIN hooks.slack.com', true, 'network'],
    [undefined, 'connect ECONNREFUSED 127.0.0.1:443', true, 'network'],
    [undefined, 'socket hang up', true, 'network'],
    [undefined, 'TypeError: fetch failed', true, 'network'],
    [undefined, 'ETIMEDOUT', true, 'timeout'],
    [undefined, 'TimeoutError: The operation was aborted due to timeout', true, 'timeout'],
    [undefined, 'ThrottlingException: Rate exceeded', true, 'rate-limited'],
    [undefined, 'CERT_HAS_EXPIRED', false, 'tls'],
    [undefined, 'unable to verify the first certificate', false, 'tls'],
    [undefined, undefined, true, 'unknown'],
    [undefined, 'something odd', true, 'unknown'],
  ])('status %p, error %p -> retryable %p (%s)', (status, error, retryable, reason) => {
    expect(classifyDeliveryFailure(status, error)).toEqual({ retryable, reason });
  });
});
