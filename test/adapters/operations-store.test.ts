import { DynamoOperationsStore } from '../../lambdas/adapters/dynamodb/operations-store';
import { InMemoryOperationsStore } from '../../lambdas/adapters/in-memory/operations-store';
import type { OperationsStore } from '../../lambdas/core/ports';
import { startEmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';

const contract = (name: string, make: () => Promise<{ store: OperationsStore; close(): Promise<void> }>) =>
  describe(`OperationsStore contract: ${name}`, () => {
    let store: OperationsStore;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, close } = await make()));
    afterEach(async () => close());

    it('stores, lists and deletes schedule overrides per schedule', async () => {
      const o = { id: 'o1', schedule: 'primary', person: 'alice', start: '2026-11-24T00:00:00.000Z', end: '2026-11-25T00:00:00.000Z', createdBy: 'api', createdAt: '2026-11-23T00:00:00.000Z' };
      await store.putOverride(o);
      await store.putOverride({ ...o, id: 'o2', schedule: 'secondary' });
      expect(await store.listOverrides('primary')).toEqual([o]);
      expect(await store.deleteOverride('primary', 'o1')).toBe(true);
      expect(await store.deleteOverride('primary', 'o1')).toBe(false);
      expect(await store.listOverrides('primary')).toEqual([]);
    });

    it('lists only maintenance windows that have not ended', async () => {
      const w = { id: 'w1', name: 'patching', services: ['platform'], when: null, start: '2026-11-24T00:00:00.000Z', end: '2026-11-24T02:00:00.000Z', createdBy: 'api', createdAt: '2026-11-23T00:00:00.000Z' };
      await store.putMaintenance(w);
      await store.putMaintenance({ ...w, id: 'w2', end: '2026-11-24T00:30:00.000Z' });
      expect((await store.listMaintenance('2026-11-24T01:00:00.000Z')).map((x) => x.id)).toEqual(['w1']);
      expect(await store.deleteMaintenance('w1')).toBe(true);
      expect(await store.listMaintenance('2026-11-24T01:00:00.000Z')).toEqual([]);
    });

    it('accepts a nonce once', async () => {
      expect(await store.consumeNonce('n1', '2026-11-25T00:00:00.000Z')).toBe(true);
      expect(await store.consumeNonce('n1', '2026-11-25T00:00:00.000Z')).toBe(false);
      expect(await store.consumeNonce('n2', '2026-11-25T00:00:00.000Z')).toBe(true);
    });

    it('tells whether a nonce was used, and for what and when when that was recorded', async () => {
      expect(await store.usedNonce('n3')).toBeNull();
      expect(await store.consumeNonce('n3', '2026-11-25T00:00:00.000Z', { at: '2026-11-24T10:00:00.000Z', action: 'acknowledge' })).toBe(true);
      expect(await store.usedNonce('n3')).toEqual({ use: { at: '2026-11-24T10:00:00.000Z', action: 'acknowledge' } });
      expect(await store.consumeNonce('n3', '2026-11-25T00:00:00.000Z', { at: '2026-11-24T11:00:00.000Z', action: 'resolve' })).toBe(false);
      expect(await store.usedNonce('n3')).toEqual({ use: { at: '2026-11-24T10:00:00.000Z', action: 'acknowledge' } });
      await store.consumeNonce('n4', '2026-11-25T00:00:00.000Z');
      expect(await store.usedNonce('n4')).toEqual({ use: null });
    });

    it('caps sends per channel and minute, concurrently too', async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => store.reserveSend('sms', 100, 5)));
      expect(results.filter(Boolean)).toHaveLength(5);
      expect(await store.reserveSend('sms', 101, 5)).toBe(true);
      expect(await store.reserveSend('slack', 100, 5)).toBe(true);
    });
  });

contract('in-memory', async () => ({ store: new InMemoryOperationsStore(), close: async () => {} }));
contract('DynamoDB (embedded dynalite)', async () => {
  const d = await startEmbeddedDynamo({ tableName: 'incidents' });
  return { store: new DynamoOperationsStore(d.client, 'incidents'), close: () => d.close() };
});
