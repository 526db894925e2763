/**
 * `GET /api/incidents/{id}/alerts/{alertId}/raw`: the archived delivery of an alert of the incident, read through the
 * key of the incident's own alert log; 404 naming what is missing; capped at 256 KB; a viewer may read it.
 */
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { InMemoryOperationsStore } from '../../lambdas/adapters/in-memory/operations-store';
import { InMemoryDocuments, InMemoryPostmortemStore } from '../../lambdas/adapters/in-memory/postmortem-store';
import { InMemoryRawArchive } from '../../lambdas/adapters/in-memory/raw-archive';
import { InMemoryRollupStore } from '../../lambdas/adapters/in-memory/rollup-store';
import { StaticTokens } from '../../lambdas/adapters/secrets/token-source';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { AlertRecord } from '../../lambdas/core/model/incident';
import { alertIdOf, capUtf8, RAW_PAYLOAD_MAX_BYTES } from '../../lambdas/core/raw-payload';
import { createWholeApiHandler as createApiHandler } from '../../lambdas/handlers/api-groups';
import { roleOf } from '../../lambdas/handlers/routes';
import type { AuthorizerContext, HttpEvent } from '../../lambdas/handlers/shared/http';
import { FP_A, FP_B, incident } from '../support/insights-history';

const ROUTE = 'GET /api/incidents/{id}/alerts/{alertId}/raw';
const config = parsePipelineConfig({
  version: 1,
  people: [{ name: 'vera', role: 'viewer' }],
  teams: [{ name: 'web-team', members: ['vera'] }],
  services: [{ name: 'web', team: 'web-team' }],
  routing: { default: { service: 'web' } },
  access: { provider: 'cognito', cognito: { domainPrefix: 'acme-alerts' } },
});
const viewer: AuthorizerContext = { jwt: { claims: { sub: 's-v', 'cognito:username': 'vera' }, scopes: null } };
const stranger: AuthorizerContext = { jwt: { claims: { sub: 's-x', 'cognito:username': 'nobody' }, scopes: null } };

const BATCH = '{"alerts": [ {"id":"a1","title":"one"},\n  {"id":"a2","title":"two \\u00e9"} ]}\n';
const KEY_1 = 'raw/threatstack/2026/03/01/10/2026-03-01T10-00-00-000Z_req-1.json';

function record(incidentId: string, deliveryKey: string, archiveKey: string, deliveryIndex?: number): AlertRecord {
  return {
    incidentId, deliveryKey, messageKey: 'm', source: 'threatstack', action: 'trigger', title: deliveryKey, occurredAt: '2026-03-01T10:00:00.000Z',
    receivedAt: '2026-03-01T10:00:00.000Z', alertUrl: null, archiveKey, ...(deliveryIndex === undefined ? {} : { deliveryIndex }), trace: { steps: [] },
  };
}

async function setup() {
  const store = new InMemoryIncidentStore();
  for (const [id, fingerprint] of [['inc-1', FP_A], ['inc-2', FP_B]] as const) {
    store.incidents.set(id, incident({ id, fingerprint, openedAt: '2026-03-01T10:00:00.000Z', firstSignalAt: '2026-03-01T10:00:00.000Z' }));
    store.timelines.set(id, []);
  }
  store.alertLogs.set('inc-1', [record('inc-1', 'ts:a2', KEY_1, 1), record('inc-1', 'ts:gone', 'raw/threatstack/2026/03/01/10/gone.json')]);
  store.alertLogs.set('inc-2', [record('inc-2', 'ts:b1', KEY_1), record('inc-2', 'ts:evil', '../local-secrets.json')]);
  const archive = new InMemoryRawArchive();
  await archive.put(KEY_1, BATCH, { source: 'threatstack', via: 'threatstack-webhook', receivedAt: '2026-03-01T10:00:00.000Z', requestId: 'req-1' });
  const handler = createApiHandler({
    config, store, ops: new InMemoryOperationsStore(), escalator: { start: async () => undefined, stop: async () => undefined },
    clock: { now: () => new Date('2026-03-01T10:05:00.000Z') }, linkKeys: new StaticTokens(['k']), publicBaseUrl: 'https://api.example.com',
    newId: () => 'id-1', postmortems: new InMemoryPostmortemStore(), documents: new InMemoryDocuments(), rollups: new InMemoryRollupStore(), rawArchive: archive,
  });
  const call = async (id: string, alertId: string, authorizer: AuthorizerContext = viewer, routeKey = ROUTE) => {
    const res = await handler({
      version: '2.0', routeKey, rawPath: '/', rawQueryString: '', headers: {}, isBase64Encoded: false, pathParameters: { id, alertId },
      requestContext: { requestId: 'r', http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 't' }, authorizer },
    } as unknown as HttpEvent, {} as never);
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  return { call, archive };
}

describe(ROUTE, () => {
  it('is a viewer route', () => {
    expect(roleOf(ROUTE)).toBe('viewer');
  });

  it('answers the archived body as text, with where it came from and the alert index', async () => {
    const { call } = await setup();
    const res = await call('inc-1', alertIdOf('ts:a2'));
    expect(res).toEqual({
      status: 200,
      body: {
        incidentId: 'inc-1', alertId: alertIdOf('ts:a2'), deliveryKey: 'ts:a2', archiveKey: KEY_1, receivedAt: '2026-03-01T10:00:00.000Z', source: 'threatstack',
        via: 'threatstack-webhook', contentType: 'application/json', alertIndex: 1, body: BATCH, bytes: Buffer.byteLength(BATCH), truncated: false,
      },
    });
  });

  it('says null for the alert index of an entry logged without it', async () => {
    const { call } = await setup();
    expect((await call('inc-2', alertIdOf('ts:b1'))).body.alertIndex).toBeNull();
  });

  it('answers GET /api/incidents/{id} with each alert\'s alertId', async () => {
    const { call } = await setup();
    const res = await call('inc-1', 'x', viewer, 'GET /api/incidents/{id}');
    expect(res.body.alerts.map((a: { alertId: string }) => a.alertId)).toEqual([alertIdOf('ts:a2'), alertIdOf('ts:gone')]);
  });

  it('404s naming the incident, or the alert when it is unknown or belongs to another incident', async () => {
    const { call } = await setup();
    expect(await call('inc-9', alertIdOf('ts:a2'))).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'no incident inc-9' } } });
    expect(await call('inc-2', alertIdOf('ts:a2'))).toMatchObject({ status: 404, body: { error: { message: `incident inc-2 has no alert ${alertIdOf('ts:a2')}` } } });
  });

  it('404s naming why when the archive object is gone', async () => {
    const { call } = await setup();
    const res = await call('inc-1', alertIdOf('ts:gone'));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/^the raw archive no longer holds raw\/threatstack\/2026\/03\/01\/10\/gone\.json \(received 2026-03-01T10:00:00\.000Z\): the archive as deployed expires no raw body, so it was deleted/);
  });

  it('never reads a key outside raw/, even one stored in an alert log', async () => {
    const { call, archive } = await setup();
    const get = jest.spyOn(archive, 'get');
    const res = await call('inc-2', alertIdOf('ts:evil'));
    expect(res.status).toBe(404);
    expect(get).not.toHaveBeenCalled();
  });

  it('400s naming alertId when it is not an alert id', async () => {
    const { call } = await setup();
    const res = await call('inc-1', '../../etc');
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([{ path: 'alertId', message: expect.stringContaining('16 hex characters') }]);
  });

  it('403s a caller without a role', async () => {
    const { call } = await setup();
    expect((await call('inc-1', alertIdOf('ts:a2'), stranger)).status).toBe(403);
  });

  it('caps a large body at 256 KB and says truncated, without cutting a character', async () => {
    const { call, archive } = await setup();
    const big = `{"x":"${'é'.repeat(RAW_PAYLOAD_MAX_BYTES)}"}`;
    await archive.put(KEY_1, big, { source: 'threatstack' });
    const res = await call('inc-1', alertIdOf('ts:a2'));
    expect(res.body).toMatchObject({ truncated: true, bytes: Buffer.byteLength(big) });
    expect(Buffer.byteLength(res.body.body)).toBeLessThanOrEqual(RAW_PAYLOAD_MAX_BYTES);
    expect(Buffer.byteLength(res.body.body)).toBeGreaterThan(RAW_PAYLOAD_MAX_BYTES - 4);
    expect(big.startsWith(res.body.body)).toBe(true);
    expect(res.body.body).not.toContain('\uFFFD');
  });
});

describe('capUtf8', () => {
  it('keeps short text whole and cuts at a character boundary', () => {
    expect(capUtf8('abc', 3)).toEqual({ text: 'abc', bytes: 3, truncated: false });
    expect(capUtf8('aé', 2)).toEqual({ text: 'a', bytes: 3, truncated: true });
    expect(capUtf8('a😀b', 4)).toEqual({ text: 'a', bytes: 6, truncated: true });
    expect(capUtf8('a😀b', 5)).toEqual({ text: 'a😀', bytes: 6, truncated: true });
  });
});
