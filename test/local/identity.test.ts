/**
 * People with identities and roles, end to end over HTTP on the local runtime: one bearer token per configured
 * person (DATA_DIR/local-secrets.json `users`), the API token as admin, the role each route declares (routes.ts)
 * checked before the route runs (403 naming the role), the actor recorded from the token, and one-click links that
 * carry their signed recipient.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  people: [
    { name: 'vera', role: 'viewer', contacts: [{ type: 'email', address: 'vera@example.com' }] },
    { name: 'rita', role: 'responder', contacts: [{ type: 'email', address: 'rita@example.com' }] },
    { name: 'adam', role: 'admin' },
    { name: 'nora' },
  ],
  teams: [{ name: 'platform', members: ['rita'] }],
  services: [{ name: 'platform', team: 'platform' }],
  escalationPolicies: [{ name: 'single', levels: [{ targets: [{ person: 'rita' }], escalateAfterMinutes: 5 }] }],
  routing: { default: { service: 'platform', escalationPolicy: 'single' } },
});

const alert = () => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'threatstack', 'bare-alert.json'), 'utf8'));

describe('identity and roles (local runtime)', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ config, timeScale: 6000, sweepIntervalMs: 0 });
  });
  afterAll(async () => rt.cleanup());

  const as = (person: string | null) => (person === null ? rt.apiToken : rt.userTokens[person]!);
  const call = async (method: string, path: string, who: string | null, body?: unknown) => {
    const res = await fetch(`${rt.url}${path}`, {
      method, headers: { authorization: `Bearer ${as(who)}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  // A fresh incident: whatever is open is resolved first (a resolved incident is never reopened).
  const openIncident = async () => {
    for (const status of ['triggered', 'acknowledged']) {
      for (const inc of (await call('GET', `/api/incidents?status=${status}`, null)).body.incidents as Array<{ id: string }>) {
        await call('POST', `/api/incidents/${inc.id}/resolve`, null, {});
      }
    }
    const body = { ...alert(), id: `a-${Math.random().toString(36).slice(2)}` };
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, body)).status).toBe(200);
    await rt.drain();
    const list = (await call('GET', '/api/incidents?status=triggered', 'vera')).body.incidents as Array<{ id: string }>;
    return list[0]!.id;
  };

  it('generates one token per configured person, kept in the data directory', () => {
    const stored = JSON.parse(readFileSync(join(rt.dataDir, 'local-secrets.json'), 'utf8'));
    expect(Object.keys(stored.users).sort()).toEqual(['adam', 'nora', 'rita', 'vera']);
    expect(stored.users).toEqual(rt.userTokens);
    expect(new Set(Object.values(rt.userTokens)).size).toBe(4);
  });

  it.each([
    ['vera', { actor: 'vera', role: 'viewer', via: 'local-user' }],
    ['rita', { actor: 'rita', role: 'responder', via: 'local-user' }],
    ['adam', { actor: 'adam', role: 'admin', via: 'local-user' }],
    ['nora', { actor: 'nora', role: 'viewer', via: 'local-user' }], // a person without a role reads
    [null, { actor: 'api-token', role: 'admin', via: 'api-token' }],
  ])('GET /api/me as %s', async (who, expected) => {
    expect(await call('GET', '/api/me', who)).toEqual({ status: 200, body: expected });
  });

  it('refuses an unknown token with 401', async () => {
    const res = await fetch(`${rt.url}/api/me`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(res.status).toBe(401);
  });

  it('a viewer cannot acknowledge: 403 naming responder, and nothing changes', async () => {
    const id = await openIncident();
    const res = await call('POST', `/api/incidents/${id}/acknowledge`, 'vera', {});
    expect(res).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'requires role responder', details: { requiredRole: 'responder', role: 'viewer', actor: 'vera' } } } });
    expect((await call('GET', `/api/incidents/${id}`, 'vera')).body.incident.status).toBe('triggered');
  });

  it('a responder cannot create a maintenance window: 403 naming admin; an admin can', async () => {
    const window = { name: 'upgrade', services: ['platform'], end: new Date(Date.now() + 3600_000).toISOString() };
    const refused = await call('POST', '/api/maintenance', 'rita', window);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('requires role admin');
    const created = await call('POST', '/api/maintenance', 'adam', window);
    expect(created.body).toMatchObject({ maintenance: { createdBy: 'adam' } });
    expect((await call('DELETE', `/api/maintenance/${created.body.maintenance.id}`, 'adam')).status).toBe(200);
  });

  it('the timeline records the acting person from the token', async () => {
    const id = await openIncident();
    expect((await call('POST', `/api/incidents/${id}/notes`, 'rita', { text: 'looking' })).status).toBe(201);
    const acked = await call('POST', `/api/incidents/${id}/acknowledge`, 'rita', {});
    expect(acked.status).toBe(200);
    expect(acked.body.incident.acknowledgedBy).toBe('rita');
    const timeline = (await call('GET', `/api/incidents/${id}`, 'vera')).body.timeline as Array<{ type: string; actor: string }>;
    expect(timeline.filter((t) => t.type === 'note' || t.type === 'acknowledged').map((t) => [t.type, t.actor])).toEqual([['note', 'rita'], ['acknowledged', 'rita']]);
  });

  it('a person cannot write as someone else (`by`): 400 naming by; the API token may act for someone', async () => {
    const id = await openIncident();
    const res = await call('POST', `/api/incidents/${id}/notes`, 'rita', { text: 'x', by: 'adam' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('by');
    expect((await call('POST', `/api/incidents/${id}/notes`, 'rita', { text: 'me', by: 'rita' })).status).toBe(201);
    const byToken = await call('POST', `/api/incidents/${id}/resolve`, null, { by: 'adam' });
    expect(byToken.body.incident.resolvedBy).toBe('api-token:adam');
  });

  it('the local-only routes check roles too: a viewer reads the outbox, only an admin redrives dead letters', async () => {
    expect((await call('GET', '/local/outbox', 'vera')).status).toBe(200);
    const refused = await call('POST', '/local/dead-letters/redrive', 'rita');
    expect([refused.status, refused.body.error.message]).toEqual([403, 'requires role admin']);
    expect((await call('POST', '/local/dead-letters/redrive', 'adam')).body).toEqual({ moved: 0 });
  });

  it('an action link records its signed recipient ("rita via link")', async () => {
    const id = await openIncident();
    const deadline = Date.now() + 20_000;
    let email: { text: string } | undefined;
    while (!email && Date.now() < deadline) {
      email = rt.outbox.list(10, id).find((n) => n.person === 'rita');
      if (!email) await new Promise((r) => setTimeout(r, 50));
    }
    const ackUrl = email!.text.match(/http:\/\/localhost:\d+\/act\/[A-Za-z0-9._-]+/)![0];
    expect((await fetch(ackUrl, { method: 'POST' })).status).toBe(200);
    const detail = (await call('GET', `/api/incidents/${id}`, 'vera')).body;
    expect(detail.incident.acknowledgedBy).toBe('rita via link');
    expect(detail.timeline.find((t: { type: string }) => t.type === 'acknowledged').actor).toBe('rita via link');
  });
});
