/**
 * Postmortems over HTTP against the local runtime: a sample incident with a suppressed and a deduplicated
 * neighbour, drafted automatically on first read; edits with versions, 409s, the 400 naming an unknown section,
 * publishing (Markdown stored under the data directory) and GET ?format=md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  teams: [{ name: 'platform' }],
  services: [{ name: 'platform', team: 'platform' }],
  routing: { default: { service: 'platform' } },
  rules: {
    suppression: [{ name: 'noisy-canary', when: 'alert.labels.?alarm_name.orValue("") == "canary-cpu-high"', reason: 'canary CPU flaps during deploys' }],
  },
  postmortems: {
    autoDraftSeverities: ['sev2'],
    checklists: [{ name: 'close-out', items: ['Status page updated', 'Customers told'] }],
    templates: [{ name: 'short', sections: [{ id: 'summary', title: 'Summary' }, { id: 'timeline', title: 'Timeline' }], checklists: ['close-out'] }],
  },
});

const message = (name: string, state: 'ALARM' | 'OK', at: Date) => {
  const envelope = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'cloudwatch', 'sns-https-metric-alarm.json'), 'utf8'));
  const msg = JSON.parse(envelope.Message);
  return { ...msg, AlarmName: name, AlarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${name}`, NewStateValue: state, StateChangeTime: at.toISOString().replace('Z', '+0000') };
};

describe('postmortems over HTTP (local runtime)', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await startTestRuntime({ config });
  });
  afterEach(async () => rt.cleanup());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rt.url}${path}`, { method, headers: { authorization: `Bearer ${rt.apiToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
  };

  async function sampleIncident(): Promise<{ id: string; signalAt: string }> {
    const t = Date.now() - 10 * 60_000;
    const send = async (name: string, state: 'ALARM' | 'OK', minutes: number) => {
      expect((await rt.post(`/local/alarm-topic/${rt.ingestToken}`, message(name, state, new Date(t + minutes * 60_000)))).status).toBe(200);
      await rt.drain();
    };
    await send('checkout-5xx-rate', 'ALARM', 0);
    await send('canary-cpu-high', 'ALARM', 1); // suppressed by rule noisy-canary
    await send('checkout-5xx-rate', 'ALARM', 2); // a second ALARM state change: joins (deduplicated)
    await send('checkout-5xx-rate', 'OK', 5); // resolves
    const incidents = (await rt.get('/api/incidents')).body.incidents as Array<Record<string, any>>;
    const main = incidents.find((i) => i.title.includes('checkout-5xx-rate'))!;
    expect(main).toMatchObject({ status: 'resolved', severity: 'sev2', alertCount: 2 });
    return { id: main.id, signalAt: new Date(t).toISOString() };
  }

  it('drafts on first read with the suppressed and deduplicated neighbours and their rules; publishing stores the Markdown', async () => {
    const { id, signalAt } = await sampleIncident();
    const first = await call('GET', `/api/incidents/${id}/postmortem`);
    expect(first.status).toBe(200);
    const pm = first.body.postmortem;
    expect([pm.status, pm.version, pm.template, pm.createdBy]).toEqual(['draft', 1, 'default', 'pipeline']);
    expect(pm.facts.nonEvents.map((n: any) => [n.kind, n.rule])).toEqual([
      ['suppressed', 'noisy-canary'],
      ['deduplicated', 'identity:AlarmArn'],
    ]);
    expect(pm.facts.nonEvents[0].reason).toContain('canary CPU flaps during deploys');
    // The first raw signal is the source's time of the first ALARM; the resolve is when the pipeline applied the OK.
    expect(pm.facts.detection.firstSignalAt).toBe(signalAt);
    expect(pm.facts.detection.signalToResolveSeconds).toBeGreaterThanOrEqual(300);
    expect(pm.facts.timeline.map((l: any) => l.kind)).toEqual(expect.arrayContaining(['alert', 'opened', 'resolved']));

    // Edits: versioned, with their author; a stale version and an unknown section are refused.
    const v2 = await call('PATCH', `/api/incidents/${id}/postmortem`, { version: 1, by: 'alice', sections: { summary: 'Checkout 5xx for 5 minutes.' }, actionItems: [{ text: 'Tune the canary alarm', owner: 'bob', due: '2026-12-31' }] });
    expect([v2.status, v2.body.postmortem.version, v2.body.postmortem.history[1].by]).toEqual([200, 2, 'api-token:alice']);
    const stale = await call('PATCH', `/api/incidents/${id}/postmortem`, { version: 1, sections: { impact: 'x' } });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'conflict']);
    const unknown = await call('PATCH', `/api/incidents/${id}/postmortem`, { version: 2, sections: { rootcause: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('sections.rootcause');
    expect((await call('POST', `/api/incidents/${id}/postmortem`)).status).toBe(409); // one per incident

    // draft -> in_review -> published; twice is a conflict, and so is an edit without reopening.
    expect((await call('PATCH', `/api/incidents/${id}/postmortem`, { version: 2, status: 'in_review' })).body.postmortem.status).toBe('in_review');
    const published = await call('POST', `/api/incidents/${id}/postmortem/publish`, { version: 3, by: 'alice' });
    expect(published.status).toBe(200);
    expect(published.body.postmortem.published).toMatchObject({ version: 4, markdownKey: `postmortems/${id}/v4.md`, htmlKey: `postmortems/${id}/v4.html` });
    expect((await call('POST', `/api/incidents/${id}/postmortem/publish`, { version: 4 })).status).toBe(409);
    expect((await call('PATCH', `/api/incidents/${id}/postmortem`, { version: 4, sections: { summary: 'y' } })).status).toBe(409);

    const stored = join(rt.dataDir, 'documents', 'postmortems', id, 'v4.md');
    expect(existsSync(stored)).toBe(true);
    expect(existsSync(join(rt.dataDir, 'documents', 'postmortems', id, 'v4.html'))).toBe(true);
    const md = await call('GET', `/api/incidents/${id}/postmortem?format=md`);
    expect(md.status).toBe(200);
    expect(md.type).toContain('text/markdown');
    expect(md.body).toBe(readFileSync(stored, 'utf8'));
    expect(md.body).toContain('| suppressed | ');
    expect(md.body).toContain('| noisy-canary | suppression rule "noisy-canary" matched');
    expect(md.body).toContain('- [ ] Tune the canary alarm (owner: bob, due: 2026-12-31)');

    const reopened = await call('POST', `/api/incidents/${id}/postmortem/reopen`, { version: 4 });
    expect([reopened.status, reopened.body.postmortem.status, reopened.body.postmortem.version]).toEqual([200, 'draft', 5]);
  });

  it('creates a draft on request with a named template and its checklists; 404 before, 400 for an unknown template', async () => {
    await rt.post(`/local/alarm-topic/${rt.ingestToken}`, message('checkout-latency', 'ALARM', new Date()));
    await rt.drain();
    const [inc] = (await rt.get('/api/incidents')).body.incidents;
    expect((await call('GET', `/api/incidents/${inc.id}/postmortem`)).status).toBe(404); // open: not drafted on read
    const bad = await call('POST', `/api/incidents/${inc.id}/postmortem`, { template: 'nope' });
    expect([bad.status, bad.body.error.message]).toEqual([400, 'template: unknown template "nope"']);
    const created = await call('POST', `/api/incidents/${inc.id}/postmortem`, { template: 'short', by: 'carol' });
    expect(created.status).toBe(201);
    expect(created.body.postmortem.sections.map((s: any) => s.id)).toEqual(['summary', 'timeline']);
    expect(created.body.postmortem.checklists[0].items.map((i: any) => i.text)).toEqual(['Status page updated', 'Customers told']);
    const ticked = await call('PATCH', `/api/incidents/${inc.id}/postmortem`, { version: 1, checklists: { 'close-out': { '1': true } } });
    expect(ticked.body.postmortem.checklists[0].items[0].done).toBe(true);
    expect((await call('GET', '/api/incidents/inc-nope/postmortem')).status).toBe(404);
  });
});
