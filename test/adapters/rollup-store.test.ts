import { DynamoRollupStore } from '../../lambdas/adapters/dynamodb/rollup-store';
import { InMemoryRollupStore } from '../../lambdas/adapters/in-memory/rollup-store';
import type { RollupUpdate } from '../../lambdas/core/insights/rollup';
import type { RollupStore } from '../../lambdas/core/ports';
import { startEmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';

const AT = '2026-03-31T12:00:00.000Z';
const upd = (day: string, kind: RollupUpdate['kind'], value: string, delta: Record<string, number>): RollupUpdate => ({ day, kind, value, delta });

const contract = (name: string, make: () => Promise<{ store: RollupStore; close(): Promise<void> }>) =>
  describe(`RollupStore contract: ${name}`, () => {
    let store: RollupStore;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, close } = await make()));
    afterEach(async () => close());

    it('adds the updates of an incident once; a second call for it adds nothing', async () => {
      const updates = [upd('2026-03-07', 'all', 'all', { incidents: 1, 'mtta.n': 1, 'mtta.sum': 300, 'mtta.h61': 1 }), upd('2026-03-07', 'service', 'db', { incidents: 1 })];
      expect(await store.addResolved('i1', updates, AT)).toBe(true);
      expect(await store.addResolved('i1', updates, AT)).toBe(false);
      expect(await store.read('all', '2026-03-01', '2026-03-31')).toEqual([{ kind: 'all', day: '2026-03-07', value: 'all', values: { incidents: 1, 'mtta.n': 1, 'mtta.sum': 300, 'mtta.h61': 1 } }]);
    });

    it('sums concurrent incidents on the same item', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.addResolved(`i${i}`, [upd('2026-03-07', 'service', 'db', { incidents: 1, alerts: i })], AT)));
      const [row] = await store.read('service', '2026-03-07', '2026-03-07');
      expect(row!.values).toEqual({ incidents: 20, alerts: 190 });
    });

    it('reads the days of the window across months, one kind only', async () => {
      await store.addResolved('a', [upd('2026-02-28', 'severity', 'sev1', { incidents: 1 }), upd('2026-02-28', 'all', 'all', { incidents: 1 })], AT);
      await store.addResolved('b', [upd('2026-03-01', 'severity', 'sev2', { incidents: 1 })], AT);
      await store.addResolved('c', [upd('2026-04-01', 'severity', 'sev1', { incidents: 1 })], AT);
      await store.addResolved('d', [upd('2026-01-31', 'severity', 'sev1', { incidents: 1 })], AT);
      const rows = await store.read('severity', '2026-02-01', '2026-03-31');
      expect(rows.map((r) => [r.day, r.value])).toEqual([['2026-02-28', 'sev1'], ['2026-03-01', 'sev2']]);
    });

    it('keeps values whose names carry dots, hashes and spaces apart', async () => {
      await store.addResolved('x', [upd('2026-03-07', 'team', 'db team#1', { 'mttk.h0': 2, 'mttr.sum': 7 })], AT);
      expect((await store.read('team', '2026-03-07', '2026-03-07'))[0]).toMatchObject({ value: 'db team#1', values: { 'mttk.h0': 2, 'mttr.sum': 7 } });
    });
  });

contract('in-memory', async () => ({ store: new InMemoryRollupStore(), close: async () => {} }));
contract('DynamoDB (embedded dynalite)', async () => {
  const d = await startEmbeddedDynamo({ tableName: 'incidents' });
  return { store: new DynamoRollupStore(d.client, 'incidents'), close: () => d.close() };
});
