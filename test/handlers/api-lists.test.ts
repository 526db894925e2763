/**
 * The API's lists on the embedded DynamoDB, through the handler as API Gateway invokes it: `GET /api/incidents` with
 * the team and source filters applied on the server (more than one index page, a few matches: full pages, an honest
 * `nextCursor`), `GET /api/postmortems` with its filters; a bad filter value is a 400 naming the field.
 */
import { DynamoIncidentStore } from '../../lambdas/adapters/dynamodb/incident-store';
import { DynamoPostmortemStore } from '../../lambdas/adapters/dynamodb/postmortem-store';
import { InMemoryOperationsStore } from '../../lambdas/adapters/in-memory/operations-store';
import { InMemoryDocuments } from '../../lambdas/adapters/in-memory/postmortem-store';
import { InMemoryRawArchive } from '../../lambdas/adapters/in-memory/raw-archive';
import { InMemoryRollupStore } from '../../lambdas/adapters/in-memory/rollup-store';
import { StaticTokens } from '../../lambdas/adapters/secrets/token-source';
import { planIncidentChanges } from '../../lambdas/core/deduplicate';
import type { Escalator } from '../../lambdas/core/ports';
import { DEFAULT_TEMPLATE } from '../../lambdas/core/postmortem/config';
import { draftPostmortem } from '../../lambdas/core/postmortem/draft';
import { createWholeApiHandler as createApiHandler } from '../../lambdas/handlers/api-groups';
import type { HttpEvent } from '../../lambdas/handlers/shared/http';
import { startEmbeddedDynamo } from '../../lambdas/local/embedded-dynamodb';
import { alert, evaluated, testConfig } from '../support/builders';

const API_TOKEN = { lambda: { principal: 'api-token', actor: 'api-token', role: 'admin', via: 'api-token' } };

describe('the API lists on the embedded DynamoDB', () => {
  let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
  let call: (routeKey: string, query?: Record<string, string>) => Promise<{ status: number; body: any }>;
  /** Incident ids, oldest first; 10, 50 and 90 are team payments and from Alertmanager. */
  const ids: string[] = [];

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo({ tableName: 'incidents' });
    const store = new DynamoIncidentStore(dynamo.client, 'incidents');
    const postmortems = new DynamoPostmortemStore(dynamo.client, 'incidents');
    for (let i = 0; i < 130; i++) {
      const at = new Date(Date.parse('2024-06-10T10:00:00.000Z') + i * 60_000).toISOString();
      const rare = i % 40 === 10;
      const plan = planIncidentChanges(null, [evaluated(alert({ key: `m${i}`, fp: `fp-api-${i}`, ...(rare ? { source: 'alertmanager' } : {}) }))], at, Date.parse(at), []);
      const inc = plan.creates[0]!;
      if (rare) Object.assign(inc, { route: { ...inc.route, team: 'payments' } });
      expect(await store.applyPlan(plan)).toEqual({ kind: 'applied' });
      ids.push(inc.id);
      if (i % 10 === 0) {
        const pm = draftPostmortem({
          incident: inc, timeline: [], alerts: [], neighbours: [], related: [], template: DEFAULT_TEMPLATE, checklists: [],
          window: { from: at, to: at }, nowIso: at, by: 'alice',
        });
        await postmortems.put(i === 50 ? { ...pm, status: 'in_review' } : pm, null);
      }
    }
    const escalator: Escalator = { start: async () => undefined, stop: async () => undefined };
    const handler = createApiHandler({
      config: testConfig, store, ops: new InMemoryOperationsStore(), escalator, clock: { now: () => new Date('2024-06-11T00:00:00.000Z') },
      linkKeys: new StaticTokens(['k']), publicBaseUrl: 'https://api.example.com', newId: () => 'id-1',
      postmortems, documents: new InMemoryDocuments(), rollups: new InMemoryRollupStore(), rawArchive: new InMemoryRawArchive(),
    });
    call = async (routeKey, query) => {
      const res = await handler({
        version: '2.0', routeKey, rawPath: routeKey.split(' ')[1], rawQueryString: '', headers: {}, isBase64Encoded: false, queryStringParameters: query,
        requestContext: { requestId: 'r', http: { method: 'GET', path: routeKey.split(' ')[1], protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 't' }, authorizer: API_TOKEN },
      } as unknown as HttpEvent, {} as never);
      return { status: res.statusCode, body: JSON.parse(res.body) };
    };
  }, 60_000);
  afterAll(async () => dynamo?.close());

  const walk = async (route: string, key: 'incidents' | 'postmortems', query: Record<string, string>) => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res = await call(route, { ...query, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      pages.push(res.body[key].map((i: { id?: string; incidentId?: string }) => i.id ?? i.incidentId));
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 20);
    return pages;
  };

  it('GET /api/incidents filters by team and by source on the server, page by page, with an honest nextCursor', async () => {
    const rare = [ids[90], ids[50], ids[10]];
    expect(await walk('GET /api/incidents', 'incidents', { team: 'payments', limit: '2' })).toEqual([rare.slice(0, 2), rare.slice(2)]);
    expect(await walk('GET /api/incidents', 'incidents', { source: 'alertmanager', limit: '3' })).toEqual([rare]);
    expect(await walk('GET /api/incidents', 'incidents', { team: 'payments', source: 'alertmanager', status: 'triggered', limit: '25' })).toEqual([rare]);
    expect(await walk('GET /api/incidents', 'incidents', { team: 'payments', source: 'cloudwatch' })).toEqual([[]]);
    expect((await walk('GET /api/incidents', 'incidents', { source: 'cloudwatch', limit: '100' })).map((p) => p.length)).toEqual([100, 27]);
  });

  it('GET /api/incidents: a bad team or source is a 400 naming the field', async () => {
    for (const [query, field] of [[{ source: 'nagios' }, 'source'], [{ team: '' }, 'team'], [{ team: 'x'.repeat(65) }, 'team']] as const) {
      const res = await call('GET /api/incidents', query);
      expect([query, res.status, res.body.error.details?.issues?.[0]?.path ?? res.body.error.message]).toEqual([query, 400, field]);
    }
  });

  it('GET /api/postmortems filters by team and status over the same table', async () => {
    expect(await walk('GET /api/postmortems', 'postmortems', { limit: '5' })).toEqual([
      [ids[120], ids[110], ids[100], ids[90], ids[80]], [ids[70], ids[60], ids[50], ids[40], ids[30]], [ids[20], ids[10], ids[0]],
    ]);
    expect(await walk('GET /api/postmortems', 'postmortems', { team: 'payments', limit: '1' })).toEqual([[ids[90]], [ids[50]], [ids[10]]]);
    expect(await walk('GET /api/postmortems', 'postmortems', { status: 'in_review' })).toEqual([[ids[50]]]);
    expect((await call('GET /api/postmortems', { status: 'done' })).status).toBe(400);
  });
});
