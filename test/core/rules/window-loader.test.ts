import { InMemoryOperationsStore } from '../../../lambdas/adapters/in-memory/operations-store';
import { adHocWindow, cachedWindowLoader, WINDOW_CACHE_MS } from '../../../lambdas/core/rules/window-loader';

const record = (name: string, end: string, reason?: string) => ({
  id: name, name, ...(reason ? { reason } : {}), services: ['api'], when: null,
  start: '2026-03-01T00:00:00.000Z', end, createdBy: 'api', createdAt: '2026-03-01T00:00:00.000Z',
});

describe('cachedWindowLoader', () => {
  it('reads the store at most once per cache period, with the clock as input', async () => {
    const ops = new InMemoryOperationsStore();
    let now = Date.parse('2026-03-01T12:00:00Z');
    let reads = 0;
    const list = ops.listMaintenance.bind(ops);
    ops.listMaintenance = (iso: string) => {
      reads++;
      return list(iso);
    };
    await ops.putMaintenance(record('a', '2026-03-02T00:00:00.000Z', 'deploy'));
    const load = cachedWindowLoader(ops, { now: () => new Date(now) });
    expect(await load()).toEqual([{ name: 'a', reason: 'deploy', services: ['api'], when: null, start: '2026-03-01T00:00:00.000Z', end: '2026-03-02T00:00:00.000Z' }]);
    await ops.putMaintenance(record('b', '2026-03-02T00:00:00.000Z'));
    now += WINDOW_CACHE_MS - 1;
    expect((await load()).map((w) => w.name)).toEqual(['a']);
    expect(reads).toBe(1);
    now += 1;
    expect((await load()).map((w) => w.name).sort()).toEqual(['a', 'b']);
    expect(reads).toBe(2);
  });

  it('has no windows without a store', async () => {
    expect(await cachedWindowLoader(undefined, { now: () => new Date(0) })()).toEqual([]);
  });

  it('maps a record without a reason to a window without one', () => {
    expect(adHocWindow(record('x', '2026-03-02T00:00:00.000Z'))).not.toHaveProperty('reason');
  });
});
