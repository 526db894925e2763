import { InMemoryIncidentStore } from '../../../lambdas/adapters/in-memory/incident-store';
import { InMemoryDocuments, InMemoryPostmortemStore } from '../../../lambdas/adapters/in-memory/postmortem-store';
import { planIncidentChanges } from '../../../lambdas/core/deduplicate';
import { ConflictError, NotFoundError } from '../../../lambdas/core/errors';
import { createPostmortem, getPostmortem, patchPostmortem, publishPostmortem, type PostmortemDeps } from '../../../lambdas/core/postmortem/service';
import { alert, evaluated, testConfig } from '../../support/builders';

const AT = '2024-06-10T14:05:00.000Z';

async function setup(autoDraftSeverities: Array<'sev1' | 'sev2' | 'sev3'> = ['sev2']) {
  const store = new InMemoryIncidentStore();
  const main = planIncidentChanges(null, [evaluated(alert({ key: 'a1', fp: 'fp-main' }))], AT, Date.parse(AT));
  await store.applyPlan(main);
  const canary = planIncidentChanges(null, [evaluated(alert({ key: 'c1', fp: 'fp-canary', title: 'ALARM: canary' }), undefined, { reason: 'canary noise', rule: 'canary' })], AT, Date.parse(AT));
  await store.applyPlan(canary);
  const opened = main.creates[0]!;
  const resolved = { ...opened, status: 'resolved' as const, resolvedAt: '2024-06-10T14:30:00.000Z', resolvedBy: 'alice', version: opened.version + 1 };
  expect(await store.replaceIncident(opened, resolved)).toEqual({ kind: 'applied' });
  const deps: PostmortemDeps = {
    config: { ...testConfig, postmortems: { ...testConfig.postmortems, autoDraftSeverities } },
    store, postmortems: new InMemoryPostmortemStore(), documents: new InMemoryDocuments(), clock: { now: () => new Date('2024-06-10T15:00:00.000Z') },
  };
  return { deps, id: opened.id, canaryId: canary.creates[0]!.id };
}

describe('postmortem operations over the in-memory stores', () => {
  it('drafts a resolved incident of an auto-drafted severity on first read, once even when two reads race', async () => {
    const { deps, id, canaryId } = await setup();
    const [a, b] = await Promise.all([getPostmortem(deps, id), getPostmortem(deps, id)]);
    expect(a).toEqual(b);
    expect(a.facts.nonEvents.map((n) => [n.kind, n.incidentId, n.reason])).toEqual([['suppressed', canaryId, 'canary noise']]);
    expect((await getPostmortem(deps, id)).version).toBe(1);
  });

  it('does not draft on read for other severities; POST drafts them', async () => {
    const { deps, id } = await setup(['sev1']);
    await expect(getPostmortem(deps, id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await createPostmortem(deps, id, 'bob')).createdBy).toBe('bob');
    await expect(createPostmortem(deps, id, 'bob')).rejects.toBeInstanceOf(ConflictError);
    await expect(createPostmortem(deps, 'inc-none', 'bob')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refreshes the drafted facts when publishing and stores both documents', async () => {
    const { deps, id } = await setup();
    await getPostmortem(deps, id);
    await deps.store.appendTimeline([{ incidentId: id, at: '2024-06-10T14:50:00.000Z', type: 'note', actor: 'alice', message: 'Found the bad deploy' }]);
    await patchPostmortem(deps, id, { version: 1, status: 'in_review' }, 'alice');
    const published = await publishPostmortem(deps, id, 2, 'alice');
    expect(published.facts.timeline.some((l) => l.text === 'Found the bad deploy')).toBe(true);
    const docs = deps.documents as InMemoryDocuments;
    expect([...docs.docs.keys()]).toEqual([`postmortems/${id}/v3.md`, `postmortems/${id}/v3.html`]);
    expect(docs.docs.get(`postmortems/${id}/v3.md`)!.body).toContain('Found the bad deploy');
    expect((await deps.postmortems.get(id))!.status).toBe('published');
  });
});
