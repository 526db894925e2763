/**
 * Duplicate protection when a message's delivery marker rides on the incident head it writes (a message whose alerts
 * all belong to one fingerprint writes no marker item; docs/architecture.md §Idempotency and concurrency). A
 * redelivered message must never count twice: after a crash right after the head write, after its key left the
 * head's idempotency ring (16 later messages), after two newer incidents of the fingerprint pushed its head out of
 * the read of the latest two, and after a crash between the eviction markers and the head write. A message of stale
 * state changes only needs no marker at all: its redelivery is stale again. Events (Threat
 * Stack) alerts: no newest-state-wins rule hides a double count. Over the embedded DynamoDB and the in-memory store.
 */
import { DynamoIncidentStore } from '../../lambdas/adapters/dynamodb/incident-store';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';
import { processEnvelopes, type ProcessDeps } from '../../lambdas/core/pipeline';
import type { IncidentStore } from '../../lambdas/core/ports';
import { RECENT_MESSAGES_MAX } from '../../lambdas/core/deduplicate';
import { fingerprintOf } from '../../lambdas/core/fingerprint';
import type { NormalizedAlert } from '../../lambdas/core/model/alert';
import { alert, envelope, rules } from '../support/builders';

function deps(store: IncidentStore): ProcessDeps {
  let t = Date.parse('2024-06-10T14:05:00.000Z');
  return {
    store,
    escalator: { start: async () => {}, stop: async () => {} },
    rules,
    clock: { now: () => new Date((t += 1000)) },
    sleep: async () => {},
    random: () => 0.5,
    log: () => {},
  };
}

const ts = (key: string, fp: string, action: NormalizedAlert['action'] = 'trigger'): NormalizedAlert => alert({ key, fp, action, source: 'threatstack' });
const once = (store: IncidentStore, alerts: NormalizedAlert[]) => processEnvelopes([{ recordId: alerts[0]!.deliveryKey, envelope: envelope(alerts) }], deps(store));
const total = async (store: IncidentStore, fp: string) => {
  const incidents = await store.recentForFingerprint(fingerprintOf(fp), 10);
  return { count: incidents.reduce((n, i) => n + i.alertCount, 0), incidents: incidents.length };
};

for (const kind of ['dynamodb', 'in-memory'] as const) {
  describe(`a message whose marker rides on the head is counted once on redelivery (${kind})`, () => {
    let dynamo: EmbeddedDynamo | undefined;
    let store: IncidentStore;
    beforeEach(async () => {
      if (kind === 'dynamodb') {
        dynamo = await startEmbeddedDynamo({ tableName: 'incidents' });
        store = new DynamoIncidentStore(dynamo.client, 'incidents');
      } else store = new InMemoryIncidentStore();
    });
    afterEach(async () => dynamo?.close());

    it('after a crash right after the head write (before anything else of the batch)', async () => {
      const crashing = Object.create(store) as IncidentStore;
      crashing.applyPlan = async (plan) => {
        await store.applyPlan(plan);
        throw new Error('killed after the head write');
      };
      const first = await once(crashing, [ts('c-1', 'fp-crash')]);
      expect(first.failedRecordIds).toHaveLength(1);
      const again = await once(store, [ts('c-1', 'fp-crash')]);
      expect(again.outcomes.map((o) => o.reason)).toEqual(['duplicate-delivery']);
      expect(await total(store, 'fp-crash')).toEqual({ count: 1, incidents: 1 });
    });

    it(`after ${RECENT_MESSAGES_MAX + 4} later messages pushed its key out of the head's ring`, async () => {
      await once(store, [ts('r-0', 'fp-ring')]);
      for (let i = 1; i <= RECENT_MESSAGES_MAX + 4; i++) await once(store, [ts(`r-${i}`, 'fp-ring')]);
      expect(await total(store, 'fp-ring')).toEqual({ count: RECENT_MESSAGES_MAX + 5, incidents: 1 });
      for (let i = 0; i <= 4; i++) {
        const again = await once(store, [ts(`r-${i}`, 'fp-ring')]);
        expect(again.outcomes.map((o) => o.reason)).toEqual(['duplicate-delivery']);
      }
      expect(await total(store, 'fp-ring')).toEqual({ count: RECENT_MESSAGES_MAX + 5, incidents: 1 });
    });

    it('after two newer incidents of the fingerprint left its head out of the latest two', async () => {
      await once(store, [ts('o-1', 'fp-old')]);
      await once(store, [ts('o-1-ok', 'fp-old', 'resolve')]);
      await once(store, [ts('o-2', 'fp-old')]);
      await once(store, [ts('o-2-ok', 'fp-old', 'resolve')]);
      await once(store, [ts('o-3', 'fp-old')]);
      expect(await total(store, 'fp-old')).toEqual({ count: 3, incidents: 3 });
      const again = await once(store, [ts('o-1', 'fp-old')]);
      expect(again.outcomes.map((o) => o.reason)).toEqual(['duplicate-delivery']);
      const resolvedAgain = await once(store, [ts('o-2-ok', 'fp-old', 'resolve')]);
      expect(resolvedAgain.outcomes.map((o) => o.reason)).toEqual(['duplicate-delivery']);
      expect(await total(store, 'fp-old')).toEqual({ count: 3, incidents: 3 });
      expect((await store.recentForFingerprint(fingerprintOf('fp-old'), 1))[0]!.status).toBe('triggered');
    });

    it('a message whose alerts are all stale state changes writes no marker item; its redelivery is ignored as stale again', async () => {
      const cw = (key: string, at: string, action: NormalizedAlert['action'] = 'trigger') => alert({ key, fp: 'fp-stale', at, action });
      await once(store, [cw('s-new', '2024-06-10T14:10:00.000Z')]);
      const stale = [cw('s-old', '2024-06-10T14:00:00.000Z', 'resolve')];
      const first = await once(store, stale);
      expect(first.outcomes.map((o) => o.reason)).toEqual(['stale-state-change']);
      expect(await store.isMessageDone(envelope(stale).messageKey)).toBe(false);
      const again = await once(store, stale);
      expect(again.outcomes.map((o) => o.reason)).toEqual(['stale-state-change']);
      const [inc] = await store.recentForFingerprint(fingerprintOf('fp-stale'), 2);
      expect(inc).toMatchObject({ status: 'triggered', alertCount: 1 });
    });

    it('after a crash between the eviction markers and the head write', async () => {
      for (let i = 0; i < RECENT_MESSAGES_MAX; i++) await once(store, [ts(`k-${i}`, 'fp-kill')]);
      const killed = Object.create(store) as IncidentStore;
      // The head write fails after the markers of the keys it evicts were written (the store writes them first).
      killed.replaceIncident = async () => {
        throw new Error('killed before the head write');
      };
      const crashed = await once(killed, [ts(`k-${RECENT_MESSAGES_MAX}`, 'fp-kill')]);
      expect(crashed.failedRecordIds).toHaveLength(1);
      // Its redelivery applies it (evicting k-0 into a marker item); then every message again: all duplicates.
      await once(store, [ts(`k-${RECENT_MESSAGES_MAX}`, 'fp-kill')]);
      for (let i = 0; i <= RECENT_MESSAGES_MAX; i++) {
        expect((await once(store, [ts(`k-${i}`, 'fp-kill')])).outcomes.map((o) => o.reason)).toEqual(['duplicate-delivery']);
      }
      expect(await total(store, 'fp-kill')).toEqual({ count: RECENT_MESSAGES_MAX + 1, incidents: 1 });
    });
  });
}
