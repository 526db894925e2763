/**
 * Bad input over HTTP against the local runtime: every one is a clear 4xx in the documented error shape
 * (`{"error":{"code","message","details"}}`) naming the problem, never a 500, never an internal error string in the
 * body, and nothing half-written (no archive entry, nothing enqueued, no dead letter).
 */
import { join } from 'node:path';
import { HTTP_ROUTES } from '../../lambdas/handlers/routes';
import { MAX_JSON_DEPTH } from '../../lambdas/core/normalize/json-depth';
import { loadFixture } from '../support/fixtures';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { archiveEntries, pagingConfig, readIncidents } from './harness';

/** The JSON text `{"a":{"a":...{"a":"x"}}}`, `depth` objects deep (built as text: a deep object would overflow JSON.stringify). */
export function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
}

/** `body` as JSON text with the string value "<DEEP>" replaced by `deepText`. */
export function withDeep(body: unknown, deepText: string): string {
  return JSON.stringify(body).replace('"<DEEP>"', () => deepText);
}

describe('bad input over HTTP: a clear 4xx, never a 500', () => {
  let rt: TestRuntime;

  beforeAll(async () => {
    rt = await startTestRuntime({ config: pagingConfig(), sweepIntervalMs: 0 });
  });
  afterAll(async () => rt?.cleanup());

  /** Runs `attempt` and checks that nothing was archived, enqueued or dead-lettered. */
  async function writesNothing(attempt: () => Promise<void>): Promise<void> {
    await rt.drain();
    const archived = archiveEntries(join(rt.dataDir, 'archive'));
    const queued = rt.queue.size;
    const dead = rt.deadLetterQueue.size;
    await attempt();
    await rt.drain();
    expect(archiveEntries(join(rt.dataDir, 'archive'))).toBe(archived);
    expect(rt.queue.size).toBe(queued);
    expect(rt.deadLetterQueue.size).toBe(dead);
  }

  function expectClientError(what: string, res: { status: number; body: any }, status: number, mentions: RegExp): void {
    expect([what, res.status]).toEqual([what, status]);
    expect(typeof res.body?.error?.code).toBe('string');
    expect([what, res.body.error.message]).toEqual([what, expect.stringMatching(mentions)]);
    expect('details' in res.body.error).toBe(true);
    expect(JSON.stringify(res.body)).not.toMatch(/URIError|RangeError|TypeError|stack|at .*\.ts/);
  }

  it('answers 400 to a malformed percent-escape in any path parameter, before authentication', async () => {
    const routes = [
      ...HTTP_ROUTES.map((r) => ({ method: r.method, path: r.path })),
      { method: 'POST', path: '/local/alarm-topic/{token}' },
    ].filter((r) => r.path.includes('{'));
    await writesNothing(async () => {
      for (const r of routes) {
        for (const bad of ['%', '%ZZ', '%E0%A4%A', 'abc%']) {
          const path = r.path.replace(/\{\w+\}/g, bad);
          const res = await fetch(`${rt.url}${path}`, { method: r.method, headers: { 'content-type': 'application/json' }, ...(r.method === 'GET' ? {} : { body: '{}' }) });
          const text = await res.text();
          expectClientError(`${r.method} ${path}`, { status: res.status, body: JSON.parse(text) }, 400, /percent-encod/);
        }
      }
    });
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels on every ingest route with 400, before archiving`, async () => {
    const deep = '<DEEP>';
    const ts = loadFixture('threatstack', 'bare-alert') as Record<string, unknown>;
    const ev = { ...(loadFixture('events-v2', 'trigger') as Record<string, unknown>), routing_key: rt.ingestToken };
    const am = loadFixture('alertmanager', 'firing-and-resolved') as Record<string, unknown>;
    const alarm = JSON.parse((loadFixture('cloudwatch', 'sns-https-metric-alarm') as { Message: string }).Message) as Record<string, unknown>;
    const cases: Array<[string, string, unknown, number?]> = [
      ['threatstack, a field 5,000 levels deep', `/ingest/threatstack/${rt.ingestToken}`, { ...ts, extra: deep }],
      ['threatstack, a batch with a deep alert', `/ingest/threatstack/${rt.ingestToken}`, { alerts: [{ ...ts, extra: deep }] }],
      ['events v2 custom_details 5,000 levels deep', '/ingest/events/v2', { ...ev, payload: { ...((ev as Record<string, unknown>).payload as object), custom_details: deep } }],
      ['alertmanager, a deep annotation', `/ingest/alertmanager/${rt.ingestToken}`, { ...am, extra: deep }],
      ['local alarm topic, a deep alarm message', `/local/alarm-topic/${rt.ingestToken}`, { ...alarm, Extra: deep }],
      ['just past the limit', `/ingest/threatstack/${rt.ingestToken}`, { ...ts, extra: deep }, MAX_JSON_DEPTH],
    ];
    await writesNothing(async () => {
      for (const [what, path, body, depth] of cases) expectClientError(what, await rt.post(path, withDeep(body, nested(depth ?? 5000))), 400, new RegExp(`deeper than ${MAX_JSON_DEPTH}`));
    });
    // Within the limit: accepted as before.
    const ok = await rt.post(`/ingest/threatstack/${rt.ingestToken}`, withDeep({ ...ts, id: 'deep-but-allowed', extra: deep }, nested(MAX_JSON_DEPTH - 2)));
    expect(ok.status).toBe(200);
  });

  it('refuses a deeply nested SNS Message inside a signed-off CloudWatch envelope with 400, before archiving', async () => {
    const runtime = await startTestRuntime({ config: pagingConfig(), sweepIntervalMs: 0, snsSignatureCheck: false });
    try {
      const envelope = loadFixture('cloudwatch', 'sns-https-metric-alarm') as Record<string, string>;
      const alarm = JSON.parse(envelope.Message!) as Record<string, unknown>;
      const archived = archiveEntries(join(runtime.dataDir, 'archive'));
      const res = await runtime.post(`/ingest/cloudwatch/${runtime.ingestToken}`, { ...envelope, Message: withDeep({ ...alarm, Extra: '<DEEP>' }, nested(5000)) });
      expectClientError('cloudwatch', res, 400, new RegExp(`deeper than ${MAX_JSON_DEPTH}`));
      expect(res.body.error.message).toMatch(/Message/);
      expect(archiveEntries(join(runtime.dataDir, 'archive'))).toBe(archived);
      expect(runtime.queue.size).toBe(0);
    } finally {
      await runtime.cleanup();
    }
  });

  it('answers 413 to an alarm-topic body over 256 KiB', async () => {
    const alarm = JSON.parse((loadFixture('cloudwatch', 'sns-https-metric-alarm') as { Message: string }).Message) as Record<string, unknown>;
    await writesNothing(async () => {
      expectClientError('alarm topic', await rt.post(`/local/alarm-topic/${rt.ingestToken}`, { ...alarm, AlarmDescription: 'x'.repeat(300 * 1024) }), 413, /exceeds/);
    });
  });

  it('answers 400 naming from and to when from is later than to', async () => {
    const res = await rt.get('/api/incidents?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expectClientError('from > to', res, 400, /from.*to|to.*from/);
    for (const q of ['status=triggered&', 'service=platform&', '']) {
      expect((await rt.get(`/api/incidents?${q}from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).status).toBe(200);
    }
  });

  it('answers 400 naming the field on the insights routes of the local runtime, and 200 to a good query', async () => {
    expectClientError('unknown groupBy', await rt.get('/api/analytics?groupBy=owner'), 400, /groupBy/);
    expectClientError('analytics from > to', await rt.get('/api/analytics?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'), 400, /from/);
    expectClientError('analytics range', await rt.get('/api/analytics?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'), 400, /to.*92 days/);
    expectClientError('export format', await rt.get('/api/export?format=xlsx'), 400, /format/);
    expectClientError('export tag groupBy', await rt.get('/api/analytics?groupBy=tag:'), 400, /groupBy/);
    expect((await rt.get('/api/analytics?groupBy=tag:env&bucket=day')).status).toBe(200);
    expect((await rt.get('/api/export?format=json')).status).toBe(200);
  });

  it('answers 400 naming cursor to a well-formed but forged cursor', async () => {
    // Two incidents, a page of one: a real cursor, to forge variants of.
    for (const id of ['c-1', 'c-2']) {
      const ts = loadFixture('threatstack', 'bare-alert') as Record<string, unknown>;
      expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, { ...ts, id, title: `cursor test ${id}`, server_or_region: `host-${id}` })).status).toBe(200);
    }
    await rt.drain();
    expect((await readIncidents(rt)).incidents.length).toBeGreaterThanOrEqual(2);
    const first = await rt.get('/api/incidents?limit=1');
    expect(first.status).toBe(200);
    const real = JSON.parse(Buffer.from(first.body.nextCursor as string, 'base64url').toString('utf8')) as Record<string, unknown>;
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
    const forged: Array<[string, string]> = [
      ['keys only pk and sk', enc({ pk: 'x', sk: 'y' })],
      ['real keys, index keys dropped', enc({ pk: real.pk, sk: real.sk })],
      ['index hash key of another partition', enc({ ...real, g3pk: 'STATUS#triggered' })],
      ['a number as sort key', enc({ ...real, g3sk: 5 })],
      ['an extra attribute', enc({ ...real, other: 'x' })],
      ['an object', enc({ ...real, pk: { S: 'x' } })],
      ['an empty object', enc({})],
      ['an array', enc([real.pk, real.sk])],
      ['not JSON', Buffer.from('not json').toString('base64url')],
    ];
    for (const [what, cursor] of forged) expectClientError(what, await rt.get(`/api/incidents?cursor=${cursor}`), 400, /cursor/);
    // The same real cursor works for its own query, and not for another index's.
    expect((await rt.get(`/api/incidents?limit=1&cursor=${first.body.nextCursor}`)).status).toBe(200);
    expectClientError('cursor of another query', await rt.get(`/api/incidents?status=triggered&cursor=${first.body.nextCursor}`), 400, /cursor/);
    // A cursor outside the from/to range of the query.
    expectClientError('cursor outside the range', await rt.get(`/api/incidents?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z&cursor=${first.body.nextCursor}`), 400, /cursor/);
  });
});
