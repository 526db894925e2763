/** The local outbox: every page is written; a channel with a local secret is also really sent (loopback). */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ChannelSender } from '../../lambdas/adapters/notify/channel-sender';
import { localChannelSecrets } from '../../lambdas/adapters/secrets/channel-secrets';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { Incident } from '../../lambdas/core/model/incident';
import { renderAll } from '../../lambdas/core/notify/channels';
import { LocalOutboxSender } from '../../lambdas/local/outbox';
import { defaultConfigInput, startReceiver } from '../support/channel-fixtures';

const incident = {
  id: 'inc-0123456789abcdef0123-1', status: 'triggered', title: 'ALARM: checkout-5xx-rate', description: '', source: 'cloudwatch', severity: 'sev2',
  tags: {}, route: { service: 'checkout', team: null, escalationPolicy: null, rule: 'default' }, alertUrl: null, resource: null,
  openedAt: '2024-06-10T14:03:12.345Z', lastSeenAt: '2024-06-10T14:05:00.000Z', alertCount: 1,
} as unknown as Incident;
const page = renderAll({ incident, level: 0, round: 0, ackUrl: 'https://api.example.com/act/a', resolveUrl: 'https://api.example.com/act/r' });
const config = parsePipelineConfig(defaultConfigInput([
  { name: 'ops-slack', type: 'slack', secret: 'ops-slack' },
  { name: 'ops-teams', type: 'teams', secret: 'ops-teams' },
  { name: 'ops-chat', type: 'google-chat', secret: 'ops-chat' },
]));

describe('LocalOutboxSender', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let outbox: LocalOutboxSender;
  beforeAll(async () => {
    receiver = await startReceiver();
    dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'outbox-'));
    // Only ops-slack has a local secret (CHANNEL_SECRET_OPS_SLACK): it is really sent; ops-teams is written only.
    const secrets = localChannelSecrets({}, { CHANNEL_SECRET_OPS_SLACK: `${receiver.url}/slack`, CHANNEL_SECRET_OPS_CHAT: `${receiver.url}/v1/spaces/AAAA/messages?key=k&token=t` });
    outbox = new LocalOutboxSender(join(dir, 'outbox.jsonl'), config, secrets, new ChannelSender(config, secrets, async () => ({ ok: false, error: 'not a channel' })));
  });
  afterAll(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('really sends a Google Chat page to the webhook URL in CHANNEL_SECRET_<NAME>, and writes it', async () => {
    receiver.requests.length = 0;
    expect(await outbox.send({ channel: 'ops-chat', type: 'google-chat' }, page, incident)).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(receiver.requests.map((r) => [r.path, JSON.parse(r.body)])).toEqual([['/v1/spaces/AAAA/messages?key=k&token=t', page['google-chat']]]);
    expect(outbox.list(1)[0]).toMatchObject({ type: 'google-chat', channel: 'ops-chat', payload: page['google-chat'], sent: true });
    receiver.requests.length = 0;
  });

  it('writes every page with its channel rendering, and really sends a channel that has a local secret', async () => {
    expect(await outbox.send({ channel: 'ops-teams', type: 'teams' }, page, incident)).toEqual({ ok: true, detail: 'written to the local outbox' });
    expect(await outbox.send({ channel: 'ops-slack', type: 'slack' }, page, incident)).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(await outbox.send({ channel: null, type: 'sms', address: '+14155550100', person: 'alice' }, page, incident)).toMatchObject({ ok: true });
    expect(receiver.requests.map((r) => [r.path, JSON.parse(r.body)])).toEqual([['/slack', page.slack]]);
    const [sms, slack, teams] = outbox.list();
    expect(teams).toMatchObject({ type: 'teams', channel: 'ops-teams', payload: page.teams, sent: false, subject: page.email.subject });
    expect(slack).toMatchObject({ type: 'slack', channel: 'ops-slack', payload: page.slack, sent: true });
    expect(sms).toMatchObject({ type: 'sms', channel: null, payload: null, sms: page.sms, address: '+14155550100', sent: false });
  });
});
