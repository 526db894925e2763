import type { Incident } from '../../../lambdas/core/model/incident';
import {
  emailMessage,
  escapeSlack,
  safeUrl,
  slackMessage,
  smsLength,
  smsMessage,
  teamsMessage,
  webhookPayload,
  type PageMessageInput,
} from '../../../lambdas/core/notify/messages';

const ACK = 'https://api.example.com/act/eyJpIjoiaW5jLTEiLCJhIjoiYWNrIn0.c2lnbmF0dXJlX2Fja19zaWduYXR1cmVfYWNrX3NpZ25hdA';
const RES = 'https://api.example.com/act/eyJpIjoiaW5jLTEiLCJhIjoicmVzIn0.c2lnbmF0dXJlX3Jlc19zaWduYXR1cmVfcmVzX3NpZ25hdA';
const ALERT_URL = 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/checkout-5xx-rate';

/** An incident with the fields messages read (cast: the model grows fields these tests do not need). */
function incident(over: Partial<Incident> = {}): Incident {
  const fields: Partial<Incident> = {
    id: 'inc-0123456789abcdef0123-1',
    status: 'triggered',
    title: 'ALARM: checkout-5xx-rate',
    description: `Threshold Crossed: 1 datapoint [12.5] was greater than 5.\n\nAlert at the source: ${ALERT_URL}`,
    source: 'cloudwatch',
    severity: 'sev1',
    tags: { env: 'prod' },
    route: { service: 'checkout', team: 'platform', escalationPolicy: 'standard', rule: 'default' },
    alertUrl: ALERT_URL,
    resource: 'checkout-5xx-rate',
    openedAt: '2024-06-10T14:03:12.345Z',
    lastSeenAt: '2024-06-10T14:05:00.000Z',
    alertCount: 3,
    ...over,
  };
  return fields as Incident;
}

function input(over: Partial<Incident> = {}, extra: Partial<PageMessageInput> = {}): PageMessageInput {
  return { incident: incident(over), level: 0, round: 1, ackUrl: ACK, resolveUrl: RES, consoleUrl: 'https://console.example.com/incidents/inc-1', ...extra };
}

const HOSTILE = {
  title: '<!channel> *urgent* <https://evil.example|click> & [x](https://evil.example) <script>alert(1)</script>',
  description: 'line1\r\n<@U123> **bold** \u0007bell\n<img src=x onerror=alert(1)>',
  route: { service: 'svc<b>', team: null, escalationPolicy: null, rule: 'r' },
};

/** Every string in a JSON value, with its path. */
function strings(value: unknown, path = '$'): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

describe('slackMessage', () => {
  const msg = slackMessage(input());
  const byType = (t: string) => msg.blocks.filter((b) => b.type === t);

  it('has a header with severity and title, facts, the description, buttons and a context line', () => {
    expect(byType('header')[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'SEV1 · ALARM: checkout-5xx-rate' } });
    const facts = (byType('section')[0]!.fields as Array<{ text: string }>).map((f) => f.text);
    expect(facts).toEqual(['*Service*\ncheckout', '*Source*\ncloudwatch', '*Alerts*\n3', expect.stringMatching(/^\*Opened\*\n<!date\^1718028192\^.+\|2024-06-10T14:03:12.345Z>$/)]);
    expect((byType('section')[1]!.text as { text: string }).text).toContain('Threshold Crossed');
    expect(JSON.stringify(byType('context'))).toContain('escalation level 1, round 2');
    expect(msg.text).toBe('SEV1: ALARM: checkout-5xx-rate (checkout)');
  });

  it('links Acknowledge and Resolve to the signed links, and the alert at the source', () => {
    const buttons = byType('actions')[0]!.elements as Array<{ text: { text: string }; url: string }>;
    expect(buttons.map((b) => [b.text.text, b.url])).toEqual([
      ['Acknowledge', ACK],
      ['Resolve', RES],
      ['View alert in cloudwatch', ALERT_URL],
      ['Open in console', 'https://console.example.com/incidents/inc-1'],
    ]);
  });

  it('escapes mrkdwn control characters and turns off automatic parsing in untrusted text', () => {
    const hostile = slackMessage(input(HOSTILE));
    const mrkdwnTexts = [hostile.text];
    for (const block of hostile.blocks) {
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          if (o.type === 'mrkdwn') {
            expect(o.verbatim).toBe(true);
            mrkdwnTexts.push(o.text as string);
          }
          Object.values(o).forEach(walk);
        }
      };
      walk(block);
    }
    const all = mrkdwnTexts.join('\n').replace(/<!date\^\d+\^[^|>]+\|[^>]+>/g, ''); // our own date token
    expect(all).not.toMatch(/[<>]/);
    expect(all).not.toContain('\u0007');
    expect(all).toContain('&lt;!channel&gt; *urgent* &lt;https://evil.example|click&gt; &amp;');
    expect(all).toContain('&lt;@U123&gt;');
    // The header is plain_text, which Slack shows literally.
    expect(hostile.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
  });

  it('leaves out a source link that is not http(s)', () => {
    const m = slackMessage(input({ alertUrl: 'javascript:alert(1)' }, { consoleUrl: 'data:text/html,x' }));
    const urls = (m.blocks.find((b) => b.type === 'actions')!.elements as Array<{ url: string }>).map((b) => b.url);
    expect(urls).toEqual([ACK, RES]);
  });

  it('keeps within Block Kit limits for huge texts', () => {
    const m = slackMessage(input({ title: 'T'.repeat(1000), description: '&'.repeat(10_000) }));
    expect(((m.blocks[0]!.text as { text: string }).text).length).toBeLessThanOrEqual(150);
    const description = (m.blocks[2]!.text as { text: string }).text;
    expect(description.length).toBeLessThanOrEqual(3000);
    expect(description).toMatch(/^(&amp;)+…$/); // cut before escaping: no broken entity
  });

  it.each([
    ['&', '&amp;'],
    ['<>', '&lt;&gt;'],
    ['a *b* _c_', 'a *b* _c_'],
  ])('escapeSlack(%j) = %j', (raw, escaped) => {
    expect(escapeSlack(raw)).toBe(escaped);
  });
});

describe('teamsMessage', () => {
  const msg = teamsMessage(input()) as { type: string; attachments: Array<{ contentType: string; content: { type: string; version: string; body: unknown[]; actions: Array<{ type: string; title: string; url: string }> } }> };
  const card = msg.attachments[0]!.content;

  it('is a message with one Adaptive Card attachment', () => {
    expect(msg.type).toBe('message');
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
  });

  it('opens the signed links and the source with Action.OpenUrl', () => {
    expect(card.actions.map((a) => [a.type, a.title, a.url])).toEqual([
      ['Action.OpenUrl', 'Acknowledge', ACK],
      ['Action.OpenUrl', 'Resolve', RES],
      ['Action.OpenUrl', 'View alert at the source', ALERT_URL],
      ['Action.OpenUrl', 'Open in console', 'https://console.example.com/incidents/inc-1'],
    ]);
    const text = strings(card.body).map(([, v]) => v).join('\n');
    expect(text).toContain('ALARM: checkout-5xx-rate');
    expect(text).toContain('checkout');
    expect(text).toContain('Threshold Crossed');
  });

  it('puts untrusted text only into TextRuns, which Adaptive Cards never read as Markdown', () => {
    const hostile = teamsMessage(input(HOSTILE)) as typeof msg;
    const body = hostile.attachments[0]!.content.body;
    const texts = strings(body).filter(([p]) => p.endsWith('.text'));
    const types = strings(body).filter(([p]) => p.endsWith('.type')).map(([, v]) => v);
    expect(new Set(types)).toEqual(new Set(['RichTextBlock', 'TextRun']));
    for (const [path] of texts) expect(path).toMatch(/\.inlines\[\d+\]\.text$/);
    expect(texts.map(([, v]) => v).join('')).toContain('[x](https://evil.example)'); // shown literally
    expect(JSON.stringify(body)).not.toContain('\u0007');
  });
});

describe('webhookPayload', () => {
  it('is an incident.page event with the incident, the escalation step and the links', () => {
    const event = webhookPayload(input());
    expect(event).toMatchObject({
      type: 'incident.page',
      version: 1,
      id: 'inc-0123456789abcdef0123-1/page/0/1',
      incident: { id: 'inc-0123456789abcdef0123-1', severity: 'sev1', service: 'checkout', team: 'platform', alertCount: 3, tags: { env: 'prod' } },
      escalation: { level: 0, round: 1 },
      links: { acknowledge: ACK, resolve: RES, source: ALERT_URL, console: 'https://console.example.com/incidents/inc-1' },
    });
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('drops a non-http source link', () => {
    expect(webhookPayload(input({ alertUrl: 'javascript:alert(1)' }, { consoleUrl: undefined })).links).toEqual({ acknowledge: ACK, resolve: RES, source: null, console: null });
  });
});

describe('emailMessage', () => {
  it('has a one-line subject and a text body with the facts, the description and the links', () => {
    const mail = emailMessage(input());
    expect(mail.subject).toBe('[SEV1] ALARM: checkout-5xx-rate (checkout)');
    expect(mail.text).toContain('Service:    checkout (team platform)');
    expect(mail.text).toContain('Alerts:     3');
    expect(mail.text).toContain(`Acknowledge: ${ACK}`);
    expect(mail.text).toContain(`Resolve: ${RES}`);
    expect(mail.text).toContain(`Alert at the source: ${ALERT_URL}`);
  });

  it('cannot inject headers through the subject or HTML through the body', () => {
    const mail = emailMessage(input({ ...HOSTILE, title: 'Hi\r\nBcc: victim@example.com <b>x</b>' }));
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<b>x</b>');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain(`<a href="${ACK}">Acknowledge</a>`);
  });
});

describe('smsMessage', () => {
  const SHORT = 'https://a.example/k/Xy12';
  it.each([
    ['a short link fits in one message with the title', input({}, { shortAckUrl: SHORT }), `SEV1 checkout: ALARM: checkout-5xx-rate (3 alerts) Ack: ${SHORT}`],
    ['one alert says no count', input({ alertCount: 1 }, { shortAckUrl: SHORT }), `SEV1 checkout: ALARM: checkout-5xx-rate Ack: ${SHORT}`],
  ])('%s', (_name, i, expected) => {
    expect(smsMessage(i)).toBe(expected);
  });

  it('shortens a long title to stay within 160 GSM-7 characters', () => {
    const text = smsMessage(input({ title: 'Disk usage above 95 percent on '.repeat(10) }, { shortAckUrl: SHORT }));
    expect(smsLength(text)).toMatchObject({ encoding: 'gsm7' });
    expect(smsLength(text).units).toBeLessThanOrEqual(160);
    expect(text).toContain('...');
    expect(text.endsWith(`Ack: ${SHORT}`)).toBe(true);
  });

  it('stays within 70 characters when the title needs Unicode', () => {
    const text = smsMessage(input({ title: '磁盘已满 on host-1 and host-2 and host-3 and host-4' }, { shortAckUrl: SHORT }));
    expect(smsLength(text)).toMatchObject({ encoding: 'ucs2' });
    expect(text.length).toBeLessThanOrEqual(70);
    expect(text.startsWith('SEV1 checkout: 磁盘已满')).toBe(true);
    expect(text.endsWith(SHORT)).toBe(true);
  });

  it('fits one message when a late Unicode character can be cut away instead', () => {
    const text = smsMessage(input({ title: `${'Festplatte voll auf host-1 '.repeat(4)}– 磁盘已满` }, { shortAckUrl: SHORT }));
    const m = smsLength(text);
    expect(m.units).toBeLessThanOrEqual(m.limit);
    expect(text.endsWith(SHORT)).toBe(true);
  });

  it('always includes the whole acknowledge link, even when that needs a second message', () => {
    const long = `https://api.example.com/act/${'x'.repeat(180)}`;
    const text = smsMessage(input({}, { ackUrl: long }));
    expect(text).toContain(long);
    expect(text.startsWith('SEV1 checkout: ALARM')).toBe(true);
  });

  it('is one line without control characters', () => {
    expect(smsMessage(input({ title: 'a\nb\u0007c' }, { shortAckUrl: SHORT }))).toBe(`SEV1 checkout: a bc (3 alerts) Ack: ${SHORT}`);
  });
});

describe('smsLength and safeUrl', () => {
  it.each([
    ['plain ASCII', 'hello', { encoding: 'gsm7', units: 5, limit: 160 }],
    ['extension characters count twice', '[x]', { encoding: 'gsm7', units: 5, limit: 160 }],
    ['an emoji needs UCS-2', 'ok 👍', { encoding: 'ucs2', units: 5, limit: 70 }],
  ])('smsLength: %s', (_name, text, expected) => {
    expect(smsLength(text)).toEqual(expected);
  });

  it.each([
    ['https://example.com/a', 'https://example.com/a'],
    ['http://example.com', 'http://example.com'],
    ['javascript:alert(1)', null],
    ['ftp://example.com', null],
    ['not a url', null],
    [null, null],
  ])('safeUrl(%j) = %j', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });
});
