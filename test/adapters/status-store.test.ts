import { DynamoStatusStore } from '../../lambdas/adapters/dynamodb/status-store';
import { InMemoryStatusStore } from '../../lambdas/adapters/in-memory/status-store';
import type { StatusStore } from '../../lambdas/core/ports';
import type { StatusIncident } from '../../lambdas/core/status/model';
import { startEmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';

const contract = (name: string, make: () => Promise<{ store: StatusStore; close(): Promise<void> }>) =>
  describe(`StatusStore contract: ${name}`, () => {
    let store: StatusStore;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, close } = await make()));
    afterEach(async () => close());

    it('stores, lists (not ended) and deletes overrides', async () => {
      const o = { id: 'o1', service: 'db', status: 'operational' as const, start: '2026-03-01T00:00:00.000Z', end: '2026-03-01T02:00:00.000Z', createdBy: 'api', createdAt: '2026-03-01T00:00:00.000Z' };
      await store.putStatusOverride(o);
      await store.putStatusOverride({ ...o, id: 'o2', end: '2026-03-01T00:30:00.000Z', reason: 'false alarm' });
      expect(await store.listStatusOverrides('2026-03-01T01:00:00.000Z')).toEqual([o]);
      expect(await store.deleteStatusOverride('o1')).toBe(true);
      expect(await store.deleteStatusOverride('o1')).toBe(false);
      expect(await store.listStatusOverrides('2026-03-01T01:00:00.000Z')).toEqual([]);
    });

    it('stores status incidents and lists recent and unresolved ones, newest first', async () => {
      const base: StatusIncident = {
        id: 's1', title: 'Checkout errors', components: ['checkout'], incidentIds: ['i1'], status: 'investigating',
        createdAt: '2026-02-01T00:00:00.000Z', updatedAt: '2026-02-01T00:00:00.000Z', resolvedAt: null,
        updates: [{ id: 'u1', status: 'investigating', message: 'Looking', at: '2026-02-01T00:00:00.000Z', by: 'alice' }],
      };
      await store.putStatusIncident(base);
      await store.putStatusIncident({ ...base, id: 's2', createdAt: '2026-01-01T00:00:00.000Z', status: 'resolved', resolvedAt: '2026-01-01T01:00:00.000Z' });
      await store.putStatusIncident({ ...base, id: 's3', createdAt: '2026-02-20T00:00:00.000Z', status: 'resolved', resolvedAt: '2026-02-20T01:00:00.000Z' });
      expect((await store.listStatusIncidents('2026-02-10T00:00:00.000Z')).map((i) => i.id)).toEqual(['s3', 's1']);
      expect(await store.getStatusIncident('s1')).toEqual(base);
      expect(await store.getStatusIncident('nope')).toBeNull();
    });

    it('records changes as current status and history', async () => {
      await store.recordStatusChanges([
        { service: 'db', status: 'operational', at: '2026-03-01T00:00:00.000Z' },
        { service: 'web', status: 'operational', at: '2026-03-01T00:00:00.000Z' },
      ]);
      await store.recordStatusChanges([{ service: 'db', status: 'major_outage', at: '2026-03-01T06:00:00.000Z' }]);
      await store.recordStatusChanges([{ service: 'db', status: 'operational', at: '2026-03-01T07:00:00.000Z' }]);
      expect(await store.currentStatuses()).toEqual([
        { service: 'db', status: 'operational', at: '2026-03-01T07:00:00.000Z' },
        { service: 'web', status: 'operational', at: '2026-03-01T00:00:00.000Z' },
      ]);
      expect(await store.statusHistory('db', '2026-03-01T05:00:00.000Z')).toEqual([
        { service: 'db', status: 'operational', at: '2026-03-01T00:00:00.000Z' },
        { service: 'db', status: 'major_outage', at: '2026-03-01T06:00:00.000Z' },
        { service: 'db', status: 'operational', at: '2026-03-01T07:00:00.000Z' },
      ]);
      expect(await store.statusHistory('db', '2026-03-01T08:00:00.000Z')).toEqual([{ service: 'db', status: 'operational', at: '2026-03-01T07:00:00.000Z' }]);
    });
  });

contract('in-memory', async () => ({ store: new InMemoryStatusStore(), close: async () => {} }));
contract('DynamoDB (embedded dynalite)', async () => {
  const d = await startEmbeddedDynamo({ tableName: 'incidents' });
  return { store: new DynamoStatusStore(d.client, 'incidents'), close: () => d.close() };
});
