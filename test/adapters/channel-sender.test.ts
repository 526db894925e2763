/** The sender over a real HTTP server on loopback: what leaves for each transport kind the registry names. */
import { ChannelSender, type ChannelSecret, type DirectSender } from '../../lambdas/adapters/notify/channel-sender';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { Delivery } from '../../lambdas/core/escalation/recipients';
import type { Incident } from '../../lambdas/core/model/incident';
import { renderAll } from '../../lambdas/core/notify/channels';
import { verifyWebhookSignature } from '../../lambdas/core/notify/webhook-signature';
import { defaultConfigInput, startReceiver } from '../support/channel-fixtures';

const NOW_SEC = 1_718_028_300;
const incident = {
  id: 'inc-0123456789abcdef0123-1', status: 'triggered', title: 'ALARM: checkout-5xx-rate', description: 'Threshold crossed', source: 'cloudwatch',
  severity: 'sev1', tags: {}, route: { service: 'checkout', team: null, escalationPolicy: null, rule: 'default' }, alertUrl: null, resource: null,
  openedAt: '2024-06-10T14:03:12.345Z', lastSeenAt: '2024-06-10T14:05:00.000Z', alertCount: 1,
} as unknown as Incident;
const page = renderAll({ incident, level: 0, round: 0, ackUrl: 'https://api.example.com/act/a', resolveUrl: 'https://api.example.com/act/r' });

const config = parsePipelineConfig(defaultConfigInput([
  { name: 'ops-slack', type: 'slack', secret: 'ops-slack' },
  { name: 'ops-teams', type: 'teams', secret: 'ops-teams' },
  { name: 'ops-hook', type: 'webhook', secret: 'ops-hook' },
  { name: 'unsigned-hook', type: 'webhook', secret: 'unsigned-hook' },
  { name: 'unset-slack', type: 'slack', secret: 'unset-slack' },
  { name: 'ops-chat', type: 'google-chat', secret: 'ops-chat' },
]));

describe('ChannelSender over loopback HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let secrets: Record<string, ChannelSecret>;
  const direct: DirectSender & { calls: Delivery[] } = Object.assign(async (d: Delivery) => {
    direct.calls.push(d);
    return { ok: true as const, detail: 'direct' };
  }, { calls: [] as Delivery[] });
  const sender = () => new ChannelSender(config, async (name) => secrets[name] ?? null, direct, undefined, () => NOW_SEC);

  beforeAll(async () => {
    receiver = await startReceiver();
    secrets = {
      'ops-slack': { url: `${receiver.url}/slack/T000/B000/XXXX` },
      'ops-teams': { url: `${receiver.url}/teams/webhook` },
      'ops-hook': { url: `${receiver.url}/hook`, hmacKey: 'k'.repeat(32) },
      'unsigned-hook': { url: `${receiver.url}/unsigned` },
      'ops-chat': { url: `${receiver.url}/v1/spaces/AAAA/messages?key=k&token=t` },
    };
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.respondWith(200, '{}');
    direct.calls.length = 0;
  });

  it.each([
    ['slack', 'ops-slack', '/slack/T000/B000/XXXX'],
    ['teams', 'ops-teams', '/teams/webhook'],
    ['google-chat', 'ops-chat', '/v1/spaces/AAAA/messages?key=k&token=t'],
  ] as const)('POSTs the %s rendering as JSON to the URL in the secret, unsigned', async (type, channel, path) => {
    const result = await sender().send({ channel, type }, page, incident);
    expect(result).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0]!;
    expect([req.method, req.path, req.headers['content-type']]).toEqual(['POST', path, 'application/json']);
    expect(JSON.parse(req.body)).toEqual(page[type]);
    expect(req.headers['x-alert-pipeline-signature']).toBeUndefined();
  });

  it('signs a webhook with the HMAC key of its secret, verifiably', async () => {
    const result = await sender().send({ channel: 'ops-hook', type: 'webhook' }, page, incident);
    expect(result.ok).toBe(true);
    const req = receiver.requests[0]!;
    expect(JSON.parse(req.body)).toEqual(page.webhook);
    expect(verifyWebhookSignature(req.body, req.headers as Record<string, string>, ['k'.repeat(32)], NOW_SEC)).toEqual({ ok: true });
  });

  it('does not send a webhook whose secret has no HMAC key, nor a channel whose secret is not set', async () => {
    expect(await sender().send({ channel: 'unsigned-hook', type: 'webhook' }, page, incident)).toMatchObject({ ok: false, status: 401, error: expect.stringMatching(/hmacKey/) });
    expect(await sender().send({ channel: 'unset-slack', type: 'slack' }, page, incident)).toMatchObject({ ok: false, status: 401, error: expect.stringMatching(/unset-slack.*not set/) });
    expect(await sender().send({ channel: 'nope', type: 'slack' }, page, incident)).toMatchObject({ ok: false, error: expect.stringMatching(/not configured/) });
    expect(receiver.requests).toHaveLength(0);
  });

  it('reports the status and the start of the body of a refused POST', async () => {
    receiver.respondWith(500, 'upstream broke');
    expect(await sender().send({ channel: 'ops-slack', type: 'slack' }, page, incident)).toEqual({ ok: false, status: 500, error: 'HTTP 500 upstream broke' });
  });

  it('hands email and SMS (transport sns) to the direct sender without HTTP', async () => {
    await sender().send({ channel: null, type: 'email', address: 'a@example.com', person: 'alice' }, page, incident);
    await sender().send({ channel: null, type: 'sms', address: '+14155550100', person: 'alice' }, page, incident);
    expect(direct.calls.map((d) => d.type)).toEqual(['email', 'sms']);
    expect(receiver.requests).toHaveLength(0);
  });
});
