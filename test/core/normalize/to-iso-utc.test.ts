import { toIsoUtc } from '../../../lambdas/core/normalize/shared';

describe('toIsoUtc', () => {
  it('gives back exactly what parsing and printing the time gives, on its fast path and off it', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pad = (v: number, w = 2) => String(v).padStart(w, '0');
    const cases: string[] = ['2026-02-28T23:59:59.999Z', '2024-02-29T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '0000-01-01T00:00:00.000Z'];
    for (let i = 0; i < 2000; i++) {
      cases.push(`${pad(rnd(10_000), 4)}-${pad(rnd(13) + 1)}-${pad(rnd(31) + 1)}T${pad(rnd(25))}:${pad(rnd(60))}:${pad(rnd(61))}.${pad(rnd(1000), 3)}Z`);
    }
    for (const s of cases) {
      const ms = Date.parse(s);
      expect([s, toIsoUtc(s)]).toEqual([s, Number.isNaN(ms) ? null : new Date(ms).toISOString()]);
    }
    expect(toIsoUtc('0001-01-01T00:00:00.000Z')).toBeNull();
    expect(toIsoUtc('2026-01-05T10:00:00+0000')).toBe('2026-01-05T10:00:00.000Z');
  });
});
