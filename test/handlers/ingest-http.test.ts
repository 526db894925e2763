import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIngestHttpHandler, type IngestDeps } from '../../lambdas/handlers/ingest-http';
import { StaticIntegrationSecrets } from '../../lambdas/adapters/secrets/integration-secrets';
import { SnsMessageVerifier } from '../../lambdas/adapters/sns/sns-message-verifier';
import { TransientError } from '../../lambdas/core/errors';
import type { AlertEnvelope } from '../../lambdas/core/model/alert';
import type { HttpEvent } from '../../lambdas/handlers/shared/http';
import { testConfig } from '../support/builders';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { signEnvelope, TEST_CERT_URL, TEST_PUBLIC_KEY_PEM } from '../support/sns-signing';

const TOKEN = 'a'.repeat(32);
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:ops-alarms';
const fixture = (source: string, name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'events', source, `${name}.json`), 'utf8');

function setup(over: Partial<IngestDeps> = {}) {
  const queued: AlertEnvelope[] = [];
  const archived: Array<{ key: string; body: string }> = [];
  const fetched: string[] = [];
  const sns = new SnsMessageVerifier({ allowedTopicArns: [TOPIC], fetcher: async (url) => (fetched.push(url), { ok: true, status: 200 }) });
  sns.primeCertificate(TEST_CERT_URL, TEST_PUBLIC_KEY_PEM);
  const deps: IngestDeps = {
    config: testConfig,
    archive: { put: async (key, body) => void archived.push({ key, body }) },
    queue: { send: async (envs) => void queued.push(...envs) },
    integrationSecrets: new StaticIntegrationSecrets(() => ({ default: { token: TOKEN, previousToken: 'previous-token-during-rotation' } })),
    sns,
    clock: { now: () => new Date('2024-06-10T14:05:00.000Z') },
    newRequestId: () => 'req-1',
    ...over,
  };
  const handler = createIngestHttpHandler(deps);
  const call = async (routeKey: string, body: string | undefined, path: Record<string, string> = { token: TOKEN }, extra: Partial<HttpEvent> = {}) => {
    const res = await handler({
      version: '2.0', routeKey, rawPath: '/', rawQueryString: '', headers: {}, body, isBase64Encoded: false, pathParameters: path,
      requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '52.20.173.142', userAgent: 'test' } },
      ...extra,
    } as unknown as HttpEvent, {} as never);
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, any> };
  };
  return { call, queued, archived, fetched };
}

const TS = 'POST /ingest/threatstack/{token}';
const CW = 'POST /ingest/cloudwatch/{token}';
const PD = 'POST /ingest/events/v2';
const AM = 'POST /ingest/alertmanager/{token}';

describe('ingest-http: Threat Stack', () => {
  it('answers exactly 200 after enqueueing every alert with the raw body (one message: nothing archived at ingest)', async () => {
    const t = setup();
    const body = fixture('threatstack', 'batch-host-and-cloudtrail');
    const res = await t.call(TS, body);
    expect(res).toEqual({ status: 200, body: { status: 'accepted', alerts: 2 } });
    expect(t.archived).toHaveLength(0);
    expect(t.queued).toHaveLength(1);
    expect(t.queued[0]!.raw).toMatchObject({ body });
    expect(t.queued.flatMap((e) => e.alerts).map((a) => a.deliveryKey)).toEqual(['ts:6650f1c2a9e4b0d51a2c7e91', 'ts:6650f1c3a9e4b0d51a2c7e92']);
  });

  it('accepts the previous token during a rotation', async () => {
    const res = await setup().call(TS, fixture('threatstack', 'bare-alert'), { token: 'previous-token-during-rotation' });
    expect(res.status).toBe(200);
  });

  it.each([
    ['an unknown token', { token: 'b'.repeat(32) }],
    ['a token one character short', { token: 'a'.repeat(31) }],
    ['no token', {}],
  ])('answers 404 for %s and stores nothing', async (_n, path) => {
    const t = setup();
    const res = await t.call(TS, fixture('threatstack', 'bare-alert'), path);
    expect(res.status).toBe(404);
    expect(t.queued).toHaveLength(0);
    expect(t.archived).toHaveLength(0);
  });

  it.each([
    ['not JSON', '{"alerts": [', '(body)'],
    ['an empty body', '', '(body)'],
    ['a JSON array', '[]', '(body)'],
    ['a bad severity in the second alert', JSON.stringify({ alerts: [JSON.parse(fixture('threatstack', 'bare-alert')), { ...JSON.parse(fixture('threatstack', 'bare-alert')), severity: 7 }] }), 'alerts[1].severity'],
    ['a missing id', JSON.stringify({ ...JSON.parse(fixture('threatstack', 'bare-alert')), id: undefined }), 'id'],
  ])('answers 400 naming the field for %s, and enqueues nothing (not even the valid alerts)', async (_n, body, path) => {
    const t = setup();
    const res = await t.call(TS, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
    expect(res.body.error.details.issues[0].path).toBe(path);
    expect(res.body.error.message).toContain(path);
    expect(t.queued).toHaveLength(0);
  });

  it('answers 413 over 1 MiB', async () => {
    const t = setup();
    const res = await t.call(TS, JSON.stringify({ alerts: [], pad: 'x'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(t.queued).toHaveLength(0);
  });

  it('answers 503, never 200 or 4xx, when the queue cannot take the alerts', async () => {
    const t = setup({ queue: { send: async () => { throw new TransientError('SQS unavailable'); } } });
    const res = await t.call(TS, fixture('threatstack', 'bare-alert'));
    expect(res.status).toBe(503);
    expect(res.body.error.message).not.toContain('SQS');
  });

  it('answers 500 with a generic message for an unexpected failure', async () => {
    const t = setup({ queue: { send: async () => { throw new Error('disk on fire'); } } });
    const res = await t.call(TS, fixture('threatstack', 'bare-alert'));
    expect(res).toEqual({ status: 500, body: { error: { code: 'internal', message: 'internal error', details: null } } });
  });

  it('rejects a source IP outside the configured allow-list with 403', async () => {
    const config = { ...testConfig, sources: { ...testConfig.sources, threatstack: { ...testConfig.sources.threatstack, allowedSourceIps: ['54.173.79.87'] } } };
    const res = await setup({ config }).call(TS, fixture('threatstack', 'bare-alert'));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('source_ip_not_allowed');
  });
});

describe('ingest-http: CloudWatch over SNS HTTPS', () => {
  const notification = () => JSON.parse(fixture('cloudwatch', 'sns-https-metric-alarm')) as Record<string, unknown>;

  it.each(['1', '2'] as const)('accepts a notification signed with SignatureVersion %s', async (version) => {
    const t = setup();
    const res = await t.call(CW, JSON.stringify(signEnvelope(notification(), { version })));
    expect(res.status).toBe(200);
    expect(t.queued[0]!.alerts[0]!.fingerprintKey).toBe('cw:arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx-rate');
  });

  it('rejects a forged signature (signed by another key) with 403 and enqueues nothing', async () => {
    const t = setup();
    const res = await t.call(CW, JSON.stringify(signEnvelope(notification(), { forgeWithOtherKey: true })));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('bad_signature');
    expect(t.queued).toHaveLength(0);
  });

  it('rejects a message altered after signing', async () => {
    const signed = signEnvelope(notification());
    const res = await setup().call(CW, JSON.stringify({ ...signed, Message: String(signed.Message).replace('ALARM', 'OK') }));
    expect(res.status).toBe(403);
  });

  it('rejects a topic outside the allow-list before checking the signature', async () => {
    const t = setup();
    const res = await t.call(CW, JSON.stringify(signEnvelope({ ...notification(), TopicArn: 'arn:aws:sns:eu-west-1:999999999999:evil' })));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('topic_not_allowed');
  });

  it('rejects a certificate URL that is not an SNS host', async () => {
    const signed = { ...signEnvelope(notification()), SigningCertURL: 'https://evil.example.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' };
    expect((await setup().call(CW, JSON.stringify(signed))).status).toBe(403);
  });

  it('confirms a verified subscription by fetching SubscribeURL', async () => {
    const t = setup();
    const confirmation = {
      Type: 'SubscriptionConfirmation', MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b', Token: 'tok', TopicArn: TOPIC,
      Message: 'You have chosen to subscribe to the topic.',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=tok',
      Timestamp: '2024-06-10T14:00:00.000Z',
    };
    const res = await t.call(CW, JSON.stringify(signEnvelope(confirmation)));
    expect(res.status).toBe(200);
    expect(t.fetched).toEqual([confirmation.SubscribeURL]);
    expect(t.queued).toHaveLength(0);
  });

  it('refuses to fetch a SubscribeURL outside SNS even when signed', async () => {
    const t = setup();
    const confirmation = {
      Type: 'SubscriptionConfirmation', MessageId: 'm', Token: 'tok', TopicArn: TOPIC, Message: 'x',
      SubscribeURL: 'https://evil.example.com/confirm', Timestamp: '2024-06-10T14:00:00.000Z',
    };
    expect((await t.call(CW, JSON.stringify(signEnvelope(confirmation)))).status).toBe(403);
    expect(t.fetched).toEqual([]);
  });

  it('answers 400 for a signed notification whose Message is not a CloudWatch alarm', async () => {
    const t = setup();
    const res = await t.call(CW, JSON.stringify(signEnvelope({ ...notification(), Message: 'hello from another publisher' })));
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toMatch(/^Message/);
  });

  it('answers 404 for a bad path token even with a valid signature', async () => {
    expect((await setup().call(CW, JSON.stringify(signEnvelope(notification())), { token: 'nope' })).status).toBe(404);
  });
});

describe('ingest-http: PagerDuty Events API v2', () => {
  const trigger = () => ({ ...JSON.parse(fixture('events-v2', 'trigger')), routing_key: TOKEN });

  it('answers 202 with the dedup key, like PagerDuty', async () => {
    const t = setup();
    const res = await t.call(PD, JSON.stringify(trigger()), {});
    expect(res).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: trigger().dedup_key } });
    expect(t.queued).toHaveLength(1);
  });

  it('answers 400 in PagerDuty shape for an unknown routing key', async () => {
    const t = setup();
    const res = await t.call(PD, JSON.stringify({ ...trigger(), routing_key: 'x'.repeat(32) }), {});
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
    expect(res.body.errors[0]).toMatch(/routing_key/);
    expect(t.queued).toHaveLength(0);
  });

  it('answers 400 naming the field for a bad event', async () => {
    const res = await setup().call(PD, JSON.stringify({ ...trigger(), event_action: 'explode' }), {});
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatch(/^event_action/);
  });

  it('answers 413 over 512 KB', async () => {
    const res = await setup().call(PD, JSON.stringify({ ...trigger(), pad: 'x'.repeat(512 * 1024) }), {});
    expect(res.status).toBe(413);
  });
});

describe('ingest-http: Alertmanager', () => {
  it('accepts a webhook and enqueues one alert per element', async () => {
    const t = setup();
    const res = await t.call(AM, fixture('alertmanager', 'firing-and-resolved'));
    expect(res).toEqual({ status: 200, body: { status: 'accepted', alerts: 2 } });
    expect(t.queued.flatMap((e) => e.alerts).map((a) => a.action)).toEqual(['trigger', 'resolve']);
  });

  it('answers 400 naming `version` for a v3 body', async () => {
    const res = await setup().call(AM, JSON.stringify({ ...JSON.parse(fixture('alertmanager', 'firing-and-resolved')), version: '3' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe('version');
  });
});

describe('ingest-http: any EventBridge event (POST /ingest/eventbridge/{token})', () => {
  const EB = 'POST /ingest/eventbridge/{token}';

  it('dispatches a GuardDuty finding on its source and detail-type, archived under its source', async () => {
    const t = setup();
    const res = await t.call(EB, fixture('guardduty', 'finding-credential-exfiltration'));
    expect(res).toEqual({ status: 200, body: { status: 'accepted', alerts: 1 } });
    expect(t.queued[0]).toMatchObject({ source: 'guardduty', via: 'eventbridge' });
    expect(t.queued[0]!.alerts[0]).toMatchObject({ severity: 'sev1', fingerprintKey: 'gd:111122223333:eu-west-1:a4c2f7e3b1d94c6f8e0a1b2c3d4e5f60' });
    expect(t.queued[0]!.raw).toMatchObject({ body: fixture('guardduty', 'finding-credential-exfiltration') });
  });

  it('dispatches a CloudWatch alarm state change to the same delivery key as the EventBridge rule', async () => {
    const t = setup();
    const res = await t.call(EB, fixture('cloudwatch', 'eventbridge-metric-alarm'));
    expect(res.status).toBe(200);
    expect(t.queued[0]).toMatchObject({ source: 'cloudwatch', via: 'eventbridge' });
  });

  it('answers 400 naming an unknown source and detail-type pair, and stores nothing', async () => {
    const t = setup();
    const res = await t.call(EB, JSON.stringify({ version: '0', id: 'x', source: 'aws.health', 'detail-type': 'AWS Health Event', detail: {} }));
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe('detail-type');
    expect(res.body.error.message).toContain('"aws.health"');
    expect(t.queued).toHaveLength(0);
    expect(t.archived).toHaveLength(0);
  });

  it('answers 404 for a bad path token', async () => {
    const t = setup();
    expect((await t.call(EB, fixture('guardduty', 'finding-ssh-brute-force'), { token: 'b'.repeat(32) })).status).toBe(404);
    expect(t.queued).toHaveLength(0);
  });
});

describe('ingest-http: one token per integration', () => {
  const EB = 'POST /ingest/eventbridge/{token}';
  const NOW = '2024-06-10T14:05:00.000Z';
  const integrationsConfig = parsePipelineConfig({
    version: 1,
    teams: [{ name: 'platform' }],
    services: [{ name: 'platform', team: 'platform' }],
    routing: { default: { service: 'platform', escalationPolicy: 'default' } },
    integrations: [
      { name: 'ts-prod', source: 'threatstack', allowedIps: ['52.20.0.0/16'] },
      { name: 'am-eu', source: 'alertmanager' },
      { name: 'am-old', source: 'alertmanager', revoked: true },
      { name: 'pd', source: 'events-v2' },
      { name: 'gd', source: 'guardduty' },
    ],
  });
  const secrets: Record<string, unknown> = {
    default: { token: TOKEN },
    'ts-prod': { current: 'ts-token' },
    'am-eu': { current: 'am-new', previous: 'am-previous', previousValidUntil: '2024-06-10T15:00:00.000Z' },
    'am-old': { current: 'am-old-token' },
    pd: { current: 'pd-key' },
    gd: { current: 'gd-token' },
  };
  const at = (iso = NOW) => setup({ config: integrationsConfig, integrationSecrets: new StaticIntegrationSecrets(() => secrets), clock: { now: () => new Date(iso) } });
  const am = () => fixture('alertmanager', 'firing-and-resolved');

  it.each([
    ['its own token on its own source', AM, 'am-new', 200],
    ['the Threat Stack integration\'s token on Alertmanager', AM, 'ts-token', 404],
    ['the Alertmanager integration\'s token on Threat Stack', TS, 'am-new', 404],
    ['the Alertmanager integration\'s token on CloudWatch', CW, 'am-new', 404],
    ['the revoked integration\'s token', AM, 'am-old-token', 404],
    ['the single ingest token (the default integration)', AM, TOKEN, 200],
  ])('%s: %s', async (_case, route, token, status) => {
    const t = at();
    const res = await t.call(route, route === AM ? am() : fixture('threatstack', 'bare-alert'), { token });
    expect(res.status).toBe(status);
    if (status !== 200) expect(t.queued).toEqual([]);
  });

  it('revoking one integration leaves the others working', async () => {
    const t = at();
    expect((await t.call(AM, am(), { token: 'am-old-token' })).status).toBe(404);
    expect((await t.call(AM, am(), { token: 'am-new' })).status).toBe(200);
    expect((await t.call(TS, fixture('threatstack', 'bare-alert'), { token: 'ts-token' })).status).toBe(200);
  });

  it('accepts the previous token within the grace period (200) and refuses it after (404)', async () => {
    expect((await at('2024-06-10T14:59:59.000Z').call(AM, am(), { token: 'am-previous' })).status).toBe(200);
    expect((await at('2024-06-10T15:00:00.000Z').call(AM, am(), { token: 'am-previous' })).status).toBe(404);
    expect((await at('2024-06-10T15:00:00.000Z').call(AM, am(), { token: 'am-new' })).status).toBe(200);
  });

  it('answers 403 naming the reason for a sender outside the integration\'s allowedIps', async () => {
    const t = at();
    const outside = { requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '198.51.100.1', userAgent: 'test' } } };
    const res = await t.call(TS, fixture('threatstack', 'bare-alert'), { token: 'ts-token' }, outside as never);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'source_ip_not_allowed', message: expect.stringContaining('integration "ts-prod"') });
    expect(t.queued).toEqual([]);
  });

  it('records the integration on the envelope (the processor puts it in the trace)', async () => {
    const t = at();
    await t.call(AM, am(), { token: 'am-new' });
    await t.call(AM, am(), { token: TOKEN });
    expect(t.queued.map((e) => e.integration)).toEqual(['am-eu', 'default']);
  });

  it('Events v2: the integration\'s routing key is 202, another integration\'s is 400 unknown key', async () => {
    const body = (key: string) => JSON.stringify({ ...JSON.parse(fixture('events-v2', 'trigger')), routing_key: key });
    expect((await at().call(PD, body('pd-key'), {})).status).toBe(202);
    const res = await at().call(PD, body('am-new'), {});
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(['routing_key: not a known integration key']);
  });

  it('Events v2: a trigger before a rotation and its resolve after it (new routing key) share one fingerprint', async () => {
    const rotated = { ...secrets, pd: { current: 'pd-key-2', previous: 'pd-key', previousValidUntil: '2024-06-11T14:05:00.000Z' } };
    const t = setup({ config: integrationsConfig, integrationSecrets: new StaticIntegrationSecrets(() => rotated), clock: { now: () => new Date(NOW) } });
    const trigger = { ...JSON.parse(fixture('events-v2', 'trigger')), routing_key: 'pd-key', dedup_key: 'disk-full-web-01' };
    expect((await t.call(PD, JSON.stringify(trigger), {})).status).toBe(202);
    const resolve = { routing_key: 'pd-key-2', event_action: 'resolve', dedup_key: 'disk-full-web-01' };
    expect((await t.call(PD, JSON.stringify(resolve), {})).status).toBe(202);
    const [opened, resolved] = t.queued.map((e) => e.alerts[0]!);
    expect(resolved!.fingerprintKey).toBe(opened!.fingerprintKey);
    expect(opened!.fingerprintKey).not.toContain('pd-key');
  });

  it('EventBridge route: a GuardDuty integration\'s token opens GuardDuty findings only', async () => {
    expect((await at().call(EB, fixture('guardduty', 'finding-credential-exfiltration'), { token: 'gd-token' })).status).toBe(200);
    const t = at();
    expect((await t.call(EB, fixture('cloudwatch', 'eventbridge-metric-alarm'), { token: 'gd-token' })).status).toBe(404);
    expect((await t.call(EB, fixture('guardduty', 'finding-credential-exfiltration'), { token: 'am-new' })).status).toBe(404);
    expect(t.queued).toEqual([]);
  });
});
