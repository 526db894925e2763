/**
 * The IncidentStore contract: every adapter (in-memory, DynamoDB on the embedded store) must pass the same cases.
 */
import { planIncidentChanges } from '../../lambdas/core/deduplicate';
import type { IncidentPage, IncidentQuery, IncidentStore } from '../../lambdas/core/ports';
import { alert, evaluated, NOW, NOW_MS } from '../support/builders';

export function incidentStoreContract(name: string, make: () => Promise<{ store: IncidentStore; close(): Promise<void> }>) {
  describe(`IncidentStore contract: ${name}`, () => {
    let store: IncidentStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await make());
    });
    afterEach(async () => close());

    const open = async (fp: string, key: string, at = NOW) => {
      const e = evaluated(alert({ key, fp }));
      const [latest = null, ...older] = await store.recentForFingerprint(e.evaluation.fingerprint, 2);
      const plan = planIncidentChanges(latest, [e], at, Date.parse(at), older);
      expect(await store.applyPlan(plan)).toEqual({ kind: 'applied' });
      return plan;
    };

    it('creates an incident and reads it back by id and by fingerprint', async () => {
      const plan = await open('fp-a', 'a1');
      const inc = plan.creates[0]!;
      expect(await store.getIncident(inc.id)).toEqual(inc);
      expect(await store.recentForFingerprint(inc.fingerprint, 2)).toEqual([inc]);
      expect((await store.timeline(inc.id)).map((t) => t.type)).toEqual(['opened']);
      expect((await store.alerts(inc.id)).map((a) => a.deliveryKey)).toEqual(['a1']);
    });

    it('returns null for unknown and malformed ids', async () => {
      expect(await store.getIncident('inc-00000000000000000000-1')).toBeNull();
      expect(await store.getIncident('nonsense')).toBeNull();
    });

    it('rejects a stale update (version check) and a duplicate create', async () => {
      const first = await open('fp-b', 'b1');
      const inc = first.creates[0]!;
      const e2 = evaluated(alert({ key: 'b2', fp: 'fp-b' }));
      const planA = planIncidentChanges(inc, [e2], NOW, NOW_MS);
      const planB = planIncidentChanges(inc, [evaluated(alert({ key: 'b3', fp: 'fp-b' }))], NOW, NOW_MS);
      expect(await store.applyPlan(planA)).toEqual({ kind: 'applied' });
      expect((await store.applyPlan(planB)).kind).toBe('conflict');
      expect((await store.getIncident(inc.id))!.alertCount).toBe(2);
      expect((await store.applyPlan(first)).kind).toBe('conflict');
    });

    it('lists newest first with filters and a cursor that pages through everything once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const at = `2024-06-10T14:0${i}:00.000Z`;
        ids.push((await open(`fp-list-${i}`, `l${i}`, at)).creates[0]!.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listIncidents({ limit: 3, cursor });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      expect((await store.listIncidents({ limit: 10, status: 'triggered' })).items).toHaveLength(7);
      expect((await store.listIncidents({ limit: 10, status: 'resolved' })).items).toHaveLength(0);
      expect((await store.listIncidents({ limit: 10, service: 'platform', severity: 'sev2' })).items).toHaveLength(7);
      expect((await store.listIncidents({ limit: 10, severity: 'sev1' })).items).toHaveLength(0);
      expect((await store.listIncidents({ limit: 10, tag: { key: 'source', value: 'cloudwatch' } })).items).toHaveLength(7);
      expect((await store.listIncidents({ limit: 10, tag: { key: 'source', value: 'threatstack' } })).items).toHaveLength(0);
      expect((await store.listIncidents({ limit: 10, from: '2024-06-10T14:03:00.000Z', to: '2024-06-10T14:05:00.000Z' })).items).toHaveLength(3);
    });

    /** 130 incidents a minute apart; every 40th from the 10th on (10, 50, 90) is sev1, team payments, from Alertmanager. */
    const openMany = async () => {
      const ids: string[] = [];
      for (let i = 0; i < 130; i++) {
        const at = new Date(Date.parse('2024-06-10T10:00:00.000Z') + i * 60_000).toISOString();
        const rare = i % 40 === 10;
        const e = evaluated(alert({ key: `m${i}`, fp: `fp-many-${i}`, ...(rare ? { source: 'alertmanager' } : {}) }));
        const plan = planIncidentChanges(null, [e], at, Date.parse(at), []);
        const inc = plan.creates[0]!;
        if (rare) Object.assign(inc, { severity: 'sev1', route: { ...inc.route, team: 'payments' } });
        expect(await store.applyPlan(plan)).toEqual({ kind: 'applied' });
        ids.push(inc.id);
      }
      return ids;
    };
    const walk = async (query: Omit<IncidentQuery, 'cursor'>) => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page: IncidentPage = await store.listIncidents({ ...query, cursor: cursor ?? undefined });
        pages.push(page.items.map((i) => i.id));
        cursor = page.cursor;
      } while (cursor && pages.length < 20);
      return pages;
    };

    it('a rare filter over more than one index page: full pages, and no cursor once nothing more matches', async () => {
      const ids = await openMany();
      const rare = [ids[90]!, ids[50]!, ids[10]!];
      for (const query of [{ severity: 'sev1' }, { team: 'payments' }, { source: 'alertmanager' }, { status: 'triggered' as const, team: 'payments' }]) {
        expect([query, await walk({ ...query, limit: 3 })]).toEqual([query, [rare]]);
        expect([query, await walk({ ...query, limit: 2 })]).toEqual([query, [rare.slice(0, 2), rare.slice(2)]]);
      }
      expect(await walk({ team: 'payments', source: 'cloudwatch', limit: 5 })).toEqual([[]]);
      expect(await walk({ team: 'search', limit: 5 })).toEqual([[]]);
      expect((await walk({ source: 'cloudwatch', limit: 100 })).map((p) => p.length)).toEqual([100, 27]);
    });

    it('pages the unfiltered list through incidents of every status, newest first, each once (ties across statuses too)', async () => {
      const statuses = ['triggered', 'acknowledged', 'resolved', 'suppressed'] as const;
      const ids: string[] = [];
      for (let i = 0; i < 11; i++) {
        // Three incidents share each opening instant, in different statuses.
        const at = `2024-06-10T14:0${Math.floor(i / 3)}:00.000Z`;
        const inc = (await open(`fp-mixed-${i}`, `mx${i}`, at)).creates[0]!;
        const status = statuses[i % 4]!;
        if (status !== 'triggered') expect(await store.replaceIncident(inc, { ...inc, status, version: inc.version + 1 })).toEqual({ kind: 'applied' });
        ids.push(inc.id);
      }
      for (const limit of [1, 2, 4, 25]) {
        const seen: Array<{ id: string; openedAt: string }> = [];
        let cursor: string | undefined;
        do {
          const page = await store.listIncidents({ limit, cursor });
          seen.push(...page.items.map((i) => ({ id: i.id, openedAt: i.openedAt })));
          cursor = page.cursor ?? undefined;
        } while (cursor);
        expect(seen.map((s) => s.id).sort()).toEqual([...ids].sort());
        expect(seen.map((s) => s.openedAt)).toEqual(seen.map((s) => s.openedAt).sort().reverse());
      }
      expect((await store.listIncidents({ limit: 10, status: 'resolved' })).items).toHaveLength(3);
    });

    it('rejects a forged cursor with a bad request', async () => {
      await expect(store.listIncidents({ limit: 3, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'bad_request' });
    });

    it('remembers processed deliveries', async () => {
      expect(await store.isMessageDone('m1')).toBe(false);
      await store.markMessagesDone(['m1', 'm2'], NOW);
      expect(await store.isMessageDone('m1')).toBe(true);
      expect(await store.isMessageDone('m3')).toBe(false);
    });

    it('appends timeline events in time order', async () => {
      const inc = (await open('fp-t', 't1')).creates[0]!;
      await store.appendTimeline([{ incidentId: inc.id, at: '2024-06-10T15:00:00.000Z', type: 'note', actor: 'api', message: 'looking' }]);
      expect((await store.timeline(inc.id)).map((t) => t.type)).toEqual(['opened', 'note']);
    });

    it('keeps the order of events written at the same instant (opened and resolved in one batch)', async () => {
      // Several fingerprints, so the order cannot come out right by the luck of one hash.
      for (let i = 0; i < 8; i++) {
        const fp = `fp-same-instant-${i}`;
        const plan = planIncidentChanges(null, [
          evaluated(alert({ key: `s${i}-alarm`, fp, at: '2024-06-10T14:03:00.000Z' })),
          evaluated(alert({ key: `s${i}-ok`, fp, action: 'resolve', at: '2024-06-10T14:04:00.000Z' })),
        ], NOW, NOW_MS);
        expect(await store.applyPlan(plan)).toEqual({ kind: 'applied' });
        const inc = plan.creates[0]!;
        const later = '2024-06-10T14:06:00.000Z';
        await store.appendTimeline(['first', 'second', 'third'].map((n) => ({ incidentId: inc.id, at: later, type: 'note' as const, actor: 'api', message: `${n} ${i}` })));
        expect((await store.timeline(inc.id)).map((t) => t.message.split(/[:(]/)[0])).toEqual(
          ['Opened by cloudwatch alert', 'Resolved by cloudwatch', `first ${i}`, `second ${i}`, `third ${i}`]);
      }
    });
    it('records a paged step apart from the incident\'s version: a rewrite from an older read keeps it, and neither conflicts', async () => {
      const inc = (await open('fp-paged', 'p1')).creates[0]!;
      expect(inc).toMatchObject({ escalation: 'pending', escalationStep: -1 });
      const read = (await store.getIncident(inc.id))!;
      await store.recordPagedStep(inc.id, 0);
      // The processor counts an alert on the head it read before the page was recorded.
      expect(await store.replaceIncident(read, { ...read, alertCount: read.alertCount + 1, version: read.version + 1 })).toEqual({ kind: 'applied' });
      const after = (await store.getIncident(inc.id))!;
      expect(after).toMatchObject({ escalationStep: 0, escalation: 'started', alertCount: read.alertCount + 1, version: read.version + 1 });
      expect(await store.recentForFingerprint(inc.fingerprint, 2)).toEqual([after]);
      await store.recordPagedStep(inc.id, 0); // the same step again: nothing changes
      await store.recordPagedStep('inc-00000000000000000000-1', 0); // no such incident: nothing is written
      expect(await store.getIncident(inc.id)).toEqual(after);
      expect(await store.getIncident('inc-00000000000000000000-1')).toBeNull();
    });

    it('a pending escalation of a later run stays pending until a step after the last paged one is recorded', async () => {
      const inc = (await open('fp-rerun', 'r1')).creates[0]!;
      await store.recordPagedStep(inc.id, 0);
      // Escalate-now: a new run, pending until the escalator confirms it, continues after step 0.
      const read = (await store.getIncident(inc.id))!;
      const rerun = { ...read, escalation: 'pending' as const, escalationRun: 1, version: read.version + 1 };
      expect(await store.replaceIncident(read, rerun)).toEqual({ kind: 'applied' });
      expect(await store.getIncident(inc.id)).toMatchObject({ escalation: 'pending', escalationStep: 0 });
      await store.recordPagedStep(inc.id, 1);
      expect(await store.getIncident(inc.id)).toMatchObject({ escalation: 'started', escalationStep: 1 });
    });

    it('reads the latest incidents of many fingerprints at once, as recentForFingerprint reads each', async () => {
      const first = (await open('fp-many-0', 'm0')).creates[0]!;
      for (let i = 1; i < 130; i++) await open(`fp-many-${i % 3 === 0 ? 'x' : i}`, `m${i}`);
      const fps = [...Array.from({ length: 130 }, (_, i) => evaluated(alert({ key: `q${i}`, fp: `fp-many-${i % 3 === 0 ? 'x' : i}` })).evaluation.fingerprint),
        evaluated(alert({ key: 'none', fp: 'fp-never-seen' })).evaluation.fingerprint, first.fingerprint];
      const many = await store.latestForFingerprints(fps, 2);
      for (const fp of fps) expect(many.get(fp)).toEqual(await store.recentForFingerprint(fp, 2));
      expect(many.get(evaluated(alert({ key: 'x', fp: 'fp-never-seen' })).evaluation.fingerprint)).toEqual([]);
    });
  });
}
