/**
 * The API handler as API Gateway invokes it behind the JWT authorizer (AWS with an `access` section): the verified
 * token's claims in `requestContext.authorizer.jwt`, mapped to a role by the core; the route's role (routes.ts)
 * checked before it runs; the actor recorded from the token. The Lambda authorizer's context (API token) too.
 */
import { InMemoryRollupStore } from '../../lambdas/adapters/in-memory/rollup-store';
import { InMemoryRawArchive } from '../../lambdas/adapters/in-memory/raw-archive';
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { InMemoryOperationsStore } from '../../lambdas/adapters/in-memory/operations-store';
import { InMemoryDocuments, InMemoryPostmortemStore } from '../../lambdas/adapters/in-memory/postmortem-store';
import { StaticTokens } from '../../lambdas/adapters/secrets/token-source';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { Escalator } from '../../lambdas/core/ports';
import { createWholeApiHandler as createApiHandler } from '../../lambdas/handlers/api-groups';
import type { AuthorizerContext, HttpEvent } from '../../lambdas/handlers/shared/http';
import { FP_A, incident } from '../support/insights-history';

const config = parsePipelineConfig({
  version: 1,
  people: [{ name: 'vera', role: 'viewer' }, { name: 'rita', identity: { email: 'rita@example.com' } }],
  teams: [{ name: 'web-team', members: ['rita'] }],
  services: [{ name: 'web', team: 'web-team' }],
  routing: { default: { service: 'web' } },
  access: { provider: 'cognito', cognito: { domainPrefix: 'acme-alerts' } },
});

function setup() {
  const store = new InMemoryIncidentStore();
  const inc = incident({ id: 'inc-1', fingerprint: FP_A, openedAt: '2026-03-01T10:00:00.000Z', firstSignalAt: '2026-03-01T10:00:00.000Z' });
  store.incidents.set(inc.id, inc);
  store.timelines.set(inc.id, []);
  const escalator: Escalator = { start: async () => undefined, stop: async () => undefined };
  const handler = createApiHandler({
    config, store, ops: new InMemoryOperationsStore(), escalator, clock: { now: () => new Date('2026-03-01T10:05:00.000Z') },
    linkKeys: new StaticTokens(['k']), publicBaseUrl: 'https://api.example.com', newId: () => 'id-1',
    postmortems: new InMemoryPostmortemStore(), documents: new InMemoryDocuments(), rollups: new InMemoryRollupStore(), rawArchive: new InMemoryRawArchive(),
  });
  const call = async (routeKey: string, authorizer: AuthorizerContext | undefined, body?: unknown, pathParameters: Record<string, string> = { id: 'inc-1' }) => {
    const res = await handler({
      version: '2.0', routeKey, rawPath: '/', rawQueryString: '', headers: {}, isBase64Encoded: false, pathParameters,
      body: body === undefined ? undefined : JSON.stringify(body),
      requestContext: { requestId: 'r', http: { method: routeKey.split(' ')[0], path: '/', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 't' }, ...(authorizer ? { authorizer } : {}) },
    } as unknown as HttpEvent, {} as never);
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  return { call, store };
}

const jwt = (claims: Record<string, unknown>): AuthorizerContext => ({ jwt: { claims, scopes: null } });

describe('the API behind the JWT authorizer', () => {
  it('a viewer acknowledging gets 403 naming responder; nothing is written', async () => {
    const { call, store } = setup();
    const res = await call('POST /api/incidents/{id}/acknowledge', jwt({ sub: 's-v', 'cognito:username': 'vera', 'cognito:groups': '[admin]' }));
    expect(res).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'requires role responder', details: { requiredRole: 'responder', role: 'viewer', actor: 'vera' } } } });
    expect(store.incidents.get('inc-1')!.status).toBe('triggered');
  });

  it('a responder creating a maintenance window gets 403 naming admin', async () => {
    const { call } = setup();
    const res = await call('POST /api/maintenance', jwt({ sub: 's-r', email: 'rita@example.com', 'cognito:groups': '[responder]' }), { name: 'w', services: ['web'], end: '2026-03-01T12:00:00Z' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('requires role admin');
  });

  it('an admin creating a maintenance window: the `when` condition is checked (CEL, loaded on this first use)', async () => {
    const { call } = setup();
    const admin = jwt({ sub: 's-r', email: 'rita@example.com', 'cognito:groups': '[admin]' });
    const bad = await call('POST /api/maintenance', admin, { name: 'w', when: 'alert.labels.', end: '2026-03-01T12:00:00Z' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/when/);
    const ok = await call('POST /api/maintenance', admin, { name: 'w', when: 'alert.severity == "sev3"', end: '2026-03-01T12:00:00Z' });
    expect(ok.status).toBe(201);
  });

  it('records the acting person from the token (email -> rita), not a `by`', async () => {
    const { call, store } = setup();
    const res = await call('POST /api/incidents/{id}/acknowledge', jwt({ sub: 's-r', username: 'u-123', email: 'RITA@example.com', 'cognito:groups': '[responder]' }), { note: 'on it' });
    expect(res.status).toBe(200);
    expect(res.body.incident.acknowledgedBy).toBe('rita');
    expect(store.timelines.get('inc-1')!.map((t) => [t.type, t.actor])).toEqual([['acknowledged', 'rita']]);
  });

  it('a machine client (client credentials) acts by its scopes and may name who it acts for', async () => {
    const { call, store } = setup();
    const claims = { sub: 'c-9', client_id: 'c-9', scope: 'alert-pipeline/read alert-pipeline/respond', token_use: 'access' };
    expect((await call('GET /api/me', jwt(claims))).body).toEqual({ actor: 'client:c-9', role: 'responder', via: 'machine' });
    const res = await call('POST /api/incidents/{id}/resolve', jwt(claims), { by: 'rita' });
    expect(res.body.incident.resolvedBy).toBe('client:c-9:rita');
    expect(store.timelines.get('inc-1')!.at(-1)!.actor).toBe('client:c-9:rita');
  });

  it('a signed-in user nobody gave a role gets 403 naming viewer, even for GET /api/me', async () => {
    const { call } = setup();
    const res = await call('GET /api/me', jwt({ sub: 's-x', email: 'mallory@example.com' }));
    expect([res.status, res.body.error.message]).toEqual([403, 'requires role viewer']);
  });

  it('the API token behind the Lambda authorizer is the admin; no authorizer context is a 401', async () => {
    const { call } = setup();
    expect((await call('GET /api/me', { lambda: { principal: 'api-token', actor: 'api-token', role: 'admin', via: 'api-token' } })).body).toEqual({ actor: 'api-token', role: 'admin', via: 'api-token' });
    expect((await call('GET /api/me', undefined)).status).toBe(401);
  });
});
