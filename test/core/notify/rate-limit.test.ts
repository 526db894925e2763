import fc from 'fast-check';
import { decideSend, recentSends, WINDOW_MS } from '../../../lambdas/core/notify/rate-limit';

const NOW = 1_718_028_300_000;

describe('decideSend', () => {
  it.each([
    ['nothing sent yet', [], 2, { allowed: true }],
    ['below the limit', [NOW - 10_000], 2, { allowed: true }],
    ['at the limit: wait until the oldest leaves the window', [NOW - 50_000, NOW - 10_000], 2, { allowed: false, retryAfterMs: 10_000 }],
    ['old sends do not count', [NOW - 60_000, NOW - 70_000, NOW - 10_000], 2, { allowed: true }],
    ['over the limit: wait for enough to leave', [NOW - 50_000, NOW - 40_000, NOW - 30_000, NOW - 1], 2, { allowed: false, retryAfterMs: 30_000 }],
    ['unsorted input', [NOW - 10_000, NOW - 50_000], 2, { allowed: false, retryAfterMs: 10_000 }],
    ['a send just now blocks for a full minute at limit 1', [NOW], 1, { allowed: false, retryAfterMs: WINDOW_MS }],
    ['future times from a skewed clock count', [NOW + 5_000], 1, { allowed: false, retryAfterMs: 65_000 }],
    ['a limit below 1 never allows', [], 0, { allowed: false, retryAfterMs: WINDOW_MS }],
    ['garbage times are ignored', [Number.NaN, Number.POSITIVE_INFINITY], 1, { allowed: true }],
  ])('%s', (_name, times, max, expected) => {
    expect(decideSend(times, max, NOW)).toEqual(expected);
  });

  it('never lets more than maxPerMinute sends into any minute when the caller obeys it (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 200 }), (max, gaps) => {
        const sent: number[] = [];
        let t = NOW;
        for (const gap of gaps) {
          t += gap;
          const d = decideSend(sent, max, t);
          if (d.allowed) sent.push(t);
          else {
            expect(d.retryAfterMs).toBeGreaterThan(0);
            expect(decideSend(sent, max, t + d.retryAfterMs!).allowed).toBe(true);
          }
        }
        for (const s of sent) expect(sent.filter((x) => x > s - WINDOW_MS && x <= s).length).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe('recentSends', () => {
  it('keeps only the sends inside the window, oldest first', () => {
    expect(recentSends([NOW - 1, NOW - 60_000, NOW - 59_999, NOW - 120_000], NOW)).toEqual([NOW - 59_999, NOW - 1]);
  });
});
