/**
 * Security negatives, as a matrix over every route that takes a credential: wrong ingest tokens (every path-token
 * route, and the Events v2 routing key), missing or wrong bearer tokens (every bearer route, local routes too),
 * tampered, swapped, re-signed and expired one-click action links, and forged SNS deliveries. Each is refused with
 * the documented status and changes nothing: no alert enqueued or archived, no incident touched.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { parsePipelineConfigText } from '../../lambdas/core/config/parse-pipeline-config-text';
import { signActionToken } from '../../lambdas/core/notify/action-links';
import { HTTP_ROUTES } from '../../lambdas/handlers/routes';
import { createIngestHttpHandler } from '../../lambdas/handlers/ingest-http';
import type { HttpEvent } from '../../lambdas/handlers/shared/http';
import { StaticIntegrationSecrets } from '../../lambdas/adapters/secrets/integration-secrets';
import { SnsMessageVerifier } from '../../lambdas/adapters/sns/sns-message-verifier';
import { loadFixture, REPO_ROOT } from '../support/fixtures';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';
import { signEnvelope, TEST_CERT_URL, TEST_PUBLIC_KEY_PEM } from '../support/sns-signing';
import { archiveEntries, pagingConfig, readIncidents, until } from './harness';

const webhooks = parsePipelineConfigText(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'config', 'rules', 'good', 'webhooks.yaml'), 'utf8')).sources.webhooks;
const config = parsePipelineConfig({ ...pagingConfig(), sources: { ...pagingConfig().sources, webhooks } });
const WEBHOOK = webhooks[0]!.name;
const webhookBody = loadFixture('webhook', readdirSync(join(REPO_ROOT, 'test', 'fixtures', 'events', 'webhook')).find((f) => f.startsWith(`${WEBHOOK}-`) && !f.includes('expected'))!.replace(/\.json$/, ''));
const snsFixture = loadFixture('cloudwatch', 'sns-https-metric-alarm') as Record<string, string>;
const alarmMessage = JSON.parse(snsFixture.Message!) as Record<string, unknown>;

describe('security negatives over HTTP', () => {
  let rt: TestRuntime;
  let incidentId: string;
  let ackUrl: string;
  let resolveUrl: string;

  beforeAll(async () => {
    rt = await startTestRuntime({ config, sweepIntervalMs: 0 });
    const ok = await rt.post(`/ingest/threatstack/${rt.ingestToken}`, loadFixture('threatstack', 'bare-alert'));
    expect(ok.status).toBe(200);
    await rt.drain();
    incidentId = (await readIncidents(rt)).incidents[0]!.id;
    await until('the page', () => rt.outbox.list(10, incidentId).length === 1);
    const links = JSON.stringify(rt.outbox.list(10, incidentId)[0]!.payload).match(/http:\/\/localhost:\d+\/act\/[A-Za-z0-9._-]+/g)!;
    [ackUrl, resolveUrl] = [links[0]!, links[1]!];
    expect(ackUrl).not.toBe(resolveUrl);
  });
  afterAll(async () => rt?.cleanup());

  /** Runs `attempt` and checks that nothing was enqueued or archived and the incident is untouched. */
  async function changesNothing(attempt: () => Promise<void>): Promise<void> {
    const queued = rt.queue.size;
    const archived = archiveEntries(join(rt.dataDir, 'archive'));
    const before = (await rt.get(`/api/incidents/${incidentId}`)).body;
    await attempt();
    await rt.drain();
    expect(rt.queue.size).toBe(queued);
    expect(archiveEntries(join(rt.dataDir, 'archive'))).toBe(archived);
    const after = (await rt.get(`/api/incidents/${incidentId}`)).body;
    expect(after.incident).toEqual(before.incident);
    expect(after.timeline).toEqual(before.timeline);
  }

  it('refuses a wrong ingest token on every path-token route with 404', async () => {
    const t = rt.ingestToken;
    const wrong = ['wrong', t.slice(0, -1), `${t}0`, `${t.slice(0, -1)}${t.endsWith('0') ? '1' : '0'}`, t.toUpperCase(), rt.apiToken, `%20${t}`, encodeURIComponent(`${t}/`)];
    const routes: Array<[string, (token: string) => string, unknown]> = [
      ['threatstack', (k) => `/ingest/threatstack/${k}`, loadFixture('threatstack', 'bare-alert')],
      ['alertmanager', (k) => `/ingest/alertmanager/${k}`, loadFixture('alertmanager', 'firing-and-resolved')],
      ['cloudwatch', (k) => `/ingest/cloudwatch/${k}`, snsFixture],
      ['webhook', (k) => `/ingest/webhook/${WEBHOOK}/${k}`, webhookBody],
      ['local alarm topic', (k) => `/local/alarm-topic/${k}`, alarmMessage],
    ];
    await changesNothing(async () => {
      for (const [name, path, body] of routes) {
        for (const token of wrong) {
          const res = await rt.post(path(token), body);
          expect([name, token, res.status]).toEqual([name, token, 404]);
        }
      }
    });
  });

  it('refuses an Events v2 event whose routing_key is not the ingest token with 400', async () => {
    const event = loadFixture('events-v2', 'resolve') as Record<string, unknown>;
    await changesNothing(async () => {
      for (const key of ['', 'wrong', rt.apiToken, rt.ingestToken.toUpperCase(), `${rt.ingestToken} `]) {
        const res = await rt.post('/ingest/events/v2', { ...event, routing_key: key });
        expect([key, res.status]).toEqual([key, 400]);
        expect(res.body.status).toBe('invalid event');
      }
    });
  });

  it('answers 401 on every bearer route without the API token', async () => {
    const bearerRoutes = [
      ...HTTP_ROUTES.filter((r) => r.auth === 'bearer').map((r) => ({ method: r.method, path: r.path })),
      { method: 'GET', path: '/local/dead-letters' },
      { method: 'POST', path: '/local/dead-letters/redrive' },
      { method: 'GET', path: '/local/outbox' },
    ];
    const headers: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' },
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${rt.ingestToken}` },
      { authorization: `Bearer ${rt.apiToken}x` },
      { authorization: `Bearer ${rt.apiToken.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from(`api:${rt.apiToken}`).toString('base64')}` },
      { authorization: rt.apiToken },
      { 'x-api-key': rt.apiToken },
    ];
    await changesNothing(async () => {
      for (const r of bearerRoutes) {
        const path = r.path.replace('{id}', incidentId).replace('{name}', 'primary').replace(/\{\w+\}/g, 'x');
        for (const h of headers) {
          const res = await fetch(`${rt.url}${path}`, {
            method: r.method,
            headers: { 'content-type': 'application/json', ...h },
            ...(r.method === 'GET' ? {} : { body: JSON.stringify({ text: 'sneaky note', by: 'mallory', person: 'mallory', minutes: 5 }) }),
          });
          expect([r.method, path, JSON.stringify(h), res.status]).toEqual([r.method, path, JSON.stringify(h), 401]);
        }
      }
    });
    // The positive control: the right token passes.
    expect((await rt.get('/api/incidents')).status).toBe(200);
  });

  it('refuses tampered, swapped, re-signed and expired action links with 403, then honours the real link once', async () => {
    const tokenOf = (url: string) => url.slice(url.indexOf('/act/') + 5);
    const [payload, signature] = tokenOf(ackUrl).split('.') as [string, string];
    const [otherPayload, otherSignature] = tokenOf(resolveUrl).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { i: string; a: string; e: number; n: string; r?: string };
    const reencode = (c: object) => Buffer.from(JSON.stringify(c)).toString('base64url');
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    const key = (JSON.parse(readFileSync(join(rt.dataDir, 'local-secrets.json'), 'utf8')) as { actionLinkKey: string }).actionLinkKey;
    const forged: Array<[string, string]> = [
      ['payload character changed', `${flip(payload, 5)}.${signature}`],
      ['signature character changed', `${payload}.${flip(signature, 3)}`],
      ['ack claims with the resolve link signature', `${payload}.${otherSignature}`],
      ['resolve claims with the ack link signature', `${otherPayload}.${signature}`],
      ['action switched to resolve, not re-signed', `${reencode({ ...claims, a: 'res' })}.${signature}`],
      ['expiry extended, not re-signed', `${reencode({ ...claims, e: claims.e + 86_400_000 })}.${signature}`],
      ['another incident, not re-signed', `${reencode({ ...claims, i: 'inc-00000000000000000000-1' })}.${signature}`],
      ['another recipient, not re-signed', `${reencode({ ...claims, r: 'mallory' })}.${signature}`],
      ['recipient removed, not re-signed', `${reencode({ i: claims.i, a: claims.a, e: claims.e, n: claims.n })}.${signature}`],
      ['signed with another key', signActionToken({ incidentId, action: 'acknowledge', expiresAtMs: Date.now() + 3_600_000, nonce: 'n-other-key' }, 'not-the-link-key')],
      ['expired (signed with the real key)', signActionToken({ incidentId, action: 'acknowledge', expiresAtMs: Date.now() - 1, nonce: 'n-expired' }, key)],
      ['no signature', payload],
      ['three parts', `${payload}.${signature}.${signature}`],
      ['oversized', `${'A'.repeat(3000)}.${signature}`],
      ['not base64url', `${payload}!.${signature}`],
    ];
    await changesNothing(async () => {
      for (const [what, token] of forged) {
        for (const method of ['GET', 'POST']) {
          const res = await fetch(`${rt.url}/act/${token}`, { method });
          const text = await res.text();
          expect([what, method, res.status]).toEqual([what, method, 403]);
          if (what.startsWith('expired')) expect(text).toContain('It has expired.');
        }
      }
    });
    // The real link: GET only shows the page, POST acknowledges once, a replay is refused.
    expect((await fetch(ackUrl)).status).toBe(200);
    expect((await rt.get(`/api/incidents/${incidentId}`)).body.incident.status).toBe('triggered');
    expect((await fetch(ackUrl, { method: 'POST' })).status).toBe(200);
    // Recorded as the link's signed recipient (here the channel the page went to).
    expect((await rt.get(`/api/incidents/${incidentId}`)).body.incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: `${claims.r} via link` });
    expect(claims.r).toBe('channel oncall-hook');
    expect((await fetch(ackUrl, { method: 'POST' })).status).toBe(409);
    // A used link, opened again: says so (what and when), and offers no button.
    const again = await fetch(ackUrl);
    const page = await again.text();
    expect(again.status).toBe(409);
    expect(page).toContain('already used');
    expect(page).toMatch(/acknowledge.* at \d{4}-\d\d-\d\dT/i);
    expect(page).not.toMatch(/<button|<form/);
  });

  it('does not use up a link whose incident does not exist: 404 page, the link still unused', async () => {
    const key = (JSON.parse(readFileSync(join(rt.dataDir, 'local-secrets.json'), 'utf8')) as { actionLinkKey: string }).actionLinkKey;
    const link = `${rt.url}/act/${signActionToken({ incidentId: 'inc-00000000000000000000-7', action: 'acknowledge', expiresAtMs: Date.now() + 3_600_000, nonce: 'n-no-incident' }, key)}`;
    await changesNothing(async () => {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(link, { method: 'POST' });
        const text = await res.text();
        expect([i, res.status]).toEqual([i, 404]);
        expect(text).toContain('No such incident');
      }
      expect((await fetch(link)).status).toBe(404);
    });
  });

  it('answers /healthz without a token with a bare liveness answer; the counts need the bearer token', async () => {
    const bare = await rt.get('/healthz', null);
    expect(bare).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await rt.get('/healthz', 'wrong')).toEqual({ status: 200, body: { status: 'ok' } });
    const full = await rt.get('/healthz');
    expect(full.status).toBe(200);
    expect(full.body).toEqual({ status: 'ok', queued: expect.any(Number), deadLetters: expect.any(Number) });
  });

  /** Sends the headers and `bytes` of a body that never ends; resolves with the status once the server answers. */
  function answerBeforeBodyEnds(path: string, bytes: number, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const url = new URL(`${rt.url}${path}`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers } }, (res) => {
        res.resume();
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`no answer to POST ${path} before the body ended`));
      }, 3_000);
      req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let sent = 0; sent < bytes; sent += chunk.length) req.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
      // never req.end(): the body is still coming
    });
  }

  it('checks the path token before reading the body (404 before the body ends) and refuses an oversized body while it streams (413)', async () => {
    await changesNothing(async () => {
      for (const path of ['/ingest/threatstack/wrong', `/ingest/webhook/${WEBHOOK}/wrong`, '/ingest/cloudwatch/wrong', '/local/alarm-topic/wrong']) {
        expect([path, await answerBeforeBodyEnds(path, 1024)]).toEqual([path, 404]);
      }
      expect(await answerBeforeBodyEnds('/api/incidents/x/notes', 1024)).toBe(401);
      expect(await answerBeforeBodyEnds(`/ingest/threatstack/${rt.ingestToken}`, 1024 * 1024 + 1)).toBe(413);
      expect(await answerBeforeBodyEnds('/ingest/events/v2', 512 * 1024 + 1)).toBe(413);
      expect(await answerBeforeBodyEnds(`/local/alarm-topic/${rt.ingestToken}`, 256 * 1024 + 1)).toBe(413);
    });
    // Still up and serving.
    expect((await rt.get('/api/incidents')).status).toBe(200);
  });

  it('refuses an SNS delivery whose certificate is not on an SNS host, without fetching it', async () => {
    const foreign = signEnvelope({ ...snsFixture }, { version: '2' });
    for (const url of ['https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem', 'http://sns.eu-west-1.amazonaws.com/cert.pem', 'https://evil.example/SimpleNotificationService-x.pem']) {
      await changesNothing(async () => {
        const res = await rt.post(`/ingest/cloudwatch/${rt.ingestToken}`, { ...foreign, SigningCertURL: url }, { 'content-type': 'text/plain; charset=UTF-8' });
        expect([url, res.status]).toEqual([url, 403]);
      });
    }
  });
});

describe('forged SNS deliveries (handler, with the test signing key trusted)', () => {
  const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:ops-alarms';
  const OTHER_ALLOWED = 'arn:aws:sns:eu-west-1:111122223333:other-allowed-topic';
  const TOKEN = 'a'.repeat(32);

  function setup() {
    const queued: unknown[] = [];
    const archived: unknown[] = [];
    const fetched: string[] = [];
    const sns = new SnsMessageVerifier({ allowedTopicArns: [TOPIC, OTHER_ALLOWED], fetcher: async (url) => (fetched.push(url), { ok: true, status: 200 }) });
    sns.primeCertificate(TEST_CERT_URL, TEST_PUBLIC_KEY_PEM);
    // The same key primed on hosts that are not SNS: a valid signature must still not be enough.
    for (const url of ['https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem', 'http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem']) {
      sns.primeCertificate(url, TEST_PUBLIC_KEY_PEM);
    }
    const handler = createIngestHttpHandler({
      config: pagingConfig(),
      archive: { put: async (key) => void archived.push(key) },
      queue: { send: async (envs) => void queued.push(...envs) },
      integrationSecrets: new StaticIntegrationSecrets(() => ({ default: { token: TOKEN } })),
      sns,
      clock: { now: () => new Date('2024-06-10T14:05:00.000Z') },
      newRequestId: () => 'req-1',
    });
    const call = async (body: unknown) => {
      const res = await handler({
        version: '2.0', routeKey: 'POST /ingest/cloudwatch/{token}', rawPath: '/', rawQueryString: '', headers: {},
        body: JSON.stringify(body), isBase64Encoded: false, pathParameters: { token: TOKEN },
        requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '54.240.0.1', userAgent: 'test' } },
      } as unknown as HttpEvent, {} as never);
      return res.statusCode;
    };
    return { call, queued, archived, fetched };
  }

  const base = { ...snsFixture };
  const signed = signEnvelope(base, { version: '2' });
  const confirmation = {
    Type: 'SubscriptionConfirmation', MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b', Token: '2336412f37f',
    TopicArn: TOPIC, Message: 'You have chosen to subscribe to the topic.', Timestamp: '2024-06-10T14:00:00.000Z',
    SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=2336412f37f',
  };

  // 403 where the signature check refuses it; 400 where the envelope is not a valid SNS envelope to begin with.
  it.each<[string, Record<string, unknown>, number | 'refused']>([
    ['the control: a correctly signed notification is accepted', signed, 200],
    ['SignatureVersion downgraded to 1 with the SHA-256 signature', { ...signed, SignatureVersion: '1' }, 403],
    ['SignatureVersion 3 (unknown)', { ...signed, SignatureVersion: '3' }, 'refused'],
    ['no Signature', { ...signed, Signature: undefined }, 'refused'],
    ['empty Signature', { ...signed, Signature: '' }, 'refused'],
    ['TopicArn changed to another allowed topic after signing', { ...signed, TopicArn: OTHER_ALLOWED }, 403],
    ['Timestamp changed after signing', { ...signed, Timestamp: '2030-01-01T00:00:00.000Z' }, 403],
    ['Subject added after signing', { ...signed, Subject: 'ALARM: something else' }, 403],
    ['the signature of another message', { ...signEnvelope({ ...base, MessageId: 'another-message' }, { version: '2' }), MessageId: base.MessageId }, 403],
    ['signed by another key', signEnvelope(base, { version: '2', forgeWithOtherKey: true }), 403],
    ['a valid signature, certificate on a look-alike host', { ...signed, SigningCertURL: 'https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem' }, 403],
    ['a valid signature, certificate over plain HTTP', { ...signed, SigningCertURL: 'http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' }, 403],
    ['a subscription confirmation signed by another key', signEnvelope(confirmation, { version: '2', forgeWithOtherKey: true }), 403],
  ])('%s', async (_what, body, expected) => {
    const t = setup();
    const status = await t.call(JSON.parse(JSON.stringify(body)));
    if (expected === 200) {
      expect(status).toBe(200);
      expect(t.queued).toHaveLength(1);
      return;
    }
    if (expected === 'refused') expect([400, 403]).toContain(status);
    else expect(status).toBe(expected);
    expect(t.queued).toHaveLength(0);
    expect(t.archived).toHaveLength(0);
    expect(t.fetched).toHaveLength(0); // nothing confirmed, nothing fetched
  });
});

describe('data directory secrets', () => {
  const mode = (path: string) => statSync(path).mode & 0o777;

  it('keeps the data directory 0700 and every file holding tokens or links 0600, also when it existed before with looser modes', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'alert-pipeline-modes-')), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    // Files an older version left readable by everyone.
    writeFileSync(join(dataDir, 'outbox.jsonl'), '', { mode: 0o644 });
    chmodSync(join(dataDir, 'outbox.jsonl'), 0o644);
    const rt = await startTestRuntime({ config, dataDir, sweepIntervalMs: 0 });
    try {
      chmodSync(join(dataDir, 'local-secrets.json'), 0o644);
      await rt.stop();
      const again = await startTestRuntime({ config, dataDir, sweepIntervalMs: 0 });
      try {
        expect((await again.post(`/ingest/threatstack/${again.ingestToken}`, loadFixture('threatstack', 'bare-alert'))).status).toBe(200);
        await again.drain();
        await until('the page', () => again.outbox.list(10).length === 1);
        expect(JSON.stringify(again.outbox.list(10)[0]!.payload)).toMatch(/\/act\//);
        expect(mode(dataDir)).toBe(0o700);
        expect(mode(join(dataDir, 'local-secrets.json'))).toBe(0o600);
        expect(mode(join(dataDir, 'outbox.jsonl'))).toBe(0o600);
      } finally {
        await again.stop();
      }
    } finally {
      await rt.stop();
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });

  it('creates a new data directory 0700 with its secrets and outbox 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'alert-pipeline-modes-'));
    const dataDir = join(parent, 'fresh');
    const rt = await startTestRuntime({ config, dataDir, sweepIntervalMs: 0 });
    try {
      expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, loadFixture('threatstack', 'bare-alert'))).status).toBe(200);
      await rt.drain();
      await until('the page', () => rt.outbox.list(10).length === 1);
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, 'local-secrets.json'))).toBe(0o600);
      expect(mode(join(dataDir, 'outbox.jsonl'))).toBe(0o600);
    } finally {
      await rt.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
