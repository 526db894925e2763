import type { Incident } from '../../../lambdas/core/model/incident';
import { PipelineConfigSchema } from '../../../lambdas/core/config/pipeline-config.schema';
import { CHANNEL_LIST, CHANNEL_TYPES, CHANNELS, channelSecret, renderAll } from '../../../lambdas/core/notify/channels';
import type { PageMessageInput } from '../../../lambdas/core/notify/text';
import { defaultConfigInput } from '../../support/channel-fixtures';

const ACK = 'https://api.example.com/act/ack-token';
const RES = 'https://api.example.com/act/res-token';

function input(over: Partial<Incident> = {}): PageMessageInput {
  const incident = {
    id: 'inc-0123456789abcdef0123-1', status: 'triggered', title: 'ALARM: checkout-5xx-rate', description: 'Threshold crossed',
    source: 'cloudwatch', severity: 'sev1', tags: {}, route: { service: 'checkout', team: 'platform', escalationPolicy: null, rule: 'default' },
    alertUrl: 'https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/checkout-5xx-rate', resource: 'checkout-5xx-rate',
    openedAt: '2024-06-10T14:03:12.345Z', lastSeenAt: '2024-06-10T14:05:00.000Z', alertCount: 3, ...over,
  } as Partial<Incident>;
  return { incident: incident as Incident, level: 0, round: 0, ackUrl: ACK, resolveUrl: RES };
}

/** Every string in a rendered value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('channel registry', () => {
  it('has one descriptor per type, listed once', () => {
    expect(new Set(CHANNEL_TYPES).size).toBe(CHANNEL_LIST.length);
    for (const type of CHANNEL_TYPES) expect(CHANNELS[type].type).toBe(type);
    expect(CHANNEL_TYPES).toEqual(expect.arrayContaining(['email', 'sms', 'slack', 'teams', 'webhook', 'google-chat']));
  });

  it('signs only transports that carry a secret with an HMAC key, and sends every secret-less type through SNS', () => {
    for (const d of CHANNEL_LIST) {
      if (d.transport.kind === 'https-json') expect(d.secret).not.toBeNull();
      else expect(d.secret).toBeNull();
      if (d.transport.kind === 'https-json' && d.transport.signing === 'hmac-sha256') expect(d.secret).toBe('url-and-hmac-key');
      expect(d.rateCap.default).toBeGreaterThanOrEqual(1);
      expect(d.rateCap.default).toBeLessThanOrEqual(d.rateCap.max);
    }
  });

  describe.each(CHANNEL_LIST.map((d) => [d.type, d] as const))('%s', (type, d) => {
    const config = (channel: Record<string, unknown>) => PipelineConfigSchema.safeParse(defaultConfigInput([{ name: 'ch', type, ...channel }]));

    it('is accepted by the config schema, with its secret and its rate-cap default', () => {
      const parsed = config(d.secret === null ? {} : { secret: 'ch-secret' });
      expect(parsed.success).toBe(true);
      const channel = parsed.data!.channels[0]!;
      expect(channel.maxPerMinute).toBe(d.rateCap.default);
      expect(channelSecret(channel)).toBe(d.secret === null ? null : 'ch-secret');
    });

    it(d.secret === null ? 'rejects a secret' : 'requires a secret', () => {
      const parsed = config(d.secret === null ? { secret: 'x' } : {});
      expect(parsed.success).toBe(false);
      expect(JSON.stringify(parsed.error!.issues)).toMatch(/secret/);
    });

    it('rejects a rate cap over its maximum', () => {
      expect(config({ ...(d.secret === null ? {} : { secret: 's' }), maxPerMinute: d.rateCap.max + 1 }).success).toBe(false);
    });

    it('renders a page with the acknowledge link and no control characters for people; https-json renders a JSON object', () => {
      const page = d.render(input({ title: 'bell\u0007 <b>x</b>', description: 'line\r\nnext\u001b' }));
      const all = strings(page);
      expect(all.join('\n')).toContain(ACK);
      // The generic webhook is for programs: it carries the incident's fields as they are (JSON-escaped).
      if (type !== 'webhook') for (const s of all) expect(s).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      if (d.transport.kind === 'https-json') {
        expect(typeof page).toBe('object');
        expect(JSON.parse(JSON.stringify(page))).toEqual(page);
      }
    });
  });

  it('renderAll renders every registered type', () => {
    const page = renderAll(input());
    expect(Object.keys(page).sort()).toEqual([...CHANNEL_TYPES].sort());
    expect(page.email.subject).toBe('[SEV1] ALARM: checkout-5xx-rate (checkout)');
  });

  it('renderAll renders a type only when its rendering is read, once (a page sent to a webhook renders no Slack or Teams card)', () => {
    const spies = CHANNEL_LIST.map((d) => jest.spyOn(d as { render: (...a: unknown[]) => unknown }, 'render'));
    try {
      const page = renderAll(input());
      expect(spies.map((s) => s.mock.calls.length)).toEqual(CHANNEL_LIST.map(() => 0));
      const first = page.webhook;
      expect(page.webhook).toBe(first);
      expect(CHANNEL_LIST.map((d, i) => [d.type, spies[i]!.mock.calls.length] as const).filter(([, n]) => n > 0)).toEqual([['webhook', 1]]);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('names the known channel types when a config has an unknown one', () => {
    const parsed = PipelineConfigSchema.safeParse(defaultConfigInput([{ name: 'ch', type: 'pager', secret: 's' }]));
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error!.issues)).toMatch(/channels/);
  });
});
